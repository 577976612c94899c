package workspace

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/registry"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

// TestScreenStructureSubmit: a valid SIRET is looked up once, the
// registry's name and address fill the empty fields, and Create sends the
// form as typed and pre-filled; a refusal is shown, not a success.
func TestScreenStructureSubmit(t *testing.T) {
	f := uitest.NewFakes()
	f.Structures.Found = onboarding.Lookup{Checked: true, Company: &registry.Company{Siret: "73282932000074", Name: "ATELIERS DUPONT",
		Address: "12 RUE DE LA PAIX", PostalCode: "75002", City: "PARIS", Active: true}}
	u := newFakeArea(t, "en", f)
	u.Show(shell.StepStructure)
	s := u.structureS
	test.Type(s.identifier, "732 829 320 00074")
	if got := f.Structures.Got(); !reflect.DeepEqual(got, []string{"Lookup 73282932000074"}) {
		t.Fatalf("look-ups %v", got)
	}
	if s.company.Text != "ATELIERS DUPONT" || s.city.Text != "PARIS" {
		t.Fatalf("pre-filled %q, %q", s.company.Text, s.city.Text)
	}
	uitest.Tapped(t, s.submit)
	if !uitest.Contains(f.Structures.Got(), "Submit 732 829 320 00074 ATELIERS DUPONT") || !strings.Contains(s.result.Text, "was created") {
		t.Fatalf("submitted %v, result %q", f.Structures.Got(), s.result.Text)
	}
	uitest.CloseDialogs(u.Win())
	f.Structures.SubmitErr = &core.E{Kind: core.KindUnavailable, Code: "network.unreachable"}
	uitest.Tapped(t, s.submit)
	if strings.Contains(s.result.Text, "was created") || s.result.Text == "" || s.submit.Disabled() {
		t.Fatalf("offline: %q, submit disabled %v", s.result.Text, s.submit.Disabled())
	}
}

// TestScreenWorkspaceBulk: the rows come from the query; checking all and
// queueing asks for exactly those rows.
func TestScreenWorkspaceBulk(t *testing.T) {
	f := uitest.NewFakes()
	for i := int64(1); i <= 3; i++ {
		f.Workspace.Rows = append(f.Workspace.Rows, core.StructureSummary{ID: i, IdentifierType: core.IDSIRET,
			Identifier: "7328293200007" + string(rune('0'+i)), CompanyName: "Client", State: core.StateDraft})
	}
	u := newFakeArea(t, "fr", f)
	u.Show(shell.StepWorkspace)
	w := u.workspaceS
	if w.showingRows() != 3 {
		t.Fatalf("%d rows shown", w.showingRows())
	}
	w.table.OnCheckAll(true)
	uitest.Tapped(t, w.queue)
	if got := f.Workspace.Got(); !uitest.Contains(got, "QueueStructures 1,2,3") {
		t.Fatalf("asked %v", got)
	}
	if !strings.Contains(w.message.Text, "3") {
		t.Fatalf("the outcome %q does not say how many", w.message.Text)
	}
}

// TestScreenSyncPanel: the unsettled structures are listed with the
// portal's reason, and Discard takes one back.
func TestScreenSyncPanel(t *testing.T) {
	f := uitest.NewFakes()
	f.Sync.Rows = []core.StructureRecord{
		{ID: 4, Draft: core.StructureDraft{CompanyName: "Refusée SA", Identifier: "73282932000074"},
			Sync: core.Sync{State: core.StateFailed, Notice: core.Notice{Code: "siret.checksum"}}},
		{ID: 5, Draft: core.StructureDraft{CompanyName: "En attente SARL"}, Sync: core.Sync{State: core.StateQueued}},
	}
	u := newFakeArea(t, "en", f)
	u.Show(shell.StepSync)
	s := u.syncS
	if len(s.discard) != 2 {
		t.Fatalf("%d discard buttons", len(s.discard))
	}
	uitest.Tapped(t, s.discard[4])
	if !uitest.Contains(f.Sync.Got(), "Discard") || len(u.syncS.discard) != 1 {
		t.Fatalf("asked %v, %d rows left", f.Sync.Got(), len(u.syncS.discard))
	}
}

