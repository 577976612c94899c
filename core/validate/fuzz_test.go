package validate

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chorusonboard/chorus-onboard/core"
	"golang.org/x/text/unicode/norm"
)

// fuzzKind checks the invariants every single-value validator keeps: it never
// panics, an accepted value comes back canonical (validating it again gives
// the same value), and a refusal always carries a stable code.
func fuzzKind(f *testing.F, kind string, seeds ...string) {
	for _, file := range []string{"siret_valid.txt", "siren_valid.txt", "vat_fr_valid.txt", "vat_eu_valid.txt", "siret_invalid.txt", "vat_eu_invalid.txt"} {
		for _, v := range vectors(f, file) {
			f.Add(v[0])
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}
	validate := Kinds[kind]
	f.Fuzz(func(t *testing.T, in string) {
		got, err := validate(in)
		if Rejects(err) {
			if got != "" {
				t.Fatalf("%s(%q) refused with %v but returned %q", kind, in, err, got)
			}
			if Code(err) == "internal" {
				t.Fatalf("%s(%q): error without a code: %v", kind, in, err)
			}
			return
		}
		if !utf8.ValidString(got) {
			t.Fatalf("%s(%q) = %q: invalid UTF-8", kind, in, got)
		}
		again, err2 := validate(got)
		if Rejects(err2) || again != got {
			t.Fatalf("%s(%q) = %q, but %q gives %q, %v", kind, in, got, got, again, err2)
		}
		if kind != "password" && got != strings.TrimSpace(got) {
			t.Fatalf("%s(%q) = %q: not trimmed", kind, in, got)
		}
		check(t, kind, got)
	})
}

// check asserts what an accepted canonical value looks like, per kind.
func check(t *testing.T, kind, got string) {
	t.Helper()
	switch kind {
	case "siret":
		if len(got) != 14 || !isDigits(got) {
			t.Fatalf("siret %q is not 14 ASCII digits", got)
		}
	case "siren":
		if len(got) != 9 || !isDigits(got) {
			t.Fatalf("siren %q is not 9 ASCII digits", got)
		}
	case "vat-fr":
		if len(got) != 13 || !strings.HasPrefix(got, "FR") {
			t.Fatalf("vat-fr %q is not FR + 11", got)
		}
	case "email":
		if len(got) > 254 || strings.Count(got, "@") != 1 {
			t.Fatalf("email %q", got)
		}
	case "phone":
		if got[0] != '+' || !isDigits(got[1:]) || len(got) > 16 {
			t.Fatalf("phone %q is not E.164", got)
		}
	case "postal":
		if len(got) != 5 || !isDigits(got) {
			t.Fatalf("postal %q", got)
		}
	case "country":
		if _, ok := LookupCountry(got); !ok {
			t.Fatalf("country %q", got)
		}
	}
}

func FuzzSIREN(f *testing.F) { fuzzKind(f, "siren", "552 008 443", "356000000") }
func FuzzSIRET(f *testing.F) {
	fuzzKind(f, "siret", "35600000049837", "７３２８２９３２００００７４")
}
func FuzzVATFR(f *testing.F)  { fuzzKind(f, "vat-fr", "K7399859412", "4Z123456782", "FRFR23000047372") }
func FuzzVATEU(f *testing.F)  { fuzzKind(f, "vat-eu", "NL4495445B01", "XIGD123", "GR 094012834") }
func FuzzRIDET(f *testing.F)  { fuzzKind(f, "ridet", "1234567001", "123.456.7001") }
func FuzzTAHITI(f *testing.F) { fuzzKind(f, "tahiti", "A12345001", "A12345") }
func FuzzPostal(f *testing.F) { fuzzKind(f, "postal", "75001", "97500", "98000", "2A200") }
func FuzzPhone(f *testing.F)  { fuzzKind(f, "phone", "0596800070", "+33612457898", "0033 6 12") }
func FuzzEmail(f *testing.F)  { fuzzKind(f, "email", "a@b.fr", `"x"@y.fr`, "a@xn--bcher-kva.de") }
func FuzzPassword(f *testing.F) {
	fuzzKind(f, "password", "Tr0ub4dor&3x-Lune", "Ｑｗｅｒｔｙｕｉｏｐ１２３")
}
func FuzzCountry(f *testing.F) { fuzzKind(f, "country", "fr", "UK", "FRA") }

// FuzzStructure: validating a draft never panics, and a draft whose problems
// are only warnings validates to itself (the canonical form is a fixed point).
func FuzzStructure(f *testing.F) {
	f.Add("SIRET", "732 829 320 00074", "PRIVEE", "Société", "1 rue", "Paris", "75002", "FR", "0612457898")
	f.Add("UE_HORS_FRANCE", "DE 811 363 057", "PRIVEE", "GmbH", "Str. 1", "Berlin", "10115", "de", "")
	f.Add("RIDET", "1234567001", "PUBLIQUE", "X", "Y", "Nouméa", "98800", "NC", "25 12 34")
	f.Fuzz(func(t *testing.T, typ, id, kind, name, addr, city, postal, country, phone string) {
		s := core.StructureDraft{
			IdentifierType: core.IdentifierType(typ), Identifier: id, Kind: core.StructureKind(kind),
			CompanyName: name, Address: addr, City: city, PostalCode: postal, Country: country, Phone: phone,
		}
		canon, p := Structure(s)
		if p.HasErrors() {
			return
		}
		again, p2 := Structure(canon)
		if p2.HasErrors() || again != canon {
			t.Fatalf("canonical %+v gives %+v, %v", canon, again, p2)
		}
	})
}

// searchKeyWhole is SearchKey as it was first written: NFKD of the whole
// text, then the folding. SearchKey cuts the text at its ASCII bytes and
// normalizes only the rest; FuzzSearchKey holds the two to one result.
func searchKeyWhole(s string) string {
	k := searchKeyBuilder{}
	for _, r := range norm.NFKD.String(s) {
		k.add(r)
	}
	return k.b.String()
}

// FuzzSearchKey: for any bytes, valid UTF-8 or not, the key is the one
// NFKD of the whole text gives (its broken bytes read as U+FFFD), and folding the key of a text again
// changes nothing.
func FuzzSearchKey(f *testing.F) {
	for _, s := range []string{"Société Générale", "SOCIETE  generale", "e\u0301cole", "ﬁnance Ⅻ", "Straße 12",
		"\xff\xfeA\u0301", "한국어 가나다", "x\u0300\u0301\u0302\u0303y", "ｆｕｌｌ－ｗｉｄｔｈ", "İstanbul ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SearchKey(s)
		if want := searchKeyWhole(strings.ToValidUTF8(s, "\uFFFD")); got != want {
			t.Fatalf("SearchKey(%q) = %q, want %q", s, got, want)
		}
		if again := SearchKey(got); again != got {
			t.Fatalf("SearchKey(%q) = %q, folded again %q", s, got, again)
		}
	})
}
