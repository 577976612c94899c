package validate

import (
	"bufio"
	_ "embed"
	"regexp"
	"strings"
	"sync"
)

//go:embed data/postal_codes.txt
var postalCodesData string

var knownPostal = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, 6500)
	sc := bufio.NewScanner(strings.NewReader(postalCodesData))
	for sc.Scan() {
		m[sc.Text()] = true
	}
	return m
})

var (
	// postalSyntax covers every code of La Poste's numbering: metropolitan
	// départements 01-95 (Corsica is 20xxx), the DROM 971-976, Monaco 980,
	// Wallis-et-Futuna 986, Polynésie 987, Nouvelle-Calédonie 988.
	postalSyntax = regexp.MustCompile(`^(?:(?:0[1-9]|[1-8]\d|9[0-5])\d{3}|97[1-6]\d{2}|980\d{2}|98[678]\d{2})$`)
	fiveDigits   = regexp.MustCompile(`^\d{5}$`)
	// postalByCountry narrows the syntax to the codes of one ISO country.
	postalByCountry = map[string]*regexp.Regexp{
		"FR": regexp.MustCompile(`^(?:(?:0[1-9]|[1-8]\d|9[0-5])\d{3}|97[1-46]\d{2})$`),
		"GP": regexp.MustCompile(`^971\d{2}$`),
		"MQ": regexp.MustCompile(`^972\d{2}$`),
		"GF": regexp.MustCompile(`^973\d{2}$`),
		"RE": regexp.MustCompile(`^974\d{2}$`),
		"YT": regexp.MustCompile(`^976\d{2}$`),
		"PM": regexp.MustCompile(`^97500$`),
		"BL": regexp.MustCompile(`^97133$`),
		"MF": regexp.MustCompile(`^97150$`),
		"MC": regexp.MustCompile(`^980\d{2}$`),
		"WF": regexp.MustCompile(`^986\d{2}$`),
		"PF": regexp.MustCompile(`^987\d{2}$`),
		"NC": regexp.MustCompile(`^988\d{2}$`),
	}
)

// UsesFrenchPostalCodes reports whether addresses in country use La Poste's
// 5-digit codes.
func UsesFrenchPostalCodes(country string) bool {
	_, ok := postalByCountry[country]
	return ok
}

// PostalCode validates a French postal code (5 digits, kept as a string so
// 01000 keeps its zero). Only the outside is trimmed: an inner space is an
// error. A code of the right shape that is not in the embedded list only
// warns (postal.unknown), because the list ages and CEDEX codes are absent.
func PostalCode(s string) (string, error) { return PostalCodeIn(s, "") }

// PostalCodeIn validates a postal code for an address in country (ISO
// alpha-2). An empty country checks La Poste's syntax only. For a country
// outside La Poste's numbering, any printable code of at most 12 characters is
// accepted, since foreign formats are not checked offline.
func PostalCodeIn(s, country string) (string, error) {
	c := trimmed(s)
	if c == "" {
		return "", errRequired
	}
	if country != "" && !UsesFrenchPostalCodes(country) {
		if !printable(c) || len([]rune(c)) > 12 {
			return "", fail("postal.format", ErrInvalidFormat)
		}
		return strings.ToUpper(c), nil
	}
	if !fiveDigits.MatchString(c) {
		if isDigits(c) {
			return "", fail("postal.length", ErrInvalidLength)
		}
		return "", fail("postal.format", ErrInvalidFormat)
	}
	if !postalSyntax.MatchString(c) {
		return "", fail("postal.format", ErrInvalidFormat)
	}
	if country != "" && !postalByCountry[country].MatchString(c) {
		return "", fail("postal.country", ErrInvalidComponent)
	}
	if !knownPostal()[c] {
		return c, warn("postal.unknown", ErrInvalidComponent)
	}
	return c, nil
}
