package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// settingsScreen holds the environment (and a team portal's address), the
// company registries, the PISTE gateway and application, the technical
// account, and how this computer reaches the outside (a proxy, extra
// certificates); secrets go to the keyring.
type settingsScreen struct {
	u                                 *UI
	flow                              settingsFlow
	env                               *widget.Select
	oauthURL, apiURL, clientID, login *focusEntry
	portalURL, registryURL, inseeURL  *focusEntry
	proxyURL, proxyUser, caFile       *focusEntry
	chooseCA                          *widget.Button
	clientSecret, techPassword        *widget.Entry
	inseeKey, proxyPassword           *widget.Entry
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
	entry := func(key string) *focusEntry {
		e := u.newEntry()
		e.SetText(set.Get(key))
		return e
	}
	urlEntry := func(key string) *focusEntry {
		e := entry(key)
		e.Validator = func(v string) error {
			if v == "" {
				return nil
			}
			if err := onboarding.CheckURL(v); err != nil {
				return errors.New(u.T(err.Code))
			}
			return nil
		}
		return e
	}
	s.oauthURL, s.apiURL = urlEntry(core.SettingPISTEOAuthURL), urlEntry(core.SettingPISTEAPIURL)
	s.portalURL = urlEntry(core.SettingPortalURL)
	s.portalURL.SetPlaceHolder("https://chorus-sim.example.org")
	s.registryURL, s.inseeURL = urlEntry(core.SettingRegistryURL), urlEntry(core.SettingINSEEURL)
	s.registryURL.SetPlaceHolder(core.RechercheEntreprisesURL)
	s.inseeURL.SetPlaceHolder(core.INSEESireneURL)
	s.proxyURL, s.proxyUser, s.caFile = urlEntry(core.SettingProxyURL), entry(core.SettingProxyUser), entry(core.SettingCAFile)
	s.proxyURL.SetPlaceHolder(u.T("settings.proxy_env"))
	s.chooseCA = widget.NewButtonWithIcon(u.T("settings.choose"), theme.FolderOpenIcon(), s.onChooseCA)
	s.refreshPlaceholders()
	s.clientID, s.login = entry(core.SettingPISTEClientID), entry(core.SettingTechnicalLogin)
	s.clientSecret, s.techPassword = widget.NewPasswordEntry(), widget.NewPasswordEntry()
	s.inseeKey, s.proxyPassword = widget.NewPasswordEntry(), widget.NewPasswordEntry()
	for _, e := range s.secretEntries() {
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
	secret := func(label string, e *widget.Entry) *widget.FormItem {
		return &widget.FormItem{Text: u.T(label), Widget: e, HintText: u.T("settings.secret_hint")}
	}
	form := widget.NewForm(
		widget.NewFormItem(u.T("settings.environment"), s.env),
		&widget.FormItem{Text: u.T("settings.portal_url"), Widget: s.portalURL, HintText: u.T("settings.portal_url_hint")},
		widget.NewFormItem(u.T("theme.label"), s.themeSel),
		sectionItem(u.T("settings.registry")),
		&widget.FormItem{Text: u.T("settings.registry_url"), Widget: s.registryURL, HintText: u.T("settings.url_hint")},
		&widget.FormItem{Text: u.T("settings.insee_url"), Widget: s.inseeURL, HintText: u.T("settings.url_hint")},
		secret("settings.insee_key", s.inseeKey),
		sectionItem(u.T("settings.piste")),
		&widget.FormItem{Text: u.T("settings.oauth_url"), Widget: s.oauthURL, HintText: u.T("settings.url_hint")},
		&widget.FormItem{Text: u.T("settings.api_url"), Widget: s.apiURL, HintText: u.T("settings.url_hint")},
		widget.NewFormItem(u.T("settings.client_id"), s.clientID),
		secret("settings.client_secret", s.clientSecret),
		widget.NewFormItem(u.T("settings.tech_login"), s.login),
		secret("settings.tech_password", s.techPassword),
		sectionItem(u.T("settings.network")),
		&widget.FormItem{Text: u.T("settings.proxy_url"), Widget: s.proxyURL, HintText: u.T("settings.proxy_hint")},
		widget.NewFormItem(u.T("settings.proxy_user"), s.proxyUser),
		secret("settings.proxy_password", s.proxyPassword),
		&widget.FormItem{Text: u.T("settings.ca_file"), Widget: container.NewBorder(nil, nil, nil, s.chooseCA, s.caFile),
			HintText: u.T("settings.ca_file_hint")},
	)
	s.content = u.page(title(u.T("settings.title")), form, s.message, container.NewHBox(back, s.save))
	return s
}

// secretEntries are the fields whose values go to the keyring.
func (s *settingsScreen) secretEntries() map[string]*widget.Entry {
	return map[string]*widget.Entry{core.SecretPISTEClientSecret: s.clientSecret, core.SecretTechnicalPassword: s.techPassword,
		core.SecretINSEEKey: s.inseeKey, core.SecretProxyPassword: s.proxyPassword}
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

// onChooseCA picks the extra certificates' file.
func (s *settingsScreen) onChooseCA() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		_ = r.Close()
		s.caFile.SetText(r.URI().Path())
	}, s.u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pem", ".crt", ".cer"}))
	d.Show()
}

// settings reads the form.
func (s *settingsScreen) settings() core.Settings {
	next := core.Settings{Environment: s.envByLabel[s.env.Selected]}
	for key, e := range map[string]*focusEntry{core.SettingPISTEOAuthURL: s.oauthURL, core.SettingPISTEAPIURL: s.apiURL,
		core.SettingPISTEClientID: s.clientID, core.SettingTechnicalLogin: s.login, core.SettingPortalURL: s.portalURL,
		core.SettingRegistryURL: s.registryURL, core.SettingINSEEURL: s.inseeURL, core.SettingProxyURL: s.proxyURL,
		core.SettingProxyUser: s.proxyUser, core.SettingCAFile: s.caFile} {
		next.Set(key, strings.TrimSpace(e.Text))
	}
	return next
}

// onSave keeps the settings in the store and the secrets in the keyring,
// off the UI goroutine. When no keyring answers, the user chooses: keep the
// secrets for this session only, or not at all. Never a file.
func (s *settingsScreen) onSave() {
	next := s.settings()
	env := next.Env()
	secrets := map[string]string{}
	for name, e := range s.secretEntries() {
		if e.Text != "" {
			secrets[name] = e.Text
		}
	}
	clearSecrets := func() {
		for _, e := range s.secretEntries() {
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