// TestScreenWorkspaceOnlyYou: signed in, the workspace marks the
// structures whose requests only the user can approve on the portal and
// says what to do; signed out, it asks nothing of the portal.
func TestScreenWorkspaceOnlyYou(t *testing.T) {
	f := uitest.NewFakes()
	f.Workspace.Rows = []core.StructureSummary{
		{ID: 1, IdentifierType: core.IDSIRET, Identifier: "73282932000074", CompanyName: "Ateliers", State: core.StateCreated},
		{ID: 2, IdentifierType: core.IDSIRET, Identifier: "44306184100047", CompanyName: "Scierie", State: core.StateCreated},
	}
	f.People.ManagedList = []api.Managed{
		{StructureID: 5, IdentifierType: core.IDSIRET, Identifier: "73282932000074", Role: api.RolePrincipal,
			Rights: api.Rights{MayApprove: true, MayModify: true}, Approvers: 1},
		{StructureID: 6, IdentifierType: core.IDSIRET, Identifier: "44306184100047", Role: api.RolePrincipal,
			Rights: api.Rights{MayApprove: true, MayModify: true}, Approvers: 2},
		// A user without the right: others approve, not them.
		{StructureID: 7, IdentifierType: core.IDSIRET, Identifier: "35600000000048", Role: api.RoleUser, Approvers: 1},
	}
	u := newFakeArea(t, "fr", f)
	u.Show(shell.StepWorkspace)
	if w := u.workspaceS; w.aloneNote.Visible() || len(w.alone) != 0 {
		t.Fatal("signed out, the workspace marks structures")
	}
	u.Session().SetSignedIn("ana@example.fr")
	u.Show(shell.StepWorkspace)
	w := u.workspaceS
	problems := w.columns()[6]
	if !w.aloneNote.Visible() || !strings.Contains(w.aloneNote.Text, "Vous seul pouvez valider les demandes de rattachement de 1 structure") ||
		problems.Text(f.Workspace.Rows[0]) != "vous seul" || problems.Text(f.Workspace.Rows[1]) == "vous seul" ||
		problems.Tone(f.Workspace.Rows[0]) != widget.WarningImportance {
		t.Fatalf("note %q; problems %q / %q", w.aloneNote.Text, problems.Text(f.Workspace.Rows[0]), problems.Text(f.Workspace.Rows[1]))
	}
}

// TestScreenImportWorkbook: a workbook with several sheets import can read
// asks which; the one chosen is imported; a workbook of none says why.
func TestScreenImportWorkbook(t *testing.T) {
	f := uitest.NewFakes()
	f.Workspace.Sheets = []string{"Novembre", "Décembre"}
	u := newFakeArea(t, "fr", f)
	u.Show(shell.StepWorkspace)
	path := filepath.Join(testos.TempDir(t), "clients.xlsx")
	if err := os.WriteFile(path, []byte("PK"), 0o600); err != nil {
		t.Fatal(err)
	}
	u.files.confirmImport(storage.NewFileURI(path))
	if u.files.sheetPick == nil || u.files.sheetPick.Selected != "Novembre" {
		t.Fatal("no choice of sheet")
	}
	u.files.sheetPick.SetSelected("Décembre")
	uitest.TapDialogIn(t, u.Win(), "Importer")
	if !uitest.Contains(f.Workspace.Got(), "ImportXLSX Décembre") || u.Step() != shell.StepImportReport {
		t.Fatalf("asked %v, step %s", f.Workspace.Got(), u.Step())
	}
	f.Workspace.Sheets = nil
	u.Show(shell.StepWorkspace)
	u.files.confirmImport(storage.NewFileURI(path))
	if !strings.Contains(strings.Join(uitest.VisibleTexts(u.Win().Canvas().Overlays().Top()), " "), "Aucune feuille") {
		t.Fatal("a workbook with no usable sheet is not said")
	}
}
