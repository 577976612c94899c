package widgets

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// TestTooltipShowsTheShortcut (issue 33): a button's tooltip (its
// shortcut) shows when the keyboard focus rests on it and when the
// pointer does, below it, and goes when the focus or the pointer leaves;
// the focus stays where it was (the tooltip is no overlay).
func TestTooltipShowsTheShortcut(t *testing.T) {
	test.NewTempApp(t)
	var pending func()
	saved := after
	after = func(d time.Duration, f func()) func() bool {
		if d != TooltipDelay {
			t.Errorf("tooltip delay %v", d)
		}
		pending = f
		return func() bool { pending = nil; return true }
	}
	t.Cleanup(func() { after = saved })
	b := NewButton("New structure", nil)
	b.Tooltip = ShortcutText(fyne.KeyN, false)
	other := NewButton("Import", nil)
	w := test.NewTempWindow(t, nil)
	w.SetContent(WithTooltips(w.Canvas(), container.NewVBox(b, other)))
	w.Resize(fyne.NewSize(400, 300))
	l := layerOf(b)
	if l == nil {
		t.Fatal("the window has no tooltip layer")
	}
	// shown lets the delay pass, and reports whether the tooltip shows.
	shown := func() bool {
		if l.visible() {
			t.Error("the tooltip showed before its delay")
		}
		if pending != nil {
			pending()
		}
		return l.visible()
	}
	w.Canvas().Focus(b)
	if !shown() {
		t.Fatal("the focus rests on the button: no tooltip")
	}
	func() {
		if l.text.Text != "Ctrl+N" {
			t.Errorf("the tooltip says %q", l.text.Text)
		}
		if l.bg.Position().Y < b.Position().Y+b.Size().Height {
			t.Errorf("the tooltip at %v is not below the button at %v", l.bg.Position(), b.Position())
		}
		if w.Canvas().Focused() != fyne.Focusable(b) {
			t.Errorf("with the tooltip shown the focus is on %T", w.Canvas().Focused())
		}
		w.Canvas().Focus(other)
		if l.visible() {
			t.Error("the focus left: the tooltip stays")
		}
		b.MouseIn(nil)
	}()
	if !shown() {
		t.Fatal("the pointer rests on the button: no tooltip")
	}
	b.MouseOut()
	if l.visible() || pending != nil {
		t.Error("the pointer left: the tooltip stays")
	}
}
