package ui

import (
	"bytes"
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
)

// captchaScreen is step 3: the image from the portal, a new one on demand,
// the non-visual alternative, and "Validate the Captcha".
type captchaScreen struct {
	u         *UI
	image     *canvas.Image
	answer    *widget.Entry
	newImage  *widget.Button
	emailCode *widget.Button
	validate  *widget.Button
	message   *widget.Label
	content   fyne.CanvasObject

	id string // current challenge
	// opID is the account's outbox row: the account waits there until the
	// portal took it; its id and the challenge's make the Idempotency-Key.
	opID string
}

func newCaptchaScreen(u *UI) *captchaScreen {
	s := &captchaScreen{u: u}
	s.image = canvas.NewImageFromResource(nil)
	s.image.FillMode = canvas.ImageFillContain
	s.image.SetMinSize(fyne.NewSize(240, 80))
	s.answer = widget.NewEntry()
	s.answer.SetPlaceHolder(u.T("captcha.prompt"))
	s.answer.OnSubmitted = func(string) { s.onValidate() }
	s.answer.OnChanged = func(string) { s.refresh() }
	s.newImage = widget.NewButtonWithIcon(u.T("captcha.new"), theme.ViewRefreshIcon(), s.load)
	s.emailCode = widget.NewButtonWithIcon(u.T("captcha.alternative"), theme.MailSendIcon(), s.onEmailCode)
	s.emailCode.Importance = widget.LowImportance
	s.validate = widget.NewButtonWithIcon(u.T("captcha.validate"), theme.ConfirmIcon(), s.onValidate)
	s.validate.Importance = widget.HighImportance
	s.message = paragraph("")
	back := widget.NewButtonWithIcon(u.T("button.back"), theme.NavigateBackIcon(), func() { u.show(stepAccount) })
	s.content = page(
		title(u.T("captcha.title")),
		widget.NewLabel("* "+u.T("captcha.prompt")),
		container.NewHBox(s.image, s.newImage),
		s.answer, s.emailCode, s.message,
		container.NewHBox(back, s.validate),
	)
	if u.deps.Store != nil && u.account.ID != 0 {
		if op, err := u.deps.Store.QueueAccount(context.Background(), u.account.ID); err == nil {
			s.opID = op
		}
	}
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
	if s.u.deps.Portal == nil {
		s.message.SetText(s.u.T("captcha.offline"))
		return
	}
	s.message.SetText(s.u.T("captcha.loading"))
	async(s.u, func(ctx context.Context) (api.Captcha, error) { return s.u.deps.Portal.Captcha(ctx) },
		func(c api.Captcha, err error) {
			if err != nil {
				s.id = ""
				if errors.Is(err, core.ErrUnavailable) {
					s.message.SetText(s.u.T("captcha.offline"))
				} else {
					s.message.SetText(s.u.errorText(err))
				}
				s.refresh()
				return
			}
			s.id = c.ID
			s.image.Resource = nil
			s.image.Image = nil
			img := canvas.NewImageFromReader(bytes.NewReader(c.PNG), "captcha.png")
			s.image.Image = img.Image
			s.image.Resource = img.Resource
			s.image.Refresh()
			s.answer.SetText("")
			s.message.SetText("")
			s.refresh()
		})
}

// onEmailCode sends the non-visual alternative to the login address.
func (s *captchaScreen) onEmailCode() {
	if s.u.deps.Portal == nil || s.id == "" {
		return
	}
	email, id := s.u.account.Draft.LoginEmail, s.id
	async(s.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.u.deps.Portal.CaptchaCode(ctx, id, email)
	},
		func(_ struct{}, err error) {
			if err != nil {
				s.message.SetText(s.u.errorText(err))
				return
			}
			s.message.SetText(s.u.Tf("captcha.code_sent", email))
		})
}

// onValidate sends steps 2-3 to the portal. A wrong answer burns the
// challenge, so a new image comes with the message.
func (s *captchaScreen) onValidate() {
	if s.validate.Disabled() {
		return
	}
	req := api.CreateAccount{CaptchaID: s.id, CaptchaAnswer: s.answer.Text, Account: s.u.account.Draft}
	// One key per challenge: a replay of this attempt is deduplicated, and
	// a new image is a new request (a refused answer's reply is recorded
	// under its key too).
	key := s.opID + "/" + s.id
	if s.opID == "" {
		key = s.u.deps.NewOpID()
	}
	s.validate.Disable()
	async(s.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.u.deps.Portal.CreateAccount(ctx, key, req)
	},
		func(_ struct{}, err error) {
			if err != nil {
				msg := s.u.errorText(err)
				s.load()
				s.message.SetText(msg)
				return
			}
			if s.opID != "" {
				_ = s.u.deps.Store.Complete(context.Background(), s.opID, core.Sync{State: core.StateSent}, nil)
			}
			s.u.show(stepActivation)
		})
}
