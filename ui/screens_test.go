package ui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/registry"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// The screens against fakes of their services: what each screen asks of
// the application layer, and what it shows of the answer, in both
// languages, without a store or a portal behind it.

func TestScreenAccountToActivation(t *testing.T) {
	f := newFakes()
	u := newFakeUI(t, "en", f)
	u.show(stepAccount)
	a := u.accountS
	test.Type(a.loginEmail, "jeanne@cabinet.example")
	test.Type(a.confirmEmail, "jeanne@cabinet.example")
	test.Type(a.firstName, "Jeanne")
	test.Type(a.lastName, "Martin")
	test.Tap(a.conditions)
	tapped(t, a.submit)
	if u.step != stepCaptcha {
		t.Fatalf("after step 2: %s (%v)", u.step, f.accounts.got())
	}
	log := f.accounts.got()
	if !contains(log, "SaveAccount jeanne@cabinet.example") || !contains(log, "QueueAccount") || !contains(log, "Captcha") {
		t.Fatalf("the account screen asked %v", log)
	}
	c := u.captchaS
	test.Type(c.answer, "ab3cd")
	tapped(t, c.validate)
	if u.step != stepActivation || !contains(f.accounts.got(), "SubmitAccount c1 ab3cd") {
		t.Fatalf("after the captcha: %s, %v", u.step, f.accounts.got())
	}
}

// TestScreenCaptchaRefused: a wrong answer says so in the user's language
// and brings a new challenge, whose answer field is empty.
func TestScreenCaptchaRefused(t *testing.T) {
	for _, tt := range []struct{ lang, want string }{{"en", "characters"}, {"fr", "caractères"}} {
		t.Run(tt.lang, func(t *testing.T) {
			f := newFakes()
			f.accounts.rec = core.AccountRecord{ID: 7, Draft: core.AccountDraft{LoginEmail: "a@b.fr"}}
			f.accounts.submitErr = &core.E{Kind: core.KindInvalid, Code: api.CodeCaptchaWrong}
			u := newFakeUI(t, tt.lang, f)
			u.account = f.accounts.rec
			u.show(stepCaptcha)
			c := u.captchaS
			test.Type(c.answer, "zzzzz")
			tapped(t, c.validate)
			if u.step != stepCaptcha || !strings.Contains(c.message.Text, tt.want) || c.answer.Text != "" {
				t.Fatalf("step %s, message %q, answer %q", u.step, c.message.Text, c.answer.Text)
			}
			if n := count(f.accounts.got(), "Captcha"); n != 2 {
				t.Fatalf("%d challenges asked, want a new one after the refusal", n)
			}
		})
	}
}

// TestScreenStructureSubmit: a valid SIRET is looked up once, the
// registry's name and address fill the empty fields, and Create sends the
// form as typed and pre-filled; a refusal is shown, not a success.
func TestScreenStructureSubmit(t *testing.T) {
	f := newFakes()
	f.structures.lookup = onboarding.Lookup{Checked: true, Company: &registry.Company{Siret: "73282932000074", Name: "ATELIERS DUPONT",
		Address: "12 RUE DE LA PAIX", PostalCode: "75002", City: "PARIS", Active: true}}
	u := newFakeUI(t, "en", f)
	u.show(stepStructure)
	s := u.structureS
	test.Type(s.identifier, "732 829 320 00074")
	if got := f.structures.got(); !reflect.DeepEqual(got, []string{"Lookup 73282932000074"}) {
		t.Fatalf("look-ups %v", got)
	}
	if s.company.Text != "ATELIERS DUPONT" || s.city.Text != "PARIS" {
		t.Fatalf("pre-filled %q, %q", s.company.Text, s.city.Text)
	}
	tapped(t, s.submit)
	if !contains(f.structures.got(), "Submit 732 829 320 00074 ATELIERS DUPONT") || !strings.Contains(s.result.Text, "was created") {
		t.Fatalf("submitted %v, result %q", f.structures.got(), s.result.Text)
	}
	closeOverlays(u)
	f.structures.submitErr = &core.E{Kind: core.KindUnavailable, Code: "network.unreachable"}
	tapped(t, s.submit)
	if strings.Contains(s.result.Text, "was created") || s.result.Text == "" || s.submit.Disabled() {
		t.Fatalf("offline: %q, submit disabled %v", s.result.Text, s.submit.Disabled())
	}
}

