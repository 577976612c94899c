package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// activationScreen is step 4: the activation link (pasted, or picked from
// the sandbox mailbox), then the password with a live checklist.
type activationScreen struct {
	u        *UI
	flow     activationFlow
	link     *focusEntry
	mailbox  *mailbox
	password *widget.Entry
	confirm  *widget.Entry
	checks   map[string]*widget.Label
	submit   *widget.Button
	message  *widget.Label
	content  fyne.CanvasObject
}

// checklist order: the portal's rule first, then ours.
var checklist = []string{"check.length", "check.classes", "check.context", "check.common", "check.match"}

func newActivationScreen(u *UI, flow activationFlow) *activationScreen {
	s := &activationScreen{u: u, flow: flow, checks: map[string]*widget.Label{}}
	email := u.loginEmail()
	s.link = u.newEntry()
	s.link.SetPlaceHolder("http://…/activate?token=…")
	s.link.OnChanged = func(string) { s.refresh() }
	s.link.Validator = func(v string) error {
		if _, err := api.ActivationToken(v); strings.TrimSpace(v) != "" && err != nil {
			return errors.New(u.T("activation.link_invalid"))
		}
		return nil
	}
	s.message = paragraph("")
	s.mailbox = newMailbox(u, flow, func() string { return email }, func(link string) { s.link.SetText(link) }, s.message)
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
	form := widget.NewForm(
		widget.NewFormItem(u.T("activation.link")+" *", s.link),
		widget.NewFormItem(u.T("field.password")+" *", s.password),
		widget.NewFormItem(u.T("field.password_confirm")+" *", s.confirm),
	)
	s.content = u.page(
		title(u.T("activation.title")),
		paragraph(u.Tf("activation.sent", email)), container.NewHBox(s.mailbox.button),
		widget.NewLabelWithStyle(u.T("password.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		paragraph(u.T("password.rule")), form, list, s.message, container.NewHBox(s.submit),
	)
	s.refresh()
	return s
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
	_, linkErr := api.ActivationToken(s.link.Text)
	all := r.Err() == nil && ok["check.match"] && linkErr == nil
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

// onSubmit sets the password, then signs in with it; the password lives
// only in the entries and is cleared once used.
func (s *activationScreen) onSubmit() {
	if s.submit.Disabled() {
		return
	}
	link, pw, email := s.link.Text, s.password.Text, s.u.loginEmail()
	s.submit.Disable()
	async(s.u, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.flow.Activate(ctx, link, email, pw) },
		func(_ struct{}, err error) {
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
