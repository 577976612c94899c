package validate

import (
	"strings"
)

// InvoicingShape is the form of an invoicing address (adresse de
// facturation) of the directory of electronic invoicing: each starts with
// the company's SIREN.
type InvoicingShape string

// The directory's shapes (specifications externes du PPF, annuaire).
const (
	ShapeSIREN        InvoicingShape = "SIREN"                   // 732829320
	ShapeSIRENSuffix  InvoicingShape = "SIREN_SUFFIX"            // 732829320_FACTURES
	ShapeSIRENSIRET   InvoicingShape = "SIREN_SIRET"             // 732829320_73282932000074
	ShapeSIRETRouting InvoicingShape = "SIREN_SIRET_ROUTINGCODE" // 732829320_73282932000074_SERVICE-ACHATS
)

// Bounds of an invoicing address's parts. The directory's published
// ceiling for a whole address is not known to us; a suffix or routing
// code of 100 characters is far beyond any seen, and keeps a mistyped
// paste from passing.
const (
	maxSuffix  = 100
	maxRouting = 100
)

// ICDFrench is the ISO 6523 scheme of a French electronic address: an
// invoicing address written as an identifier is "0225:" + the address.
const ICDFrench = "0225"

// InvoicingAddress checks an invoicing address a client gave for the
// structure whose SIREN is siren, and returns it canonical (without the
// "0225:" scheme, spaces removed around it, suffix and routing code as
// typed) and its shape. It must start with that SIREN; a SIRET part must
// be a valid SIRET of that SIREN; a suffix or routing code holds letters,
// digits and - . / + only, and a suffix is no SIRET (that shape is
// SIREN_SIRET).
func InvoicingAddress(s, siren string) (string, InvoicingShape, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return "", "", errRequired
	}
	if rest, ok := strings.CutPrefix(v, ICDFrench+":"); ok {
		v = strings.TrimSpace(rest)
	}
	parts := strings.Split(v, "_")
	head, err := SIREN(parts[0])
	if err != nil || len(Compact(parts[0])) != len(parts[0]) {
		// The SIREN part as typed: 9 digits, no spaces inside an address.
		return "", "", fail("invoicing.siren", ErrInvalidFormat)
	}
	if head != siren {
		return "", "", fail("invoicing.other_siren", ErrMismatch)
	}
	switch len(parts) {
	case 1:
		return head, ShapeSIREN, nil
	case 2:
		if isDigits(parts[1]) && len(parts[1]) == 14 {
			if err := siretOf(parts[1], head); err != nil {
				return "", "", err
			}
			return v, ShapeSIRENSIRET, nil
		}
		if err := codePart(parts[1], maxSuffix, "invoicing.suffix"); err != nil {
			return "", "", err
		}
		return v, ShapeSIRENSuffix, nil
	case 3:
		if err := siretOf(parts[1], head); err != nil {
			return "", "", err
		}
		if err := codePart(parts[2], maxRouting, "invoicing.routing_code"); err != nil {
			return "", "", err
		}
		return v, ShapeSIRETRouting, nil
	}
	return "", "", fail("invoicing.format", ErrInvalidFormat)
}

// siretOf checks the SIRET part of an address: valid, of this SIREN.
func siretOf(s, siren string) error {
	c, err := SIRET(s)
	if err != nil || c != s {
		return fail("invoicing.siret", ErrInvalidFormat)
	}
	if c[:9] != siren {
		return fail("invoicing.other_siren", ErrMismatch)
	}
	return nil
}

// codePart checks a suffix or routing code: 1 to max characters, letters,
// digits and - . / + only.
func codePart(s string, max int, code string) error {
	if s == "" || len(s) > max {
		return fail(code, ErrInvalidLength)
	}
	for _, r := range s {
		switch {
		case 'A' <= r && r <= 'Z', 'a' <= r && r <= 'z', '0' <= r && r <= '9', strings.ContainsRune("-./+", r):
		default:
			return fail(code, ErrInvalidFormat)
		}
	}
	return nil
}
