package workspace

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// newFirmHarness is the workspace of Jeanne, the admin of a firm with two
// colleagues, Hugo and Léa, on a real server; each colleague has a desktop
// of their own.
func newFirmHarness(t *testing.T, lang string) (*harness, map[string]onboarding.Services) {
	t.Helper()
	h := &harness{}
	h.Harness = uitest.New(t, lang, uitest.Options{Firm: true}, func(x *uitest.Harness) {
		h.w = Register(x.Shell, Deps{Workspace: x.Svc.Workspace, Structures: x.Svc.Structures, Reform: x.Svc.Reform, Sync: x.Svc.Sync,
			Firm: x.Svc.Firm, Assign: x.Svc.FirmAdmin})
		h.a = h.w.a
		x.Shell.Show(shell.StepWorkspace)
	})
	ctx := t.Context()
	people := map[string]onboarding.Services{}
	for _, p := range []struct{ email, first, last, role string }{{"jeanne.martin@example.fr", "Jeanne", "Martin", ""},
		{"hugo.bernard@example.fr", "Hugo", "Bernard", api.FirmEveryClient}, {"lea.petit@example.fr", "Léa", "Petit", api.FirmEveryClient}} {
		if err := h.Sim.SeedPerson(ctx, p.email, uitest.Password, p.first, p.last); err != nil {
			t.Fatal(err)
		}
		if p.role == "" {
			if err := h.FirmOps.CreateFirm(ctx, "Cabinet Martin", p.email); err != nil {
				t.Fatal(err)
			}
			h.JoinFirm(h.Svc, p.email)
			continue
		}
		if err := h.FirmOps.AddMember(ctx, "Cabinet Martin", p.email, p.role); err != nil {
			t.Fatal(err)
		}
		people[p.email] = h.Desk(p.email)
		h.JoinFirm(people[p.email], p.email)
	}
	return h, people
}

// prepare saves a client on a desktop and sends it to the firm.
func prepare(t *testing.T, svc onboarding.Services, siret, name, city string) {
	t.Helper()
	d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: siret, Kind: core.KindPrivate, CompanyName: name,
		Address: "1 rue de la Paix", City: city, PostalCode: "75002"}
	if _, _, err := svc.Structures.Save(t.Context(), 0, d, false); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Firm.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestFirmScreens draws the firm's side of the workspace, in French and
// in English (uitest.Shots): the In charge column with Mine and Conflict
// chips, a conflict side by side in the form, and a client's history.
func TestFirmScreens(t *testing.T) { uitest.InEachLanguage(t, firmScreens) }

