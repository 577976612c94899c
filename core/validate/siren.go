package validate

import "fmt"

// luhn reports whether the digit string s passes the Luhn check, walking from
// the right: the doubled positions depend on the length, so never count from
// the left.
func luhn(s string) bool { return luhnSum(s)%10 == 0 }

// luhnSum is the Luhn sum of s's digits, the rightmost one not doubled.
func luhnSum(s string) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum
}

func digitSum(s string) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i] - '0')
	}
	return sum
}

// LaPosteSIREN is La Poste's SIREN; its establishments follow a rule of their
// own (the digit sum of the SIRET is a multiple of 5).
const LaPosteSIREN = "356000000"

// SIREN validates a French company number (9 digits, Luhn) and returns its 9
// digits.
func SIREN(s string) (string, error) {
	c := Compact(s)
	switch {
	case c == "":
		return "", errRequired
	case !isDigits(c):
		return "", fail("siren.format", ErrInvalidFormat)
	case len(c) != 9:
		return "", fail("siren.length", ErrInvalidLength)
	case !luhn(c):
		return "", fail("siren.checksum", ErrInvalidChecksum)
	}
	return c, nil
}

// SIRET validates a French establishment number and returns its 14 digits.
// It applies INSEE's rule: Luhn over the 14 digits and over the SIREN part,
// or, for La Poste (SIREN 356000000) only, a digit sum that is a multiple of 5.
func SIRET(s string) (string, error) {
	c := Compact(s)
	switch {
	case c == "":
		return "", errRequired
	case !isDigits(c):
		return "", fail("siret.format", ErrInvalidFormat)
	case len(c) != 14:
		return "", fail("siret.length", ErrInvalidLength)
	}
	if luhn(c) && luhn(c[:9]) {
		return c, nil
	}
	if c[:9] == LaPosteSIREN && digitSum(c)%5 == 0 {
		return c, nil
	}
	if !luhn(c[:9]) {
		return "", fail("siret.siren_checksum", ErrInvalidChecksum)
	}
	return "", fail("siret.checksum", ErrInvalidChecksum)
}

// FormatSIRET writes a canonical SIRET as INSEE prints it: "732 829 320 00074".
func FormatSIRET(c string) string {
	if len(c) != 14 {
		return c
	}
	return c[:3] + " " + c[3:6] + " " + c[6:9] + " " + c[9:]
}

// VATKey returns the numeric key of the French VAT number of a 9-digit SIREN:
// (12 + 3 × (SIREN mod 97)) mod 97, two digits. The key is derived, never
// looked up, so the app can fill the VAT number itself.
func VATKey(siren string) string {
	n := 0
	for i := 0; i < len(siren); i++ {
		n = (n*10 + int(siren[i]-'0')) % 97
	}
	return fmt.Sprintf("%02d", (12+3*n)%97)
}

// VATFromSIREN returns the French VAT number (FR + key + SIREN) of a valid
// SIREN.
func VATFromSIREN(s string) (string, error) {
	c, err := SIREN(s)
	if err != nil {
		return "", err
	}
	return "FR" + VATKey(c) + c, nil
}
