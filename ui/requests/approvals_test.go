package requests

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/internal/simtest"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

// TestScreenApprovals: a manager checks every waiting request and
// approves them in one go, after confirming.
func TestScreenApprovals(t *testing.T) {
	f := uitest.NewFakes()
	for i := int64(1); i <= 4; i++ {
		f.Attachments.AttLists.Waiting = append(f.Attachments.AttLists.Waiting, api.Attachment{ID: i, Requester: "p@x.fr", Status: api.AttachmentPending})
	}
	u := newFakeArea(t, "en", f)
	u.Show(shell.StepApprovals)
	a := u.approvalsS
	a.waiting.OnCheckAll(true)
	if a.approve.Text != "Approve (4)" {
		t.Fatalf("button %q", a.approve.Text)
	}
	uitest.Tapped(t, a.approve)
	uitest.TapDialogIn(t, u.Win(), "Approve")
	if !uitest.Contains(f.Attachments.Got(), "DecideAttachments approve 1,2,3,4") {
		t.Fatalf("asked %v", f.Attachments.Got())
	}
}

// TestScreenPeople: the people tab lists the user's structures, marks the
// one whose requests only the user approves, shows its people with their
// rights as switches the principal changes after a confirmation saying
// what the right allows (a refusal sets the switch back), offers the role
// and withdraws the offer, detaches, lists and withdraws invitations, and
// invites by e-mail.
func TestScreenPeople(t *testing.T) {
	f := uitest.NewFakes()
	both := api.Rights{MayApprove: true, MayModify: true}
	f.People.ManagedList = []api.Managed{
		{StructureID: 1, IdentifierType: core.IDSIRET, Identifier: "73282932000074", CompanyName: "ATELIERS DUPONT", Role: api.RolePrincipal,
			Rights: both, Approvers: 1},
		{StructureID: 2, IdentifierType: core.IDSIRET, Identifier: "44306184100047", CompanyName: "SCIERIE", Role: api.RolePrincipal,
			Rights: both, Approvers: 2},
	}
	f.People.MemberLists = map[int64][]api.Member{
		1: {{AccountID: 10, Email: "ana@example.fr", Name: "Ana Lima", Role: api.RolePrincipal, Rights: both},
			{AccountID: 11, Email: "bob@example.fr", Name: "Bob Roy", Role: api.RoleUser}},
		2: {{AccountID: 10, Email: "ana@example.fr", Name: "Ana Lima", Role: api.RolePrincipal, Rights: both},
			{AccountID: 12, Email: "chloe@example.fr", Name: "Chloé Petit", Role: api.RoleUser, Rights: api.Rights{MayApprove: true}}},
	}
	f.People.Invited = map[int64][]api.PendingInvitation{1: {{Email: "dan@example.fr", InvitedBy: "ana@example.fr", Created: 1_796_000_000, Expires: 1_798_592_000}}}
	u := newFakeArea(t, "en", f)
	u.Show(shell.StepApprovals)
	s := u.approvalsS
	s.tabs.SelectIndex(2)
	p := s.people
	if len(p.managed) != 2 || !alone(p.managed[0]) || alone(p.managed[1]) {
		t.Fatalf("managed %+v", p.managed)
	}
	p.structures.Select(0)
	if !strings.Contains(p.head.Text, "Only you can approve") || len(p.actions[actionHandover]) != 1 || len(p.checks[11]) != 2 ||
		len(p.actions["invitation"]) != 1 {
		t.Fatalf("structure 1: %q, actions %v, checks %v", p.head.Text, p.actions, p.checks)
	}
	// Bob gets the right to approve: the confirmation says what it
	// allows; refused, the switch goes back; accepted, it is sent.
	test.Tap(p.checks[11][rightApprove])
	if !strings.Contains(strings.Join(uitest.VisibleTexts(u.Win().Canvas().Overlays().Top()), " "), "approve or refuse them") {
		t.Fatalf("the confirmation does not say what the right allows")
	}
	uitest.TapDialogIn(t, u.Win(), "No")
	if p.checks[11][rightApprove].Checked || uitest.Contains(f.People.Got(), "SetRights 1 11 true false") {
		t.Fatal("a refused confirmation changed the right")
	}
	test.Tap(p.checks[11][rightApprove])
	uitest.TapDialogIn(t, u.Win(), "Yes")
	if !uitest.Contains(f.People.Got(), "SetRights 1 11 true false") || !p.checks[11][rightApprove].Checked || p.managed[0].Approvers != 2 ||
		!strings.Contains(p.message.Text, "Bob Roy's rights are saved") {
		t.Fatalf("after the grant: %v, %q", f.People.Got(), p.message.Text)
	}
	// Offer the role; the row then says it is offered, to withdraw.
	test.Tap(p.actions[actionHandover][0])
	uitest.TapDialogIn(t, u.Win(), "Yes")
	if !uitest.Contains(f.People.Got(), "OfferHandover 1 11") || len(p.actions[actionWithdraw]) != 1 || !p.principal() {
		t.Fatalf("after the offer: %v, actions %v", f.People.Got(), p.actions)
	}
	test.Tap(p.actions[actionWithdraw][0])
	if !uitest.Contains(f.People.Got(), "WithdrawHandover 1") || len(p.actions[actionHandover]) != 1 {
		t.Fatalf("after the withdrawal: %v", f.People.Got())
	}
	test.Tap(p.actions["invitation"][0])
	if !uitest.Contains(f.People.Got(), "WithdrawInvitation 1 dan@example.fr") || len(p.actions["invitation"]) != 0 {
		t.Fatalf("the invitation: %v", f.People.Got())
	}
	test.Type(p.invite, "dan@example.fr")
	uitest.Tapped(t, p.send)
	if !uitest.Contains(f.People.Got(), "Invite 1 dan@example.fr") || !strings.Contains(p.message.Text, "dan@example.fr is invited") {
		t.Fatalf("invite: %v %q", f.People.Got(), p.message.Text)
	}
	p.structures.Select(1)
	test.Tap(p.actions[actionDetach][0])
	uitest.TapDialogIn(t, u.Win(), "Yes")
	if !uitest.Contains(f.People.Got(), "Detach 2 12") || len(p.rows) != 1 || p.managed[1].Approvers != 1 {
		t.Fatalf("after detaching: %v, %d rows", f.People.Got(), len(p.rows))
	}
}

