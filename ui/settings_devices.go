package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/api"
)

// devicesSection is the settings' list of the computers trusted with the
// signed-in account: each signs in without a second factor for 90 days
// after its last use, until revoked here.
type devicesSection struct {
	u       *UI
	flow    devicesFlow
	list    *fyne.Container
	message *widget.Label
	content fyne.CanvasObject
	// revoke holds each row's button, for tests.
	revoke []*widget.Button
}

// devicesList is what the section reads off the UI goroutine.
type devicesList struct {
	devices []api.Device
	this    int64
}

func newDevicesSection(u *UI, flow devicesFlow) *devicesSection {
	d := &devicesSection{u: u, flow: flow, list: container.NewVBox(), message: paragraph("")}
	d.content = container.NewVBox(widget.NewSeparator(), title(u.text.T("sf.devices.title")), paragraph(u.text.T("sf.devices.intro")),
		d.list, d.message)
	if u.deps.Connection.Target().Portal == nil {
		// Chorus Pro's own environments: its portal keeps the list.
		d.content.Hide()
		return d
	}
	if u.signedIn == "" {
		d.list.Add(paragraph(u.text.T("sf.devices.sign_in")))
		return d
	}
	d.load()
	return d
}

// load reads the list from the portal.
func (d *devicesSection) load() {
	async(d.u, func(ctx context.Context) (devicesList, error) {
		devs, err := d.flow.Devices(ctx)
		return devicesList{devs, d.flow.ThisDevice(ctx)}, err
	}, d.show)
}

// show draws the list.
func (d *devicesSection) show(l devicesList, err error) {
	u := d.u
	d.list.RemoveAll()
	d.revoke = nil
	if err != nil {
		d.message.SetText(u.text.errorText(err))
		return
	}
	if len(l.devices) == 0 {
		d.list.Add(paragraph(u.text.T("sf.devices.none")))
	}
	for _, dev := range l.devices {
		name := dev.Name
		if dev.ID == l.this {
			name += " (" + u.text.T("sf.devices.this") + ")"
		}
		line := paragraph(u.text.F("sf.devices.line", "name", name, "last", u.text.date(time.Unix(dev.LastUsed, 0)),
			"expires", u.text.date(time.Unix(dev.Expires, 0))))
		b := widget.NewButtonWithIcon(u.text.T("sf.devices.revoke"), theme.DeleteIcon(), func() { d.onRevoke(dev.ID, dev.Name) })
		d.revoke = append(d.revoke, b)
		d.list.Add(container.NewBorder(nil, nil, nil, b, line))
	}
	d.list.Refresh()
}

// onRevoke revokes one computer, then reads the list again.
func (d *devicesSection) onRevoke(id int64, name string) {
	u := d.u
	for _, b := range d.revoke {
		b.Disable()
	}
	async(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, d.flow.RevokeDevice(ctx, id) },
		func(_ struct{}, err error) {
			if err != nil {
				d.message.SetText(u.text.errorText(err))
				for _, b := range d.revoke {
					b.Enable()
				}
				return
			}
			d.message.SetText(u.text.F("sf.devices.revoked", "name", name))
			d.load()
		})
}
