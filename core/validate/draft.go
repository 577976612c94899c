package validate

import (
	"strings"
	"unicode/utf8"

	"github.com/chorusonboard/chorus-onboard/core"
)

// init registers this package's rules with core: core.CheckStructure and
// core.CheckAccount, which alone build the values a store keeps, apply
// them.
func init() {
	core.RegisterRules(core.Rules{
		Structure: Structure,
		Account:   func(a core.AccountDraft) core.Problems { _, p := Account(a); return p },
	})
}

// MaxText bounds the free-text fields of a draft (names, company name,
// address lines, city), in code points.
const MaxText = 100

// Text validates a free-text field: trimmed, printable, at most MaxText code
// points; inner runs of spaces collapse to one. An empty value returns ""
// and no error: callers decide what is required.
func Text(s string) (string, error) {
	c := strings.Join(strings.Fields(trimmed(s)), " ")
	switch {
	case !printable(c):
		return "", fail("text.format", ErrInvalidFormat)
	case utf8.RuneCountInString(c) > MaxText:
		return "", fail("text.length", ErrInvalidLength)
	}
	return c, nil
}

// Identifier validates a structure identifier for its type and returns the
// canonical value.
func Identifier(t core.IdentifierType, s string) (string, error) {
	switch t {
	case core.IDSIRET:
		return SIRET(s)
	case core.IDEUOutside:
		return VATEU(s)
	case core.IDRIDET:
		return RIDET(s)
	case core.IDTAHITI:
		return TAHITI(s)
	case core.IDOutsideEU, core.IDParticulier, core.IDOther:
		return FreeIdentifier(s)
	}
	return "", fail("identifier_type.invalid", ErrInvalidComponent)
}

// siretCountries are where INSEE numbers establishments: France with its
// overseas départements, and the collectivities INSEE covers.
var siretCountries = map[string]bool{"FR": true, "GP": true, "MQ": true, "GF": true, "RE": true, "YT": true, "PM": true, "BL": true, "MF": true}

// IdentifierFitsCountry checks the identifier type against the structure's
// country: a SIRET is French, a RIDET Caledonian, a TAHITI number
// Polynesian, an EU structure outside France is in another member state and
// its VAT prefix names that state, a structure outside the EU is not in it.
func IdentifierFitsCountry(t core.IdentifierType, identifier, country string) error {
	bad := fail("identifier.country_mismatch", ErrMismatch)
	switch t {
	case core.IDSIRET:
		if !siretCountries[country] {
			return bad
		}
	case core.IDRIDET:
		if country != "NC" {
			return bad
		}
	case core.IDTAHITI:
		if country != "PF" {
			return bad
		}
	case core.IDEUOutside:
		if strings.HasPrefix(identifier, "EU") {
			// The one-stop shop's non-Union scheme numbers companies
			// established outside the EU.
			if IsEUMember(country) {
				return fail("vat_eu.country_mismatch", ErrMismatch)
			}
			return nil
		}
		if country == "FR" || !IsEUMember(country) && country != "GB" {
			return bad
		}
		if p, ok := VATPrefix(country); country == "GB" {
			if !strings.HasPrefix(identifier, "XI") {
				return fail("vat_eu.country_mismatch", ErrMismatch)
			}
		} else if ok && len(identifier) >= 2 && identifier[:2] != p {
			return fail("vat_eu.country_mismatch", ErrMismatch)
		}
	case core.IDOutsideEU:
		if IsEUMember(country) {
			return bad
		}
	}
	return nil
}

// problems collects findings; add records err (if any) for field.
type problems core.Problems

func (p *problems) add(field string, err error) {
	if err == nil {
		return
	}
	sev := core.Error
	if IsWarning(err) {
		sev = core.Warning
	}
	var params map[string]string
	if e := core.AsE(err); e != nil {
		params = e.Params
	}
	*p = append(*p, core.Problem{Field: field, Code: Code(err), Severity: sev, Params: params})
}

// required returns errRequired when the canonical value is empty.
func required(v string, err error) (string, error) {
	if err == nil && v == "" {
		return "", errRequired
	}
	return v, err
}