// TestScreenWorkspaceBulk: the rows come from the query; checking all and
// queueing asks for exactly those rows.
func TestScreenWorkspaceBulk(t *testing.T) {
	f := newFakes()
	for i := int64(1); i <= 3; i++ {
		f.workspace.rows = append(f.workspace.rows, core.StructureSummary{ID: i, IdentifierType: core.IDSIRET,
			Identifier: "7328293200007" + string(rune('0'+i)), CompanyName: "Client", State: core.StateDraft})
	}
	u := newFakeUI(t, "fr", f)
	u.show(stepWorkspace)
	w := u.workspaceS
	if w.showingRows() != 3 {
		t.Fatalf("%d rows shown", w.showingRows())
	}
	w.table.OnCheckAll(true)
	tapped(t, w.queue)
	if got := f.workspace.got(); !contains(got, "QueueStructures 1,2,3") {
		t.Fatalf("asked %v", got)
	}
	if !strings.Contains(w.message.Text, "3") {
		t.Fatalf("the outcome %q does not say how many", w.message.Text)
	}
}

// TestScreenSyncPanel: the unsettled structures are listed with the
// portal's reason, and Discard takes one back.
func TestScreenSyncPanel(t *testing.T) {
	f := newFakes()
	f.sync.unsettled = []core.StructureRecord{
		{ID: 4, Draft: core.StructureDraft{CompanyName: "Refusée SA", Identifier: "73282932000074"},
			Sync: core.Sync{State: core.StateFailed, Notice: core.Notice{Code: "siret.checksum"}}},
		{ID: 5, Draft: core.StructureDraft{CompanyName: "En attente SARL"}, Sync: core.Sync{State: core.StateQueued}},
	}
	u := newFakeUI(t, "en", f)
	u.show(stepSync)
	s := u.syncS
	if len(s.discard) != 2 {
		t.Fatalf("%d discard buttons", len(s.discard))
	}
	tapped(t, s.discard[4])
	if !contains(f.sync.got(), "Discard") || len(u.syncS.discard) != 1 {
		t.Fatalf("asked %v, %d rows left", f.sync.got(), len(u.syncS.discard))
	}
}

// TestScreenApprovals: a manager checks every waiting request and
// approves them in one go, after confirming.
func TestScreenApprovals(t *testing.T) {
	f := newFakes()
	for i := int64(1); i <= 4; i++ {
		f.attachments.lists.Waiting = append(f.attachments.lists.Waiting, api.Attachment{ID: i, Requester: "p@x.fr", Status: api.AttachmentPending})
	}
	u := newFakeUI(t, "en", f)
	u.show(stepApprovals)
	a := u.approvalsS
	a.waiting.OnCheckAll(true)
	if a.approve.Text != "Approve (4)" {
		t.Fatalf("button %q", a.approve.Text)
	}
	tapped(t, a.approve)
	tapDialogIn(t, u.win, "Approve")
	if !contains(f.attachments.got(), "DecideAttachments approve 1,2,3,4") {
		t.Fatalf("asked %v", f.attachments.got())
	}
}

