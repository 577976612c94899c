package uitest

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// focusable is a widget a keyboard user can reach, with what a screen
// reader says of it and the scroller it sits in.
type focusable struct {
	fyne.Focusable
	label  string
	scroll *container.Scroll // nil outside any
}

// focusables are the widgets under root a keyboard user can reach:
// shown, enabled, taking the focus, in the order of the object tree (the
// order Fyne's Tab follows). A part of a widget that reads as one (the
// selectable text of a Label) says its widget's label.
func focusables(root fyne.CanvasObject) []focusable {
	var out []focusable
	var walk func(o fyne.CanvasObject, label string, scroll *container.Scroll)
	walk = func(o fyne.CanvasObject, label string, scroll *container.Scroll) {
		if o == nil || !o.Visible() {
			return
		}
		if _, ok := o.(*fyne.Container); !ok {
			if l := AccessibleLabel(o); l != "" {
				label = l
			}
		}
		if sc, ok := o.(*container.Scroll); ok {
			scroll = sc
		}
		if f, ok := o.(fyne.Focusable); ok {
			if d, ok := o.(fyne.Disableable); !ok || !d.Disabled() {
				own := AccessibleLabel(o)
				if own == "" {
					own = label
				}
				out = append(out, focusable{Focusable: f, label: own, scroll: scroll})
			}
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c, label, scroll)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c, label, scroll)
			}
		}
	}
	walk(root, "", nil)
	return out
}

// Focusables are the widgets under root a keyboard user can reach, in
// the order Tab follows.
func Focusables(root fyne.CanvasObject) []fyne.Focusable {
	var out []fyne.Focusable
	for _, f := range focusables(root) {
		out = append(out, f.Focusable)
	}
	return out
}

// AccessibleLabel is what a screen reader says of o: its
// fyne.Accessible label, "" when o says nothing or only an icon's file
// name (Fyne's answer for a button without text).
func AccessibleLabel(o fyne.CanvasObject) string {
	a, ok := o.(fyne.Accessible)
	if !ok {
		return ""
	}
	l := strings.TrimSpace(a.AccessibilityLabel())
	if strings.HasSuffix(l, ".svg") || strings.HasSuffix(l, ".png") {
		return ""
	}
	return l
}

