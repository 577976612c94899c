package widgets

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Radio is a choice of one among a few options, as Fyne's RadioGroup,
// whose items (Fyne's own, unexported) say nothing to a screen reader:
// each option of ours says its text and whether it is chosen, takes the
// focus with its ring (a Button), and Space or Enter chooses it.
type Radio struct {
	widget.BaseWidget
	// Options are the choices, in order; Selected the one chosen.
	Options  []string
	Selected string
	// Horizontal lays the options on one line.
	Horizontal bool
	// OnChanged hears each new choice.
	OnChanged func(string)

	items    []*Button
	disabled bool
	box      *fyne.Container
}

// NewRadio returns a choice among options.
func NewRadio(options []string, changed func(string)) *Radio {
	r := &Radio{Options: options, OnChanged: changed}
	r.ExtendBaseWidget(r)
	return r
}

// SetSelected chooses option.
func (r *Radio) SetSelected(option string) {
	if r.Selected == option {
		return
	}
	r.Selected = option
	r.Refresh()
	if r.OnChanged != nil {
		r.OnChanged(option)
	}
}

// Disable greys every option out.
func (r *Radio) Disable() { r.disabled = true; r.Refresh() }

// Enable makes the options choosable again.
func (r *Radio) Enable() { r.disabled = false; r.Refresh() }

// Disabled reports whether the options are greyed out.
func (r *Radio) Disabled() bool { return r.disabled }

// CreateRenderer lays the options out.
func (r *Radio) CreateRenderer() fyne.WidgetRenderer {
	r.ExtendBaseWidget(r)
	r.box = container.NewVBox()
	r.Refresh()
	return widget.NewSimpleRenderer(r.box)
}

// Refresh shows each option's state.
func (r *Radio) Refresh() {
	if r.box == nil {
		return
	}
	if len(r.items) != len(r.Options) {
		r.items = nil
		for _, o := range r.Options {
			r.items = append(r.items, newRadioItem(r, o))
		}
		objs := make([]fyne.CanvasObject, len(r.items))
		for i, it := range r.items {
			objs[i] = it
		}
		r.box.Objects = objs
	}
	if r.Horizontal {
		r.box.Layout = container.NewHBox().Layout
	} else {
		r.box.Layout = container.NewVBox().Layout
	}
	for i, it := range r.items {
		it.SetText(r.Options[i])
		if it.Text == r.Selected {
			it.SetIcon(theme.RadioButtonCheckedIcon())
		} else {
			it.SetIcon(theme.RadioButtonIcon())
		}
		if r.disabled {
			it.Disable()
		} else {
			it.Enable()
		}
	}
	r.box.Refresh()
}

// newRadioItem is one option: a button without a frame, its icon the
// radio's mark, that says its option and its state ("◉ Bring my
// structures" or "○ …").
func newRadioItem(r *Radio, option string) *Button {
	b := NewButtonWithIcon(option, theme.RadioButtonIcon(), nil)
	b.OnTapped = func() { r.SetSelected(b.Text) }
	b.Importance = widget.LowImportance
	b.Alignment = widget.ButtonAlignLeading
	b.describe = func() string {
		mark := "○"
		if b.Text == r.Selected {
			mark = "◉"
		}
		return fmt.Sprintf("%s %s", mark, b.Text)
	}
	return b
}
