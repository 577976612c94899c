package wizard

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// doneScreen is step 5: the account exists; create a structure or ask to
// be connected to one.
type doneScreen struct {
	create, attach *widgets.Button
	content        fyne.CanvasObject
}

func newDoneScreen(u *area) *doneScreen {
	s := &doneScreen{}
	s.create = widgets.NewButtonWithIcon(u.Text().T("done.create.title"), theme.ContentAddIcon(), func() { u.Show(shell.StepStructure) })
	s.create.Importance = widget.HighImportance
	s.attach = widgets.NewButtonWithIcon(u.Text().T("done.attach.button"), theme.LoginIcon(), func() { u.Show(shell.StepAttach) })
	card := func(t, text string, b *widgets.Button) fyne.CanvasObject {
		return widget.NewCard(t, "", container.NewVBox(widgets.Paragraph(text), container.NewHBox(b)))
	}
	items := []fyne.CanvasObject{widgets.Title(u.Text().T("done.title")), widgets.Paragraph(u.Text().T("done.intro"))}
	if u.notice != "" {
		// Said once: a sign-in that could not trust this computer.
		items = append(items, widgets.Paragraph(u.notice))
		u.notice = ""
	}
	s.content = u.Page(append(items,
		container.NewGridWithColumns(2,
			card(u.Text().T("done.create.title"), u.Text().T("done.create.text"), s.create),
			card(u.Text().T("done.attach.title"), u.Text().T("done.attach.text"), s.attach)))...)
	return s
}
