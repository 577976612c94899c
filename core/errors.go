package core

import (
	"errors"
	"maps"
	"time"
)

// Kind classifies an error so that callers decide what to do without
// inspecting messages.
type Kind int

// Error kinds shared by every layer.
const (
	KindInternal     Kind = iota // a bug or an unexpected failure
	KindInvalid                  // the input breaks a rule; fix the input
	KindNotFound                 // the thing asked for does not exist
	KindConflict                 // it exists already (e.g. a structure on the portal)
	KindUnavailable              // a dependency (keyring, network, portal) does not answer; try again later
	KindTimeout                  // a dependency took too long; try again
	KindUnauthorized             // credentials missing or refused
	KindTooLarge                 // a value exceeds a hard limit
	KindForbidden                // signed in, but not allowed to do this
)

// Sentinel errors, one per kind, for errors.Is.
var (
	ErrInternal     = errors.New("internal error")
	ErrInvalid      = errors.New("invalid")
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrUnavailable  = errors.New("unavailable")
	ErrTimeout      = errors.New("timeout")
	ErrUnauthorized = errors.New("unauthorized")
	ErrTooLarge     = errors.New("too large")
	ErrForbidden    = errors.New("forbidden")
)

var kindSentinels = map[Kind]error{
	KindInternal: ErrInternal, KindInvalid: ErrInvalid, KindNotFound: ErrNotFound,
	KindConflict: ErrConflict, KindUnavailable: ErrUnavailable, KindTimeout: ErrTimeout,
	KindUnauthorized: ErrUnauthorized, KindTooLarge: ErrTooLarge, KindForbidden: ErrForbidden,
}

// E is the one error type of Chorus Onboard: validators, the store, the
// keyring, the HTTP clients and the application layer all return it (or
// wrap it), so a caller needs a single errors.As to learn the kind, the
// stable code to translate, the parameters of that text, the fields a
// server refused and how long to wait before trying again.
//
// Its message never contains personal data or secrets: callers put neither
// in Op, Code or Params (Params hold what the user may read, such as a
// portal's own explanation).
type E struct {
	Kind Kind
	// Code is stable and translatable: "siret.checksum", "keyring.timeout",
	// "structure.exists", "piste.account".
	Code string
	// Op is what was being done, for logs: "get secret", "save structure".
	Op string
	// Err is the cause, may be nil. For a validation error it is the class
	// (validate.ErrInvalidChecksum and the like).
	Err error
	// Params are the values the code's text refers to by name ({libelle},
	// {status}); for a code this build does not know, "message.fr" and
	// "message.en" carry the server's own words.
	Params map[string]string
	// Problems lists the fields a server refused, each with its own code.
	Problems Problems
	// Status is the HTTP status of a remote refusal, 0 when no answer came
	// or the error is local.
	Status int
	// RetryAfter is how long the server asked us to wait (Retry-After).
	RetryAfter time.Duration
	// Warning marks a finding that does not reject the value: the validator
	// returned the canonical value too. A warning matches no sentinel.
	Warning bool
}

// Error returns "op: code: cause".
func (e *E) Error() string {
	s := e.Op
	add := func(part string) {
		if part == "" {
			return
		}
		if s != "" {
			s += ": "
		}
		s += part
	}
	add(e.Code)
	if e.Err != nil {
		add(e.Err.Error())
	}
	if s == "" {
		s = kindSentinels[e.Kind].Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *E) Unwrap() error { return e.Err }

// Is makes errors.Is(err, core.ErrX) true for an *E of the matching kind; a
// warning matches none.
func (e *E) Is(target error) bool { return !e.Warning && kindSentinels[e.Kind] == target }

// Param returns the named parameter, "" when absent.
func (e *E) Param(name string) string { return e.Params[name] }

// AsE returns the first *E in err's chain, or nil.
func AsE(err error) *E {
	var e *E
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// KindOf returns the kind of err: the kind of the first *E in its chain, or
// the kind of a sentinel it wraps, or KindInternal.
func KindOf(err error) Kind {
	if e := AsE(err); e != nil {
		return e.Kind
	}
	for k, s := range kindSentinels {
		if errors.Is(err, s) {
			return k
		}
	}
	return KindInternal
}

// CodeOf returns the stable code of the first *E in err's chain that has one,
// or "" when there is none.
func CodeOf(err error) string {
	for err != nil {
		e := AsE(err)
		if e == nil {
			return ""
		}
		if e.Code != "" {
			return e.Code
		}
		err = e.Err
	}
	return ""
}

// Retryable reports whether the same request may succeed later: no answer,
// a timeout, a server that is busy or down (408, 429, 5xx all map to
// KindUnavailable). Anything else is final until the input or the
// credentials change.
func Retryable(err error) bool {
	k := KindOf(err)
	return err != nil && (k == KindUnavailable || k == KindTimeout)
}

// RetryAfterOf returns the wait a server asked for, 0 when none.
func RetryAfterOf(err error) time.Duration {
	if e := AsE(err); e != nil {
		return e.RetryAfter
	}
	return 0
}

// Notice is what a record keeps of an error: the stable code, its
// parameters and the fields refused. It is stored instead of a translated
// sentence, so the text follows the language the user reads in now.
type Notice struct {
	Code     string
	Params   map[string]string
	Problems Problems
}

// NoticeOf returns the notice of err: the code, parameters and problems of
// its first coded *E, or CodeInternal for an error that carries no code.
func NoticeOf(err error) Notice {
	if err == nil {
		return Notice{}
	}
	for e := AsE(err); e != nil; e = AsE(e.Err) {
		if e.Code != "" {
			return Notice{Code: e.Code, Params: maps.Clone(e.Params), Problems: e.Problems}
		}
		if e.Err == nil {
			break
		}
	}
	return Notice{Code: CodeInternal}
}

// IsZero reports whether the notice is empty (no message).
func (n Notice) IsZero() bool { return n.Code == "" }

// CodeInternal is the code of an error that carries no code of its own.
const CodeInternal = "internal"
