package requests

import (
	"context"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/ui/shell"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// approvalsScreen is attachment requests at scale: the requests waiting
// for the signed-in manager, to approve or refuse many at once, and the
// user's own requests with their status.
type approvalsScreen struct {
	u       *area
	flow    approvalsFlow
	people  *peopleTab
	waiting *widgets.Table[api.Attachment]
	mine    *widgets.Table[api.Attachment]
	approve *widgets.Button
	refuse  *widgets.Button
	refresh *widgets.Button
	summary *widget.Label
	message *widget.Label
	tabs    *container.AppTabs
	// progress shows a decision on many requests.
	progress *widgets.Progress
	content  fyne.CanvasObject

	waitingRows, mineRows []api.Attachment
	running               bool
}

func newApprovalsScreen(u *area, flow approvalsFlow, people peopleFlow) *approvalsScreen {
	s := &approvalsScreen{u: u, flow: flow, people: newPeopleTab(u, people)}
	date := func(a api.Attachment) string {
		if a.Created == 0 {
			return ""
		}
		return u.Text().Date(time.Unix(a.Created, 0))
	}
	s.waiting = widgets.NewTable([]widgets.Column[api.Attachment]{
		{Title: u.Text().T("approvals.col.requester"), Width: 170, Text: func(a api.Attachment) string { return a.RequesterName }},
		{Title: u.Text().T("approvals.col.email"), Width: 210, Text: func(a api.Attachment) string { return a.Requester }},
		{Title: u.Text().T("ws.col.identifier"), Width: widthID, Text: func(a api.Attachment) string {
			return widgets.GroupIdentifier(a.IdentifierType, a.Identifier)
		}},
		{Title: u.Text().T("ws.col.company"), Width: 200, Text: func(a api.Attachment) string { return a.CompanyName }},
		{Title: u.Text().T("approvals.col.date"), Width: 100, Text: date},
	}, func() []api.Attachment { return s.waitingRows }, func(a api.Attachment) int64 { return a.ID }, true)
	s.waiting.Stretch = 1 // the e-mail address
	s.waiting.OnCheck = s.changed
	s.waiting.OnCheckAll = func(on bool) {
		clear(s.waiting.Checked)
		if on {
			for _, a := range s.waitingRows {
				s.waiting.Checked[a.ID] = true
			}
		}
		s.waiting.Refresh()
		s.changed()
	}
	s.mine = widgets.NewTable([]widgets.Column[api.Attachment]{
		{Title: u.Text().T("ws.col.identifier"), Width: widthID, Text: func(a api.Attachment) string {
			return widgets.GroupIdentifier(a.IdentifierType, a.Identifier)
		}},
		{Title: u.Text().T("ws.col.company"), Width: 260, Text: func(a api.Attachment) string { return a.CompanyName }},
		{Title: u.Text().T("ws.col.state"), Width: 170, Chip: func(a api.Attachment) (string, widgets.Tone) { return u.Text().AttachmentChip(a.Status) }},
		{Title: u.Text().T("approvals.col.date"), Width: 100, Text: date},
	}, func() []api.Attachment { return s.mineRows }, func(a api.Attachment) int64 { return a.ID }, false)
	s.mine.Stretch = 1 // the company
	s.approve = widgets.NewButtonWithIcon("", theme.ConfirmIcon(), func() { s.onDecide(true) })
	s.approve.Importance = widget.SuccessImportance
	s.refuse = widgets.NewButtonWithIcon("", theme.CancelIcon(), func() { s.onDecide(false) })
	s.refuse.Importance = widget.DangerImportance
	s.refresh = widgets.NewButtonWithIcon(u.Text().T("button.refresh"), theme.ViewRefreshIcon(), func() { s.load("") })
	s.summary = widget.NewLabel("")
	s.message = widgets.Paragraph("")
	s.progress = u.Tasks().NewProgress()
	waitingTab := widgets.NewBorder(widgets.NewBorder(nil, nil, s.summary, container.NewHBox(s.approve, s.refuse)), nil, nil, nil, s.waiting)
	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(u.Text().T("approvals.waiting"), theme.MailComposeIcon(), waitingTab),
		container.NewTabItemWithIcon(u.Text().T("approvals.mine"), theme.AccountIcon(), s.mine),
		container.NewTabItemWithIcon(u.Text().T("people.title"), theme.GridIcon(), s.people.content),
	)
	s.tabs.OnSelected = func(t *container.TabItem) {
		if t.Content == s.people.content {
			s.people.load()
		}
	}
	top := widgets.NewBorder(nil, nil, nil, s.refresh, widgets.Title(u.Text().T("approvals.title")))
	s.content = container.NewPadded(widgets.NewBorder(top, container.NewVBox(s.progress.Content, s.message), nil, nil, s.tabs))
	s.progress.Root = s.content
	s.changed()
	s.load("")
	return s
}

