package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
)

// TestDialogGivesFocusBack: a dialog opened from a focused button takes
// the keyboard into itself, and when it closes the focus is back on the
// button, not lost (no keyboard trap, nowhere to start again from).
func TestDialogGivesFocusBack(t *testing.T) {
	test.NewTempApp(t)
	a, b := NewButton("First", func() {}), NewButton("Open", func() {})
	w := test.NewTempWindow(t, container.NewVBox(a, b))
	w.Resize(fyne.NewSize(400, 300))
	w.Canvas().Focus(b)
	d := dialog.NewConfirm("Delete?", "Delete this structure?", func(bool) {}, w)
	d.Show()
	w.Canvas().FocusNext()
	if w.Canvas().Focused() == fyne.Focusable(b) || w.Canvas().Focused() == fyne.Focusable(a) {
		t.Fatal("Tab in an open dialog left it for the window behind")
	}
	d.Hide()
	if w.Canvas().Focused() != fyne.Focusable(b) {
		t.Fatalf("after the dialog the focus is on %T, want the button that opened it", w.Canvas().Focused())
	}
}
