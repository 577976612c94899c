package ui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// failingKeyring answers like a machine without a Secret Service.
type failingKeyring struct{ calls int }

func (f *failingKeyring) Get(context.Context, string) (string, error) { return "", f.err() }
func (f *failingKeyring) Set(context.Context, string, string) error   { f.calls++; return f.err() }
func (f *failingKeyring) Delete(context.Context, string) error        { return f.err() }
func (f *failingKeyring) err() error {
	return &core.E{Kind: core.KindUnavailable, Code: "keyring.unavailable", Op: "set secret"}
}

func TestSecretsNeverOnDiskWithoutKeyring(t *testing.T) {
	tmp := testos.TempDir(t)
	t.Setenv("TMPDIR", tmp)
	h := newHarness(t, "en")
	kr := &failingKeyring{}
	h.keyring = kr
	test.Tap(h.ui.head.settings)
	s := h.ui.settingsS
	canary := fmt.Sprintf("canary-%x", rand.Uint64()) // made now: in no binary
	s.clientID.SetText("my-app")
	s.login.SetText("TECH_1@cpro.fr")
	test.Type(s.clientSecret, canary)
	test.Tap(s.save)
	if kr.calls == 0 || s.dialog == nil {
		t.Fatal("no keyring, and the user was not asked")
	}
	s.dialog.(interface{ Confirm() }).Confirm()
	if s.clientSecret.Text != "" || !strings.Contains(s.message.Text, "this session only") {
		t.Fatalf("after saving: entry %q, message %q", s.clientSecret.Text, s.message.Text)
	}
	// The secret is kept for the session: the PISTE client gets it.
	if _, _, err := h.store.Structures.SaveStructure(t.Context(), core.SaveStructure{Checked: core.CheckStructure(core.StructureDraft{IdentifierType: core.IDSIRET,
		Identifier: "35600000049837", Kind: core.KindPrivate, CompanyName: "La Poste", Address: "1 rue", City: "Paris", PostalCode: "75015"})}); err != nil {
		t.Fatal(err)
	}
	fc := &fakeChorus{find: func(core.IdentifierType, string) (piste.StructureAAfficher, error) {
		return piste.StructureAAfficher{IDStructureCPP: 1}, nil
	}}
	h.chorus = func(cfg onboarding.ChorusConfig) onboarding.Chorus { fc.cfg = cfg; return fc }
	h.setEnv(core.EnvQualification)
	test.Tap(h.ui.bar.sync)
	test.Tap(h.ui.handoffS.check)
	if fc.cfg.ClientSecret == nil {
		t.Fatal("the hand-off check built no PISTE client")
	}
	if got, err := fc.cfg.ClientSecret(t.Context()); err != nil || got != canary {
		t.Fatalf("session secret %q %v", got, err)
	}
	saved, err := h.store.Settings.Values(t.Context())
	if err != nil || saved[core.SettingPISTEClientID] != "my-app" {
		t.Errorf("client ID not saved: %v %v", saved, err)
	}
	// Nothing on disk: the store's files and the preferences hold no trace.
	for _, dir := range []string{filepath.Dir(h.store.Path()), tmp} {
		_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && info.Size() < 64<<20 {
				if b, _ := os.ReadFile(p); strings.Contains(string(b), canary) {
					t.Errorf("secret found in %s", p)
				}
			}
			return nil
		})
	}
	for _, k := range []string{prefLang, prefStep, widgets.PrefTheme} {
		if strings.Contains(h.app.Preferences().String(k), canary) {
			t.Errorf("secret in preference %s", k)
		}
	}
	for k, v := range saved {
		if strings.Contains(v, canary) {
			t.Errorf("secret in setting %s", k)
		}
	}
}

func TestEnvironmentSwitch(t *testing.T) {
	h := newHarness(t, "fr")
	test.Tap(h.ui.head.settings)
	s := h.ui.settingsS
	s.env.SetSelected("Chorus Pro qualification")
	test.Tap(s.save)
	if h.svc.Connection.Target().Env != core.EnvQualification || h.svc.Connection.Target().Portal != nil || h.ui.head.env.Text != "Chorus Pro qualification" {
		t.Fatalf("env %s, label %q", h.svc.Connection.Target().Env, h.ui.head.env.Text)
	}
	if !strings.Contains(h.ui.bar.line.Text, "pages du portail") {
		t.Errorf("status %q", h.ui.bar.line.Text)
	}
	// Restart: the choice is kept.
	svc, err := onboarding.New(t.Context(), connect.Stores(h.store), onboarding.Config{NewOpID: sqlite.NewOpID})
	if err != nil || svc.Connection.Env() != core.EnvQualification {
		t.Fatalf("after restart: %s %v", svc.Connection.Env(), err)
	}
	test.Tap(h.ui.head.settings)
	h.ui.settingsS.env.SetSelected("Bac à sable local")
	test.Tap(h.ui.settingsS.save)
	if h.svc.Connection.Target().Portal == nil || !strings.HasPrefix(h.ui.bar.line.Text, "En ligne") {
		t.Fatalf("back to the sandbox: %q", h.ui.bar.line.Text)
	}
	// Theme choice.
	h.ui.settingsS.themeSel.SetSelectedIndex(1)
	if h.app.Preferences().String(widgets.PrefTheme) != "light" {
		t.Error("theme not saved")
	}
}