// Busy reports whether a long action runs.
func (s *approvalsScreen) Busy() bool { return s.running }

// SetBusy disables what must wait while a long action runs.
func (s *approvalsScreen) SetBusy(b bool) {
	s.running = b
	s.changed()
}

// changed names the buttons after the selection.
func (s *approvalsScreen) changed() {
	n := len(s.waiting.Checked)
	s.approve.SetText(s.u.Text().Plural("approvals.approve", n))
	s.refuse.SetText(s.u.Text().Plural("approvals.refuse", n))
	for _, b := range []*widgets.Button{s.approve, s.refuse} {
		if n == 0 || s.running {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if s.running {
		s.refresh.Disable()
	} else {
		s.refresh.Enable()
	}
	s.summary.SetText(s.u.Text().Plural("approvals.count", len(s.waitingRows)))
}

// load asks the portal for both lists, then shows message; offline, it
// says so and keeps what it showed.
func (s *approvalsScreen) load(message string) {
	shell.Async(s.u.Shell, s.flow.Lists, func(l onboarding.AttachmentLists, err error) {
		if err != nil {
			s.message.SetText(strings.TrimSpace(message + " " + s.u.Text().ErrorText(err)))
			return
		}
		s.message.SetText(message)
		s.waitingRows, s.mineRows = l.Waiting, l.Mine
		ids := map[int64]bool{}
		for _, a := range l.Waiting {
			ids[a.ID] = true
		}
		for id := range s.waiting.Checked {
			if !ids[id] {
				delete(s.waiting.Checked, id)
			}
		}
		s.waiting.Refresh()
		s.mine.Refresh()
		s.changed()
		if len(l.Waiting) == 0 && len(l.Mine) > 0 {
			s.tabs.SelectIndex(1)
		}
	})
}

// onDecide approves or refuses the checked requests, once the user
// confirms the count.
func (s *approvalsScreen) onDecide(approve bool) {
	var reqs []api.Attachment
	for _, a := range s.waitingRows {
		if s.waiting.Checked[a.ID] {
			reqs = append(reqs, a)
		}
	}
	if len(reqs) == 0 {
		return
	}
	u := s.u
	key, action := "approvals.confirm_refuse", "approvals.refusing"
	if approve {
		key, action = "approvals.confirm_approve", "approvals.approving"
	}
	d := dialog.NewConfirm(u.Text().T("approvals.title"), u.Text().Plural(key, len(reqs)), func(ok bool) {
		if !ok {
			return
		}
		shell.RunTask(u.Shell, s, s.progress, action, len(reqs), func(ctx context.Context, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
			return s.flow.DecideAttachments(ctx, reqs, approve, p)
		}, func(r onboarding.BulkResult, err error) {
			done := "approvals.done_refuse"
			if approve {
				done = "approvals.done_approve"
			}
			text := u.Text().Plural(done, r.Done)
			switch {
			case shell.IsCancelled(err):
			case err != nil:
				text = u.Text().ErrorText(err) + " " + text
			}
			if r.SkippedTotal() > 0 {
				text += " " + u.Text().SkippedText(r)
				u.Tasks().ShowNotes(u.Text().T("approvals.title"), text, r.Notes)
			}
			clear(s.waiting.Checked)
			s.load(text)
		})
	}, u.Win())
	d.SetConfirmText(u.Text().T(map[bool]string{true: "attach.approve", false: "attach.refuse"}[approve]))
	d.SetDismissText(u.Text().T("button.cancel"))
	d.Show()
	widgets.FocusDialogField()
}
