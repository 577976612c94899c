package validate

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
)

// vectors reads testdata/name: one value per line, or VALUE<TAB>CODE; lines
// starting with # are comments. Leading spaces and tabs inside the value are
// kept, since some sources publish them.
func vectors(t testing.TB, name string) [][2]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		v, code, _ := strings.Cut(line, "\t")
		if strings.HasPrefix(line, "\t") { // a value published with a leading tab
			v, code = line, ""
		}
		out = append(out, [2]string{v, code})
	}
	if len(out) == 0 {
		t.Fatalf("%s: no vectors", name)
	}
	return out
}

func TestPublishedVectors(t *testing.T) {
	tests := []struct {
		kind    string
		valid   string
		invalid string
	}{
		{"siret", "siret_valid.txt", "siret_invalid.txt"},
		{"siren", "siren_valid.txt", "siren_invalid.txt"},
		{"vat-fr", "vat_fr_valid.txt", "vat_fr_invalid.txt"},
		{"vat-eu", "vat_eu_valid.txt", "vat_eu_invalid.txt"},
		{"vat-eu", "vat_fr_valid.txt", ""}, // a French number is an EU number too, once prefixed
	}
	for _, tt := range tests {
		f := Kinds[tt.kind]
		for _, v := range vectors(t, tt.valid) {
			in := v[0]
			if tt.kind == "vat-eu" && tt.valid == "vat_fr_valid.txt" && !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(in)), "FR") {
				in = "FR" + in
			}
			got, err := f(in)
			if err != nil {
				t.Errorf("%s(%q): unexpected %v", tt.kind, in, err)
				continue
			}
			if again, err := f(got); err != nil || again != got {
				t.Errorf("%s(%q) = %q, which gives %q, %v again", tt.kind, in, got, again, err)
			}
		}
		if tt.invalid == "" {
			continue
		}
		for _, v := range vectors(t, tt.invalid) {
			_, err := f(v[0])
			if !Rejects(err) {
				t.Errorf("%s(%q): accepted, want %s", tt.kind, v[0], v[1])
				continue
			}
			if Code(err) != v[1] {
				t.Errorf("%s(%q): code %s, want %s", tt.kind, v[0], Code(err), v[1])
			}
		}
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct {
		kind, in, want string
	}{
		{"siret", "732 829 320 00074", "73282932000074"},
		{"siret", "\t73282932000074\n", "73282932000074"},
		{"siret", "７３２８２９３２００００７４", "73282932000074"},
		{"siret", "732\u202f829\u202f320\u202f00074", "73282932000074"},
		{"siret", "732–829–320–00074", "73282932000074"},
		{"siren", "000 000 083", "000000083"},
		{"vat-fr", "fr-23-334-175-221", "FR23334175221"},
		{"vat-fr", "23334175221", "FR23334175221"},
		{"vat-fr", "FR K 7399859412", "FRK7399859412"},
		{"vat-eu", "El 800 179 925", "EL800179925"},
		{"vat-eu", "GR 800179925", "EL800179925"},
		{"vat-eu", "EL 94051189", "EL094051189"},
		{"vat-eu", "BE 444.503.092", "BE0444503092"},
		{"vat-eu", "NL4495445B01", "NL004495445B01"},
		{"vat-eu", "xi 123 4567 89", "XI123456789"},
		{"vat-eu", "XI GD123", "XIGD123"},
		{"ridet", "1 234 567 001", "1234567001"},
		{"ridet", "1234567.001", "1234567001"},
		{"tahiti", "a12345 001", "A12345001"},
		{"postal", " 75001 ", "75001"},
		{"postal", "01000", "01000"},
		{"phone", "01 23 45 67 89", "+33123456789"},
		{"phone", "06.12.45.78.98", "+33612457898"},
		{"phone", "+33 6 12 45 78 98", "+33612457898"},
		{"phone", "0033 6 12 45 78 98", "+33612457898"},
		{"phone", "0596 80 00 70", "+596596800070"},
		{"phone", "0262 40 00 00", "+262262400000"},
		{"phone", "0690 12 34 56", "+590690123456"},
		{"phone", "0694 20 12 34", "+594694201234"},
		{"phone", "0639 01 23 45", "+262639012345"},
		{"phone", "+49 30 1234567", "+49301234567"},
		{"email", "  jean.dupont@example.fr ", "jean.dupont@example.fr"},
		{"email", "Jean.Dupont@Example.FR", "Jean.Dupont@Example.FR"},
		{"country", "fr", "FR"},
		{"country", " GP ", "GP"},
		{"password", "Correct-Horse-42", "Correct-Horse-42"},
	}
	for _, tt := range tests {
		got, err := Kinds[tt.kind](tt.in)
		if err != nil && !IsWarning(err) {
			t.Errorf("%s(%q): %v", tt.kind, tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.kind, tt.in, got, tt.want)
		}
	}
}

