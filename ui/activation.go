package ui

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// activationScreen is step 4: the activation link (pasted, or picked from
// the sandbox mailbox), then the password with a live checklist.
type activationScreen struct {
	u        *UI
	link     *widget.Entry
	mailbox  *widget.Button
	password *widget.Entry
	confirm  *widget.Entry
	checks   map[string]*widget.Label
	submit   *widget.Button
	message  *widget.Label
	content  fyne.CanvasObject

	mailboxDialog dialog.Dialog    // open mailbox, for tests
	useLink       []*widget.Button // its "use this link" buttons
}

// checklist order: the portal's rule first, then ours.
var checklist = []string{"check.length", "check.classes", "check.context", "check.common", "check.match"}

func newActivationScreen(u *UI) *activationScreen {
	s := &activationScreen{u: u, checks: map[string]*widget.Label{}}
	email := u.account.Draft.LoginEmail
	s.link = widget.NewEntry()
	s.link.SetPlaceHolder("http://…/activate?token=…")
	s.link.OnChanged = func(string) { s.refresh() }
	s.link.Validator = func(v string) error {
		if strings.TrimSpace(v) != "" && token(v) == "" {
			return errors.New(u.T("activation.link_invalid"))
		}
		return nil
	}
	s.mailbox = widget.NewButtonWithIcon(u.T("activation.mailbox"), theme.MailComposeIcon(), s.onMailbox)
	if !u.deps.Sandbox {
		s.mailbox.Hide()
	}
	s.password = widget.NewPasswordEntry()
	s.confirm = widget.NewPasswordEntry()
	s.password.OnChanged = func(string) { s.refresh() }
	s.confirm.OnChanged = func(string) { s.refresh() }
	s.confirm.OnSubmitted = func(string) { s.onSubmit() }
	list := container.NewVBox()
	for _, k := range checklist {
		l := widget.NewLabel(u.T(k))
		s.checks[k] = l
		list.Add(l)
	}
	s.submit = widget.NewButtonWithIcon(u.T("button.submit"), theme.ConfirmIcon(), s.onSubmit)
	s.submit.Importance = widget.HighImportance
	s.message = paragraph("")
	form := widget.NewForm(
		widget.NewFormItem(u.T("activation.link")+" *", s.link),
		widget.NewFormItem(u.T("field.password")+" *", s.password),
		widget.NewFormItem(u.T("field.password_confirm")+" *", s.confirm),
	)
	s.content = page(
		title(u.T("activation.title")),
		paragraph(u.Tf("activation.sent", email)), s.mailbox,
		widget.NewLabelWithStyle(u.T("password.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		paragraph(u.T("password.rule")), form, list, s.message, container.NewHBox(s.submit),
	)
	s.refresh()
	return s
}

// token returns the token of an activation link, "" if it is not one.
func token(link string) string {
	u, err := url.Parse(strings.Join(strings.Fields(link), ""))
	if err != nil {
		return ""
	}
	return u.Query().Get("token")
}

// refresh updates the checklist and enables Submit when every rule passes.
func (s *activationScreen) refresh() {
	d := s.u.account.Draft
	r := validate.CheckPassword(s.password.Text, d.LoginEmail, d.FirstName, d.LastName)
	ok := map[string]bool{
		"check.length":  r.Length >= validate.PasswordMin && !r.TooLong,
		"check.classes": r.Classes() >= validate.PasswordMinClasses,
		"check.context": r.Length > 0 && !r.ContainsContext,
		"check.common":  r.Length > 0 && !r.Common,
		"check.match":   r.Length > 0 && s.password.Text == s.confirm.Text,
	}
	all := r.Err() == nil && ok["check.match"] && token(s.link.Text) != ""
	for k, l := range s.checks {
		mark := "✗ "
		l.Importance = widget.DangerImportance
		if ok[k] {
			mark, l.Importance = "✓ ", widget.SuccessImportance
		}
		l.SetText(mark + s.u.T(k))
	}
	if all {
		s.submit.Enable()
	} else {
		s.submit.Disable()
	}
}

// onMailbox shows the sandbox's mail to the login address, with a button
// that uses an activation link.
func (s *activationScreen) onMailbox() {
	email := s.u.account.Draft.LoginEmail
	async(s.u, func(ctx context.Context) ([]api.Mail, error) { return s.u.deps.Portal.Mailbox(ctx, email) },
		func(mails []api.Mail, err error) {
			if err != nil {
				s.message.SetText(s.u.errorText(err))
				return
			}
			s.showMailbox(mails)
		})
}

func (s *activationScreen) showMailbox(mails []api.Mail) {
	box := container.NewVBox()
	s.useLink = nil
	var d dialog.Dialog
	if len(mails) == 0 {
		box.Add(widget.NewLabel(s.u.T("mailbox.empty")))
	}
	for _, m := range mails {
		box.Add(widget.NewLabelWithStyle(m.Subject, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		body := widget.NewLabel(m.Body)
		body.Wrapping = fyne.TextWrapWord
		box.Add(body)
		if m.Link != "" {
			link := m.Link
			b := widget.NewButtonWithIcon(s.u.T("activation.use_link"), theme.ConfirmIcon(), func() {
				s.link.SetText(link)
				d.Hide()
			})
			s.useLink = append(s.useLink, b)
			box.Add(b)
		}
		box.Add(widget.NewSeparator())
	}
	scroll := container.NewVScroll(box)
	scroll.SetMinSize(fyne.NewSize(560, 360))
	d = dialog.NewCustom(s.u.T("mailbox.title"), s.u.T("button.close"), scroll, s.u.win)
	d.Show()
	s.mailboxDialog = d
}

// onSubmit sets the password, then signs in with it; the password lives
// only in the entries and is cleared once used.
func (s *activationScreen) onSubmit() {
	if s.submit.Disabled() {
		return
	}
	tok, pw, email := token(s.link.Text), s.password.Text, s.u.account.Draft.LoginEmail
	s.submit.Disable()
	async(s.u, func(ctx context.Context) (struct{}, error) {
		if err := s.u.deps.Portal.Activate(ctx, tok, pw); err != nil {
			return struct{}{}, err
		}
		_, err := s.u.deps.Portal.SignIn(ctx, email, pw)
		return struct{}{}, err
	}, func(_ struct{}, err error) {
		if err != nil {
			s.message.SetText(s.u.errorText(err))
			s.refresh()
			return
		}
		s.password.SetText("")
		s.confirm.SetText("")
		s.u.signedIn = email
		s.u.show(stepDone)
	})
}
