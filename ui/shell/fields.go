package shell

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// NewEntry returns an entry whose focus the current page follows.
// (Password entries stay widget.NewPasswordEntry: their reveal button is
// Fyne's own, and they sit near the top of their screens.)
func (u *Shell) NewEntry() *widgets.FocusEntry {
	e := &widgets.FocusEntry{OnFocus: u.followFocus, Global: u.RunShortcut, Escape: u.Back}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// followFocus scrolls the current page so that o is in view, with a field's
// height of margin above and below.
func (u *Shell) followFocus(o fyne.CanvasObject) {
	s := u.pageScroll
	if s == nil {
		return
	}
	d := u.app.Driver()
	top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(s).Y + s.Offset.Y
	bottom := top + o.Size().Height
	margin := o.Size().Height / 2
	view := s.Size().Height
	off := s.Offset
	switch {
	case top-margin < off.Y:
		off.Y = max(top-margin, 0)
	case bottom+margin > off.Y+view:
		off.Y = min(bottom+margin-view, max(s.Content.MinSize().Height-view, 0))
	default:
		return
	}
	s.ScrollToOffset(off)
}

// TypeSelect is the "Type of identifier" list with the portal's labels.
type TypeSelect struct {
	*widget.Select
	byLabel map[string]core.IdentifierType
}

// TypeLabel is the portal's label of an identifier type in l.
func TypeLabel(l i18n.Lang, t core.IdentifierType) string {
	info, _ := t.Info()
	if l == i18n.FR {
		return info.LabelFR
	}
	return info.LabelEN
}

// NewTypeSelect lists every identifier type in the portal's order, with t
// selected (SIRET when empty).
func (u *Shell) NewTypeSelect(t core.IdentifierType, changed func(string)) *TypeSelect {
	s := &TypeSelect{byLabel: map[string]core.IdentifierType{}}
	var labels []string
	for _, info := range core.IdentifierTypes {
		l := TypeLabel(u.text.lang, info.Type)
		labels = append(labels, l)
		s.byLabel[l] = info.Type
	}
	s.Select = widget.NewSelect(labels, changed)
	if t == "" {
		t = core.IDSIRET
	}
	s.SetSelected(TypeLabel(u.text.lang, t))
	return s
}

// Type returns the selected identifier type.
func (s *TypeSelect) Type() core.IdentifierType { return s.byLabel[s.Selected] }

// RevealErrors shows the errors of every entry of a form, empty ones too
// (the user tried to go on), and gives the focus to the first entry in
// error.
func (u *Shell) RevealErrors(entries ...*widgets.FocusEntry) {
	var first *widgets.FocusEntry
	for _, e := range entries {
		e.Reveal()
		if first == nil && e.Validate() != nil {
			first = e
		}
	}
	if first != nil {
		u.win.Canvas().Focus(first)
	}
}

// Shortcut makes key, with the platform's shortcut modifier (Ctrl, or ⌘
// on a Mac) and Shift when shift, run fn wherever the focus is in the
// window, a field included. The README lists the app's shortcuts.
func (u *Shell) Shortcut(key fyne.KeyName, shift bool, fn func()) {
	mod := fyne.KeyModifierShortcutDefault
	if shift {
		mod |= fyne.KeyModifierShift
	}
	sc := &desktop.CustomShortcut{KeyName: key, Modifier: mod}
	u.shortcuts[sc.ShortcutName()] = fn
	u.win.Canvas().AddShortcut(sc, func(fyne.Shortcut) { fn() })
}

// RunShortcut runs the window shortcut s, if it is one, and reports
// whether it was: what the window does with a shortcut no field takes.
func (u *Shell) RunShortcut(s fyne.Shortcut) bool {
	fn := u.shortcuts[s.ShortcutName()]
	if fn != nil {
		fn()
	}
	return fn != nil
}

// Back does what Escape does: what the screen's Back button does, if it
// has one, enabled; nothing while a dialog is open (Tab and Escape stay
// in it) or on a screen without one (home).
func (u *Shell) Back() {
	if u.win.Canvas().Overlays().Top() != nil {
		return
	}
	back := u.text.T("button.back")
	var found *widgets.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil || o == nil || !o.Visible() {
			return
		}
		switch w := o.(type) {
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(w.Content)
		case *widgets.Button:
			if w.Text == back && !w.Disabled() && w.OnTapped != nil {
				found = w
			}
		}
	}
	for _, o := range u.body.Objects {
		walk(o)
	}
	if found != nil {
		found.OnTapped()
	}
}
