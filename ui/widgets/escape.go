package widgets

import (
	"fmt"
	"reflect"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// escapes holds each window's Escape handler, by canvas: a focused widget
// of ours hands Escape to it (Fyne gives keys to the focused widget only).
// One entry per window the app opens: bounded by its windows.
var escapes sync.Map // fyne.Canvas → func()

// OnEscape makes fn what Escape does in the window of c, whichever of our
// widgets has the focus (and with none: the window's own OnTypedKey
// calls fn too).
func OnEscape(c fyne.Canvas, fn func()) { escapes.Store(c, fn) }

// escape runs the Escape handler of o's window, if it has one.
func escape(o fyne.CanvasObject) {
	app := fyne.CurrentApp()
	if app == nil {
		return
	}
	c := app.Driver().CanvasForObject(o)
	if c == nil {
		return
	}
	if fn, ok := escapes.Load(c); ok {
		fn.(func())()
	}
}

// DismissDialog closes the dialog on top of c as its dismiss button
// would (Close, Cancel, No: the callback hears "no"), and reports whether
// there was one. Fyne 2.8's dialogs take no Escape; their layout is the
// same for every kind (information, confirm, custom, form): the buttons
// row is the fourth object and the dismiss button comes first in it.
// Anything else on top (a menu, a file dialog) is left alone.
func DismissDialog(c fyne.Canvas) bool {
	p := popUpOf(c.Overlays().Top())
	if p == nil {
		return false
	}
	box, ok := p.Content.(*fyne.Container)
	if !ok || len(box.Objects) != 5 || fmt.Sprintf("%T", box.Layout) != "*dialog.dialogLayout" {
		return false
	}
	row, ok := box.Objects[3].(*fyne.Container)
	if !ok || len(row.Objects) == 0 {
		return false
	}
	b, ok := AsButton(row.Objects[0])
	if !ok || b.Disabled() || b.OnTapped == nil {
		return false
	}
	b.OnTapped()
	return true
}

// popUpOf is the pop-up an overlay shows: Fyne 2.8 puts each pop-up in an
// overlay container of an internal package, whose exported Content field
// holds it.
func popUpOf(o fyne.CanvasObject) *widget.PopUp {
	if p, ok := o.(*widget.PopUp); ok {
		return p
	}
	v := reflect.ValueOf(o)
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("Content")
	if !f.IsValid() || !f.CanInterface() {
		return nil
	}
	p, _ := f.Interface().(*widget.PopUp)
	return p
}

// FocusDialogField gives the keyboard focus to the first field of the
// dialog on top of each window (an entry, a list), so that typing goes
// there at once, as on a screen; a dialog without one is left as it is
// (Tab starts inside it). Called right after a dialog is shown.
func FocusDialogField() {
	app := fyne.CurrentApp()
	if app == nil {
		return
	}
	for _, w := range app.Driver().AllWindows() {
		c := w.Canvas()
		p := popUpOf(c.Overlays().Top())
		if p == nil {
			continue
		}
		if f := firstField(p.Content); f != nil {
			c.Focus(f)
		}
	}
}

// firstField is the first shown, enabled entry or list under o, in the
// order of the object tree.
func firstField(o fyne.CanvasObject) fyne.Focusable {
	if o == nil || !o.Visible() {
		return nil
	}
	switch w := o.(type) {
	case *FocusEntry, *Select, *SelectEntry, *widget.Entry, *widget.Select:
		if d, ok := o.(fyne.Disableable); !ok || !d.Disabled() {
			return o.(fyne.Focusable)
		}
		return nil
	case *fyne.Container:
		for _, c := range w.Objects {
			if f := firstField(c); f != nil {
				return f
			}
		}
	case *widget.Form:
		for _, it := range w.Items {
			if f := firstField(it.Widget); f != nil {
				return f
			}
		}
	case *container.Scroll:
		return firstField(w.Content)
	}
	return nil
}
