package settings

import (
	"context"
	"fmt"
	"fyne.io/fyne/v2/theme"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// failingKeyring answers like a machine without a Secret Service.
type failingKeyring struct{ calls int }

func (f *failingKeyring) Get(context.Context, string) (string, error) { return "", f.err() }

func (f *failingKeyring) Set(context.Context, string, string) error { f.calls++; return f.err() }

func (f *failingKeyring) Delete(context.Context, string) error { return f.err() }

func (f *failingKeyring) err() error {
	return &core.E{Kind: core.KindUnavailable, Code: "keyring.unavailable", Op: "set secret"}
}

func TestSecretsNeverOnDiskWithoutKeyring(t *testing.T) {
	tmp := testos.TempDir(t)
	t.Setenv("TMPDIR", tmp)
	h := newHarness(t, "en")
	kr := &failingKeyring{}
	h.Keyring = kr
	test.Tap(h.Shell.Bars().Settings)
	s := h.a.settingsS
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
	if _, _, err := h.Store.Structures.SaveStructure(t.Context(), core.SaveStructure{Checked: core.CheckStructure(core.StructureDraft{IdentifierType: core.IDSIRET,
		Identifier: "35600000049837", Kind: core.KindPrivate, CompanyName: "La Poste", Address: "1 rue", City: "Paris", PostalCode: "75015"})}); err != nil {
		t.Fatal(err)
	}
	fc := &uitest.FakeChorus{Find: func(core.IdentifierType, string) (piste.StructureAAfficher, error) {
		return piste.StructureAAfficher{IDStructureCPP: 1}, nil
	}}
	h.Chorus = fc.New
	h.SetEnv(core.EnvQualification)
	// The hand-off's read-back asks PISTE with the secret kept.
	rec := h.StructureByKey(core.IDSIRET, "35600000049837")
	if _, err := h.Svc.Handoff.CheckOnChorus(t.Context(), rec.ID); err != nil {
		t.Fatal(err)
	}
	if fc.Config.ClientSecret == nil {
		t.Fatal("the hand-off check built no PISTE client")
	}
	if got, err := fc.Config.ClientSecret(t.Context()); err != nil || got != canary {
		t.Fatalf("session secret %q %v", got, err)
	}
	saved, err := h.Store.Settings.Values(t.Context())
	if err != nil || saved[core.SettingPISTEClientID] != "my-app" {
		t.Errorf("client ID not saved: %v %v", saved, err)
	}
	// Nothing on disk: the store's files and the preferences hold no trace.
	for _, dir := range []string{filepath.Dir(h.Store.Path()), tmp} {
		_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && info.Size() < 64<<20 {
				if b, _ := os.ReadFile(p); strings.Contains(string(b), canary) {
					t.Errorf("secret found in %s", p)
				}
			}
			return nil
		})
	}
	for _, k := range []string{shell.PrefLang, shell.PrefStep, widgets.PrefTheme} {
		if strings.Contains(h.App.Preferences().String(k), canary) {
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
	test.Tap(h.Shell.Bars().Settings)
	s := h.a.settingsS
	s.env.SetSelected("Chorus Pro qualification")
	test.Tap(s.save)
	if h.Svc.Connection.Target().Env != core.EnvQualification || h.Svc.Connection.Target().Portal != nil || h.Shell.Bars().Env.Text != "Chorus Pro qualification" {
		t.Fatalf("env %s, label %q", h.Svc.Connection.Target().Env, h.Shell.Bars().Env.Text)
	}
	if !strings.Contains(h.Shell.Bars().Line.Text, "pages du portail") {
		t.Errorf("status %q", h.Shell.Bars().Line.Text)
	}
	// Restart: the choice is kept.
	svc, err := onboarding.New(t.Context(), connect.Stores(h.Store), onboarding.Config{NewOpID: sqlite.NewOpID})
	if err != nil || svc.Connection.Env() != core.EnvQualification {
		t.Fatalf("after restart: %s %v", svc.Connection.Env(), err)
	}
	test.Tap(h.Shell.Bars().Settings)
	h.a.settingsS.env.SetSelected("Bac à sable local")
	test.Tap(h.a.settingsS.save)
	if h.Svc.Connection.Target().Portal == nil || !strings.HasPrefix(h.Shell.Bars().Line.Text, "En ligne") {
		t.Fatalf("back to the sandbox: %q", h.Shell.Bars().Line.Text)
	}
	// Theme choice.
	h.a.settingsS.themeSel.SetSelectedIndex(1)
	if h.App.Preferences().String(widgets.PrefTheme) != "light" {
		t.Error("theme not saved")
	}
	// Contrast and text size: saved, and the window's theme follows at
	// once (high contrast, every size doubled at 200 %).
	h.a.settingsS.contrastSel.SetSelectedIndex(2)
	h.a.settingsS.textSizeSel.SetSelectedIndex(len(widgets.TextSizes) - 1)
	th, ok := h.App.Settings().Theme().(widgets.Theme)
	if !ok || !th.High || th.Scale != 2 || h.App.Preferences().String(widgets.PrefContrast) != "high" ||
		h.App.Preferences().Int(widgets.PrefTextSize) != 200 {
		t.Fatalf("contrast and text size: theme %+v, preferences %q %d", h.App.Settings().Theme(),
			h.App.Preferences().String(widgets.PrefContrast), h.App.Preferences().Int(widgets.PrefTextSize))
	}
	if got, want := th.Size(theme.SizeNameText), 2*theme.DefaultTheme().Size(theme.SizeNameText); got != want {
		t.Errorf("text at 200 %%: %v, want %v", got, want)
	}
	h.a.settingsS.contrastSel.SetSelectedIndex(1)
	h.a.settingsS.textSizeSel.SetSelectedIndex(0)
	if th := h.App.Settings().Theme().(widgets.Theme); th.High || th.Scale != 1 {
		t.Errorf("back to standard contrast and 100 %%: %+v", th)
	}
}

// TestManagedSettings: what an admin's policy holds is disabled and says
// it is managed, a default says where it came from, the Local sandbox is
// not offered, the ignored preset is said on the status line and on the
// settings screen, and saving keeps the policy whatever the form held.
func TestManagedSettings(t *testing.T) {
	presets := adminPresets()
	presets.Policies.Set(core.PresetLanguage, "en", "/etc/chorus-onboard/policy.json")
	h := newHarnessWith(t, "fr", uitest.Options{Presets: presets})
	u := h.a
	if u.Text().Lang() != i18n.EN || !u.Bars().Lang.Disabled() {
		t.Errorf("language %s, button disabled %v: the policy locks English", u.Text().Lang(), u.Bars().Lang.Disabled())
	}
	if got := u.Bars().Line.Text; !strings.Contains(got, u.Text().T("settings.presets_ignored")) || !strings.Contains(got, "proxy_password") {
		t.Errorf("status line %q", got)
	}
	u.Show(shell.StepSettings)
	st := u.settingsS
	if !st.env.Disabled() || !st.portalURL.Disabled() || !st.proxyURL.Disabled() || st.clientID.Disabled() || st.caFile.Disabled() {
		t.Errorf("disabled: env %v portal %v proxy %v client %v ca %v", st.env.Disabled(), st.portalURL.Disabled(),
			st.proxyURL.Disabled(), st.clientID.Disabled(), st.caFile.Disabled())
	}
	for _, o := range st.env.Options {
		if o == u.Text().T("env.local") {
			t.Errorf("the Local sandbox is offered: %v", st.env.Options)
		}
	}
	if got := h.Win.Title(); !strings.HasSuffix(got, " - Chorus Onboard - Team portal") {
		t.Errorf("title %q: it names the environment the policy locks", got)
	}
	if st.env.Selected != u.Text().T("env.team") || st.clientID.Text != "cabinet-app" {
		t.Errorf("env %q client %q", st.env.Selected, st.clientID.Text)
	}
	texts := strings.Join(uitest.VisibleTexts(h.Win.Canvas().Content()), "\n")
	for _, want := range []string{u.Text().T("settings.managed"), u.Text().T("settings.admin_default"), "/etc/chorus-onboard/policy.json: proxy_password"} {
		if !strings.Contains(texts, want) {
			t.Errorf("no %q on the settings screen", want)
		}
	}

	// The user changes the preset client id; the form's locked values are
	// tampered with: the policy still wins.
	st.clientID.SetText("my-own-app")
	st.portalURL.SetText("https://elsewhere.example")
	test.Tap(st.save)
	set := h.Svc.Connection.Settings()
	if set.PISTEClientID != "my-own-app" || set.PortalURL != "https://onboarding.cabinet-martin.example" || set.Env() != core.EnvTeam {
		t.Errorf("after save: %+v", set)
	}
	if src := h.Svc.Connection.Effective().Sources[core.SettingPISTEClientID]; src != core.SourceUser {
		t.Errorf("client id from %q", src)
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

// TestScreenSettingsSave: Save hands the settings to the service, and the
// secrets typed to the keyring, never both when the first fails.
func TestScreenSettingsSave(t *testing.T) {
	f := uitest.NewFakes()
	u := newFakeArea(t, "en", f)
	u.Show(shell.StepSettings)
	s := u.settingsS
	s.clientSecret.SetText("s3cret")
	f.Conn.SaveErr = &core.E{Kind: core.KindInvalid, Code: core.CodeURLInClear}
	uitest.Tapped(t, s.save)
	if got := f.Conn.Got(); len(got) != 1 || !strings.HasPrefix(got[0], "SaveSettings") || s.message.Text == "" {
		t.Fatalf("a refused save asked %v, said %q", got, s.message.Text)
	}
	f.Conn.SaveErr = nil
	uitest.Tapped(t, s.save)
	if got := f.Conn.Got(); !uitest.Contains(got, "SaveSecrets local") || s.clientSecret.Text != "" {
		t.Fatalf("asked %v; the secret entry holds %q", got, s.clientSecret.Text)
	}
}

// TestScreenTrustedComputers: the settings list the account's trusted
// computers, mark this one, and revoke one.
func TestScreenTrustedComputers(t *testing.T) {
	f := uitest.NewFakes()
	f.Accounts.DeviceList = []api.Device{{ID: 3, Name: "Chorus Onboard (PC-COMPTA-03)", LastUsed: 1_796_000_000, Expires: 1_803_776_000},
		{ID: 9, Name: "onboardctl (srv-batch)", LastUsed: 1_795_000_000, Expires: 1_802_776_000}}
	f.Accounts.This = 3
	u := newFakeArea(t, "fr", f)
	u.Show(shell.StepSettings)
	if got := u.settingsS.devices.list.Objects; len(got) != 1 {
		t.Fatalf("signed out: %d rows, want the sign-in hint", len(got))
	}
	u.Session().SetSignedIn("ana@example.fr")
	u.Show(shell.StepSettings)
	d := u.settingsS.devices
	if len(d.revoke) != 2 {
		t.Fatalf("%d rows", len(d.revoke))
	}
	uitest.Tapped(t, d.revoke[1])
	if !uitest.Contains(f.Accounts.Got(), "RevokeDevice 9") || len(d.revoke) != 1 || !strings.Contains(d.message.Text, "n'est plus de confiance") {
		t.Fatalf("after revoking: %v, %d rows, %q", f.Accounts.Got(), len(d.revoke), d.message.Text)
	}
}

// TestScreenChangePassword (issue 29): the settings change the password
// with the current one; Submit waits for the policy; a wrong current
// password is said in the dialog; once changed, the list is read again.
func TestScreenChangePassword(t *testing.T) {
	f := uitest.NewFakes()
	f.Accounts.DeviceList = []api.Device{{ID: 3, Name: "Chorus Onboard (PC-COMPTA-03)", LastUsed: 1_796_000_000, Expires: 1_803_776_000}}
	u := newFakeArea(t, "en", f)
	u.Show(shell.StepSettings)
	if u.settingsS.devices.change.Visible() {
		t.Fatal("signed out, the password change is offered")
	}
	u.Session().SetSignedIn("ana@example.fr")
	u.Show(shell.StepSettings)
	d := u.settingsS.devices
	uitest.Tapped(t, d.change)
	p := d.pw
	if p == nil || !p.submit.Disabled() {
		t.Fatal("no dialog, or Submit before anything is typed")
	}
	test.Type(p.current, "Wrong-passw0rd!")
	test.Type(p.next, "short")
	test.Type(p.confirm, "short")
	if !p.submit.Disabled() {
		t.Fatal("a weak new password can be submitted")
	}
	p.next.SetText("Nouveau-M0t-de-passe!")
	p.confirm.SetText("Nouveau-M0t-de-passe!")
	uitest.Tapped(t, p.submit)
	if !uitest.Contains(f.Accounts.Got(), "ChangePassword ana@example.fr") || d.pw == nil || p.message.Text == "" {
		t.Fatalf("a wrong current password: %v, message %q", f.Accounts.Got(), p.message.Text)
	}
	p.current.SetText("Tr0ub4dor&3x-Lune")
	uitest.Tapped(t, p.submit)
	if d.pw != nil || !strings.Contains(d.message.Text, "Password changed") || len(d.revoke) != 0 {
		t.Fatalf("after the change: dialog %v, message %q, %d computers", d.pw != nil, d.message.Text, len(d.revoke))
	}
}
