package workspace

import (
	"context"
	"slices"
	"strings"

	"github.com/chorusonboard/chorus-onboard/ui/shell"

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
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// structureScreen is step 6: the portal's structure form. A valid SIRET is
// looked up as it is typed: the portal says whether it exists, the registry
// pre-fills the name and address.
type structureScreen struct {
	u    *area
	flow structureFlow

	idType                                       *shell.TypeSelect
	identifier                                   *widgets.FocusEntry
	kind                                         *widgets.Select
	company, name, email, phone                  *widgets.FocusEntry
	address, complement1, complement2, city, zip *widgets.FocusEntry
	country                                      *widgets.Select
	nonDiffusible                                *widgets.Check
	lookup                                       *widget.Label
	requestAttach                                *widgets.Button
	submit                                       *widgets.Button
	result                                       *widget.Label
	form                                         *widget.Form
	content                                      fyne.CanvasObject

	countryByLabel map[string]string
	lastLookup     string

	// edit is set when the form was opened from the workspace on a stored
	// record (or a new one); nil in the wizard.
	edit *structureEdit
	// reform is the e-invoicing section of a stored record's form.
	reform *reformSection
	// conflicts is the firm's conflicts of the record, to resolve;
	// history opens the firm's history of it.
	conflicts  *conflictPanel
	history    *widgets.Button
	save       *widgets.Button
	saveQueue  *widgets.Button
	backToList *widgets.Button
}

// structureEdit opens the form from the workspace: on a stored record, or
// on a new one (ID 0), with the cursor in focus (a field, shell.FocusFirstError for
// the first with an error, "" for none).
type structureEdit struct {
	flow  editorFlow
	rec   core.StructureRecord
	focus string
	// conflicts are the record's fields in conflict with the firm's.
	conflicts []core.FieldConflict
	// typed is what the form held when the screen was built again (a new
	// language or theme), shown instead of the record; nil otherwise.
	typed *core.StructureDraft
}

func newStructureScreen(u *area, flow structureFlow, initial core.StructureDraft) *structureScreen {
	return buildStructureScreen(u, flow, initial, nil)
}

// newStructureEditor is the form in the workspace: Save, Save and queue,
// back to the table.
// Call focusField once the form is on the window.
func newStructureEditor(u *area, e *structureEdit) *structureScreen {
	d := e.rec.Draft
	if e.typed != nil {
		d, e.typed = *e.typed, nil
	}
	return buildStructureScreen(u, e.flow, d, e)
}

func buildStructureScreen(u *area, flow structureFlow, initial core.StructureDraft, edit *structureEdit) *structureScreen {
	s := &structureScreen{u: u, flow: flow, countryByLabel: map[string]string{}, edit: edit}
	if edit != nil && edit.rec.ID != 0 {
		// A stored record's identifier was looked up when it was typed.
		s.lastLookup = edit.rec.Draft.Identifier
	}
	var countries []string
	for _, c := range validate.Countries() {
		name := c.NameEN
		if u.Text().Lang() == i18n.FR {
			name = c.NameFR
		}
		countries = append(countries, name)
		s.countryByLabel[name] = c.Code
	}
	slices.Sort(countries)
	d := initial
	s.idType = u.NewTypeSelect(d.IdentifierType, func(string) { s.onChanged() })
	s.kind = widgets.NewSelect([]string{u.Text().T("kind.PRIVEE"), u.Text().T("kind.PUBLIQUE")}, func(string) { s.onChanged() })
	s.country = widgets.NewSelect(countries, func(string) { s.onChanged() })
	entry := func(field, v string) *widgets.FocusEntry {
		e := u.NewEntry()
		e.SetText(v)
		e.SetValidator(shell.FieldValidator(u.Shell, field, s.formDraft, setStructureField, structureProblems))
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
	s.nonDiffusible = widgets.NewCheck(u.Text().T("field.non_diffusible"), nil)
	s.nonDiffusible.SetChecked(d.NonDiffusible)
	s.kind.SetSelectedIndex(0)
	if d.Kind == core.KindPublic {
		s.kind.SetSelectedIndex(1)
	}
	cc, _ := validate.LookupCountry(d.EffectiveCountry())
	if u.Text().Lang() == i18n.FR {
		s.country.SetSelected(cc.NameFR)
	} else {
		s.country.SetSelected(cc.NameEN)
	}
	s.lookup = widgets.Paragraph("")
	s.lookup.Importance = widget.HighImportance
	s.requestAttach = widgets.NewButtonWithIcon(u.Text().T("done.attach.button"), theme.LoginIcon(), func() {
		if !u.Session().HasPortal() {
			u.Show(shell.StepHandoff)
			return
		}
		u.ShowWith(shell.StepAttach, shell.AttachTo{Type: s.draft().IdentifierType, Identifier: s.draft().Identifier})
	})
	s.requestAttach.Hide()
	s.result = widgets.Paragraph("")
	s.submit = widgets.NewButtonWithIcon(u.Text().T("button.submit"), theme.ConfirmIcon(), s.onSubmit)
	s.submit.Importance = widget.HighImportance
	back := widgets.NewButtonWithIcon(u.Text().T("button.back"), theme.NavigateBackIcon(), func() { u.Show(shell.StepDone) })
	var buttons fyne.CanvasObject = container.NewHBox(back, s.submit)
	heading := u.Text().T("structure.title")
	var status fyne.CanvasObject = widget.NewLabel("")
	if edit != nil {
		heading, status, buttons = s.editorParts()
	}
	req := func(k string) string { return u.Text().T(k) + " *" }
	// One form for every section, so that every label lines up in one
	// column; each section opens with its heading in the field column.
	s.form = widgets.NameFields(widget.NewForm(
		widgets.SectionItem(u.Text().T("structure.general")),
		widget.NewFormItem(req("field.identifier_type"), s.idType.Select),
		&widget.FormItem{Text: req("field.identifier"), Widget: s.identifier, HintText: u.Text().T("field.identifier.hint")},
		widget.NewFormItem("", container.NewVBox(s.lookup, container.NewHBox(s.requestAttach))),
		widget.NewFormItem(req("field.structure_kind"), s.kind),
		widget.NewFormItem(req("field.company_name"), s.company),
		widget.NewFormItem(u.Text().T("field.structure_name"), s.name),
		widget.NewFormItem(u.Text().T("field.email"), s.email),
		widget.NewFormItem(u.Text().T("field.phone"), s.phone),
		widgets.SectionItem(u.Text().T("structure.address")),
		widget.NewFormItem(req("field.address"), s.address),
		widget.NewFormItem(u.Text().T("field.address_complement_1"), s.complement1),
		widget.NewFormItem(u.Text().T("field.address_complement_2"), s.complement2),
		widget.NewFormItem(req("field.city"), s.city),
		widget.NewFormItem(req("field.postal_code"), s.zip),
		widget.NewFormItem(req("field.country"), s.country),
		widgets.SectionItem(u.Text().T("structure.options")),
		widget.NewFormItem("", s.nonDiffusible),
	))
	if edit != nil && edit.rec.ID != 0 && u.deps.Reform != nil {
		s.reform = newReformSection(u, u.deps.Reform, edit.rec)
		for _, it := range s.reform.items() {
			s.form.AppendItem(it)
		}
	}
	top := []fyne.CanvasObject{widgets.Title(heading), status}
	if edit != nil && len(edit.conflicts) > 0 {
		s.conflicts = newConflictPanel(u, edit.rec.ID, edit.conflicts, func(err error) {
			if err != nil {
				s.result.SetText(u.Text().ErrorText(err))
				return
			}
			u.workspace.message = u.Text().T("editor.conflict.kept")
			u.openStructure(edit.rec.ID, "")
		})
		top = append(top, s.conflicts.content)
	}
	s.content = u.Page(append(top, s.form,
		widget.NewLabelWithStyle(u.Text().T("required.mark"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
		s.result, buttons)...,
	)
	s.onChanged()
	if edit != nil && edit.rec.Sync.State.OnPortal() {
		s.readOnly()
	}
	return s
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
	for _, e := range []*widgets.FocusEntry{s.identifier, s.company, s.name, s.email, s.phone, s.address, s.complement1, s.complement2, s.city, s.zip} {
		_ = e.Validate()
	}
	d := s.draft()
	if structureProblems(d).HasErrors() {
		s.submit.Disable()
		if s.saveQueue != nil {
			s.saveQueue.Disable()
		}
	} else {
		s.submit.Enable()
		if s.saveQueue != nil && s.u.Session().HasPortal() {
			s.saveQueue.Enable()
		}
	}
	if d.IdentifierType == core.IDSIRET {
		if siret, err := validate.SIRET(d.Identifier); err == nil && siret != s.lastLookup {
			s.lastLookup = siret
			s.lookupSIRET(siret)
		}
	}
}

// lookupSIRET asks the portal whether the SIRET exists (the onboarding
// API, or Chorus Pro through PISTE) and the registry what it knows of the
// company; each side's answer is said on its own line.
func (s *structureScreen) lookupSIRET(siret string) {
	s.lookup.SetText(s.u.Text().T("lookup.checking"))
	shell.Async(s.u.Shell, func(ctx context.Context) (onboarding.Lookup, error) { return s.flow.Lookup(ctx, siret), nil },
		func(f onboarding.Lookup, _ error) {
			if siret != s.lastLookup {
				return // the user typed on
			}
			s.requestAttach.Hide()
			var lines []string
			switch {
			case f.OnPortal && s.u.Session().HasPortal():
				lines = append(lines, s.u.Text().T("lookup.exists"))
				s.requestAttach.SetText(s.u.Text().T("done.attach.button"))
				s.requestAttach.Show()
			case f.OnPortal:
				// Chorus Pro's own portal: joining it is done on its pages.
				lines = append(lines, s.u.Text().T("lookup.exists_handoff"))
				s.requestAttach.SetText(s.u.Text().T("lookup.handoff_button"))
				s.requestAttach.Show()
			case f.Checked:
				lines = append(lines, s.u.Text().T("lookup.absent"))
			case core.CodeOf(f.CheckErr) == "handoff.no_credentials":
				lines = append(lines, s.u.Text().T("lookup.no_piste"))
			case f.CheckErr != nil:
				lines = append(lines, s.u.Text().LookupError(f.CheckErr, "lookup.offline"))
			}
			switch {
			case f.OnPortal:
			case f.Company != nil:
				s.prefill(*f.Company)
				lines = append(lines, s.u.Text().T("lookup.prefilled"))
				if f.Company.NonDiffusible {
					lines = append(lines, s.u.Text().T("lookup.masked"))
				}
				if !f.Company.Active {
					lines = append(lines, s.u.Text().T("lookup.closed_warning"))
				}
			case core.KindOf(f.RegistryErr) == core.KindNotFound:
				lines = append(lines, s.u.Text().T("registry.not_found"))
			case f.RegistryErr != nil:
				lines = append(lines, s.u.Text().LookupError(f.RegistryErr, "lookup.registry_offline"))
			}
			s.lookup.SetText(strings.Join(lines, "\n"))
			// The message wraps over new lines: lay the form out again.
			s.form.Refresh()
			s.onChanged()
		})
}

// prefill fills the fields the user left empty.
func (s *structureScreen) prefill(c registry.Company) {
	for _, f := range []struct {
		e *widgets.FocusEntry
		v string
	}{{s.company, c.Name}, {s.address, c.Address}, {s.complement1, c.Complement1}, {s.complement2, c.Complement2},
		{s.city, c.City}, {s.zip, c.PostalCode}} {
		if strings.TrimSpace(f.e.Text) == "" && f.v != "" {
			f.e.SetText(f.v)
		}
	}
	s.nonDiffusible.SetChecked(c.NonDiffusible)
	if s.reform != nil {
		s.reform.fromRegistry(c.Category)
	}
}

// onSubmit keeps the structure on this computer with its outbox row (so
// nothing is lost offline), then sends it at once where the portal has an
// API; on Chorus Pro's own environments it stays a draft for the hand-off.
func (s *structureScreen) onSubmit() {
	d := s.draft()
	if structureProblems(d).HasErrors() {
		// The user tried to go on: every field says what it lacks, and
		// the first of them takes the focus.
		widgets.RevealErrors(s.u.Win().Canvas(), s.identifier, s.company, s.name, s.email, s.phone, s.address, s.complement1, s.complement2, s.city, s.zip)
		return
	}
	if s.submit.Disabled() {
		return
	}
	s.submit.Disable()
	// This structure is sent at once, whatever else waits in the queue:
	// say so until the portal answered.
	s.result.SetText(s.u.Text().T("structure.sending"))
	shell.Async(s.u.Shell, func(ctx context.Context) (core.StructureRecord, error) { return s.flow.Submit(ctx, d) },
		func(r core.StructureRecord, err error) {
			s.submit.Enable()
			if err != nil {
				s.result.SetText(s.u.Text().ErrorText(err))
				return
			}
			s.showResult(r)
			s.u.Status().Refresh()
		})
}

// showResult says what became of the structure, under the form and in a
// dialog, since the end of a long form is often below the fold.
func (s *structureScreen) showResult(r core.StructureRecord) {
	switch r.Sync.State {
	case core.StateCreated:
		s.result.SetText(s.u.Text().F("structure.created", "siret", validate.FormatSIRET(r.Draft.Identifier)))
	case core.StateAttachmentRequested, core.StateSent:
		s.result.SetText(s.u.Text().T("lookup.exists") + " " + s.u.Text().T("status.EN_COURS_DE_VALIDATION"))
	case core.StateFailed:
		s.result.SetText(i18n.Text(s.u.Text().Lang(), r.Sync.Notice))
	default:
		s.result.SetText(s.u.Text().T("structure.saved_draft"))
	}
	d := dialog.NewInformation(s.u.Text().T("structure.title"), s.result.Text, s.u.Win())
	d.SetDismissText(s.u.Text().T("button.close"))
	d.Show()
	widgets.FocusDialogField()
}

// editorParts are the editor's heading, status (state, the portal's word,
// problems) and buttons.
func (s *structureScreen) editorParts() (string, fyne.CanvasObject, fyne.CanvasObject) {
	u, rec := s.u, s.edit.rec
	s.backToList = widgets.NewButtonWithIcon(u.Text().T("editor.back"), theme.NavigateBackIcon(), s.onBackToList)
	s.save = widgets.NewButtonWithIcon(u.Text().T("editor.save"), theme.DocumentSaveIcon(), func() { s.onSave(false) })
	s.saveQueue = widgets.NewButtonWithIcon(u.Text().T("editor.save_queue"), theme.UploadIcon(), func() { s.onSave(true) })
	s.saveQueue.Importance = widget.HighImportance
	buttons := container.NewHBox(s.backToList, s.save, s.saveQueue)
	if u.firm.in() && rec.ID != 0 {
		s.history = widgets.NewButtonWithIcon(u.Text().T("editor.history"), theme.HistoryIcon(), func() {
			showHistory(u, rec.ID, rec.Draft.CompanyName)
		})
		buttons.Add(s.history)
	}
	if rec.ID == 0 {
		return u.Text().T("editor.new"), widget.NewLabel(""), buttons
	}
	chip := widgets.NewStateChip()
	chip.Set(u.Text().StateChipOf(rec.Sync.State, len(rec.Problems.Errors())))
	lines := []string{}
	if !rec.Sync.Notice.IsZero() {
		lines = append(lines, i18n.Text(u.Text().Lang(), rec.Sync.Notice))
	}
	if p := u.Text().ProblemsText(len(rec.Problems.Errors()), len(rec.Problems)-len(rec.Problems.Errors())); p != "" {
		lines = append(lines, p)
	}
	if rec.Sync.State.OnPortal() {
		lines = append(lines, u.Text().T("editor.read_only"))
	}
	status := container.NewVBox(container.NewHBox(chip, widget.NewLabel(u.Text().DateTime(rec.Updated))))
	if len(lines) > 0 {
		note := widgets.Paragraph(strings.Join(lines, "\n"))
		if rec.Sync.State == core.StateFailed || rec.Problems.HasErrors() {
			note.Importance = widget.DangerImportance
		}
		status.Add(note)
	}
	return widgets.GroupIdentifier(rec.Draft.IdentifierType, rec.Draft.Identifier) + " · " + rec.Draft.CompanyName, status, buttons
}

// entries returns the form's text fields by field name.
func (s *structureScreen) entries() map[string]*widgets.FocusEntry {
	return map[string]*widgets.FocusEntry{core.FieldIdentifier: s.identifier, core.FieldCompanyName: s.company,
		core.FieldStructureName: s.name, core.FieldEmail: s.email, core.FieldPhone: s.phone, core.FieldAddress: s.address,
		core.FieldComplement1: s.complement1, core.FieldComplement2: s.complement2, core.FieldCity: s.city, core.FieldPostalCode: s.zip}
}

// focusField puts the cursor in a field: shell.FocusFirstError is the first field, in
// the form's order, with an error.
func (s *structureScreen) focusField(field string) {
	if field == "" {
		return
	}
	entries := s.entries()
	if field == shell.FocusFirstError {
		field = ""
		problems := structureProblems(s.draft())
		for _, e := range []*widgets.FocusEntry{s.identifier, s.company, s.name, s.email, s.phone, s.address, s.complement1,
			s.complement2, s.city, s.zip} {
			for f, fe := range entries {
				if fe == e && problems.ForField(f).HasErrors() && field == "" {
					field = f
				}
			}
		}
	}
	if e := entries[field]; e != nil && !e.Disabled() {
		s.u.Win().Canvas().Focus(e)
	}
}

// readOnly shows a structure the portal knows: nothing to change here.
func (s *structureScreen) readOnly() {
	for _, e := range s.entries() {
		e.Disable()
	}
	s.idType.Disable()
	s.kind.Disable()
	s.country.Disable()
	s.nonDiffusible.Disable()
	s.save.Hide()
	s.saveQueue.Hide()
}

// onSave keeps the form in the store, queued for the portal if asked, and
// goes back to the table, on the same row.
func (s *structureScreen) onSave(queue bool) {
	d := s.draft()
	id := s.edit.rec.ID
	flow := s.edit.flow
	s.save.Disable()
	s.saveQueue.Disable()
	shell.Async(s.u.Shell, func(ctx context.Context) (core.StructureRecord, error) {
		rec, _, err := flow.Save(ctx, id, d, queue)
		return rec, err
	}, func(rec core.StructureRecord, err error) {
		if err != nil {
			s.save.Enable()
			s.onChanged()
			s.result.SetText(s.u.Text().ErrorText(err))
			return
		}
		s.u.workspace.currentID = rec.ID
		label := onboarding.Label(rec.Draft)
		if queue {
			s.u.workspace.message = i18n.Format(s.u.Text().Lang(), "editor.queued", map[string]string{"name": label})
		} else {
			s.u.workspace.message = i18n.Format(s.u.Text().Lang(), "editor.saved", map[string]string{"name": label})
		}
		s.u.Status().Refresh()
		s.u.Show(shell.StepWorkspace)
	})
}

// changedSinceOpen reports whether the form differs from the record it
// was opened on.
func (s *structureScreen) changedSinceOpen() bool {
	return s.draft().WithDefaults() != s.edit.rec.Draft.WithDefaults()
}

// onBackToList goes back to the table; changes not saved are the user's
// to keep or drop.
func (s *structureScreen) onBackToList() {
	u := s.u
	if s.edit.rec.Sync.State.OnPortal() || !s.changedSinceOpen() {
		u.Show(shell.StepWorkspace)
		return
	}
	d := dialog.NewConfirm(u.Text().T("editor.unsaved.title"), u.Text().T("editor.unsaved.text"), func(drop bool) {
		if drop {
			u.Show(shell.StepWorkspace)
		}
	}, u.Win())
	d.SetConfirmText(u.Text().T("editor.unsaved.drop"))
	d.SetDismissText(u.Text().T("editor.unsaved.stay"))
	d.Show()
	widgets.FocusDialogField()
}