// TestScreenStatusBar: the bar shows the counts that need a look and the
// rows queued for another environment, each from the services' answers.
func TestScreenStatusBar(t *testing.T) {
	f := newFakes()
	f.sync.counts = map[core.SyncState]int{core.StateQueued: 2, core.StateFailed: 1, core.StateCreated: 9}
	f.sync.pending, f.sync.elsewhere = 2, 3
	u := newFakeUI(t, "en", f)
	if b := u.bar.counts[core.FilterQueued]; !b.Visible() || b.Text != "2 queued" {
		t.Fatalf("queued: %q", b.Text)
	}
	if b := u.bar.counts[core.FilterFailed]; !b.Visible() {
		t.Fatal("the failed count is hidden")
	}
	if b := u.bar.counts[core.FilterRefused]; b.Visible() {
		t.Fatalf("a refused count with none refused: %q", b.Text)
	}
	if !strings.Contains(u.bar.line.Text, "Online") || !strings.Contains(u.bar.line.Text, "3") {
		t.Fatalf("line %q", u.bar.line.Text)
	}
	f.conn.health = &core.E{Kind: core.KindUnavailable, Code: "network.unreachable"}
	u.bar.refresh()
	if !strings.HasPrefix(u.bar.line.Text, "Offline") {
		t.Fatalf("offline: %q", u.bar.line.Text)
	}
}

// TestScreenSandboxStarting: while a request waits for the Local sandbox,
// the line says it is starting (not offline), the worker's reports keep
// that word and add what waits; once none waits, the portal is asked
// again and the line says what it answers.
func TestScreenSandboxStarting(t *testing.T) {
	for _, tc := range []struct{ lang, starting, online string }{
		{"en", "Starting the Local sandbox…", "Online"},
		{"fr", "Démarrage du bac à sable local…", "En ligne"},
	} {
		f := newFakes()
		u := newFakeUI(t, tc.lang, f)
		u.ShowSandboxStarting(true)
		if got := u.bar.line.Text; got != tc.starting {
			t.Fatalf("%s: waiting: %q", tc.lang, got)
		}
		u.ShowSyncStatus(false, 2)
		if got := u.bar.line.Text; !strings.HasPrefix(got, tc.starting) || !strings.Contains(got, "2") {
			t.Fatalf("%s: a report while waiting: %q", tc.lang, got)
		}
		u.ShowSandboxStarting(false)
		if got := u.bar.line.Text; !strings.HasPrefix(got, tc.online) {
			t.Fatalf("%s: started: %q", tc.lang, got)
		}
	}
}

// TestScreenSettingsSave: Save hands the settings to the service, and the
// secrets typed to the keyring, never both when the first fails.
func TestScreenSettingsSave(t *testing.T) {
	f := newFakes()
	u := newFakeUI(t, "en", f)
	u.show(stepSettings)
	s := u.settingsS
	s.clientSecret.SetText("s3cret")
	f.conn.saveErr = &core.E{Kind: core.KindInvalid, Code: core.CodeURLInClear}
	tapped(t, s.save)
	if got := f.conn.got(); len(got) != 1 || !strings.HasPrefix(got[0], "SaveSettings") || s.message.Text == "" {
		t.Fatalf("a refused save asked %v, said %q", got, s.message.Text)
	}
	f.conn.saveErr = nil
	tapped(t, s.save)
	if got := f.conn.got(); !contains(got, "SaveSecrets local") || s.clientSecret.Text != "" {
		t.Fatalf("asked %v; the secret entry holds %q", got, s.clientSecret.Text)
	}
}

func contains(log []string, s string) bool {
	for _, l := range log {
		if l == s {
			return true
		}
	}
	return false
}

func count(log []string, s string) int {
	n := 0
	for _, l := range log {
		if l == s {
			n++
		}
	}
	return n
}

// closeOverlays closes every dialog of u's window.
func closeOverlays(u *UI) {
	for u.win.Canvas().Overlays().Top() != nil {
		u.win.Canvas().Overlays().Remove(u.win.Canvas().Overlays().Top())
	}
}

