package wizard

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// homeScreen presents the six steps of the portal.
type homeScreen struct {
	title   *widget.Label
	steps   []*widget.Label
	start   *widgets.Button
	signIn  *widgets.Button
	content fyne.CanvasObject
}

func newHomeScreen(u *area) *homeScreen {
	h := &homeScreen{title: widgets.Title(u.Text().T("home.title"))}
	list := container.NewVBox()
	for i := range 6 {
		l := widgets.Paragraph(u.Text().T(fmt.Sprintf("home.step%d", i+1)))
		h.steps = append(h.steps, l)
		list.Add(widgets.NewBorder(nil, nil, stepBadge(i+1), nil, l))
	}
	h.start = widgets.NewButtonWithIcon(u.Text().T("home.start"), theme.NavigateNextIcon(), func() { u.Show(shell.StepAccount) })
	h.start.Importance = widget.HighImportance
	h.signIn = widgets.NewButtonWithIcon(u.Text().T("signin.title"), theme.LoginIcon(), func() { u.Show(shell.StepSignIn) })
	h.content = u.Page(h.title, widgets.Paragraph(u.Text().T("home.intro")), widget.NewSeparator(), list,
		container.NewHBox(h.start, h.signIn), widgets.Paragraph(u.Text().T("signin.intro")))
	return h
}

// stepBadge draws a step number in a filled circle, as the portal's guide
// numbers its steps.
func stepBadge(n int) fyne.CanvasObject {
	c := canvas.NewCircle(theme.Color(theme.ColorNamePrimary))
	txt := canvas.NewText(fmt.Sprint(n), theme.Color(theme.ColorNameForegroundOnPrimary))
	txt.TextStyle.Bold = true
	txt.Alignment = fyne.TextAlignCenter
	box := container.NewStack(c, container.NewCenter(txt))
	return container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(28), box))
}