// CheckKeyboard checks a window's screen (or the dialog on top of it) as
// a keyboard and screen-reader user meets it (issue 33): Tab from the
// first widget reaches every widget that takes the focus, each once,
// in reading order (none above the one before, none on the same line to
// its left), then comes back to the first (no trap, nothing skipped);
// each has a non-empty accessible label. The focus is left as it was.
func CheckKeyboard(t testing.TB, w fyne.Window, screen string) {
	t.Helper()
	c := w.Canvas()
	root := c.Content()
	if top := c.Overlays().Top(); top != nil {
		root = top
	}
	found := focusables(root)
	if len(found) == 0 {
		return // a screen to read only (the startup error)
	}
	all := make([]fyne.Focusable, len(found))
	in := map[fyne.Focusable]focusable{}
	for i, f := range found {
		all[i] = f.Focusable
		in[f.Focusable] = f
	}
	// Tab scrolls the screen to the focused field: the scrollers are put
	// back where they were, with the focus, so the check changes nothing.
	was := c.Focused()
	offsets := map[*container.Scroll]fyne.Position{}
	for _, o := range Objects(root, func(o fyne.CanvasObject) bool { _, ok := o.(*container.Scroll); return ok }) {
		offsets[o.(*container.Scroll)] = o.(*container.Scroll).Offset
	}
	// A table passed through keeps the row it had (widgets.Table).
	var keep []func()
	for _, f := range found {
		if k, ok := f.Focusable.(interface{ KeepCurrent() func() }); ok {
			keep = append(keep, k.KeepCurrent())
		}
	}
	defer func() {
		for _, restore := range keep {
			restore()
		}
		if was != nil {
			c.Focus(was)
		} else {
			c.Unfocus()
		}
		for sc, off := range offsets {
			sc.ScrollToOffset(off)
		}
	}()
	for _, f := range found {
		if f.label == "" {
			t.Errorf("%s: a %T has no accessible label (%s)", screen, f.Focusable, describe(f.Focusable))
		}
	}
	c.Focus(all[0])
	cycle := []fyne.Focusable{all[0]}
	for range 2*len(all) + 2 {
		c.FocusNext()
		if c.Focused() == all[0] || c.Focused() == nil {
			break
		}
		cycle = append(cycle, c.Focused())
	}
	if c.Focused() != all[0] {
		t.Errorf("%s: Tab from %s never came back to it (a trap, or a wrong order): %s", screen, describe(all[0]), describeAll(cycle))
		return
	}
	seen := map[fyne.Focusable]int{}
	for _, f := range cycle {
		seen[f]++
	}
	for _, f := range all {
		if seen[f] != 1 {
			t.Errorf("%s: Tab reaches %s %d times, want once; Tab goes %s", screen, describe(f), seen[f], describeAll(cycle))
		}
	}
	if len(cycle) != len(all) {
		t.Errorf("%s: Tab goes through %d widgets, %d are shown: %s", screen, len(cycle), len(all), describeAll(cycle))
	}
	d := fyne.CurrentApp().Driver()
	for i := 1; i < len(cycle); i++ {
		// The window's parts (header, the screen's scroller, the status
		// bar) come in the tree's order; within one, the reading order.
		if in[cycle[i-1]].scroll != in[cycle[i]].scroll {
			continue
		}
		a, b := cycle[i-1].(fyne.CanvasObject), cycle[i].(fyne.CanvasObject)
		pa, pb := d.AbsolutePositionForObject(a), d.AbsolutePositionForObject(b)
		above := pb.Y+b.Size().Height <= pa.Y+1
		sameLine := pb.Y < pa.Y+a.Size().Height && pa.Y < pb.Y+b.Size().Height
		left := sameLine && pb.X+b.Size().Width <= pa.X+1
		if above || left {
			t.Errorf("%s: Tab goes from %s at %v to %s at %v, back against the reading order", screen, describe(a), pa, describe(b), pb)
		}
	}
}

// describe names a widget for a failure: its type and what it says.
func describe(o any) string {
	if co, ok := o.(fyne.CanvasObject); ok {
		if l := AccessibleLabel(co); l != "" {
			return fmt.Sprintf("%T %q", o, l)
		}
		if w, ok := co.(fyne.Widget); ok {
			if texts := VisibleTexts(w); len(texts) > 0 {
				return fmt.Sprintf("%T showing %q", o, texts)
			}
		}
	}
	return fmt.Sprintf("%T", o)
}

func describeAll(fs []fyne.Focusable) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, describe(f))
	}
	return strings.Join(parts, " → ")
}

// Press focuses the shown, enabled button that says text and presses
// Space on it, as a keyboard user does.
func (p *Person) Press(text string) fyne.Focusable {
	p.t.Helper()
	var f fyne.Focusable
	for _, o := range Objects(p.Root(), func(o fyne.CanvasObject) bool { _, ok := o.(fyne.Focusable); return ok }) {
		if b, ok := widgets.AsButton(o); (ok && b.Text == text) || AccessibleLabel(o) == text {
			f = o.(fyne.Focusable)
		}
	}
	if f == nil {
		p.t.Fatalf("no widget says %q; the screen shows %s", text, p)
	}
	p.win.Canvas().Focus(f)
	f.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})

	return f
}

// Escape presses Escape as the window hands it: to the focused widget,
// else to the window's own handler.
func (p *Person) Escape() {
	c := p.win.Canvas()
	if f := c.Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	} else if h := c.OnTypedKey(); h != nil {
		h(&fyne.KeyEvent{Name: fyne.KeyEscape})
	}
}