func TestRejected(t *testing.T) {
	tests := []struct {
		kind, in, code string
	}{
		{"siret", "", CodeRequired},
		{"siret", "   ", CodeRequired},
		{"siren", "٣٥٦٠٠٠٠٠٠", "siren.format"}, // Arabic-Indic digits are not ASCII after NFKC
		{"ridet", "123456", "ridet.length"},
		{"ridet", "12345A7001", "ridet.format"},
		{"tahiti", "A1234/5001", "tahiti.format"},
		{"tahiti", "A12345001A12345001A", "tahiti.length"},
		{"postal", "44 522", "postal.format"},
		{"postal", "96000", "postal.format"},
		{"postal", "00100", "postal.format"},
		{"postal", "2A200", "postal.format"},
		{"postal", "7500", "postal.length"},
		{"postal", "750011", "postal.length"},
		{"postal", "97700", "postal.format"},
		{"phone", "0712457898", "phone.invalid"},
		{"phone", "555 015 544", "phone.format"},
		{"phone", "33612457898", "phone.format"},
		{"phone", "06 12 45 78", "phone.length"},
		{"phone", "06 12 45 78 98 x12", "phone.format"},
		{"phone", "+33 6 12", "phone.length"},
		{"phone", "0612+457898", "phone.format"},
		{"phone", "+1 555 0100", "phone.invalid"},
		{"email", "john@example", "email.domain"},
		{"email", "z@co.c", "email.domain"},
		{"email", "John Doe <jdoe@machine.example>", "email.format"},
		{"email", "john@example.com (John Doe)", "email.format"},
		{"email", "jdoe@[192.168.0.1]", "email.format"},
		{"email", `"foo\@bar"@example.com`, "email.format"},
		{"email", ".a@b.fr", "email.format"},
		{"email", "a.@b.fr", "email.format"},
		{"email", "a..b@c.fr", "email.format"},
		{"email", "jean@exam_ple.fr", "email.format"},
		{"email", "jéan@example.fr", "email.non_ascii"},
		{"email", "jean@ex ample.fr", "email.format"},
		{"email", "jean@example.fr\u00a0x", "email.compat"}, // an inner NBSP is named, not read as a space
		{"email", "ｊｅａｎ@example.fr", "email.compat"},        // full-width letters: never rewritten
		{"email", "jean@example．fr", "email.compat"},        // a full-width full stop
		{"email", "ﬁnance@example.fr", "email.compat"},      // the fi ligature
		{"email", "jean.example.fr", "email.missing_at"},
		{"email", strings.Repeat("a", 65) + "@example.fr", "email.length"},
		{"email", "a@" + strings.Repeat("b", 250) + ".fr", "email.length"},
		{"email", "a@" + strings.Repeat("b", 64) + ".fr", "email.format"},
		{"country", "UK", "country.unknown"},
		{"country", "EL", "country.unknown"},
		{"country", "XI", "country.unknown"},
		{"country", "XK", "country.unknown"},
		{"country", "FX", "country.unknown"},
		{"country", "AN", "country.unknown"},
		{"country", "FRA", "country.format"},
		{"country", "250", "country.format"},
		{"country", "F", "country.format"},
		{"password", "Short1!", "password.too_short"},
		{"password", "alllowercaseletters", "password.classes"},
		{"password", "ALLUPPER123456", "password.too_short"[:0] + "password.classes"},
		{"password", "Qwertyuiop123", "password.common"},
		{"password", "Azertyuiop123", "password.common"},
		{"password", strings.Repeat("Ab1!", 32) + "x", "password.too_long"},
		{"password", "Abcdefgh1234\x00", "password.control"},
		{"password", "", CodeRequired},
	}
	for _, tt := range tests {
		got, err := Kinds[tt.kind](tt.in)
		if !Rejects(err) {
			t.Errorf("%s(%q) = %q, %v: want %s", tt.kind, tt.in, got, err, tt.code)
			continue
		}
		if Code(err) != tt.code {
			t.Errorf("%s(%q): code %s, want %s", tt.kind, tt.in, Code(err), tt.code)
		}
		if !errors.Is(err, core.ErrInvalid) {
			t.Errorf("%s(%q): %v is not core.ErrInvalid", tt.kind, tt.in, err)
		}
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		kind, in, want, code string
	}{
		{"postal", "97500", "97500", ""},
		{"postal", "98000", "98000", "postal.unknown"},
		{"postal", "98800", "98800", "postal.unknown"},
		{"postal", "75099", "75099", "postal.unknown"},
		{"postal", "20000", "20000", ""},
		{"tahiti", "A12345", "A12345", "tahiti.company_only"},
		{"tahiti", "123456789", "123456789", ""},
		{"tahiti", "AB1234", "AB1234", "tahiti.unusual"},
	}
	for _, tt := range tests {
		got, err := Kinds[tt.kind](tt.in)
		if got != tt.want || Rejects(err) {
			t.Errorf("%s(%q) = %q, %v; want %q", tt.kind, tt.in, got, err, tt.want)
			continue
		}
		if tt.code == "" && err != nil || tt.code != "" && Code(err) != tt.code {
			t.Errorf("%s(%q): warning %v, want %q", tt.kind, tt.in, err, tt.code)
		}
	}
}

