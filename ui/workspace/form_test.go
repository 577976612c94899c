package workspace

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// TestStructureCreated: step 6 with a SIRET the registry knows and the
// portal does not: pre-filled, submitted, created, recorded in the store.
func TestStructureCreated(t *testing.T) {
	h := newHarness(t, "en")
	if err := h.Sim.SeedAccount(t.Context(), "owner@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	h.SignIn("owner@example.fr", "Tr0ub4dor&3x-Lune")
	h.a.Show(shell.StepStructure)
	s := h.a.structureS
	if !s.submit.Disabled() {
		t.Fatal("Submit enabled on an empty structure form")
	}
	test.Type(s.identifier, "732 829 320 00074")
	if !strings.HasPrefix(s.lookup.Text, "This structure is not present in Chorus Pro.") {
		t.Fatalf("lookup message %q", s.lookup.Text)
	}
	if s.company.Text != "ATELIERS DUPONT ET FILS" || s.zip.Text != "75002" || s.city.Text != "PARIS" || s.address.Text != "12 RUE DE LA PAIX" {
		t.Fatalf("not pre-filled: %q %q %q %q", s.company.Text, s.address.Text, s.zip.Text, s.city.Text)
	}
	if s.submit.Disabled() {
		t.Fatal("Submit disabled on a complete form")
	}
	test.Tap(s.submit)
	if !strings.Contains(s.result.Text, "was created on Chorus Pro") {
		t.Fatalf("result %q", s.result.Text)
	}
	rec := h.StructureByKey("SIRET", "73282932000074")
	if rec.Sync.State != "created" || rec.Sync.PortalID == "" {
		t.Fatalf("stored %+v", rec.Sync)
	}
}

// TestNonDiffusiblePrefill: masked fields stay empty and the option is set.
func TestNonDiffusiblePrefill(t *testing.T) {
	h := newHarness(t, "fr")
	if err := h.Sim.SeedAccount(t.Context(), "nd@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	h.SignIn("nd@example.fr", "Tr0ub4dor&3x-Lune")
	h.a.Show(shell.StepStructure)
	s := h.a.structureS
	test.Type(s.identifier, "79068156300017")
	if !s.nonDiffusible.Checked || s.company.Text != "" || s.address.Text != "" || !strings.Contains(s.lookup.Text, "non diffusible") {
		t.Fatalf("non-diffusible: %v %q %q %q", s.nonDiffusible.Checked, s.company.Text, s.address.Text, s.lookup.Text)
	}
}

// TestSubmitSendsThatStructureFirst: with 10,000 structures queued by an
// import, a structure submitted from the form is sent at once, alone: it
// is created, and the backlog waits for the worker (before, the form
// drained the whole queue under its deadline and read back on an expired
// context).
func TestSubmitSendsThatStructureFirst(t *testing.T) {
	if uitest.InOwnProcess(t) {
		return
	}
	h := newHarness(t, "en")
	if err := h.Sim.SeedAccount(t.Context(), "owner@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	const backlog = 10_000
	var batch []core.SaveStructure
	for _, id := range coretest.SIRETs(backlog + 1)[1:] {
		batch = append(batch, core.SaveStructure{Queue: true, Target: core.TargetLocal, Checked: core.CheckStructure(core.StructureDraft{IdentifierType: core.IDSIRET,
			Identifier: id, Kind: core.KindPrivate, CompanyName: "Backlog " + id, Address: "1 rue", City: "Paris", PostalCode: "75002", Country: "FR"})})
		if len(batch) == 500 {
			if _, err := h.Store.Structures.SaveStructures(t.Context(), batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	h.SignIn("owner@example.fr", "Tr0ub4dor&3x-Lune")
	h.a.Show(shell.StepStructure)
	s := h.a.structureS
	test.Type(s.identifier, "732 829 320 00074")
	test.Tap(s.submit)
	if !strings.Contains(s.result.Text, "was created on Chorus Pro") {
		t.Fatalf("result %q", s.result.Text)
	}
	if rec := h.StructureByKey("SIRET", "73282932000074"); rec.Sync.State != core.StateCreated {
		t.Fatalf("the submitted structure: %+v", rec.Sync)
	}
	counts, pending, err := h.Svc.Sync.Counts(t.Context())
	if err != nil || counts[core.StateQueued] != backlog || pending != backlog {
		t.Fatalf("the backlog: %v, %d rows pending, %v", counts, pending, err)
	}
}

// TestFocusScrollsIntoView: moving the keyboard focus to a field below the
// fold scrolls the page so the field shows, and back up again.
func TestFocusScrollsIntoView(t *testing.T) {
	h := newHarness(t, "fr")
	h.Win.Resize(shell.WindowSize)
	h.a.Show(shell.StepStructure)
	s := h.a.structureS
	scroll := h.a.PageScroll()
	visible := func(e *widgets.FocusEntry) bool {
		d := h.App.Driver()
		top := d.AbsolutePositionForObject(e).Y - d.AbsolutePositionForObject(scroll).Y
		return top >= 0 && top+e.Size().Height <= scroll.Size().Height
	}
	if visible(s.zip) {
		t.Fatal("the postal code is above the fold at this size: the test proves nothing")
	}
	h.Win.Canvas().Focus(s.zip)
	if scroll.Offset.Y == 0 || !visible(s.zip) {
		t.Fatalf("focused postal code not in view (offset %v)", scroll.Offset)
	}
	h.Win.Canvas().Focus(s.identifier)
	if !visible(s.identifier) {
		t.Fatalf("focused identifier not in view (offset %v)", scroll.Offset)
	}
}

// TestLabelsAlign: every label of the structure form stands in one column,
// whatever section it belongs to.
func TestLabelsAlign(t *testing.T) {
	h := newHarness(t, "fr")
	h.Win.Resize(shell.WindowSize)
	h.a.Show(shell.StepStructure)
	s := h.a.structureS
	d := h.App.Driver()
	x := d.AbsolutePositionForObject(s.identifier).X
	for _, e := range []*widgets.FocusEntry{s.company, s.address, s.complement2, s.city, s.zip} {
		if got := d.AbsolutePositionForObject(e).X; got != x {
			t.Errorf("a field starts at x=%v, the identifier at x=%v", got, x)
		}
	}
}
