package ui

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

func TestMain(m *testing.M) { uitest.Main(m) }

// harness is the whole interface, as cmd/chorus-onboard builds it, on the
// real application layer (uitest.Harness).
type harness struct {
	*uitest.Harness
	ui *UI
}

func newHarness(t testing.TB, lang string, opt uitest.Options) *harness {
	t.Helper()
	h := &harness{}
	opt.OwnShell = true
	h.Harness = uitest.New(t, lang, opt, func(x *uitest.Harness) {
		sd := x.ShellDeps(x.Svc.Connection, x.Svc.Sync)
		s := x.Svc
		h.ui = New(x.App, x.Win, Deps{Connection: s.Connection, Sync: s.Sync, Accounts: s.Accounts, Structures: s.Structures,
			Workspace: s.Workspace, Reform: s.Reform, Attachments: s.Attachments, People: s.People, Handoff: s.Handoff,
			After: sd.After, Async: sd.Async, Do: sd.Do, Clock: sd.Clock, DeviceName: x.DeviceName})
		x.Shell = h.ui.Shell()
	})
	return h
}

var (
	codeInMail = regexp.MustCompile(`\b\d{6}\b`)
	// totpKey is an authenticator's key as the screen shows it, by fours.
	totpKey = regexp.MustCompile(`^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$`)
)

// TestScreens walks through the onboarding as a person does, in French
// and in English, on the whole interface (every area registered, as the
// app builds it): it taps the buttons and types into the fields a person
// finds by their texts, and compares each screen with its golden image in
// ui/testdata/screens, pixel for pixel (uitest.Shots). The areas' own
// TestScreens draw the screens a walk cannot reach (a file chosen, 10,000
// rows, a pre-fill under way).
func TestScreens(t *testing.T) {
	uitest.InEachLanguage(t, walk)
}

