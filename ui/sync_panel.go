package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// SyncResult is what a sync pass did, for the panel and its notification.
type SyncResult struct {
	Sent, Created, Attachments, Failed int
}

// syncScreen shows every structure that is not settled, with the portal's
// message for refused ones, "retry now" and "discard".
type syncScreen struct {
	u        *UI
	flow     syncFlow
	progress *widget.ProgressBarInfinite
	summary  *widget.Label
	list     *fyne.Container
	retry    *widget.Button
	// discard holds each row's button, by structure id, for tests.
	discard map[int64]*widget.Button
	content fyne.CanvasObject
}

func newSyncScreen(u *UI, flow syncFlow) *syncScreen {
	s := &syncScreen{u: u, flow: flow, discard: map[int64]*widget.Button{}}
	s.progress = widget.NewProgressBarInfinite()
	s.progress.Stop()
	s.progress.Hide()
	s.summary = paragraph("")
	s.list = container.NewVBox()
	s.retry = widget.NewButtonWithIcon(u.text.T("sync.retry"), theme.ViewRefreshIcon(), s.onRetry)
	s.retry.Importance = widget.HighImportance
	back := widget.NewButtonWithIcon(u.text.T("button.back"), theme.NavigateBackIcon(), func() { u.show(stepHome) })
	s.content = u.page(title(u.text.T("sync.title")), paragraph(u.text.T("sync.intro")), s.progress, s.summary, s.list,
		container.NewHBox(back, s.retry))
	s.load()
	return s
}

// load lists the structures still in flight or refused.
func (s *syncScreen) load() {
	async(s.u, s.flow.Unsettled, func(recs []core.StructureRecord, err error) {
		s.list.RemoveAll()
		s.discard = map[int64]*widget.Button{}
		if err != nil {
			s.list.Add(paragraph(s.u.text.errorText(err)))
			return
		}
		if len(recs) == 0 {
			s.list.Add(widget.NewLabel(s.u.text.T("sync.empty")))
		}
		for _, r := range recs {
			text := fmt.Sprintf("%s %s · %s · %s", r.Draft.IdentifierType, r.Draft.Identifier, r.Draft.CompanyName, s.u.text.T("state."+string(r.Sync.State)))
			if !r.Sync.Notice.IsZero() {
				text += "\n" + i18n.Text(s.u.text.lang, r.Sync.Notice)
			}
			row := paragraph(text)
			if r.Sync.State == core.StateFailed {
				row.Importance = widget.DangerImportance
			}
			var right fyne.CanvasObject = widget.NewLabel("")
			if r.Sync.State == core.StateQueued || r.Sync.State == core.StateFailed {
				id := r.ID
				b := widget.NewButtonWithIcon(s.u.text.T("sync.discard"), theme.DeleteIcon(), func() { s.onDiscard(id) })
				s.discard[id] = b
				right = b
			}
			s.list.Add(container.NewBorder(nil, nil, nil, right, row))
		}
	})
}

// onRetry makes backed-off rows due and sends them now.
func (s *syncScreen) onRetry() {
	s.progress.Show()
	s.progress.Start()
	s.retry.Disable()
	async(s.u, s.flow.RetryNow, func(_ onboarding.Progress, err error) {
		s.progress.Stop()
		s.progress.Hide()
		s.retry.Enable()
		if err != nil {
			s.summary.SetText(s.u.text.errorText(err))
		}
		s.load()
		s.u.bar.refresh()
	})
}

// onDiscard takes a queued or refused structure back to draft.
func (s *syncScreen) onDiscard(id int64) {
	async(s.u, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.flow.Discard(ctx, id) },
		func(_ struct{}, err error) {
			if err != nil {
				s.summary.SetText(s.u.text.errorText(err))
			}
			s.load()
		})
}

// NotifyBatch tells the user a batch finished (a system notification) and
// refreshes the panel if it is open. Call it on the UI goroutine.
func (u *UI) NotifyBatch(r SyncResult) {
	if r.Sent == 0 && r.Failed == 0 {
		return
	}
	msg := u.text.F("sync.done", "sent", u.text.count(r.Sent), "created", u.text.count(r.Created), "attachments", u.text.count(r.Attachments), "failed", u.text.count(r.Failed))
	u.app.SendNotification(fyne.NewNotification(u.text.T("sync.notify"), msg))
	if u.step == stepSync && u.syncS != nil {
		u.syncS.summary.SetText(msg)
		u.syncS.load()
	}
}
