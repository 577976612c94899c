package workspace

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// csvFile writes a CSV of n structures, French style (";"), and returns
// its path and SIRETs. Every twentieth row has the city "Ajaccio", the
// others one of a few large cities.
func csvFile(t *testing.T, n int) (string, []string) {
	t.Helper()
	ss := coretest.SIRETs(n)
	var b strings.Builder
	b.WriteString("SIRET;Raison sociale;Adresse;Ville;Code postal;E-mail\n")
	cities := []string{"Paris;75011", "Lyon;69003", "Marseille;13001", "Toulouse;31000", "Nantes;44000"}
	for i, s := range ss {
		city := cities[i%len(cities)]
		if i%20 == 7 {
			city = "Ajaccio;20000"
		}
		fmt.Fprintf(&b, "%s;Société %04d;%d rue de la République;%s;compta%d@cabinet.example\n", s, n-i, i+1, city, i)
	}
	path := filepath.Join(testos.TempDir(t), "clients.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, ss
}

// headerButton finds the header of a column by its title, as a person
// finds it on screen.
func headerButton(t *testing.T, h *harness, title string) *widgets.Button {
	t.Helper()
	found := uitest.Objects(h.a.workspaceS.table, func(o fyne.CanvasObject) bool {
		b, ok := o.(*widgets.Button)
		return ok && b.Text == title
	})
	if len(found) == 0 {
		t.Fatalf("no header %q", title)
	}
	return found[0].(*widgets.Button)
}

// TestWorkspaceImportFilterSortQueue is an accountant's session: 10,000
// clients dropped on the window as a CSV, imported as drafts; filtered to
// one city; sorted by company name from the header; all of them selected
// and queued; the worker sends them.
func TestWorkspaceImportFilterSortQueue(t *testing.T) {
	if uitest.InOwnProcess(t) {
		return
	}
	h := newHarness(t, "en")
	const n = 10_000
	path, _ := csvFile(t, n)
	h.a.files.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(path)})
	uitest.TapDialogIn(t, h.Win, "Import")
	if h.a.Step() != shell.StepImportReport {
		t.Fatalf("after the import: %s (%s)", h.a.Step(), h.a.workspace.message)
	}
	if got := h.a.reportS.summary.Text; !strings.HasPrefix(got, "clients.csv: imported 10,000, updated 0, rejected 0.") {
		t.Fatalf("report: %q", got)
	}
	test.Tap(h.a.reportS.back)
	ws := h.a.workspaceS
	if ws.showingRows() != n || ws.chips[core.FilterReady].Text != "Ready  10,000" {
		t.Fatalf("workspace: %d rows, ready chip %q", ws.showingRows(), ws.chips[core.FilterReady].Text)
	}
	// Filter as you type, without accents or case.
	test.Type(ws.search, "AJACCIO")
	if ws.showingRows() != n/20 || ws.chips[core.FilterAll].Text != "All  500" {
		t.Fatalf("filtered: %d rows, chip %q", ws.showingRows(), ws.chips[core.FilterAll].Text)
	}
	// Sort by company name, then reversed.
	test.Tap(headerButton(t, h, "Company name"))
	first := ws.rows[0].CompanyName
	test.Tap(headerButton(t, h, "Company name"))
	if last := ws.rows[0].CompanyName; first >= last || ws.rows[len(ws.rows)-1].CompanyName != first {
		t.Fatalf("sorted %q then reversed %q", first, last)
	}
	// Select all filtered and queue them.
	test.Tap(ws.selectAll)
	if ws.selection.Text != "500 selected" || ws.queue.Disabled() {
		t.Fatalf("selection %q", ws.selection.Text)
	}
	test.Tap(ws.queue)
	if !strings.HasPrefix(ws.message.Text, "500 structures queued for the portal.") {
		t.Fatalf("queue: %q", ws.message.Text)
	}
	if ws.chips[core.FilterQueued].Text != "Queued  500" {
		t.Fatalf("queued chip %q", ws.chips[core.FilterQueued].Text)
	}
	// The worker sends them once someone is signed in.
	if err := h.Sim.SeedAccount(t.Context(), "cabinet@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	if err := h.Svc.Accounts.SignIn(t.Context(), "cabinet@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	st, err := h.Svc.Sync.Drain(t.Context())
	if err != nil || st.Created != 500 {
		t.Fatalf("sent: %+v %v", st, err)
	}
	ws.refresh()
	if ws.chips[core.FilterOnPortal].Text != "On the portal  500" || ws.chips[core.FilterAll].Text != "All  500" {
		t.Fatalf("after sending: %q", ws.chips[core.FilterOnPortal].Text)
	}
}