// adminPresets are what an IT admin deploys in the tests: the team portal
// and the proxy locked, no Local sandbox, the PISTE application preset,
// and one value ignored.
func adminPresets() core.Presets {
	var p core.Presets
	for k, v := range map[string]string{core.SettingEnvironment: "team", core.SettingPortalURL: "https://onboarding.cabinet-martin.example",
		core.SettingProxyURL: "http://proxy.cabinet-martin.example:3128", core.PresetOfferSandbox: "false"} {
		p.Policies.Set(k, v, "/etc/chorus-onboard/policy.json")
	}
	p.Defaults.Set(core.SettingPISTEClientID, "cabinet-app", "/etc/xdg/chorus-onboard/defaults.json")
	p.Problems = []core.PresetProblem{{Origin: "/etc/chorus-onboard/policy.json", Key: "proxy_password", Code: "preset.secret"}}
	return p
}

// TestManagedSettings: what an admin's policy holds is disabled and says
// it is managed, a default says where it came from, the Local sandbox is
// not offered, the ignored preset is said on the status line and on the
// settings screen, and saving keeps the policy whatever the form held.
func TestManagedSettings(t *testing.T) {
	presets := adminPresets()
	presets.Policies.Set(core.PresetLanguage, "en", "/etc/chorus-onboard/policy.json")
	h := newHarnessWith(t, "fr", harnessOptions{presets: presets})
	u := h.ui
	if u.text.lang != i18n.EN || !u.head.lang.Disabled() {
		t.Errorf("language %s, button disabled %v: the policy locks English", u.text.lang, u.head.lang.Disabled())
	}
	if got := u.bar.line.Text; !strings.Contains(got, u.text.T("settings.presets_ignored")) || !strings.Contains(got, "proxy_password") {
		t.Errorf("status line %q", got)
	}
	u.show(stepSettings)
	st := u.settingsS
	if !st.env.Disabled() || !st.portalURL.Disabled() || !st.proxyURL.Disabled() || st.clientID.Disabled() || st.caFile.Disabled() {
		t.Errorf("disabled: env %v portal %v proxy %v client %v ca %v", st.env.Disabled(), st.portalURL.Disabled(),
			st.proxyURL.Disabled(), st.clientID.Disabled(), st.caFile.Disabled())
	}
	for _, o := range st.env.Options {
		if o == u.text.T("env.local") {
			t.Errorf("the Local sandbox is offered: %v", st.env.Options)
		}
	}
	if got := h.win.Title(); got != "Chorus Onboard - Team portal" {
		t.Errorf("title %q: it names the environment the policy locks", got)
	}
	if st.env.Selected != u.text.T("env.team") || st.clientID.Text != "cabinet-app" {
		t.Errorf("env %q client %q", st.env.Selected, st.clientID.Text)
	}
	texts := strings.Join(visibleTexts(h.win.Canvas().Content()), "\n")
	for _, want := range []string{u.text.T("settings.managed"), u.text.T("settings.admin_default"), "/etc/chorus-onboard/policy.json: proxy_password"} {
		if !strings.Contains(texts, want) {
			t.Errorf("no %q on the settings screen", want)
		}
	}

	// The user changes the preset client id; the form's locked values are
	// tampered with: the policy still wins.
	st.clientID.SetText("my-own-app")
	st.portalURL.SetText("https://elsewhere.example")
	test.Tap(st.save)
	set := h.svc.Connection.Settings()
	if set.PISTEClientID != "my-own-app" || set.PortalURL != "https://onboarding.cabinet-martin.example" || set.Env() != core.EnvTeam {
		t.Errorf("after save: %+v", set)
	}
	if src := h.svc.Connection.Effective().Sources[core.SettingPISTEClientID]; src != core.SourceUser {
		t.Errorf("client id from %q", src)
	}
}
