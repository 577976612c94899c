package wizard

import (
	"bytes"
	"context"
	"errors"
	"strings"

	"github.com/chorusonboard/chorus-onboard/ui/shell"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// activationScreen is step 4: the activation link (pasted, or picked from
// the sandbox mailbox), then the password with a live checklist.
type activationScreen struct {
	u       *area
	flow    activationFlow
	link    *widgets.FocusEntry
	mailbox *mailbox
	resend  *widgets.Button
	// resendDialog is the captcha asked before a new link is sent, while
	// it shows: its image, answer and confirm button, for tests.
	resendDialog    dialog.Dialog
	resendImage     *canvas.Image
	resendAnswer    *widgets.FocusEntry
	resendConfirm   *widgets.Button
	resendCode      *widgets.Button
	resendChallenge string
	password        *widgets.FocusEntry
	confirm         *widgets.FocusEntry
	*shell.PasswordChecks
	submit  *widgets.Button
	message *widget.Label
	content fyne.CanvasObject
}

func newActivationScreen(u *area, flow activationFlow) *activationScreen {
	s := &activationScreen{u: u, flow: flow, PasswordChecks: shell.NewPasswordChecks(u.Text())}
	email := u.loginEmail()
	s.link = u.NewEntry()
	s.link.SetPlaceHolder("http://…/activate?token=…")
	s.link.OnChanged = func(string) { s.refresh() }
	s.link.Validator = func(v string) error {
		if _, err := api.ActivationToken(v); strings.TrimSpace(v) != "" && err != nil {
			return errors.New(u.Text().T("activation.link_invalid"))
		}
		return nil
	}
	s.message = widgets.Paragraph("")
	s.mailbox = newMailbox(u, flow, func() string { return email }, func(link string) { s.link.SetText(link) }, s.message)
	s.resend = widgets.NewButtonWithIcon(u.Text().T("activation.resend"), theme.MailSendIcon(), s.onResend)
	s.resend.Importance = widget.LowImportance
	s.password = widgets.NewPasswordEntry()
	s.confirm = widgets.NewPasswordEntry()
	s.password.OnChanged = func(string) { s.refresh() }
	s.confirm.OnChanged = func(string) { s.refresh() }
	s.confirm.OnSubmitted = func(string) { s.onSubmit() }
	s.submit = widgets.NewButtonWithIcon(u.Text().T("button.submit"), theme.ConfirmIcon(), s.onSubmit)
	s.submit.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(u.Text().T("activation.link")+" *", s.link),
		widget.NewFormItem(u.Text().T("field."+core.FieldPassword)+" *", s.password),
		widget.NewFormItem(u.Text().T("field."+core.FieldPasswordConfirm)+" *", s.confirm),
	)
	s.content = u.Page(
		widgets.Title(u.Text().T("activation.title")),
		widgets.Paragraph(u.Text().F("activation.sent", "email", email)), container.NewHBox(s.mailbox.button, s.resend),
		widget.NewLabelWithStyle(u.Text().T("password.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widgets.Paragraph(u.Text().T("password.rule")), form, s.Box, s.message, container.NewHBox(s.submit),
	)
	s.refresh()
	return s
}

// refresh updates the checklist and enables Submit when every rule passes.
func (s *activationScreen) refresh() {
	d := s.u.account.Draft
	_, linkErr := api.ActivationToken(s.link.Text)
	all := s.Update(s.u.Text(), s.password.Text, s.confirm.Text, d.LoginEmail, d.FirstName, d.LastName) && linkErr == nil
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
	shell.Async(s.u.Shell, func(ctx context.Context) (*api.SecondFactorChallenge, error) {
		return s.flow.Activate(ctx, link, email, pw)
	},
		func(ch *api.SecondFactorChallenge, err error) {
			if err != nil {
				s.message.SetText(s.u.Text().ErrorText(err))
				s.refresh()
				return
			}
			s.password.SetText("")
			s.confirm.SetText("")
			s.u.passwordAccepted(email, ch)
		})
}

// onResend asks for a new captcha, then for the link to be sent again: the
// link expired, or never came.
func (s *activationScreen) onResend() {
	s.resendImage = canvas.NewImageFromResource(nil)
	s.resendImage.FillMode = canvas.ImageFillContain
	s.resendImage.SetMinSize(fyne.NewSize(api.CaptchaWidth, api.CaptchaHeight))
	s.resendAnswer = widgets.NewEntry()
	s.resendAnswer.SetPlaceHolder(s.u.Text().T("captcha.prompt"))
	s.resendConfirm = widgets.NewButtonWithIcon(s.u.Text().T("activation.resend.send"), theme.MailSendIcon(), s.onResendConfirm)
	s.resendConfirm.Importance = widget.HighImportance
	s.resendConfirm.Disable()
	s.resendAnswer.OnChanged = func(v string) {
		if s.resendChallenge != "" && len(v) >= 5 {
			s.resendConfirm.Enable()
		} else {
			s.resendConfirm.Disable()
		}
	}
	s.resendAnswer.OnSubmitted = func(string) { s.onResendConfirm() }
	// The non-visual alternative, as on step 3: a code by e-mail.
	s.resendCode = widgets.NewButtonWithIcon(s.u.Text().T("captcha.alternative"), theme.MailSendIcon(), func() {
		challenge, email := s.resendChallenge, s.u.loginEmail()
		shell.Async(s.u.Shell, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.flow.CaptchaCode(ctx, challenge, email)
		},
			func(_ struct{}, err error) {
				if err != nil {
					s.message.SetText(s.u.Text().ErrorText(err))
					return
				}
				s.message.SetText(s.u.Text().F("captcha.code_sent", "email", email))
			})
	})
	s.resendCode.Importance = widget.LowImportance
	content := container.NewVBox(widgets.Paragraph(s.u.Text().F("activation.resend.text", "email", s.u.loginEmail())),
		widget.NewLabel("* "+s.u.Text().T("captcha.prompt")), s.resendImage, s.resendAnswer, s.resendCode, container.NewHBox(s.resendConfirm))
	s.resendDialog = dialog.NewCustom(s.u.Text().T("activation.resend"), s.u.Text().T("button.cancel"), content, s.u.Win())
	s.resendDialog.Resize(fyne.NewSize(480, 0))
	s.resendDialog.Show()
	widgets.FocusDialogField()
	shell.Async(s.u.Shell, s.flow.Captcha, func(c api.Captcha, err error) {
		if err != nil {
			s.resendDialog.Hide()
			s.message.SetText(s.u.Text().ErrorText(err))
			return
		}
		s.resendChallenge = c.ID
		img := canvas.NewImageFromReader(bytes.NewReader(c.PNG), "captcha.png")
		s.resendImage.Image, s.resendImage.Resource = img.Image, img.Resource
		s.resendImage.Refresh()
	})
}

// onResendConfirm sends the answer; the portal mails a new link (the old
// one dies) and says the same whatever the address.
func (s *activationScreen) onResendConfirm() {
	if s.resendConfirm.Disabled() {
		return
	}
	challenge, answer, email := s.resendChallenge, s.resendAnswer.Text, s.u.loginEmail()
	s.resendConfirm.Disable()
	shell.Async(s.u.Shell, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.flow.ResendActivation(ctx, challenge, answer, email)
	}, func(_ struct{}, err error) {
		s.resendDialog.Hide()
		if err != nil {
			s.message.SetText(s.u.Text().ErrorText(err))
			return
		}
		s.link.SetText("")
		s.message.SetText(s.u.Text().F("activation.resend.done", "email", email))
	})
}