func TestErrorClasses(t *testing.T) {
	_, err := SIRET("1234")
	if !errors.Is(err, ErrInvalidLength) || !errors.Is(err, ErrInvalidFormat) {
		t.Errorf("length error %v: want both ErrInvalidLength and ErrInvalidFormat", err)
	}
	_, err = SIRET("73282932000079")
	if !errors.Is(err, ErrInvalidChecksum) || errors.Is(err, ErrInvalidFormat) {
		t.Errorf("checksum error %v: want ErrInvalidChecksum only", err)
	}
	if strings.Contains(err.Error(), "73282932000079") {
		t.Errorf("error %q repeats the value", err)
	}
}

func TestPostalCodeIn(t *testing.T) {
	tests := []struct {
		code, country, want string
	}{
		{"75001", "FR", ""},
		{"97200", "FR", ""},
		{"97200", "MQ", ""},
		{"97500", "FR", "postal.country"},
		{"97500", "PM", ""},
		{"98000", "MC", "postal.unknown"},
		{"98000", "FR", "postal.country"},
		{"75001", "MC", "postal.country"},
		{"98800", "NC", "postal.unknown"},
		{"97133", "BL", "postal.unknown"},
		{"SW1A 1AA", "GB", ""},
		{"10115", "DE", ""},
		{"SW1A 1AA", "FR", "postal.format"},
	}
	for _, tt := range tests {
		_, err := PostalCodeIn(tt.code, tt.country)
		if tt.want == "" && err != nil || tt.want != "" && Code(err) != tt.want {
			t.Errorf("PostalCodeIn(%q, %s) = %v, want %q", tt.code, tt.country, err, tt.want)
		}
	}
}

