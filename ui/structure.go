package ui

import (
	"context"
	"errors"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/registry"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// structureScreen is step 6: the portal's structure form. A valid SIRET is
// looked up as it is typed: the portal says whether it exists, the registry
// pre-fills the name and address.
type structureScreen struct {
	u *UI

	idType                                       *widget.Select
	identifier                                   *widget.Entry
	kind                                         *widget.Select
	company, name, email, phone                  *widget.Entry
	address, complement1, complement2, city, zip *widget.Entry
	country                                      *widget.Select
	nonDiffusible                                *widget.Check
	lookup                                       *widget.Label
	requestAttach                                *widget.Button
	submit                                       *widget.Button
	result                                       *widget.Label
	content                                      fyne.CanvasObject

	typeByLabel    map[string]core.IdentifierType
	countryByLabel map[string]string
	lastLookup     string
}

func typeLabel(l i18n.Lang, t core.IdentifierType) string {
	info, _ := t.Info()
	if l == i18n.FR {
		return info.LabelFR
	}
	return info.LabelEN
}

func newStructureScreen(u *UI, initial core.StructureDraft) *structureScreen {
	s := &structureScreen{u: u, typeByLabel: map[string]core.IdentifierType{}, countryByLabel: map[string]string{}}
	var types []string
	for _, info := range core.IdentifierTypes {
		l := typeLabel(u.lang, info.Type)
		types = append(types, l)
		s.typeByLabel[l] = info.Type
	}
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
	s.idType = widget.NewSelect(types, func(string) { s.onChanged() })
	s.kind = widget.NewSelect([]string{u.T("kind.PRIVEE"), u.T("kind.PUBLIQUE")}, func(string) { s.onChanged() })
	s.country = widget.NewSelect(countries, func(string) { s.onChanged() })
	entry := func(field, v string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(v)
		e.Validator = s.validator(field)
		e.OnChanged = func(string) { s.onChanged() }
		e.OnSubmitted = func(string) { s.onSubmit() }
		return e
	}
	d := initial
	if d.IdentifierType == "" {
		d.IdentifierType = core.IDSIRET
	}
	s.identifier = entry(core.FieldIdentifier, d.Identifier)
	s.company, s.name = entry(core.FieldCompanyName, d.CompanyName), entry(core.FieldStructureName, d.StructureName)
	s.email, s.phone = entry(core.FieldEmail, d.Email), entry(core.FieldPhone, d.Phone)
	s.address, s.complement1 = entry(core.FieldAddress, d.Address), entry(core.FieldComplement1, d.Complement1)
	s.complement2, s.city = entry(core.FieldComplement2, d.Complement2), entry(core.FieldCity, d.City)
	s.zip = entry(core.FieldPostalCode, d.PostalCode)
	s.nonDiffusible = widget.NewCheck(u.T("field.non_diffusible"), nil)
	s.nonDiffusible.SetChecked(d.NonDiffusible)
	s.idType.SetSelected(typeLabel(u.lang, d.IdentifierType))
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
	general := widget.NewForm(
		widget.NewFormItem(req("field.identifier_type"), s.idType),
		&widget.FormItem{Text: req("field.identifier"), Widget: s.identifier, HintText: u.T("field.identifier.hint")},
		widget.NewFormItem(req("field.structure_kind"), s.kind),
		widget.NewFormItem(req("field.company_name"), s.company),
		widget.NewFormItem(u.T("field.structure_name"), s.name),
		widget.NewFormItem(u.T("field.email"), s.email),
		widget.NewFormItem(u.T("field.phone"), s.phone),
	)
	addr := widget.NewForm(
		widget.NewFormItem(req("field.address"), s.address),
		widget.NewFormItem(u.T("field.address_complement_1"), s.complement1),
		widget.NewFormItem(u.T("field.address_complement_2"), s.complement2),
		widget.NewFormItem(req("field.city"), s.city),
		widget.NewFormItem(req("field.postal_code"), s.zip),
		widget.NewFormItem(req("field.country"), s.country),
	)
	s.content = page(
		title(u.T("structure.title")),
		widget.NewCard(u.T("structure.general"), "", container.NewVBox(general, s.lookup, container.NewHBox(s.requestAttach))),
		widget.NewCard(u.T("structure.address"), "", addr),
		widget.NewCard(u.T("structure.options"), "", s.nonDiffusible),
		widget.NewLabelWithStyle(u.T("required.mark"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
		s.result, container.NewHBox(back, s.submit),
	)
	s.onChanged()
	return s
}

// draft reads the form.
func (s *structureScreen) draft() core.StructureDraft {
	kind := core.KindPrivate
	if s.kind.SelectedIndex() == 1 {
		kind = core.KindPublic
	}
	return core.StructureDraft{
		IdentifierType: s.typeByLabel[s.idType.Selected], Identifier: s.identifier.Text, Kind: kind,
		CompanyName: s.company.Text, StructureName: s.name.Text, Email: s.email.Text, Phone: s.phone.Text,
		Address: s.address.Text, Complement1: s.complement1.Text, Complement2: s.complement2.Text,
		City: s.city.Text, PostalCode: s.zip.Text, Country: s.countryByLabel[s.country.Selected],
		NonDiffusible: s.nonDiffusible != nil && s.nonDiffusible.Checked,
	}
}

// validator shows this field's first problem from validating the whole
// draft, so cross-field rules appear where the user looks.
func (s *structureScreen) validator(field string) fyne.StringValidator {
	return func(v string) error {
		if s.country == nil || s.nonDiffusible == nil {
			return nil
		}
		d := s.draft()
		// The entry may not hold v yet when Fyne validates it.
		for f, p := range map[string]*string{core.FieldIdentifier: &d.Identifier, core.FieldCompanyName: &d.CompanyName,
			core.FieldStructureName: &d.StructureName, core.FieldEmail: &d.Email, core.FieldPhone: &d.Phone,
			core.FieldAddress: &d.Address, core.FieldComplement1: &d.Complement1, core.FieldComplement2: &d.Complement2,
			core.FieldCity: &d.City, core.FieldPostalCode: &d.PostalCode} {
			if f == field {
				*p = v
			}
		}
		_, problems := validate.Structure(d)
		for _, p := range problems.ForField(field) {
			if p.Severity == core.Error {
				return errors.New(s.u.T(p.Code))
			}
		}
		return nil
	}
}

func (s *structureScreen) onChanged() {
	if s.submit == nil {
		return
	}
	for _, e := range []*widget.Entry{s.identifier, s.company, s.name, s.email, s.phone, s.address, s.complement1, s.complement2, s.city, s.zip} {
		_ = e.Validate()
	}
	d := s.draft()
	if _, problems := validate.Structure(d); problems.HasErrors() {
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
	if s.u.deps.Portal == nil {
		s.lookup.SetText(s.u.T("lookup.offline"))
		return
	}
	s.lookup.SetText(s.u.T("lookup.checking"))
	type found struct {
		res     api.SearchResult
		company *registry.Company
	}
	async(s.u, func(ctx context.Context) (found, error) {
		res, err := s.u.deps.Portal.SearchStructure(ctx, core.IDSIRET, siret)
		if err != nil || res.Found || s.u.deps.Registry == nil {
			return found{res: res}, err
		}
		c, err := s.u.deps.Registry.Lookup(ctx, siret)
		if err != nil {
			return found{res: res}, nil // unknown to the registry: the user types it
		}
		return found{res: res, company: &c}, nil
	}, func(f found, err error) {
		if siret != s.lastLookup {
			return // the user typed on
		}
		switch {
		case err != nil:
			s.lookup.SetText(s.u.T("lookup.offline"))
		case f.res.Found:
			s.lookup.SetText(s.u.T("lookup.exists"))
			s.requestAttach.Show()
		default:
			s.requestAttach.Hide()
			msg := s.u.T("lookup.absent")
			if c := f.company; c != nil {
				s.prefill(*c)
				msg += "\n" + s.u.T("lookup.prefilled")
				if c.NonDiffusible {
					msg += "\n" + s.u.T("lookup.masked")
				}
			}
			s.lookup.SetText(msg)
		}
		s.onChanged()
	})
}

// prefill fills the fields the user left empty.
func (s *structureScreen) prefill(c registry.Company) {
	for _, f := range []struct {
		e *widget.Entry
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
// nothing is lost offline), then sends it at once.
func (s *structureScreen) onSubmit() {
	if s.submit.Disabled() {
		return
	}
	canon, problems := validate.Structure(s.draft())
	if problems.HasErrors() {
		return
	}
	st := s.u.deps.Store
	if st == nil {
		return
	}
	// Queued for the sandbox's worker; on the real portal there is no API
	// to send it to: it stays a draft for the hand-off.
	rec, _, err := st.SaveStructure(context.Background(), core.SaveStructure{Draft: canon, Problems: problems,
		Queue: s.u.deps.Env == core.EnvLocal})
	if err != nil {
		s.result.SetText(s.u.errorText(err))
		return
	}
	s.submit.Disable()
	async(s.u, func(ctx context.Context) (core.StructureRecord, error) {
		if s.u.deps.SyncNow != nil {
			_ = s.u.deps.SyncNow(ctx) // failures stay queued or parked with the portal's message
		}
		return st.Structure(ctx, rec.ID)
	}, func(r core.StructureRecord, err error) {
		s.submit.Enable()
		if err != nil {
			s.result.SetText(s.u.errorText(err))
			return
		}
		s.showResult(r)
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
		s.result.SetText(r.Sync.Message)
	default:
		s.result.SetText(s.u.T("structure.saved_draft"))
	}
	d := dialog.NewInformation(s.u.T("structure.title"), s.result.Text, s.u.win)
	d.SetDismissText(s.u.T("button.close"))
	d.Show()
}
