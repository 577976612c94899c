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

// TestScreenPeople: the people tab lists the structures the user manages,
// marks the one only the user manages, shows its people with what the
// principal may do, hands the role over after a confirmation (the user
// then sees no principal's actions), and invites by e-mail.
func TestScreenPeople(t *testing.T) {
	f := uitest.NewFakes()
	f.People.ManagedList = []api.Managed{
		{StructureID: 1, IdentifierType: core.IDSIRET, Identifier: "73282932000074", CompanyName: "ATELIERS DUPONT", Role: api.RolePrincipal, Managers: 1},
		{StructureID: 2, IdentifierType: core.IDSIRET, Identifier: "44306184100047", CompanyName: "SCIERIE", Role: api.RolePrincipal, Managers: 2},
	}
	f.People.MemberLists = map[int64][]api.Member{
		1: {{AccountID: 10, Email: "ana@example.fr", Name: "Ana Lima", Role: api.RolePrincipal},
			{AccountID: 11, Email: "bob@example.fr", Name: "Bob Roy", Role: api.RoleUser}},
		2: {{AccountID: 10, Email: "ana@example.fr", Name: "Ana Lima", Role: api.RolePrincipal},
			{AccountID: 12, Email: "chloe@example.fr", Name: "Chloé Petit", Role: api.RoleSecondary}},
	}
	u := newFakeArea(t, "en", f)
	u.Show(shell.StepApprovals)
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
	uitest.TapDialogIn(t, u.Win(), "Yes")
	if !uitest.Contains(f.People.Got(), "ChangeMember 2 12 transfer") || p.principal() || len(p.actions) != 0 ||
		!strings.Contains(p.message.Text, "Chloé Petit is now the principal manager") {
		t.Fatalf("after the hand-over: %v, actions %v, %q", f.People.Got(), p.actions, p.message.Text)
	}
	test.Type(p.invite, "dan@example.fr")
	uitest.Tapped(t, p.send)
	if !uitest.Contains(f.People.Got(), "Invite 2 dan@example.fr") || !strings.Contains(p.message.Text, "dan@example.fr is invited") {
		t.Fatalf("invite: %v %q", f.People.Got(), p.message.Text)
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
