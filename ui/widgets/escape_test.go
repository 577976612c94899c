package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestEscapeClosesDialogs (issue 33): Escape closes every kind of dialog
// the app opens as its dismiss button would (a confirmation hears "no"),
// whichever of our widgets has the focus, and gives the focus back.
func TestEscapeClosesDialogs(t *testing.T) {
	test.NewTempApp(t)
	for _, tc := range []struct {
		name string
		open func(w fyne.Window, answered func(bool)) dialog.Dialog
	}{
		{"information", func(w fyne.Window, _ func(bool)) dialog.Dialog {
			return dialog.NewInformation("Saved", "Your draft is saved.", w)
		}},
		{"confirm", func(w fyne.Window, a func(bool)) dialog.Dialog {
			return dialog.NewConfirm("Delete?", "Delete this structure?", a, w)
		}},
		{"custom", func(w fyne.Window, _ func(bool)) dialog.Dialog {
			return dialog.NewCustom("Mailbox", "Close", NewButton("Use this link", func() { t.Error("Escape used the link") }), w)
		}},
		{"custom confirm", func(w fyne.Window, a func(bool)) dialog.Dialog {
			return dialog.NewCustomConfirm("Hand over", "Hand over", "Cancel", widget.NewLabel("?"), a, w)
		}},
		{"form", func(w fyne.Window, a func(bool)) dialog.Dialog {
			return dialog.NewForm("Invite", "Invite", "Cancel", []*widget.FormItem{widget.NewFormItem("E-mail", widget.NewEntry())}, a, w)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opener := NewButton("Open", nil)
			w := test.NewTempWindow(t, container.NewVBox(NewButton("First", nil), opener))
			w.Resize(fyne.NewSize(600, 400))
			c := w.Canvas()
			escaped := 0
			OnEscape(c, func() {
				escaped++
				DismissDialog(c)
			})
			var answers []bool
			c.Focus(opener)
			d := tc.open(w, func(ok bool) { answers = append(answers, ok) })
			d.Show()
			// Our widget in the dialog, focused, hands Escape over; with
			// none inside, the window's own key handler does (as here).
			var inside fyne.Focusable = opener
			for _, o := range test.LaidOutObjects(popUpOf(c.Overlays().Top())) {
				if b, ok := o.(*Button); ok {
					inside = b
					c.Focus(b)
				}
			}
			inside.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
			if escaped != 1 || c.Overlays().Top() != nil {
				t.Fatalf("Escape: handler ran %d times, dialog still open: %v", escaped, c.Overlays().Top() != nil)
			}
			for _, ok := range answers {
				if ok {
					t.Error("Escape confirmed the dialog")
				}
			}
			if c.Focused() != fyne.Focusable(opener) {
				t.Errorf("after Escape the focus is on %T, want the button that opened the dialog", c.Focused())
			}
		})
	}
	t.Run("nothing open", func(t *testing.T) {
		w := test.NewTempWindow(t, widget.NewLabel("x"))
		if DismissDialog(w.Canvas()) {
			t.Error("DismissDialog closed something with no dialog open")
		}
	})
}

// TestButtonKeys: Space and Enter press a focused button, a disabled one
// stays still.
func TestButtonKeys(t *testing.T) {
	test.NewTempApp(t)
	for _, key := range []fyne.KeyName{fyne.KeySpace, fyne.KeyReturn, fyne.KeyEnter} {
		n := 0
		b := NewButton("Submit", func() { n++ })
		test.NewTempWindow(t, b)
		b.TypedKey(&fyne.KeyEvent{Name: key})
		b.Disable()
		b.TypedKey(&fyne.KeyEvent{Name: key})
		if n != 1 {
			t.Errorf("%s: pressed %d times, want once (and not when disabled)", key, n)
		}
	}
}

// TestButtonKeepsFocus: a button pressed with the keyboard keeps the
// focus, so Tab goes on from it (Fyne's own button lets it go).
func TestButtonKeepsFocus(t *testing.T) {
	test.NewTempApp(t)
	a, b := NewButton("First", func() {}), NewButton("Second", func() {})
	w := test.NewTempWindow(t, container.NewVBox(a, b))
	w.Canvas().Focus(a)
	a.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if w.Canvas().Focused() != fyne.Focusable(a) {
		t.Fatalf("after Space the focus is on %T, want the button", w.Canvas().Focused())
	}
	w.Canvas().FocusNext()
	if w.Canvas().Focused() != fyne.Focusable(b) {
		t.Errorf("Tab after Space: focus on %T, want the next button", w.Canvas().Focused())
	}
}

// TestDialogTakesTheFocusToItsField (issue 33): a dialog with a field
// puts the keyboard in it when shown; one without leaves the focus be.
func TestDialogTakesTheFocusToItsField(t *testing.T) {
	test.NewTempApp(t)
	opener := NewButton("Open", nil)
	w := test.NewTempWindow(t, opener)
	w.Resize(fyne.NewSize(600, 400))
	c := w.Canvas()
	current, next := NewPasswordEntry(), NewPasswordEntry()
	d := dialog.NewForm("Change password", "Change", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Current", current), widget.NewFormItem("New", next)}, func(bool) {}, w)
	d.Show()
	FocusDialogField()
	if c.Focused() != fyne.Focusable(current) {
		t.Fatalf("the dialog shown, the focus is on %T, want its first field", c.Focused())
	}
	d.Hide()
	c.Focus(opener)
	dialog.NewInformation("Saved", "Your draft is saved.", w).Show()
	FocusDialogField()
	if c.Focused() != nil {
		t.Errorf("a dialog without a field: the focus went to %T", c.Focused())
	}
}
