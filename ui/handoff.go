package ui

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// Chorus is the read-only Chorus Pro API (PISTE), for checking a hand-off.
type Chorus interface {
	FindStructure(ctx context.Context, t core.IdentifierType, identifier string) (piste.StructureAAfficher, error)
	Consulter(ctx context.Context, id int64, lang string) (piste.WsRetourConsulterStructure, error)
	Rattachements(ctx context.Context) ([]piste.StructureRattachement, error)
}

// ChorusConfig is what a Chorus client needs; secrets are read when a call
// is made, from the keyring or the session.
type ChorusConfig struct {
	OAuthURL, APIURL, ClientID, TechnicalLogin string
	ClientSecret, TechnicalPassword            func(context.Context) (string, error)
}

// Portal pages where a person finishes what the API cannot do.
var portalPages = map[core.Environment]string{
	core.EnvQualification: "https://qualif.chorus-pro.gouv.fr/aife_qual",
	core.EnvProduction:    "https://portail.chorus-pro.gouv.fr",
}

// ExpiryWarning is how long before the technical password expires the app
// warns (it lasts 424 days).
const ExpiryWarning = 15 * 24 * time.Hour

// handoffScreen guides a person through the portal's structure form with the
// prepared data, field by field, then reads the result back.
type handoffScreen struct {
	u       *UI
	pick    *widget.Select
	fields  *fyne.Container
	open    *widget.Button
	check   *widget.Button
	message *widget.Label
	content fyne.CanvasObject

	recs    map[string]core.StructureRecord
	current *core.StructureRecord
	// copies holds each field's copy button, by field name, for tests.
	copies map[string]*widget.Button
}

func newHandoffScreen(u *UI) *handoffScreen {
	s := &handoffScreen{u: u, recs: map[string]core.StructureRecord{}, copies: map[string]*widget.Button{}}
	s.fields = container.NewVBox()
	s.message = paragraph("")
	s.open = widget.NewButtonWithIcon(u.T("handoff.open"), theme.ComputerIcon(), func() {
		if page, ok := portalPages[u.deps.Env]; ok {
			if link, err := url.Parse(page); err == nil {
				_ = u.app.OpenURL(link)
			}
		}
	})
	s.check = widget.NewButtonWithIcon(u.T("handoff.check"), theme.SearchIcon(), s.onCheck)
	s.check.Importance = widget.HighImportance
	var labels []string
	if u.deps.Store != nil {
		_ = u.deps.Store.EachStructure(context.Background(), func(r core.StructureRecord) error {
			switch r.Sync.State {
			case core.StateDraft, core.StateQueued, core.StateFailed, core.StateAttachmentRequested:
				l := r.Draft.Identifier + " · " + r.Draft.CompanyName
				labels = append(labels, l)
				s.recs[l] = r
			}
			return nil
		})
	}
	s.pick = widget.NewSelect(labels, s.onPick)
	s.pick.PlaceHolder = u.T("select.placeholder")
	back := widget.NewButtonWithIcon(u.T("button.back"), theme.NavigateBackIcon(), func() { u.show(stepHome) })
	s.content = page(title(u.T("handoff.title")), paragraph(u.T("handoff.intro")),
		container.NewHBox(s.open), s.accountCard(),
		widget.NewForm(widget.NewFormItem(u.T("handoff.structure"), s.pick)),
		s.fields, s.message, container.NewHBox(back, s.check))
	if len(labels) == 0 {
		s.message.SetText(u.T("handoff.none"))
		s.check.Disable()
	} else {
		s.pick.SetSelectedIndex(0)
	}
	return s
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
		form.Append(s.u.T(row.label), s.copyRow("account."+row.field, row.value))
	}
	return widget.NewCard(s.u.T("account.title"), "", form)
}

