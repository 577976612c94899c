package wizard

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// fill types into the account form as a person would.
func fillAccount(s *accountScreen, email string) {
	test.Type(s.loginEmail, email)
	test.Type(s.confirmEmail, email)
	test.Type(s.firstName, "Jeanne")
	test.Type(s.lastName, "Martin")
	test.Type(s.phone, "06 12 45 78 98")
}

func TestAccountFormValidatesAsYouType(t *testing.T) {
	h := newHarness(t, "en")
	test.Tap(h.a.home.start)
	s := h.a.accountS
	if s == nil || !s.submit.Disabled() {
		t.Fatal("Submit must start disabled on an empty form")
	}
	test.Type(s.loginEmail, "jeanne.martin@example")
	if err := s.loginEmail.Validate(); err == nil || !strings.Contains(err.Error(), "after the @") {
		t.Errorf("inline error for a bad e-mail: %v", err)
	}
	test.Type(s.loginEmail, ".fr")
	if s.contactEmail.Text != "jeanne.martin@example.fr" {
		t.Errorf("contact e-mail follows the login e-mail: %q", s.contactEmail.Text)
	}
	test.Type(s.confirmEmail, "jeanne.martin@example.com")
	if err := s.confirmEmail.Validate(); err == nil || !strings.Contains(err.Error(), "differ") {
		t.Errorf("confirmation mismatch: %v", err)
	}
	s.confirmEmail.SetText("jeanne.martin@example.fr")
	test.Type(s.firstName, "Jeanne")
	test.Type(s.lastName, "Martin")
	test.Type(s.phone, "07 12 45 78 98")
	if err := s.phone.Validate(); err == nil {
		t.Error("07 1x is not allocated: want an inline error")
	}
	s.phone.SetText("06 12 45 78 98")
	if !s.submit.Disabled() {
		t.Fatal("Submit enabled before the conditions are accepted")
	}
	test.Tap(s.conditions)
	if s.submit.Disabled() {
		t.Fatal("Submit still disabled on a valid form")
	}
}

// TestDraftSurvivesRestart: every change is kept; quitting and starting
// again comes back to the same step with the same values.
func TestDraftSurvivesRestart(t *testing.T) {
	h := newHarness(t, "fr")
	test.Tap(h.a.home.start)
	s := h.a.accountS
	test.Type(s.loginEmail, "paul@example.fr")
	test.Type(s.firstName, "Paul")
	if !h.Pending() {
		t.Fatal("typing scheduled no save")
	}
	h.Flush() // the debounce timer fires
	if s.saved.Text != "Enregistré sur cet ordinateur." {
		t.Errorf("saved label %q", s.saved.Text)
	}
	h.Open() // the app starts again
	s = h.a.accountS
	if h.a.Step() != shell.StepAccount || s == nil || s.loginEmail.Text != "paul@example.fr" || s.firstName.Text != "Paul" {
		t.Fatalf("after restart: step %s", h.a.Step())
	}
	rec, err := h.Store.Accounts.Account(t.Context(), int64(h.App.Preferences().Int(prefAccountID)))
	if err != nil || rec.Draft.LoginEmail != "paul@example.fr" || len(rec.Problems) == 0 {
		t.Fatalf("stored draft: %+v %v", rec, err)
	}
	if _, err := h.Store.Accounts.Account(t.Context(), rec.ID+1); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("a second draft was stored: %v", err)
	}
}

