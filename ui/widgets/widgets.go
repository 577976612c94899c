// Package widgets holds the widgets Chorus Onboard's screens share: the
// structures' table, state chips, a background that follows the theme, an
// entry that reports its focus, and the light or dark theme. They know
// nothing of the screens, the application layer or the language.
package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"strings"
)

// Background is a rectangle of the theme's Background colour that follows
// theme changes (a plain canvas.Rectangle keeps the colour it was made
// with).
type Background struct {
	widget.BaseWidget
}

// NewBackground returns a background.
func NewBackground() *Background {
	b := &Background{}
	b.ExtendBaseWidget(b)
	return b
}

// CreateRenderer draws the rectangle.
func (b *Background) CreateRenderer() fyne.WidgetRenderer {
	r := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	return &backgroundRenderer{rect: r}
}

type backgroundRenderer struct{ rect *canvas.Rectangle }

func (r *backgroundRenderer) Layout(s fyne.Size)           { r.rect.Resize(s) }
func (r *backgroundRenderer) MinSize() fyne.Size           { return fyne.Size{} }
func (r *backgroundRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.rect} }
func (r *backgroundRenderer) Destroy()                     {}
func (r *backgroundRenderer) Refresh() {
	r.rect.FillColor = theme.Color(theme.ColorNameBackground)
	r.rect.Refresh()
}

// FocusEntry is an entry that tells its screen when it gains the keyboard
// focus, so the page scrolls it into view (Tab to a field below the fold).
type FocusEntry struct {
	widget.Entry
	// OnFocus hears the entry gain the focus.
	OnFocus func(fyne.CanvasObject)
	// revealed: the user tried to go on, an empty entry shows its error.
	revealed bool
	// Name is the field's label, what a screen reader says first
	// (NameFields sets it from a form).
	Name string
	// Global, when set, runs the window's own shortcuts (Ctrl+N, …)
	// while the entry has the focus: Fyne hands every shortcut to the
	// focused entry, which would swallow them. It reports whether it ran
	// one.
	Global func(fyne.Shortcut) bool
	// Escape, when set, is what Escape does in the window (back a step):
	// Fyne hands the key to the focused entry, which ignores it.
	Escape func()
}

// TypedKey hands Escape to the window (Global: back a step), the rest to
// the entry.
func (e *FocusEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		if e.Escape != nil {
			e.Escape()
		} else {
			escape(e)
		}
		return
	}
	e.Entry.TypedKey(k)
}

// TypedShortcut runs a window shortcut (Global), else the entry's own
// (copy, paste, select all).
func (e *FocusEntry) TypedShortcut(s fyne.Shortcut) {
	if e.Global != nil && e.Global(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

var _ fyne.Accessible = (*FocusEntry)(nil)

// AccessibilityLabel is what a sighted user sees of the field: its
// label (else its placeholder, the prompt a field alone shows), its
// value (never a password's), and its error when it shows one.
func (e *FocusEntry) AccessibilityLabel() string {
	name := e.Name
	if strings.TrimSpace(name) == "" {
		name = e.PlaceHolder
	}
	parts := []string{strings.TrimSuffix(strings.TrimSpace(name), " *")}
	if e.Password {
		parts[0] += " (" + strings.Repeat("•", min(len(e.Text), 8)) + ")"
	} else if e.Text != "" {
		parts = append(parts, e.Text)
	}
	if e.Validator != nil {
		if err := e.Validator(e.Text); err != nil {
			parts = append(parts, err.Error())
		}
	}
	return strings.Join(parts, ": ")
}

// AccessibilityRole is text: Fyne 2.8's bridge has no role for an input.
func (e *FocusEntry) AccessibilityRole() fyne.AccessibleRole { return fyne.AccessibleRoleText }

// NameFields names each input of f (FocusEntry, Select, SelectEntry)
// after its item's label, for screen readers (AccessibilityLabel), and
// returns f.
func NameFields(f *widget.Form) *widget.Form {
	for _, it := range f.Items {
		Name(it.Widget, it.Text)
	}
	return f
}

// Name gives the input o the name a screen reader says first, when it
// has none yet; in a container (an entry beside its button), its first
// input; o of another kind is left alone.
func Name(o fyne.CanvasObject, name string) {
	switch w := o.(type) {
	case *fyne.Container:
		for _, c := range w.Objects {
			switch c.(type) {
			case *FocusEntry, *Select, *SelectEntry:
				Name(c, name)
				return
			}
		}
	case *FocusEntry:
		if w.Name == "" {
			w.Name = name
		}
	case *Select:
		if w.Name == "" {
			w.Name = name
		}
	case *SelectEntry:
		if w.Name == "" {
			w.Name = name
		}
	}
}

// SetValidator sets the entry's rule. An empty entry shows no error until
// Reveal (the user tried to go on): tabbing through a form does not mark
// every required field in red at once, while a value typed that breaks a
// rule shows its error as soon as the focus leaves it.
func (e *FocusEntry) SetValidator(v fyne.StringValidator) {
	e.Validator = func(s string) error {
		if err := v(s); err != nil && (s != "" || e.revealed) {
			return err
		}
		return nil
	}
}

// Reveal shows the entry's error even while it is empty: the user tried
// to go on.
func (e *FocusEntry) Reveal() {
	e.revealed = true
	_ = e.Validate()
}

// FocusGained focuses the entry, then reports it.
func (e *FocusEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.OnFocus != nil {
		e.OnFocus(e)
	}
}

// RevealErrors shows the errors of every entry of a form, empty ones too
// (the user tried to go on), and gives the focus on c to the first entry
// in error.
func RevealErrors(c fyne.Canvas, entries ...*FocusEntry) {
	var first *FocusEntry
	for _, e := range entries {
		e.Reveal()
		if first == nil && e.Validate() != nil {
			first = e
		}
	}
	if first != nil {
		c.Focus(first)
	}
}