// TestScreenSecondFactorEnrolment: after activation the first sign-in
// chooses an authenticator app, shows its QR code and key, takes the
// code, then shows the recovery codes, and goes on only once the user
// says they are saved.
func TestScreenSecondFactorEnrolment(t *testing.T) {
	f := newFakes()
	f.accounts.challenge = &api.SecondFactorChallenge{Challenge: "c1", Enrol: true, Methods: []string{api.MethodTOTP, api.MethodEmail}}
	f.accounts.enrolment = api.Enrolment{Method: api.MethodTOTP, Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
		OTPAuthURL: "otpauth://totp/Chorus:ana@example.fr?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Chorus", Status: "scan_and_confirm"}
	f.accounts.recovery = []string{"AAAAA-BBBBB", "CCCCC-DDDDD"}
	u := newFakeUI(t, "en", f)
	u.passwordAccepted("ana@example.fr", f.accounts.challenge)
	if u.step != stepSecondFactor || u.secondS.useApp == nil {
		t.Fatalf("after a right password: %s", u.step)
	}
	tapped(t, u.secondS.useApp)
	s := u.secondS
	if s.secretTx == nil || s.secretTx.Text != "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP" {
		t.Fatalf("the key as text: %+v", s.secretTx)
	}
	tapped(t, s.submit)
	if !strings.Contains(s.message.Text, "Type the code") || contains(f.accounts.got(), "FinishSignIn") {
		t.Fatalf("no code: %q %v", s.message.Text, f.accounts.got())
	}
	test.Type(s.code, "123 456")
	test.Tap(s.trust)
	tapped(t, s.submit)
	if !contains(f.accounts.got(), "FinishSignIn code=123456 recovery= trust=true") || u.step != stepSecondFactor || u.secondS.cont == nil {
		t.Fatalf("after the code: %s %v", u.step, f.accounts.got())
	}
	r := u.secondS
	if !r.cont.Disabled() {
		t.Fatal("Continue before the recovery codes are saved")
	}
	test.Tap(r.saved)
	tapped(t, r.cont)
	if u.step != stepDone || u.signedIn != "ana@example.fr" || u.pending != nil {
		t.Fatalf("after the recovery codes: %s %q", u.step, u.signedIn)
	}
}

// TestScreenSecondFactorCode: at a later sign-in, a recovery code; a void
// challenge says to sign in again; a keyring that does not answer leaves
// the user signed in and says the computer is not trusted.
func TestScreenSecondFactorCode(t *testing.T) {
	for _, tt := range []struct {
		name      string
		err       error
		wantStep  step
		wantInMsg string
	}{
		{"accepted", nil, stepDone, ""},
		{"void challenge", &core.E{Kind: core.KindInvalid, Code: api.CodeChallengeInvalid}, stepSecondFactor, "sign in again"},
		{"wrong code", &core.E{Kind: core.KindUnauthorized, Code: api.CodeSecondFactorWrong}, stepSecondFactor, "wrong"},
		{"no keyring", &core.E{Kind: core.KindUnavailable, Code: "keyring.unavailable"}, stepDone, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes()
			f.accounts.challenge = &api.SecondFactorChallenge{Challenge: "c2", Methods: []string{api.MethodTOTP, api.MethodRecovery}}
			f.accounts.finishErr = tt.err
			u := newFakeUI(t, "en", f)
			u.show(stepSignIn)
			test.Type(u.signInS.email, "ana@example.fr")
			test.Type(u.signInS.password, "Tr0ub4dor&3x-Lune")
			tapped(t, u.signInS.submit)
			s := u.secondS
			if u.step != stepSecondFactor || s.code == nil {
				t.Fatalf("after the password: %s", u.step)
			}
			test.Tap(s.useRecovery)
			test.Type(s.code, "abcde-fghjk")
			tapped(t, s.submit)
			if !contains(f.accounts.got(), "FinishSignIn code= recovery=abcde-fghjk trust=false") || u.step != tt.wantStep {
				t.Fatalf("step %s, asked %v", u.step, f.accounts.got())
			}
			if tt.wantInMsg != "" && !strings.Contains(s.message.Text, tt.wantInMsg) {
				t.Fatalf("message %q", s.message.Text)
			}
			if tt.name == "void challenge" && !s.submit.Disabled() {
				t.Fatal("a void challenge still offers Confirm")
			}
			if tt.name == "no keyring" && (u.signedIn == "" || !containsText(u.doneS.content, "could not be trusted")) {
				t.Fatalf("signed in %q; the done screen does not say the computer is not trusted", u.signedIn)
			}
		})
	}
}

