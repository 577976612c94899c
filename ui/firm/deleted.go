package firm

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// deletedShown bounds the rows the screen draws at once: the search
// narrows the rest (a firm may have deleted thousands).
const deletedShown = 50

// deletedScreen is the firm's deleted clients, for its admin: the most
// recently deleted first, who deleted each and when, a search by name or
// identifier, and Restore, which brings a client back for every member.
// The server checks the admin's role.
type deletedScreen struct {
	u       *area
	search  *widgets.FocusEntry
	list    *fyne.Container
	message *widget.Label
	content fyne.CanvasObject
	all     []api.FirmDeleted
	// restore holds each row's button by client, for tests.
	restore map[int64]*widgets.Button
}

func newDeletedScreen(u *area) *deletedScreen {
	tx := u.Text()
	d := &deletedScreen{u: u, list: container.NewVBox(), message: widgets.Paragraph("")}
	d.search = u.NewEntry()
	d.search.SetPlaceHolder(tx.T("firm.deleted_search"))
	d.search.OnChanged = func(string) { d.show() }
	back := widgets.NewButtonWithIcon(tx.T("button.back"), theme.NavigateBackIcon(), func() { u.Show(shell.StepFirm) })
	d.content = u.Page(widgets.Title(tx.T("firm.deleted_title")), widgets.Paragraph(tx.T("firm.deleted_intro")), d.search, d.list,
		d.message, container.NewHBox(back))
	d.load("")
	return d
}

// load reads the deleted clients, then says message.
func (d *deletedScreen) load(message string) {
	shell.Async(d.u.Shell, func(ctx context.Context) ([]api.FirmDeleted, error) {
		return d.u.deps.Deleted.Deleted(ctx)
	}, func(all []api.FirmDeleted, err error) {
		if err != nil {
			d.message.SetText(d.u.Text().ErrorText(err))
			return
		}
		d.all = all
		d.show()
		d.message.SetText(message)
	})
}

// name is how a row names its client: the company, else the structure's
// name, with its identifier.
func (d *deletedScreen) name(c api.FirmClient) string {
	name := strings.TrimSpace(c.Fields[core.FieldCompanyName])
	if name == "" {
		name = strings.TrimSpace(c.Fields[core.FieldStructureName])
	}
	if name == "" {
		name = d.u.Text().T("firm.deleted_unnamed")
	}
	if id := c.Fields[core.FieldIdentifier]; id != "" {
		name += " · " + c.Fields[core.FieldIdentifierType] + " " + id
	}
	return name
}

// show draws the deleted clients the search matches, the first
// deletedShown of them.
func (d *deletedScreen) show() {
	tx := d.u.Text()
	q := strings.ToLower(strings.Join(strings.Fields(d.search.Text), ""))
	d.list.RemoveAll()
	d.restore = map[int64]*widgets.Button{}
	matched := 0
	for _, del := range d.all {
		c := del.Client
		if q != "" && !strings.Contains(strings.ToLower(strings.ReplaceAll(c.Fields[core.FieldCompanyName]+c.Fields[core.FieldStructureName]+
			c.Fields[core.FieldIdentifier], " ", "")), q) {
			continue
		}
		if matched++; matched > deletedShown {
			continue
		}
		what := widget.NewLabel(d.name(c))
		what.Truncation = fyne.TextTruncateEllipsis
		who := widget.NewLabel(tx.F("firm.deleted_by", "email", c.UpdatedBy, "date", tx.DateTime(time.UnixMilli(c.UpdatedAt))))
		who.TextStyle.Italic = true // secondary, yet as readable as the name (low importance is the disabled colour)
		b := widgets.NewButtonWithIcon(tx.T("firm.restore"), theme.ContentUndoIcon(), func() { d.onRestore(c) })
		d.restore[c.ID] = b
		d.list.Add(widgets.NewBorder(nil, nil, nil, b, container.NewVBox(what, who)))
	}
	switch {
	case len(d.all) == 0:
		d.list.Add(widgets.Paragraph(tx.T("firm.deleted_none")))
	case matched == 0:
		d.list.Add(widgets.Paragraph(tx.T("firm.deleted_no_match")))
	case matched > deletedShown:
		d.list.Add(widgets.Paragraph(tx.Plural("firm.deleted_more", matched-deletedShown)))
	}
	d.u.PageScroll().Refresh()
}

// onRestore restores a client and says so.
func (d *deletedScreen) onRestore(c api.FirmClient) {
	tx := d.u.Text()
	if b := d.restore[c.ID]; b != nil {
		b.Disable()
	}
	shell.Async(d.u.Shell, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, d.u.deps.Deleted.Restore(ctx, c.ID)
	}, func(_ struct{}, err error) {
		if err != nil {
			d.load(tx.ErrorText(err))
			return
		}
		d.load(tx.F("firm.restored", "name", d.name(c)))
	})
}
