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
	// Every mangled number of python-stdnum's tests: a warning, or for a
	// French one (whose key Chorus Pro checks) a refusal.
	for _, v := range vectors(t, "vat_eu_bad_checksum.txt") {
		got, err := VATEU(v[0])
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(v[0])), "FR") {
			if !Rejects(err) {
				t.Errorf("VATEU(%q) = %q, %v: a wrong French key must be refused", v[0], got, err)
			}
			continue
		}
		if !IsWarning(err) || Code(err) != "vat_eu.checksum" {
			t.Errorf("VATEU(%q) = %q, %v, want a checksum warning", v[0], got, err)
		}
	}
	if !strings.HasPrefix(Code(warn("vat_eu.checksum", ErrInvalidChecksum)), "vat_eu") {
		t.Fatal("code")
	}
}

// TestEveryStateHasAVector: the valid vectors cover the 26 member states
// other than France (France has its own files), Northern Ireland (XI) and
// the one-stop shop's non-Union scheme (EU), each accepted without a
// warning, and every prefix but EU has a check digit rule.
func TestEveryStateHasAVector(t *testing.T) {
	seen := map[string]int{}
	for _, file := range []string{"vat_eu_valid.txt", "vat_hr_valid.txt", "vat_xi_valid.txt", "vat_oss_valid.txt"} {
		for _, v := range vectors(t, file) {
			got, err := VATEU(v[0])
			if err != nil {
				t.Errorf("%s: VATEU(%q): %v", file, v[0], err)
				continue
			}
			seen[got[:2]]++
		}
	}
	for cc := range euVAT {
		if seen[cc] == 0 {
			t.Errorf("no valid vector for %s", cc)
		}
		if _, ok := vatChecksums[cc]; !ok && cc != "EU" {
			t.Errorf("%s has no check digit rule", cc)
		}
	}
	if len(euVAT) != 28 {
		t.Errorf("%d prefixes, want the 26 states but France, XI and EU", len(euVAT))
	}
}
