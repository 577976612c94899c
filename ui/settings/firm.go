package settings

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// firmSection is the settings' way to the firm's shared workspace: where
// the desktop stands with its firm, and the button that opens it.
type firmSection struct {
	state   *widget.Label
	open    *widgets.Button
	content fyne.CanvasObject
}

func newFirmSection(u *area, flow firmStatusFlow) *firmSection {
	tx := u.Text()
	f := &firmSection{state: widgets.Paragraph(tx.T("settings.firm_none"))}
	f.open = widgets.NewButtonWithIcon(tx.T("settings.firm_open"), theme.AccountIcon(), func() { u.Show(shell.StepFirm) })
	f.content = container.NewVBox(widget.NewSeparator(), widgets.Title(tx.T("firm.title")), f.state, container.NewHBox(f.open))
	if flow == nil {
		f.content.Hide()
		return f
	}
	shell.Async(u.Shell, func(ctx context.Context) (onboarding.FirmStatus, error) { return flow.Status(ctx), nil },
		func(st onboarding.FirmStatus, _ error) {
			if l := st.Link; !l.IsZero() {
				f.state.SetText(tx.F("settings.firm_in", "firm", l.Name, "role", tx.T("firm.role."+l.Role)))
			}
		})
	return f
}
