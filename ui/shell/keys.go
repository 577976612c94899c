package shell

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// Keys are the window's keyboard: its shortcuts and what Escape does.
type Keys struct {
	s *Shell
	// shortcuts are the window's own, by name (Shortcut).
	shortcuts map[string]func()
}

// Shortcut makes key, with the platform's shortcut modifier (Ctrl, or ⌘
// on a Mac) and Shift when shift, run fn wherever the focus is in the
// window, a field included. The README lists the app's shortcuts.
func (k *Keys) Shortcut(key fyne.KeyName, shift bool, fn func()) {
	mod := fyne.KeyModifierShortcutDefault
	if shift {
		mod |= fyne.KeyModifierShift
	}
	sc := &desktop.CustomShortcut{KeyName: key, Modifier: mod}
	k.shortcuts[sc.ShortcutName()] = fn
	k.s.win.Canvas().AddShortcut(sc, func(fyne.Shortcut) { fn() })
}

// Run runs the window shortcut sc, if it is one, and reports whether it
// was: what the window does with a shortcut no field takes.
func (k *Keys) Run(sc fyne.Shortcut) bool {
	fn := k.shortcuts[sc.ShortcutName()]
	if fn != nil {
		fn()
	}
	return fn != nil
}

// Back does what Escape does: with a dialog open, close it as its
// dismiss button would (Tab stays in the dialog until then); else what
// the screen's Back button does, if it has one, enabled; nothing on a
// screen without one (home).
func (k *Keys) Back() {
	u := k.s
	if u.win.Canvas().Overlays().Top() != nil {
		widgets.DismissDialog(u.win.Canvas())
		return
	}
	back := u.text.T("button.back")
	var found *widgets.Button
	for _, o := range u.body.Objects {
		visit(o, func(o fyne.CanvasObject) bool {
			if b, ok := o.(*widgets.Button); ok && b.Text == back && !b.Disabled() && b.OnTapped != nil {
				found = b
			}
			return found == nil
		})
	}
	if found != nil {
		found.OnTapped()
	}
}

// focusFirst gives the keyboard focus to the first field of content, or,
// on a screen without one, to its first primary button: typed text then
// goes somewhere as soon as a step shows, and Enter does what the screen
// is for. A screen that knows better says so with OnShown.
func focusFirst(c fyne.Canvas, content fyne.CanvasObject) {
	var field, primary fyne.Focusable
	visit(content, func(o fyne.CanvasObject) bool {
		if d, ok := o.(fyne.Disableable); ok && d.Disabled() {
			return true
		}
		switch w := o.(type) {
		case *widgets.Button:
			if primary == nil && w.Importance == widget.HighImportance {
				primary = w
			}
		case *widgets.FocusEntry, *widgets.Select, *widgets.SelectEntry, *widgets.Check, *widget.Entry, *widget.Select, *widget.Check:
			field = o.(fyne.Focusable)
		}
		return field == nil
	})
	if field == nil {
		field = primary
	}
	if field != nil {
		c.Focus(field)
	}
}

// heading is the text of content's first title (widgets.Title: a label
// in the heading size), "" when it has none.
func heading(content fyne.CanvasObject) string {
	var text string
	visit(content, func(o fyne.CanvasObject) bool {
		if l, ok := o.(*widget.Label); ok && l.SizeName == theme.SizeNameHeadingText {
			text = l.Text
		}
		return text == ""
	})
	return text
}

// visit calls fn on o and on every visible object under it in reading
// order, through containers, scrollers, cards and forms, until fn returns false.
func visit(o fyne.CanvasObject, fn func(fyne.CanvasObject) bool) bool {
	if o == nil || !o.Visible() {
		return true
	}
	if !fn(o) {
		return false
	}
	var children []fyne.CanvasObject
	switch w := o.(type) {
	case *fyne.Container:
		children = w.Objects
	case *container.Scroll:
		children = []fyne.CanvasObject{w.Content}
	case *widget.Card:
		children = []fyne.CanvasObject{w.Content}
	case *widget.Form:
		for _, it := range w.Items {
			children = append(children, it.Widget)
		}
	}
	for _, c := range children {
		if !visit(c, fn) {
			return false
		}
	}
	return true
}
