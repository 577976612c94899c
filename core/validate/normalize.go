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
//
// Every structure saved computes its key on the store's one writer, so the
// ASCII bytes, nearly all of a French company's fields, are folded as they
// are and only the runs of other bytes go through NFKD: an ASCII character
// is a starter that no normalization decomposes or reorders, so cutting
// the text there changes nothing in the result (FuzzSearchKey compares it
// with NFKD of the whole text). Bytes that are not UTF-8 (a row of a
// broken file, kept as a draft with its errors) separate words, as any
// other character that is not a letter or a digit: NFKD would otherwise
// read them with their neighbours, differently at the end of a text.
func SearchKey(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	k := searchKeyBuilder{}
	k.b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			k.add(rune(s[i]))
			i++
			continue
		}
		j := i + 1
		for j < len(s) && s[j] >= utf8.RuneSelf {
			j++
		}
		for _, r := range norm.NFKD.String(s[i:j]) {
			k.add(r)
		}
		i = j
	}
	return k.b.String()
}

// searchKeyBuilder writes a search key one decomposed rune at a time.
type searchKeyBuilder struct {
	b     strings.Builder
	space bool // a separator was seen since the last letter or digit
}

// add folds r: a mark is dropped, a letter or digit lowered, anything else
// ends a word.
func (k *searchKeyBuilder) add(r rune) {
	switch {
	case r < utf8.RuneSelf && ('a' <= r && r <= 'z' || '0' <= r && r <= '9'):
	case r < utf8.RuneSelf && 'A' <= r && r <= 'Z':
		r += 'a' - 'A'
	case r < utf8.RuneSelf:
		k.space = true
		return
	case unicode.Is(unicode.Mn, r):
		return
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		r = unicode.ToLower(r)
	default:
		k.space = true
		return
	}
	if k.space && k.b.Len() > 0 {
		k.b.WriteByte(' ')
	}
	k.space = false
	k.b.WriteRune(r)
}
