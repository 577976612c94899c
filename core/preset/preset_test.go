package preset

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		values   map[string]string
		problems []string // key:code
	}{
		{"every kind of value", `{"environment":"team","portal_url":"https://portal.example:8443","offer_sandbox":false,"language":"FR","ca_file":"/etc/ssl/office.pem"}`,
			map[string]string{"environment": "team", "portal_url": "https://portal.example:8443", "offer_sandbox": "false", "language": "fr", "ca_file": "/etc/ssl/office.pem"}, nil},
		{"Notepad's byte order mark", "\xef\xbb\xbf{\"piste_client_id\":\"cabinet\"}", map[string]string{"piste_client_id": "cabinet"}, nil},
		{"a bad key is ignored, the rest applies", `{"environment":"moon","registry_url":"ftp://x","proxy_url":"http://proxy:3128","colour":"blue"}`,
			map[string]string{"proxy_url": "http://proxy:3128"}, []string{"colour:preset.unknown", "environment:preset.value", "registry_url:preset.url"}},
		{"secrets are refused, never kept", `{"piste_client_secret":"s3cret","proxy_password":"x","insee-api-key":"k","technical_login":"TECH_1@cpro.fr"}`,
			map[string]string{"technical_login": "TECH_1@cpro.fr"}, []string{"insee-api-key:preset.secret", "piste_client_secret:preset.secret", "proxy_password:preset.secret"}},
		{"wrong types", `{"environment":3,"offer_sandbox":"maybe","language":["fr"],"portal_url":null}`,
			map[string]string{"portal_url": ""}, []string{"environment:preset.type", "language:preset.type", "offer_sandbox:preset.type"}},
		{"a number where a number is meant (as Group Policy writes it)", `{"sync_concurrency":4,"offer_sandbox":0}`,
			map[string]string{"sync_concurrency": "4", "offer_sandbox": "false"}, nil},
		{"a number that is no count", `{"sync_concurrency":2.5}`, nil, []string{"sync_concurrency:preset.value"}},
		{"a credential in an address", `{"proxy_url":"http://user:pw@proxy:3128"}`, nil, []string{"proxy_url:preset.url"}},
		{"malformed JSON", "{\n  \"environment\": \"team\",\n}", nil, []string{":preset.json"}},
		{"not an object", `["environment"]`, nil, []string{":preset.json"}},
		{"null", `null`, nil, []string{":preset.json"}},
		{"two objects", `{} {}`, nil, []string{":preset.json"}},
		{"empty file", ``, nil, []string{":preset.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layer, problems := ParseJSON([]byte(tt.in), "/etc/chorus-onboard/policy.json")
			if len(layer.Values) != 0 || len(tt.values) != 0 {
				if !reflect.DeepEqual(layer.Values, tt.values) {
					t.Errorf("values %v, want %v", layer.Values, tt.values)
				}
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.Key+":"+p.Code)
				if p.Origin != "/etc/chorus-onboard/policy.json" {
					t.Errorf("origin %q", p.Origin)
				}
				if strings.Contains(p.Detail, "s3cret") {
					t.Errorf("a secret in the report: %q", p.Detail)
				}
			}
			if !reflect.DeepEqual(got, tt.problems) {
				t.Errorf("problems %v, want %v", got, tt.problems)
			}
			for k, o := range layer.Origins {
				if o != "/etc/chorus-onboard/policy.json" {
					t.Errorf("%s: origin %q", k, o)
				}
			}
		})
	}
}

func TestJSONErrorSaysWhere(t *testing.T) {
	_, problems := ParseJSON([]byte("{\n  \"environment\": \"team\",\n}"), "f")
	if len(problems) != 1 || !strings.HasPrefix(problems[0].Detail, "line 3, column 1") {
		t.Fatalf("%+v", problems)
	}
}

