// Package portal holds the HTTP clients Chorus Onboard talks to the world
// with: the onboarding API (chorus-sim, or any server of core/api), the
// Chorus Pro API on PISTE, and the company registries. Base URLs are
// configuration; nothing is wired to one host. Clients never log: request
// bodies hold personal data and headers hold credentials.
//
// Every failure is a *core.E: its Kind says what to do (KindUnavailable:
// try again later; KindUnauthorized: fix the credentials), its Code says
// what to tell the user, Status and RetryAfter what the server answered.
package portal

import (
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

// NewHTTPClient returns the client the app uses when none is given: a
// timeout, and the redirect policy of every client here (checkRedirect).
func NewHTTPClient() *http.Client {
	return &http.Client{Timeout: DefaultTimeout, CheckRedirect: checkRedirect}
}

// CodeNetwork is the code of a request that got no answer.
const CodeNetwork = "network.unreachable"

// ParamStructureID names the existing structure's id in a
// api.CodeStructureExists error.
const ParamStructureID = "structure_id"

// networkError is a request that got no answer (or whose answer broke off);
// what the client's transport already named (an untrusted certificate, a
// proxy asking for a login) keeps its code.
func networkError(op string, err error) *core.E {
	if e := core.AsE(err); e != nil && e.Code != "" {
		named := *e
		named.Op = op
		return &named
	}
	return &core.E{Kind: core.KindUnavailable, Code: CodeNetwork, Op: op, Err: err}
}

// kindOfStatus maps an HTTP status onto core's kinds: 408, 429 and 5xx are
// worth retrying (KindUnavailable); the rest is the server's final word.
func kindOfStatus(status int, code string) core.Kind {
	switch {
	case code == api.CodeStructureExists:
		return core.KindConflict
	case status == http.StatusUnauthorized:
		return core.KindUnauthorized
	case status == http.StatusForbidden:
		return core.KindForbidden
	case status == http.StatusNotFound:
		return core.KindNotFound
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500:
		return core.KindUnavailable
	}
	return core.KindInvalid
}

// statusError is a refusal the server answered with status.
func statusError(op string, status int, code string) *core.E {
	return &core.E{Kind: kindOfStatus(status, code), Code: code, Op: op, Status: status}
}

// keepMessage records the server's own words for a code this build has no
// text for (a newer server), so the user still reads something useful, in
// their language when the server gave it.
func keepMessage(e *core.E, message map[string]string) {
	if i18n.Has(i18n.EN, e.Code) {
		return
	}
	for _, l := range i18n.Langs {
		if m := message[string(l)]; m != "" {
			if e.Params == nil {
				e.Params = map[string]string{}
			}
			e.Params[i18n.ParamMessage(l)] = m
		}
	}
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
