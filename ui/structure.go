package ui

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/registry"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// structureScreen is step 6: the portal's structure form. A valid SIRET is
// looked up as it is typed: the portal says whether it exists, the registry
// pre-fills the name and address.
type structureScreen struct {
	u    *UI
	flow structureFlow

	idType                                       *typeSelect
	identifier                                   *focusEntry
	kind                                         *widget.Select
	company, name, email, phone                  *focusEntry
	address, complement1, complement2, city, zip *focusEntry
	country                                      *widget.Select
	nonDiffusible                                *widget.Check
	lookup                                       *widget.Label
	requestAttach                                *widget.Button
	submit                                       *widget.Button
	result                                       *widget.Label
	form                                         *widget.Form
	content                                      fyne.CanvasObject

	countryByLabel map[string]string
	lastLookup     string
}

func newStructureScreen(u *UI, flow structureFlow, initial core.StructureDraft) *structureScreen {
	s := &structureScreen{u: u, flow: flow, countryByLabel: map[string]string{}}
	var countries []string
	for _, c := range validate.Countries() {
		name := c.NameEN
		if u.lang == i18n.FR {
			name = c.NameFR
		}
		countries = append(countries, name)
		s.countryByLabel[name] = c.Code
	}
	slices.Sort(countries)
	d := initial
	s.idType = u.newTypeSelect(d.IdentifierType, func(string) { s.onChanged() })
	s.kind = widget.NewSelect([]string{u.T("kind.PRIVEE"), u.T("kind.PUBLIQUE")}, func(string) { s.onChanged() })
	s.country = widget.NewSelect(countries, func(string) { s.onChanged() })
	entry := func(field, v string) *focusEntry {
		e := u.newEntry()
		e.SetText(v)
		e.Validator = fieldValidator(u, field, s.formDraft, setStructureField, structureProblems)
		e.OnChanged = func(string) { s.onChanged() }
		e.OnSubmitted = func(string) { s.onSubmit() }
		return e
	}
	s.identifier = entry(core.FieldIdentifier, d.Identifier)
	s.company, s.name = entry(core.FieldCompanyName, d.CompanyName), entry(core.FieldStructureName, d.StructureName)
	s.email, s.phone = entry(core.FieldEmail, d.Email), entry(core.FieldPhone, d.Phone)
	s.address, s.complement1 = entry(core.FieldAddress, d.Address), entry(core.FieldComplement1, d.Complement1)
	s.complement2, s.city = entry(core.FieldComplement2, d.Complement2), entry(core.FieldCity, d.City)
	s.zip = entry(core.FieldPostalCode, d.PostalCode)
	s.nonDiffusible = widget.NewCheck(u.T("field.non_diffusible"), nil)
	s.nonDiffusible.SetChecked(d.NonDiffusible)
	s.kind.SetSelectedIndex(0)
	if d.Kind == core.KindPublic {
		s.kind.SetSelectedIndex(1)
	}
	cc, _ := validate.LookupCountry(d.EffectiveCountry())
	if u.lang == i18n.FR {
		s.country.SetSelected(cc.NameFR)
	} else {
		s.country.SetSelected(cc.NameEN)
	}
	s.lookup = paragraph("")
	s.lookup.Importance = widget.HighImportance
	s.requestAttach = widget.NewButtonWithIcon(u.T("done.attach.button"), theme.LoginIcon(), func() {
		u.showAttach(s.draft().IdentifierType, s.draft().Identifier)
	})
	s.requestAttach.Hide()
	s.result = paragraph("")
	s.submit = widget.NewButtonWithIcon(u.T("button.submit"), theme.ConfirmIcon(), s.onSubmit)
	s.submit.Importance = widget.HighImportance
	back := widget.NewButtonWithIcon(u.T("button.back"), theme.NavigateBackIcon(), func() { u.show(stepDone) })
	req := func(k string) string { return u.T(k) + " *" }
	// One form for every section, so that every label lines up in one
	// column; each section opens with its heading in the field column.
	s.form = widget.NewForm(
		sectionItem(u.T("structure.general")),
		widget.NewFormItem(req("field.identifier_type"), s.idType.Select),
		&widget.FormItem{Text: req("field.identifier"), Widget: s.identifier, HintText: u.T("field.identifier.hint")},
		widget.NewFormItem("", container.NewVBox(s.lookup, container.NewHBox(s.requestAttach))),
		widget.NewFormItem(req("field.structure_kind"), s.kind),
		widget.NewFormItem(req("field.company_name"), s.company),
		widget.NewFormItem(u.T("field.structure_name"), s.name),
		widget.NewFormItem(u.T("field.email"), s.email),
		widget.NewFormItem(u.T("field.phone"), s.phone),
		sectionItem(u.T("structure.address")),
		widget.NewFormItem(req("field.address"), s.address),
		widget.NewFormItem(u.T("field.address_complement_1"), s.complement1),
		widget.NewFormItem(u.T("field.address_complement_2"), s.complement2),
		widget.NewFormItem(req("field.city"), s.city),
		widget.NewFormItem(req("field.postal_code"), s.zip),
		widget.NewFormItem(req("field.country"), s.country),
		sectionItem(u.T("structure.options")),
		widget.NewFormItem("", s.nonDiffusible),
	)
	s.content = u.page(
		title(u.T("structure.title")), s.form,
		widget.NewLabelWithStyle(u.T("required.mark"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
		s.result, container.NewHBox(back, s.submit),
	)
	s.onChanged()
	return s
}

// sectionItem is a form row that opens a section: its heading, bold, in
// the field column.
func sectionItem(heading string) *widget.FormItem {
	l := widget.NewLabelWithStyle(heading, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return widget.NewFormItem("", l)
}

// structureProblems validates a draft for the inline errors.
func structureProblems(d core.StructureDraft) core.Problems {
	_, p := validate.Structure(d)
	return p
}

// setStructureField sets one text field of a structure draft.
func setStructureField(d *core.StructureDraft, field, v string) {
	if p := d.TextField(field); p != nil {
		*p = v
	}
}

// formDraft reads the form; false while the form is still being built.
func (s *structureScreen) formDraft() (core.StructureDraft, bool) {
	if s.country == nil || s.nonDiffusible == nil {
		return core.StructureDraft{}, false
	}
	return s.draft(), true
}

// draft reads the form.
func (s *structureScreen) draft() core.StructureDraft {
	kind := core.KindPrivate
	if s.kind.SelectedIndex() == 1 {
		kind = core.KindPublic
	}
	return core.StructureDraft{
		IdentifierType: s.idType.Type(), Identifier: s.identifier.Text, Kind: kind,
		CompanyName: s.company.Text, StructureName: s.name.Text, Email: s.email.Text, Phone: s.phone.Text,
		Address: s.address.Text, Complement1: s.complement1.Text, Complement2: s.complement2.Text,
		City: s.city.Text, PostalCode: s.zip.Text, Country: s.countryByLabel[s.country.Selected],
		NonDiffusible: s.nonDiffusible != nil && s.nonDiffusible.Checked,
	}
}

func (s *structureScreen) onChanged() {
	if s.submit == nil {
		return
	}
	for _, e := range []*focusEntry{s.identifier, s.company, s.name, s.email, s.phone, s.address, s.complement1, s.complement2, s.city, s.zip} {
		_ = e.Validate()
	}
	d := s.draft()
	if structureProblems(d).HasErrors() {
		s.submit.Disable()
	} else {
		s.submit.Enable()
	}
	if d.IdentifierType == core.IDSIRET {
		if siret, err := validate.SIRET(d.Identifier); err == nil && siret != s.lastLookup {
			s.lastLookup = siret
			s.lookupSIRET(siret)
		}
	}
}

// lookupSIRET asks the portal whether the SIRET exists and the registry
// what it knows of the company.
func (s *structureScreen) lookupSIRET(siret string) {
	s.lookup.SetText(s.u.T("lookup.checking"))
	async(s.u, func(ctx context.Context) (onboarding.Lookup, error) { return s.flow.LookUp(ctx, siret) },
		func(f onboarding.Lookup, err error) {
			if siret != s.lastLookup {
				return // the user typed on
			}
			switch {
			case err != nil:
				s.lookup.SetText(s.u.T("lookup.offline"))
			case f.OnPortal:
				s.lookup.SetText(s.u.T("lookup.exists"))
				s.requestAttach.Show()
			default:
				s.requestAttach.Hide()
				msg := s.u.T("lookup.absent")
				if c := f.Company; c != nil {
					s.prefill(*c)
					msg += "\n" + s.u.T("lookup.prefilled")
					if c.NonDiffusible {
						msg += "\n" + s.u.T("lookup.masked")
					}
				}
				s.lookup.SetText(msg)
			}
			// The message wraps over new lines: lay the form out again.
			s.form.Refresh()
			s.onChanged()
		})
}

// prefill fills the fields the user left empty.
func (s *structureScreen) prefill(c registry.Company) {
	for _, f := range []struct {
		e *focusEntry
		v string
	}{{s.company, c.Name}, {s.address, c.Address}, {s.complement1, c.Complement1}, {s.complement2, c.Complement2},
		{s.city, c.City}, {s.zip, c.PostalCode}} {
		if strings.TrimSpace(f.e.Text) == "" && f.v != "" {
			f.e.SetText(f.v)
		}
	}
	s.nonDiffusible.SetChecked(c.NonDiffusible)
}

// onSubmit keeps the structure on this computer with its outbox row (so
// nothing is lost offline), then sends it at once where the portal has an
// API; on Chorus Pro's own environments it stays a draft for the hand-off.
func (s *structureScreen) onSubmit() {
	if s.submit.Disabled() {
		return
	}
	d := s.draft()
	if structureProblems(d).HasErrors() {
		return
	}
	s.submit.Disable()
	async(s.u, func(ctx context.Context) (core.StructureRecord, error) { return s.flow.SubmitStructure(ctx, d) },
		func(r core.StructureRecord, err error) {
			s.submit.Enable()
			if err != nil {
				s.result.SetText(s.u.errorText(err))
				return
			}
			s.showResult(r)
			s.u.refreshStatus()
		})
}

// showResult says what became of the structure, under the form and in a
// dialog, since the end of a long form is often below the fold.
func (s *structureScreen) showResult(r core.StructureRecord) {
	switch r.Sync.State {
	case core.StateCreated:
		s.result.SetText(s.u.Tf("structure.created", validate.FormatSIRET(r.Draft.Identifier)))
	case core.StateAttachmentRequested, core.StateSent:
		s.result.SetText(s.u.T("lookup.exists") + " " + s.u.T("status.EN_COURS_DE_VALIDATION"))
	case core.StateFailed:
		s.result.SetText(i18n.Text(s.u.lang, r.Sync.Notice))
	default:
		s.result.SetText(s.u.T("structure.saved_draft"))
	}
	d := dialog.NewInformation(s.u.T("structure.title"), s.result.Text, s.u.win)
	d.SetDismissText(s.u.T("button.close"))
	d.Show()
}
