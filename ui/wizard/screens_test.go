package wizard

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

// The screens against fakes of their services: what each screen asks of
// the application layer, and what it shows of the answer, in both
// languages, without a store or a portal behind it.

func TestScreenAccountToActivation(t *testing.T) {
	f := uitest.NewFakes()
	u := newFakeArea(t, "en", f)
	u.Show(shell.StepAccount)
	a := u.accountS
	test.Type(a.loginEmail, "jeanne@cabinet.example")
	test.Type(a.confirmEmail, "jeanne@cabinet.example")
	test.Type(a.firstName, "Jeanne")
	test.Type(a.lastName, "Martin")
	test.Tap(a.conditions)
	uitest.Tapped(t, a.submit)
	if u.Step() != shell.StepCaptcha {
		t.Fatalf("after step 2: %s (%v)", u.Step(), f.Accounts.Got())
	}
	log := f.Accounts.Got()
	if !uitest.Contains(log, "SaveAccount jeanne@cabinet.example") || !uitest.Contains(log, "QueueAccount") || !uitest.Contains(log, "Captcha") {
		t.Fatalf("the account screen asked %v", log)
	}
	c := u.captchaS
	test.Type(c.answer, "ab3cd")
	uitest.Tapped(t, c.validate)
	if u.Step() != shell.StepActivation || !uitest.Contains(f.Accounts.Got(), "SubmitAccount c1 ab3cd") {
		t.Fatalf("after the captcha: %s, %v", u.Step(), f.Accounts.Got())
	}
}

// TestScreenCaptchaRefused: a wrong answer says so in the user's language
// and brings a new challenge, whose answer field is empty.
func TestScreenCaptchaRefused(t *testing.T) {
	for _, tt := range []struct{ lang, want string }{{"en", "characters"}, {"fr", "caractères"}} {
		t.Run(tt.lang, func(t *testing.T) {
			f := uitest.NewFakes()
			f.Accounts.Rec = core.AccountRecord{ID: 7, Draft: core.AccountDraft{LoginEmail: "a@b.fr"}}
			f.Accounts.SubmitErr = &core.E{Kind: core.KindInvalid, Code: api.CodeCaptchaWrong}
			u := newFakeArea(t, tt.lang, f)
			u.account = f.Accounts.Rec
			u.Show(shell.StepCaptcha)
			c := u.captchaS
			test.Type(c.answer, "zzzzz")
			uitest.Tapped(t, c.validate)
			if u.Step() != shell.StepCaptcha || !strings.Contains(c.message.Text, tt.want) || c.answer.Text != "" {
				t.Fatalf("step %s, message %q, answer %q", u.Step(), c.message.Text, c.answer.Text)
			}
			if n := uitest.Count(f.Accounts.Got(), "Captcha"); n != 2 {
				t.Fatalf("%d challenges asked, want a new one after the refusal", n)
			}
		})
	}
}

// TestScreenSecondFactorEnrolment: after activation the first sign-in
// chooses an authenticator app, shows its QR code and key, takes the
// code, then shows the recovery codes, and goes on only once the user
// says they are saved.
func TestScreenSecondFactorEnrolment(t *testing.T) {
	f := uitest.NewFakes()
	f.Accounts.Challenge = &api.SecondFactorChallenge{Challenge: "c1", Enrol: true, Methods: []string{api.MethodTOTP, api.MethodEmail}}
	f.Accounts.Enrolment = api.Enrolment{Method: api.MethodTOTP, Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
		OTPAuthURL: "otpauth://totp/Chorus:ana@example.fr?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Chorus", Status: "scan_and_confirm"}
	f.Accounts.Recovery = []string{"AAAAA-BBBBB", "CCCCC-DDDDD"}
	u := newFakeArea(t, "en", f)
	u.passwordAccepted("ana@example.fr", f.Accounts.Challenge)
	if u.Step() != shell.StepSecondFactor || u.secondS.useApp == nil {
		t.Fatalf("after a right password: %s", u.Step())
	}
	uitest.Tapped(t, u.secondS.useApp)
	s := u.secondS
	if s.secretTx == nil || s.secretTx.Text != "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP" {
		t.Fatalf("the key as text: %+v", s.secretTx)
	}
	uitest.Tapped(t, s.submit)
	if !strings.Contains(s.message.Text, "Type the code") || uitest.Contains(f.Accounts.Got(), "FinishSignIn") {
		t.Fatalf("no code: %q %v", s.message.Text, f.Accounts.Got())
	}
	test.Type(s.code, "123 456")
	test.Tap(s.trust)
	uitest.Tapped(t, s.submit)
	if !uitest.Contains(f.Accounts.Got(), "FinishSignIn code=123456 recovery= trust=true") || u.Step() != shell.StepSecondFactor || u.secondS.cont == nil {
		t.Fatalf("after the code: %s %v", u.Step(), f.Accounts.Got())
	}
	r := u.secondS
	if !r.cont.Disabled() {
		t.Fatal("Continue before the recovery codes are saved")
	}
	test.Tap(r.saved)
	uitest.Tapped(t, r.cont)
	if u.Step() != shell.StepDone || u.Session().SignedIn() != "ana@example.fr" || u.pending != nil {
		t.Fatalf("after the recovery codes: %s %q", u.Step(), u.Session().SignedIn())
	}
}