func firmScreens(t *testing.T, lang string) {
	ctx := t.Context()
	h, people := newFirmHarness(t, lang)
	h.App.Settings().SetTheme(widgets.Theme{})
	h.Win.Resize(shell.WindowSize)
	shot := uitest.NewShots(t, h.Win, lang).Shot
	hugo, lea := people["hugo.bernard@example.fr"], people["lea.petit@example.fr"]
	prepare(t, h.Svc, "73282932000074", "Ateliers Dupont", "Paris")
	prepare(t, h.Svc, "44306184100047", "Scierie Vosgienne", "Épinal")
	prepare(t, hugo, "35600000000048", "La Poste", "Paris")
	prepare(t, lea, "52524288900042", "Caraïbes Services", "Fort-de-France")
	prepare(t, lea, "41816609600069", "Garage Leroy", "Lyon")
	if _, err := h.Svc.Firm.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	// Jeanne and Hugo change the same client's city, each offline: Hugo
	// sends first; Jeanne's exchange finds the conflict.
	rec := h.StructureByKey(core.IDSIRET, "44306184100047")
	d := rec.Draft
	d.City = "Saint-Dié-des-Vosges"
	if _, _, err := h.Svc.Structures.Save(ctx, rec.ID, d, false); err != nil {
		t.Fatal(err)
	}
	if _, err := hugo.Firm.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var hugoRec core.StructureRecord
	if err := hugoStore(t, hugo, "44306184100047", &hugoRec); err != nil {
		t.Fatal(err)
	}
	hd := hugoRec.Draft
	hd.City, hd.Phone = "Épinal Cedex", "03 29 00 00 00"
	if _, _, err := hugo.Structures.Save(ctx, hugoRec.ID, hd, false); err != nil {
		t.Fatal(err)
	}
	if _, err := hugo.Firm.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := h.Svc.Firm.Sync(ctx)
	if err != nil || r.Applied.Conflicts != 1 {
		t.Fatalf("Jeanne's exchange: %+v %v", r, err)
	}

	h.w.FirmChanged(h.Svc.Firm.Status(ctx))
	h.a.Show(shell.StepWorkspace)
	shot("31-workspace-firm")
	w := h.a.workspaceS
	if !w.firmRow.Visible() || w.counts[core.FilterConflicts] != 1 || w.counts[core.FilterMine] != 2 {
		for _, r := range w.rows {
			t.Logf("%s in charge %q mine %v conflicts %d", r.CompanyName, r.InCharge, r.Mine, r.Conflicts)
		}
		t.Fatalf("firm row %v, counts %v", w.firmRow.Visible(), w.counts)
	}
	w.setFilter(core.FilterMine)
	if len(w.rows) != 2 {
		t.Fatalf("Mine: %d rows", len(w.rows))
	}
	w.person.SetSelected("lea.petit@example.fr")
	w.setFilter(core.FilterAll)
	if len(w.rows) != 2 || !strings.Contains(workspaceFirm{w}.inChargeText(w.rows[0]), "Léa") {
		t.Fatalf("Léa's: %+v", w.rows)
	}
	w.person.SetSelected(h.Shell.Text().T("ws.in_charge.anyone"))

	// The conflict, side by side in the form.
	h.a.openStructure(rec.ID, "")
	s := h.a.structureS
	if s.conflicts == nil || len(s.conflicts.choices) != 1 {
		t.Fatal("no conflict panel")
	}
	shot("32-structure-conflict")
	// Jeanne keeps Hugo's; the conflict is gone and the choice sent.
	s.conflicts.choices[core.FieldCity].SetSelected(h.Shell.Text().T("editor.conflict.keep_theirs"))
	test.Tap(s.conflicts.keep)
	if cs, _ := h.Svc.Firm.Conflicts(ctx, rec.ID); len(cs) != 0 {
		t.Fatalf("conflicts left: %+v", cs)
	}
	if got := h.StructureByKey(core.IDSIRET, "44306184100047"); got.Draft.City != "Épinal Cedex" {
		t.Fatalf("kept %q", got.Draft.City)
	}

	// The client's history.
	h.a.openStructure(rec.ID, "")
	test.Tap(h.a.structureS.history)
	shot("33-structure-history")
	uitest.CloseDialogs(h.Win)

	// Assign to… (Jeanne is the admin): two rows to Hugo.
	h.a.Show(shell.StepWorkspace)
	w = h.a.workspaceS
	w.table.Checked[w.rows[0].ID] = true
	w.table.Checked[w.rows[1].ID] = true
	workspaceFirm{w}.onAssign()
	w.assignPick.SetSelected(w.assignPick.Options[1])
	uitest.TapDialogIn(t, h.Win, h.Shell.Text().T("ws.assign.go"))
	if !strings.Contains(w.message.Text, "2") {
		t.Fatalf("assign: %q", w.message.Text)
	}
}

// hugoStore reads a structure of Hugo's desktop by SIRET.
func hugoStore(t *testing.T, svc onboarding.Services, siret string, out *core.StructureRecord) error {
	list, err := svc.Workspace.QueryStructures(t.Context(), core.StructureQuery{Text: siret})
	if err != nil || len(list.Rows) != 1 {
		t.Fatalf("Hugo's %s: %+v %v", siret, list.Rows, err)
	}
	*out, err = svc.Structures.Structure(t.Context(), list.Rows[0].ID)
	return err
}
