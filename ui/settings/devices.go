package settings

import (
	"context"
	"time"

	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
)

// devicesSection is the settings' list of the computers trusted with the
// signed-in account: each signs in without a second factor for 90 days
// after its last use, until revoked here.
type devicesSection struct {
	u       *area
	flow    devicesFlow
	list    *fyne.Container
	message *widget.Label
	content fyne.CanvasObject
	// revoke holds each row's button, for tests.
	revoke []*widgets.Button
	// change opens the password change; pw is its dialog while it shows.
	change *widgets.Button
	pw     *passwordDialog
}

// devicesList is what the section reads off the UI goroutine.
type devicesList struct {
	devices []api.Device
	this    int64
}

func newDevicesSection(u *area, flow devicesFlow) *devicesSection {
	d := &devicesSection{u: u, flow: flow, list: container.NewVBox(), message: widgets.Paragraph("")}
	d.change = widgets.NewButtonWithIcon(u.Text().T("password.change"), theme.AccountIcon(), d.onChangePassword)
	d.content = container.NewVBox(widget.NewSeparator(), widgets.Title(u.Text().T("sf.devices.title")), widgets.Paragraph(u.Text().T("sf.devices.intro")),
		d.list, container.NewHBox(d.change), d.message)
	if u.Session().Target().Portal == nil {
		// Chorus Pro's own environments: its portal keeps the list.
		d.content.Hide()
		return d
	}
	if u.Session().SignedIn() == "" {
		d.list.Add(widgets.Paragraph(u.Text().T("sf.devices.sign_in")))
		d.change.Hide()
		return d
	}
	d.load()
	return d
}

// load reads the list from the portal.
func (d *devicesSection) load() {
	shell.Async(d.u.Shell, func(ctx context.Context) (devicesList, error) {
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
		d.message.SetText(u.Text().ErrorText(err))
		return
	}
	if len(l.devices) == 0 {
		d.list.Add(widgets.Paragraph(u.Text().T("sf.devices.none")))
	}
	for _, dev := range l.devices {
		name := dev.Name
		if dev.ID == l.this {
			name += " (" + u.Text().T("sf.devices.this") + ")"
		}
		line := widgets.Paragraph(u.Text().F("sf.devices.line", "name", name, "last", u.Text().Date(time.Unix(dev.LastUsed, 0)),
			"expires", u.Text().Date(time.Unix(dev.Expires, 0))))
		b := widgets.NewButtonWithIcon(u.Text().T("sf.devices.revoke"), theme.DeleteIcon(), func() { d.onRevoke(dev.ID, dev.Name) })
		d.revoke = append(d.revoke, b)
		d.list.Add(widgets.NewBorder(nil, nil, nil, b, line))
	}
	d.list.Refresh()
}

// onRevoke revokes one computer, then reads the list again.
func (d *devicesSection) onRevoke(id int64, name string) {
	u := d.u
	for _, b := range d.revoke {
		b.Disable()
	}
	shell.Async(u.Shell, func(ctx context.Context) (struct{}, error) { return struct{}{}, d.flow.RevokeDevice(ctx, id) },
		func(_ struct{}, err error) {
			if err != nil {
				d.message.SetText(u.Text().ErrorText(err))
				for _, b := range d.revoke {
					b.Enable()
				}
				return
			}
			d.message.SetText(u.Text().F("sf.devices.revoked", "name", name))
			d.load()
		})
}

// passwordDialog changes the signed-in account's password: the current
// one, the new one twice with the policy's live checklist; Confirm waits
// for every rule. The passwords live only in the entries.
type passwordDialog struct {
	current, next, confirm *widgets.FocusEntry
	*shell.PasswordChecks
	submit  *widgets.Button
	message *widget.Label
	dialog  dialog.Dialog
}

// onChangePassword opens the password change.
func (d *devicesSection) onChangePassword() {
	u := d.u
	p := &passwordDialog{current: widgets.NewPasswordEntry(), next: widgets.NewPasswordEntry(), confirm: widgets.NewPasswordEntry(),
		PasswordChecks: shell.NewPasswordChecks(u.Text()), message: widgets.Paragraph("")}
	d.pw = p
	refresh := func(string) {
		ok := p.Update(u.Text(), p.next.Text, p.confirm.Text, u.Session().SignedIn(), "", "") && p.current.Text != ""
		if ok {
			p.submit.Enable()
		} else {
			p.submit.Disable()
		}
	}
	p.submit = widgets.NewButtonWithIcon(u.Text().T("button.submit"), theme.ConfirmIcon(), func() { d.submitPassword(p) })
	p.submit.Importance = widget.HighImportance
	for _, e := range []*widgets.FocusEntry{p.current, p.next, p.confirm} {
		e.OnChanged = refresh
	}
	p.confirm.OnSubmitted = func(string) {
		if !p.submit.Disabled() {
			d.submitPassword(p)
		}
	}
	form := widget.NewForm(
		widget.NewFormItem(u.Text().T("password.current")+" *", p.current),
		widget.NewFormItem(u.Text().T("field."+core.FieldPassword)+" *", p.next),
		widget.NewFormItem(u.Text().T("field."+core.FieldPasswordConfirm)+" *", p.confirm),
	)
	body := container.NewVBox(widgets.Paragraph(u.Text().T("password.change.intro")), widgets.Paragraph(u.Text().T("password.rule")), form, p.Box, p.message,
		container.NewHBox(p.submit))
	refresh("")
	p.dialog = dialog.NewCustom(u.Text().T("password.change.title"), u.Text().T("button.cancel"), body, u.Win())
	p.dialog.Resize(fyne.NewSize(640, 0))
	p.dialog.Show()
	widgets.FocusDialogField()
	u.Win().Canvas().Focus(p.current)
}

// submitPassword sends the change off the UI goroutine; on success the
// dialog closes and the list is read again (every computer was forgotten).
func (d *devicesSection) submitPassword(p *passwordDialog) {
	u := d.u
	current, next := p.current.Text, p.next.Text
	p.submit.Disable()
	shell.Async(u.Shell, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, d.flow.ChangePassword(ctx, u.Session().SignedIn(), current, next)
	}, func(_ struct{}, err error) {
		if err != nil {
			p.message.SetText(u.Text().ErrorText(err))
			p.submit.Enable()
			return
		}
		for _, e := range []*widgets.FocusEntry{p.current, p.next, p.confirm} {
			e.SetText("")
		}
		p.dialog.Hide()
		d.pw = nil
		d.message.SetText(u.Text().T("password.changed"))
		d.load()
	})
}
