package workspace

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

// TestScreenReformSection: the form's e-invoicing section shows both
// obligations for the category, refuses a date that does not read
// without asking the service, saves through it otherwise, and the
// directory button copies the SIREN.
func TestScreenReformSection(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			f := uitest.NewFakes()
			f.Reform.Names = []string{"Facturo", "Libeo"}
			f.Structures.Recs = map[int64]core.StructureRecord{4: {ID: 4, Draft: core.StructureDraft{IdentifierType: core.IDSIRET,
				Identifier: "73282932000074", CompanyName: "Dupont"}, Reform: core.Reform{Category: core.CategoryGE,
				CategorySource: core.CategoryFromRegistry}, Sync: core.Sync{State: core.StateCreated}}}
			u := newFakeArea(t, lang, f)
			u.openStructure(4, "")
			s := u.structureS.reform
			if s == nil {
				t.Fatal("no e-invoicing section on a stored record")
			}
			want := u.Text().ObligationsText(core.CategoryGE, core.CategoryFromRegistry)
			if s.obligations.Text != want || s.save.Disabled() {
				t.Fatalf("obligations %q, want %q", s.obligations.Text, want)
			}
			s.mandate.SetText("31/02/2026")
			test.Tap(s.save)
			if len(f.Reform.Got()) != 0 || !s.problems.Visible() {
				t.Fatalf("a date that does not read was sent: %v", f.Reform.Got())
			}
			s.mandate.SetText("30/06/2026")
			s.platform.SetText("Facturo")
			s.category.SetSelectedIndex(indexOf(categories, core.CategoryPME))
			test.Tap(s.save)
			if !uitest.Contains(f.Reform.Got(), "SaveReform 4 Facturo") || f.Reform.Saved.MandateSigned != "2026-06-30" ||
				f.Reform.Saved.Category != core.CategoryPME || f.Reform.Saved.CategorySource != core.CategoryFromUser {
				t.Fatalf("saved %v %+v", f.Reform.Got(), f.Reform.Saved)
			}
			test.Tap(s.directory)
			if got := u.App().Clipboard().Content(); got != "732829320" {
				t.Fatalf("clipboard %q", got)
			}
		})
	}
}

// TestScreenWorkspaceReformActions: the bulk actions ask the service for
// the selection.
func TestScreenWorkspaceReformActions(t *testing.T) {
	f := uitest.NewFakes()
	f.Workspace.Rows = []core.StructureSummary{{ID: 1, IdentifierType: core.IDSIRET, Identifier: "73282932000074"},
		{ID: 2, IdentifierType: core.IDSIRET, Identifier: "35600000000048", Platform: "Facturo", CheckedOn: "2026-11-29"}}
	u := newFakeArea(t, "en", f)
	u.Show(shell.StepWorkspace)
	w := u.workspaceS
	if w.counts[core.FilterNoPlatform] != 1 {
		t.Fatalf("counts %v", w.counts)
	}
	w.checkAll()
	workspaceReform{w}.onMarkChecked()
	if !uitest.Contains(f.Reform.Got(), "MarkChecked 1,2") {
		t.Fatalf("mark checked asked %v", f.Reform.Got())
	}
	w.clearSelection()
	w.table.Checked[1] = true
	workspaceReform{w}.onDirectory()
	if got := u.App().Clipboard().Content(); got != "732829320" {
		t.Fatalf("clipboard %q", got)
	}
}
