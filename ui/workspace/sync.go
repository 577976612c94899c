package workspace

import (
	"context"
	"fmt"

	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// syncScreen shows every structure that is not settled, with the portal's
// message for refused ones, "retry now" and "discard".
type syncScreen struct {
	u        *area
	flow     syncFlow
	progress *widget.ProgressBarInfinite
	summary  *widget.Label
	list     *fyne.Container
	retry    *widgets.Button
	// discard holds each row's button, by structure id, for tests.
	discard map[int64]*widgets.Button
	content fyne.CanvasObject
}

func newSyncScreen(u *area, flow syncFlow) *syncScreen {
	s := &syncScreen{u: u, flow: flow, discard: map[int64]*widgets.Button{}}
	s.progress = widget.NewProgressBarInfinite()
	s.progress.Stop()
	s.progress.Hide()
	s.summary = widgets.Paragraph("")
	s.list = container.NewVBox()
	s.retry = widgets.NewButtonWithIcon(u.Text().T("sync.retry"), theme.ViewRefreshIcon(), s.onRetry)
	s.retry.Importance = widget.HighImportance
	back := widgets.NewButtonWithIcon(u.Text().T("button.back"), theme.NavigateBackIcon(), func() { u.Show(shell.StepHome) })
	s.content = u.Page(widgets.Title(u.Text().T("sync.title")), widgets.Paragraph(u.Text().T("sync.intro")), s.progress, s.summary, s.list,
		container.NewHBox(back, s.retry))
	s.load()
	return s
}

// load lists the structures still in flight or refused.
func (s *syncScreen) load() {
	shell.Async(s.u.Shell, s.flow.Unsettled, func(recs []core.StructureRecord, err error) {
		s.list.RemoveAll()
		s.discard = map[int64]*widgets.Button{}
		if err != nil {
			s.list.Add(widgets.Paragraph(s.u.Text().ErrorText(err)))
			return
		}
		if len(recs) == 0 {
			s.list.Add(widget.NewLabel(s.u.Text().T("sync.empty")))
		}
		for _, r := range recs {
			text := fmt.Sprintf("%s %s · %s · %s", r.Draft.IdentifierType, r.Draft.Identifier, r.Draft.CompanyName, s.u.Text().T("state."+string(r.Sync.State)))
			if !r.Sync.Notice.IsZero() {
				text += "\n" + i18n.Text(s.u.Text().Lang(), r.Sync.Notice)
			}
			row := widgets.Paragraph(text)
			if r.Sync.State == core.StateFailed {
				row.Importance = widget.DangerImportance
			}
			var right fyne.CanvasObject = widget.NewLabel("")
			if r.Sync.State == core.StateQueued || r.Sync.State == core.StateFailed {
				id := r.ID
				b := widgets.NewButtonWithIcon(s.u.Text().T("sync.discard"), theme.DeleteIcon(), func() { s.onDiscard(id) })
				s.discard[id] = b
				right = b
			}
			s.list.Add(widgets.NewBorder(nil, nil, nil, right, row))
		}
	})
}

// onRetry makes backed-off rows due and sends them now.
func (s *syncScreen) onRetry() {
	s.progress.Show()
	s.progress.Start()
	s.retry.Disable()
	shell.Async(s.u.Shell, s.flow.RetryNow, func(_ onboarding.Progress, err error) {
		s.progress.Stop()
		s.progress.Hide()
		s.retry.Enable()
		if err != nil {
			s.summary.SetText(s.u.Text().ErrorText(err))
		}
		s.load()
		s.u.Status().Refresh()
	})
}

// onDiscard takes a queued or refused structure back to draft.
func (s *syncScreen) onDiscard(id int64) {
	shell.Async(s.u.Shell, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.flow.Discard(ctx, id) },
		func(_ struct{}, err error) {
			if err != nil {
				s.summary.SetText(s.u.Text().ErrorText(err))
			}
			s.load()
		})
}

// NotifyBatch tells the user a batch finished (a system notification) and
// refreshes the panel if it is open. Call it on the UI goroutine.
func (ws *Workspace) NotifyBatch(r SyncResult) {
	u := ws.a
	if r.Sent == 0 && r.Failed == 0 {
		return
	}
	msg := u.Text().F("sync.done", "sent", u.Text().Count(r.Sent), "created", u.Text().Count(r.Created), "attachments", u.Text().Count(r.Attachments), "failed", u.Text().Count(r.Failed))
	u.App().SendNotification(fyne.NewNotification(u.Text().T("sync.notify"), msg))
	if u.Step() == shell.StepSync && u.syncS != nil {
		u.syncS.summary.SetText(msg)
		u.syncS.load()
	}
}