// TestScreenPeopleAsUser: a user sees their rights, switches greyed, no
// principal's action; answers an offer of the role; leaves.
func TestScreenPeopleAsUser(t *testing.T) {
	f := uitest.NewFakes()
	f.People.ManagedList = []api.Managed{{StructureID: 1, IdentifierType: core.IDSIRET, Identifier: "73282932000074",
		CompanyName: "ATELIERS DUPONT", Role: api.RoleUser, Rights: api.Rights{MayApprove: true}, Approvers: 2}}
	f.People.MemberLists = map[int64][]api.Member{
		1: {{AccountID: 10, Email: "ana@example.fr", Name: "Ana Lima", Role: api.RolePrincipal, Rights: api.Rights{MayApprove: true, MayModify: true}},
			{AccountID: 11, Email: "bob@example.fr", Name: "Bob Roy", Role: api.RoleUser, Rights: api.Rights{MayApprove: true}, HandoverUntil: 1_796_000_000}},
	}
	f.People.Offers = []api.Handover{{StructureID: 1, IdentifierType: core.IDSIRET, Identifier: "73282932000074", From: "ana@example.fr", Expires: 1_796_000_000}}
	u := newFakeArea(t, "en", f)
	u.Show(shell.StepApprovals)
	s := u.approvalsS
	s.tabs.SelectIndex(2)
	p := s.people
	p.structures.Select(0)
	if p.principal() || len(p.actions) != 0 || !p.checks[11][rightApprove].Disabled() || !p.rights.Visible() ||
		!strings.Contains(p.rights.Text, "approve requests") || !p.leave.Visible() || p.send.Disabled() {
		t.Fatalf("as a user: actions %v, rights %q", p.actions, p.rights.Text)
	}
	if !uitest.ContainsText(p.offer, "ana@example.fr offers you the principal manager role") {
		t.Fatal("the offer of the role is not shown")
	}
	uitest.Tapped(t, p.accept)
	if !uitest.Contains(f.People.Got(), "AnswerHandover 1 true") || !p.principal() || p.leave.Visible() {
		t.Fatalf("after accepting: %v", f.People.Got())
	}
	f.People.ManagedList[0].Role = api.RoleUser
	p.load()
	p.structures.Select(0)
	uitest.Tapped(t, p.leave)
	uitest.TapDialogIn(t, u.Win(), "Yes")
	if !uitest.Contains(f.People.Got(), "Leave 1") || len(p.managed) != 0 {
		t.Fatalf("after leaving: %v, %d structures", f.People.Got(), len(p.managed))
	}
}

