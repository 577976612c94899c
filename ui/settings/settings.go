package settings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/chorusonboard/chorus-onboard/ui/shell"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// settingsScreen holds the environment (and a team portal's address), the
// company registries, the PISTE gateway and application, the technical
// account, and how this computer reaches the outside (a proxy, extra
// certificates); secrets go to the keyring.
type settingsScreen struct {
	u                                  *area
	flow                               settingsFlow
	devices                            *devicesSection
	firm                               *firmSection
	env                                *widgets.Select
	oauthURL, apiURL, clientID, login  *widgets.FocusEntry
	portalURL, registryURL, inseeURL   *widgets.FocusEntry
	proxyURL, proxyUser, caFile        *widgets.FocusEntry
	chooseCA                           *widgets.Button
	concurrency                        *widgets.FocusEntry
	clientSecret, techPassword         *widgets.FocusEntry
	inseeKey, proxyPassword            *widgets.FocusEntry
	themeSel, contrastSel, textSizeSel *widgets.Select
	save                               *widgets.Button
	message                            *widget.Label
	content                            fyne.CanvasObject

	envByLabel map[string]core.Environment
	// eff says which settings an admin locked or preset.
	eff    core.Effective
	dialog dialog.Dialog // the keyring question, when shown
}

func newSettingsScreen(u *area, flow settingsFlow, devices devicesFlow, firm firmStatusFlow) *settingsScreen {
	s := &settingsScreen{u: u, flow: flow, envByLabel: map[string]core.Environment{}}
	set := flow.Settings()
	s.eff = flow.Effective()
	var envs []string
	for _, e := range core.EnvironmentInfos {
		if e.Env == core.EnvLocal && !s.eff.OfferSandbox {
			continue // an admin removed it
		}
		l := u.Text().T("env." + string(e.Env))
		envs = append(envs, l)
		s.envByLabel[l] = e.Env
	}
	s.env = widgets.NewSelect(envs, func(string) { s.refreshPlaceholders() })
	s.env.SetSelected(u.Text().T("env." + string(set.Env())))
	entry := func(key string) *widgets.FocusEntry {
		e := u.NewEntry()
		e.SetText(set.Get(key))
		return e
	}
	urlEntry := func(key string) *widgets.FocusEntry {
		e := entry(key)
		e.Validator = func(v string) error {
			if v == "" {
				return nil
			}
			if err := core.CheckSettingURL(key, v); err != nil {
				return errors.New(i18n.Error(u.Text().Lang(), err))
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
	s.proxyURL.SetPlaceHolder(u.Text().T("settings.proxy_env"))
	s.chooseCA = widgets.NewButtonWithIcon(u.Text().T("settings.choose"), theme.FolderOpenIcon(), s.onChooseCA)
	s.concurrency = entry(core.SettingConcurrency)
	s.concurrency.SetPlaceHolder(strconv.Itoa(core.DefaultConcurrency))
	s.concurrency.Validator = func(v string) error {
		if strings.TrimSpace(v) != "" && (core.Settings{Concurrency: v}).ConcurrencyN() == 0 {
			return errors.New(u.Text().T("settings.concurrency"))
		}
		return nil
	}
	s.refreshPlaceholders()
	s.clientID, s.login = entry(core.SettingPISTEClientID), entry(core.SettingTechnicalLogin)
	s.clientSecret, s.techPassword = widgets.NewPasswordEntry(), widgets.NewPasswordEntry()
	s.inseeKey, s.proxyPassword = widgets.NewPasswordEntry(), widgets.NewPasswordEntry()
	for _, e := range s.secretEntries() {
		e.SetPlaceHolder("••••••••")
	}
	s.themeSel = widgets.NewSelect([]string{u.Text().T("theme.system"), u.Text().T("theme.light"), u.Text().T("theme.dark")}, func(string) {
		v := []string{"system", "light", "dark"}[max(s.themeSel.SelectedIndex(), 0)]
		u.App().Preferences().SetString(widgets.PrefTheme, v)
		widgets.ApplyTheme(u.App())
	})
	s.themeSel.SetSelectedIndex(map[string]int{"system": 0, "light": 1, "dark": 2}[u.App().Preferences().StringWithFallback(widgets.PrefTheme, "system")])
	// Contrast and text size apply at once, as the theme does: the user
	// sees the change they asked for while choosing.
	contrasts := []string{"system", "standard", "high"}
	s.contrastSel = widgets.NewSelect([]string{u.Text().T("contrast.system"), u.Text().T("contrast.standard"), u.Text().T("contrast.high")}, func(string) {
		u.App().Preferences().SetString(widgets.PrefContrast, contrasts[max(s.contrastSel.SelectedIndex(), 0)])
		widgets.ApplyTheme(u.App())
	})
	s.contrastSel.SetSelectedIndex(max(slices.Index(contrasts, u.App().Preferences().StringWithFallback(widgets.PrefContrast, "system")), 0))
	sizes := make([]string, len(widgets.TextSizes))
	for i, p := range widgets.TextSizes {
		sizes[i] = fmt.Sprintf("%d %%", p)
	}
	s.textSizeSel = widgets.NewSelect(sizes, func(string) {
		u.App().Preferences().SetInt(widgets.PrefTextSize, widgets.TextSizes[max(s.textSizeSel.SelectedIndex(), 0)])
		widgets.ApplyTheme(u.App())
	})
	s.textSizeSel.SetSelectedIndex(max(slices.Index(widgets.TextSizes, u.App().Preferences().IntWithFallback(widgets.PrefTextSize, 100)), 0))
	s.save = widgets.NewButtonWithIcon(u.Text().T("settings.save"), theme.DocumentSaveIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	s.message = widgets.Paragraph("")
	back := widgets.NewButtonWithIcon(u.Text().T("button.back"), theme.NavigateBackIcon(), func() { u.Show(shell.StepHome) })
	secret := func(label string, e *widgets.FocusEntry) *widget.FormItem {
		return &widget.FormItem{Text: u.Text().T(label), Widget: e, HintText: u.Text().T("settings.secret_hint")}
	}
	// item is a setting's row: locked by an admin's policy, it is disabled
	// and says so; preset by an admin's default, it says so until the
	// user changes it.
	item := func(label, key string, w fyne.CanvasObject, hint string, disable ...fyne.Disableable) *widget.FormItem {
		switch s.eff.Sources[key] {
		case core.SourceAdminPolicy:
			for _, d := range disable {
				d.Disable()
			}
			hint = u.Text().T("settings.managed")
		case core.SourceAdminDefault:
			hint = u.Text().T("settings.admin_default")
		}
		return &widget.FormItem{Text: u.Text().T(label), Widget: w, HintText: hint}
	}
	form := widget.NewForm(
		item("settings.environment", core.SettingEnvironment, s.env, "", s.env),
		item("settings.portal_url", core.SettingPortalURL, s.portalURL, u.Text().T("settings.portal_url_hint"), s.portalURL),
		widget.NewFormItem(u.Text().T("theme.label"), s.themeSel),
		widget.NewFormItem(u.Text().T("contrast.label"), s.contrastSel),
		&widget.FormItem{Text: u.Text().T("textsize.label"), Widget: s.textSizeSel, HintText: u.Text().T("textsize.hint")},
		widgets.SectionItem(u.Text().T("settings.registry")),
		item("settings.registry_url", core.SettingRegistryURL, s.registryURL, u.Text().T("settings.url_hint"), s.registryURL),
		item("settings.insee_url", core.SettingINSEEURL, s.inseeURL, u.Text().T("settings.url_hint"), s.inseeURL),
		secret("settings.insee_key", s.inseeKey),
		widgets.SectionItem(u.Text().T("settings.piste")),
		item("settings.oauth_url", core.SettingPISTEOAuthURL, s.oauthURL, u.Text().T("settings.url_hint"), s.oauthURL),
		item("settings.api_url", core.SettingPISTEAPIURL, s.apiURL, u.Text().T("settings.url_hint"), s.apiURL),
		item("settings.client_id", core.SettingPISTEClientID, s.clientID, "", s.clientID),
		secret("settings.client_secret", s.clientSecret),
		item("settings.tech_login", core.SettingTechnicalLogin, s.login, "", s.login),
		secret("settings.tech_password", s.techPassword),
		widgets.SectionItem(u.Text().T("settings.network")),
		item("settings.proxy_url", core.SettingProxyURL, s.proxyURL, u.Text().T("settings.proxy_hint"), s.proxyURL),
		item("settings.proxy_user", core.SettingProxyUser, s.proxyUser, "", s.proxyUser),
		secret("settings.proxy_password", s.proxyPassword),
		item("settings.ca_file", core.SettingCAFile, widgets.NewBorder(nil, nil, nil, s.chooseCA, s.caFile),
			u.Text().T("settings.ca_file_hint"), s.caFile, s.chooseCA),
		item("settings.concurrency_label", core.SettingConcurrency, s.concurrency, u.Text().F("settings.concurrency_hint", "n", strconv.Itoa(core.DefaultConcurrency)), s.concurrency),
	)
	var ignored []fyne.CanvasObject
	for _, p := range core.SortedPresetProblems(s.eff.Problems) {
		ignored = append(ignored, widgets.Paragraph(i18n.PresetProblem(u.Text().Lang(), p)))
	}
	top := []fyne.CanvasObject{widgets.Title(u.Text().T("settings.title"))}
	if len(ignored) > 0 {
		top = append(top, widgets.Paragraph(u.Text().T("settings.presets_ignored_here")))
		top = append(top, ignored...)
	}
	s.devices = newDevicesSection(u, devices)
	s.firm = newFirmSection(u, firm)
	s.content = u.Page(append(top, form, s.message, container.NewHBox(back, s.save), s.devices.content, s.firm.content)...)
	return s
}

// secretEntries are the fields whose values go to the keyring.
func (s *settingsScreen) secretEntries() map[string]*widgets.FocusEntry {
	return map[string]*widgets.FocusEntry{core.SecretPISTEClientSecret: s.clientSecret, core.SecretTechnicalPassword: s.techPassword,
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
	}, s.u.Win())
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pem", ".crt", ".cer"}))
	d.Show()
	widgets.FocusDialogField()
}

// settings reads the form.
func (s *settingsScreen) settings() core.Settings {
	next := core.Settings{Environment: s.envByLabel[s.env.Selected]}
	for key, e := range map[string]*widgets.FocusEntry{core.SettingPISTEOAuthURL: s.oauthURL, core.SettingPISTEAPIURL: s.apiURL,
		core.SettingPISTEClientID: s.clientID, core.SettingTechnicalLogin: s.login, core.SettingPortalURL: s.portalURL,
		core.SettingRegistryURL: s.registryURL, core.SettingINSEEURL: s.inseeURL, core.SettingProxyURL: s.proxyURL,
		core.SettingProxyUser: s.proxyUser, core.SettingCAFile: s.caFile, core.SettingConcurrency: s.concurrency} {
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
	shell.Async(s.u.Shell, func(ctx context.Context) (saved, error) {
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
			s.message.SetText(s.u.Text().ErrorText(r.settingsErr))
			return
		}
		switch err := r.secretsErr; {
		case err == nil:
			clearSecrets()
			s.message.SetText(s.u.Text().T("settings.saved"))
		case errors.Is(err, core.ErrUnavailable) || errors.Is(err, core.ErrTimeout):
			s.askSessionOnly(secrets, clearSecrets)
		default:
			s.message.SetText(s.u.Text().ErrorText(err))
		}
		s.u.EnvChanged()
	})
}

// askSessionOnly offers to keep the secrets in memory for this session.
func (s *settingsScreen) askSessionOnly(secrets map[string]string, clearSecrets func()) {
	d := dialog.NewConfirm(s.u.Text().T("keyring.dialog.title"), s.u.Text().T("keyring.dialog.text"), func(ok bool) {
		if !ok {
			return
		}
		// It builds the connection again (proxy, certificates): off the
		// UI goroutine, as every call that may block.
		shell.Async(s.u.Shell, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.flow.KeepSecretsForSession(ctx, secrets)
		}, func(_ struct{}, err error) {
			if err != nil {
				s.message.SetText(s.u.Text().ErrorText(err))
				return
			}
			clearSecrets()
			s.message.SetText(s.u.Text().T("settings.saved_session"))
			s.u.EnvChanged()
		})
	}, s.u.Win())
	d.SetConfirmText(s.u.Text().T("keyring.dialog.session"))
	d.SetDismissText(s.u.Text().T("button.cancel"))
	d.Show()
	widgets.FocusDialogField()
	s.dialog = d
}
