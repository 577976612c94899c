package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
)

// CodeRedirect is the code of a redirect a client refused to follow.
const CodeRedirect = "network.redirect"

// maxRedirects bounds the redirects followed within one origin.
const maxRedirects = 5

// checkRedirect is the redirect policy of every client of this package.
// Our requests carry credentials: a password or a client secret in the
// body, a session or PISTE bearer token, the technical account's
// cpro-account, the INSEE key, in headers Go would copy to another host.
// So a redirect is followed only when it stays on the origin the request
// was sent to (same scheme, host and port: never from https to http) and
// only for a request without a body (GET, HEAD): Go re-posts the body on a
// 307 or 308, and a 301, 302 or 303 would turn a POST into a GET nobody
// meant. Anything else is refused with CodeRedirect, naming where it led,
// and nothing is sent there.
func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	switch {
	case req.URL.Scheme != first.URL.Scheme || !strings.EqualFold(hostPort(req.URL), hostPort(first.URL)):
		return redirectError(first, req, "elsewhere")
	case first.Method != http.MethodGet && first.Method != http.MethodHead:
		return redirectError(first, req, "body")
	case len(via) >= maxRedirects:
		return redirectError(first, req, "loop")
	}
	return nil
}

// redirectError names the redirect by origin and path: never its query,
// which may carry a token.
func redirectError(first, next *http.Request, why string) error {
	return &core.E{Kind: core.KindUnavailable, Code: CodeRedirect, Op: first.Method + " " + first.URL.Path,
		Params: map[string]string{"from": origin(first.URL), "to": origin(next.URL) + next.URL.EscapedPath()},
		Err:    errors.New("redirect not followed: " + why)}
}

// origin is scheme://host[:port], without a login.
func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// hostPort is the URL's host with its port, the scheme's default written
// out, so that https://h and https://h:443 are one origin.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	switch u.Scheme {
	case "https":
		return u.Host + ":443"
	case "http":
		return u.Host + ":80"
	}
	return u.Host
}

// withPolicy returns hc with this package's redirect policy: hc itself
// when it has it, else a copy (the caller's client is never changed). A
// nil hc gives NewHTTPClient's.
func withPolicy(hc *http.Client) *http.Client {
	if hc == nil {
		return NewHTTPClient()
	}
	c := *hc
	c.CheckRedirect = checkRedirect
	return &c
}
