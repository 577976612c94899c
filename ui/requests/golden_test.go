package requests

import (
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// TestScreens draws the requests' screen, in French and in English, and
// compares it with its golden images (uitest.Shots): twenty people asking
// to join Jeanne's structure, three ticked; then the people of her
// structure as its principal sees them (rights as switches, an offer of
// the role, an invitation waiting), and as a user with the right to
// approve sees them.
func TestScreens(t *testing.T) {
	uitest.InEachLanguage(t, screens)
}

func screens(t *testing.T, lang string) {
	ctx := t.Context()
	h := newHarness(t, lang)
	h.App.Settings().SetTheme(widgets.Theme{})
	h.Win.Resize(shell.WindowSize)
	shot := uitest.NewShots(t, h.Win, lang).Shot
	const siret = "73282932000074"
	createStructureAs(t, h, "jeanne.martin@example.fr", "Jeanne", "Martin", siret)

	// Twenty people ask to join Jeanne's structure; she decides.
	seedRequests(t, h, 20, siret)
	h.Shell.Show(shell.StepApprovals)
	a := h.a.approvalsS
	for _, r := range a.waitingRows[:3] {
		a.waiting.Checked[r.ID] = true
	}
	a.waiting.Refresh()
	a.changed()
	shot("19-approvals")

	// Jeanne approves three, gives one the right to approve requests,
	// offers another the principal role, invites someone, and looks at
	// the people of her structure.
	if _, err := h.Svc.Attachments.DecideAttachments(ctx, a.waitingRows[:3], true, nil); err != nil {
		t.Fatal(err)
	}
	managed, err := h.Svc.People.Managed(ctx)
	if err != nil || len(managed) != 1 {
		t.Fatalf("managed %v %v", managed, err)
	}
	sid := managed[0].StructureID
	members, err := h.Svc.People.Members(ctx, sid)
	if err != nil || len(members) != 4 {
		t.Fatalf("members %v %v", members, err)
	}
	var approver, offered api.Member
	for _, m := range members {
		switch {
		case m.Role != api.RoleUser:
		case approver.AccountID == 0:
			approver = m
		case offered.AccountID == 0:
			offered = m
		}
	}
	if _, err := h.Svc.People.SetRights(ctx, sid, approver.AccountID, api.Rights{MayApprove: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Svc.People.OfferHandover(ctx, sid, offered.AccountID); err != nil {
		t.Fatal(err)
	}
	if err := h.Svc.People.Invite(ctx, sid, "manon.durand@cabinet.example"); err != nil {
		t.Fatal(err)
	}
	h.Shell.Show(shell.StepApprovals)
	h.a.approvalsS.tabs.SelectIndex(2)
	h.a.approvalsS.people.structures.Select(0)
	shot("19-people")
	h.a.approvalsS.people.scroll.ScrollToBottom()
	shot("19-people-invitations")

	// The user who may approve: their rights, the requests they decide,
	// no principal's switch.
	h.SignIn(approver.Email, "Tr0ub4dor&3x-Lune")
	h.Shell.Show(shell.StepApprovals)
	h.a.approvalsS.tabs.SelectIndex(2)
	h.a.approvalsS.people.structures.Select(0)
	shot("19-people-user")
}

// createStructureAs has a new account (email, its names) create the
// structure of siret on the portal, as the wizard's step 6 does, and signs
// the screens in as that account.
func createStructureAs(t *testing.T, h *harness, email, first, last, siret string) {
	t.Helper()
	ctx := t.Context()
	const password = "Tr0ub4dor&3x-Lune"
	if err := h.Sim.SeedPerson(ctx, email, password, first, last); err != nil {
		t.Fatal(err)
	}
	h.SignIn(email, password)
	look := h.Svc.Structures.Lookup(ctx, siret)
	c := look.Company
	if c == nil {
		t.Fatalf("the registry does not know %s: %+v", siret, look)
	}
	d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: siret, Kind: core.KindPrivate, CompanyName: c.Name,
		Address: c.Address, Complement1: c.Complement1, Complement2: c.Complement2, City: c.City, PostalCode: c.PostalCode,
		NonDiffusible: c.NonDiffusible}
	if _, err := h.Svc.Structures.Submit(ctx, d.WithDefaults()); err != nil {
		t.Fatal(err)
	}
}
