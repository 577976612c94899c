package wizard

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// handoffScreen guides a person through the portal's structure form with the
// prepared data, field by field, then reads the result back.
type handoffScreen struct {
	u       *area
	flow    handoffFlow
	pick    *widgets.Select
	fields  *fyne.Container
	open    *widgets.Button
	check   *widgets.Button
	message *widget.Label
	content fyne.CanvasObject

	recs    map[string]core.StructureRecord
	current *core.StructureRecord
	// copies holds each field's copy button, by field name, for tests.
	copies map[string]*widgets.Button
}

func newHandoffScreen(u *area, flow handoffFlow) *handoffScreen {
	s := &handoffScreen{u: u, flow: flow, recs: map[string]core.StructureRecord{}, copies: map[string]*widgets.Button{}}
	s.fields = container.NewVBox()
	s.message = widgets.Paragraph("")
	s.open = widgets.NewButtonWithIcon(u.Text().T("handoff.open"), theme.ComputerIcon(), func() {
		if info, ok := u.Session().Target().Env.Info(); ok && info.PortalPage != "" {
			if link, err := url.Parse(info.PortalPage); err == nil {
				if err := u.App().OpenURL(link); err != nil {
					// No browser to hand it to (a locked-down desktop):
					// the address is shown, to type or copy.
					s.message.SetText(u.Text().F("handoff.open_failed", "url", info.PortalPage))
				}
			}
		}
	})
	s.check = widgets.NewButtonWithIcon(u.Text().T("handoff.check"), theme.SearchIcon(), s.onCheck)
	s.check.Importance = widget.HighImportance
	s.check.Disable()
	s.pick = widgets.NewSelect(nil, s.onPick)
	s.pick.PlaceHolder = u.Text().T("select.placeholder")
	back := widgets.NewButtonWithIcon(u.Text().T("button.back"), theme.NavigateBackIcon(), func() { u.Show(shell.StepHome) })
	// What the portal will ask that the form cannot prepare: the second
	// factor at the first sign-in, and the managers of a structure.
	portalSays := container.NewGridWithColumns(2,
		widget.NewCard(u.Text().T("handoff.sf.title"), "", widgets.Paragraph(u.Text().T("handoff.sf.text"))),
		widget.NewCard(u.Text().T("handoff.managers.title"), "", widgets.Paragraph(u.Text().T("handoff.managers.text"))))
	s.content = u.Page(widgets.Title(u.Text().T("handoff.title")), widgets.Paragraph(u.Text().T("handoff.intro")),
		container.NewHBox(s.open), s.accountCard(),
		widget.NewForm(widget.NewFormItem(u.Text().T("handoff.structure"), s.pick)),
		s.fields, s.message, container.NewHBox(back, s.check), portalSays)
	s.load()
	return s
}

// load lists the structures still to finish on the portal, off the UI
// goroutine.
func (s *handoffScreen) load() {
	shell.Async(s.u.Shell, s.flow.HandoffCandidates, func(recs []core.StructureRecord, err error) {
		if err != nil {
			s.message.SetText(s.u.Text().ErrorText(err))
			return
		}
		var labels []string
		for _, r := range recs {
			l := r.Draft.Identifier + " · " + r.Draft.CompanyName
			labels = append(labels, l)
			s.recs[l] = r
		}
		s.pick.SetOptions(labels)
		if len(labels) == 0 {
			s.message.SetText(s.u.Text().T("handoff.none"))
			return
		}
		s.check.Enable()
		s.pick.SetSelectedIndex(0)
	})
}

// accountCard shows the prepared account (steps 1-2) field by field, in the
// portal's order, each with a copy button; the API cannot read accounts
// back, so the portal's activation e-mail is the confirmation.
func (s *handoffScreen) accountCard() fyne.CanvasObject {
	d := s.u.account.Draft
	if d.LoginEmail == "" {
		return widget.NewLabel("")
	}
	form := widget.NewForm()
	for _, row := range []struct{ field, label, value string }{
		{core.FieldLoginEmail, "field.login_email", d.LoginEmail},
		{core.FieldLoginEmailConfirm, "field.login_email_confirm", d.LoginEmail},
		{core.FieldFirstName, "field.first_name", d.FirstName},
		{core.FieldLastName, "field.last_name", d.LastName},
		{core.FieldPhone, "field.phone", d.Phone},
		{core.FieldContactEmail, "field.contact_email", d.EffectiveContactEmail()},
	} {
		if row.value == "" {
			continue
		}
		form.Append(s.u.Text().T(row.label), s.copyRow("account."+row.field, row.value))
	}
	return widget.NewCard(s.u.Text().T("account.title"), "", form)
}

