package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// Title returns a heading label.
func Title(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// Paragraph returns a wrapped label.
func Paragraph(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// SectionItem is a form row that opens a section: its heading, bold, in
// the field column.
func SectionItem(heading string) *widget.FormItem {
	l := widget.NewLabelWithStyle(heading, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return widget.NewFormItem("", l)
}

// GroupIdentifier writes a SIRET in its groups (732 829 320 00074), as
// people read it on paper; other identifiers as they are.
func GroupIdentifier(t core.IdentifierType, id string) string {
	if t == core.IDSIRET {
		return validate.FormatSIRET(id)
	}
	return id
}

// NewBorder is container.NewBorder with its objects in reading order:
// top, left, centre, right, bottom. Tab follows the order of a
// container's objects, and Fyne's lists the centre first, so a keyboard
// user met a screen's body before its title bar's buttons. The layout
// finds each side by identity, not by place.
func NewBorder(top, bottom, left, right fyne.CanvasObject, center ...fyne.CanvasObject) *fyne.Container {
	var objs []fyne.CanvasObject
	for _, o := range []fyne.CanvasObject{top, left} {
		if o != nil {
			objs = append(objs, o)
		}
	}
	objs = append(objs, center...)
	for _, o := range []fyne.CanvasObject{right, bottom} {
		if o != nil {
			objs = append(objs, o)
		}
	}
	return container.New(layout.NewBorderLayout(top, bottom, left, right), objs...)
}
