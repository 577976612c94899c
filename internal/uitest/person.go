package uitest

import (
	"fmt"
	"image"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// Person reads and drives a window as a person does: by the texts it
// shows (a button's, a field's label, an entry's placeholder), on the
// dialog on top when there is one, else on the window's content. Tests
// written with it know nothing of a screen's fields, so they hold while
// its code moves, and they fail where a person would be stuck: a button
// that is not there, or disabled.
type Person struct {
	t   testing.TB
	win fyne.Window
}

// NewPerson returns a person at win.
func NewPerson(t testing.TB, win fyne.Window) *Person { return &Person{t: t, win: win} }

// Root is what the person looks at: the dialog on top, else the content.
func (p *Person) Root() fyne.CanvasObject {
	if top := p.win.Canvas().Overlays().Top(); top != nil {
		return top
	}
	return p.win.Content()
}

// Button returns the shown button that says text, failing the test when
// there is none or more than one.
func (p *Person) Button(text string) *widget.Button {
	p.t.Helper()
	found := Objects(p.Root(), func(o fyne.CanvasObject) bool { b, ok := widgets.AsButton(o); return ok && b.Text == text })
	if len(found) != 1 {
		p.t.Fatalf("%d buttons say %q; the screen shows %q", len(found), text, VisibleTexts(p.Root()))
	}
	b, _ := widgets.AsButton(found[0])
	return b
}

// Tap taps the button that says text, as a person can: shown and enabled.
func (p *Person) Tap(text string) {
	p.t.Helper()
	b := p.Button(text)
	if !b.Visible() || b.Disabled() {
		p.t.Fatalf("the button %q is hidden or disabled; the screen shows %s", text, p)
	}
	test.Tap(b)
}

// Check ticks the check box that says text, as a person does who looks
// first: a box ticked already stays so.
func (p *Person) Check(text string) {
	p.t.Helper()
	found := Objects(p.Root(), func(o fyne.CanvasObject) bool { c, ok := asCheck(o); return ok && c.Text == text })
	if len(found) != 1 {
		p.t.Fatalf("%d check boxes say %q", len(found), text)
	}
	c, _ := asCheck(found[0])
	if c.Disabled() {
		p.t.Fatalf("the check box %q is disabled", text)
	}
	if !c.Checked {
		test.Tap(found[0].(fyne.Tappable))
	}
}

// asCheck is o's check box, ours or Fyne's.
func asCheck(o fyne.CanvasObject) (*widget.Check, bool) {
	switch c := o.(type) {
	case *widgets.Check:
		return &c.Check, true
	case *widget.Check:
		return c, true
	}
	return nil, false
}

// Entry is what a person types into: Fyne's entry or ours.
type Entry interface {
	fyne.Focusable
	fyne.Disableable
	SetText(string)
}

// Field returns the entry a person finds by label: a form's item whose
// label is label (its " *" of a required field aside), or an entry whose
// placeholder is label.
func (p *Person) Field(label string) Entry {
	p.t.Helper()
	var found []Entry
	Objects(p.Root(), func(o fyne.CanvasObject) bool {
		switch x := o.(type) {
		case *widget.Form:
			for _, it := range x.Items {
				if it.Text != label && strings.TrimSuffix(it.Text, " *") != label {
					continue
				}
				if e := entryIn(it.Widget); e != nil {
					found = append(found, e)
				}
			}
		case *widget.Entry:
			if x.PlaceHolder == label {
				found = append(found, x)
			}
		case *widgets.FocusEntry:
			if x.PlaceHolder == label {
				found = append(found, x)
			}
		}
		return false
	})
	if len(found) == 0 {
		p.t.Fatalf("no field %q on the screen; it shows %q", label, VisibleTexts(p.Root()))
	}
	return found[0]
}

// entryIn is the entry a form item holds: itself, or the first one of
// the container it is (an entry beside its button).
func entryIn(o fyne.CanvasObject) Entry {
	var e Entry
	Objects(o, func(c fyne.CanvasObject) bool {
		switch x := c.(type) {
		case *widget.Entry:
			if e == nil {
				e = x
			}
		case *widgets.FocusEntry:
			if e == nil {
				e = x
			}
		}
		return false
	})
	return e
}

// Type focuses the field labelled label, as a person's click or Tab does,
// and types text into it.
func (p *Person) Type(label, text string) {
	p.t.Helper()
	e := p.Field(label)
	if e.Disabled() {
		p.t.Fatalf("the field %q is disabled", label)
	}
	p.win.Canvas().Focus(e)
	// After what is there, as a person who clicks in a field does (a
	// screen built again puts the cursor first).
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnd})
	test.Type(e, text)
}

// Clear empties the field labelled label.
func (p *Person) Clear(label string) {
	p.t.Helper()
	p.Field(label).SetText("")
}

// Unfocus clicks beside every field.
func (p *Person) Unfocus() { p.win.Canvas().Unfocus() }

// Sees reports whether the screen shows a text holding s.
func (p *Person) Sees(s string) bool {
	for _, t := range VisibleTexts(p.Root()) {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// MustSee fails the test unless the screen shows a text holding s.
func (p *Person) MustSee(s string) {
	p.t.Helper()
	if !p.Sees(s) {
		p.t.Fatalf("the screen does not show %q; it shows %q", s, VisibleTexts(p.Root()))
	}
}

// Texts returns what the screen shows.
func (p *Person) Texts() []string { return VisibleTexts(p.Root()) }

// ReplaceImages draws img instead of every image named name on the
// window, dialogs included: a random captcha becomes a fixed one, so a
// screen's golden image holds. It returns how many it replaced.
func (p *Person) ReplaceImages(name string, img image.Image) int {
	n := 0
	roots := append([]fyne.CanvasObject{p.win.Content()}, p.win.Canvas().Overlays().List()...)
	for _, r := range roots {
		for _, o := range Objects(r, func(o fyne.CanvasObject) bool {
			c, ok := o.(*canvas.Image)
			return ok && c.Resource != nil && c.Resource.Name() == name
		}) {
			c := o.(*canvas.Image)
			c.Image, c.Resource = img, nil
			c.Refresh()
			n++
		}
	}
	return n
}

// String names where the person is, for failure messages.
func (p *Person) String() string { return fmt.Sprintf("%q", p.Texts()) }

// Tab opens the tab that says text.
func (p *Person) Tab(text string) {
	p.t.Helper()
	for _, o := range Objects(p.Root(), func(o fyne.CanvasObject) bool { _, ok := o.(*container.AppTabs); return ok }) {
		tabs := o.(*container.AppTabs)
		for i, it := range tabs.Items {
			if it.Text == text {
				tabs.SelectIndex(i)
				return
			}
		}
	}
	p.t.Fatalf("no tab %q on the screen: %s", text, p)
}
