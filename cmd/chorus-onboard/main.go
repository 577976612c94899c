// Command chorus-onboard is the Chorus Onboard desktop application. This
// package is the composition root: it creates the Fyne app with its ID,
// icon and metadata, hands it to package ui and runs it. It is the only
// package that imports fyne.io/fyne/v2/app (and so the cgo drivers).
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/chorusonboard/chorus-onboard/assets"
	"github.com/chorusonboard/chorus-onboard/core/buildinfo"
	"github.com/chorusonboard/chorus-onboard/ui"
)

func main() {
	icon := fyne.NewStaticResource("icon.png", assets.Icon)
	// The binary is built by go build, so the metadata fyne package would
	// inject from FyneApp.toml is set here instead.
	app.SetMetadata(fyne.AppMetadata{
		ID: assets.AppID, Name: "Chorus Onboard", Version: buildinfo.Version(), Icon: icon,
		Release: true, Migrations: map[string]bool{"fyneDo": true},
	})
	a := app.NewWithID(assets.AppID)
	a.SetIcon(icon)
	w := a.NewWindow("Chorus Onboard")
	ui.New(a, w)
	w.ShowAndRun()
}