// TestApproveTwentyAtOnce: a manager approves 20 requests in one action,
// after confirming the count.
func TestApproveTwentyAtOnce(t *testing.T) {
	h := newHarness(t, "en")
	if err := h.Sim.SeedStructure(t.Context(), "73282932000074", "ATELIERS DUPONT ET FILS"); err != nil {
		t.Fatal(err)
	}
	seedRequests(t, h, 20, "73282932000074")
	h.SignIn("gestionnaire.73282932000074@chorus-sim.example", "Gestionnaire-73282932000074!")
	h.a.Show(shell.StepApprovals)
	a := h.a.approvalsS
	if len(a.waitingRows) != 20 || a.summary.Text != "20 requests waiting for your decision" {
		t.Fatalf("waiting %d, %q", len(a.waitingRows), a.summary.Text)
	}
	a.waiting.OnCheckAll(true)
	if a.approve.Text != "Approve (20)" {
		t.Fatalf("button %q", a.approve.Text)
	}
	test.Tap(a.approve)
	uitest.TapDialogIn(t, h.Win, "Approve")
	if len(a.waitingRows) != 0 || !strings.HasPrefix(a.message.Text, "20 requests approved.") {
		t.Fatalf("after approving: %d waiting, %q", len(a.waitingRows), a.message.Text)
	}
	// Offline, the screen says so.
	h.GoOffline()
	test.Tap(a.refresh)
	if !strings.Contains(a.message.Text, "offline") && !strings.Contains(a.message.Text, "reach") {
		t.Fatalf("offline: %q", a.message.Text)
	}
}