// TestStepsOneToFive goes from the personal information to
// "Congratulations", against chorus-sim, with the non-visual captcha and
// the sandbox mailbox.
func TestStepsOneToFive(t *testing.T) {
	h := newHarness(t, "en")
	test.Tap(h.a.home.start)
	fillAccount(h.a.accountS, "jeanne@example.fr")
	test.Tap(h.a.accountS.conditions)
	test.Tap(h.a.accountS.submit)

	c := h.a.captchaS
	if c == nil || c.id == "" || c.image.Image == nil {
		t.Fatal("step 3 shows no captcha image")
	}
	test.Tap(c.emailCode)
	if !strings.Contains(c.message.Text, "jeanne@example.fr") {
		t.Fatalf("code message %q", c.message.Text)
	}
	mails, err := h.Portal.Mailbox(t.Context(), "jeanne@example.fr")
	if err != nil || len(mails) != 1 {
		t.Fatalf("mailbox %v %v", mails, err)
	}
	code := strings.Fields(strings.SplitN(mails[0].Body, "is ", 2)[1])[0][:6]
	// A wrong answer first: the challenge is burnt, a new image comes.
	first := c.id
	test.Type(c.answer, "ZZZZZ")
	test.Tap(c.validate)
	if c.id == first || !strings.Contains(c.message.Text, "do not match") {
		t.Fatalf("after a wrong answer: id %s message %q", c.id, c.message.Text)
	}
	test.Tap(c.emailCode)
	mails, _ = h.Portal.Mailbox(t.Context(), "jeanne@example.fr")
	code = strings.Fields(strings.SplitN(mails[0].Body, "is ", 2)[1])[0][:6]
	test.Type(c.answer, code)
	test.Tap(c.validate)

	a := h.a.activateS
	if a == nil || h.a.Step() != shell.StepActivation {
		t.Fatalf("step %s after the captcha", h.a.Step())
	}
	// The account went through the outbox: its row is done, the account sent.
	rec, _ := h.Store.Accounts.Account(t.Context(), h.a.account.ID)
	ops, _ := h.Store.Outbox.Ops(t.Context())
	if rec.Sync.State != "sent" || len(ops) != 1 || ops[0].State != "done" || ops[0].Kind != "account.create" {
		t.Fatalf("account %s, outbox %+v", rec.Sync.State, ops)
	}
	test.Tap(a.mailbox.button)
	if len(a.mailbox.useLink) != 1 {
		t.Fatalf("%d activation links in the mailbox", len(a.mailbox.useLink))
	}
	test.Tap(a.mailbox.useLink[0])
	if tok, _ := api.ActivationToken(a.link.Text); tok == "" {
		t.Fatalf("link %q", a.link.Text)
	}
	test.Type(a.password, "jeanne2026")
	if !a.submit.Disabled() || a.Checks["check.length"].Importance != widget.DangerImportance {
		t.Fatal("a short password passes the checklist")
	}
	a.password.SetText("")
	test.Type(a.password, "Tr0ub4dor&3x-Lune")
	test.Type(a.confirm, "Tr0ub4dor&3x-Lune")
	for k, l := range a.Checks {
		if l.Importance != widget.SuccessImportance {
			t.Errorf("%s not ticked: %q", k, l.Text)
		}
	}
	test.Tap(a.submit)
	if h.a.Step() != shell.StepDone || h.a.doneS == nil {
		t.Fatalf("step %s after the password: %q", h.a.Step(), a.message.Text)
	}
	if _, err := h.Portal.SignIn(t.Context(), "jeanne@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatalf("the account does not work: %v", err)
	}
}

// signIn signs the harness's UI in with an existing account.
func signIn(t *testing.T, h *harness, email, password string) {
	t.Helper()
	h.a.Show(shell.StepSignIn)
	s := h.a.signInS
	s.email.SetText(email)
	test.Type(s.password, password)
	test.Tap(s.submit)
	if h.a.Step() != shell.StepDone {
		t.Fatalf("sign in as %s: %q", email, s.message.Text)
	}
}

// TestOfflineAccountWaits: with no portal, step 3 says what will happen and
// the account waits in the outbox.
func TestOfflineAccountWaits(t *testing.T) {
	h := newHarness(t, "en")
	h.GoOffline()
	test.Tap(h.a.home.start)
	fillAccount(h.a.accountS, "off@example.fr")
	test.Tap(h.a.accountS.conditions)
	test.Tap(h.a.accountS.submit)
	c := h.a.captchaS
	if !strings.HasPrefix(c.message.Text, "You are offline.") || !c.validate.Disabled() {
		t.Fatalf("offline captcha: %q", c.message.Text)
	}
	ops, _ := h.Store.Outbox.Ops(t.Context())
	rec, _ := h.Store.Accounts.Account(t.Context(), h.a.account.ID)
	if len(ops) != 1 || ops[0].Kind != "account.create" || ops[0].State != "pending" || rec.Sync.State != "queued" {
		t.Fatalf("outbox %+v, account %s", ops, rec.Sync.State)
	}
}

// wizardAccount runs steps 1 to 5 for one person through the screens.
func wizardAccount(t *testing.T, h *harness, email, first string) {
	t.Helper()
	h.a.Show(shell.StepAccount)
	a := h.a.accountS
	for _, e := range []*widgets.FocusEntry{a.loginEmail, a.confirmEmail, a.firstName, a.lastName, a.phone} {
		e.SetText("")
	}
	a.contactTouched = false
	test.Type(a.loginEmail, email)
	test.Type(a.confirmEmail, email)
	test.Type(a.firstName, first)
	test.Type(a.lastName, "Martin")
	if !a.conditions.Checked {
		test.Tap(a.conditions)
	}
	test.Tap(a.submit)
	c := h.a.captchaS
	test.Tap(c.emailCode)
	mails, _ := h.Portal.Mailbox(t.Context(), email)
	code := strings.Fields(strings.SplitN(mails[0].Body, "is ", 2)[1])[0][:6]
	test.Type(c.answer, code)
	test.Tap(c.validate)
	act := h.a.activateS
	test.Tap(act.mailbox.button)
	test.Tap(act.mailbox.useLink[0])
	test.Type(act.password, "Tr0ub4dor&3x-Lune")
	test.Type(act.confirm, "Tr0ub4dor&3x-Lune")
	test.Tap(act.submit)
	if h.a.Step() != shell.StepDone {
		t.Fatalf("%s: step %s: %q", email, h.a.Step(), act.message.Text)
	}
}

