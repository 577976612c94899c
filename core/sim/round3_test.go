package sim

import (
	"context"
	"errors"
	"image"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// The third attack round (issue 29): the second factor and sessions.

// TestEnrolmentChallengeDiesWithEnrolment (issue 29, item 1): someone who
// knows the password asks for enrolment challenges (one of them already
// past choosing a method); the owner then enrols. Neither old challenge
// may set a factor of its own: they die with the owner's enrolment, whose
// recovery codes keep working.
func TestEnrolmentChallengeDiesWithEnrolment(t *testing.T) {
	e := start(t, withSecondFactor)
	ctx := t.Context()
	const email = "ana@example.fr"
	owner := activated(t, e, email)
	thief := portal.NewOnboarding(e.http.URL, nil)
	chosen := challenge(t, thief, email, "")
	waiting := challenge(t, thief, email, "")
	en, err := thief.Enrol(ctx, chosen.Challenge, api.MethodTOTP)
	if err != nil {
		t.Fatalf("the thief's enrolment: %v", err)
	}

	secret, s := enrolTOTP(t, e, owner, email)

	e.clock.add(30 * time.Second)
	if _, err := thief.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: chosen.Challenge, Code: totpCode(t, e, en.Secret)}); code(err) != api.CodeChallengeInvalid {
		t.Errorf("a challenge chosen before the owner enrolled, answered after: %v (want %s)", err, api.CodeChallengeInvalid)
	}
	if _, err := thief.Enrol(ctx, waiting.Challenge, api.MethodTOTP); code(err) != api.CodeChallengeInvalid {
		t.Errorf("an enrolment challenge used after the owner enrolled: %v (want %s)", err, api.CodeChallengeInvalid)
	}
	// The owner's factor and recovery codes are the ones that work.
	ch := challenge(t, owner, email, "")
	if ch.Enrol {
		t.Fatalf("after enrolment, a sign-in enrols again: %+v", ch)
	}
	if _, err := owner.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, RecoveryCode: s.RecoveryCodes[0]}); err != nil {
		t.Errorf("the owner's recovery code: %v", err)
	}
	e.clock.add(30 * time.Second)
	ch = challenge(t, owner, email, "")
	if _, err := owner.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, Code: totpCode(t, e, secret)}); err != nil {
		t.Errorf("the owner's authenticator: %v", err)
	}
	// An enrolment while one is set is refused too, even on a challenge
	// made before (the one the owner is answering, say).
	if n := countRows(t, e, `SELECT count(*) FROM challenge WHERE enrol = 1`); n != 0 {
		t.Errorf("%d enrolment challenges are left after the enrolment", n)
	}
}

// enrolEmail signs in for the first time and sets up e-mailed codes; it
// returns the session with its recovery codes.
func enrolEmail(t *testing.T, e *env, c *portal.Onboarding, email string) api.Session {
	t.Helper()
	ch := challenge(t, c, email, "")
	if _, err := c.Enrol(t.Context(), ch.Challenge, api.MethodEmail); err != nil {
		t.Fatalf("enrol by e-mail: %v", err)
	}
	s, err := c.AnswerSecondFactor(t.Context(), api.SecondFactor{Challenge: ch.Challenge, Code: mailedCode(t, e, c, email)})
	if err != nil {
		t.Fatalf("enrolment's code: %v", err)
	}
	return s
}

