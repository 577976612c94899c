package validate

import (
	"strings"
	"testing"
)

// TestEUChecksums: every published valid number passes its national check
// (no false warning), and the published mangled numbers of the countries we
// check warn.
func TestEUChecksums(t *testing.T) {
	for _, v := range vectors(t, "vat_eu_valid.txt") {
		if _, err := VATEU(v[0]); err != nil {
			t.Errorf("VATEU(%q): %v", v[0], err)
		}
	}
	mangled := []string{"BE 0406.139.583", "BE 0793 013 186", "BE 456.973.432", "BE697449982", "DE 125014855", "DE 246 495 415",
		"DE 813 91 38 75", "DE - 266297673", "DK 11 96 56 58", "DK 2565 2202", "DK-27996592", "DK10159817",
		"EE 100 941 558", "EE 100525487", "EE 101586639", "EE101256754", "EL 094013834", "EL 094068733", "EL094501140",
		"EL: 094269805"}
	for _, m := range mangled {
		_, err := VATEU(m)
		if !IsWarning(err) || Code(err) != "vat_eu.checksum" {
			t.Errorf("VATEU(%q) = %v, want a checksum warning", m, err)
		}
	}
	if !strings.HasPrefix(Code(warn("vat_eu.checksum", ErrInvalidChecksum)), "vat_eu") {
		t.Fatal("code")
	}
}
