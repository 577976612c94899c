package core

import (
	"strings"
	"testing"
)

func TestConcurrencySetting(t *testing.T) {
	tests := []struct {
		value  string
		n      int
		preset string // CheckPresetValue's code
	}{
		{"", 0, ""}, {"8", 8, ""}, {" 16 ", 16, ""}, {"64", 64, ""},
		{"0", 0, "preset.value"}, {"65", 0, "preset.value"}, {"-1", 0, "preset.value"}, {"huit", 0, "preset.value"}, {"1e3", 0, "preset.value"},
	}
	for _, tt := range tests {
		if got := (Settings{Concurrency: tt.value}).ConcurrencyN(); got != tt.n {
			t.Errorf("ConcurrencyN(%q) = %d, want %d", tt.value, got, tt.n)
		}
		if tt.value == "" {
			continue
		}
		if _, code := CheckPresetValue(SettingConcurrency, tt.value); code != tt.preset {
			t.Errorf("preset %q: %q, want %q", tt.value, code, tt.preset)
		}
	}
}

// TestCheckSettingURL: every server that receives a credential is reached
// over https, or over http on this computer only; a proxy may be http.
func TestCheckSettingURL(t *testing.T) {
	tests := []struct {
		key, url, code string
	}{
		{SettingPortalURL, "https://portal.example.org", ""},
		{SettingPortalURL, "http://portal.example.org", CodeURLInClear},
		{SettingPortalURL, "HTTP://portal.example.org:8443/x", CodeURLInClear},
		{SettingPortalURL, "http://127.0.0.1:8080", ""},
		{SettingPortalURL, "http://127.9.9.9", ""},
		{SettingPortalURL, "http://[::1]:8080", ""},
		{SettingPortalURL, "http://localhost:8080", ""},
		{SettingPortalURL, "http://localhost.example.org", CodeURLInClear},
		{SettingPortalURL, "http://10.0.0.5", CodeURLInClear},
		{SettingPISTEOAuthURL, "http://oauth.piste.gouv.fr", CodeURLInClear},
		{SettingPISTEAPIURL, "http://api.piste.gouv.fr", CodeURLInClear},
		{SettingINSEEURL, "http://api.insee.fr", CodeURLInClear},
		{SettingRegistryURL, "http://recherche-entreprises.api.gouv.fr", CodeURLInClear},
		{SettingProxyURL, "http://proxy.cabinet.local:3128", ""},
		{SettingPortalURL, "ftp://portal.example.org", CodeURL},
		{SettingPortalURL, "https://user:pw@portal.example.org", CodeURL},
		{SettingPortalURL, "portal.example.org", CodeURL},
	}
	for _, tt := range tests {
		err := CheckSettingURL(tt.key, tt.url)
		if CodeOf(err) != tt.code || (tt.code != "" && KindOf(err) != KindInvalid) {
			t.Errorf("%s %s: %v, want %q", tt.key, tt.url, err, tt.code)
		}
		if tt.code == CodeURLInClear && strings.Contains(AsE(err).Param("url"), "/x") {
			t.Errorf("the error quotes the path: %v", AsE(err).Params)
		}
	}
	// Every URL setting at once: each refused field is named.
	err := CheckSettingsURLs(Settings{PortalURL: "http://portal.example.org", INSEEURL: "http://api.insee.fr", ProxyURL: "http://proxy:3128"})
	if e := AsE(err); e == nil || len(e.Problems) != 2 {
		t.Fatalf("CheckSettingsURLs: %v", err)
	}
}

// TestPresetPortalInClear: an admin's http:// team portal is reported and
// ignored, with why.
func TestPresetPortalInClear(t *testing.T) {
	if v, code := CheckPresetValue(SettingPortalURL, "http://portal.example.org"); code != "preset.url_in_clear" || v != "" {
		t.Fatalf("http portal preset: %q %q", v, code)
	}
	if v, code := CheckPresetValue(SettingPortalURL, "https://portal.example.org"); code != "" || v != "https://portal.example.org" {
		t.Fatalf("https portal preset: %q %q", v, code)
	}
}