func write(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLinuxFiles(t *testing.T) {
	etc := testos.TempDir(t)
	local, vendor := filepath.Join(testos.TempDir(t), "local"), filepath.Join(testos.TempDir(t), "vendor")
	write(t, filepath.Join(etc, "chorus-onboard", "policy.json"), `{"environment":"qualification","proxy_url":"http://proxy:3128"}`)
	write(t, filepath.Join(local, "chorus-onboard", "defaults.json"), `{"piste_client_id":"local-app"}`)
	write(t, filepath.Join(vendor, "chorus-onboard", "defaults.json"), `{"piste_client_id":"vendor-app","language":"en","registry_url":"https://registry.example"}`)

	p := LinuxFiles(etc, local+string(os.PathListSeparator)+"relative/ignored"+string(os.PathListSeparator)+vendor).ReadPresets()
	if len(p.Problems) != 0 {
		t.Fatalf("problems: %+v", p.Problems)
	}
	want := map[string]string{"piste_client_id": "local-app", "language": "en", "registry_url": "https://registry.example"}
	if !reflect.DeepEqual(p.Defaults.Values, want) {
		t.Errorf("defaults %v, want %v (the first directory wins)", p.Defaults.Values, want)
	}
	if got := p.Defaults.Origins["piste_client_id"]; got != filepath.Join(local, "chorus-onboard", "defaults.json") {
		t.Errorf("origin %q", got)
	}
	if got := p.Policies.Values["environment"]; got != "qualification" {
		t.Errorf("policy %q", got)
	}

	// XDG_CONFIG_DIRS unset: /etc/xdg under etc.
	write(t, filepath.Join(etc, "xdg", "chorus-onboard", "defaults.json"), `{"language":"fr"}`)
	if got := LinuxFiles(etc, "").ReadPresets().Defaults.Values["language"]; got != "fr" {
		t.Errorf("XDG default dir: %q", got)
	}
	// No file at all: no preset, no problem.
	if p := LinuxFiles(testos.TempDir(t), "").ReadPresets(); len(p.Problems)+len(p.Defaults.Values)+len(p.Policies.Values) != 0 {
		t.Errorf("%+v", p)
	}
}

func TestUnreadableAndHugeFiles(t *testing.T) {
	etc := testos.TempDir(t)
	write(t, filepath.Join(etc, "chorus-onboard", "policy.json"), `{"language":"en"`+strings.Repeat(" ", MaxFileSize)+`}`)
	if err := os.MkdirAll(filepath.Join(etc, "xdg", "chorus-onboard", "defaults.json"), 0o755); err != nil {
		t.Fatal(err) // a directory where the file should be
	}
	p := LinuxFiles(etc, "").ReadPresets()
	if len(p.Problems) != 2 || p.Problems[0].Code != "preset.read" || p.Problems[1].Code != "preset.read" {
		t.Fatalf("%+v", p.Problems)
	}
	if len(p.Policies.Values) != 0 {
		t.Errorf("a file over the limit was used: %v", p.Policies.Values)
	}
}

// fakeWinReg is the Windows registry of a test: root → path → values.
type fakeWinReg map[string]map[string]map[string]WinRegValue

func (f fakeWinReg) Values(root, path string) (map[string]WinRegValue, error) {
	if path == "broken" {
		return nil, errors.New("access denied")
	}
	return f[root][path], nil
}

func TestRegistryPresets(t *testing.T) {
	reg := fakeWinReg{
		HKLM: {
			DefaultsKey: {"environment": {String: "team"}, "portal_url": {String: "https://portal.example"}, "offer_sandbox": {Number: 0, IsNumber: true}},
			PolicyKey: {"sync_concurrency": {Number: 4, IsNumber: true}, "proxy_url": {String: "http://proxy:3128"}, "technical_password": {String: "pw"}, "language": {Number: 1, IsNumber: true},
				"environment": {String: ""}, "ca_file": {String: "  "}},
		},
		HKCU: {PolicyKey: {"proxy_url": {String: "http://user-proxy:8080"}, "piste_client_id": {String: "user-app"}}},
	}
	p := WinRegPresets{Reg: reg}.ReadPresets()
	if want := map[string]string{"environment": "team", "portal_url": "https://portal.example", "offer_sandbox": "false"}; !reflect.DeepEqual(p.Defaults.Values, want) {
		t.Errorf("defaults %v", p.Defaults.Values)
	}
	if want := map[string]string{"proxy_url": "http://proxy:3128", "piste_client_id": "user-app", "sync_concurrency": "4"}; !reflect.DeepEqual(p.Policies.Values, want) {
		t.Errorf("policies %v (the machine's policy wins over the user's)", p.Policies.Values)
	}
	if got := p.Policies.Origins["proxy_url"]; got != `HKEY_LOCAL_MACHINE\Software\Policies\ChorusOnboard` {
		t.Errorf("origin %q", got)
	}
	var got []string
	for _, pr := range core.SortedPresetProblems(p.Problems) {
		got = append(got, pr.Key+":"+pr.Code)
	}
	if want := []string{"language:preset.type", "technical_password:preset.secret"}; !reflect.DeepEqual(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
}

func TestApply(t *testing.T) {
	presets := core.Presets{}
	presets.Defaults.Set("environment", "qualification", "defaults.json")
	presets.Defaults.Set("piste_client_id", "admin-app", "defaults.json")
	presets.Policies.Set("proxy_url", "http://proxy:3128", "policy.json")
	presets.Policies.Set("offer_sandbox", "false", "policy.json")

	tests := []struct {
		name    string
		user    map[string]string
		env     core.Environment
		client  string
		proxy   string
		sources map[string]core.Source
	}{
		{"nothing of the user's", nil, core.EnvQualification, "admin-app", "http://proxy:3128",
			map[string]core.Source{"environment": core.SourceAdminDefault, "proxy_url": core.SourceAdminPolicy, "registry_url": core.SourceBuiltIn}},
		{"the user changed a default, and tried a locked one", map[string]string{"piste_client_id": "mine", "proxy_url": "http://other:1", "environment": "production"},
			core.EnvProduction, "mine", "http://proxy:3128", map[string]core.Source{"piste_client_id": core.SourceUser, "proxy_url": core.SourceAdminPolicy}},
		{"the sandbox is not offered", map[string]string{"environment": "local"}, core.EnvQualification, "admin-app", "http://proxy:3128", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eff := presets.Apply(tt.user)
			if eff.Settings.Env() != tt.env || eff.Settings.PISTEClientID != tt.client || eff.Settings.ProxyURL != tt.proxy {
				t.Errorf("%+v", eff.Settings)
			}
			for k, s := range tt.sources {
				if eff.Sources[k] != s {
					t.Errorf("%s from %q, want %q", k, eff.Sources[k], s)
				}
			}
			if !eff.Locked("proxy_url") || eff.Locked("piste_client_id") || eff.OfferSandbox {
				t.Errorf("locks: %+v", eff.Sources)
			}
		})
	}

	// Saving: a value equal to the admin default is not stored (it keeps
	// following the admin's), a locked one never is.
	next := presets.Apply(nil).Settings
	next.RegistryURL = "https://registry.example"
	if got, want := presets.UserValues(next), map[string]string{"registry_url": "https://registry.example"}; !reflect.DeepEqual(got, want) {
		t.Errorf("user values %v, want %v", got, want)
	}
	next.Environment = core.EnvLocal
	if got := presets.UserValues(next)["environment"]; got != "local" {
		t.Errorf("choosing the sandbox over an admin default must be stored: %q", got)
	}
	if got := (core.Presets{}).UserValues(core.Settings{Environment: core.EnvLocal}); len(got) != 0 {
		t.Errorf("the built-in environment stored: %v", got)
	}
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"environment":"team","portal_url":"https://portal.example","offer_sandbox":true}`))
	f.Add([]byte("\xef\xbb\xbf{\"language\":\"fr\",\"proxy_password\":\"x\"}"))
	f.Add([]byte(`{"registry_url":"ftp://x","colour":1,"ca_file":null}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		layer, problems := ParseJSON(data, "policy.json")
		for k, v := range layer.Values {
			if _, code := core.CheckPresetValue(k, v); code != "" {
				t.Fatalf("kept %q=%q, which fails its check (%s)", k, v, code)
			}
			if core.IsSecretPresetKey(k) {
				t.Fatalf("kept a secret %q", k)
			}
		}
		for _, p := range problems {
			if p.Code == "" || len(p.Key) > 70 || !utf8.ValidString(p.Key) && p.Key != "" {
				t.Fatalf("problem %+v", p)
			}
		}
	})
}