// TestScreenTrustedComputers: the settings list the account's trusted
// computers, mark this one, and revoke one.
func TestScreenTrustedComputers(t *testing.T) {
	f := newFakes()
	f.accounts.devices = []api.Device{{ID: 3, Name: "Chorus Onboard (PC-COMPTA-03)", LastUsed: 1_796_000_000, Expires: 1_803_776_000},
		{ID: 9, Name: "onboardctl (srv-batch)", LastUsed: 1_795_000_000, Expires: 1_802_776_000}}
	f.accounts.this = 3
	u := newFakeUI(t, "fr", f)
	u.show(stepSettings)
	if got := u.settingsS.devices.list.Objects; len(got) != 1 {
		t.Fatalf("signed out: %d rows, want the sign-in hint", len(got))
	}
	u.signedIn = "ana@example.fr"
	u.show(stepSettings)
	d := u.settingsS.devices
	if len(d.revoke) != 2 {
		t.Fatalf("%d rows", len(d.revoke))
	}
	tapped(t, d.revoke[1])
	if !contains(f.accounts.got(), "RevokeDevice 9") || len(d.revoke) != 1 || !strings.Contains(d.message.Text, "n'est plus de confiance") {
		t.Fatalf("after revoking: %v, %d rows, %q", f.accounts.got(), len(d.revoke), d.message.Text)
	}
}

// TestScreenChangePassword (issue 29): the settings change the password
// with the current one; Submit waits for the policy; a wrong current
// password is said in the dialog; once changed, the list is read again.
func TestScreenChangePassword(t *testing.T) {
	f := newFakes()
	f.accounts.devices = []api.Device{{ID: 3, Name: "Chorus Onboard (PC-COMPTA-03)", LastUsed: 1_796_000_000, Expires: 1_803_776_000}}
	u := newFakeUI(t, "en", f)
	u.show(stepSettings)
	if u.settingsS.devices.change.Visible() {
		t.Fatal("signed out, the password change is offered")
	}
	u.signedIn = "ana@example.fr"
	u.show(stepSettings)
	d := u.settingsS.devices
	tapped(t, d.change)
	p := d.pw
	if p == nil || !p.submit.Disabled() {
		t.Fatal("no dialog, or Submit before anything is typed")
	}
	test.Type(p.current, "Wrong-passw0rd!")
	test.Type(p.next, "short")
	test.Type(p.confirm, "short")
	if !p.submit.Disabled() {
		t.Fatal("a weak new password can be submitted")
	}
	p.next.SetText("Nouveau-M0t-de-passe!")
	p.confirm.SetText("Nouveau-M0t-de-passe!")
	tapped(t, p.submit)
	if !contains(f.accounts.got(), "ChangePassword ana@example.fr") || d.pw == nil || p.message.Text == "" {
		t.Fatalf("a wrong current password: %v, message %q", f.accounts.got(), p.message.Text)
	}
	p.current.SetText("Tr0ub4dor&3x-Lune")
	tapped(t, p.submit)
	if d.pw != nil || !strings.Contains(d.message.Text, "Password changed") || len(d.revoke) != 0 {
		t.Fatalf("after the change: dialog %v, message %q, %d computers", d.pw != nil, d.message.Text, len(d.revoke))
	}
}

