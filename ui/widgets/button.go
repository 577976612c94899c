package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Button is Fyne's button with a focus ring that shows: Fyne marks a
// focused button only with a faint tint, invisible on a primary button,
// so a keyboard user could not see where they were. The ring is two
// lines, the theme's ColorNameFocusRing outside and the window's
// background inside, so one of them contrasts with any button (WCAG
// technique C40; contrast_test.go checks both).
type Button struct {
	widget.Button
	// Label is what a screen reader says of a button that shows an icon
	// only (Fyne would say the icon's file name).
	Label string
	// Tooltip shows below the button when the pointer rests on it or the
	// keyboard focus stays on it: its shortcut, for one.
	Tooltip string
	focused bool
	// describe, when set, is what the button says instead (a radio
	// option: its state too).
	describe func() string
}

// AccessibilityLabel is the button's text, else its Label, else the
// icon's name (Fyne's answer).
func (b *Button) AccessibilityLabel() string {
	if b.describe != nil {
		return b.describe()
	}
	if b.Text == "" && b.Label != "" {
		return b.Label
	}
	return b.Button.AccessibilityLabel()
}

// NewButton is widget.NewButton with the focus ring.
func NewButton(label string, tapped func()) *Button {
	b := &Button{Button: widget.Button{Text: label, OnTapped: tapped}}
	b.ExtendBaseWidget(b)
	return b
}

// NewButtonWithIcon is widget.NewButtonWithIcon with the focus ring.
func NewButtonWithIcon(label string, icon fyne.Resource, tapped func()) *Button {
	b := &Button{Button: widget.Button{Text: label, Icon: icon, OnTapped: tapped}}
	b.ExtendBaseWidget(b)
	return b
}

// FocusGained shows the ring, and the tooltip after a while.
func (b *Button) FocusGained() {
	b.focused = true
	b.Button.FocusGained()
	showTooltip(b, b.Tooltip)
}

// FocusLost hides the ring and the tooltip.
func (b *Button) FocusLost() {
	b.focused = false
	b.Button.FocusLost()
	hideTooltip(b)
}

// MouseIn shows the tooltip after a while.
func (b *Button) MouseIn(e *desktop.MouseEvent) {
	b.Button.MouseIn(e)
	showTooltip(b, b.Tooltip)
}

// MouseOut hides the tooltip.
func (b *Button) MouseOut() {
	b.Button.MouseOut()
	hideTooltip(b)
}

// Tapped hides the tooltip and does what the button does.
func (b *Button) Tapped(e *fyne.PointEvent) {
	hideTooltip(b)
	b.Button.Tapped(e)
}

// CreateRenderer is Fyne's renderer with the ring drawn over it.
func (b *Button) CreateRenderer() fyne.WidgetRenderer {
	b.ExtendBaseWidget(b)
	outer, inner := canvas.NewRectangle(color.Transparent), canvas.NewRectangle(color.Transparent)
	r := &ringRenderer{WidgetRenderer: b.Button.CreateRenderer(), b: b, outer: outer, inner: inner}
	r.Refresh()
	return r
}

// ringRenderer draws the ring of a focused Button over its own renderer.
type ringRenderer struct {
	fyne.WidgetRenderer
	b            *Button
	outer, inner *canvas.Rectangle
}

// ringWidth is the width of each of the ring's lines.
const ringWidth = 2

func (r *ringRenderer) Layout(s fyne.Size) {
	r.WidgetRenderer.Layout(s)
	r.outer.Move(fyne.NewPos(0, 0))
	r.outer.Resize(s)
	r.inner.Move(fyne.NewPos(ringWidth, ringWidth))
	r.inner.Resize(s.SubtractWidthHeight(2*ringWidth, 2*ringWidth))
}

func (r *ringRenderer) Objects() []fyne.CanvasObject {
	return append(r.WidgetRenderer.Objects(), r.outer, r.inner)
}

func (r *ringRenderer) Refresh() {
	r.WidgetRenderer.Refresh()
	th := r.b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	radius := th.Size(theme.SizeNameInputRadius)
	for _, rect := range []*canvas.Rectangle{r.outer, r.inner} {
		rect.FillColor = color.Transparent
		rect.StrokeWidth = ringWidth
		rect.CornerRadius = radius
		rect.Hidden = !r.b.focused || r.b.Disabled()
	}
	r.outer.StrokeColor = th.Color(ColorNameFocusRing, v)
	r.inner.StrokeColor = th.Color(theme.ColorNameBackground, v)
	r.inner.CornerRadius = max(radius-ringWidth, 0)
	r.Layout(r.b.Size())
	canvas.Refresh(r.outer)
	canvas.Refresh(r.inner)
}

// AsButton is o's button, ours (Button) or Fyne's (the buttons of Fyne's
// dialogs), for code that walks a window's objects.
func AsButton(o fyne.CanvasObject) (*widget.Button, bool) {
	switch b := o.(type) {
	case *Button:
		return &b.Button, true
	case *widget.Button:
		return b, true
	}
	return nil, false
}

// TypedKey: Space, as Fyne's button, and Enter too, as a desktop user
// expects of a focused button, press it, and the focus stays on it
// (Fyne's Tapped drops the focus, "we are not focusable": after Space a
// keyboard user was nowhere, and Tab started again from the top);
// Escape goes to the window's own handler (OnEscape: back a step, or
// close the dialog), which Fyne would never hear while a button has the
// focus.
func (b *Button) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeySpace, fyne.KeyReturn, fyne.KeyEnter:
		hideTooltip(b)
		if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
	case fyne.KeyEscape:
		escape(b)
	default:
		b.Button.TypedKey(ev)
	}
}
