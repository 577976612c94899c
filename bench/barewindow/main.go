// Command barewindow is make bench's anchor for start-up time and memory:
// the smallest Fyne app, one window with one label, built with the same
// Fyne version and tags as chorus-onboard. It is never shipped.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/internal/memreport"
)

func main() {
	memreport.StartFromEnv()
	a := app.NewWithID("fr.chorusonboard.bench.BareWindow")
	w := a.NewWindow("Bare Fyne window")
	w.SetContent(widget.NewLabel("Hello"))
	w.Resize(fyne.NewSize(1120, 720))
	w.ShowAndRun()
}
