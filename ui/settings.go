package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
)

// Preference keys of the settings. Only addresses and logins: every secret
// goes to the keyring (Deps.Secrets).
const (
	prefEnv       = "settings.env"
	prefPortalURL = "settings.portal_url"
	prefOAuthURL  = "settings.oauth_url"
	prefAPIURL    = "settings.api_url"
	prefClientID  = "settings.client_id"
	prefTechLogin = "settings.tech_login"
)

// settingsScreen holds the environment, the portal URLs, the PISTE
// application and the technical account; secrets go to the keyring.
type settingsScreen struct {
	u                                            *UI
	env                                          *widget.Select
	portalURL, oauthURL, apiURL, clientID, login *widget.Entry
	clientSecret, techPassword, inseeKey         *widget.Entry
	themeSel                                     *widget.Select
	save                                         *widget.Button
	message                                      *widget.Label
	content                                      fyne.CanvasObject

	envByLabel map[string]core.Environment
	dialog     dialog.Dialog // the keyring question, when shown
}

func newSettingsScreen(u *UI) *settingsScreen {
	s := &settingsScreen{u: u, envByLabel: map[string]core.Environment{}}
	var envs []string
	for _, e := range core.Environments {
		l := u.T("env." + string(e))
		envs = append(envs, l)
		s.envByLabel[l] = e
	}
	p := u.app.Preferences()
	s.env = widget.NewSelect(envs, nil)
	s.env.SetSelected(u.T("env." + string(u.deps.Env)))
	entry := func(key, def string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(p.StringWithFallback(key, def))
		return e
	}
	s.portalURL = entry(prefPortalURL, "")
	s.oauthURL = entry(prefOAuthURL, "https://sandbox-oauth.piste.gouv.fr")
	s.apiURL = entry(prefAPIURL, "https://sandbox-api.piste.gouv.fr")
	s.clientID, s.login = entry(prefClientID, ""), entry(prefTechLogin, "")
	s.clientSecret, s.techPassword, s.inseeKey = widget.NewPasswordEntry(), widget.NewPasswordEntry(), widget.NewPasswordEntry()
	for _, e := range []*widget.Entry{s.clientSecret, s.techPassword, s.inseeKey} {
		e.SetPlaceHolder("••••••••")
	}
	s.themeSel = widget.NewSelect([]string{u.T("theme.system"), u.T("theme.light"), u.T("theme.dark")}, func(string) {
		v := []string{"system", "light", "dark"}[max(s.themeSel.SelectedIndex(), 0)]
		u.app.Preferences().SetString(prefTheme, v)
		applyTheme(u.app)
	})
	s.themeSel.SetSelectedIndex(map[string]int{"system": 0, "light": 1, "dark": 2}[p.StringWithFallback(prefTheme, "system")])
	s.save = widget.NewButtonWithIcon(u.T("settings.save"), theme.DocumentSaveIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	s.message = paragraph("")
	back := widget.NewButtonWithIcon(u.T("button.back"), theme.NavigateBackIcon(), func() { u.show(stepHome) })
	form := widget.NewForm(
		widget.NewFormItem(u.T("settings.environment"), s.env),
		widget.NewFormItem(u.T("theme.label"), s.themeSel),
		widget.NewFormItem(u.T("settings.portal_url"), s.portalURL),
		widget.NewFormItem(u.T("settings.oauth_url"), s.oauthURL),
		widget.NewFormItem(u.T("settings.api_url"), s.apiURL),
		widget.NewFormItem(u.T("settings.client_id"), s.clientID),
		&widget.FormItem{Text: u.T("settings.client_secret"), Widget: s.clientSecret, HintText: u.T("settings.secret_hint")},
		widget.NewFormItem(u.T("settings.tech_login"), s.login),
		&widget.FormItem{Text: u.T("settings.tech_password"), Widget: s.techPassword, HintText: u.T("settings.secret_hint")},
		&widget.FormItem{Text: u.T("settings.insee_key"), Widget: s.inseeKey, HintText: u.T("settings.secret_hint")},
	)
	s.content = page(title(u.T("settings.title")), form, s.message, container.NewHBox(back, s.save))
	return s
}

// onSave keeps addresses in preferences and secrets in the keyring, off the
// UI goroutine. When no keyring answers, the user chooses: keep the secrets
// for this session only, or not at all. Never a file.
func (s *settingsScreen) onSave() {
	p := s.u.app.Preferences()
	env := s.envByLabel[s.env.Selected]
	p.SetString(prefEnv, string(env))
	for key, e := range map[string]*widget.Entry{prefPortalURL: s.portalURL, prefOAuthURL: s.oauthURL, prefAPIURL: s.apiURL,
		prefClientID: s.clientID, prefTechLogin: s.login} {
		p.SetString(key, e.Text)
	}
	secrets := map[string]string{}
	for name, e := range map[string]*widget.Entry{core.SecretPISTEClientSecret: s.clientSecret,
		core.SecretTechnicalPassword: s.techPassword, core.SecretINSEEKey: s.inseeKey} {
		if e.Text != "" {
			secrets[name] = e.Text
		}
	}
	clear := func() {
		for _, e := range []*widget.Entry{s.clientSecret, s.techPassword, s.inseeKey} {
			e.SetText("")
		}
	}
	if len(secrets) == 0 || s.u.deps.SecretsFor == nil {
		s.message.SetText(s.u.T("settings.saved"))
		s.u.setEnv(env)
		return
	}
	keyring := s.u.deps.SecretsFor(env)
	async(s.u, func(ctx context.Context) (struct{}, error) {
		for name, v := range secrets {
			if err := keyring.Set(ctx, name, v); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	}, func(_ struct{}, err error) {
		switch {
		case err == nil:
			clear()
			s.message.SetText(s.u.T("settings.saved"))
		case errors.Is(err, core.ErrUnavailable) || errors.Is(err, core.ErrTimeout):
			s.askSessionOnly(secrets, clear)
		default:
			s.message.SetText(s.u.errorText(err))
			return
		}
		s.u.setEnv(env)
	})
}

// askSessionOnly offers to keep the secrets in memory for this session.
func (s *settingsScreen) askSessionOnly(secrets map[string]string, clear func()) {
	d := dialog.NewConfirm(s.u.T("keyring.dialog.title"), s.u.T("keyring.dialog.text"), func(ok bool) {
		if !ok {
			return
		}
		for name, v := range secrets {
			_ = s.u.sessionSecrets.Set(context.Background(), name, v)
		}
		clear()
		s.message.SetText(s.u.T("settings.saved_session"))
	}, s.u.win)
	d.SetConfirmText(s.u.T("keyring.dialog.session"))
	d.SetDismissText(s.u.T("button.cancel"))
	d.Show()
	s.dialog = d
}
