package firm

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// firmScreen is the Firm screen: joining, or how the desktop stands with
// its firm.
type firmScreen struct {
	u *area

	// Joining.
	url, email               *widgets.FocusEntry
	password, code           *widgets.FocusEntry
	codeItem                 *widget.FormItem
	form                     *widget.Form
	bring                    *widgets.Radio
	join                     *widgets.Button
	challenge                string
	progress                 *widgets.Progress
	running                  bool
	joinedPart               *fyne.Container
	joinPart                 *fyne.Container
	facts                    *widget.Label
	state                    *widget.Label
	syncNow, leave           *widgets.Button
	members, deleted, export *widgets.Button
	message                  *widget.Label
	content                  fyne.CanvasObject
}

// Busy reports whether the join runs (shell.TaskHost).
func (s *firmScreen) Busy() bool { return s.running }

// SetBusy greys what must wait while the join runs.
func (s *firmScreen) SetBusy(b bool) {
	s.running = b
	for _, w := range []fyne.Disableable{s.join, s.url, s.email, s.password, s.code, s.bring} {
		if b {
			w.Disable()
		} else {
			w.Enable()
		}
	}
}

func newFirmScreen(u *area) *firmScreen {
	tx := u.Text()
	s := &firmScreen{u: u, message: widgets.Paragraph(""), facts: widgets.Paragraph(""), state: widgets.Paragraph("")}
	s.url, s.email = u.NewEntry(), u.NewEntry()
	s.url.SetPlaceHolder("https://onboarding.cabinet.example")
	if u.deps.Effective != nil {
		if v := u.deps.Effective().FirmURL; v != "" {
			s.url.SetText(v)
		}
	}
	s.email.SetPlaceHolder("prenom.nom@cabinet.example")
	if e := u.Session().SignedIn(); e != "" {
		s.email.SetText(e)
	}
	s.password, s.code = widgets.NewPasswordEntry(), widgets.NewEntry()
	s.code.SetPlaceHolder("123456")
	s.password.OnSubmitted = func(string) { s.onJoin() }
	s.code.OnSubmitted = func(string) { s.onJoin() }
	s.codeItem = widget.NewFormItem(tx.T("firm.code"), s.code)
	s.form = widget.NewForm(widget.NewFormItem(tx.T("firm.url"), s.url), widget.NewFormItem(tx.T("field.login_email"), s.email),
		widget.NewFormItem(tx.T("field.password_signin"), s.password))
	s.bring = widgets.NewRadio([]string{tx.T("firm.bring"), tx.T("firm.apart")}, nil)
	s.bring.SetSelected(tx.T("firm.bring"))
	s.join = widgets.NewButtonWithIcon(tx.T("firm.join"), theme.LoginIcon(), s.onJoin)
	s.join.Importance = widget.HighImportance
	s.progress = u.Tasks().NewProgress()
	s.joinPart = container.NewVBox(widgets.Paragraph(tx.T("firm.join_intro")), s.form,
		widget.NewLabelWithStyle(tx.T("firm.here"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.bring,
		container.NewHBox(s.join), s.progress.Content)

	s.syncNow = widgets.NewButtonWithIcon(tx.T("firm.sync_now"), theme.ViewRefreshIcon(), s.onSync)
	s.members = widgets.NewButtonWithIcon(tx.T("firm.members"), theme.AccountIcon(), func() { u.Show(shell.StepFirmMembers) })
	s.export = widgets.NewButtonWithIcon(tx.T("firm.export_audit"), theme.DocumentSaveIcon(), s.onExport)
	s.deleted = widgets.NewButtonWithIcon(tx.T("firm.deleted"), theme.ContentUndoIcon(), func() { u.Show(shell.StepFirmDeleted) })
	s.leave = widgets.NewButtonWithIcon(tx.T("firm.leave"), theme.LogoutIcon(), s.onLeave)
	s.leave.Importance = widget.DangerImportance
	s.joinedPart = container.NewVBox(s.facts, s.state, container.NewHBox(s.syncNow, s.members, s.deleted, s.export), widget.NewSeparator(),
		widgets.Paragraph(tx.T("firm.leave_intro")), container.NewHBox(s.leave))

	back := widgets.NewButtonWithIcon(tx.T("button.back"), theme.NavigateBackIcon(), func() { u.Show(shell.StepSettings) })
	s.content = u.Page(widgets.Title(tx.T("firm.title")), widgets.Paragraph(tx.T("firm.intro")), s.joinPart, s.joinedPart, s.message,
		container.NewHBox(back))
	s.progress.Root = s.content
	s.joinPart.Hide()
	s.joinedPart.Hide()
	s.load("")
	return s
}

// load reads how the desktop stands with its firm, then says message.
func (s *firmScreen) load(message string) {
	shell.Async(s.u.Shell, func(ctx context.Context) (onboarding.FirmStatus, error) {
		return s.u.deps.Firm.Status(ctx), nil
	}, func(st onboarding.FirmStatus, _ error) {
		s.show(st)
		if message != "" {
			s.message.SetText(message)
		}
	})
}

// show draws the screen for st.
func (s *firmScreen) show(st onboarding.FirmStatus) {
	tx := s.u.Text()
	l := st.Link
	if l.IsZero() || !l.Joined && !s.running {
		s.joinedPart.Hide()
		s.joinPart.Show()
		if !l.IsZero() {
			s.url.SetText(l.URL)
			s.email.SetText(l.Email)
		}
		if st.Removed {
			s.message.SetText(tx.F("firm.removed", "file", st.Saved))
		}
		s.u.PageScroll().Refresh()
		return
	}
	s.joinPart.Hide()
	s.joinedPart.Show()
	s.facts.SetText(tx.F("firm.facts", "firm", l.Name, "role", tx.T("firm.role."+l.Role), "email", l.Email, "url", l.URL))
	state := tx.T("firm.state.offline")
	switch {
	case st.SignedOut:
		state = tx.T("firm.state.signed_out")
	case st.Online:
		state = tx.T("firm.state.online")
	}
	s.state.SetText(state + " · " + tx.Plural("firm.to_send", st.Pending) + " · " + tx.Plural("firm.conflicts", st.Conflicts))
	if l.Role == api.FirmAdmin {
		s.members.Show()
		s.deleted.Show()
		s.export.Show()
	} else {
		s.members.Hide()
		s.deleted.Hide()
		s.export.Hide()
	}
	s.u.PageScroll().Refresh()
}

// onJoin signs in (with the code when the server asked for one), then
// joins and reads the firm's clients with a progress bar and Cancel.
func (s *firmScreen) onJoin() {
	tx := s.u.Text()
	if s.running || s.join.Disabled() {
		return
	}
	url, email, password, code := strings.TrimSpace(s.url.Text), strings.TrimSpace(s.email.Text), s.password.Text, strings.TrimSpace(s.code.Text)
	if url == "" || email == "" || password == "" && s.challenge == "" {
		s.message.SetText(tx.T("firm.fill"))
		return
	}
	bring := s.bring.Selected != tx.T("firm.apart")
	challenge := s.challenge
	s.join.Disable()
	shell.Async(s.u.Shell, func(ctx context.Context) (*api.SecondFactorChallenge, error) {
		if challenge != "" {
			return nil, s.u.deps.Firm.SecondFactor(ctx, challenge, code)
		}
		return s.u.deps.Firm.SignIn(ctx, url, email, password)
	}, func(ch *api.SecondFactorChallenge, err error) {
		s.join.Enable()
		if err != nil {
			s.message.SetText(tx.ErrorText(err))
			return
		}
		s.password.SetText("")
		if ch != nil {
			s.challenge = ch.Challenge
			s.form.AppendItem(s.codeItem)
			s.message.SetText(tx.T("firm.code_asked"))
			s.u.Win().Canvas().Focus(s.code)
			return
		}
		s.challenge = ""
		s.code.SetText("")
		s.runJoin(bring)
	})
}

// runJoin reads every client of the firm, with the progress bar.
func (s *firmScreen) runJoin(bring bool) {
	tx := s.u.Text()
	shell.RunTask(s.u.Shell, s, s.progress, "firm.joining", 0, func(ctx context.Context, p onboarding.ProgressFunc) (onboarding.JoinResult, error) {
		return s.u.deps.Firm.Join(ctx, bring, p)
	}, func(r onboarding.JoinResult, err error) {
		msg := tx.F("firm.joined", "firm", r.Firm.Name, "added", tx.Count(r.Applied.Added),
			"merged", tx.Count(r.Applied.Changed+r.Applied.Merged), "conflicts", tx.Count(r.Applied.Conflicts))
		switch {
		case shell.IsCancelled(err):
			msg = tx.T("firm.join_cancelled")
		case err != nil:
			msg = tx.ErrorText(err)
		}
		s.load(msg)
		s.u.Status().Refresh()
	})
}

// onSync exchanges with the firm now.
func (s *firmScreen) onSync() {
	tx := s.u.Text()
	s.syncNow.Disable()
	shell.Async(s.u.Shell, s.u.deps.Firm.Sync, func(r onboarding.FirmRound, err error) {
		s.syncNow.Enable()
		msg := tx.F("firm.synced", "sent", tx.Count(r.Sent), "received", tx.Count(r.Applied.Added+r.Applied.Changed+r.Applied.Merged),
			"conflicts", tx.Count(r.Applied.Conflicts))
		if err != nil {
			msg = tx.ErrorText(err)
		}
		s.load(msg)
	})
}

// onLeave asks, then leaves: what the firm did not accept is saved to a
// file, whose place is said.
func (s *firmScreen) onLeave() {
	tx := s.u.Text()
	d := dialog.NewConfirm(tx.T("firm.leave"), tx.T("firm.leave_confirm"), func(ok bool) {
		if !ok {
			return
		}
		s.leave.Disable()
		shell.Async(s.u.Shell, s.u.deps.Firm.Leave, func(path string, err error) {
			s.leave.Enable()
			switch {
			case err != nil:
				s.message.SetText(tx.ErrorText(err))
			case path != "":
				s.load(tx.F("firm.left_saved", "file", path))
			default:
				s.load(tx.T("firm.left"))
			}
			s.u.Status().Refresh()
		})
	}, s.u.Win())
	d.SetConfirmText(tx.T("firm.leave"))
	d.SetDismissText(tx.T("button.cancel"))
	d.Show()
	widgets.FocusDialogField()
}

// onExport saves the firm's audit where the admin chooses, as CSV or as
// an Excel workbook by the name's extension.
func (s *firmScreen) onExport() {
	tx := s.u.Text()
	s.u.Tasks().AskSaveAs("audit-"+s.u.Now().Format("20060102")+".xlsx", s.message, func(wc fyne.URIWriteCloser) {
		format := "csv"
		if strings.EqualFold(storage.NewFileURI(wc.URI().Path()).Extension(), ".xlsx") {
			format = "xlsx"
		}
		shell.Async(s.u.Shell, func(ctx context.Context) (int, error) {
			defer wc.Close()
			return s.u.deps.Members.ExportAudit(ctx, wc, format)
		}, func(n int, err error) {
			if err != nil {
				s.message.SetText(tx.ErrorText(err))
				return
			}
			s.message.SetText(tx.F("firm.exported", "n", fmt.Sprint(n), "file", wc.URI().Name()))
		})
	})
}
