package validate

import (
	"slices"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
)

func validAccount() core.AccountDraft {
	return core.AccountDraft{
		LoginEmail: "jeanne.martin@example.fr", LoginEmailConfirm: "jeanne.martin@example.fr",
		FirstName: "Jeanne", LastName: "Martin", Phone: "06 12 45 78 98",
		ConditionsAcceptedAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
	}
}

func validStructure() core.StructureDraft {
	return core.StructureDraft{
		IdentifierType: core.IDSIRET, Identifier: "732 829 320 00074", Kind: core.KindPrivate,
		CompanyName: "  Société   Test ", Address: "1 rue de la Paix", City: "Paris", PostalCode: "75002",
	}
}

// codes lists "field:code" of every problem, for compact comparisons.
func codes(p core.Problems) []string {
	var out []string
	for _, x := range p {
		out = append(out, x.Field+":"+x.Code)
	}
	return out
}

func TestAccount(t *testing.T) {
	tests := []struct {
		name   string
		change func(*core.AccountDraft)
		want   []string
	}{
		{"valid", func(*core.AccountDraft) {}, nil},
		{"confirmation differs", func(a *core.AccountDraft) { a.LoginEmailConfirm = "jeanne.martin@example.com" }, []string{"login_email_confirm:email.mismatch"}},
		{"confirmation domain case", func(a *core.AccountDraft) { a.LoginEmailConfirm = "jeanne.martin@EXAMPLE.fr" }, nil},
		{"everything missing", func(a *core.AccountDraft) { *a = core.AccountDraft{} }, []string{
			"login_email:required", "login_email_confirm:required", "first_name:required", "last_name:required", "conditions:conditions.required",
		}},
		{"bad phone and contact", func(a *core.AccountDraft) { a.Phone = "0712457898"; a.ContactEmail = "x@y" }, []string{"phone:phone.invalid", "contact_email:email.domain"}},
		{"name with control", func(a *core.AccountDraft) { a.FirstName = "Jea\u0000nne" }, []string{"first_name:text.format"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validAccount()
			tt.change(&a)
			_, p := Account(a)
			if got := codes(p); !slices.Equal(got, tt.want) {
				t.Errorf("problems %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAccountCanonical(t *testing.T) {
	a := validAccount()
	a.FirstName = "  Jeanne  Marie "
	got, p := Account(a)
	if len(p) != 0 {
		t.Fatal(p)
	}
	if got.Phone != "+33612457898" || got.FirstName != "Jeanne Marie" {
		t.Errorf("canonical %+v", got)
	}
	if got.EffectiveContactEmail() != got.LoginEmail {
		t.Errorf("contact e-mail defaults to %q", got.EffectiveContactEmail())
	}
}

func TestStructure(t *testing.T) {
	tests := []struct {
		name   string
		change func(*core.StructureDraft)
		want   []string
	}{
		{"valid", func(*core.StructureDraft) {}, nil},
		{"bad siret", func(s *core.StructureDraft) { s.Identifier = "73282932000079" }, []string{"identifier:siret.checksum"}},
		{"everything missing", func(s *core.StructureDraft) { *s = core.StructureDraft{IdentifierType: core.IDSIRET} }, []string{
			"identifier:required", "structure_kind:required", "company_name:required", "address:required", "city:required", "postal_code:required",
		}},
		{"unknown type", func(s *core.StructureDraft) { s.IdentifierType = "SIREN" }, []string{"identifier_type:identifier_type.invalid"}},
		{"siret abroad", func(s *core.StructureDraft) { s.Country = "DE"; s.PostalCode = "10115" }, []string{"identifier:identifier.country_mismatch"}},
		{"postal not in country", func(s *core.StructureDraft) { s.Country = "MQ" }, []string{"postal_code:postal.country"}},
		{"unknown postal warns", func(s *core.StructureDraft) { s.PostalCode = "75099" }, []string{"postal_code:postal.unknown"}},
		{"EU structure", func(s *core.StructureDraft) {
			s.IdentifierType, s.Identifier, s.Country, s.PostalCode = core.IDEUOutside, "DE 811 363 057", "DE", "10115"
		}, nil},
		{"EU prefix other country", func(s *core.StructureDraft) {
			s.IdentifierType, s.Identifier, s.Country, s.PostalCode = core.IDEUOutside, "DE 811 363 057", "AT", "1010"
		}, []string{"identifier:vat_eu.country_mismatch"}},
		{"EU structure in France", func(s *core.StructureDraft) {
			s.IdentifierType, s.Identifier = core.IDEUOutside, "FR 83 404 833 048"
		}, []string{"identifier:identifier.country_mismatch"}},
		{"Greek structure", func(s *core.StructureDraft) {
			s.IdentifierType, s.Identifier, s.Country, s.PostalCode = core.IDEUOutside, "EL 094012834", "GR", "10431"
		}, nil},
		{"one-stop shop number of a company outside the EU", func(s *core.StructureDraft) {
			s.IdentifierType, s.Identifier, s.Country, s.PostalCode = core.IDEUOutside, "EU 372 022 452", "US", "10001"
		}, nil},
		{"one-stop shop number inside the EU", func(s *core.StructureDraft) {
			s.IdentifierType, s.Identifier, s.Country, s.PostalCode = core.IDEUOutside, "EU372022452", "DE", "10115"
		}, []string{"identifier:vat_eu.country_mismatch"}},
		{"outside EU in Germany", func(s *core.StructureDraft) {
			s.IdentifierType, s.Identifier, s.Country, s.PostalCode = core.IDOutsideEU, "EIN 12-3456789", "DE", "10115"
		}, []string{"identifier:identifier.country_mismatch"}},
		{"outside EU in US", func(s *core.StructureDraft) {
			s.IdentifierType, s.Identifier, s.Country, s.PostalCode = core.IDOutsideEU, "EIN 12-3456789", "US", "10001"
		}, nil},
		{"RIDET in Nouméa", func(s *core.StructureDraft) {
			s.IdentifierType, s.Identifier, s.Country, s.PostalCode = core.IDRIDET, "1234567001", "NC", "98800"
		}, []string{"postal_code:postal.unknown"}},
		{"RIDET in France", func(s *core.StructureDraft) { s.IdentifierType, s.Identifier = core.IDRIDET, "1234567001" }, []string{"identifier:identifier.country_mismatch"}},
		{"TAHITI in Papeete", func(s *core.StructureDraft) {
			s.IdentifierType, s.Identifier, s.Country, s.PostalCode = core.IDTAHITI, "A12345001", "PF", "98714"
		}, []string{"postal_code:postal.unknown"}},
		{"being registered", func(s *core.StructureDraft) { s.IdentifierType, s.Identifier = core.IDOther, "Dossier 2026-114" }, nil},
		{"bad country", func(s *core.StructureDraft) { s.Country = "UK" }, []string{"country:country.unknown"}},
		{"bad kind", func(s *core.StructureDraft) { s.Kind = "ASSOCIATION" }, []string{"structure_kind:structure_kind.invalid"}},
		{"bad optional e-mail and phone", func(s *core.StructureDraft) { s.Email = "compta@"; s.Phone = "12" }, []string{"email:email.format", "phone:phone.format"}},
		{"too long company", func(s *core.StructureDraft) { s.CompanyName = string(make([]byte, 101)) }, []string{"company_name:text.format"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validStructure()
			tt.change(&s)
			_, p := Structure(s)
			if got := codes(p); !slices.Equal(got, tt.want) {
				t.Errorf("problems %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStructureCanonical(t *testing.T) {
	got, p := Structure(validStructure())
	if p.HasErrors() {
		t.Fatal(p)
	}
	if got.Identifier != "73282932000074" || got.CompanyName != "Société Test" || got.Country != "FR" {
		t.Errorf("canonical %+v", got)
	}
}

func TestVATMatchesSIRET(t *testing.T) {
	if err := VATMatchesSIRET("FR83404833048", "40483304800010"); err != nil {
		t.Error(err)
	}
	if err := VATMatchesSIRET("FR83404833048", "73282932000074"); Code(err) != "vat.siren_mismatch" {
		t.Errorf("mismatch: %v", err)
	}
	if err := VATMatchesSIRET("FR53000004605", "73282932000074"); err != nil {
		t.Errorf("Monaco: %v", err)
	}
}

func TestPasswordReport(t *testing.T) {
	tests := []struct {
		pw      string
		context []string
		code    string
	}{
		{"Tr0ub4dor&3x-Lune", nil, ""},
		{"jeanne.martin@EX1", []string{"jeanne.martin@example.fr"}, "password.context"},
		{"MartinMartin12", []string{"Jeanne", "Martin"}, "password.context"},
		{"Xy1!Lia-Lia-Lia", []string{"Li"}, ""},      // names under 3 letters are not context
		{"ÉléphantRose42", nil, ""},                  // accented letters count as upper and lower
		{"密码密码密码密码密码密码12!", nil, "password.classes"}, // caseless letters count in no class
		{"Ｑｗｅｒｔｙｕｉｏｐ１２３", nil, "password.common"},    // full-width: NFKC before comparing
		{"abc  DEF  123", nil, ""},                   // spaces are special characters and kept
	}
	for _, tt := range tests {
		err := CheckPassword(tt.pw, tt.context...).Err()
		if tt.code == "" && err != nil || tt.code != "" && Code(err) != tt.code {
			t.Errorf("CheckPassword(%q) = %v, want %q", tt.pw, err, tt.code)
		}
	}
	if n := CommonPasswordCount(); n < 3000 {
		t.Errorf("common password list has %d entries, want at least 3,000", n)
	}
	// 64- and 128-character passwords are accepted; 129 are refused, counted in
	// code points, not bytes.
	long := []rune("Éé1!" + string(make([]rune, 0)))
	for len(long) < 128 {
		long = append(long, 'é')
	}
	if err := CheckPassword(string(long)).Err(); err != nil {
		t.Errorf("128 code points: %v", err)
	}
	if err := CheckPassword(string(append(long, 'é'))).Err(); Code(err) != "password.too_long" {
		t.Errorf("129 code points: %v", err)
	}
}
