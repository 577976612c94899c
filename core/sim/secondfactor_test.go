package sim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/portal"
)

// withSecondFactor turns on the second factor, as chorus-sim runs by
// default.
func withSecondFactor(c *Config) { c.SecondFactorOff = false }

// totpCode is the authenticator app's code for secret at the test clock.
func totpCode(t *testing.T, e *env, secret string) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, e.clock.now(), totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// mailedCode is the newest six-digit code in the sandbox mailbox.
func mailedCode(t *testing.T, e *env, c *portal.Onboarding, email string) string {
	t.Helper()
	mails, err := c.Mailbox(t.Context(), email)
	if err != nil || len(mails) == 0 {
		t.Fatalf("mailbox: %v %v", mails, err)
	}
	code := sixDigits.FindString(mails[0].Body)
	if code == "" {
		t.Fatalf("no code in %q", mails[0].Body)
	}
	return code
}

// challenge signs in with the password (and a device token) and expects a
// challenge.
func challenge(t *testing.T, c *portal.Onboarding, email, device string) *api.SecondFactorChallenge {
	t.Helper()
	s, ch, err := c.SignInWith(t.Context(), api.SignIn{Email: email, Password: goodPassword, DeviceToken: device})
	if err != nil || ch == nil {
		t.Fatalf("sign in: want a challenge, got session %q, %v", s.Token, err)
	}
	return ch
}

// enrolTOTP signs in for the first time and sets up an authenticator app,
// trusting this computer; it returns the secret and the session.
func enrolTOTP(t *testing.T, e *env, c *portal.Onboarding, email string) (string, api.Session) {
	t.Helper()
	ctx := t.Context()
	ch := challenge(t, c, email, "")
	if !ch.Enrol || !slices.Equal(ch.Methods, []string{api.MethodTOTP, api.MethodEmail}) || ch.ExpiresIn != 600 {
		t.Fatalf("first sign-in: %+v", ch)
	}
	// A password alone opens nothing.
	if _, err := c.SignIn(ctx, email, goodPassword); core.CodeOf(err) != api.CodeSecondFactorRequired {
		t.Fatalf("SignIn with a password alone: %v", err)
	}
	en, err := c.Enrol(ctx, ch.Challenge, api.MethodTOTP)
	if err != nil || len(en.Secret) < 32 || !strings.HasPrefix(en.OTPAuthURL, "otpauth://totp/") || en.Status != "scan_and_confirm" {
		t.Fatalf("enrol: %+v %v", en, err)
	}
	if _, err := c.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, Code: "000000"}); core.CodeOf(err) != api.CodeSecondFactorWrong {
		t.Fatalf("wrong code at enrolment: %v", err)
	}
	s, err := c.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, Code: totpCode(t, e, en.Secret),
		TrustDevice: true, DeviceName: "PC-COMPTA-03"})
	if err != nil || s.Token == "" || len(s.RecoveryCodes) != api.RecoveryCodeCount || s.DeviceToken == "" || s.DeviceID == 0 {
		t.Fatalf("enrolment's code: %+v %v", s, err)
	}
	return en.Secret, s
}

