package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestRadioByKeyboard (issue 33): each option takes the focus, says its
// text and whether it is chosen, and Space chooses it; a disabled radio
// chooses nothing.
func TestRadioByKeyboard(t *testing.T) {
	test.NewTempApp(t)
	var heard []string
	r := NewRadio([]string{"Bring my structures", "Keep them apart"}, func(s string) { heard = append(heard, s) })
	r.SetSelected("Bring my structures")
	w := test.NewTempWindow(t, r)
	w.Resize(fyne.NewSize(400, 200))
	if len(r.items) != 2 {
		t.Fatalf("%d options drawn", len(r.items))
	}
	if got := r.items[0].AccessibilityLabel(); got != "◉ Bring my structures" {
		t.Errorf("the chosen option says %q", got)
	}
	w.Canvas().Focus(r.items[1])
	r.items[1].TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if r.Selected != "Keep them apart" || r.items[1].AccessibilityLabel() != "◉ Keep them apart" || r.items[0].AccessibilityLabel() != "○ Bring my structures" {
		t.Errorf("Space on the second option: selected %q, labels %q %q", r.Selected, r.items[0].AccessibilityLabel(), r.items[1].AccessibilityLabel())
	}
	if w.Canvas().Focused() != fyne.Focusable(r.items[1]) {
		t.Error("the chosen option lost the focus")
	}
	r.Disable()
	r.items[0].TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if r.Selected != "Keep them apart" || len(heard) != 2 {
		t.Errorf("disabled: selected %q, heard %v", r.Selected, heard)
	}
}