// TestMailThrottleDoesNotLockOwnerOut (issue 29, item 2): anonymous
// captcha code requests to the owner's address spend its mail budget; the
// owner's sign-in still gets a challenge and a mailed code (sign-in codes
// have their own budget), and when that budget is spent too, the challenge
// still takes a recovery code and says why no mail came.
func TestMailThrottleDoesNotLockOwnerOut(t *testing.T) {
	e := start(t, withSecondFactor)
	ctx := t.Context()
	const email = "victim@example.fr"
	owner := activated(t, e, email)
	s := enrolEmail(t, e, owner, email)

	attacker := portal.NewOnboarding(e.http.URL, from("127.0.0.9"))
	throttled := false
	for i := 0; i < 3*mailsPerAddress && !throttled; i++ {
		ch, err := attacker.Captcha(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = attacker.CaptchaCode(ctx, ch.ID, email)
		throttled = code(err) == api.CodeMailThrottled
	}
	if !throttled {
		t.Fatal("the captcha codes to one address were never throttled")
	}

	before := len(mailbox(t, owner, email))
	ch := challenge(t, owner, email, "")
	if ch.EmailNotSent != "" || len(mailbox(t, owner, email)) != before+1 {
		t.Fatalf("the owner's sign-in after anonymous mail spent the address's budget: %+v, %d mails (want one more than %d)",
			ch, len(mailbox(t, owner, email)), before)
	}
	if _, err := owner.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, Code: mailedCode(t, e, owner, email)}); err != nil {
		t.Fatalf("the mailed code: %v", err)
	}

	// Sign-ins until their own budget is spent: a challenge still comes,
	// says why no mail came, and takes a recovery code.
	var last *api.SecondFactorChallenge
	for i := 0; i < 3*signInCodesPerAddress; i++ {
		last = challenge(t, owner, email, "")
		if last.EmailNotSent != "" {
			break
		}
	}
	if last.EmailNotSent != api.CodeMailThrottled || last.RetryAfter <= 0 || !slices.Contains(last.Methods, api.MethodRecovery) {
		t.Fatalf("a sign-in past the codes' budget: %+v (want a challenge saying %s, when to retry, and taking a recovery code)",
			last, api.CodeMailThrottled)
	}
	if _, err := owner.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: last.Challenge, RecoveryCode: s.RecoveryCodes[1]}); err != nil {
		t.Fatalf("a recovery code on a challenge whose mail was throttled: %v", err)
	}
}

// mailbox reads the sandbox mailbox of an address.
func mailbox(t *testing.T, c *portal.Onboarding, email string) []api.Mail {
	t.Helper()
	m, err := c.Mailbox(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRevokedComputerEndsItsSessions (issue 29, item 3): the sessions a
// trusted computer opened end when it is revoked; others stay.
func TestRevokedComputerEndsItsSessions(t *testing.T) {
	e := start(t, withSecondFactor)
	ctx := t.Context()
	const email = "ana@example.fr"
	laptop := activated(t, e, email)
	_, enrolled := enrolTOTP(t, e, laptop, email) // trusted, with a session opened by that trust
	byToken := portal.NewOnboarding(e.http.URL, nil)
	if _, ch, err := byToken.SignInWith(ctx, api.SignIn{Email: email, Password: goodPassword, DeviceToken: enrolled.DeviceToken}); err != nil || ch != nil {
		t.Fatalf("sign-in by device token: %v %+v", err, ch)
	}
	elsewhere := portal.NewOnboarding(e.http.URL, nil)
	ch := challenge(t, elsewhere, email, "")
	if _, err := elsewhere.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, RecoveryCode: enrolled.RecoveryCodes[0]}); err != nil {
		t.Fatal(err)
	}
	if err := elsewhere.RevokeDevice(ctx, enrolled.DeviceID); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	for name, c := range map[string]*portal.Onboarding{"the enrolment's session": laptop, "the device token's session": byToken} {
		if _, err := c.Devices(ctx); code(err) != api.CodeUnauthorized {
			t.Errorf("%s after its computer was revoked: %v (want %s)", name, err, api.CodeUnauthorized)
		}
	}
	if _, err := elsewhere.Devices(ctx); err != nil {
		t.Errorf("a session of no trusted computer, after the revocation: %v", err)
	}
}

