package wizard

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/internal/uitest"

	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// TestKeyboardOnTheAccountStep (issue 33): the home screen gives the
// focus to its primary button, so Enter or Space starts at once; the
// account step puts it on its first field; tabbing through every empty
// field marks none of them in error; Enter on an incomplete form shows
// every field's error and brings the focus to the first one.
func TestKeyboardOnTheAccountStep(t *testing.T) {
	h := newHarness(t, "en")
	c := h.Win.Canvas()
	if b, ok := c.Focused().(*widgets.Button); !ok || b != h.a.home.start {
		t.Fatalf("the home screen's focus is on %T, want its primary button", c.Focused())
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	s := h.a.accountS
	if s == nil {
		t.Fatal("Space on the focused button did not open the account step")
	}
	if c.Focused() != fyne.Focusable(s.loginEmail) {
		t.Fatalf("the account step's focus is on %T, want the first field", c.Focused())
	}
	entries := []*widgets.FocusEntry{s.loginEmail, s.confirmEmail, s.firstName, s.lastName, s.phone, s.contactEmail}
	for range entries {
		c.FocusNext()
	}
	for _, e := range entries {
		if err := e.Validate(); err != nil {
			t.Errorf("a field only passed through shows an error: %v", err)
		}
	}
	c.Focus(s.lastName)
	test.Type(s.lastName, "Martin")
	s.lastName.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if err := s.loginEmail.Validate(); err == nil {
		t.Error("Enter on an incomplete form: the empty e-mail says nothing")
	}
	if c.Focused() != fyne.Focusable(s.loginEmail) {
		t.Errorf("after Enter on an incomplete form the focus is on %T, want the first field in error", c.Focused())
	}
	if err := s.lastName.Validate(); err != nil {
		t.Errorf("a filled field shows an error: %v", err)
	}
}

// TestEscapeGoesBack (issue 33): Escape, typed in a field (Fyne hands
// keys to the focused field) or with nothing focused, does what the
// screen's Back button does; with a dialog open it closes the dialog and
// stays on the step.
func TestEscapeGoesBack(t *testing.T) {
	h := newHarness(t, "en")
	c := h.Win.Canvas()
	test.Tap(h.a.home.start)
	s := h.a.accountS
	c.Focus(s.firstName)
	s.firstName.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.Shell.Step() != shell.StepHome {
		t.Fatalf("Escape in a field of the account step: on %s, want home", h.Shell.Step())
	}
	test.Tap(h.a.home.start)
	dialog.ShowInformation("Saved", "Your draft is saved.", h.Win)
	c.Unfocus()
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.Shell.Step() != shell.StepAccount {
		t.Fatalf("Escape with a dialog open left the step for %s", h.Shell.Step())
	}
	if c.Overlays().Top() != nil {
		t.Fatal("Escape left the dialog open")
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.Shell.Step() != shell.StepHome {
		t.Fatalf("Escape with nothing focused: on %s, want home", h.Shell.Step())
	}
}

// TestTabFollowsReadingOrder (issue 33): on the account step, Tab from
// the first field goes down the form as it reads (the six fields, the
// conditions, Back), then to the status bar, then round to the header,
// then back into the form: nothing skipped, no trap.
func TestTabFollowsReadingOrder(t *testing.T) {
	h := newHarness(t, "en")
	c := h.Win.Canvas()
	test.Tap(h.a.home.start)
	s := h.a.accountS
	want := []fyne.Focusable{s.confirmEmail, s.firstName, s.lastName, s.phone, s.contactEmail, s.conditions}
	for i, w := range want {
		c.FocusNext()
		if c.Focused() != w {
			t.Fatalf("Tab %d: focus on %T, want %T", i+1, c.Focused(), w)
		}
	}
	c.FocusNext()
	if b, ok := c.Focused().(*widgets.Button); !ok || b.Text != "Back" {
		t.Fatalf("after the conditions the focus is on %T, want Back", c.Focused())
	}
	seen := map[fyne.Focusable]bool{}
	for range 40 {
		c.FocusNext()
		if c.Focused() == fyne.Focusable(s.loginEmail) {
			break
		}
		seen[c.Focused()] = true
	}
	if c.Focused() != fyne.Focusable(s.loginEmail) {
		t.Fatal("Tab never came back to the form's first field: a trap")
	}
	if !seen[h.Shell.Bars().Sync] || !seen[h.Shell.Bars().Settings] {
		t.Error("Tab went round without reaching the status bar's Sync button and the header's Settings")
	}
}

// TestLargeTextPutsLabelsAbove (issue 33): from 150 % text, a screen's
// forms put their labels above their fields, so that at 200 % the window
// does not scroll sideways; back to 100 %, beside them again; a screen
// built at 200 % is so from the start.
func TestLargeTextPutsLabelsAbove(t *testing.T) {
	h := newHarness(t, "en")
	test.Tap(h.a.home.start)
	forms := func() []*widget.Form {
		var out []*widget.Form
		for _, o := range uitest.Objects(h.Win.Content(), func(o fyne.CanvasObject) bool { _, ok := o.(*widget.Form); return ok }) {
			out = append(out, o.(*widget.Form))
		}
		if len(out) == 0 {
			t.Fatal("no form on the account step")
		}
		return out
	}
	for _, tc := range []struct {
		scale float32
		want  widget.Orientation
	}{{2, widget.Vertical}, {1.25, widget.Horizontal}, {1.5, widget.Vertical}, {1, widget.Horizontal}} {
		h.App.Settings().SetTheme(widgets.Theme{Scale: tc.scale})
		for _, f := range forms() {
			if f.Orientation != tc.want {
				t.Errorf("text at %.0f %%: form orientation %d, want %d", tc.scale*100, f.Orientation, tc.want)
			}
		}
	}
	h.App.Settings().SetTheme(widgets.Theme{Scale: 2})
	h.Shell.Show(shell.StepHome)
	test.Tap(h.a.home.start)
	for _, f := range forms() {
		if f.Orientation != widget.Vertical {
			t.Error("a screen built at 200 % has its labels beside its fields")
		}
	}
}
