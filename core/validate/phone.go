package validate

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// domPrefixes maps the 4-digit national prefixes of the overseas regions to
// their libphonenumber region. They must be chosen before parsing: parsed as
// FR, 0596… and 0269… become +33 numbers that pass validation but ring
// nowhere, and 0262…/0590… are refused.
var domPrefixes = map[string]string{
	"0262": "RE", "0263": "RE", "0692": "RE", "0693": "RE",
	"0269": "YT", "0639": "YT",
	"0590": "GP", "0690": "GP", "0691": "GP",
	"0594": "GF", "0694": "GF",
	"0596": "MQ", "0696": "MQ", "0697": "MQ",
}

// frenchPlan are the ISO countries dialled with the French 10-digit national
// format (0 + 9 digits).
var frenchPlan = map[string]bool{"FR": true, "GP": true, "MQ": true, "GF": true, "RE": true, "YT": true, "BL": true, "MF": true}

// noTrunkPrefix are the French territories whose numbers have no leading 0.
var noTrunkPrefix = map[string]bool{"PM": true, "NC": true, "PF": true, "WF": true}

// Phone validates a phone number for a French user (the default region is
// France) and returns it in E.164.
func Phone(s string) (string, error) { return PhoneIn(s, "") }

// PhoneIn validates a phone number of someone whose address is in country
// (ISO alpha-2; empty means France) and returns it in E.164. International
// numbers (+ or 00) are accepted from anywhere. A national number is read in
// the overseas region its prefix names, else in country. Numbers without the
// trunk 0 (555 015 544) or with a country code but no + (33612457898) are
// refused, though libphonenumber would guess them.
func PhoneIn(s, country string) (string, error) {
	t := trimmed(s)
	if t == "" {
		return "", errRequired
	}
	if country == "" {
		country = "FR"
	}
	var digits strings.Builder
	for i, r := range t {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
			digits.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", fail("phone.format", ErrInvalidFormat)
		}
	}
	d := digits.String()
	region := country
	switch {
	case strings.HasPrefix(d, "+") || strings.HasPrefix(d, "00"):
		n := strings.TrimPrefix(strings.TrimPrefix(d, "+"), "00")
		if !isDigits(n) || len(n) < 7 || len(n) > 15 {
			return "", fail("phone.length", ErrInvalidLength)
		}
		d = "+" + n
	case frenchPlan[country] || !phonenumbersKnows(country):
		if len(d) != 10 || d[0] != '0' || d[1] == '0' {
			if len(d) >= 2 && d[0] == '0' && d[1] != '0' {
				return "", fail("phone.length", ErrInvalidLength)
			}
			return "", fail("phone.format", ErrInvalidFormat)
		}
		region = "FR"
		if frenchPlan[country] {
			region = country
		}
		if r, ok := domPrefixes[d[:4]]; ok {
			region = r
		}
	case noTrunkPrefix[country]:
		if len(d) < 6 || len(d) > 9 {
			return "", fail("phone.length", ErrInvalidLength)
		}
	default:
		if len(d) < 6 || len(d) > 15 {
			return "", fail("phone.length", ErrInvalidLength)
		}
	}
	if frenchPlan[region] && len(d) == 10 && d[0] == '0' {
		return frenchNational(d, region)
	}
	return parsed(d, region)
}

// parsed is libphonenumber's reading of d in region, valid or refused.
func parsed(d, region string) (string, error) {
	num, err := phonenumbers.Parse(d, region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", fail("phone.invalid", ErrInvalidComponent)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// frenchNational checks a national number of the French plan (0 and nine
// digits, d) in region without parsing it again: its digits are already
// clean, and libphonenumber's Parse (its extension and punctuation
// regular expressions) was a fifth of a 10,000-row import's time. The
// number is the region's country code and the nine digits after the 0,
// checked against the region's patterns as Parse's result is
// (TestFrenchNationalAsParsed compares the two on every prefix).
func frenchNational(d, region string) (string, error) {
	cc := int32(phonenumbers.GetCountryCodeForRegion(region))
	nsn, err := strconv.ParseUint(d[1:], 10, 64)
	if cc == 0 || err != nil {
		return parsed(d, region)
	}
	num := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nsn}
	if !phonenumbers.IsValidNumber(num) {
		return "", fail("phone.invalid", ErrInvalidComponent)
	}
	return "+" + strconv.Itoa(int(cc)) + d[1:], nil
}

func phonenumbersKnows(region string) bool {
	return phonenumbers.GetCountryCodeForRegion(region) != 0
}