// copyRow is a value with its copy button.
func (s *handoffScreen) copyRow(key, value string) fyne.CanvasObject {
	b := widgets.NewButtonWithIcon(s.u.Text().T("handoff.copy"), theme.ContentCopyIcon(), func() {
		s.u.App().Clipboard().SetContent(value)
		s.message.SetText(s.u.Text().F("handoff.copied", "value", value))
	})
	s.copies[key] = b
	return widgets.NewBorder(nil, nil, nil, b, widget.NewLabel(value))
}

// onPick lists the structure's fields in the portal's order (step 6), each
// with a copy button.
func (s *handoffScreen) onPick(label string) {
	r, ok := s.recs[label]
	if !ok {
		return
	}
	s.current = &r
	d := r.Draft
	country, _ := validate.LookupCountry(d.EffectiveCountry())
	countryName := country.NameEN
	if s.u.Text().Lang() == i18n.FR {
		countryName = country.NameFR
	}
	kind := s.u.Text().T("kind.PRIVEE")
	if d.Kind == core.KindPublic {
		kind = s.u.Text().T("kind.PUBLIQUE")
	}
	rows := []struct{ field, label, value string }{
		{core.FieldIdentifierType, "field.identifier_type", shell.TypeLabel(s.u.Text().Lang(), d.IdentifierType)},
		{core.FieldIdentifier, "field.identifier", d.Identifier},
		{core.FieldStructureKind, "field.structure_kind", kind},
		{core.FieldCompanyName, "field.company_name", d.CompanyName},
		{core.FieldStructureName, "field.structure_name", d.StructureName},
		{core.FieldEmail, "field.email", d.Email},
		{core.FieldPhone, "field.phone", d.Phone},
		{core.FieldAddress, "field.address", d.Address},
		{core.FieldComplement1, "field.address_complement_1", d.Complement1},
		{core.FieldComplement2, "field.address_complement_2", d.Complement2},
		{core.FieldCity, "field.city", d.City},
		{core.FieldPostalCode, "field.postal_code", d.PostalCode},
		{core.FieldCountry, "field.country", countryName},
	}
	s.fields.RemoveAll()
	form := widget.NewForm()
	for _, row := range rows {
		if row.value == "" {
			continue
		}
		form.Append(s.u.Text().T(row.label), s.copyRow(row.field, row.value))
	}
	if d.NonDiffusible {
		form.Append(s.u.Text().T("field.non_diffusible"), widget.NewLabel(s.u.Text().T("yes")))
	}
	s.fields.Add(form)
}

// onCheck reads the structure back through PISTE: exists → created; the
// attachment's status when one was requested; and warns when the technical
// password expires within 15 days.
func (s *handoffScreen) onCheck() {
	if s.current == nil {
		return
	}
	id := s.current.ID
	shell.Async(s.u.Shell, func(ctx context.Context) (onboarding.ReadBack, error) { return s.flow.CheckOnChorus(ctx, id) },
		func(res onboarding.ReadBack, err error) {
			if err != nil {
				if core.KindOf(err) == core.KindNotFound {
					s.message.SetText(s.u.Text().T("handoff.not_found"))
				} else {
					s.message.SetText(s.u.Text().ErrorText(err))
				}
				return
			}
			msg := s.u.Text().F("handoff.found", "id", fmt.Sprint(res.PortalID))
			if res.Attachment != "" {
				msg = s.u.Text().F("handoff.attachment", "status", s.u.Text().T("status."+res.Attachment))
			}
			if res.ExpiresSoon(time.Now()) {
				msg += "\n" + s.u.Text().F("handoff.expiry", "date", s.u.Text().Date(res.PasswordExpires))
			}
			s.message.SetText(msg)
		})
}
