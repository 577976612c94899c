package validate

import (
	"regexp"
	"strconv"
	"strings"
)

// vatAlphabet is the alphabet of the new-style French VAT keys: no I, no O.
const vatAlphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// VATFR validates a French intra-community VAT number, with or without the FR
// prefix, and returns "FR" + key + SIREN in upper case. It accepts numeric
// keys, the alphanumeric keys of python-stdnum, and Monaco numbers (whose
// "SIREN" starts with 000 and skips the SIREN check).
func VATFR(s string) (string, error) {
	c := strings.ToUpper(Compact(s))
	if c == "" {
		return "", errRequired
	}
	if strings.HasPrefix(c, "FR") {
		c = c[2:]
		if strings.HasPrefix(c, "FR") && len(c) == 13 {
			return "", fail("vat_fr.prefix", ErrInvalidFormat)
		}
	}
	if len(c) < 2 || !strings.ContainsRune(vatAlphabet, rune(c[0])) || !strings.ContainsRune(vatAlphabet, rune(c[1])) {
		return "", fail("vat_fr.format", ErrInvalidFormat)
	}
	if !isDigits(c[2:]) {
		return "", fail("vat_fr.format", ErrInvalidFormat)
	}
	if len(c) != 11 {
		return "", fail("vat_fr.length", ErrInvalidLength)
	}
	siren := c[2:]
	if !IsMonacoVAT(c) && !luhn(siren) {
		return "", fail("vat_fr.siren_checksum", ErrInvalidChecksum)
	}
	if isDigits(c[:2]) {
		if c[:2] != VATKey(siren) {
			return "", fail("vat_fr.key", ErrInvalidChecksum)
		}
		return "FR" + c, nil
	}
	a, b := strings.IndexByte(vatAlphabet, c[0]), strings.IndexByte(vatAlphabet, c[1])
	var check int
	if c[0] >= '0' && c[0] <= '9' {
		check = a*24 + b - 10
	} else {
		check = a*34 + b - 100
	}
	n, _ := strconv.Atoi(siren)
	if (n+1+check/11)%11 != check%11 {
		return "", fail("vat_fr.key", ErrInvalidChecksum)
	}
	return "FR" + c, nil
}

// IsMonacoVAT reports whether a compact French VAT number (with or without
// FR) belongs to a Monaco company: its SIREN part starts with 000.
func IsMonacoVAT(c string) bool {
	c = strings.TrimPrefix(c, "FR")
	return len(c) == 11 && c[2:5] == "000"
}

// euVAT holds the format of each VAT prefix after the prefix itself. Greece
// uses EL, Northern Ireland XI, and EU is the one-stop shop's non-Union
// scheme (companies established outside the EU that sell digital services
// in it). Formats only: Chorus Pro checks the structure of the number, not
// its reality.
var euVAT = map[string]*regexp.Regexp{
	"AT": regexp.MustCompile(`^U\d{8}$`),
	"BE": regexp.MustCompile(`^[01]\d{9}$`),
	"BG": regexp.MustCompile(`^\d{9,10}$`),
	"CY": regexp.MustCompile(`^\d{8}[A-Z]$`),
	"CZ": regexp.MustCompile(`^\d{8,10}$`),
	"DE": regexp.MustCompile(`^[1-9]\d{8}$`),
	"DK": regexp.MustCompile(`^\d{8}$`),
	"EE": regexp.MustCompile(`^\d{9}$`),
	"EL": regexp.MustCompile(`^\d{9}$`),
	"ES": regexp.MustCompile(`^[0-9A-Z]\d{7}[0-9A-Z]$`),
	"FI": regexp.MustCompile(`^\d{8}$`),
	"HR": regexp.MustCompile(`^\d{11}$`),
	"HU": regexp.MustCompile(`^\d{8}$`),
	"IE": regexp.MustCompile(`^(\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W])$`),
	"IT": regexp.MustCompile(`^\d{11}$`),
	"LT": regexp.MustCompile(`^(\d{9}|\d{12})$`),
	"LU": regexp.MustCompile(`^\d{8}$`),
	"LV": regexp.MustCompile(`^\d{11}$`),
	"MT": regexp.MustCompile(`^\d{8}$`),
	"NL": regexp.MustCompile(`^\d{9}B(0[1-9]|[1-9]\d)$`),
	"PL": regexp.MustCompile(`^\d{10}$`),
	"PT": regexp.MustCompile(`^\d{9}$`),
	"RO": regexp.MustCompile(`^(\d{2,10}|\d{13})$`),
	"SE": regexp.MustCompile(`^\d{10}01$`),
	"SI": regexp.MustCompile(`^\d{8}$`),
	"SK": regexp.MustCompile(`^[1-9]\d[2-47-9]\d{7}$`),
	"XI": regexp.MustCompile(`^(\d{9}|\d{12}|GD\d{3}|HA\d{3})$`),
	"EU": regexp.MustCompile(`^\d{9}$`),
}

