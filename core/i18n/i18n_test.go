package i18n

import (
	"os"
	"path/filepath"
	"regexp"
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

// TestEveryCodeTranslated scans core/validate for the codes it can return
// and checks each has a text in both languages.
func TestEveryCodeTranslated(t *testing.T) {
	files, err := filepath.Glob("../validate/*.go")
	if err != nil || len(files) == 0 {
		t.Fatal("no validate sources", err)
	}
	re := regexp.MustCompile(`(?:fail|warn)\("([a-z_.]+)"`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			n++
			for _, l := range Langs {
				if !Has(l, m[1]) {
					t.Errorf("%s: code %q has no %s text", filepath.Base(f), m[1], l)
				}
			}
		}
	}
	if n < 40 {
		t.Fatalf("found only %d codes: the scan is broken", n)
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
