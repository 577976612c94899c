package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/chorusonboard/chorus-onboard/core"
)

// TestScreenReformSection: the form's e-invoicing section shows both
// obligations for the category, refuses a date that does not read
// without asking the service, saves through it otherwise, and the
// directory button copies the SIREN.
func TestScreenReformSection(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			f := newFakes()
			f.reform.names = []string{"Facturo", "Libeo"}
			f.structures.recs = map[int64]core.StructureRecord{4: {ID: 4, Draft: core.StructureDraft{IdentifierType: core.IDSIRET,
				Identifier: "73282932000074", CompanyName: "Dupont"}, Reform: core.Reform{Category: core.CategoryGE,
				CategorySource: core.CategoryFromRegistry}, Sync: core.Sync{State: core.StateCreated}}}
			u := newFakeUI(t, lang, f)
			u.openStructure(4, "")
			s := u.structureS.reform
			if s == nil {
				t.Fatal("no e-invoicing section on a stored record")
			}
			want := u.text.obligationsText(core.CategoryGE, core.CategoryFromRegistry)
			if s.obligations.Text != want || s.save.Disabled() {
				t.Fatalf("obligations %q, want %q", s.obligations.Text, want)
			}
			s.mandate.SetText("31/02/2026")
			test.Tap(s.save)
			if len(f.reform.got()) != 0 || !s.problems.Visible() {
				t.Fatalf("a date that does not read was sent: %v", f.reform.got())
			}
			s.mandate.SetText("30/06/2026")
			s.platform.SetText("Facturo")
			s.category.SetSelectedIndex(indexOf(categories, core.CategoryPME))
			test.Tap(s.save)
			if !contains(f.reform.got(), "SaveReform 4 Facturo") || f.reform.saved.MandateSigned != "2026-06-30" ||
				f.reform.saved.Category != core.CategoryPME || f.reform.saved.CategorySource != core.CategoryFromUser {
				t.Fatalf("saved %v %+v", f.reform.got(), f.reform.saved)
			}
			test.Tap(s.directory)
			if got := u.app.Clipboard().Content(); got != "732829320" {
				t.Fatalf("clipboard %q", got)
			}
		})
	}
}

// TestScreenWorkspaceReformActions: the bulk actions ask the service for
// the selection.
func TestScreenWorkspaceReformActions(t *testing.T) {
	f := newFakes()
	f.workspace.rows = []core.StructureSummary{{ID: 1, IdentifierType: core.IDSIRET, Identifier: "73282932000074"},
		{ID: 2, IdentifierType: core.IDSIRET, Identifier: "35600000000048", Platform: "Facturo", CheckedOn: "2026-11-29"}}
	u := newFakeUI(t, "en", f)
	u.show(stepWorkspace)
	w := u.workspaceS
	if w.counts[core.FilterNoPlatform] != 1 {
		t.Fatalf("counts %v", w.counts)
	}
	w.checkAll()
	workspaceReform{w}.onMarkChecked()
	if !contains(f.reform.got(), "MarkChecked 1,2") {
		t.Fatalf("mark checked asked %v", f.reform.got())
	}
	w.clearSelection()
	w.table.Checked[1] = true
	workspaceReform{w}.onDirectory()
	if got := u.app.Clipboard().Content(); got != "732829320" {
		t.Fatalf("clipboard %q", got)
	}
}
