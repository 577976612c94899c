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
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// settingsScreen holds the environment, the PISTE gateway and application,
// and the technical account; secrets go to the keyring.
type settingsScreen struct {
	u                                 *UI
	flow                              settingsFlow
	env                               *widget.Select
	oauthURL, apiURL, clientID, login *focusEntry
	clientSecret, techPassword        *widget.Entry
	themeSel                          *widget.Select
	save                              *widget.Button
	message                           *widget.Label
	content                           fyne.CanvasObject

	envByLabel map[string]core.Environment
	dialog     dialog.Dialog // the keyring question, when shown
}

func newSettingsScreen(u *UI, flow settingsFlow) *settingsScreen {
	s := &settingsScreen{u: u, flow: flow, envByLabel: map[string]core.Environment{}}
	set := flow.Settings()
	var envs []string
	for _, e := range core.EnvironmentInfos {
		l := u.T("env." + string(e.Env))
		envs = append(envs, l)
		s.envByLabel[l] = e.Env
	}
	s.env = widget.NewSelect(envs, func(string) { s.refreshPlaceholders() })
	s.env.SetSelected(u.T("env." + string(set.Env())))
	entry := func(v string) *focusEntry {
		e := u.newEntry()
		e.SetText(v)
		return e
	}
	s.oauthURL, s.apiURL = entry(set.PISTEOAuthURL), entry(set.PISTEAPIURL)
	for _, e := range []*focusEntry{s.oauthURL, s.apiURL} {
		e.Validator = func(v string) error {
			if v == "" {
				return nil
			}
			if err := onboarding.CheckURL(v); err != nil {
				return errors.New(u.T(err.Code))
			}
			return nil
		}
	}
	s.refreshPlaceholders()
	s.clientID, s.login = entry(set.PISTEClientID), entry(set.TechnicalLogin)
	s.clientSecret, s.techPassword = widget.NewPasswordEntry(), widget.NewPasswordEntry()
	for _, e := range []*widget.Entry{s.clientSecret, s.techPassword} {
		e.SetPlaceHolder("••••••••")
	}
	s.themeSel = widget.NewSelect([]string{u.T("theme.system"), u.T("theme.light"), u.T("theme.dark")}, func(string) {
		v := []string{"system", "light", "dark"}[max(s.themeSel.SelectedIndex(), 0)]
		u.app.Preferences().SetString(prefTheme, v)
		applyTheme(u.app)
	})
	s.themeSel.SetSelectedIndex(map[string]int{"system": 0, "light": 1, "dark": 2}[u.app.Preferences().StringWithFallback(prefTheme, "system")])
	s.save = widget.NewButtonWithIcon(u.T("settings.save"), theme.DocumentSaveIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	s.message = paragraph("")
	back := widget.NewButtonWithIcon(u.T("button.back"), theme.NavigateBackIcon(), func() { u.show(stepHome) })
	form := widget.NewForm(
		widget.NewFormItem(u.T("settings.environment"), s.env),
		widget.NewFormItem(u.T("theme.label"), s.themeSel),
		&widget.FormItem{Text: u.T("settings.oauth_url"), Widget: s.oauthURL, HintText: u.T("settings.url_hint")},
		&widget.FormItem{Text: u.T("settings.api_url"), Widget: s.apiURL, HintText: u.T("settings.url_hint")},
		widget.NewFormItem(u.T("settings.client_id"), s.clientID),
		&widget.FormItem{Text: u.T("settings.client_secret"), Widget: s.clientSecret, HintText: u.T("settings.secret_hint")},
		widget.NewFormItem(u.T("settings.tech_login"), s.login),
		&widget.FormItem{Text: u.T("settings.tech_password"), Widget: s.techPassword, HintText: u.T("settings.secret_hint")},
	)
	s.content = u.page(title(u.T("settings.title")), form, s.message, container.NewHBox(back, s.save))
	return s
}

// refreshPlaceholders shows the chosen environment's gateway addresses in
// the URL fields left empty, which is what empty means.
func (s *settingsScreen) refreshPlaceholders() {
	if s.oauthURL == nil {
		return
	}
	info, _ := s.envByLabel[s.env.Selected].Info()
	s.oauthURL.SetPlaceHolder(info.PISTEOAuthURL)
	s.apiURL.SetPlaceHolder(info.PISTEAPIURL)
}

// onSave keeps the settings in the store and the secrets in the keyring,
// off the UI goroutine. When no keyring answers, the user chooses: keep the
// secrets for this session only, or not at all. Never a file.
func (s *settingsScreen) onSave() {
	env := s.envByLabel[s.env.Selected]
	next := core.Settings{Environment: env, PISTEOAuthURL: s.oauthURL.Text, PISTEAPIURL: s.apiURL.Text,
		PISTEClientID: s.clientID.Text, TechnicalLogin: s.login.Text}
	secrets := map[string]string{}
	for name, e := range map[string]*widget.Entry{core.SecretPISTEClientSecret: s.clientSecret, core.SecretTechnicalPassword: s.techPassword} {
		if e.Text != "" {
			secrets[name] = e.Text
		}
	}
	clearSecrets := func() {
		for _, e := range []*widget.Entry{s.clientSecret, s.techPassword} {
			e.SetText("")
		}
	}
	type saved struct{ settingsErr, secretsErr error }
	s.save.Disable()
	async(s.u, func(ctx context.Context) (saved, error) {
		if err := s.flow.SaveSettings(ctx, next); err != nil {
			return saved{settingsErr: err}, nil
		}
		if len(secrets) == 0 {
			return saved{}, nil
		}
		return saved{secretsErr: s.flow.SaveSecrets(ctx, env, secrets)}, nil
	}, func(r saved, _ error) {
		s.save.Enable()
		if r.settingsErr != nil {
			s.message.SetText(s.u.errorText(r.settingsErr))
			return
		}
		switch err := r.secretsErr; {
		case err == nil:
			clearSecrets()
			s.message.SetText(s.u.T("settings.saved"))
		case errors.Is(err, core.ErrUnavailable) || errors.Is(err, core.ErrTimeout):
			s.askSessionOnly(secrets, clearSecrets)
		default:
			s.message.SetText(s.u.errorText(err))
		}
		s.u.envChanged()
	})
}

// askSessionOnly offers to keep the secrets in memory for this session.
func (s *settingsScreen) askSessionOnly(secrets map[string]string, clearSecrets func()) {
	d := dialog.NewConfirm(s.u.T("keyring.dialog.title"), s.u.T("keyring.dialog.text"), func(ok bool) {
		if !ok {
			return
		}
		if err := s.flow.KeepSecretsForSession(secrets); err != nil {
			s.message.SetText(s.u.errorText(err))
			return
		}
		clearSecrets()
		s.message.SetText(s.u.T("settings.saved_session"))
	}, s.u.win)
	d.SetConfirmText(s.u.T("keyring.dialog.session"))
	d.SetDismissText(s.u.T("button.cancel"))
	d.Show()
	s.dialog = d
}
