package wizard

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/pquerna/otp"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// pendingSignIn is a sign-in whose password was right and whose second
// factor the portal now asks for (after activation, or on the sign-in
// screen).
type pendingSignIn struct {
	email     string
	challenge *api.SecondFactorChallenge
	// enrolment is the method chosen at the first sign-in, once the
	// portal answered (the authenticator app's secret, or "code sent").
	enrolment *api.Enrolment
	// recovery holds the recovery codes an enrolment gave, to show once.
	recovery []string
}

// secondFactorScreen asks for the second factor, as Chorus Pro does at
// every sign-in since 19 September 2024: at the first sign-in, the choice
// of a method (an authenticator app, shown as a QR code and as text, or a
// code by e-mail), then the recovery codes, to save before going on; at
// the next ones, the code, or a recovery code, and whether to trust this
// computer (its device token goes to the keyring only).
type secondFactorScreen struct {
	u       *area
	flow    signInFlow
	p       *pendingSignIn
	content fyne.CanvasObject

	// The choice of a method (enrolment).
	useApp, useEmail *widgets.Button
	// The code.
	code        *widgets.FocusEntry
	useRecovery *widgets.Check
	trust       *widgets.Check
	submit      *widgets.Button
	mailbox     *mailbox
	// The recovery codes.
	saved    *widgets.Check
	save     *widgets.Button
	cont     *widgets.Button
	message  *widget.Label
	secretTx *widget.Label
}

func newSecondFactorScreen(u *area, flow signInFlow, p *pendingSignIn) *secondFactorScreen {
	s := &secondFactorScreen{u: u, flow: flow, p: p, message: widgets.Paragraph("")}
	if p == nil {
		// Nothing waits for a code (the app restarted): sign in again.
		s.content = u.Page(widgets.Title(u.Text().T("sf.title")), widgets.Paragraph(u.Text().T("sf.expired")),
			widgets.NewButtonWithIcon(u.Text().T("signin.title"), theme.LoginIcon(), func() { u.Show(shell.StepSignIn) }))
		return s
	}
	switch {
	case p.recovery != nil:
		s.content = s.recoveryPage()
	case p.challenge.Enrol && p.enrolment == nil:
		s.content = s.choicePage()
	default:
		s.content = s.codePage()
	}
	return s
}

// choicePage: the first sign-in chooses its second factor.
func (s *secondFactorScreen) choicePage() fyne.CanvasObject {
	u := s.u
	s.useApp = widgets.NewButtonWithIcon(u.Text().T("sf.choose.app"), theme.ComputerIcon(), func() { s.enrol(api.MethodTOTP) })
	s.useApp.Importance = widget.HighImportance
	s.useEmail = widgets.NewButtonWithIcon(u.Text().T("sf.choose.email"), theme.MailComposeIcon(), func() { s.enrol(api.MethodEmail) })
	return u.Page(widgets.Title(u.Text().T("sf.enrol.title")), widgets.Paragraph(u.Text().T("sf.enrol.intro")),
		container.NewVBox(s.useApp, widgets.Paragraph(u.Text().T("sf.choose.app_help")), s.useEmail, widgets.Paragraph(u.Text().T("sf.choose.email_help"))),
		s.message, s.backButton())
}

// enrol asks the portal for what the chosen method needs.
func (s *secondFactorScreen) enrol(method string) {
	u := s.u
	s.useApp.Disable()
	s.useEmail.Disable()
	ch := s.p.challenge.Challenge
	shell.Async(u.Shell, func(ctx context.Context) (api.Enrolment, error) { return s.flow.Enrol(ctx, ch, method) },
		func(en api.Enrolment, err error) {
			if err != nil {
				s.useApp.Enable()
				s.useEmail.Enable()
				s.message.SetText(u.Text().ErrorText(err))
				return
			}
			s.p.enrolment = &en
			u.Show(shell.StepSecondFactor)
		})
}

