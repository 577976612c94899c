package validate

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/chorusonboard/chorus-onboard/core"
)

// whatwgEmail is the HTML standard's "valid e-mail address", a deliberate
// narrowing of RFC 5322 to what people type.
var whatwgEmail = regexp.MustCompile("^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")

// Email validates an e-mail address as a person types it and returns it
// trimmed, as typed (the local part's case may matter to its server). Beyond
// the WHATWG pattern: ASCII only, at most 254 characters (64 before the @, 63
// per label), a dot-atom local part, a domain with a dot whose last label is
// alphabetic (or an xn-- label), and agreement with net/mail.
//
// An address is never rewritten character by character: one typed with
// compatibility forms (full-width letters from an Asian keyboard, ligatures,
// a non-breaking space) is refused with "email.compat", whose {chars}
// parameter names each such character so the user types it again, since
// another server would not read it the same way.
func Email(s string) (string, error) {
	c := strings.TrimFunc(s, unicode.IsSpace)
	if c == "" {
		return "", errRequired
	}
	if bad := compatChars(c); bad != "" {
		return "", &Error{Kind: core.KindInvalid, Code: "email.compat", Err: ErrInvalidFormat, Params: map[string]string{"chars": bad}}
	}
	for i := 0; i < len(c); i++ {
		if c[i] >= 0x80 {
			return "", fail("email.non_ascii", ErrInvalidFormat)
		}
		if c[i] <= ' ' || c[i] == 0x7f {
			return "", fail("email.format", ErrInvalidFormat)
		}
	}
	at := strings.LastIndexByte(c, '@')
	if at < 0 {
		return "", fail("email.missing_at", ErrInvalidFormat)
	}
	local, domain := c[:at], c[at+1:]
	if len(c) > 254 || len(local) > 64 {
		return "", fail("email.length", ErrInvalidLength)
	}
	if !whatwgEmail.MatchString(c) {
		return "", fail("email.format", ErrInvalidFormat)
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "", fail("email.format", ErrInvalidFormat)
	}
	labels := strings.Split(domain, ".")
	tld := labels[len(labels)-1]
	if len(labels) < 2 || !(isAlpha(tld) && len(tld) >= 2 || strings.HasPrefix(strings.ToLower(tld), "xn--")) {
		return "", fail("email.domain", ErrInvalidComponent)
	}
	a, err := mail.ParseAddress(c)
	if err != nil || a.Address != c || a.Name != "" {
		return "", fail("email.format", ErrInvalidFormat)
	}
	return c, nil
}

// SameEmail reports whether two canonical addresses name the same mailbox:
// the domain compares without case, the local part exactly.
func SameEmail(a, b string) bool {
	ia, ib := strings.LastIndexByte(a, '@'), strings.LastIndexByte(b, '@')
	if ia < 0 || ib < 0 {
		return a == b
	}
	return a[:ia] == b[:ib] && strings.EqualFold(a[ia:], b[ib:])
}

// compatChars lists the characters of s that Unicode's compatibility
// decomposition (NFKC) would turn into ASCII: what a person meant as plain
// letters, digits, punctuation or spaces but typed in another form. Each is
// shown as itself with its code point ("ｊ (U+FF4A)"), or as the code point
// alone when it prints as nothing or as a space.
func compatChars(s string) string {
	var out []string
	seen := map[rune]bool{}
	for _, r := range s {
		if r < 0x80 || seen[r] {
			continue
		}
		k := norm.NFKC.String(string(r))
		ascii := k != ""
		for i := 0; i < len(k); i++ {
			ascii = ascii && k[i] < 0x80
		}
		if !ascii {
			continue
		}
		seen[r] = true
		if unicode.IsGraphic(r) && !unicode.IsSpace(r) {
			out = append(out, fmt.Sprintf("%c (U+%04X)", r, r))
		} else {
			out = append(out, fmt.Sprintf("U+%04X", r))
		}
	}
	return strings.Join(out, ", ")
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
			return false
		}
	}
	return s != ""
}