// TestWorkspaceKeyboard: arrows move, Space ticks, Enter opens the form on
// that row; back from the form, the same row, filter and sort.
func TestWorkspaceKeyboard(t *testing.T) {
	h := newHarness(t, "en")
	ss := coretest.SIRETs(5)
	for i, s := range ss {
		d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: s, Kind: core.KindPrivate, CompanyName: fmt.Sprint("Client ", i),
			Address: "1 rue", City: "Lyon", PostalCode: "69003"}
		if _, _, err := h.Svc.Structures.Save(t.Context(), 0, d, false); err != nil {
			t.Fatal(err)
		}
	}
	h.a.Show(shell.StepWorkspace)
	ws := h.a.workspaceS
	ws.setSort(core.SortCompany)
	ws.table.FocusRow(0)
	for range 2 {
		ws.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	}
	ws.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if ws.table.Current != 2 || ws.selection.Text != "1 selected" || !ws.table.Checked[ws.rows[2].ID] {
		t.Fatalf("current %d, %q", ws.table.Current, ws.selection.Text)
	}
	want := ws.rows[2]
	ws.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if h.a.Step() != shell.StepEditor || h.a.editing.rec.ID != want.ID || h.a.structureS.company.Text != "Client 2" {
		t.Fatalf("Enter opened %s on %+v", h.a.Step(), h.a.editing)
	}
	test.Tap(h.a.structureS.backToList)
	ws = h.a.workspaceS
	if h.a.Step() != shell.StepWorkspace || ws.table.Current != 2 || ws.sortKey() != core.SortCompany {
		t.Fatalf("back: %s, row %d, sort %s", h.a.Step(), ws.table.Current, ws.sortKey())
	}
	// A double click on a row's cell opens it too.
	company := ws.rows[4].CompanyName
	cells := uitest.Objects(ws.table, func(o fyne.CanvasObject) bool {
		if _, ok := o.(fyne.DoubleTappable); !ok || o == ws.table {
			return false
		}
		return len(uitest.Objects(o, func(l fyne.CanvasObject) bool { x, ok := l.(*widget.Label); return ok && x.Text == company })) > 0
	})
	if len(cells) == 0 {
		t.Fatal("no cell of row 4 on screen")
	}
	test.DoubleTap(cells[0].(fyne.DoubleTappable))
	if h.a.Step() != shell.StepEditor || h.a.editing.rec.ID != ws.rows[4].ID {
		t.Fatalf("double click opened %s", h.a.Step())
	}
}

// TestFixFocusesTheFirstBadField: a row with errors opens its form with
// the cursor in the first field to fix; Save and queue is refused until it
// is fixed, then queues it and goes back to the table.
func TestFixFocusesTheFirstBadField(t *testing.T) {
	h := newHarness(t, "en")
	d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "73282932000074", Kind: core.KindPrivate,
		CompanyName: "Ateliers", Address: "1 rue", City: "Paris", PostalCode: "750"}
	if _, _, err := h.Svc.Structures.Save(t.Context(), 0, d, false); err != nil {
		t.Fatal(err)
	}
	h.a.Show(shell.StepWorkspace)
	ws := h.a.workspaceS
	if got := ws.rows[0]; got.Errors != 1 {
		t.Fatalf("row %+v", got)
	}
	ws.open(0, "")
	s := h.a.structureS
	if h.Win.Canvas().Focused() != s.zip {
		t.Fatalf("focused %T, want the postal code", h.Win.Canvas().Focused())
	}
	if !s.saveQueue.Disabled() {
		t.Fatal("Save and queue allowed with an error")
	}
	s.zip.SetText("75002")
	test.Tap(s.saveQueue)
	if h.a.Step() != shell.StepWorkspace || !strings.HasPrefix(h.a.workspaceS.message.Text, "Saved and queued for the portal: 732 829 320 00074") {
		t.Fatalf("after saving: %s %q", h.a.Step(), h.a.workspaceS.message.Text)
	}
	if r := h.StructureByKey(core.IDSIRET, "73282932000074"); r.Sync.State != core.StateQueued || r.Draft.PostalCode != "75002" {
		t.Fatalf("stored %+v", r)
	}
}

