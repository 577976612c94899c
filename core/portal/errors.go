// Package portal holds the HTTP clients Chorus Onboard talks to the world
// with: the onboarding API (chorus-sim, or any server of core/api), the
// Chorus Pro API on PISTE, and the company registries. Base URLs are
// configuration; nothing is wired to one host. Clients never log: request
// bodies hold personal data and headers hold credentials.
package portal

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
)

// DefaultTimeout bounds every request (an http.Client without one waits
// forever).
const DefaultTimeout = 30 * time.Second

// NewHTTPClient returns the client the app uses when none is given.
func NewHTTPClient() *http.Client { return &http.Client{Timeout: DefaultTimeout} }

// Error is an answer the portal refused, or a failure to get one.
type Error struct {
	// Status is the HTTP status, 0 when no answer came (network error).
	Status int
	// Code is the server's stable code ("structure.exists"), or
	// "network.unreachable" when no answer came.
	Code string
	// Message is the server's message by language ("fr", "en").
	Message map[string]string
	// Problems lists the fields the server refused (CodeInvalid).
	Problems core.Problems
	// StructureID is set with CodeStructureExists: the existing structure.
	StructureID int64
	// RetryAfter is the server's Retry-After, 0 when absent.
	RetryAfter time.Duration
	// Err is the network error, if any.
	Err error
}

// CodeNetwork is the code of a request that got no answer.
const CodeNetwork = "network.unreachable"

func (e *Error) Error() string {
	if e.Err != nil {
		return "portal: " + e.Code + ": " + e.Err.Error()
	}
	return fmt.Sprintf("portal: %d %s", e.Status, e.Code)
}

func (e *Error) Unwrap() error { return e.Err }

// Is maps the error onto core's kinds, so callers can use errors.Is with
// core.ErrConflict, core.ErrUnavailable and the rest.
func (e *Error) Is(target error) bool {
	k := e.Kind()
	return (&core.E{Kind: k}).Is(target)
}

// Kind classifies the error.
func (e *Error) Kind() core.Kind {
	switch {
	case e.Status == 0:
		return core.KindUnavailable
	case e.Code == api.CodeStructureExists:
		return core.KindConflict
	case e.Status == http.StatusUnauthorized:
		return core.KindUnauthorized
	case e.Status == http.StatusNotFound:
		return core.KindNotFound
	case e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500:
		return core.KindUnavailable
	}
	return core.KindInvalid
}

// Retryable reports whether the same request may succeed later: no answer,
// 408, 429 and 5xx. Anything else is the server's final word.
func (e *Error) Retryable() bool {
	return e.Status == 0 || e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// Retryable reports whether err is worth retrying (see Error.Retryable).
func Retryable(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Retryable()
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// parseRetryAfter reads delta-seconds or an HTTP date (against the answer's
// own Date header, never our clock).
func parseRetryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	now, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return 0
	}
	return max(at.Sub(now), 0)
}

// ErrorCode returns Code, so that packages that may not import this one (the
// user interface) can read it through an interface.
func (e *Error) ErrorCode() string { return e.Code }

// Text returns what to tell the user in lang ("fr" or "en"): the server's
// own message, else the text of its code.
func (e *Error) Text(lang string) string {
	if m := e.Message[lang]; m != "" {
		return m
	}
	return i18n.T(i18n.Lang(lang), e.Code)
}

// RetryDelay returns the server's Retry-After.
func (e *Error) RetryDelay() time.Duration { return e.RetryAfter }
