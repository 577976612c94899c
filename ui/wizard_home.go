package ui

import (
	"fmt"
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// homeScreen presents the six steps of the portal.
type homeScreen struct {
	title   *widget.Label
	steps   []*widget.Label
	start   *widget.Button
	signIn  *widget.Button
	content fyne.CanvasObject
}

func newHomeScreen(u *UI) *homeScreen {
	h := &homeScreen{title: title(u.text.T("home.title"))}
	list := container.NewVBox()
	for i := range 6 {
		l := paragraph(u.text.T(fmt.Sprintf("home.step%d", i+1)))
		h.steps = append(h.steps, l)
		list.Add(container.NewBorder(nil, nil, stepBadge(i+1), nil, l))
	}
	h.start = widget.NewButtonWithIcon(u.text.T("home.start"), theme.NavigateNextIcon(), func() { u.show(stepAccount) })
	h.start.Importance = widget.HighImportance
	h.signIn = widget.NewButtonWithIcon(u.text.T("signin.title"), theme.LoginIcon(), func() { u.show(stepSignIn) })
	h.content = u.page(h.title, paragraph(u.text.T("home.intro")), widget.NewSeparator(), list,
		container.NewHBox(h.start, h.signIn), paragraph(u.text.T("signin.intro")))
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
