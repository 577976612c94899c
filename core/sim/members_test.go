package sim

import (
	"slices"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/portal"
)

// roles returns "email=ROLE" of a structure's people, sorted.
func roles(t *testing.T, c *portal.Onboarding, structure int64) []string {
	t.Helper()
	ms, err := c.Members(t.Context(), structure)
	if err != nil {
		t.Fatalf("members: %v", err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Email+"="+m.Role)
	}
	slices.Sort(out)
	return out
}

// accountID finds a member's account id.
func accountID(t *testing.T, c *portal.Onboarding, structure int64, email string) int64 {
	t.Helper()
	ms, err := c.Members(t.Context(), structure)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Email == email {
			return m.AccountID
		}
	}
	t.Fatalf("%s is not a member", email)
	return 0
}

// TestMembers: the people of a structure. A user and a secondary manager
// cannot promote, demote, remove or hand over (403, nothing changed); the
// principal promotes, demotes, removes and hands the principal role over;
// after that the old principal's approval is refused and the new one's
// taken; both are told by e-mail; a manager invites a person, who is
// attached at once.
func TestMembers(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	const siret = "73282932000074"
	ana := onboard(t, e, "ana@example.fr") // principal
	created, err := ana.CreateStructure(ctx, "s-1", structure(siret))
	if err != nil {
		t.Fatal(err)
	}
	sid := created.ID
	people := map[string]*portal.Onboarding{}
	for _, who := range []string{"bob@example.fr", "chloe@example.fr", "dan@example.fr"} {
		people[who] = onboard(t, e, who)
		if _, err := people[who].RequestAttachment(ctx, "r-"+who, core.IDSIRET, siret); err != nil {
			t.Fatal(err)
		}
	}
	pending, err := ana.PendingAttachments(ctx)
	if err != nil || len(pending) != 3 {
		t.Fatalf("pending %v %v", pending, err)
	}
	for _, p := range pending {
		if _, err := ana.DecideAttachment(ctx, "", p.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"ana@example.fr=" + api.RolePrincipal, "bob@example.fr=" + api.RoleUser, "chloe@example.fr=" + api.RoleUser, "dan@example.fr=" + api.RoleUser}
	if got := roles(t, ana, sid); !slices.Equal(got, want) {
		t.Fatalf("members %v", got)
	}
	bob, chloe := accountID(t, ana, sid, "bob@example.fr"), accountID(t, ana, sid, "chloe@example.fr")
	dan := accountID(t, ana, sid, "dan@example.fr")

	// A user sees no members and changes nothing.
	if _, err := people["bob@example.fr"].Members(ctx, sid); core.KindOf(err) != core.KindForbidden {
		t.Fatalf("a user lists the members: %v", err)
	}
	for _, action := range []string{api.MemberPromote, api.MemberDemote, api.MemberRemove, api.MemberTransfer} {
		if _, err := people["bob@example.fr"].ChangeMember(ctx, "", sid, chloe, action); core.KindOf(err) != core.KindForbidden {
			t.Errorf("a user's %s: %v", action, err)
		}
	}
	// An account of no structure's either, on a forged structure id.
	if _, err := people["dan@example.fr"].ChangeMember(ctx, "", sid+1000, bob, api.MemberPromote); core.KindOf(err) != core.KindForbidden {
		t.Errorf("a forged structure: %v", err)
	}
	if got := roles(t, ana, sid); !slices.Equal(got, want) {
		t.Fatalf("after the refusals: %v", got)
	}

	// The principal promotes Bob; a secondary manager sees the members
	// but changes nobody, and cannot decide requests.
	if _, err := ana.ChangeMember(ctx, "p-1", sid, bob, api.MemberPromote); err != nil {
		t.Fatal(err)
	}
	b := people["bob@example.fr"]
	if _, err := b.Members(ctx, sid); err != nil {
		t.Fatalf("a secondary manager lists the members: %v", err)
	}
	for _, action := range []string{api.MemberPromote, api.MemberRemove, api.MemberTransfer} {
		if _, err := b.ChangeMember(ctx, "", sid, chloe, action); core.KindOf(err) != core.KindForbidden {
			t.Errorf("a secondary manager's %s: %v", action, err)
		}
	}
	// Roles say what can be done: promote a manager, hand over to a user.
	if _, err := ana.ChangeMember(ctx, "", sid, bob, api.MemberPromote); core.CodeOf(err) != api.CodeRoleNotAllowed {
		t.Errorf("promote a manager: %v", err)
	}
	if _, err := ana.ChangeMember(ctx, "", sid, chloe, api.MemberTransfer); core.CodeOf(err) != api.CodeRoleNotAllowed {
		t.Errorf("hand over to a user: %v", err)
	}
	if _, err := ana.ChangeMember(ctx, "", sid, accountID(t, ana, sid, "ana@example.fr"), api.MemberRemove); core.KindOf(err) != core.KindNotFound {
		t.Errorf("the principal removes herself: %v", err)
	}
	// Remove Dan, promote then demote Chloé.
	if _, err := ana.ChangeMember(ctx, "", sid, dan, api.MemberRemove); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.ChangeMember(ctx, "", sid, chloe, api.MemberPromote); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.ChangeMember(ctx, "", sid, chloe, api.MemberDemote); err != nil {
		t.Fatal(err)
	}
	want = []string{"ana@example.fr=" + api.RolePrincipal, "bob@example.fr=" + api.RoleSecondary, "chloe@example.fr=" + api.RoleUser}
	if got := roles(t, ana, sid); !slices.Equal(got, want) {
		t.Fatalf("after promote, remove, promote and demote: %v", got)
	}

	// Dan asks again; Ana hands the principal role to Bob.
	if _, err := people["dan@example.fr"].RequestAttachment(ctx, "r-2", core.IDSIRET, siret); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.ChangeMember(ctx, "t-1", sid, bob, api.MemberTransfer); err != nil {
		t.Fatal(err)
	}
	want = []string{"ana@example.fr=" + api.RoleSecondary, "bob@example.fr=" + api.RolePrincipal, "chloe@example.fr=" + api.RoleUser}
	if got := roles(t, ana, sid); !slices.Equal(got, want) {
		t.Fatalf("after the hand-over: %v", got)
	}
	for who, subject := range map[string]string{"bob@example.fr": "vous êtes gestionnaire principal", "ana@example.fr": "rôle de gestionnaire principal transmis"} {
		mails, err := people["dan@example.fr"].Mailbox(ctx, who)
		if err != nil || len(mails) == 0 || !strings.Contains(mails[0].Subject, subject) {
			t.Errorf("%s was not told: %+v %v", who, mails, err)
		}
	}
	req, err := b.PendingAttachments(ctx)
	if err != nil || len(req) != 1 {
		t.Fatalf("the new principal's queue: %v %v", req, err)
	}
	if _, err := ana.DecideAttachment(ctx, "", req[0].ID, true); core.KindOf(err) != core.KindForbidden {
		t.Fatalf("the old principal's approval: %v", err)
	}
	if list, _ := ana.PendingAttachments(ctx); len(list) != 0 {
		t.Fatalf("the old principal still sees %d requests to decide", len(list))
	}
	if at, err := b.DecideAttachment(ctx, "", req[0].ID, true); err != nil || at.Status != api.AttachmentApproved {
		t.Fatalf("the new principal's approval: %+v %v", at, err)
	}

	// A secondary manager invites: an account is attached at once; an
	// address without one, as soon as it asks.
	erin := onboard(t, e, "erin@example.fr")
	if err := ana.Invite(ctx, "i-1", sid, "erin@example.fr"); err != nil {
		t.Fatal(err)
	}
	if err := ana.Invite(ctx, "i-2", sid, "fanny@example.fr"); err != nil {
		t.Fatal(err)
	}
	if err := people["chloe@example.fr"].Invite(ctx, "", sid, "x@example.fr"); core.KindOf(err) != core.KindForbidden {
		t.Fatalf("a user invites: %v", err)
	}
	fanny := onboard(t, e, "fanny@example.fr")
	at, err := fanny.RequestAttachment(ctx, "r-f", core.IDSIRET, siret)
	if err != nil || at.Status != api.AttachmentApproved {
		t.Fatalf("an invited person's request: %+v %v", at, err)
	}
	_ = erin
	want = []string{"ana@example.fr=" + api.RoleSecondary, "bob@example.fr=" + api.RolePrincipal, "chloe@example.fr=" + api.RoleUser,
		"dan@example.fr=" + api.RoleUser, "erin@example.fr=" + api.RoleUser, "fanny@example.fr=" + api.RoleUser}
	if got := roles(t, b, sid); !slices.Equal(got, want) {
		t.Fatalf("after the invitations: %v", got)
	}
	managed, err := b.Managed(ctx)
	if err != nil || len(managed) != 1 || managed[0].Role != api.RolePrincipal || managed[0].Managers != 2 {
		t.Fatalf("managed: %+v %v", managed, err)
	}
}
