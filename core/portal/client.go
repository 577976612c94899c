package portal

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http/httpproxy"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
)

// ClientOptions say how the app reaches the outside world from where it
// runs: through which proxy, trusting which certificates.
type ClientOptions struct {
	// ProxyURL, when set, is the proxy for every request instead of
	// HTTPS_PROXY and HTTP_PROXY; NO_PROXY still applies, and loopback
	// (the Local sandbox) never goes through a proxy.
	ProxyURL string
	// ProxyUser is the proxy's login; ProxyPassword reads its password
	// from the keyring, once, when a request first needs it.
	ProxyUser     string
	ProxyPassword func(context.Context) (string, error)
	// CAFile is a PEM file of certificates trusted besides the system's
	// (an office proxy that re-signs TLS). Verification is never turned
	// off.
	CAFile string
	// Getenv reads the proxy variables (os.Getenv when nil).
	Getenv func(string) string
	// Timeout bounds each request (DefaultTimeout when zero).
	Timeout time.Duration
}

// Codes of what goes wrong between the app and a server.
const (
	CodeUntrusted     = "network.untrusted"      // the server's certificate is signed by an unknown authority
	CodeCertificate   = "network.certificate"    // the certificate is not for this host, or expired
	CodeProxyAuth     = "network.proxy_auth"     // the proxy asks for a login (407)
	CodeProxy         = "network.proxy"          // the proxy cannot be reached, or refused the tunnel
	CodeProxyPassword = "network.proxy_password" // the proxy's password could not be read from the keyring
	// The extra certificates (ClientOptions.CAFile) could not be used:
	// each says why, with the file as parameter.
	CodeCAFileMissing    = "network.ca_file_missing"    // no such file
	CodeCAFileNotAFile   = "network.ca_file_not_a_file" // a directory, a device, a pipe
	CodeCAFileTooLarge   = "network.ca_file_too_large"  // over 4 MiB: not a bundle of certificates
	CodeCAFileUnreadable = "network.ca_file_unreadable" // no permission, an I/O error
	CodeCAFileNoPEM      = "network.ca_file_no_pem"     // no PEM certificate in it
)

// maxCAFile bounds a PEM bundle: a larger file is not one.
const maxCAFile = 4 << 20

// NewClient returns an HTTP client that goes through the proxy the
// options or the environment name, trusts the system's certificates and
// CAFile's, and turns what fails on the way (an untrusted certificate, a
// proxy asking for a login) into coded errors. KindInvalid (a CodeCAFile… code)
// when CAFile cannot be read or holds no certificate.
func NewClient(o ClientOptions) (*http.Client, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	env := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return getenv(strings.ToLower(name))
	}
	cfg := httpproxy.Config{HTTPProxy: env("HTTP_PROXY"), HTTPSProxy: env("HTTPS_PROXY"), NoProxy: env("NO_PROXY")}
	if o.ProxyURL != "" {
		cfg.HTTPProxy, cfg.HTTPSProxy = o.ProxyURL, o.ProxyURL
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if o.CAFile != "" {
		if err := appendCAFile(roots, o.CAFile); err != nil {
			return nil, err
		}
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	t.Proxy = proxyFunc(cfg.ProxyFunc(), o)
	t.OnProxyConnectResponse = func(_ context.Context, _ *url.URL, _ *http.Request, res *http.Response) error {
		switch {
		case res.StatusCode == http.StatusProxyAuthRequired:
			return &core.E{Kind: core.KindUnauthorized, Code: CodeProxyAuth, Op: "go through the proxy", Status: res.StatusCode}
		case res.StatusCode != http.StatusOK:
			return &core.E{Kind: core.KindUnavailable, Code: CodeProxy, Op: "go through the proxy", Status: res.StatusCode}
		}
		return nil
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return &http.Client{Timeout: timeout, Transport: checked{t}, CheckRedirect: checkRedirect}, nil
}

// appendCAFile adds the certificates of a PEM file to roots.
func appendCAFile(roots *x509.CertPool, name string) error {
	bad := func(code string, err error) error {
		return &core.E{Kind: core.KindInvalid, Code: code, Op: "read the extra certificates", Err: err,
			Params: map[string]string{"file": name}}
	}
	pem, err := localfs.ReadRegular(name, maxCAFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return bad(CodeCAFileMissing, err)
	case errors.Is(err, localfs.ErrNotRegular):
		return bad(CodeCAFileNotAFile, err)
	case errors.Is(err, localfs.ErrTooLarge):
		return bad(CodeCAFileTooLarge, err)
	case err != nil:
		return bad(CodeCAFileUnreadable, err)
	}
	if !roots.AppendCertsFromPEM(pem) {
		return bad(CodeCAFileNoPEM, errors.New("no PEM certificate in it"))
	}
	return nil
}

// proxyFunc is the transport's proxy: the configured one, with the login
// and the password read once from the keyring (kept in memory for the
// client's life, never on disk).
func proxyFunc(pick func(*url.URL) (*url.URL, error), o ClientOptions) func(*http.Request) (*url.URL, error) {
	var mu sync.Mutex
	var password string
	var loaded bool
	return func(r *http.Request) (*url.URL, error) {
		u, err := pick(r.URL)
		if u == nil || err != nil {
			return u, err
		}
		if o.ProxyUser == "" || o.ProxyURL == "" {
			return u, nil
		}
		mu.Lock()
		defer mu.Unlock()
		if !loaded && o.ProxyPassword != nil {
			pw, err := o.ProxyPassword(r.Context())
			if err != nil && !errors.Is(err, core.ErrNotFound) {
				// Never the keyring's own error text: it could quote
				// what it was asked for.
				return nil, &core.E{Kind: core.KindUnavailable, Code: CodeProxyPassword, Op: "read the proxy's password"}
			}
			password, loaded = pw, err == nil
		}
		withLogin := *u
		withLogin.User = url.UserPassword(o.ProxyUser, password)
		return &withLogin, nil
	}
}

// checked turns what the transport meets on the way into coded errors the
// user can act on.
type checked struct{ next http.RoundTripper }

// RoundTrip sends the request and classifies its failure.
func (c checked) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err != nil {
		return nil, classify(err)
	}
	if resp.StatusCode == http.StatusProxyAuthRequired {
		// A plain-HTTP request through a proxy that wants a login.
		resp.Body.Close()
		return nil, &core.E{Kind: core.KindUnauthorized, Code: CodeProxyAuth, Op: "go through the proxy", Status: resp.StatusCode}
	}
	return resp, nil
}

// classify names a transport failure. Its text is kept out of the error's
// message: a proxy's address may carry its login.
func classify(err error) error {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var op *net.OpError
	switch {
	case core.AsE(err) != nil:
		return core.AsE(err)
	case errors.As(err, &unknown):
		return &core.E{Kind: core.KindUnavailable, Code: CodeUntrusted, Op: "check the server's certificate", Err: err}
	case errors.As(err, &hostname), errors.As(err, &invalid):
		return &core.E{Kind: core.KindUnavailable, Code: CodeCertificate, Op: "check the server's certificate", Err: err}
	case errors.As(err, &op) && op.Op == "proxyconnect":
		// The proxy cannot be reached. Its address stays out of the
		// message: it may carry a login.
		return &core.E{Kind: core.KindUnavailable, Code: CodeProxy, Op: "reach the proxy", Err: errors.New(op.Err.Error())}
	}
	return err
}