// TestScreenSecondFactorMailThrottled (issue 29): a challenge whose code
// could not be mailed says why, when to try again, and offers the
// recovery code at once.
func TestScreenSecondFactorMailThrottled(t *testing.T) {
	f := newFakes()
	f.accounts.challenge = &api.SecondFactorChallenge{Challenge: "c3", Methods: []string{api.MethodEmail, api.MethodRecovery},
		EmailNotSent: api.CodeMailThrottled, RetryAfter: 1700}
	u := newFakeUI(t, "en", f)
	u.show(stepSignIn)
	test.Type(u.signInS.email, "ana@example.fr")
	test.Type(u.signInS.password, "Tr0ub4dor&3x-Lune")
	tapped(t, u.signInS.submit)
	s := u.secondS
	if u.step != stepSecondFactor || !s.useRecovery.Checked || !containsText(s.content, "No code was sent") || !containsText(s.content, "29 min") {
		t.Fatalf("step %s, recovery ticked %v", u.step, s.useRecovery.Checked)
	}
}

// containsText reports whether a label under o shows text.
func containsText(o fyne.CanvasObject, text string) bool {
	switch w := o.(type) {
	case *widget.Label:
		return strings.Contains(w.Text, text)
	case *fyne.Container:
		for _, c := range w.Objects {
			if containsText(c, text) {
				return true
			}
		}
	case *container.Scroll:
		return containsText(w.Content, text)
	case fyne.Widget:
		r := test.WidgetRenderer(w)
		for _, c := range r.Objects() {
			if containsText(c, text) {
				return true
			}
		}
	}
	return false
}

// TestScreenPeople: the people tab lists the structures the user manages,
// marks the one only the user manages, shows its people with what the
// principal may do, hands the role over after a confirmation (the user
// then sees no principal's actions), and invites by e-mail.
func TestScreenPeople(t *testing.T) {
	f := newFakes()
	f.people.managed = []api.Managed{
		{StructureID: 1, IdentifierType: core.IDSIRET, Identifier: "73282932000074", CompanyName: "ATELIERS DUPONT", Role: api.RolePrincipal, Managers: 1},
		{StructureID: 2, IdentifierType: core.IDSIRET, Identifier: "44306184100047", CompanyName: "SCIERIE", Role: api.RolePrincipal, Managers: 2},
	}
	f.people.members = map[int64][]api.Member{
		1: {{AccountID: 10, Email: "ana@example.fr", Name: "Ana Lima", Role: api.RolePrincipal},
			{AccountID: 11, Email: "bob@example.fr", Name: "Bob Roy", Role: api.RoleUser}},
		2: {{AccountID: 10, Email: "ana@example.fr", Name: "Ana Lima", Role: api.RolePrincipal},
			{AccountID: 12, Email: "chloe@example.fr", Name: "Chloé Petit", Role: api.RoleSecondary}},
	}
	u := newFakeUI(t, "en", f)
	u.show(stepApprovals)
	s := u.approvalsS
	s.tabs.SelectIndex(2)
	p := s.people
	if len(p.managed) != 2 || !p.alone(p.managed[0]) || p.alone(p.managed[1]) {
		t.Fatalf("managed %+v", p.managed)
	}
	p.structures.Select(0)
	if !strings.Contains(p.head.Text, "Only you manage") || len(p.actions[api.MemberPromote]) != 1 || len(p.actions[api.MemberTransfer]) != 0 {
		t.Fatalf("structure 1: %q, actions %v", p.head.Text, p.actions)
	}
	p.structures.Select(1)
	if len(p.actions[api.MemberTransfer]) != 1 || len(p.actions[api.MemberDemote]) != 1 {
		t.Fatalf("structure 2: actions %v", p.actions)
	}
	test.Tap(p.actions[api.MemberTransfer][0])
	tapDialogIn(t, u.win, "Yes")
	if !contains(f.people.got(), "ChangeMember 2 12 transfer") || p.principal() || len(p.actions) != 0 ||
		!strings.Contains(p.message.Text, "Chloé Petit is now the principal manager") {
		t.Fatalf("after the hand-over: %v, actions %v, %q", f.people.got(), p.actions, p.message.Text)
	}
	test.Type(p.invite, "dan@example.fr")
	tapped(t, p.send)
	if !contains(f.people.got(), "Invite 2 dan@example.fr") || !strings.Contains(p.message.Text, "dan@example.fr is invited") {
		t.Fatalf("invite: %v %q", f.people.got(), p.message.Text)
	}
}

