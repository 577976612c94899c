package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// saveDelay debounces draft saves: typing fast costs one write.
const saveDelay = 400 * time.Millisecond

// accountScreen is steps 1-2, "Personal Information".
type accountScreen struct {
	u *UI

	loginEmail, confirmEmail, firstName, lastName, phone, contactEmail *widget.Entry
	conditions                                                         *widget.Check
	submit                                                             *widget.Button
	saved                                                              *widget.Label
	content                                                            fyne.CanvasObject

	stopSave func() // cancels the pending debounced save
	// contactTouched is true once the user edited the contact e-mail: until
	// then it follows the login e-mail, as the portal pre-fills it.
	contactTouched bool
}

func newAccountScreen(u *UI) *accountScreen {
	s := &accountScreen{u: u}
	d := u.account.Draft
	entry := func(v string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(v)
		return e
	}
	s.loginEmail, s.confirmEmail = entry(d.LoginEmail), entry(d.LoginEmailConfirm)
	s.firstName, s.lastName = entry(d.FirstName), entry(d.LastName)
	s.phone, s.contactEmail = entry(d.Phone), entry(d.EffectiveContactEmail())
	s.contactTouched = d.ContactEmail != "" && d.ContactEmail != d.LoginEmail
	s.loginEmail.SetPlaceHolder("prenom.nom@entreprise.fr")
	s.phone.SetPlaceHolder("01 23 45 67 89")
	s.conditions = widget.NewCheck(u.T("field.conditions"), func(bool) { s.onChanged() })
	s.conditions.SetChecked(d.ConditionsAccepted())

	// Inline errors: each entry validates itself with core/validate, in the
	// user's language; the form shows the message under the field.
	s.loginEmail.Validator = s.fieldValidator(core.FieldLoginEmail)
	s.confirmEmail.Validator = s.fieldValidator(core.FieldLoginEmailConfirm)
	s.firstName.Validator = s.fieldValidator(core.FieldFirstName)
	s.lastName.Validator = s.fieldValidator(core.FieldLastName)
	s.phone.Validator = s.fieldValidator(core.FieldPhone)
	s.contactEmail.Validator = s.fieldValidator(core.FieldContactEmail)
	for _, e := range []*widget.Entry{s.loginEmail, s.confirmEmail, s.firstName, s.lastName, s.phone, s.contactEmail} {
		e.OnChanged = func(string) { s.onChanged() }
		e.OnSubmitted = func(string) { s.onSubmit() }
	}
	s.loginEmail.OnChanged = func(v string) {
		if !s.contactTouched {
			s.contactEmail.SetText(v)
		}
		s.onChanged()
	}
	s.contactEmail.OnChanged = func(v string) {
		if v != s.loginEmail.Text {
			s.contactTouched = true
		}
		s.onChanged()
	}

	req := func(key string) string { return u.T(key) + " *" }
	form := widget.NewForm(
		&widget.FormItem{Text: req("field.login_email"), Widget: s.loginEmail, HintText: u.T("account.login_warning")},
		&widget.FormItem{Text: req("field.login_email_confirm"), Widget: s.confirmEmail},
		&widget.FormItem{Text: req("field.first_name"), Widget: s.firstName},
		&widget.FormItem{Text: req("field.last_name"), Widget: s.lastName},
		&widget.FormItem{Text: u.T("field.phone"), Widget: s.phone},
		&widget.FormItem{Text: u.T("field.contact_email"), Widget: s.contactEmail, HintText: u.T("field.contact_email.hint")},
	)
	s.submit = widget.NewButtonWithIcon(u.T("button.submit"), theme.ConfirmIcon(), s.onSubmit)
	s.submit.Importance = widget.HighImportance
	back := widget.NewButtonWithIcon(u.T("button.back"), theme.NavigateBackIcon(), func() { s.saveNow(); u.show(stepHome) })
	s.saved = widget.NewLabel("")
	s.saved.Importance = widget.LowImportance
	s.content = page(
		title(u.T("account.title")), paragraph(u.T("account.intro")), form,
		paragraph(u.T("conditions.text")), s.conditions,
		widget.NewLabelWithStyle(u.T("required.mark"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
		container.NewHBox(back, s.submit, s.saved),
	)
	s.refreshSubmit()
	return s
}

// draft reads the form.
func (s *accountScreen) draft() core.AccountDraft {
	d := core.AccountDraft{
		LoginEmail: s.loginEmail.Text, LoginEmailConfirm: s.confirmEmail.Text, FirstName: s.firstName.Text,
		LastName: s.lastName.Text, Phone: s.phone.Text,
	}
	if s.contactTouched {
		d.ContactEmail = s.contactEmail.Text
	}
	if s.conditions.Checked {
		d.ConditionsAcceptedAt = s.u.account.Draft.ConditionsAcceptedAt
		if d.ConditionsAcceptedAt.IsZero() {
			d.ConditionsAcceptedAt = time.Now().UTC()
		}
	}
	return d
}

// fieldValidator validates the whole draft and reports this field's first
// error, so cross-field rules (the confirmation must match) show where the
// user looks.
func (s *accountScreen) fieldValidator(field string) fyne.StringValidator {
	return func(v string) error {
		if s.conditions == nil {
			return nil // still building
		}
		// The entry may not hold v yet when Fyne validates it.
		d := s.draft()
		switch field {
		case core.FieldLoginEmail:
			d.LoginEmail = v
		case core.FieldLoginEmailConfirm:
			d.LoginEmailConfirm = v
		case core.FieldFirstName:
			d.FirstName = v
		case core.FieldLastName:
			d.LastName = v
		case core.FieldPhone:
			d.Phone = v
		case core.FieldContactEmail:
			d.ContactEmail = v
		}
		_, problems := validate.Account(d)
		for _, p := range problems.ForField(field) {
			if p.Severity == core.Error {
				return errors.New(s.u.T(p.Code))
			}
		}
		return nil
	}
}

func (s *accountScreen) onChanged() {
	if s.submit == nil {
		return
	}
	// Rules span fields (the confirmation must match): revalidate them all;
	// an entry the user has not touched yet shows no error.
	for _, e := range []*widget.Entry{s.loginEmail, s.confirmEmail, s.firstName, s.lastName, s.phone, s.contactEmail} {
		_ = e.Validate()
	}
	s.refreshSubmit()
	s.scheduleSave()
}

// refreshSubmit enables Submit only when the whole form is valid.
func (s *accountScreen) refreshSubmit() {
	_, problems := validate.Account(s.draft())
	if problems.HasErrors() {
		s.submit.Disable()
	} else {
		s.submit.Enable()
	}
}

// scheduleSave saves the draft once typing pauses.
func (s *accountScreen) scheduleSave() {
	if s.stopSave != nil {
		s.stopSave()
	}
	s.stopSave = s.u.deps.After(saveDelay, s.saveNow)
}

// saveNow writes the draft to the store and says "saved" once it is
// committed.
func (s *accountScreen) saveNow() {
	if s.stopSave != nil {
		s.stopSave()
		s.stopSave = nil
	}
	st := s.u.deps.Store
	if st == nil {
		return
	}
	_, problems := validate.Account(s.draft())
	rec := s.u.account
	rec.Draft, rec.Problems = s.draft(), problems
	saved, err := st.SaveAccount(context.Background(), rec)
	if err != nil {
		s.saved.SetText(s.u.errorText(err))
		return
	}
	s.u.account = saved
	s.u.app.Preferences().SetInt(prefAccountID, int(saved.ID))
	s.saved.SetText(s.u.T("saved"))
}

func (s *accountScreen) onSubmit() {
	if s.submit.Disabled() {
		return
	}
	canon, problems := validate.Account(s.draft())
	if problems.HasErrors() {
		return
	}
	s.saveNow()
	s.u.account.Draft = canon
	s.u.show(stepCaptcha)
}
