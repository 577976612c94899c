package wizard

import (
	"bytes"
	"context"
	"errors"

	"github.com/chorusonboard/chorus-onboard/ui/shell"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// captchaScreen is step 3: the image from the portal, a new one on demand,
// the non-visual alternative (a code by e-mail, readable in the sandbox
// mailbox), and "Validate the Captcha".
type captchaScreen struct {
	u         *area
	flow      captchaFlow
	image     *canvas.Image
	answer    *widgets.FocusEntry
	newImage  *widgets.Button
	emailCode *widgets.Button
	mailbox   *mailbox
	validate  *widgets.Button
	message   *widget.Label
	content   fyne.CanvasObject

	id string // current challenge
}

func newCaptchaScreen(u *area, flow captchaFlow) *captchaScreen {
	s := &captchaScreen{u: u, flow: flow}
	s.image = canvas.NewImageFromResource(nil)
	s.image.FillMode = canvas.ImageFillContain
	s.image.SetMinSize(fyne.NewSize(api.CaptchaWidth, api.CaptchaHeight))
	s.answer = u.NewEntry()
	s.answer.SetPlaceHolder(u.Text().T("captcha.prompt"))
	s.answer.OnSubmitted = func(string) { s.onValidate() }
	s.answer.OnChanged = func(string) { s.refresh() }
	s.newImage = widgets.NewButtonWithIcon(u.Text().T("captcha.new"), theme.ViewRefreshIcon(), s.load)
	s.emailCode = widgets.NewButtonWithIcon(u.Text().T("captcha.alternative"), theme.MailSendIcon(), s.onEmailCode)
	s.emailCode.Importance = widget.LowImportance
	s.validate = widgets.NewButtonWithIcon(u.Text().T("captcha.validate"), theme.ConfirmIcon(), s.onValidate)
	s.validate.Importance = widget.HighImportance
	s.message = widgets.Paragraph("")
	s.mailbox = newMailbox(u, flow, u.loginEmail, nil, s.message)
	back := widgets.NewButtonWithIcon(u.Text().T("button.back"), theme.NavigateBackIcon(), func() { u.Show(shell.StepAccount) })
	s.content = u.Page(
		widgets.Title(u.Text().T("captcha.title")),
		widget.NewLabel("* "+u.Text().T("captcha.prompt")),
		container.NewHBox(s.image, s.newImage),
		s.answer, container.NewHBox(s.emailCode, s.mailbox.button), s.message,
		container.NewHBox(back, s.validate),
	)
	s.refresh()
	s.load()
	return s
}

func (s *captchaScreen) refresh() {
	if s.id == "" || len(s.answer.Text) < 5 {
		s.validate.Disable()
	} else {
		s.validate.Enable()
	}
}

// load asks the portal for a new challenge.
func (s *captchaScreen) load() {
	s.message.SetText(s.u.Text().T("captcha.loading"))
	shell.Async(s.u.Shell, s.flow.Captcha, func(c api.Captcha, err error) {
		if err != nil {
			s.id = ""
			if errors.Is(err, core.ErrUnavailable) {
				s.message.SetText(s.u.Text().T("captcha.offline"))
			} else {
				s.message.SetText(s.u.Text().ErrorText(err))
			}
			s.refresh()
			return
		}
		s.id = c.ID
		img := canvas.NewImageFromReader(bytes.NewReader(c.PNG), "captcha.png")
		s.image.Image, s.image.Resource = img.Image, img.Resource
		s.image.Refresh()
		s.answer.SetText("")
		s.message.SetText("")
		s.refresh()
	})
}

// onEmailCode sends the non-visual alternative to the login address.
func (s *captchaScreen) onEmailCode() {
	if s.id == "" {
		return
	}
	email, id := s.u.loginEmail(), s.id
	shell.Async(s.u.Shell, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.flow.CaptchaCode(ctx, id, email) },
		func(_ struct{}, err error) {
			if err != nil {
				s.message.SetText(s.u.Text().ErrorText(err))
				return
			}
			s.message.SetText(s.u.Text().F("captcha.code_sent", "email", email))
			// The code goes in the answer field: the keyboard is taken there.
			s.u.Win().Canvas().Focus(s.answer)
		})
}

// onValidate sends steps 2-3 to the portal. A wrong answer burns the
// challenge, so a new image comes with the message.
func (s *captchaScreen) onValidate() {
	if s.validate.Disabled() {
		return
	}
	accountID, id, answer := s.u.account.ID, s.id, s.answer.Text
	s.validate.Disable()
	shell.Async(s.u.Shell, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.flow.SubmitAccount(ctx, accountID, id, answer)
	}, func(_ struct{}, err error) {
		if err != nil {
			msg := s.u.Text().ErrorText(err)
			s.load()
			s.message.SetText(msg)
			return
		}
		s.u.Show(shell.StepActivation)
	})
}