// TestScreenSecondFactorCode: at a later sign-in, a recovery code; a void
// challenge says to sign in again; a keyring that does not answer leaves
// the user signed in and says the computer is not trusted.
func TestScreenSecondFactorCode(t *testing.T) {
	for _, tt := range []struct {
		name      string
		err       error
		wantStep  shell.Step
		wantInMsg string
	}{
		{"accepted", nil, shell.StepDone, ""},
		{"void challenge", &core.E{Kind: core.KindInvalid, Code: api.CodeChallengeInvalid}, shell.StepSecondFactor, "sign in again"},
		{"wrong code", &core.E{Kind: core.KindUnauthorized, Code: api.CodeSecondFactorWrong}, shell.StepSecondFactor, "wrong"},
		{"no keyring", &core.E{Kind: core.KindUnavailable, Code: "keyring.unavailable"}, shell.StepDone, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := uitest.NewFakes()
			f.Accounts.Challenge = &api.SecondFactorChallenge{Challenge: "c2", Methods: []string{api.MethodTOTP, api.MethodRecovery}}
			f.Accounts.FinishErr = tt.err
			u := newFakeArea(t, "en", f)
			u.Show(shell.StepSignIn)
			test.Type(u.signInS.email, "ana@example.fr")
			test.Type(u.signInS.password, "Tr0ub4dor&3x-Lune")
			uitest.Tapped(t, u.signInS.submit)
			s := u.secondS
			if u.Step() != shell.StepSecondFactor || s.code == nil {
				t.Fatalf("after the password: %s", u.Step())
			}
			test.Tap(s.useRecovery)
			test.Type(s.code, "abcde-fghjk")
			uitest.Tapped(t, s.submit)
			if !uitest.Contains(f.Accounts.Got(), "FinishSignIn code= recovery=abcde-fghjk trust=false") || u.Step() != tt.wantStep {
				t.Fatalf("step %s, asked %v", u.Step(), f.Accounts.Got())
			}
			if tt.wantInMsg != "" && !strings.Contains(s.message.Text, tt.wantInMsg) {
				t.Fatalf("message %q", s.message.Text)
			}
			if tt.name == "void challenge" && !s.submit.Disabled() {
				t.Fatal("a void challenge still offers Confirm")
			}
			if tt.name == "no keyring" && (u.Session().SignedIn() == "" || !uitest.ContainsText(u.doneS.content, "could not be trusted")) {
				t.Fatalf("signed in %q; the done screen does not say the computer is not trusted", u.Session().SignedIn())
			}
		})
	}
}

// TestScreenSecondFactorMailThrottled (issue 29): a challenge whose code
// could not be mailed says why, when to try again, and offers the
// recovery code at once.
func TestScreenSecondFactorMailThrottled(t *testing.T) {
	f := uitest.NewFakes()
	f.Accounts.Challenge = &api.SecondFactorChallenge{Challenge: "c3", Methods: []string{api.MethodEmail, api.MethodRecovery},
		EmailNotSent: api.CodeMailThrottled, RetryAfter: 1700}
	u := newFakeArea(t, "en", f)
	u.Show(shell.StepSignIn)
	test.Type(u.signInS.email, "ana@example.fr")
	test.Type(u.signInS.password, "Tr0ub4dor&3x-Lune")
	uitest.Tapped(t, u.signInS.submit)
	s := u.secondS
	if u.Step() != shell.StepSecondFactor || !s.useRecovery.Checked || !uitest.ContainsText(s.content, "No code was sent") || !uitest.ContainsText(s.content, "29 min") {
		t.Fatalf("step %s, recovery ticked %v", u.Step(), s.useRecovery.Checked)
	}
}