// optional runs f on a non-empty value; an empty one is fine.
func optional(s string, f func(string) (string, error)) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return f(s)
}

// Account validates every field of an account draft and returns the draft
// with canonical values where they are valid (others are kept as typed), and
// every problem found.
func Account(a core.AccountDraft) (core.AccountDraft, core.Problems) {
	var p problems
	out := a
	if v, err := Email(a.LoginEmail); err == nil {
		out.LoginEmail = v
	} else {
		p.add(core.FieldLoginEmail, err)
	}
	if v, err := Email(a.LoginEmailConfirm); err != nil {
		p.add(core.FieldLoginEmailConfirm, err)
	} else {
		out.LoginEmailConfirm = v
		if !SameEmail(v, out.LoginEmail) {
			p.add(core.FieldLoginEmailConfirm, fail("email.mismatch", ErrMismatch))
		}
	}
	for _, f := range []struct {
		field string
		in    string
		dst   *string
	}{{core.FieldFirstName, a.FirstName, &out.FirstName}, {core.FieldLastName, a.LastName, &out.LastName}} {
		v, err := required(Text(f.in))
		p.add(f.field, err)
		if err == nil {
			*f.dst = v
		}
	}
	if v, err := optional(a.Phone, Phone); err == nil {
		out.Phone = v
	} else {
		p.add(core.FieldPhone, err)
	}
	if v, err := optional(a.ContactEmail, Email); err == nil {
		out.ContactEmail = v
	} else {
		p.add(core.FieldContactEmail, err)
	}
	if !a.ConditionsAccepted() {
		p.add(core.FieldConditions, fail("conditions.required", ErrRequired))
	}
	return out, core.Problems(p)
}

// Structure validates every field of a structure draft, then the rules that
// tie fields together, and returns the draft with canonical values where
// they are valid and every problem found.
func Structure(s core.StructureDraft) (core.StructureDraft, core.Problems) {
	var p problems
	out := s
	country, cerr := CountryCode(s.EffectiveCountry())
	p.add(core.FieldCountry, cerr)
	if cerr == nil {
		out.Country = country
	}
	if !s.IdentifierType.Valid() {
		p.add(core.FieldIdentifierType, fail("identifier_type.invalid", ErrInvalidComponent))
	} else {
		id, err := Identifier(s.IdentifierType, s.Identifier)
		p.add(core.FieldIdentifier, err)
		if !Rejects(err) {
			out.Identifier = id
			if cerr == nil {
				p.add(core.FieldIdentifier, IdentifierFitsCountry(s.IdentifierType, id, country))
			}
		}
	}
	if !s.Kind.Valid() {
		code := "structure_kind.invalid"
		if s.Kind == "" {
			code = CodeRequired
		}
		p.add(core.FieldStructureKind, fail(code, ErrInvalidComponent))
	}
	texts := []struct {
		field string
		in    string
		dst   *string
		req   bool
	}{
		{core.FieldCompanyName, s.CompanyName, &out.CompanyName, true},
		{core.FieldStructureName, s.StructureName, &out.StructureName, false},
		{core.FieldAddress, s.Address, &out.Address, true},
		{core.FieldComplement1, s.Complement1, &out.Complement1, false},
		{core.FieldComplement2, s.Complement2, &out.Complement2, false},
		{core.FieldCity, s.City, &out.City, true},
	}
	for _, f := range texts {
		v, err := Text(f.in)
		if f.req {
			v, err = required(v, err)
		}
		p.add(f.field, err)
		if err == nil {
			*f.dst = v
		}
	}
	if v, err := optional(s.Email, Email); err == nil {
		out.Email = v
	} else {
		p.add(core.FieldEmail, err)
	}
	phoneCountry := ""
	if cerr == nil {
		phoneCountry = country
	}
	if v, err := optional(s.Phone, func(x string) (string, error) { return PhoneIn(x, phoneCountry) }); err == nil {
		out.Phone = v
	} else {
		p.add(core.FieldPhone, err)
	}
	pc, err := PostalCodeIn(s.PostalCode, phoneCountry)
	p.add(core.FieldPostalCode, err)
	if !Rejects(err) {
		out.PostalCode = pc
	}
	return out, core.Problems(p)
}