// copyRow is a value with its copy button.
func (s *handoffScreen) copyRow(key, value string) fyne.CanvasObject {
	b := widget.NewButtonWithIcon(s.u.T("handoff.copy"), theme.ContentCopyIcon(), func() {
		s.u.app.Clipboard().SetContent(value)
		s.message.SetText(s.u.Tf("handoff.copied", value))
	})
	s.copies[key] = b
	return container.NewBorder(nil, nil, nil, b, widget.NewLabel(value))
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
	if s.u.lang == i18n.FR {
		countryName = country.NameFR
	}
	nd := s.u.T("kind.PRIVEE")
	if d.Kind == core.KindPublic {
		nd = s.u.T("kind.PUBLIQUE")
	}
	rows := []struct{ field, label, value string }{
		{core.FieldIdentifierType, "field.identifier_type", typeLabel(s.u.lang, d.IdentifierType)},
		{core.FieldIdentifier, "field.identifier", d.Identifier},
		{core.FieldStructureKind, "field.structure_kind", nd},
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
		form.Append(s.u.T(row.label), s.copyRow(row.field, row.value))
	}
	if d.NonDiffusible {
		form.Append(s.u.T("field.non_diffusible"), widget.NewLabel("✓"))
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
	chorus := s.u.chorus()
	if chorus == nil {
		s.message.SetText(s.u.T("handoff.no_credentials"))
		return
	}
	r := *s.current
	type result struct {
		hit    piste.StructureAAfficher
		att    string
		expiry string
	}
	async(s.u, func(ctx context.Context) (result, error) {
		var res result
		hit, err := chorus.FindStructure(ctx, r.Draft.IdentifierType, r.Draft.Identifier)
		if err != nil {
			return res, err
		}
		res.hit = hit
		if ratt, err := chorus.Rattachements(ctx); err == nil {
			for _, a := range ratt {
				if a.IDStructure == hit.IDStructureCPP {
					res.att = a.StatutRattachementStructure
				}
			}
		}
		if full, err := chorus.Consulter(ctx, hit.IDStructureCPP, "FR"); err == nil && full.InformationGenerales != nil {
			res.expiry = full.InformationGenerales.DateExpirationMotPasseCompteTech
		}
		return res, nil
	}, func(res result, err error) {
		if err != nil {
			if core.KindOf(err) == core.KindNotFound {
				s.message.SetText(s.u.T("handoff.not_found"))
			} else {
				s.message.SetText(s.u.errorText(err))
			}
			return
		}
		state := core.StateCreated
		msg := s.u.Tf("handoff.found", res.hit.IDStructureCPP)
		switch res.att {
		case piste.StatutEnCours:
			state = core.StateAttachmentRequested
		case piste.StatutValidee:
			state = core.StateAttachmentApproved
		case piste.StatutRefusee:
			state = core.StateAttachmentRefused
		}
		if res.att != "" {
			msg = s.u.Tf("handoff.attachment", s.u.T("status."+res.att))
		}
		if t, err := time.Parse(time.RFC3339, res.expiry); err == nil && time.Until(t) < ExpiryWarning {
			msg += "\n" + s.u.Tf("handoff.expiry", t.Format("2006-01-02"))
		}
		_ = s.u.deps.Store.SetSync(context.Background(), r.ID, core.Sync{State: state, PortalID: strconv.FormatInt(res.hit.IDStructureCPP, 10)})
		s.message.SetText(msg)
	})
}

// chorus builds the Chorus Pro client from the settings, or nil when they
// are incomplete. Secrets come from the keyring, else from the session.
func (u *UI) chorus() Chorus {
	if u.deps.NewChorus == nil {
		return nil
	}
	p := u.app.Preferences()
	cfg := ChorusConfig{OAuthURL: p.String(prefOAuthURL), APIURL: p.String(prefAPIURL), ClientID: p.String(prefClientID),
		TechnicalLogin: p.String(prefTechLogin)}
	if cfg.OAuthURL == "" || cfg.APIURL == "" || cfg.ClientID == "" || cfg.TechnicalLogin == "" {
		return nil
	}
	secret := func(name string) func(context.Context) (string, error) {
		return func(ctx context.Context) (string, error) {
			if u.deps.SecretsFor != nil {
				if v, err := u.deps.SecretsFor(u.deps.Env).Get(ctx, name); err == nil {
					return v, nil
				}
			}
			v, err := u.sessionSecrets.Get(ctx, name)
			if err != nil {
				return "", fmt.Errorf("%s: %w", name, err)
			}
			return v, nil
		}
	}
	cfg.ClientSecret, cfg.TechnicalPassword = secret(core.SecretPISTEClientSecret), secret(core.SecretTechnicalPassword)
	return u.deps.NewChorus(cfg)
}
