package validate

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Password policy limits. The portal asks for 12 characters and 3 of the 4
// classes; the maximum protects the server's hash without truncating.
const (
	PasswordMin        = 12
	PasswordMax        = 128
	PasswordMinClasses = 3
)

//go:embed data/common_passwords.txt.gz
var commonPasswordsGz []byte

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		panic("validate: embedded password list: " + err.Error())
	}
	m := make(map[string]struct{}, 60000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		m[sc.Text()] = struct{}{}
	}
	return m
})

// CommonPasswordCount returns how many entries the embedded list holds.
func CommonPasswordCount() int { return len(commonPasswords()) }

// PasswordReport is the result of every password rule, for a live checklist.
type PasswordReport struct {
	// Length is the number of code points after NFKC.
	Length int
	// Upper, Lower, Digit and Special say which classes appear. A letter
	// without case (CJK, Arabic) counts in no class.
	Upper, Lower, Digit, Special bool
	// TooLong is true above PasswordMax code points.
	TooLong bool
	// Control is true when the password holds a control character or bytes
	// that are not UTF-8: neither can be typed again reliably.
	Control bool
	// ContainsContext is true when it contains the e-mail or a name.
	ContainsContext bool
	// Common is true when it is on the embedded list of common passwords.
	Common bool
}

// Classes returns how many of the 4 classes appear.
func (r PasswordReport) Classes() int {
	n := 0
	for _, b := range []bool{r.Upper, r.Lower, r.Digit, r.Special} {
		if b {
			n++
		}
	}
	return n
}

// Err returns the first rule the password breaks, in the order a user fixes
// them, or nil.
func (r PasswordReport) Err() error {
	switch {
	case r.Length == 0:
		return errRequired
	case r.Control:
		return fail("password.control", ErrInvalidFormat)
	case r.TooLong:
		return fail("password.too_long", ErrInvalidLength)
	case r.Length < PasswordMin:
		return fail("password.too_short", ErrInvalidLength)
	case r.Classes() < PasswordMinClasses:
		return fail("password.classes", ErrPolicy)
	case r.ContainsContext:
		return fail("password.context", ErrPolicy)
	case r.Common:
		return fail("password.common", ErrPolicy)
	}
	return nil
}

// CheckPassword applies every rule to pw. context holds what the password
// must not contain: the login e-mail and the user's names (an e-mail counts by
// its local part and by each word in it). The password is never trimmed or
// truncated; its length is counted in code points after NFKC.
func CheckPassword(pw string, context ...string) PasswordReport {
	n := norm.NFKC.String(pw)
	r := PasswordReport{Length: utf8.RuneCountInString(n)}
	r.TooLong = r.Length > PasswordMax
	r.Control = !utf8.ValidString(pw)
	for _, c := range n {
		switch {
		case unicode.IsControl(c):
			r.Control = true
		case unicode.IsUpper(c):
			r.Upper = true
		case unicode.IsLower(c):
			r.Lower = true
		case unicode.IsDigit(c):
			r.Digit = true
		case !unicode.IsLetter(c) && !unicode.IsNumber(c):
			r.Special = true
		}
	}
	if r.TooLong {
		return r // do not spend time on a value that is refused anyway
	}
	lower := strings.ToLower(n)
	for _, w := range contextWords(context) {
		if strings.Contains(lower, w) {
			r.ContainsContext = true
			break
		}
	}
	_, r.Common = commonPasswords()[lower]
	return r
}

// Password validates pw against the policy and returns it unchanged: the
// server stores what the user typed, so NFKC is used to count, not to alter.
func Password(pw string, context ...string) (string, error) {
	if err := CheckPassword(pw, context...).Err(); err != nil {
		return "", err
	}
	return pw, nil
}

// contextWords splits e-mails and names into the lower-case words a password
// must not contain. Words under 3 letters are ignored: refusing every
// password containing "li" would refuse far too much.
func contextWords(context []string) []string {
	var out []string
	add := func(w string) {
		if utf8.RuneCountInString(w) >= 3 {
			out = append(out, w)
		}
	}
	for _, c := range context {
		c = strings.ToLower(norm.NFKC.String(strings.TrimSpace(c)))
		if at := strings.LastIndexByte(c, '@'); at >= 0 {
			c = c[:at]
		}
		add(c)
		for _, w := range strings.FieldsFunc(c, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if w != c {
				add(w)
			}
		}
	}
	return out
}
