package validate

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// RIDET validates a New Caledonian establishment number: the 7-digit RID of
// the company plus a 3-digit establishment rank, 10 digits in all (ISEE).
func RIDET(s string) (string, error) {
	c := Compact(s)
	switch {
	case c == "":
		return "", errRequired
	case !isDigits(c):
		return "", fail("ridet.format", ErrInvalidFormat)
	case len(c) != 10:
		return "", fail("ridet.length", ErrInvalidLength)
	}
	return c, nil
}

var (
	tahitiEstablishment = regexp.MustCompile(`^[A-Z0-9]\d{8}$`)
	tahitiCompany       = regexp.MustCompile(`^[A-Z0-9]\d{5}$`)
	alnum               = regexp.MustCompile(`^[A-Z0-9]+$`)
)

// TAHITI validates a French Polynesian number (ISPF). An establishment has 9
// characters: the 6 of the company (6 digits before 2011, one letter and 5
// digits since) and a 3-digit rank. No checksum is published and the letter's
// position is not documented, so shapes other than the establishment's only
// warn; characters other than letters and digits are refused.
func TAHITI(s string) (string, error) {
	c := strings.ToUpper(Compact(s))
	switch {
	case c == "":
		return "", errRequired
	case !alnum.MatchString(c):
		return "", fail("tahiti.format", ErrInvalidFormat)
	case len(c) > maxIdentifier:
		return "", fail("tahiti.length", ErrInvalidLength)
	case tahitiEstablishment.MatchString(c):
		return c, nil
	case tahitiCompany.MatchString(c):
		return c, warn("tahiti.company_only", ErrInvalidLength)
	}
	return c, warn("tahiti.unusual", ErrInvalidFormat)
}

// maxIdentifier bounds identifiers without a published format. The portal's
// field length is not documented; the e-invoicing schemes use at most 18.
const maxIdentifier = 18

// maxFreeIdentifier bounds identifiers of the types that have no format at
// all. Generous on purpose: refusing a real foreign number offline, with no
// source to say it is wrong, would be worse than letting the portal decide.
const maxFreeIdentifier = 80

// FreeIdentifier validates an identifier without a published format
// (HORS_UE, PARTICULIER, AUTRE): non-empty, printable, at most 80 characters.
// Inner runs of spaces collapse to one.
func FreeIdentifier(s string) (string, error) {
	c := strings.Join(strings.Fields(trimmed(s)), " ")
	switch {
	case c == "":
		return "", errRequired
	case !printable(c):
		return "", fail("identifier.format", ErrInvalidFormat)
	case utf8.RuneCountInString(c) > maxFreeIdentifier:
		return "", fail("identifier.length", ErrInvalidLength)
	}
	return c, nil
}
