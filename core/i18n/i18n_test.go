package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestSameKeys: every language has exactly the keys of the other, so no
// screen falls back to English halfway.
func TestSameKeys(t *testing.T) {
	en, fr := Keys(EN), Keys(FR)
	slices.Sort(en)
	slices.Sort(fr)
	for _, k := range en {
		if !Has(FR, k) {
			t.Errorf("fr.json lacks %q", k)
		}
	}
	for _, k := range fr {
		if !Has(EN, k) {
			t.Errorf("en.json lacks %q", k)
		}
	}
	for _, l := range Langs {
		for _, k := range Keys(l) {
			if strings.TrimSpace(T(l, k)) == "" {
				t.Errorf("%s: %q is empty", l, k)
			}
		}
	}
}

// TestEveryCodeTranslated scans every core package for the codes its errors
// can carry (validate's fail and warn calls, Code constants, Code: "..."
// literals, and a code passed after its kind) and checks each has a text in both languages, so no user reads
// a bare code.
func TestEveryCodeTranslated(t *testing.T) {
	dirs, err := filepath.Glob("../*")
	if err != nil {
		t.Fatal(err)
	}
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`(?:fail|warn)\("([a-z_.]+)"`),
		regexp.MustCompile(`\bCode[A-Za-z0-9]*\s*=\s*"([a-z_]+(?:\.[a-z_]+)+)"`),
		regexp.MustCompile(`\bCode:\s*"([a-z_]+(?:\.[a-z_]+)+)"`),
		regexp.MustCompile(`core\.Kind[A-Za-z]+, "([a-z_]+(?:\.[a-z_]+)+)"`), // core/secrets' err(op, kind, code, ...)
	}
	counts := map[string]int{}
	for _, dir := range append(dirs, "..") {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, re := range patterns {
				for _, m := range re.FindAllStringSubmatch(string(b), -1) {
					counts[filepath.Base(filepath.Dir(f))]++
					for _, l := range Langs {
						if !Has(l, m[1]) {
							t.Errorf("%s: code %q has no %s text", f, m[1], l)
						}
					}
				}
			}
		}
	}
	for _, pkg := range []string{"validate", "portal", "onboarding", "sqlite", "secrets"} {
		if counts[pkg] == 0 {
			t.Errorf("no code found in core/%s: the scan is broken", pkg)
		}
	}
	if counts["validate"] < 40 {
		t.Fatalf("found only %d codes in core/validate: the scan is broken", counts["validate"])
	}
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want Lang
	}{
		{map[string]string{"LANG": "fr_FR.UTF-8"}, FR},
		{map[string]string{"LANG": "en_US.UTF-8"}, EN},
		{map[string]string{"LANG": "fr_FR.UTF-8", "LC_ALL": "en_GB"}, EN},
		{map[string]string{"LANG": "de_DE.UTF-8"}, EN},
		{map[string]string{"LANG": "C.UTF-8", "LC_MESSAGES": "fr_CA"}, FR},
		{map[string]string{}, EN},
	}
	for _, tt := range tests {
		if got := FromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("FromEnv(%v) = %s, want %s", tt.env, got, tt.want)
		}
	}
	if T(FR, "no.such.key") != "no.such.key" {
		t.Error("a missing key must show itself")
	}
}

// TestSystem: a locale variable that names a language wins; without one,
// Windows' display language decides (make test-windows runs this binary
// in a Wine prefix whose display language is CHORUS_WINE_UI_LANG), and
// elsewhere English.
func TestSystem(t *testing.T) {
	for _, lang := range []string{"fr_FR.UTF-8", "en_US.UTF-8"} {
		env := map[string]string{"LANG": lang}
		if got, want := System(func(k string) string { return env[k] }), Lang(lang[:2]); got != want {
			t.Errorf("LANG=%s: System = %s, want %s", lang, got, want)
		}
	}
	want := EN
	if runtime.GOOS == "windows" {
		want = Lang(os.Getenv("CHORUS_WINE_UI_LANG"))
		if want == "" {
			t.Skip("CHORUS_WINE_UI_LANG names the display language make test-windows gave the prefix")
		}
	}
	for _, lang := range []string{"", "C", "C.UTF-8", "POSIX"} {
		env := map[string]string{"LANG": lang}
		if got := System(func(k string) string { return env[k] }); got != want {
			t.Errorf("LANG=%q: System = %s, want the system's %s", lang, got, want)
		}
	}
}
