package ui

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
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
	if h.pending == nil {
		t.Fatal("typing scheduled no save")
	}
	h.flush() // the debounce timer fires
	if s.saved.Text != "Enregistré sur cet ordinateur." {
		t.Errorf("saved label %q", s.saved.Text)
	}
	h.open() // the app starts again
	s = h.ui.accountS
	if h.ui.step != stepAccount || s == nil || s.loginEmail.Text != "paul@example.fr" || s.firstName.Text != "Paul" {
		t.Fatalf("after restart: step %s", h.ui.step)
	}
	rec, err := h.store.Accounts.Account(t.Context(), int64(h.app.Preferences().Int(prefAccountID)))
	if err != nil || rec.Draft.LoginEmail != "paul@example.fr" || len(rec.Problems) == 0 {
		t.Fatalf("stored draft: %+v %v", rec, err)
	}
	if _, err := h.store.Accounts.Account(t.Context(), rec.ID+1); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("a second draft was stored: %v", err)
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
	// The account went through the outbox: its row is done, the account sent.
	rec, _ := h.store.Accounts.Account(t.Context(), h.ui.account.ID)
	ops, _ := h.store.Outbox.Ops(t.Context())
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

// signIn signs the harness's UI in with an existing account.
func signIn(t *testing.T, h *harness, email, password string) {
	t.Helper()
	h.ui.show(stepSignIn)
	s := h.ui.signInS
	s.email.SetText(email)
	test.Type(s.password, password)
	test.Tap(s.submit)
	if h.ui.step != stepDone {
		t.Fatalf("sign in as %s: %q", email, s.message.Text)
	}
}

