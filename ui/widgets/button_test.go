package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestButtonFocusRing: a focused button, primary or not, draws its ring
// (two lines, the ring's colour outside and the background's inside);
// it goes when the focus leaves, and a disabled button never shows one.
func TestButtonFocusRing(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(Theme{})
	primary := NewButton("Créer un compte", func() {})
	primary.Importance = widget.HighImportance
	other := NewButton("Se connecter", func() {})
	w := test.NewTempWindow(t, container.NewVBox(primary, other))
	w.Resize(fyne.NewSize(300, 120))
	rings := func(b *Button) (shown int) {
		for _, o := range test.WidgetRenderer(b).Objects() {
			if r, ok := o.(*canvas.Rectangle); ok && r.StrokeWidth == ringWidth && r.Visible() {
				shown++
			}
		}
		return shown
	}
	if rings(primary)+rings(other) != 0 {
		t.Fatal("a ring with no focus")
	}
	w.Canvas().Focus(primary)
	if rings(primary) != 2 || rings(other) != 0 {
		t.Fatalf("primary focused: %d and %d ring lines", rings(primary), rings(other))
	}
	w.Canvas().FocusNext()
	if rings(primary) != 0 || rings(other) != 2 {
		t.Fatalf("focus moved on: %d and %d ring lines", rings(primary), rings(other))
	}
	other.Disable()
	if rings(other) != 0 {
		t.Fatal("a disabled button shows its ring")
	}
	if b, ok := AsButton(primary); !ok || b.Text != "Créer un compte" {
		t.Fatal("AsButton does not see our button")
	}
}