// TestSecondFactorTOTP: enrolment with an authenticator app; a code used
// once only; a recovery code used once only; a device token in place of
// the second factor (never of the password), until revoked.
func TestSecondFactorTOTP(t *testing.T) {
	e := start(t, withSecondFactor)
	ctx := t.Context()
	const email = "ana@example.fr"
	c := activated(t, e, email)
	secret, s := enrolTOTP(t, e, c, email)
	if _, err := c.SearchStructure(ctx, core.IDSIRET, "73282932000074"); err != nil {
		t.Fatalf("the enrolment's session: %v", err)
	}
	seen := map[string]bool{}
	for _, rc := range s.RecoveryCodes {
		if len(rc) != 11 || rc[5] != '-' || seen[rc] {
			t.Errorf("recovery code %q (a duplicate, or not XXXXX-XXXXX)", rc)
		}
		seen[rc] = true
	}

	// The same code again, in its 30 s: refused; the next step's code
	// passes.
	ch := challenge(t, c, email, "")
	if ch.Enrol || !slices.Equal(ch.Methods, []string{api.MethodTOTP, api.MethodRecovery}) {
		t.Fatalf("second sign-in: %+v", ch)
	}
	if _, err := c.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, Code: totpCode(t, e, secret)}); core.CodeOf(err) != api.CodeSecondFactorWrong {
		t.Fatalf("a code replayed in its 30 s: %v", err)
	}
	e.clock.add(30 * time.Second)
	if _, err := c.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, Code: totpCode(t, e, secret)}); err != nil {
		t.Fatalf("the next code: %v", err)
	}
	// The challenge is spent.
	e.clock.add(30 * time.Second)
	if _, err := c.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, Code: totpCode(t, e, secret)}); core.CodeOf(err) != api.CodeChallengeInvalid {
		t.Fatalf("an answered challenge again: %v", err)
	}

	// A recovery code, typed in lower case without its dash, once.
	rc := strings.ToLower(strings.ReplaceAll(s.RecoveryCodes[3], "-", ""))
	ch = challenge(t, c, email, "")
	if _, err := c.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, RecoveryCode: rc}); err != nil {
		t.Fatalf("recovery code: %v", err)
	}
	ch = challenge(t, c, email, "")
	if _, err := c.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, RecoveryCode: rc}); core.CodeOf(err) != api.CodeSecondFactorWrong {
		t.Fatalf("a recovery code used twice: %v", err)
	}

	// The device token: a session with the password, no code; never
	// without the password.
	if got, ch, err := c.SignInWith(ctx, api.SignIn{Email: email, Password: goodPassword, DeviceToken: s.DeviceToken}); err != nil || ch != nil || got.Token == "" {
		t.Fatalf("device token: %+v %+v %v", got, ch, err)
	}
	if _, _, err := c.SignInWith(ctx, api.SignIn{Email: email, Password: "Wrong-passw0rd!", DeviceToken: s.DeviceToken}); core.CodeOf(err) != api.CodeBadCredentials {
		t.Fatalf("device token with a wrong password: %v", err)
	}
	// Another account's token stands in for nothing.
	other := activated(t, e, "bob@example.fr")
	if _, ch, err := other.SignInWith(ctx, api.SignIn{Email: "bob@example.fr", Password: goodPassword, DeviceToken: s.DeviceToken}); err != nil || ch == nil {
		t.Fatalf("another account's device token: %+v %v", ch, err)
	}

	devs, err := c.Devices(ctx)
	if err != nil || len(devs) != 1 || devs[0].Name != "PC-COMPTA-03" || devs[0].ID != s.DeviceID ||
		devs[0].Expires != devs[0].LastUsed+int64(api.DeviceIdleTTL.Seconds()) {
		t.Fatalf("devices: %+v %v", devs, err)
	}
	// Bob cannot revoke Ana's computer.
	e.clock.add(30 * time.Second)
	if _, err := other.SignIn(ctx, "bob@example.fr", goodPassword); core.CodeOf(err) != api.CodeSecondFactorRequired {
		t.Fatalf("bob: %v", err)
	}
	bobSecret, _ := enrolTOTP(t, e, other, "bob@example.fr")
	_ = bobSecret
	if err := other.RevokeDevice(ctx, s.DeviceID); core.CodeOf(err) != api.CodeNotFound {
		t.Fatalf("revoking another account's computer: %v", err)
	}
	if err := c.RevokeDevice(ctx, s.DeviceID); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	// The session the token opened ended with it (issue 29).
	if _, err := c.Devices(ctx); core.CodeOf(err) != api.CodeUnauthorized {
		t.Fatalf("the revoked computer's session: %v", err)
	}
	_, ch, err = c.SignInWith(ctx, api.SignIn{Email: email, Password: goodPassword, DeviceToken: s.DeviceToken})
	if err != nil || ch == nil {
		t.Fatalf("a revoked device token: %+v %v", ch, err)
	}
	if _, err := c.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, RecoveryCode: s.RecoveryCodes[5]}); err != nil {
		t.Fatal(err)
	}
	if devs, err := c.Devices(ctx); err != nil || len(devs) != 0 {
		t.Fatalf("devices after revoking: %+v %v", devs, err)
	}
}

