package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
)

// SyncResult is what a sync pass did, for the panel and its notification.
type SyncResult struct {
	Sent, Created, Attachments, Failed int
}

// syncScreen shows every structure that is not settled, with the portal's
// message for refused ones, "retry now" and "discard".
type syncScreen struct {
	u        *UI
	progress *widget.ProgressBarInfinite
	summary  *widget.Label
	list     *fyne.Container
	retry    *widget.Button
	// discard holds each row's button, by structure id, for tests.
	discard map[int64]*widget.Button
	content fyne.CanvasObject
}

func newSyncScreen(u *UI) *syncScreen {
	s := &syncScreen{u: u, discard: map[int64]*widget.Button{}}
	s.progress = widget.NewProgressBarInfinite()
	s.progress.Stop()
	s.progress.Hide()
	s.summary = paragraph("")
	s.list = container.NewVBox()
	s.retry = widget.NewButtonWithIcon(u.T("sync.retry"), theme.ViewRefreshIcon(), s.onRetry)
	s.retry.Importance = widget.HighImportance
	back := widget.NewButtonWithIcon(u.T("button.back"), theme.NavigateBackIcon(), func() { u.show(stepHome) })
	s.content = page(title(u.T("sync.title")), paragraph(u.T("sync.intro")), s.progress, s.summary, s.list,
		container.NewHBox(back, s.retry))
	s.load()
	return s
}

// load lists the structures still in flight or refused.
func (s *syncScreen) load() {
	st := s.u.deps.Store
	if st == nil {
		return
	}
	async(s.u, func(ctx context.Context) ([]core.StructureRecord, error) {
		var out []core.StructureRecord
		err := st.EachStructure(ctx, func(r core.StructureRecord) error {
			switch r.Sync.State {
			case core.StateQueued, core.StateSent, core.StateFailed, core.StateAttachmentRequested:
				out = append(out, r)
			}
			return nil
		})
		return out, err
	}, func(recs []core.StructureRecord, err error) {
		s.list.RemoveAll()
		s.discard = map[int64]*widget.Button{}
		if err != nil {
			s.list.Add(paragraph(s.u.errorText(err)))
			return
		}
		if len(recs) == 0 {
			s.list.Add(widget.NewLabel(s.u.T("sync.empty")))
		}
		for _, r := range recs {
			text := fmt.Sprintf("%s %s · %s · %s", r.Draft.IdentifierType, r.Draft.Identifier, r.Draft.CompanyName, s.u.T("state."+string(r.Sync.State)))
			if r.Sync.Message != "" {
				text += "\n" + r.Sync.Message
			}
			row := paragraph(text)
			if r.Sync.State == core.StateFailed {
				row.Importance = widget.DangerImportance
			}
			var right fyne.CanvasObject = widget.NewLabel("")
			if r.Sync.State == core.StateQueued || r.Sync.State == core.StateFailed {
				id := r.ID
				b := widget.NewButtonWithIcon(s.u.T("sync.discard"), theme.DeleteIcon(), func() { s.onDiscard(id) })
				s.discard[id] = b
				right = b
			}
			s.list.Add(container.NewBorder(nil, nil, nil, right, row))
		}
	})
}

// onRetry makes backed-off rows due and sends them now.
func (s *syncScreen) onRetry() {
	st := s.u.deps.Store
	if st == nil || s.u.deps.SyncNow == nil {
		return
	}
	s.progress.Show()
	s.progress.Start()
	s.retry.Disable()
	async(s.u, func(ctx context.Context) (struct{}, error) {
		if err := st.RetryNow(ctx); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, s.u.deps.SyncNow(ctx)
	}, func(_ struct{}, err error) {
		s.progress.Stop()
		s.progress.Hide()
		s.retry.Enable()
		if err != nil {
			s.summary.SetText(s.u.errorText(err))
		}
		s.load()
		s.u.checkOnline()
	})
}

func (s *syncScreen) onDiscard(id int64) {
	if err := s.u.deps.Store.Discard(context.Background(), id); err != nil {
		s.summary.SetText(s.u.errorText(err))
	}
	s.load()
}

// NotifyBatch tells the user a batch finished (a system notification) and
// refreshes the panel if it is open. Call it on the UI goroutine.
func (u *UI) NotifyBatch(r SyncResult) {
	if r.Sent == 0 && r.Failed == 0 {
		return
	}
	msg := u.Tf("sync.done", r.Sent, r.Created, r.Attachments, r.Failed)
	u.app.SendNotification(fyne.NewNotification(u.T("sync.notify"), msg))
	if u.step == stepSync && u.syncS != nil {
		u.syncS.summary.SetText(msg)
		u.syncS.load()
	}
}