// TestResendActivationLink: from step 4, "send the link again" asks for a
// new captcha (answered here with the e-mailed code) and mails a new link;
// the previous one stops working.
func TestResendActivationLink(t *testing.T) {
	h := newHarness(t, "en")
	test.Tap(h.a.home.start)
	fillAccount(h.a.accountS, "again@example.fr")
	test.Tap(h.a.accountS.conditions)
	test.Tap(h.a.accountS.submit)
	c := h.a.captchaS
	test.Tap(c.emailCode)
	mails, _ := h.Portal.Mailbox(t.Context(), "again@example.fr")
	test.Type(c.answer, codeInMail.FindString(mails[0].Body))
	test.Tap(c.validate)
	a := h.a.activateS
	if a == nil {
		t.Fatalf("step %s", h.a.Step())
	}
	mails, _ = h.Portal.Mailbox(t.Context(), "again@example.fr")
	first := mails[0].Link
	test.Tap(a.resend)
	if a.resendDialog == nil || a.resendChallenge == "" {
		t.Fatal("no captcha before sending the link again")
	}
	test.Tap(a.resendCode)
	mails, _ = h.Portal.Mailbox(t.Context(), "again@example.fr")
	test.Type(a.resendAnswer, codeInMail.FindString(mails[0].Body))
	test.Tap(a.resendConfirm)
	if !strings.Contains(a.message.Text, "new link was sent") {
		t.Fatalf("message %q", a.message.Text)
	}
	mails, _ = h.Portal.Mailbox(t.Context(), "again@example.fr")
	if mails[0].Link == "" || mails[0].Link == first {
		t.Fatalf("newest mail %+v", mails[0])
	}
	old, _ := api.ActivationToken(first)
	if err := h.Portal.Activate(t.Context(), old, "Tr0ub4dor&3x-Lune"); core.CodeOf(err) != api.CodeTokenInvalid {
		t.Fatalf("the first link still works: %v", err)
	}
	test.Tap(a.mailbox.button)
	test.Tap(a.mailbox.useLink[0])
	test.Type(a.password, "Tr0ub4dor&3x-Lune")
	test.Type(a.confirm, "Tr0ub4dor&3x-Lune")
	test.Tap(a.submit)
	if h.a.Step() != shell.StepDone {
		t.Fatalf("activation with the new link: %q", a.message.Text)
	}
}