// TestPrefillCancelledInTheWindow: Cancel halfway through a pre-fill
// leaves every row either filled or as it was, and says so.
func TestPrefillCancelledInTheWindow(t *testing.T) {
	const n = 24
	companies := sim.SyntheticCompanies(coretest.SIRETs(n))
	h := newHarnessWith(t, "en", uitest.Options{Goroutines: true, Companies: companies})
	for _, c := range companies {
		d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: c.SIRET, Kind: core.KindPrivate}
		if _, _, err := h.Svc.Structures.Save(t.Context(), 0, d, false); err != nil {
			t.Fatal(err)
		}
	}
	h.Pump(func() bool { return h.a.Step() != "" }) // the start screen is up
	h.a.Show(shell.StepWorkspace)
	ws := h.a.workspaceS
	h.Pump(func() bool { return ws.loaded })
	test.Tap(ws.selectAll)
	test.Tap(ws.prefill)
	h.Pump(func() bool { return ws.progress.Done() >= n/2 })
	test.Tap(ws.progress.CancelButton)
	h.Pump(func() bool { return !ws.running })
	if !strings.HasPrefix(ws.message.Text, "Cancelled after ") {
		t.Fatalf("message %q", ws.message.Text)
	}
	filled, untouched := 0, 0
	for _, c := range companies {
		d := h.StructureByKey(core.IDSIRET, c.SIRET).Draft
		switch {
		case d.City == "" && d.CompanyName == "" && d.Address == "" && d.PostalCode == "":
			untouched++
		case d.City == c.City && (d.CompanyName == c.Name || !c.Diffusible):
			filled++
		default:
			t.Errorf("half-written: %+v", d)
		}
	}
	if filled < n/2 || untouched == 0 {
		t.Errorf("%d filled, %d untouched", filled, untouched)
	}
}

// TestStatusCountsOpenTheTable: the status line's counts open the table
// on them.
func TestStatusCountsOpenTheTable(t *testing.T) {
	h := newHarness(t, "en")
	for _, s := range coretest.SIRETs(2) {
		d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: s, Kind: core.KindPrivate, CompanyName: "C",
			Address: "1 rue", City: "Lyon", PostalCode: "69003"}
		if _, _, err := h.Svc.Structures.Save(t.Context(), 0, d, true); err != nil {
			t.Fatal(err)
		}
	}
	h.Shell.Status().Refresh()
	b := h.Shell.Bars().Counts[core.FilterQueued]
	if !b.Visible() || b.Text != "2 queued" || h.Shell.Bars().Counts[core.FilterFailed].Visible() {
		t.Fatalf("queued button %q visible %v", b.Text, b.Visible())
	}
	test.Tap(b)
	if h.a.Step() != shell.StepWorkspace || h.a.workspaceS.showingRows() != 2 || h.a.workspace.query.Filter != core.FilterQueued {
		t.Fatalf("opened %s with %d rows", h.a.Step(), h.a.workspaceS.showingRows())
	}
}

// TestImportReportSavesRejectedRows: the report lists each refused line
// and saves them, as they were plus an error column, where the user says.
func TestImportReportSavesRejectedRows(t *testing.T) {
	h := newHarness(t, "fr")
	h.a.files.frenchSheets = true // Excel in a French locale
	in := "SIRET;Raison sociale;Adresse;Ville;Code postal\n73282932000074;Bon;1 rue;Paris;75002\n73282932000079;Mauvais;1 rue;Paris;75002\n"
	path := filepath.Join(testos.TempDir(t), "clients.csv")
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	h.a.files.startImport(storage.NewFileURI(path), "", false)
	r := h.a.reportS
	if r == nil || r.rep.Imported != 1 || r.rep.Rejected != 1 || r.list.Length() != 1 || r.save.Disabled() {
		t.Fatalf("report %+v", r)
	}
	out := storage.NewFileURI(filepath.Join(testos.TempDir(t), "refusees.csv"))
	wc, err := storage.Writer(out)
	if err != nil {
		t.Fatal(err)
	}
	r.saveTo(wc)
	b, err := os.ReadFile(out.Path())
	if err != nil || !strings.HasPrefix(string(b), "\ufefferreur;SIRET;") || !strings.Contains(string(b), "ligne 3: Identifiant") {
		t.Fatalf("saved %q %v", b, err)
	}
	if !strings.Contains(r.message.Text, "1 ligne(s) refusée(s) enregistrée(s) dans refusees.csv") {
		t.Fatalf("message %q", r.message.Text)
	}
	// Leaving the report deletes its file of rejected rows.
	if left, _ := filepath.Glob(filepath.Join(h.Spool, "rejected-*.csv")); len(left) != 1 {
		t.Fatalf("spool before leaving: %v", left)
	}
	test.Tap(r.back)
	if left, _ := filepath.Glob(filepath.Join(h.Spool, "rejected-*.csv")); len(left) != 0 {
		t.Fatalf("spool files left: %v", left)
	}
}