func TestPhoneIn(t *testing.T) {
	tests := []struct {
		in, country, want, code string
	}{
		{"410200", "PM", "+508410200", ""},
		{"40 50 57 00", "PF", "+68940505700", ""},
		{"25 12 34", "NC", "+687251234", ""},
		{"030 1234567", "DE", "+49301234567", ""},
		{"0596 80 00 70", "MQ", "+596596800070", ""},
		{"0596 80 00 70", "FR", "+596596800070", ""},
		{"01 23 45 67 89", "", "+33123456789", ""},
		{"410200", "FR", "", "phone.format"},
	}
	for _, tt := range tests {
		got, err := PhoneIn(tt.in, tt.country)
		if tt.code != "" {
			if Code(err) != tt.code {
				t.Errorf("PhoneIn(%q, %s) = %q, %v; want %s", tt.in, tt.country, got, err, tt.code)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("PhoneIn(%q, %s) = %q, %v; want %q", tt.in, tt.country, got, err, tt.want)
		}
	}
}

func TestCountries(t *testing.T) {
	if n := len(Countries()); n != 249 {
		t.Fatalf("%d countries, want the 249 of ISO 3166-1", n)
	}
	for _, c := range Countries() {
		if got, err := CountryCode(c.Code); err != nil || got != c.Code {
			t.Errorf("CountryCode(%s) = %q, %v", c.Code, got, err)
		}
		if c.NameEN == "" || c.NameFR == "" {
			t.Errorf("%s: missing name", c.Code)
		}
	}
	if c, _ := LookupCountry("DE"); c.NameFR != "Allemagne" {
		t.Errorf("DE in French = %q", c.NameFR)
	}
}

func TestVATKey(t *testing.T) {
	tests := map[string]string{"000894402": "FR04000894402", "404833048": "FR83404833048", "443121975": "FR46443121975"}
	for siren, want := range tests {
		if got, err := VATFromSIREN(siren); err != nil || got != want {
			t.Errorf("VATFromSIREN(%s) = %q, %v; want %s", siren, got, err, want)
		}
	}
}

// TestVATKeyProperty: every key derived from a valid SIREN validates, for
// SIRENs spread over the whole range.
func TestVATKeyProperty(t *testing.T) {
	n := 0
	for i := 0; i < 1_000_000_000 && n < 20000; i += 49999 {
		s := strings.Repeat("0", 9-len(itoa(i))) + itoa(i)
		s = s[:8] + luhnDigit(s[:8])
		vat, err := VATFromSIREN(s)
		if err != nil {
			t.Fatalf("VATFromSIREN(%s): %v", s, err)
		}
		if got, err := VATFR(vat); err != nil || got != vat {
			t.Fatalf("VATFR(%s) = %q, %v", vat, got, err)
		}
		n++
	}
}

// TestOneDigitChangeCaught: changing any one digit of a valid SIRET is always
// caught (Luhn detects every single-digit error), La Poste aside.
func TestOneDigitChangeCaught(t *testing.T) {
	for _, v := range vectors(t, "siret_valid.txt") {
		c, err := SIRET(v[0])
		if err != nil {
			t.Fatal(err)
		}
		if c[:9] == LaPosteSIREN {
			continue
		}
		for i := range c {
			for d := byte('0'); d <= '9'; d++ {
				if d == c[i] {
					continue
				}
				m := c[:i] + string(d) + c[i+1:]
				if m[:9] == LaPosteSIREN {
					continue
				}
				if _, err := SIRET(m); err == nil {
					t.Errorf("SIRET(%s) accepted, changed from %s", m, c)
				}
			}
		}
	}
}

func itoa(i int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}

// luhnDigit returns the digit that makes prefix+digit pass Luhn.
func luhnDigit(prefix string) string {
	for d := byte('0'); d <= '9'; d++ {
		if luhn(prefix + string(d)) {
			return string(d)
		}
	}
	panic("no luhn digit")
}

// TestEmailCompatNamesTheCharacters: the refusal of a compatibility form
// says which characters to type again, each once, with its code point.
func TestEmailCompatNamesTheCharacters(t *testing.T) {
	tests := map[string]string{
		"ｊｅａｎ@example.fr":         "ｊ (U+FF4A), ｅ (U+FF45), ａ (U+FF41), ｎ (U+FF4E)",
		"jean@example.fr\u00a0x":  "U+00A0",
		"ｊｊ@example.fr":           "ｊ (U+FF4A)",
		"ﬁnance\u2003@example.fr": "ﬁ (U+FB01), U+2003",
	}
	for in, want := range tests {
		_, err := Email(in)
		e := core.AsE(err)
		if e == nil || e.Code != "email.compat" || e.Params["chars"] != want {
			t.Errorf("Email(%q) = %v; want email.compat naming %q", in, err, want)
		}
	}
	// The parameter reaches the draft's problem, for the form to show.
	_, p := Account(core.AccountDraft{LoginEmail: "ｊean@example.fr"})
	if got := p.ForField(core.FieldLoginEmail); len(got) == 0 || got[0].Params["chars"] != "ｊ (U+FF4A)" {
		t.Errorf("problem %+v", got)
	}
}
