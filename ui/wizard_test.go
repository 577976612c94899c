package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
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
	test.Tap(h.ui.home.start)
	s := h.ui.accountS
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
	test.Tap(h.ui.home.start)
	s := h.ui.accountS
	test.Type(s.loginEmail, "paul@example.fr")
	test.Type(s.firstName, "Paul")
	s.saveNow() // the debounce timer's work, done now
	if s.saved.Text != "Enregistré sur cet ordinateur." {
		t.Errorf("saved label %q", s.saved.Text)
	}
	h.open() // the app starts again
	s = h.ui.accountS
	if h.ui.step != stepAccount || s == nil || s.loginEmail.Text != "paul@example.fr" || s.firstName.Text != "Paul" {
		t.Fatalf("after restart: step %s", h.ui.step)
	}
	recs, _ := h.store.Accounts(t.Context())
	if len(recs) != 1 || recs[0].Draft.LoginEmail != "paul@example.fr" || len(recs[0].Problems) == 0 {
		t.Fatalf("stored drafts: %+v", recs)
	}
}

// TestStepsOneToFive goes from the personal information to
// "Congratulations", against chorus-sim, with the non-visual captcha and
// the sandbox mailbox.
func TestStepsOneToFive(t *testing.T) {
	h := newHarness(t, "en")
	test.Tap(h.ui.home.start)
	fillAccount(h.ui.accountS, "jeanne@example.fr")
	test.Tap(h.ui.accountS.conditions)
	test.Tap(h.ui.accountS.submit)

	c := h.ui.captchaS
	if c == nil || c.id == "" || c.image.Image == nil {
		t.Fatal("step 3 shows no captcha image")
	}
	test.Tap(c.emailCode)
	if !strings.Contains(c.message.Text, "jeanne@example.fr") {
		t.Fatalf("code message %q", c.message.Text)
	}
	mails, err := h.portal.Mailbox(t.Context(), "jeanne@example.fr")
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
	mails, _ = h.portal.Mailbox(t.Context(), "jeanne@example.fr")
	code = strings.Fields(strings.SplitN(mails[0].Body, "is ", 2)[1])[0][:6]
	test.Type(c.answer, code)
	test.Tap(c.validate)

	a := h.ui.activateS
	if a == nil || h.ui.step != stepActivation {
		t.Fatalf("step %s after the captcha", h.ui.step)
	}
	test.Tap(a.mailbox)
	if len(a.useLink) != 1 {
		t.Fatalf("%d activation links in the mailbox", len(a.useLink))
	}
	test.Tap(a.useLink[0])
	if token(a.link.Text) == "" {
		t.Fatalf("link %q", a.link.Text)
	}
	test.Type(a.password, "jeanne2026")
	if !a.submit.Disabled() || a.checks["check.length"].Importance != widget.DangerImportance {
		t.Fatal("a short password passes the checklist")
	}
	a.password.SetText("")
	test.Type(a.password, "Tr0ub4dor&3x-Lune")
	test.Type(a.confirm, "Tr0ub4dor&3x-Lune")
	for k, l := range a.checks {
		if l.Importance != widget.SuccessImportance {
			t.Errorf("%s not ticked: %q", k, l.Text)
		}
	}
	test.Tap(a.submit)
	if h.ui.step != stepDone || h.ui.doneS == nil {
		t.Fatalf("step %s after the password: %q", h.ui.step, a.message.Text)
	}
	if _, err := h.portal.SignIn(t.Context(), "jeanne@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatalf("the account does not work: %v", err)
	}
}
