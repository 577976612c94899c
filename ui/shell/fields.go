package shell

import (
	"fyne.io/fyne/v2"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// NewEntry returns an entry whose focus the current page follows.
// (Password entries stay widget.NewPasswordEntry: their reveal button is
// Fyne's own, and they sit near the top of their screens.)
func (u *Shell) NewEntry() *widgets.FocusEntry {
	e := &widgets.FocusEntry{OnFocus: u.followFocus, Global: u.Keys.Run, Escape: u.Keys.Back}
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
	*widgets.Select
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
	s.Select = widgets.NewSelect(labels, changed)
	if t == "" {
		t = core.IDSIRET
	}
	s.SetSelected(TypeLabel(u.text.lang, t))
	return s
}

// Type returns the selected identifier type.
func (s *TypeSelect) Type() core.IdentifierType { return s.byLabel[s.Selected] }
