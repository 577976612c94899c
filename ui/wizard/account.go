package wizard

import (
	"context"
	"time"

	"github.com/chorusonboard/chorus-onboard/ui/shell"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/validate"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// saveDelay debounces draft saves: typing fast costs one write.
const saveDelay = 400 * time.Millisecond

// accountScreen is steps 1-2, "Personal Information".
type accountScreen struct {
	u    *area
	flow accountFlow

	loginEmail, confirmEmail, firstName, lastName, phone, contactEmail *widgets.FocusEntry
	conditions                                                         *widgets.Check
	submit                                                             *widgets.Button
	saved                                                              *widget.Label
	content                                                            fyne.CanvasObject

	stopSave func() // cancels the pending debounced save
	saver    *shell.Saver[core.AccountRecord]
	// contactTouched is true once the user edited the contact e-mail: until
	// then it follows the login e-mail, as the portal pre-fills it.
	contactTouched bool
}

func newAccountScreen(u *area, flow accountFlow) *accountScreen {
	s := &accountScreen{u: u, flow: flow}
	s.saver = shell.NewSaver(u.Shell, s.onSaved)
	d := u.account.Draft
	entry := func(field, v string) *widgets.FocusEntry {
		e := u.NewEntry()
		e.SetText(v)
		e.SetValidator(shell.FieldValidator(u.Shell, field, s.formDraft, setAccountField, accountProblems))
		e.OnChanged = func(string) { s.onChanged() }
		e.OnSubmitted = func(string) { s.onSubmit() }
		return e
	}
	s.loginEmail, s.confirmEmail = entry(core.FieldLoginEmail, d.LoginEmail), entry(core.FieldLoginEmailConfirm, d.LoginEmailConfirm)
	s.firstName, s.lastName = entry(core.FieldFirstName, d.FirstName), entry(core.FieldLastName, d.LastName)
	s.phone, s.contactEmail = entry(core.FieldPhone, d.Phone), entry(core.FieldContactEmail, d.EffectiveContactEmail())
	s.contactTouched = d.ContactEmail != "" && d.ContactEmail != d.LoginEmail
	s.loginEmail.SetPlaceHolder("prenom.nom@entreprise.fr")
	s.phone.SetPlaceHolder("01 23 45 67 89")
	s.conditions = widgets.NewCheck(u.Text().T("field.conditions"), func(bool) { s.onChanged() })
	s.conditions.SetChecked(d.ConditionsAccepted())
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

	req := func(key string) string { return u.Text().T(key) + " *" }
	form := widgets.NameFields(widget.NewForm(
		&widget.FormItem{Text: req("field.login_email"), Widget: s.loginEmail, HintText: u.Text().T("account.login_warning")},
		&widget.FormItem{Text: req("field.login_email_confirm"), Widget: s.confirmEmail},
		&widget.FormItem{Text: req("field.first_name"), Widget: s.firstName},
		&widget.FormItem{Text: req("field.last_name"), Widget: s.lastName},
		&widget.FormItem{Text: u.Text().T("field.phone"), Widget: s.phone},
		&widget.FormItem{Text: u.Text().T("field.contact_email"), Widget: s.contactEmail, HintText: u.Text().T("field.contact_email.hint")},
	))
	s.submit = widgets.NewButtonWithIcon(u.Text().T("button.submit"), theme.ConfirmIcon(), s.onSubmit)
	s.submit.Importance = widget.HighImportance
	back := widgets.NewButtonWithIcon(u.Text().T("button.back"), theme.NavigateBackIcon(), func() {
		s.saveNow()
		s.saver.WhenIdle(func() { u.Show(shell.StepHome) })
	})
	s.saved = widget.NewLabel("")
	s.saved.Importance = widget.LowImportance
	s.content = u.Page(
		widgets.Title(u.Text().T("account.title")), widgets.Paragraph(u.Text().T("account.intro")), form,
		widgets.Paragraph(u.Text().T("conditions.text")), s.conditions,
		widget.NewLabelWithStyle(u.Text().T("required.mark"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
		container.NewHBox(back, s.submit, s.saved),
	)
	s.refreshSubmit()
	return s
}

// accountProblems validates a draft for the inline errors.
func accountProblems(d core.AccountDraft) core.Problems {
	_, p := validate.Account(d)
	return p
}

// setAccountField sets one field of an account draft.
func setAccountField(d *core.AccountDraft, field, v string) {
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
}

// formDraft reads the form; false while the form is still being built.
func (s *accountScreen) formDraft() (core.AccountDraft, bool) {
	if s.conditions == nil {
		return core.AccountDraft{}, false
	}
	return s.draft(), true
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

func (s *accountScreen) onChanged() {
	if s.submit == nil {
		return
	}
	// Rules span fields (the confirmation must match): revalidate them all;
	// an entry the user has not touched yet shows no error.
	for _, e := range []*widgets.FocusEntry{s.loginEmail, s.confirmEmail, s.firstName, s.lastName, s.phone, s.contactEmail} {
		_ = e.Validate()
	}
	s.refreshSubmit()
	s.keep()
	s.saved.SetText("")
	s.scheduleSave()
}

// refreshSubmit enables Submit only when the whole form is valid.
func (s *accountScreen) refreshSubmit() {
	if accountProblems(s.draft()).HasErrors() {
		s.submit.Disable()
	} else {
		s.submit.Enable()
	}
}

// keep makes the form the draft in memory, which screens rebuilt after a
// language switch start from, whatever the store has committed yet.
func (s *accountScreen) keep() { s.u.account.Draft = s.draft() }

// scheduleSave saves the draft once typing pauses.
func (s *accountScreen) scheduleSave() {
	if s.stopSave != nil {
		s.stopSave()
	}
	s.stopSave = s.u.After(saveDelay, s.saveNow)
}

// saveNow asks for the draft to be written now (off the UI goroutine);
// "saved" shows once the store committed it.
func (s *accountScreen) saveNow() {
	if s.stopSave != nil {
		s.stopSave()
		s.stopSave = nil
	}
	s.keep()
	s.saver.Request(func() func(context.Context) (core.AccountRecord, error) {
		// Read when the save starts: the id of the record the previous
		// save created, and the latest draft.
		id, d := s.u.account.ID, s.u.account.Draft
		return func(ctx context.Context) (core.AccountRecord, error) { return s.flow.SaveAccount(ctx, id, d) }
	})
}

// onSaved records a committed save: the record's id (kept in the
// preferences, so a restart reopens this draft) and "saved" once nothing
// newer waits.
func (s *accountScreen) onSaved(rec core.AccountRecord, err error, waiting bool) {
	if err != nil {
		s.saved.SetText(s.u.Text().ErrorText(err))
		return
	}
	s.u.account.ID = rec.ID
	s.u.App().Preferences().SetInt(prefAccountID, int(rec.ID))
	if !waiting {
		s.saved.SetText(s.u.Text().T("saved"))
	}
}

func (s *accountScreen) onSubmit() {
	if accountProblems(s.draft()).HasErrors() {
		// The user tried to go on: every field says what it lacks, and
		// the first of them takes the focus.
		widgets.RevealErrors(s.u.Win().Canvas(), s.loginEmail, s.confirmEmail, s.firstName, s.lastName, s.phone, s.contactEmail)
		return
	}
	if s.submit.Disabled() {
		return
	}
	s.saveNow()
	s.submit.Disable()
	s.saver.WhenIdle(func() {
		id := s.u.account.ID
		if id == 0 {
			s.submit.Enable() // the save failed: its message is shown
			return
		}
		// The account waits in the outbox from now on, offline too; the
		// captcha's answer sends it.
		shell.Async(s.u.Shell, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.flow.QueueAccount(ctx, id) },
			func(_ struct{}, err error) {
				if err != nil {
					s.submit.Enable()
					s.saved.SetText(s.u.Text().ErrorText(err))
					return
				}
				s.u.Show(shell.StepCaptcha)
			})
	})
}
