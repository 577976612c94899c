package validate

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Compact normalises an identifier as users paste it: NFKC first (full-width
// and mathematical digits become ASCII, NBSP becomes a space), then every
// space, dot and dash is removed. Letters are left as they are.
func Compact(s string) string {
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r), r == '\u00a0', r == '\u202f', r == '\u2007', r == '\u200b', r == '\ufeff':
			return -1
		case r == '.', r == '-', r == '\u2212', r >= '\u2010' && r <= '\u2015':
			return -1
		}
		return r
	}, s)
}

// isDigits reports whether s is non-empty ASCII digits only.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// trimmed applies NFKC and trims Unicode spaces on both sides; used for
// values whose inner spaces matter (names, addresses, e-mail).
func trimmed(s string) string {
	return strings.TrimFunc(norm.NFKC.String(s), unicode.IsSpace)
}

// printable reports whether s holds no control or invisible format
// character, so that a value cannot hide text from the person reading it,
// and no U+FFFD: the mark of bytes that were not text (a broken encoding,
// half a UTF-16 pair), never what a person typed.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// SearchKey folds text for searching the way people type: compatibility
// forms unfolded (NFKD), accents dropped, lower case, every run of other
// characters one space. "Société Générale" and "societe  generale" give
// the same key.
func SearchKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}