// TestSecondFactorEmail: enrolment with an e-mailed code, then a code at
// each sign-in, valid 10 minutes.
func TestSecondFactorEmail(t *testing.T) {
	e := start(t, withSecondFactor)
	ctx := t.Context()
	const email = "chloe@example.fr"
	c := activated(t, e, email)
	ch := challenge(t, c, email, "")
	en, err := c.Enrol(ctx, ch.Challenge, api.MethodEmail)
	if err != nil || en.Status != "code_sent" || en.Secret != "" {
		t.Fatalf("enrol by e-mail: %+v %v", en, err)
	}
	s, err := c.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, Code: mailedCode(t, e, c, email)})
	if err != nil || len(s.RecoveryCodes) != api.RecoveryCodeCount || s.DeviceToken != "" {
		t.Fatalf("enrolment's code: %+v %v", s, err)
	}

	ch = challenge(t, c, email, "")
	if !slices.Equal(ch.Methods, []string{api.MethodEmail, api.MethodRecovery}) {
		t.Fatalf("methods: %v", ch.Methods)
	}
	code := mailedCode(t, e, c, email)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if _, err := c.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, Code: wrong}); core.CodeOf(err) != api.CodeSecondFactorWrong {
		t.Fatalf("wrong e-mailed code: %v", err)
	}
	if _, err := c.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, Code: code}); err != nil {
		t.Fatalf("e-mailed code: %v", err)
	}
	// Expired after 10 minutes.
	ch = challenge(t, c, email, "")
	code = mailedCode(t, e, c, email)
	e.clock.add(api.ChallengeTTL + time.Second)
	if _, err := c.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, Code: code}); core.CodeOf(err) != api.CodeChallengeInvalid {
		t.Fatalf("a code after 10 minutes: %v", err)
	}
	// The code is not in the record: only the mail carries it.
	var kept int
	if err := e.srv.db.QueryRowContext(ctx, `SELECT count(*) FROM challenge WHERE code_hash = ?`, []byte(code)).Scan(&kept); err != nil || kept != 0 {
		t.Fatalf("code kept in clear: %d %v", kept, err)
	}
}

// TestSecondFactorParallelGuesses: 300 wrong codes at once on one
// challenge: at most api.MaxCodeAttempts are checked, and the challenge is
// void after them, even for the right code.
func TestSecondFactorParallelGuesses(t *testing.T) {
	e := start(t, withSecondFactor)
	const email = "dan@example.fr"
	c := activated(t, e, email)
	secret, _ := enrolTOTP(t, e, c, email)
	e.clock.add(30 * time.Second)
	ch := challenge(t, c, email, "")
	right := totpCode(t, e, secret)
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for i := range 300 {
		wg.Go(func() {
			code := "000000"
			if code == right {
				code = "999999"
			}
			_ = i
			st, _, b := post(t, http.DefaultClient, e.http.URL+api.PathSecondFactor, "", api.SecondFactor{Challenge: ch.Challenge, Code: code})
			var er api.Error
			_ = json.Unmarshal(b, &er)
			mu.Lock()
			counts[http.StatusText(st)+" "+er.Code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	wrong := counts["Unauthorized "+api.CodeSecondFactorWrong]
	t.Logf("300 parallel wrong codes on one challenge: %v", counts)
	if wrong > api.MaxCodeAttempts || wrong+counts["Bad Request "+api.CodeChallengeInvalid]+counts["Too Many Requests "+api.CodeThrottled] != 300 {
		t.Fatalf("%d codes checked (at most %d): %v", wrong, api.MaxCodeAttempts, counts)
	}
	if _, err := c.AnswerSecondFactor(t.Context(), api.SecondFactor{Challenge: ch.Challenge, Code: right}); core.CodeOf(err) != api.CodeChallengeInvalid {
		t.Fatalf("the right code on a voided challenge: %v", err)
	}
}

// TestDeviceTokenIdle: a trusted computer unused for 90 days asks for the
// second factor again, and the sweep forgets it.
func TestDeviceTokenIdle(t *testing.T) {
	e := start(t, withSecondFactor)
	const email = "eve@example.fr"
	c := activated(t, e, email)
	_, s := enrolTOTP(t, e, c, email)
	e.clock.add(api.DeviceIdleTTL - time.Minute)
	if _, ch, err := c.SignInWith(t.Context(), api.SignIn{Email: email, Password: goodPassword, DeviceToken: s.DeviceToken}); err != nil || ch != nil {
		t.Fatalf("used before 90 days: %+v %v", ch, err)
	}
	e.clock.add(api.DeviceIdleTTL + time.Minute)
	if _, ch, err := c.SignInWith(t.Context(), api.SignIn{Email: email, Password: goodPassword, DeviceToken: s.DeviceToken}); err != nil || ch == nil {
		t.Fatalf("unused for 90 days: %+v %v", ch, err)
	}
	if err := e.srv.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := e.srv.db.QueryRowContext(t.Context(), `SELECT count(*) FROM device`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("after the sweep: %d devices, %v", n, err)
	}
}