// walk goes through every step of the onboarding in lang.
func walk(t *testing.T, lang string) {
	h := newHarness(t, lang, uitest.Options{SecondFactor: true})
	h.App.Settings().SetTheme(widgets.Theme{})
	h.Win.Resize(shell.WindowSize)
	shots := uitest.NewShots(t, h.Win, lang)
	// Each shot also checks the screen by keyboard (uitest.CheckKeyboard).
	shot := shots.Shot
	p := uitest.NewPerson(t, h.Win)
	tr := h.Shell.Text().T
	step := func(want shell.Step) {
		t.Helper()
		if got := h.Shell.Step(); got != want {
			t.Fatalf("on %s, want %s; the screen shows %s", got, want, p)
		}
	}
	// escape closes the dialog on top with Escape, as a keyboard user
	// does, and checks the focus is back on what opened it.
	escape := func(opener fyne.Focusable) {
		t.Helper()
		p.Escape()
		if h.Win.Canvas().Overlays().Top() != nil {
			t.Fatalf("Escape left the dialog open: %s", p)
		}
		if got := h.Win.Canvas().Focused(); got != opener {
			t.Errorf("after the dialog the focus is on %T, want the %T that opened it", got, opener)
		}
	}
	fixCaptcha := func() {
		t.Helper()
		if p.ReplaceImages("captcha.png", uitest.FixedCaptcha()) == 0 {
			t.Fatalf("no captcha on the screen: %s", p)
		}
	}

	// accessible draws the screen again in high contrast and at 200 %
	// text (issue 33), then goes back to the standard theme.
	accessible := func(name string) {
		t.Helper()
		for _, v := range []struct {
			suffix string
			th     widgets.Theme
		}{{"-high-contrast", widgets.Theme{High: true}}, {"-200", widgets.Theme{Scale: 2}}} {
			h.App.Settings().SetTheme(v.th)
			shot(name + v.suffix)
		}
		h.App.Settings().SetTheme(widgets.Theme{})
	}

	shot("0-home")
	accessible("0-home")
	// The window comes before the Local sandbox: a request that waits for
	// it says so on the status line.
	h.ui.Status().ShowSandboxStarting(true)
	shot("0-home-sandbox-starting")
	h.ui.Status().ShowSandboxStarting(false)
	p.Tap(tr("ws.title"))
	shot("13-workspace-empty")
	h.Shell.Show(shell.StepHome)

	// Step 1: the account, first typed with mistakes.
	p.Tap(tr("home.start"))
	step(shell.StepAccount)
	p.Type(tr("field.login_email"), "jeanne.martin@example")
	p.Type(tr("field.login_email_confirm"), "jeanne.martin@example.fr")
	p.Type(tr("field.phone"), "07 12")
	h.Win.Canvas().Focus(p.Field(tr("field.first_name")))
	shot("1-account-errors")
	accessible("1-account-errors")
	p.Clear(tr("field.phone"))
	p.Type(tr("field.login_email"), ".fr")
	p.Type(tr("field.first_name"), "Jeanne")
	p.Type(tr("field.last_name"), "Martin")
	p.Type(tr("field.phone"), "06 12 45 78 98")
	p.Unfocus()
	p.Check(tr("field.conditions"))
	h.Flush() // the draft saved, as its timer would
	shot("2-personal-information")

	// Step 2: the captcha, answered with the code the portal mails.
	p.Tap(tr("button.submit"))
	step(shell.StepCaptcha)
	fixCaptcha()
	shot("3-captcha")
	p.Press(tr("captcha.alternative"))
	if f, ok := h.Win.Canvas().Focused().(*widgets.FocusEntry); !ok || f.PlaceHolder != tr("captcha.prompt") {
		t.Errorf("the code sent, the focus is on %T, want the answer field", h.Win.Canvas().Focused())
	}
	opener := p.Press(tr("activation.mailbox"))
	shot("3-captcha-mailbox")
	escape(opener)
	mails, err := h.Portal.Mailbox(t.Context(), "jeanne.martin@example.fr")
	if err != nil || len(mails) == 0 {
		t.Fatalf("mailbox %v %v", mails, err)
	}
	p.Type(tr("captcha.prompt"), codeInMail.FindString(mails[0].Body))
	p.Tap(tr("captcha.validate"))

	// Step 3 and 4: the link from the sandbox's mailbox, the password.
	step(shell.StepActivation)
	p.Tap(tr("activation.mailbox"))
	shot("4-sandbox-mailbox")
	useLink := uitest.Objects(p.Root(), func(o fyne.CanvasObject) bool {
		b, ok := o.(*widgets.Button)
		return ok && b.Text == tr("activation.use_link")
	})
	if len(useLink) == 0 {
		t.Fatalf("no link to use in the mailbox: %s", p)
	}
	test.Tap(useLink[0].(*widgets.Button))
	p.Type(tr("field.password"), "Jeanne-2026")
	shot("4-password-checklist")
	p.Clear(tr("field.password"))
	p.Type(tr("field.password"), "Tr0ub4dor&3x-Lune")
	p.Type(tr("field.password_confirm"), "Tr0ub4dor&3x-Lune")
	shot("4-activation")
	opener = p.Press(tr("activation.resend"))
	fixCaptcha()
	shot("4-resend-link")
	escape(opener)
	p.Tap(tr("button.submit"))

	// The first sign-in sets up the second factor: an authenticator app.
	step(shell.StepSecondFactor)
	shot("4e-second-factor-choice")
	p.Tap(tr("sf.choose.app"))
	shot("4f-authenticator-app")
	var secret string
	for _, s := range p.Texts() {
		if totpKey.MatchString(s) {
			secret = strings.ReplaceAll(s, " ", "")
		}
	}
	if secret == "" {
		t.Fatalf("no key to type in an authenticator app: %s", p)
	}
	p.Type("123456", uitest.TOTPAt(t, secret, h.Clock.SimNow()))
	p.Tap(tr("sf.confirm"))
	shot("4g-recovery-codes")
	p.Check(tr("sf.recovery.saved"))
	p.Tap(tr("button.continue"))
	step(shell.StepDone)
	shot("5-congratulations")

	// Step 5 and 6: a structure, pre-filled from the registry.
	p.Tap(tr("done.create.title"))
	step(shell.StepStructure)
	p.Type(tr("field.identifier"), "73282932000074")
	shot("6-structure")
	accessible("6-structure")
	p.Tap(tr("button.submit"))
	shot("6-structure-created")
	h.CloseDialogs()
	h.Shell.ShowWith(shell.StepAttach, shell.AttachTo{Type: core.IDSIRET, Identifier: "73282932000074"})
	shot("7-attachment")
	h.Shell.Show(shell.StepSettings)
	shot("8-settings")

	// A later sign-in: the code, trust this computer; then the settings
	// list it.
	h.Shell.Show(shell.StepSignIn)
	shot("9-sign-in")
	p.Type(tr("field.password_signin"), "Tr0ub4dor&3x-Lune")
	p.Tap(tr("signin.button"))
	step(shell.StepSecondFactor)
	p.Unfocus()
	shot("9-sign-in-code")
	// The next 30 seconds' code: the enrolment used this one's.
	p.Type("123456", uitest.TOTPAt(t, secret, h.Clock.SimNow().Add(30*time.Second)))
	p.Check(tr("sf.trust"))
	p.Tap(tr("sf.confirm"))
	step(shell.StepDone)
	h.Shell.Show(shell.StepSettings)
	h.Shell.PageScroll().ScrollToBottom()
	shot("8-settings-trusted-computers")
	// The password change, its new password half typed (issue 29).
	opener = p.Press(tr("password.change"))
	p.Type(tr("password.current"), "Tr0ub4dor&3x-Lune")
	p.Type(tr("field.password"), "Nouveau-M0t")
	h.Win.Canvas().Focus(opener) // as it was, for the golden image
	shot("8-settings-change-password")
	escape(opener)

	p.Tap(tr("sync.button"))
	step(shell.StepSync)
	shot("10-sync")
	h.SetEnv(core.EnvQualification)
	p.Tap(tr("handoff.button"))
	step(shell.StepHandoff)
	shot("11-hand-off")
	h.Shell.PageScroll().ScrollToBottom()
	shot("11-hand-off-portal-asks")
	ShowStartupError(h.App, h.Win, &core.E{Kind: core.KindInvalid, Code: "store.newer_schema", Err: errors.New("schema 9")},
		"/home/ana/.local/share/chorus-onboard", i18n.Lang(lang))
	h.Win.Resize(shell.WindowSize)
	shot("12-startup-error")
}