// TestScreenWorkspaceOnlyYou: signed in, the workspace marks the
// structures only the user manages on the portal and says what to do;
// signed out, it asks nothing of the portal.
func TestScreenWorkspaceOnlyYou(t *testing.T) {
	f := newFakes()
	f.workspace.rows = []core.StructureSummary{
		{ID: 1, IdentifierType: core.IDSIRET, Identifier: "73282932000074", CompanyName: "Ateliers", State: core.StateCreated},
		{ID: 2, IdentifierType: core.IDSIRET, Identifier: "44306184100047", CompanyName: "Scierie", State: core.StateCreated},
	}
	f.people.managed = []api.Managed{
		{StructureID: 5, IdentifierType: core.IDSIRET, Identifier: "73282932000074", Role: api.RolePrincipal, Managers: 1},
		{StructureID: 6, IdentifierType: core.IDSIRET, Identifier: "44306184100047", Role: api.RolePrincipal, Managers: 2},
	}
	u := newFakeUI(t, "fr", f)
	u.show(stepWorkspace)
	if w := u.workspaceS; w.aloneNote.Visible() || len(w.alone) != 0 {
		t.Fatal("signed out, the workspace marks structures")
	}
	u.signedIn = "ana@example.fr"
	u.show(stepWorkspace)
	w := u.workspaceS
	problems := w.columns()[6]
	if !w.aloneNote.Visible() || !strings.Contains(w.aloneNote.Text, "seul gestionnaire de 1 structure") ||
		problems.Text(f.workspace.rows[0]) != "vous seul" || problems.Text(f.workspace.rows[1]) == "vous seul" ||
		problems.Tone(f.workspace.rows[0]) != widget.WarningImportance {
		t.Fatalf("note %q; problems %q / %q", w.aloneNote.Text, problems.Text(f.workspace.rows[0]), problems.Text(f.workspace.rows[1]))
	}
}

// TestScreenImportWorkbook: a workbook with several sheets import can read
// asks which; the one chosen is imported; a workbook of none says why.
func TestScreenImportWorkbook(t *testing.T) {
	f := newFakes()
	f.workspace.sheets = []string{"Novembre", "Décembre"}
	u := newFakeUI(t, "fr", f)
	u.show(stepWorkspace)
	path := filepath.Join(testos.TempDir(t), "clients.xlsx")
	if err := os.WriteFile(path, []byte("PK"), 0o600); err != nil {
		t.Fatal(err)
	}
	u.files.confirmImport(storage.NewFileURI(path))
	if u.files.sheetPick == nil || u.files.sheetPick.Selected != "Novembre" {
		t.Fatal("no choice of sheet")
	}
	u.files.sheetPick.SetSelected("Décembre")
	tapDialogIn(t, u.win, "Importer")
	if !contains(f.workspace.got(), "ImportXLSX Décembre") || u.step != stepImportReport {
		t.Fatalf("asked %v, step %s", f.workspace.got(), u.step)
	}
	f.workspace.sheets = nil
	u.show(stepWorkspace)
	u.files.confirmImport(storage.NewFileURI(path))
	if !strings.Contains(strings.Join(visibleTexts(u.win.Canvas().Overlays().Top()), " "), "Aucune feuille") {
		t.Fatal("a workbook with no usable sheet is not said")
	}
}
