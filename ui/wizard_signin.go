package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// signInScreen opens a session: for a returning user, a manager who
// approves requests, or after a restart (sessions live in memory only).
type signInScreen struct {
	email    *widgets.FocusEntry
	password *widget.Entry
	submit   *widget.Button
	message  *widget.Label
	content  fyne.CanvasObject
}

func newSignInScreen(u *UI, flow signInFlow) *signInScreen {
	s := &signInScreen{email: u.newEntry(), password: widget.NewPasswordEntry(), message: paragraph("")}
	s.email.SetText(u.loginEmail())
	s.submit = widget.NewButtonWithIcon(u.text.T("signin.button"), theme.LoginIcon(), func() {
		email, pw := s.email.Text, s.password.Text
		s.submit.Disable()
		async(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, flow.SignIn(ctx, email, pw) },
			func(_ struct{}, err error) {
				s.submit.Enable()
				if err != nil {
					s.message.SetText(u.text.errorText(err))
					return
				}
				s.password.SetText("")
				u.signedIn = email
				u.show(stepDone)
			})
	})
	s.submit.Importance = widget.HighImportance
	s.password.OnSubmitted = func(string) { s.submit.OnTapped() }
	back := widget.NewButtonWithIcon(u.text.T("button.back"), theme.NavigateBackIcon(), func() { u.show(stepHome) })
	form := widget.NewForm(widget.NewFormItem(u.text.T("field.login_email"), s.email), widget.NewFormItem(u.text.T("field.password_signin"), s.password))
	s.content = u.page(title(u.text.T("signin.title")), paragraph(u.text.T("signin.intro")), form, s.message, container.NewHBox(back, s.submit))
	return s
}