// TestSecondFactorByEmail: on a portal that asks for the second factor, a
// first sign-in chooses the e-mailed code, reads it in the sandbox
// mailbox, gets the recovery codes, and is signed in once they are saved;
// the next sign-in sends a code again, and a recovery code used twice is
// refused the second time.
func TestSecondFactorByEmail(t *testing.T) {
	h := newHarnessWith(t, "en", uitest.Options{SecondFactor: true})
	ctx := t.Context()
	const email = "mail2fa@example.fr"
	if err := h.Sim.SeedAccount(ctx, email, "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	h.a.Show(shell.StepSignIn)
	h.a.signInS.email.SetText(email)
	test.Type(h.a.signInS.password, "Tr0ub4dor&3x-Lune")
	test.Tap(h.a.signInS.submit)
	if h.a.Step() != shell.StepSecondFactor {
		t.Fatalf("after the password: %s %q", h.a.Step(), h.a.signInS.message.Text)
	}
	test.Tap(h.a.secondS.useEmail)
	s := h.a.secondS
	if !s.mailbox.button.Visible() {
		t.Fatal("no sandbox mailbox to read the code in")
	}
	mailed := func() string {
		mails, err := h.Portal.Mailbox(ctx, email)
		if err != nil || len(mails) == 0 {
			t.Fatalf("mailbox %v %v", mails, err)
		}
		return codeInMail.FindString(mails[0].Body)
	}
	test.Type(s.code, mailed())
	test.Tap(s.submit)
	r := h.a.secondS
	if r.cont == nil || len(h.a.pending.recovery) != 10 {
		t.Fatalf("no recovery codes: %s %q", h.a.Step(), s.message.Text)
	}
	recovery := h.a.pending.recovery[0]
	test.Tap(r.saved)
	test.Tap(r.cont)
	if h.a.Step() != shell.StepDone || h.a.Session().SignedIn() != email {
		t.Fatalf("after the recovery codes: %s", h.a.Step())
	}
	for i, want := range []shell.Step{shell.StepDone, shell.StepSecondFactor} {
		h.a.Show(shell.StepSignIn)
		h.a.signInS.email.SetText(email)
		test.Type(h.a.signInS.password, "Tr0ub4dor&3x-Lune")
		test.Tap(h.a.signInS.submit)
		s := h.a.secondS
		if h.a.Step() != shell.StepSecondFactor || !strings.Contains(strings.Join(uitest.VisibleTexts(s.content), " "), "was sent to "+email) {
			t.Fatalf("sign-in %d: %s", i, h.a.Step())
		}
		test.Tap(s.useRecovery)
		test.Type(s.code, recovery)
		test.Tap(s.submit)
		if h.a.Step() != want {
			t.Fatalf("recovery code, use %d: %s %q", i+1, h.a.Step(), s.message.Text)
		}
		if i == 1 && !strings.Contains(s.message.Text, "wrong, expired or already used") {
			t.Fatalf("a recovery code used twice: %q", s.message.Text)
		}
	}
}

func TestHomeShowsTheSixSteps(t *testing.T) {
	h := newHarness(t, "en")
	u := h.a
	// The screen's heading first: a screen reader says it when the step changes.
	if got := u.Win().Title(); got != "Create an account and a structure in a few steps - Chorus Onboard - Local sandbox" {
		t.Errorf("title %q", got)
	}
	if got := u.home.title.Text; got != "Create an account and a structure in a few steps" {
		t.Errorf("heading %q", got)
	}
	want := []string{"Create an account", "Personal information", "Validate the captcha", "Activate your account"}
	for i, w := range want {
		if u.home.steps[i].Text != w {
			t.Errorf("step %d = %q, want %q", i+1, u.home.steps[i].Text, w)
		}
	}
	if u.Bars().Env.Text != "Local sandbox" || !strings.HasPrefix(u.Bars().Line.Text, "Online") {
		t.Errorf("environment %q, status %q", u.Bars().Env.Text, u.Bars().Line.Text)
	}
}

func TestLanguageSwitch(t *testing.T) {
	h := newHarness(t, "en")
	u := h.a
	if u.Bars().Lang.Text != "Français" {
		t.Fatalf("switch shows %q, want the other language", u.Bars().Lang.Text)
	}
	test.Tap(u.Bars().Lang)
	if u.Text().Lang() != i18n.FR {
		t.Fatalf("language %s after tap", u.Text().Lang())
	}
	if got := u.home.steps[1].Text; got != "Informations personnelles" {
		t.Errorf("step 2 in French = %q", got)
	}
	if u.Bars().Env.Text != "Bac à sable local" || u.Bars().Lang.Text != "English" {
		t.Errorf("header %q / %q", u.Bars().Env.Text, u.Bars().Lang.Text)
	}
	if got := u.App().Preferences().String(shell.PrefLang); got != "fr" {
		t.Errorf("saved language %q", got)
	}
	test.Tap(u.Bars().Lang)
	if u.home.steps[1].Text != "Personal information" {
		t.Errorf("back to English: %q", u.home.steps[1].Text)
	}
}

func TestSavedLanguageWins(t *testing.T) {
	h := newHarness(t, "fr")
	if h.a.home.title.Text != "Créer un compte et une structure en quelques étapes" {
		t.Errorf("heading %q", h.a.home.title.Text)
	}
}

// TestCaptchaOffersTheSandboxMailbox: in the Local sandbox the e-mailed
// code can be read from step 3 itself.
func TestCaptchaOffersTheSandboxMailbox(t *testing.T) {
	h := newHarness(t, "en")
	test.Tap(h.a.home.start)
	fillAccount(h.a.accountS, "code@example.fr")
	test.Tap(h.a.accountS.conditions)
	test.Tap(h.a.accountS.submit)
	c := h.a.captchaS
	if c == nil || !c.mailbox.button.Visible() {
		t.Fatal("no sandbox mailbox on the captcha screen")
	}
	test.Tap(c.emailCode)
	test.Tap(c.mailbox.button)
	if c.mailbox.dialog == nil {
		t.Fatalf("mailbox not shown: %q", c.message.Text)
	}
}
