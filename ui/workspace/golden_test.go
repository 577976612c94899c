package workspace

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"github.com/xuri/excelize/v2"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// TestScreens draws the accountant's screens, in French and in English,
// and compares each with its golden image (uitest.Shots): 10,000
// structures, filtered, a pre-fill under way, an import's report from a
// CSV file and from a workbook, the registry's differences, the form
// opened to fix a row, the reform's columns and section, the structure
// form on Chorus Pro qualification.
func TestScreens(t *testing.T) {
	uitest.InEachLanguage(t, screens)
}

// jeanne is the manager whose firm's workspace the screens show.
const (
	jeanne         = "jeanne.martin@example.fr"
	jeannePassword = "Tr0ub4dor&3x-Lune"
	dupontSIRET    = "73282932000074"
)

func screens(t *testing.T, lang string) {
	ctx := t.Context()
	h := newHarness(t, lang)
	h.App.Settings().SetTheme(widgets.Theme{})
	h.Win.Resize(shell.WindowSize)
	shots := uitest.NewShots(t, h.Win, lang)
	shot := shots.Shot
	u := h.a

	// Jeanne has an account and created her firm's first structure
	// (the wizard's walk, ui.TestScreens, shows how).
	if err := h.Sim.SeedPerson(ctx, jeanne, jeannePassword, "Jeanne", "Martin"); err != nil {
		t.Fatal(err)
	}
	h.SignIn(jeanne, jeannePassword)
	u.Show(shell.StepStructure)
	test.Type(u.structureS.identifier, dupontSIRET)
	uitest.Tapped(t, u.structureS.submit)
	h.CloseDialogs()
	if rec := h.StructureByKey(core.IDSIRET, dupontSIRET); rec.Sync.State != core.StateCreated {
		t.Fatalf("Jeanne's structure: %+v", rec.Sync)
	}
	// The app opened again: no one signed in on its screens yet.
	h.Open()
	h.Win.Resize(shell.WindowSize)
	shots.On(h.Win)
	u = h.a

	fillStore(t, h, 10_000)
	u.Show(shell.StepWorkspace)
	shot("14-workspace")
	ws := u.workspaceS
	test.Type(ws.search, "lyon")
	ws.setFilter(core.FilterReady)
	test.Tap(ws.selectAll)
	shot("15-workspace-filtered")
	// A pre-fill of 500 rows, 120 done after 18 seconds: the registry's
	// pace, drawn as the running action draws it.
	ws.SetBusy(true)
	ws.progress.Begin(u.Text().T("ws.prefill"), 500, func() {})
	ws.progress.StartedAt(h.Shell.Now().Add(-18 * time.Second))
	ws.progress.Set(120, 500)
	shot("16-prefill-progress")
	ws.progress.End()
	ws.SetBusy(false)

	in := "SIRET;Raison sociale;Adresse;Ville;Code postal;Téléphone\n" +
		"44306184100047;Scierie Vosgienne;1 chemin du Moulin;Épinal;88000;03 29 00 00 00\n" +
		"35600000000048;La Poste;9 rue du Colonel Pierre Avia;Paris;75015;\n" +
		"73282932000079;Atelier Dupond;12 rue de la Paix;Paris;75002;\n" +
		"52524288900042;Caraïbes Services;;Fort-de-France;97200;\n" +
		"41816609600069;Garage Leroy;4 avenue Jean Jaurès;Lyon;6900;0478\n" +
		"79068156300017;=Marie Durand;8 impasse des Lilas;Bordeaux;33000;\n"
	path := filepath.Join(testos.TempDir(t), "clients-decembre.csv")
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	u.files.startImport(storage.NewFileURI(path), "", false)
	shot("17-import-report")
	test.Tap(u.reportS.back)

	// The same clients in an Excel workbook of two sheets, SIRETs and
	// postal codes typed as numbers: the sheet is chosen, the report the
	// same.
	book := filepath.Join(testos.TempDir(t), "clients.xlsx")
	writeClientsWorkbook(t, book, in)
	u.files.confirmImport(storage.NewFileURI(book))
	if u.files.sheetPick == nil {
		t.Fatal("no choice of sheet for a workbook of two")
	}
	u.files.sheetPick.SetSelected("Décembre")
	shot("17-import-xlsx-sheet")
	uitest.TapDialogIn(t, h.Win, u.Text().T("ws.import.start"))
	shot("17-import-report-xlsx")
	test.Tap(u.reportS.back)

	// A pre-fill whose answers differ from what was typed.
	var ids []int64
	for _, d := range []core.StructureDraft{
		{CompanyName: "Boulangerie Martin & Fils", Identifier: "77984790400033", Address: "4 av. Jean Jaurès", City: "Lyon", PostalCode: "69003"},
		{CompanyName: "Cabinet Bernard", Identifier: "44126652500019", Address: "3 place Bellecour", City: "Lyon 2e", PostalCode: "69002"},
		{CompanyName: "Caraïbes Services", Identifier: "52524288900042", Address: "27 rue Victor Hugo", City: "Fort-de-France", PostalCode: "97200"},
	} {
		d.IdentifierType, d.Kind = core.IDSIRET, core.KindPrivate
		rec, _, err := h.Svc.Structures.Save(ctx, 0, d, false)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	res, err := h.Svc.Workspace.PrefillStructures(ctx, ids, nil)
	if err != nil || len(res.Differences) != 2 {
		t.Fatalf("pre-fill: %+v %v", res, err)
	}
	u.review = &res
	u.Show(shell.StepReview)
	u.reviewS.accepted[res.Differences[0].ID] = true
	u.reviewS.list.Refresh()
	u.reviewS.changed()
	shot("18-registry-review")

	// Jeanne signs in. Her structure has no other manager yet: the
	// workspace says so.
	h.SignIn(jeanne, jeannePassword)
	u.ShowWith(shell.StepWorkspace, shell.WorkspaceView{Filter: core.FilterAll})
	test.Type(u.workspaceS.search, "732 829 320")
	shot("19-workspace-only-you")
	u.workspaceS.search.SetText("")

	// The form opened on a row with an error, cursor in the field.
	u.ShowWith(shell.StepWorkspace, shell.WorkspaceView{Filter: core.FilterErrors})
	u.workspaceS.open(0, "")
	shot("20-structure-fix")

	reformShots(t, h, shot)
	qualificationShots(t, h, shot)
}

// reformShots: Jeanne's firm records platforms and looks in the
// directory; the workspace's chips find who has no platform yet.
func reformShots(t *testing.T, h *harness, shot func(string)) {
	ctx := t.Context()
	u := h.a
	recs, err := h.Svc.Workspace.QueryStructures(ctx, core.StructureQuery{Text: "732 829 320"})
	if err != nil || len(recs.Rows) != 1 {
		t.Fatalf("the reform's structure: %v %v", recs.Rows, err)
	}
	dupont := recs.Rows[0].ID
	all, err := h.Svc.Workspace.QueryStructures(ctx, core.StructureQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var some []int64
	for i, r := range all.Rows {
		if i%3 == 0 {
			some = append(some, r.ID)
		}
	}
	if _, err := h.Svc.Reform.SetPlatform(ctx, some, "PA Atlantique (démo)", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Svc.Reform.MarkChecked(ctx, some[:len(some)/2], nil); err != nil {
		t.Fatal(err)
	}
	if _, p, err := h.Svc.Reform.SaveReform(ctx, dupont, core.Reform{Platform: "Facturo (démo)", MandateSigned: "2026-06-30",
		Addresses: []string{"732829320", "732829320_FACTURES"}, CheckedOn: "2026-11-20",
		Seen: "Facturo (démo) depuis le 01/07/2026 ; 2 adresses actives", Note: "Relancer pour l'émission en 2027",
		Category: core.CategoryPME, CategorySource: core.CategoryFromRegistry}); err != nil {
		t.Fatalf("save reform: %v %v", p, err)
	}
	u.ShowWith(shell.StepWorkspace, shell.WorkspaceView{Filter: core.FilterNoPlatform})
	shot("21-workspace-reform")
	u.openStructure(dupont, "")
	u.PageScroll().ScrollToBottom()
	shot("22-structure-reform")
}

// qualificationShots: the structure form on Chorus Pro qualification,
// pre-filled from the registry, then on a SIRET Chorus Pro already has.
func qualificationShots(t *testing.T, h *harness, shot func(string)) {
	u := h.a
	h.Chorus = (&uitest.FakeChorus{Find: func(_ core.IdentifierType, id string) (piste.StructureAAfficher, error) {
		if id == dupontSIRET {
			return piste.StructureAAfficher{IDStructureCPP: 25_000_123, IdentifiantStructure: id}, nil
		}
		return piste.StructureAAfficher{}, &core.E{Kind: core.KindNotFound, Code: "piste.not_found"}
	}}).New
	if err := h.Svc.Connection.SaveSettings(t.Context(), core.Settings{Environment: core.EnvQualification, PISTEClientID: "cabinet-app",
		TechnicalLogin: "TECH_1@cpro.fr"}); err != nil {
		t.Fatal(err)
	}
	h.Shell.EnvChanged()
	u.Show(shell.StepStructure)
	test.Type(u.structureS.identifier, "77984790400033")
	shot("21-qualification-prefilled")
	u.Show(shell.StepStructure)
	test.Type(u.structureS.identifier, dupontSIRET)
	shot("22-qualification-on-chorus-pro")
}

// writeClientsWorkbook writes the rows of a ";" CSV as an Excel workbook
// of two sheets (Novembre, Décembre) as an accountant's looks: SIRETs and
// postal codes that are digits typed as numbers.
func writeClientsWorkbook(t *testing.T, path, csvText string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range []string{"Novembre", "Décembre"} {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, line := range strings.Split(strings.TrimSpace(csvText), "\n") {
			if i == 0 && r > 1 {
				break // November: one client
			}
			for c, v := range strings.Split(line, ";") {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				var val any = v
				if n, err := strconv.ParseInt(v, 10, 64); err == nil && r > 0 && (c == 0 || c == 4) {
					val = n
				}
				if v == "" {
					continue
				}
				if err := f.SetCellValue(name, cell, val); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}
