package workspace

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

// TestShortcuts (issue 33): Ctrl+F brings the workspace's search into
// focus from another screen; Ctrl+N, typed while the search field has the
// focus (Fyne hands shortcuts to the focused field), opens a new
// structure; Ctrl+Shift+S does what the status bar's Sync button does.
func TestShortcuts(t *testing.T) {
	h := newHarness(t, "en")
	c := h.Win.Canvas()
	// A workspace with a structure: an empty one shows no search.
	if _, _, err := h.Svc.Structures.Save(t.Context(), 0, core.StructureDraft{IdentifierType: core.IDSIRET,
		Identifier: "73282932000074", Kind: core.KindPrivate, CompanyName: "Ateliers Dupont"}, false); err != nil {
		t.Fatal(err)
	}
	// typed is the shortcut as the window hands it: to the focused
	// widget when it takes shortcuts, else to the canvas.
	typed := func(key fyne.KeyName, mod fyne.KeyModifier) {
		sc := &desktop.CustomShortcut{KeyName: key, Modifier: mod}
		if f, ok := c.Focused().(fyne.Shortcutable); ok {
			f.TypedShortcut(sc)
			return
		}
		h.Shell.Keys.Run(sc)
	}
	h.Shell.Show(shell.StepSettings)
	typed(fyne.KeyF, fyne.KeyModifierShortcutDefault)
	if h.Shell.Step() != shell.StepWorkspace || c.Focused() != fyne.Focusable(h.a.workspaceS.search) {
		t.Fatalf("Ctrl+F: on %s, focus on %T", h.Shell.Step(), c.Focused())
	}
	typed(fyne.KeyN, fyne.KeyModifierShortcutDefault)
	if h.Shell.Step() != shell.StepEditor && h.Shell.Step() != shell.StepStructure {
		t.Fatalf("Ctrl+N in the search field: on %s, want a new structure", h.Shell.Step())
	}
	// A shortcut the window does not have stays the field's own.
	h.Shell.Show(shell.StepWorkspace)
	h.a.workspaceS.search.SetText("abc")
	c.Focus(h.a.workspaceS.search)
	typed(fyne.KeyA, fyne.KeyModifierShortcutDefault)
	if h.Shell.Step() != shell.StepWorkspace {
		t.Fatalf("Ctrl+A moved to %s", h.Shell.Step())
	}
	typed(fyne.KeyS, fyne.KeyModifierShortcutDefault|fyne.KeyModifierShift)
	if h.Shell.Step() == shell.StepWorkspace {
		t.Fatal("Ctrl+Shift+S did not open what the Sync button opens")
	}
}