// TestChangePassword (issue 29, item 3): the signed-in owner changes the
// password with the current one; every other session and every trusted
// computer ends, the owner is mailed, and the old password opens nothing.
func TestChangePassword(t *testing.T) {
	e := start(t, withSecondFactor)
	ctx := t.Context()
	const email = "ana@example.fr"
	const newPassword = "Nouveau-M0t-de-passe!"
	thief := activated(t, e, email)
	_, s := enrolTOTP(t, e, thief, email) // the thief's session, on a computer it trusted
	owner := portal.NewOnboarding(e.http.URL, nil)
	ch := challenge(t, owner, email, "")
	if _, err := owner.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, RecoveryCode: s.RecoveryCodes[0]}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, current, next, want string
	}{
		{"wrong current password", "Wrong-passw0rd!x", newPassword, api.CodeBadCredentials},
		{"weak new password", goodPassword, "short", api.CodeInvalid},
		{"the same password", goodPassword, goodPassword, api.CodeInvalid},
	} {
		if err := owner.ChangePassword(ctx, goodPassword[:0]+tc.current, tc.next); code(err) != tc.want {
			t.Errorf("%s: %v (want %s)", tc.name, err, tc.want)
		}
	}
	if err := owner.ChangePassword(ctx, goodPassword, newPassword); err != nil {
		t.Fatalf("change password: %v", err)
	}
	if _, err := owner.Devices(ctx); err != nil {
		t.Errorf("the session that changed the password: %v", err)
	}
	if _, err := thief.Devices(ctx); code(err) != api.CodeUnauthorized {
		t.Errorf("another session after the change: %v (want %s)", err, api.CodeUnauthorized)
	}
	if _, ch, err := thief.SignInWith(ctx, api.SignIn{Email: email, Password: newPassword, DeviceToken: s.DeviceToken}); err != nil || ch == nil {
		t.Errorf("a device token after the change: %+v %v (want a challenge)", ch, err)
	}
	if _, _, err := thief.SignInWith(ctx, api.SignIn{Email: email, Password: goodPassword}); code(err) != api.CodeBadCredentials {
		t.Errorf("the old password: %v", err)
	}
	if m := mailbox(t, owner, email); len(m) == 0 || !strings.Contains(m[0].Body, "mot de passe") {
		t.Errorf("no mail says the password changed: %+v", m)
	}
}

// TestMailNamesItsPortal (issue 29, item 3): subjects name the portal
// that sends them (its sender's name), never "Chorus Pro".
func TestMailNamesItsPortal(t *testing.T) {
	e := start(t, func(c *Config) { c.Mail.FromName = "Portail du cabinet Bernard" })
	c := onboard(t, e, "ana@example.fr")
	for _, m := range mailbox(t, c, "ana@example.fr") {
		if strings.Contains(m.Subject, "Chorus Pro") || !strings.HasPrefix(m.Subject, "Portail du cabinet Bernard : ") {
			t.Errorf("subject %q: want it to start with the portal's name", m.Subject)
		}
		if strings.Contains(m.Body, "Chorus Pro") {
			t.Errorf("body of %q names Chorus Pro as the sender: %q", m.Subject, m.Body)
		}
	}
}

// TestDataDirNarrowed (issue 29, item 3): a data directory made
// beforehand that others may read is narrowed to its owner at start.
func TestDataDirNarrowed(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("modes: Windows uses ACLs, tested in core/localfs")
	}
	dir := filepath.Join(testos.TempDir(t), "portal")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	srv, err := New(context.Background(), Config{DataDir: dir, PasswordIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, p := range []string{dir, filepath.Join(dir, DatabaseFile)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v, want its owner's only", p, fi.Mode().Perm())
		}
	}
}

