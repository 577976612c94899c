package widgets

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// The app's inputs are Fyne's, each with what a screen reader needs
// (fyne.Accessible): Fyne 2.8 gives an accessible label to buttons,
// labels and links only, so a check box, a list or an entry would be read
// as nothing. Each says what a sighted user sees: its name (the form's
// label beside it, NameFields), its value or state, and its error.

// NewEntry is widget.NewEntry, accessible (FocusEntry).
func NewEntry() *FocusEntry {
	e := &FocusEntry{}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// NewPasswordEntry is widget.NewPasswordEntry (its reveal button
// included), accessible: it never says the password.
func NewPasswordEntry() *FocusEntry {
	e := NewEntry()
	e.Password = true
	return e
}

// NewMultiLineEntry is widget.NewMultiLineEntry, accessible.
func NewMultiLineEntry() *FocusEntry {
	e := &FocusEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	return e
}

// Check is widget.Check that says its text and whether it is ticked.
type Check struct{ widget.Check }

// NewCheck is widget.NewCheck, accessible.
func NewCheck(label string, changed func(bool)) *Check {
	c := &Check{Check: widget.Check{Text: label, OnChanged: changed}}
	c.ExtendBaseWidget(c)
	return c
}

// Name is what the check box is about: its text, else (a box alone in a
// table's row) empty.
func (c *Check) name() string { return strings.TrimSpace(c.Text) }

// AccessibilityLabel is the text and the state: "☑ I accept the
// conditions" or "☐ …", the signs a screen reader names in every language.
func (c *Check) AccessibilityLabel() string {
	mark := "☐"
	if c.Checked {
		mark = "☑"
	}
	return strings.TrimSpace(mark + " " + c.name())
}

// AccessibilityRole is a button: Fyne 2.8's bridge has no check box role.
func (c *Check) AccessibilityRole() fyne.AccessibleRole { return fyne.AccessibleRoleButton }

// Select is widget.Select that says its name and the option chosen.
type Select struct {
	widget.Select
	// Name is the list's label (NameFields sets it from a form).
	Name string
}

// NewSelect is widget.NewSelect, accessible.
func NewSelect(options []string, changed func(string)) *Select {
	s := &Select{Select: widget.Select{Options: options, OnChanged: changed, PlaceHolder: "(Select one)"}}
	s.ExtendBaseWidget(s)
	return s
}

// AccessibilityLabel is "Country: France", or the placeholder when
// nothing is chosen.
func (s *Select) AccessibilityLabel() string { return valueLabel(s.Name, s.Selected, s.PlaceHolder) }

// AccessibilityRole is a button: it opens a list.
func (s *Select) AccessibilityRole() fyne.AccessibleRole { return fyne.AccessibleRoleButton }

// SelectEntry is widget.SelectEntry (a field with suggestions), accessible.
type SelectEntry struct {
	widget.SelectEntry
	// Name is the field's label (NameFields sets it from a form).
	Name string
}

// NewSelectEntry is widget.NewSelectEntry, accessible.
func NewSelectEntry(options []string) *SelectEntry {
	e := &SelectEntry{}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	e.SetOptions(options)
	return e
}

// AccessibilityLabel is the field's name and value.
func (e *SelectEntry) AccessibilityLabel() string { return valueLabel(e.Name, e.Text, e.PlaceHolder) }

// AccessibilityRole is text, as an entry's.
func (e *SelectEntry) AccessibilityRole() fyne.AccessibleRole { return fyne.AccessibleRoleText }

// valueLabel is "name: value", the placeholder standing for an empty
// value.
func valueLabel(name, value, placeholder string) string {
	if value == "" {
		value = placeholder
	}
	return joinLabel(name, value)
}

// joinLabel is "name: value", or whichever of the two is there.
func joinLabel(name, value string) string {
	name = strings.TrimSuffix(strings.TrimSpace(name), " *")
	switch {
	case name == "":
		return value
	case value == "":
		return name
	}
	return name + ": " + value
}

// List is widget.List that says its name and how many items it holds:
// Fyne's list takes the focus (arrows move in it) but says nothing.
type List struct {
	widget.List
	// Name is what the list holds ("Requests").
	Name string
}

// NewList is widget.NewList, accessible, named name.
func NewList(name string, length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *List {
	l := &List{Name: name}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

// AccessibilityLabel is "Requests (3)".
func (l *List) AccessibilityLabel() string {
	n := 0
	if l.Length != nil {
		n = l.Length()
	}
	return joinLabel(l.Name, "") + " (" + strconv.Itoa(n) + ")"
}

// AccessibilityRole is text: Fyne 2.8's bridge has no list role.
func (l *List) AccessibilityRole() fyne.AccessibleRole { return fyne.AccessibleRoleText }
