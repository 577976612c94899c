package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryErrorCodeTranslated scans every core package for the codes its
// errors can carry (Code constants and Code: "..." literals) and checks each
// has a text in both languages, so no user reads a bare code.
func TestEveryErrorCodeTranslated(t *testing.T) {
	dirs, err := filepath.Glob("../*")
	if err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, "..")
	constant := regexp.MustCompile(`\bCode[A-Za-z0-9]*\s*=\s*"([a-z_]+(?:\.[a-z_]+)+)"`)
	literal := regexp.MustCompile(`\bCode:\s*"([a-z_]+(?:\.[a-z_]+)+)"`)
	n := 0
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, re := range []*regexp.Regexp{constant, literal} {
				for _, m := range re.FindAllStringSubmatch(string(b), -1) {
					n++
					for _, l := range Langs {
						if !Has(l, m[1]) {
							t.Errorf("%s: code %q has no %s text", f, m[1], l)
						}
					}
				}
			}
		}
	}
	if n < 40 {
		t.Fatalf("found only %d codes: the scan is broken", n)
	}
}