// ossStates are the ISO 3166-1 numeric codes a one-stop shop number starts
// with: the member state that issued it (900 is Northern Ireland), after
// python-stdnum's stdnum.eu.oss.
var ossStates = map[string]bool{
	"040": true, "056": true, "100": true, "191": true, "196": true, "203": true, "208": true, "233": true,
	"246": true, "250": true, "276": true, "300": true, "348": true, "372": true, "380": true, "428": true,
	"440": true, "442": true, "470": true, "528": true, "616": true, "620": true, "642": true, "703": true,
	"705": true, "724": true, "752": true, "900": true,
}

// VATPrefix returns the VAT prefix of an ISO country code: EL for Greece, XI
// is kept as is; ok is false for a country outside the EU VAT area.
func VATPrefix(country string) (prefix string, ok bool) {
	switch country {
	case "GR":
		return "EL", true
	case "FR":
		return "FR", true
	case "EU":
		return "", false // a scheme, not a country
	}
	_, ok = euVAT[country]
	return country, ok
}

// VATEU validates an EU VAT number of any member state (prefix required) and
// returns it compact in upper case. A French number goes through VATFR. GR is
// accepted as a prefix and rewritten EL, as VIES expects.
func VATEU(s string) (string, error) {
	c := strings.ToUpper(vatCompact(s))
	if c == "" {
		return "", errRequired
	}
	if len(c) < 3 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
		return "", fail("vat_eu.prefix", ErrInvalidComponent)
	}
	cc, rest := c[:2], c[2:]
	if cc == "GR" {
		cc = "EL"
	}
	if cc == "FR" {
		return VATFR(c)
	}
	re, ok := euVAT[cc]
	if !ok {
		return "", fail("vat_eu.prefix", ErrInvalidComponent)
	}
	rest = padVAT(cc, rest)
	if !re.MatchString(rest) {
		return "", fail("vat_eu.format", ErrInvalidFormat)
	}
	if !vatComponentOK(cc, rest) {
		return "", fail("vat_eu.component", ErrInvalidComponent)
	}
	if check, ok := vatChecksums[cc]; ok && !check(rest) {
		return cc + rest, warn("vat_eu.checksum", ErrInvalidChecksum)
	}
	return cc + rest, nil
}

// vatCompact is Compact plus the punctuation found in published VAT numbers:
// "BE (0)468.561.072", "EL: 094279805", "CZ 640229/4448".
func vatCompact(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '(', ')', ':', '/':
			return -1
		}
		return r
	}, Compact(s))
}

// padVAT restores the leading zeros that national formats drop: legacy
// 9-digit Belgian numbers, 8-digit Greek ones, Dutch numbers written
// without the zeros before the B.
func padVAT(cc, rest string) string {
	switch {
	case cc == "BE" && len(rest) == 9 && isDigits(rest):
		return "0" + rest
	case cc == "EL" && len(rest) == 8 && isDigits(rest):
		return "0" + rest
	case cc == "NL":
		if b := strings.IndexByte(rest, 'B'); b > 0 && b < 9 && isDigits(rest[:b]) {
			return strings.Repeat("0", 9-b) + rest
		}
	}
	return rest
}

// vatComponentOK checks the parts of a well-formed number that national
// rules reserve: Cypriot numbers never start with 12, 8-digit Czech legal
// entities never with 9, Italian office codes are 001-100, 120, 121, 888 or
// 999, the Lithuanian 7th (or 11th) digit is 1, Northern Irish government
// departments and health authorities have their ranges, and a one-stop
// shop number starts with the code of the member state that issued it.
func vatComponentOK(cc, rest string) bool {
	switch cc {
	case "CY":
		return !strings.HasPrefix(rest, "12")
	case "CZ":
		return len(rest) != 8 || rest[0] != '9'
	case "IT":
		office := rest[7:10]
		return office >= "001" && office <= "100" || office == "120" || office == "121" || office == "888" || office == "999"
	case "LT":
		return rest[len(rest)-2] == '1'
	case "XI":
		// Government departments are numbered under 500, health
		// authorities from 500.
		switch {
		case strings.HasPrefix(rest, "GD"):
			return atoi(rest[2:]) < 500
		case strings.HasPrefix(rest, "HA"):
			return atoi(rest[2:]) >= 500
		}
	case "EU":
		return ossStates[rest[:3]]
	}
	return true
}

// VATMatchesSIRET checks that a French VAT number and a SIRET name the same
// company: the VAT's SIREN part is the SIRET's first 9 digits. Monaco numbers
// have no SIREN and always match. Both values must already be canonical.
func VATMatchesSIRET(vat, siret string) error {
	if IsMonacoVAT(vat) || len(siret) < 9 {
		return nil
	}
	if strings.TrimPrefix(vat, "FR")[2:] != siret[:9] {
		return fail("vat.siren_mismatch", ErrMismatch)
	}
	return nil
}
