package validate

import (
	"net/mail"
	"regexp"
	"strings"
)

// whatwgEmail is the HTML standard's "valid e-mail address", a deliberate
// narrowing of RFC 5322 to what people type.
var whatwgEmail = regexp.MustCompile("^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")

// Email validates an e-mail address as a person types it and returns it
// trimmed, as typed (the local part's case may matter to its server). Beyond
// the WHATWG pattern: ASCII only, at most 254 characters (64 before the @, 63
// per label), a dot-atom local part, a domain with a dot whose last label is
// alphabetic (or an xn-- label), and agreement with net/mail.
func Email(s string) (string, error) {
	c := trimmed(s)
	if c == "" {
		return "", errRequired
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

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
			return false
		}
	}
	return s != ""
}
