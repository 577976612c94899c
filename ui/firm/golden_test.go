package firm

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// TestScreens draws the firm's screens, in French and in English, and
// compares them with their golden images (uitest.Shots): joining, the
// reading of the firm's clients under way, the desktop in its firm, and
// the members as the admin runs them.
func TestScreens(t *testing.T) { uitest.InEachLanguage(t, screens) }

func screens(t *testing.T, lang string) {
	ctx := t.Context()
	h := newHarness(t, lang)
	h.App.Settings().SetTheme(widgets.Theme{})
	h.Win.Resize(shell.WindowSize)
	shot := uitest.NewShots(t, h.Win, lang).Shot
	for _, p := range []struct{ email, first, last string }{{"jeanne.martin@example.fr", "Jeanne", "Martin"},
		{"hugo.bernard@example.fr", "Hugo", "Bernard"}, {"lea.petit@example.fr", "Léa", "Petit"}} {
		if err := h.Sim.SeedPerson(ctx, p.email, uitest.Password, p.first, p.last); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.FirmOps.CreateFirm(ctx, "Cabinet Martin", "jeanne.martin@example.fr"); err != nil {
		t.Fatal(err)
	}
	// Hugo prepared two clients of the firm already.
	hugo := h.Desk("hugo.bernard@example.fr")
	if err := h.FirmOps.AddMember(ctx, "Cabinet Martin", "hugo.bernard@example.fr", api.FirmEveryClient); err != nil {
		t.Fatal(err)
	}
	h.JoinFirm(hugo, "hugo.bernard@example.fr")
	for _, siret := range []string{"73282932000074", "44306184100047"} {
		d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: siret, Kind: core.KindPrivate, CompanyName: "Client " + siret[:3],
			Address: "1 rue de la Paix", City: "Paris", PostalCode: "75002"}
		if _, _, err := hugo.Structures.Save(ctx, 0, d, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := hugo.Firm.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	// Jeanne joins from the Firm screen.
	s := h.a.firmS
	test.Type(s.url, uitest.FirmURL)
	test.Type(s.email, "jeanne.martin@example.fr")
	test.Type(s.password, uitest.Password)
	h.Win.Canvas().Unfocus()
	shot("27-firm-join")
	// The reading under way, as the running join draws it: 1,200 of
	// 4,000 clients after 9 seconds.
	s.SetBusy(true)
	s.progress.Begin(h.Shell.Text().T("firm.joining"), 4000, func() {})
	s.progress.StartedAt(h.Shell.Now().Add(-9 * time.Second))
	s.progress.Set(1200, 4000)
	shot("28-firm-joining")
	s.progress.End()
	s.SetBusy(false)
	uitest.Tapped(t, s.join)
	if !strings.Contains(s.message.Text, "Cabinet Martin") {
		t.Fatalf("after joining: %q", s.message.Text)
	}
	h.Shell.Show(shell.StepFirm)
	shot("29-firm-joined")

	// Jeanne, the admin, invites Léa and looks at the members.
	if err := h.Svc.FirmAdmin.Invite(ctx, "lea.petit@example.fr", api.FirmAssigned); err != nil {
		t.Fatal(err)
	}
	h.Shell.Show(shell.StepFirmMembers)
	shot("30-firm-members")

	// Hugo deletes one of his clients; Jeanne finds it among the deleted
	// ones and restores it.
	hugoRows, err := hugo.Workspace.QueryStructures(ctx, core.StructureQuery{})
	if err != nil || len(hugoRows.Rows) != 2 {
		t.Fatalf("Hugo's clients: %+v %v", hugoRows, err)
	}
	gone := hugoRows.Rows[0]
	if _, err := hugo.Workspace.DeleteStructures(ctx, []int64{gone.ID}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := hugo.Firm.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	h.Shell.Show(shell.StepFirmDeleted)
	d := h.a.deletedS
	if len(d.restore) != 1 {
		t.Fatalf("the deleted clients listed: %d", len(d.restore))
	}
	shot("30-firm-deleted")
	for _, b := range d.restore {
		uitest.Tapped(t, b)
	}
	if !strings.Contains(d.message.Text, gone.CompanyName) || len(d.restore) != 0 {
		t.Fatalf("after the restore: %q, %d listed", d.message.Text, len(d.restore))
	}
	mine, err := h.Svc.Workspace.QueryStructures(ctx, core.StructureQuery{Text: gone.Identifier})
	if err != nil || len(mine.Rows) != 1 {
		t.Fatalf("on Jeanne's computer after the restore: %+v %v", mine, err)
	}
}
