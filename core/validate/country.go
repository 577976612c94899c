package validate

import (
	"bufio"
	_ "embed"
	"strings"
	"sync"
)

//go:embed data/countries.tsv
var countriesData string

// Country is one ISO 3166-1 country with its English and French short names.
type Country struct {
	Code, NameEN, NameFR string
}

var countries = sync.OnceValue(func() []Country {
	var out []Country
	sc := bufio.NewScanner(strings.NewReader(countriesData))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		out = append(out, Country{f[0], f[1], f[2]})
	}
	return out
})

var countryIndex = sync.OnceValue(func() map[string]Country {
	m := make(map[string]Country, 249)
	for _, c := range countries() {
		m[c.Code] = c
	}
	return m
})

// Countries returns the 249 officially assigned ISO 3166-1 alpha-2 codes,
// sorted by code. The slice is shared: do not modify it.
func Countries() []Country { return countries() }

// LookupCountry returns the country of a canonical code.
func LookupCountry(code string) (Country, bool) {
	c, ok := countryIndex()[code]
	return c, ok
}

// CountryCode validates an ISO 3166-1 alpha-2 code and returns it in upper
// case. Exactly the 249 assigned codes pass: no UK, EL, XI, XK, FX, alpha-3
// or numeric codes, which looser libraries accept.
func CountryCode(s string) (string, error) {
	c := strings.ToUpper(trimmed(s))
	switch {
	case c == "":
		return "", errRequired
	case len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z':
		return "", fail("country.format", ErrInvalidFormat)
	}
	if _, ok := countryIndex()[c]; !ok {
		return "", fail("country.unknown", ErrInvalidComponent)
	}
	return c, nil
}

// euMembers are the EU member states by ISO code (Greece is GR here; EL is
// only its VAT prefix).
var euMembers = map[string]bool{
	"AT": true, "BE": true, "BG": true, "CY": true, "CZ": true, "DE": true, "DK": true,
	"EE": true, "ES": true, "FI": true, "FR": true, "GR": true, "HR": true, "HU": true,
	"IE": true, "IT": true, "LT": true, "LU": true, "LV": true, "MT": true, "NL": true,
	"PL": true, "PT": true, "RO": true, "SE": true, "SI": true, "SK": true,
}

// IsEUMember reports whether an ISO code is an EU member state.
func IsEUMember(country string) bool { return euMembers[country] }
