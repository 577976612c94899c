package wizard

import (
	"context"

	"github.com/chorusonboard/chorus-onboard/ui/shell"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// signInScreen opens a session: for a returning user, a manager who
// approves requests, or after a restart (sessions live in memory only).
type signInScreen struct {
	email    *widgets.FocusEntry
	password *widgets.FocusEntry
	submit   *widgets.Button
	message  *widget.Label
	content  fyne.CanvasObject
}

func newSignInScreen(u *area, flow signInFlow) *signInScreen {
	s := &signInScreen{email: u.NewEntry(), password: widgets.NewPasswordEntry(), message: widgets.Paragraph("")}
	s.email.SetText(u.loginEmail())
	s.submit = widgets.NewButtonWithIcon(u.Text().T("signin.button"), theme.LoginIcon(), func() {
		email, pw := s.email.Text, s.password.Text
		s.submit.Disable()
		shell.Async(u.Shell, func(ctx context.Context) (*api.SecondFactorChallenge, error) { return flow.StartSignIn(ctx, email, pw) },
			func(ch *api.SecondFactorChallenge, err error) {
				s.submit.Enable()
				if err != nil {
					s.message.SetText(u.Text().ErrorText(err))
					return
				}
				s.password.SetText("")
				u.passwordAccepted(email, ch)
			})
	})
	s.submit.Importance = widget.HighImportance
	s.password.OnSubmitted = func(string) { s.submit.OnTapped() }
	back := widgets.NewButtonWithIcon(u.Text().T("button.back"), theme.NavigateBackIcon(), func() { u.Show(shell.StepHome) })
	form := widget.NewForm(widget.NewFormItem(u.Text().T("field.login_email"), s.email), widget.NewFormItem(u.Text().T("field.password_signin"), s.password))
	s.content = u.Page(widgets.Title(u.Text().T("signin.title")), widgets.Paragraph(u.Text().T("signin.intro")), form, s.message, container.NewHBox(back, s.submit))
	return s
}

// passwordAccepted goes on after a right password: signed in (no second
// factor asked, or this computer's device token stood in for it), or to
// the second factor the portal asks for.
func (u *area) passwordAccepted(email string, ch *api.SecondFactorChallenge) {
	if ch == nil {
		u.Session().SetSignedIn(email)
		u.pending = nil
		u.Show(shell.StepDone)
		return
	}
	u.pending = &pendingSignIn{email: email, challenge: ch}
	u.Show(shell.StepSecondFactor)
}
