package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// doneScreen is step 5: the account exists; create a structure or ask to
// be connected to one.
type doneScreen struct {
	create, attach *widget.Button
	content        fyne.CanvasObject
}

func newDoneScreen(u *UI) *doneScreen {
	s := &doneScreen{}
	s.create = widget.NewButtonWithIcon(u.text.T("done.create.title"), theme.ContentAddIcon(), func() { u.show(stepStructure) })
	s.create.Importance = widget.HighImportance
	s.attach = widget.NewButtonWithIcon(u.text.T("done.attach.button"), theme.LoginIcon(), func() { u.show(stepAttach) })
	card := func(t, text string, b *widget.Button) fyne.CanvasObject {
		return widget.NewCard(t, "", container.NewVBox(paragraph(text), container.NewHBox(b)))
	}
	items := []fyne.CanvasObject{title(u.text.T("done.title")), paragraph(u.text.T("done.intro"))}
	if u.notice != "" {
		// Said once: a sign-in that could not trust this computer.
		items = append(items, paragraph(u.notice))
		u.notice = ""
	}
	s.content = u.page(append(items,
		container.NewGridWithColumns(2,
			card(u.text.T("done.create.title"), u.text.T("done.create.text"), s.create),
			card(u.text.T("done.attach.title"), u.text.T("done.attach.text"), s.attach)))...)
	return s
}