// codePage asks for the code: the authenticator app's (with its QR code
// at enrolment), the e-mailed one, or a recovery code.
func (s *secondFactorScreen) codePage() fyne.CanvasObject {
	u := s.u
	s.code = widgets.NewEntry()
	s.code.SetPlaceHolder("123456")
	s.useRecovery = widgets.NewCheck(u.Text().T("sf.use_recovery"), func(on bool) {
		s.code.SetText("")
		if on {
			s.code.SetPlaceHolder("ABCDE-FGHJK")
		} else {
			s.code.SetPlaceHolder("123456")
		}
	})
	s.trust = widgets.NewCheck(u.Text().T("sf.trust"), nil)
	s.submit = widgets.NewButtonWithIcon(u.Text().T("sf.confirm"), theme.ConfirmIcon(), s.onSubmit)
	s.submit.Importance = widget.HighImportance
	s.code.OnSubmitted = func(string) { s.onSubmit() }
	s.mailbox = newMailbox(u, s.flow, func() string { return s.p.email }, nil, s.message)
	if !s.byEmail() {
		s.mailbox.button.Hide() // nothing was mailed
	}

	var intro []fyne.CanvasObject
	head := u.Text().T("sf.title")
	switch en := s.p.enrolment; {
	case en != nil && en.Method == api.MethodTOTP:
		head = u.Text().T("sf.enrol.title")
		intro = append(intro, widgets.Paragraph(u.Text().T("sf.app.scan")))
		if qr := qrImage(en.OTPAuthURL); qr != nil {
			intro = append(intro, container.NewHBox(qr))
		}
		s.secretTx = widget.NewLabelWithStyle(groupBy4(en.Secret), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		s.secretTx.Selectable = true
		intro = append(intro, widgets.Paragraph(u.Text().T("sf.app.or_type")), s.secretTx, widgets.Paragraph(u.Text().T("sf.app.confirm")))
	case en != nil:
		head = u.Text().T("sf.enrol.title")
		intro = append(intro, widgets.Paragraph(i18n.Format(u.Text().Lang(), "sf.email.sent", map[string]string{"email": s.p.email})))
	case s.byEmail() && s.p.challenge.EmailNotSent != "":
		// The portal's mail budget for sign-in codes is spent (someone
		// may be signing in with the password): a recovery code still
		// opens the account, and the text says when a code can come.
		minutes := strconv.Itoa(max(1, (s.p.challenge.RetryAfter+59)/60))
		intro = append(intro, widgets.Paragraph(i18n.Format(u.Text().Lang(), "sf.email.not_sent", map[string]string{"email": s.p.email, "minutes": minutes})))
		s.useRecovery.SetChecked(true)
	case s.byEmail():
		intro = append(intro, widgets.Paragraph(i18n.Format(u.Text().Lang(), "sf.email.sent", map[string]string{"email": s.p.email})))
	default:
		intro = append(intro, widgets.Paragraph(u.Text().T("sf.app.type")))
	}
	form := widget.NewForm(widget.NewFormItem(u.Text().T("sf.code"), s.code))
	items := append(intro, form)
	if !s.p.challenge.Enrol {
		items = append(items, s.useRecovery)
	}
	items = append(items, s.trust, widgets.Paragraph(u.Text().T("sf.trust_help")), s.message, container.NewHBox(s.backButton(), s.mailbox.button, s.submit))
	return u.Page(append([]fyne.CanvasObject{widgets.Title(head)}, items...)...)
}

// byEmail reports whether the code comes by e-mail.
func (s *secondFactorScreen) byEmail() bool {
	if s.p.enrolment != nil {
		return s.p.enrolment.Method == api.MethodEmail
	}
	return len(s.p.challenge.Methods) > 0 && s.p.challenge.Methods[0] == api.MethodEmail
}

// onSubmit answers the challenge off the UI goroutine.
func (s *secondFactorScreen) onSubmit() {
	u := s.u
	if s.submit.Disabled() {
		return
	}
	v := strings.TrimSpace(s.code.Text)
	if v == "" {
		s.message.SetText(u.Text().T("sf.code_missing"))
		return
	}
	req := api.SecondFactor{Challenge: s.p.challenge.Challenge, TrustDevice: s.trust.Checked, DeviceName: u.deps.DeviceName}
	if req.DeviceName == "" {
		req.DeviceName = onboarding.DeviceName("Chorus Onboard")
	}
	if s.useRecovery.Checked {
		req.RecoveryCode = v
	} else {
		req.Code = strings.ReplaceAll(v, " ", "")
	}
	email := s.p.email
	s.submit.Disable()
	shell.Async(u.Shell, func(ctx context.Context) ([]string, error) { return s.flow.FinishSignIn(ctx, email, req) },
		func(codes []string, err error) {
			s.submit.Enable()
			keyring := strings.HasPrefix(core.CodeOf(err), "keyring.")
			if err != nil && !keyring {
				s.message.SetText(u.Text().ErrorText(err))
				if core.CodeOf(err) == api.CodeChallengeInvalid {
					// Void or expired: only a new sign-in helps.
					s.submit.Disable()
				}
				return
			}
			// Signed in. A keyring that did not answer only means this
			// computer is not trusted: said, not in the way.
			u.Session().SetSignedIn(email)
			if err != nil {
				u.notice = u.Text().T("sf.not_trusted") + " " + u.Text().ErrorText(err)
			}
			if codes != nil {
				s.p.recovery = codes
				u.Show(shell.StepSecondFactor)
				return
			}
			u.pending = nil
			u.Show(shell.StepDone)
		})
}

// recoveryPage shows the recovery codes once, with "save as a text file"
// and "I have saved them" before going on.
func (s *secondFactorScreen) recoveryPage() fyne.CanvasObject {
	u := s.u
	var b strings.Builder
	for i, c := range s.p.recovery {
		b.WriteString(c)
		if i%2 == 0 {
			b.WriteString("    ")
		} else {
			b.WriteString("\n")
		}
	}
	codes := widget.NewLabelWithStyle(strings.TrimRight(b.String(), "\n "), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	codes.Selectable = true
	s.save = widgets.NewButtonWithIcon(u.Text().T("sf.recovery.save"), theme.DocumentSaveIcon(), s.onSave)
	s.cont = widgets.NewButtonWithIcon(u.Text().T("button.continue"), theme.NavigateNextIcon(), func() {
		u.pending = nil
		u.Show(shell.StepDone)
	})
	s.cont.Importance = widget.HighImportance
	s.cont.Disable()
	s.saved = widgets.NewCheck(u.Text().T("sf.recovery.saved"), func(on bool) {
		if on {
			s.cont.Enable()
		} else {
			s.cont.Disable()
		}
	})
	items := []fyne.CanvasObject{widgets.Title(u.Text().T("sf.recovery.title")), widgets.Paragraph(u.Text().T("sf.recovery.intro")), codes}
	if u.notice != "" {
		items = append(items, widgets.Paragraph(u.notice))
	}
	return u.Page(append(items, s.save, s.saved, s.message, container.NewHBox(s.cont))...)
}

// onSave asks where to write the recovery codes, then writes them off the
// UI goroutine: a text file the user keeps where the computer is not.
func (s *secondFactorScreen) onSave() {
	u := s.u
	text := recoveryFile(u.Text().Lang(), s.p.email, s.p.recovery)
	u.Tasks().AskSaveAs(u.Text().T("sf.recovery.file_name")+".txt", s.message, func(wc fyne.URIWriteCloser) {
		u.Tasks().SaveFile(wc, func(w io.Writer) error {
			_, err := io.WriteString(w, text)
			return err
		}, s.message, func(name string) string {
			return i18n.Format(u.Text().Lang(), "sf.recovery.written", map[string]string{"file": name})
		})
	})
}

// recoveryFile is the text file of the recovery codes: what they are for,
// for whom, and the codes, with Windows line ends (Notepad shows them).
func recoveryFile(lang i18n.Lang, email string, codes []string) string {
	var b strings.Builder
	b.WriteString(i18n.Format(lang, "sf.recovery.file_head", map[string]string{"email": email}))
	b.WriteString("\r\n\r\n")
	for _, c := range codes {
		b.WriteString(c + "\r\n")
	}
	return b.String()
}

// backButton returns to the sign-in screen: the challenge is left to
// expire.
func (s *secondFactorScreen) backButton() *widgets.Button {
	return widgets.NewButtonWithIcon(s.u.Text().T("button.back"), theme.NavigateBackIcon(), func() {
		s.u.pending = nil
		s.u.Show(shell.StepSignIn)
	})
}

// qrImage draws the otpauth:// URL as a QR code for the authenticator
// app's camera; nil if it cannot be drawn (the secret as text remains).
func qrImage(url string) *canvas.Image {
	key, err := otp.NewKeyFromURL(url)
	if err != nil {
		return nil
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return nil
	}
	c := canvas.NewImageFromImage(img)
	c.FillMode = canvas.ImageFillContain
	c.ScaleMode = canvas.ImageScalePixels
	c.SetMinSize(fyne.NewSize(200, 200))
	return c
}

// groupBy4 spaces a secret in groups of four characters, as people copy
// it into an app by hand.
func groupBy4(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