// TestDecideOtherStructureLooksUnknown (issue 29, item 3): deciding a
// request of a structure the caller does not run gets the answer of an
// id that does not exist, so ids cannot be probed.
func TestDecideOtherStructureLooksUnknown(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	manager := onboard(t, e, "gp@example.fr")
	if _, err := manager.CreateStructure(ctx, "", structure("73282932000074")); err != nil {
		t.Fatal(err)
	}
	asker := onboard(t, e, "asker@example.fr")
	at, err := asker.RequestAttachment(ctx, "", core.IDSIRET, "73282932000074")
	if err != nil {
		t.Fatal(err)
	}
	stranger := onboard(t, e, "stranger@example.fr")
	_, errOther := stranger.DecideAttachment(ctx, "", at.ID, true)
	_, errUnknown := stranger.DecideAttachment(ctx, "", at.ID+1000, true)
	if code(errOther) != code(errUnknown) || statusOf(errOther) != statusOf(errUnknown) {
		t.Errorf("another structure's request: %v; an unknown id: %v (want the same answer)", errOther, errUnknown)
	}
	if statusOf(errOther) != http.StatusNotFound {
		t.Errorf("status %d, want 404", statusOf(errOther))
	}
}

// statusOf is the HTTP status of a client's error (0 for none).
func statusOf(err error) int {
	var e *core.E
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// TestCaptchaReadable (issue 29): every character of a captcha lies
// wholly inside its image with a margin and apart from its neighbours, on
// 1,000 images drawn as the portal draws them (noise and curves off, to
// find the ink): no ink within captchaMargin pixels of the border, and the
// columns holding ink fall into exactly one run per character (all are
// there, none overlaps the next), each tall enough to read.
func TestCaptchaReadable(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	defer func(kept *glyphCache) { glyphs = kept }(glyphs)
	fresh := CaptchaLength // every character drawn anew each image or so
	if raceDetector {
		fresh *= 10 // a drawing costs ten times as much
	}
	for i := range n {
		if i%fresh == 0 {
			// Fresh drawings of every character now and then, so that
			// the images hold n drawings, not only the cache's few.
			glyphs = &glyphCache{m: map[rune][]*image.Alpha{}}
		}
		text := make([]byte, CaptchaLength)
		for j := range text {
			text[j] = captchaChars[(i*7+j*13+i*j)%len(captchaChars)]
		}
		img, err := drawCaptcha(string(text), false)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		b := img.Bounds()
		if b.Dx() != api.CaptchaWidth || b.Dy() != api.CaptchaHeight {
			t.Fatalf("size %v", b)
		}
		inked := func(x, y int) bool {
			c := img.NRGBAAt(x, y)
			return c.R != 0xff || c.G != 0xff || c.B != 0xff
		}
		cols := make([]bool, b.Dx())
		top, bottom := make([]int, b.Dx()), make([]int, b.Dx())
		for x := range b.Dx() {
			top[x], bottom[x] = b.Dy(), -1
			for y := range b.Dy() {
				if !inked(x, y) {
					continue
				}
				if x < captchaMargin || y < captchaMargin || x >= b.Dx()-captchaMargin || y >= b.Dy()-captchaMargin {
					t.Fatalf("%s: ink at (%d, %d), within %d pixels of the border", text, x, y, captchaMargin)
				}
				cols[x] = true
				top[x], bottom[x] = min(top[x], y), max(bottom[x], y)
			}
		}
		var runs [][2]int // [start, end) of each run of inked columns
		for x := 0; x < len(cols); x++ {
			if !cols[x] {
				continue
			}
			start := x
			for x < len(cols) && cols[x] {
				x++
			}
			runs = append(runs, [2]int{start, x})
		}
		if len(runs) != len(text) {
			t.Fatalf("%s: %d separate characters in the image, want %d (one missing, or two overlapping)", text, len(runs), len(text))
		}
		for k, r := range runs {
			hi, lo := b.Dy(), -1
			for x := r[0]; x < r[1]; x++ {
				hi, lo = min(hi, top[x]), max(lo, bottom[x])
			}
			if lo-hi < 20 || r[1]-r[0] < 4 {
				t.Fatalf("%s: character %d is %d × %d pixels: too small to read", text, k+1, r[1]-r[0], lo-hi+1)
			}
		}
	}
}