// seedRequests makes n people ask to be connected to the structure of
// siret.
func seedRequests(t *testing.T, h *harness, n int, siret string) {
	t.Helper()
	ctx := t.Context()
	first := []string{"Léa", "Hugo", "Chloé", "Louis", "Emma", "Jules", "Inès", "Gabriel", "Manon", "Arthur"}
	last := []string{"Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau"}
	for i := range n {
		ascii := strings.NewReplacer("é", "e", "è", "e").Replace
		email := fmt.Sprintf("%s.%s%d@cabinet.example", ascii(strings.ToLower(first[i%len(first)])), strings.ToLower(last[i%len(last)]), i)
		if err := h.Sim.SeedPerson(ctx, email, "Tr0ub4dor&3x-Lune", first[i%len(first)], last[i%len(last)]); err != nil {
			t.Fatal(err)
		}
		c := portal.NewOnboarding(h.Server.URL, nil)
		// Through the second factor when the portal asks for it.
		if _, err := (&simtest.Authenticator{Now: h.Clock.SimNow}).SignIn(ctx, c, email, "Tr0ub4dor&3x-Lune"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.RequestAttachment(ctx, fmt.Sprint("req-", i), core.IDSIRET, siret); err != nil {
			t.Fatal(err)
		}
	}
}

// approveAll approves every request waiting for the signed-in manager, as
// a manager does on the approvals screen: tick all, Approve, confirm. It
// returns how many were waiting.
func approveAll(t *testing.T, h *harness) int {
	t.Helper()
	h.a.Show(shell.StepApprovals)
	a := h.a.approvalsS
	n := len(a.waitingRows)
	a.waiting.OnCheckAll(true)
	test.Tap(a.approve)
	uitest.TapDialogIn(t, h.Win, "Approve")
	return n
}

// myRequests lists the statuses of the user's requests as the approvals
// screen shows them.
func myRequests(h *harness) string {
	h.a.Show(shell.StepApprovals)
	var out []string
	for _, r := range h.a.approvalsS.mineRows {
		text, _ := h.a.Text().AttachmentChip(r.Status)
		out = append(out, text)
	}
	return fmt.Sprint(out)
}

// TestManagerApproves: a request filed on a structure waits for its
// principal manager, who approves it on the screen; the requester then
// sees it approved.
func TestManagerApproves(t *testing.T) {
	h := newHarness(t, "en")
	if err := h.Sim.SeedStructure(t.Context(), "73282932000074", "ATELIERS"); err != nil {
		t.Fatal(err)
	}
	if err := h.Sim.SeedAccount(t.Context(), "asker@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	h.SignIn("asker@example.fr", "Tr0ub4dor&3x-Lune")
	if _, err := h.Svc.Attachments.RequestAttachment(t.Context(), core.IDSIRET, "73282932000074"); err != nil {
		t.Fatal(err)
	}
	// The manager.
	h.SignIn("gestionnaire.73282932000074@chorus-sim.example", "Gestionnaire-73282932000074!")
	if n := approveAll(t, h); n != 1 {
		t.Fatalf("%d requests waiting for the manager", n)
	}
	if m := h.a.approvalsS.message.Text; !strings.Contains(m, "1 request approved") {
		t.Fatalf("manager message %q", m)
	}
	// The requester again.
	h.SignIn("asker@example.fr", "Tr0ub4dor&3x-Lune")
	if got := myRequests(h); got != "[Approved]" {
		t.Fatalf("requester sees %s", got)
	}
}

// TestUserWithRightDecides: on the real stack, a user of the structure
// sees no request until its principal grants the right to approve; then
// they see it in the first tab and approve it; the principal withdraws
// the right, and the user's next decision is refused with a message that
// names the right.
func TestUserWithRightDecides(t *testing.T) {
	h := newHarness(t, "en")
	ctx := t.Context()
	const siret = "73282932000074"
	createStructureAs(t, h, "jeanne.martin@example.fr", "Jeanne", "Martin", siret)
	seedRequests(t, h, 2, siret)
	pending, err := h.Svc.Attachments.Lists(ctx)
	if err != nil || len(pending.Waiting) != 2 {
		t.Fatalf("the principal's queue: %+v %v", pending, err)
	}
	if _, err := h.Svc.Attachments.DecideAttachments(ctx, pending.Waiting[:1], true, nil); err != nil {
		t.Fatal(err)
	}
	managed, err := h.Svc.People.Managed(ctx)
	if err != nil || len(managed) != 1 {
		t.Fatal(managed, err)
	}
	user := pending.Waiting[0].Requester
	var id int64
	ms, _ := h.Svc.People.Members(ctx, managed[0].StructureID)
	for _, m := range ms {
		if m.Email == user {
			id = m.AccountID
		}
	}

	h.SignIn(user, "Tr0ub4dor&3x-Lune")
	h.a.Show(shell.StepApprovals)
	if n := len(h.a.approvalsS.waitingRows); n != 0 {
		t.Fatalf("without the right, the user sees %d requests", n)
	}
	h.SignIn("jeanne.martin@example.fr", "Tr0ub4dor&3x-Lune")
	if _, err := h.Svc.People.SetRights(ctx, managed[0].StructureID, id, api.Rights{MayApprove: true}); err != nil {
		t.Fatal(err)
	}
	h.SignIn(user, "Tr0ub4dor&3x-Lune")
	if n := approveAll(t, h); n != 1 || !strings.HasPrefix(h.a.approvalsS.message.Text, "1 request approved") {
		t.Fatalf("with the right: %d waiting, %q", n, h.a.approvalsS.message.Text)
	}
	// The right withdrawn while the screen still shows a request: the
	// refusal names the right.
	seedMore := func() {
		c := portal.NewOnboarding(h.Server.URL, nil)
		if err := h.Sim.SeedPerson(ctx, "late@cabinet.example", "Tr0ub4dor&3x-Lune", "Lou", "Tard"); err != nil {
			t.Fatal(err)
		}
		if _, err := (&simtest.Authenticator{Now: h.Clock.SimNow}).SignIn(ctx, c, "late@cabinet.example", "Tr0ub4dor&3x-Lune"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.RequestAttachment(ctx, "late", core.IDSIRET, siret); err != nil {
			t.Fatal(err)
		}
	}
	seedMore()
	h.a.Show(shell.StepApprovals)
	a := h.a.approvalsS
	if len(a.waitingRows) != 1 {
		t.Fatalf("%d requests shown", len(a.waitingRows))
	}
	jeanne := portal.NewOnboarding(h.Server.URL, nil)
	if _, err := jeanne.SignIn(ctx, "jeanne.martin@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	if _, err := jeanne.People().SetRights(ctx, managed[0].StructureID, id, api.Rights{}); err != nil {
		t.Fatal(err)
	}
	a.waiting.OnCheckAll(true)
	test.Tap(a.approve)
	uitest.TapDialogIn(t, h.Win, "Approve")
	notes := strings.Join(uitest.VisibleTexts(h.Win.Canvas().Overlays().Top()), " ")
	if !strings.Contains(a.message.Text, "0 requests approved") || !strings.Contains(notes, "right to approve") {
		t.Fatalf("the refusal says %q; its notes %q", a.message.Text, notes)
	}
}
