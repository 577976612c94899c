// Package validate holds every rule Chorus Onboard applies to what a user
// types: French company identifiers (SIREN, SIRET, VAT), the identifiers of
// the other structure types, EU VAT formats, postal codes, countries, phone
// numbers, e-mail addresses and the password policy, plus the rules that tie
// the fields of an account or structure draft together.
//
// Each single-value validator takes what the user typed, normalises it
// (spaces, dots, dashes, NBSP, full-width digits) and returns the canonical
// value to store, or an *Error with a stable code such as "siret.checksum".
// The user interface, the command line and the portal simulator all call
// these functions, so a rule exists in one place only. Each rule's source is
// in its doc comment; the published test vectors and where they come from
// are in testdata (SOURCES.md), the embedded data's in data/SOURCES.md.
package validate

import (
	"errors"

	"github.com/chorusonboard/chorus-onboard/core"
)

// Error classes, mirroring python-stdnum's exceptions so that
// errors.Is(err, ErrInvalidFormat) is also true for a length error.
var (
	// ErrInvalidFormat: characters or shape are wrong.
	ErrInvalidFormat = errors.New("invalid format")
	// ErrInvalidLength: the right characters, the wrong count. It wraps
	// ErrInvalidFormat.
	ErrInvalidLength = &classError{"invalid length", ErrInvalidFormat}
	// ErrInvalidChecksum: the check digit or key does not match.
	ErrInvalidChecksum = errors.New("invalid checksum")
	// ErrInvalidComponent: a part of the value (a country prefix, a region)
	// is not allowed here.
	ErrInvalidComponent = errors.New("invalid component")
	// ErrRequired: the value is empty and must not be.
	ErrRequired = errors.New("required")
	// ErrPolicy: the value is well formed but refused by a policy (password).
	ErrPolicy = errors.New("refused by policy")
	// ErrMismatch: two fields that must agree do not.
	ErrMismatch = errors.New("mismatch")
)

type classError struct {
	msg  string
	next error
}

func (e *classError) Error() string { return e.msg }
func (e *classError) Unwrap() error { return e.next }

// Error is what every validator returns: the project's one error type,
// core.E, with Kind KindInvalid, a stable translatable Code
// ("siret.checksum") and the class (one of the ErrX values above) as its
// cause, so errors.Is(err, ErrInvalidChecksum) works. A Warning error does
// not reject the value: the validator also returned the canonical value, and
// the caller may store it while showing the warning. Its message is
// "code: class", never the value itself (it may be personal).
type Error = core.E

func fail(code string, class error) error {
	return &Error{Kind: core.KindInvalid, Code: code, Err: class}
}

func warn(code string, class error) error {
	return &Error{Kind: core.KindInvalid, Code: code, Err: class, Warning: true}
}

// IsWarning reports whether err only warns: the value was accepted.
func IsWarning(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Warning
}

// Rejects reports whether err rejects the value (non-nil and not a warning).
func Rejects(err error) bool { return err != nil && !IsWarning(err) }

// Code returns err's stable code, or "internal" for an error that did not come
// from this package.
func Code(err error) string {
	if c := core.CodeOf(err); c != "" {
		return c
	}
	return core.CodeInternal
}

// CodeRequired is the code of an empty required value, shared by every field.
const CodeRequired = "required"

var errRequired = &Error{Kind: core.KindInvalid, Code: CodeRequired, Err: ErrRequired}