// TestStructureCreated: step 6 with a SIRET the registry knows and the
// portal does not: pre-filled, submitted, created, recorded in the store.
func TestStructureCreated(t *testing.T) {
	h := newHarness(t, "en")
	if err := h.sim.SeedAccount(t.Context(), "owner@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	signIn(t, h, "owner@example.fr", "Tr0ub4dor&3x-Lune")
	test.Tap(h.ui.doneS.create)
	s := h.ui.structureS
	if !s.submit.Disabled() {
		t.Fatal("Submit enabled on an empty structure form")
	}
	test.Type(s.identifier, "732 829 320 00074")
	if !strings.HasPrefix(s.lookup.Text, "This structure is not present in Chorus Pro.") {
		t.Fatalf("lookup message %q", s.lookup.Text)
	}
	if s.company.Text != "ATELIERS DUPONT ET FILS" || s.zip.Text != "75002" || s.city.Text != "PARIS" || s.address.Text != "12 RUE DE LA PAIX" {
		t.Fatalf("not pre-filled: %q %q %q %q", s.company.Text, s.address.Text, s.zip.Text, s.city.Text)
	}
	if s.submit.Disabled() {
		t.Fatal("Submit disabled on a complete form")
	}
	test.Tap(s.submit)
	if !strings.Contains(s.result.Text, "was created on Chorus Pro") {
		t.Fatalf("result %q", s.result.Text)
	}
	rec := h.structureByKey("SIRET", "73282932000074")
	if rec.Sync.State != "created" || rec.Sync.PortalID == "" {
		t.Fatalf("stored %+v", rec.Sync)
	}
}

// TestNonDiffusiblePrefill: masked fields stay empty and the option is set.
func TestNonDiffusiblePrefill(t *testing.T) {
	h := newHarness(t, "fr")
	if err := h.sim.SeedAccount(t.Context(), "nd@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	signIn(t, h, "nd@example.fr", "Tr0ub4dor&3x-Lune")
	test.Tap(h.ui.doneS.create)
	s := h.ui.structureS
	test.Type(s.identifier, "79068156300017")
	if !s.nonDiffusible.Checked || s.company.Text != "" || s.address.Text != "" || !strings.Contains(s.lookup.Text, "non diffusible") {
		t.Fatalf("non-diffusible: %v %q %q %q", s.nonDiffusible.Checked, s.company.Text, s.address.Text, s.lookup.Text)
	}
}

// TestAttachmentApproved: a SIRET that exists leads to an attachment
// request; its principal manager signs in, sees it and approves it; the
// requester sees it approved.
func TestAttachmentApproved(t *testing.T) {
	h := newHarness(t, "en")
	if err := h.sim.SeedStructure(t.Context(), "73282932000074", "ATELIERS"); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.SeedAccount(t.Context(), "asker@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	signIn(t, h, "asker@example.fr", "Tr0ub4dor&3x-Lune")
	test.Tap(h.ui.doneS.create)
	s := h.ui.structureS
	test.Type(s.identifier, "73282932000074")
	if !strings.HasPrefix(s.lookup.Text, "This structure already exists") || !s.requestAttach.Visible() {
		t.Fatalf("exists: %q", s.lookup.Text)
	}
	test.Tap(s.requestAttach)
	a := h.ui.attachS
	if a == nil || a.target == nil || a.request.Disabled() {
		t.Fatalf("attach screen: %+v", a)
	}
	test.Tap(a.request)
	if !strings.HasPrefix(a.message.Text, "Pending · ") {
		t.Fatalf("after the request: %q", a.message.Text)
	}
	// The manager.
	signIn(t, h, "gestionnaire.73282932000074@chorus-sim.example", "Gestionnaire-73282932000074!")
	if n := approveAll(t, h); n != 1 {
		t.Fatalf("%d requests waiting for the manager", n)
	}
	if m := h.ui.approvalsS.message.Text; !strings.Contains(m, "1 request approved") {
		t.Fatalf("manager message %q", m)
	}
	// The requester again.
	signIn(t, h, "asker@example.fr", "Tr0ub4dor&3x-Lune")
	if got := myRequests(h); got != "[Approved]" {
		t.Fatalf("requester sees %s", got)
	}
}

// approveAll approves every request waiting for the signed-in manager, as
// a manager does on the approvals screen: tick all, Approve, confirm. It
// returns how many were waiting.
func approveAll(t *testing.T, h *harness) int {
	t.Helper()
	h.ui.show(stepApprovals)
	a := h.ui.approvalsS
	n := len(a.waitingRows)
	a.waiting.OnCheckAll(true)
	test.Tap(a.approve)
	tapDialogButton(t, h, "Approve")
	return n
}

// myRequests lists the statuses of the user's requests as the approvals
// screen shows them.
func myRequests(h *harness) string {
	h.ui.show(stepApprovals)
	var out []string
	for _, r := range h.ui.approvalsS.mineRows {
		text, _ := h.ui.text.attachmentChip(r.Status)
		out = append(out, text)
	}
	return fmt.Sprint(out)
}

// TestOfflineAccountWaits: with no portal, step 3 says what will happen and
// the account waits in the outbox.
func TestOfflineAccountWaits(t *testing.T) {
	h := newHarness(t, "en")
	h.goOffline()
	test.Tap(h.ui.home.start)
	fillAccount(h.ui.accountS, "off@example.fr")
	test.Tap(h.ui.accountS.conditions)
	test.Tap(h.ui.accountS.submit)
	c := h.ui.captchaS
	if !strings.HasPrefix(c.message.Text, "You are offline.") || !c.validate.Disabled() {
		t.Fatalf("offline captcha: %q", c.message.Text)
	}
	ops, _ := h.store.Outbox.Ops(t.Context())
	rec, _ := h.store.Accounts.Account(t.Context(), h.ui.account.ID)
	if len(ops) != 1 || ops[0].Kind != "account.create" || ops[0].State != "pending" || rec.Sync.State != "queued" {
		t.Fatalf("outbox %+v, account %s", ops, rec.Sync.State)
	}
}

// TestSyncPanel: a structure the portal refuses shows with its message;
// discard takes it back to draft; retry now sends what waits.
func TestSyncPanel(t *testing.T) {
	h := newHarness(t, "en")
	if err := h.sim.SeedAccount(t.Context(), "panel@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	signIn(t, h, "panel@example.fr", "Tr0ub4dor&3x-Lune")
	// Queued while "offline" (the rows were written, nothing sent yet).
	bad := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "73282932000079", Kind: core.KindPrivate,
		CompanyName: "Refusée", Address: "1 rue", City: "Paris", PostalCode: "75002", Country: "FR"}
	good := bad
	good.Identifier, good.CompanyName = "35600000049837", "Acceptée"
	queueRefused(t, h, bad)
	if _, _, err := h.store.Structures.SaveStructure(t.Context(), core.SaveStructure{Checked: core.CheckStructure(good), Queue: true}); err != nil {
		t.Fatal(err)
	}
	test.Tap(h.ui.bar.sync)
	p := h.ui.syncS
	if len(p.list.Objects) != 2 || len(p.discard) != 2 {
		t.Fatalf("%d rows, %d discard buttons", len(p.list.Objects), len(p.discard))
	}
	test.Tap(p.retry)
	if len(p.discard) != 1 {
		t.Fatalf("after retry: %d rows still with a discard button", len(p.discard))
	}
	refused := h.structureByKey(core.IDSIRET, "73282932000079")
	if refused.Sync.State != core.StateFailed || refused.Sync.Notice.IsZero() {
		t.Fatalf("refused: %+v", refused.Sync)
	}
	test.Tap(p.discard[refused.ID])
	refused = h.structureByKey(core.IDSIRET, "73282932000079")
	if refused.Sync.State != core.StateDraft || len(p.discard) != 0 {
		t.Fatalf("after discard: %s, %d buttons", refused.Sync.State, len(p.discard))
	}
	h.ui.NotifyBatch(SyncResult{Sent: 1, Created: 1})
	if !strings.Contains(p.summary.Text, "created 1") {
		t.Fatalf("summary %q", p.summary.Text)
	}
}

// wizardAccount runs steps 1 to 5 for one person through the screens.
func wizardAccount(t *testing.T, h *harness, email, first string) {
	t.Helper()
	h.ui.show(stepAccount)
	a := h.ui.accountS
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
	c := h.ui.captchaS
	test.Tap(c.emailCode)
	mails, _ := h.portal.Mailbox(t.Context(), email)
	code := strings.Fields(strings.SplitN(mails[0].Body, "is ", 2)[1])[0][:6]
	test.Type(c.answer, code)
	test.Tap(c.validate)
	act := h.ui.activateS
	test.Tap(act.mailbox.button)
	test.Tap(act.mailbox.useLink[0])
	test.Type(act.password, "Tr0ub4dor&3x-Lune")
	test.Type(act.confirm, "Tr0ub4dor&3x-Lune")
	test.Tap(act.submit)
	if h.ui.step != stepDone {
		t.Fatalf("%s: step %s: %q", email, h.ui.step, act.message.Text)
	}
}

// TestWholeFlowToApprovedAttachment: from step 1 to an approved attachment
// request, only through the screens, against chorus-sim: Alice creates her
// account and her company's structure; Bob creates his account and asks to
// be connected to it; Alice approves; Bob sees it approved.
func TestWholeFlowToApprovedAttachment(t *testing.T) {
	h := newHarness(t, "en")
	wizardAccount(t, h, "alice@example.fr", "Alice")
	test.Tap(h.ui.doneS.create)
	s := h.ui.structureS
	test.Type(s.identifier, "732 829 320 00074")
	test.Tap(s.submit)
	if !strings.Contains(s.result.Text, "You are its principal manager") {
		t.Fatalf("structure: %q", s.result.Text)
	}

	wizardAccount(t, h, "bob@example.fr", "Bob")
	test.Tap(h.ui.doneS.attach)
	a := h.ui.attachS
	a.identifier.SetText("73282932000074")
	test.Tap(a.search)
	test.Tap(a.request)
	if !strings.HasPrefix(a.message.Text, "Pending · ") {
		t.Fatalf("request: %q", a.message.Text)
	}

	signIn(t, h, "alice@example.fr", "Tr0ub4dor&3x-Lune")
	approveAll(t, h)
	signIn(t, h, "bob@example.fr", "Tr0ub4dor&3x-Lune")
	if got := myRequests(h); got != "[Approved]" {
		t.Fatalf("Bob sees %s", got)
	}
}

// TestRefusalFollowsTheLanguage: the portal's refusal is stored as a code
// with its parameters, so switching language shows it in the new one.
func TestRefusalFollowsTheLanguage(t *testing.T) {
	h := newHarness(t, "en")
	if err := h.sim.SeedAccount(t.Context(), "lang@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	signIn(t, h, "lang@example.fr", "Tr0ub4dor&3x-Lune")
	bad := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "73282932000079", Kind: core.KindPrivate,
		CompanyName: "Refusée", Address: "1 rue", City: "Paris", PostalCode: "75002", Country: "FR"}
	queueRefused(t, h, bad)
	test.Tap(h.ui.bar.sync)
	test.Tap(h.ui.syncS.retry)
	text := func() string {
		var all []string
		for _, o := range h.ui.syncS.list.Objects {
			for _, l := range test.LaidOutObjects(o) {
				if lbl, ok := l.(*widget.Label); ok {
					all = append(all, lbl.Text)
				}
			}
		}
		return strings.Join(all, "\n")
	}
	en := text()
	if !strings.Contains(en, "SIRET") || !strings.Contains(en, "check digit") {
		t.Fatalf("refusal in English: %q", en)
	}
	test.Tap(h.ui.head.lang)
	fr := text()
	if fr == en || !strings.Contains(fr, "clé de contrôle") || !strings.Contains(fr, "Identifiant : ") {
		t.Fatalf("refusal after switching to French: %q", fr)
	}
}

// TestResendActivationLink: from step 4, "send the link again" asks for a
// new captcha (answered here with the e-mailed code) and mails a new link;
// the previous one stops working.
func TestResendActivationLink(t *testing.T) {
	h := newHarness(t, "en")
	test.Tap(h.ui.home.start)
	fillAccount(h.ui.accountS, "again@example.fr")
	test.Tap(h.ui.accountS.conditions)
	test.Tap(h.ui.accountS.submit)
	c := h.ui.captchaS
	test.Tap(c.emailCode)
	mails, _ := h.portal.Mailbox(t.Context(), "again@example.fr")
	test.Type(c.answer, codeInMail.FindString(mails[0].Body))
	test.Tap(c.validate)
	a := h.ui.activateS
	if a == nil {
		t.Fatalf("step %s", h.ui.step)
	}
	mails, _ = h.portal.Mailbox(t.Context(), "again@example.fr")
	first := mails[0].Link
	test.Tap(a.resend)
	if a.resendDialog == nil || a.resendChallenge == "" {
		t.Fatal("no captcha before sending the link again")
	}
	test.Tap(a.resendCode)
	mails, _ = h.portal.Mailbox(t.Context(), "again@example.fr")
	test.Type(a.resendAnswer, codeInMail.FindString(mails[0].Body))
	test.Tap(a.resendConfirm)
	if !strings.Contains(a.message.Text, "new link was sent") {
		t.Fatalf("message %q", a.message.Text)
	}
	mails, _ = h.portal.Mailbox(t.Context(), "again@example.fr")
	if mails[0].Link == "" || mails[0].Link == first {
		t.Fatalf("newest mail %+v", mails[0])
	}
	old, _ := api.ActivationToken(first)
	if err := h.portal.Activate(t.Context(), old, "Tr0ub4dor&3x-Lune"); core.CodeOf(err) != api.CodeTokenInvalid {
		t.Fatalf("the first link still works: %v", err)
	}
	test.Tap(a.mailbox.button)
	test.Tap(a.mailbox.useLink[0])
	test.Type(a.password, "Tr0ub4dor&3x-Lune")
	test.Type(a.confirm, "Tr0ub4dor&3x-Lune")
	test.Tap(a.submit)
	if h.ui.step != stepDone {
		t.Fatalf("activation with the new link: %q", a.message.Text)
	}
}

// TestSubmitSendsThatStructureFirst: with 10,000 structures queued by an
// import, a structure submitted from the form is sent at once, alone: it
// is created, and the backlog waits for the worker (before, the form
// drained the whole queue under its deadline and read back on an expired
// context).
func TestSubmitSendsThatStructureFirst(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	h := newHarness(t, "en")
	if err := h.sim.SeedAccount(t.Context(), "owner@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	const backlog = 10_000
	var batch []core.SaveStructure
	for _, id := range coretest.SIRETs(backlog + 1)[1:] {
		batch = append(batch, core.SaveStructure{Queue: true, Target: core.TargetLocal, Checked: core.CheckStructure(core.StructureDraft{IdentifierType: core.IDSIRET,
			Identifier: id, Kind: core.KindPrivate, CompanyName: "Backlog " + id, Address: "1 rue", City: "Paris", PostalCode: "75002", Country: "FR"})})
		if len(batch) == 500 {
			if _, err := h.store.Structures.SaveStructures(t.Context(), batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	signIn(t, h, "owner@example.fr", "Tr0ub4dor&3x-Lune")
	test.Tap(h.ui.doneS.create)
	s := h.ui.structureS
	test.Type(s.identifier, "732 829 320 00074")
	test.Tap(s.submit)
	if !strings.Contains(s.result.Text, "was created on Chorus Pro") {
		t.Fatalf("result %q", s.result.Text)
	}
	if rec := h.structureByKey("SIRET", "73282932000074"); rec.Sync.State != core.StateCreated {
		t.Fatalf("the submitted structure: %+v", rec.Sync)
	}
	counts, pending, err := h.svc.Sync.Counts(t.Context())
	if err != nil || counts[core.StateQueued] != backlog || pending != backlog {
		t.Fatalf("the backlog: %v, %d rows pending, %v", counts, pending, err)
	}
}

// TestSecondFactorByEmail: on a portal that asks for the second factor, a
// first sign-in chooses the e-mailed code, reads it in the sandbox
// mailbox, gets the recovery codes, and is signed in once they are saved;
// the next sign-in sends a code again, and a recovery code used twice is
// refused the second time.
func TestSecondFactorByEmail(t *testing.T) {
	h := newHarnessWith(t, "en", harnessOptions{secondFactor: true})
	ctx := t.Context()
	const email = "mail2fa@example.fr"
	if err := h.sim.SeedAccount(ctx, email, "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	h.ui.show(stepSignIn)
	h.ui.signInS.email.SetText(email)
	test.Type(h.ui.signInS.password, "Tr0ub4dor&3x-Lune")
	test.Tap(h.ui.signInS.submit)
	if h.ui.step != stepSecondFactor {
		t.Fatalf("after the password: %s %q", h.ui.step, h.ui.signInS.message.Text)
	}
	test.Tap(h.ui.secondS.useEmail)
	s := h.ui.secondS
	if !s.mailbox.button.Visible() {
		t.Fatal("no sandbox mailbox to read the code in")
	}
	mailed := func() string {
		mails, err := h.portal.Mailbox(ctx, email)
		if err != nil || len(mails) == 0 {
			t.Fatalf("mailbox %v %v", mails, err)
		}
		return codeInMail.FindString(mails[0].Body)
	}
	test.Type(s.code, mailed())
	test.Tap(s.submit)
	r := h.ui.secondS
	if r.cont == nil || len(h.ui.pending.recovery) != 10 {
		t.Fatalf("no recovery codes: %s %q", h.ui.step, s.message.Text)
	}
	recovery := h.ui.pending.recovery[0]
	test.Tap(r.saved)
	test.Tap(r.cont)
	if h.ui.step != stepDone || h.ui.signedIn != email {
		t.Fatalf("after the recovery codes: %s", h.ui.step)
	}
	for i, want := range []step{stepDone, stepSecondFactor} {
		h.ui.show(stepSignIn)
		h.ui.signInS.email.SetText(email)
		test.Type(h.ui.signInS.password, "Tr0ub4dor&3x-Lune")
		test.Tap(h.ui.signInS.submit)
		s := h.ui.secondS
		if h.ui.step != stepSecondFactor || !strings.Contains(strings.Join(visibleTexts(s.content), " "), "was sent to "+email) {
			t.Fatalf("sign-in %d: %s", i, h.ui.step)
		}
		test.Tap(s.useRecovery)
		test.Type(s.code, recovery)
		test.Tap(s.submit)
		if h.ui.step != want {
			t.Fatalf("recovery code, use %d: %s %q", i+1, h.ui.step, s.message.Text)
		}
		if i == 1 && !strings.Contains(s.message.Text, "wrong, expired or already used") {
			t.Fatalf("a recovery code used twice: %q", s.message.Text)
		}
	}
}

// queueRefused queues d, which the portal refuses, as an older version
// whose rules let it through would have: the store takes only what
// today's rules pass, so a valid structure is queued and its record and
// row rewritten underneath.
func queueRefused(t *testing.T, h *harness, d core.StructureDraft) {
	t.Helper()
	valid := d
	valid.Identifier = "73282932000074"
	if _, _, err := h.store.Structures.SaveStructure(t.Context(), core.SaveStructure{Checked: core.CheckStructure(valid), Queue: true}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", h.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(t.Context(), `UPDATE structure SET identifier = ? WHERE identifier = ?`, d.Identifier, valid.Identifier); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(t.Context(), `UPDATE outbox SET payload = ? WHERE structure_id = (SELECT id FROM structure WHERE identifier = ?)`,
		core.EncodeStructurePayload(d), d.Identifier); err != nil {
		t.Fatal(err)
	}
}
