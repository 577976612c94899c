package portal

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/core/registry"
)

// catcher is another host: it records every request that reaches it.
type catcher struct {
	mu   sync.Mutex
	seen []string
	*httptest.Server
}

func newCatcher(t *testing.T) *catcher {
	c := &catcher{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.seen = append(c.seen, r.Method+" "+r.URL.Path+" "+headerDump(r.Header)+" "+string(b))
		c.mu.Unlock()
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "{}")
	}))
	t.Cleanup(c.Close)
	return c
}

func headerDump(h http.Header) string {
	var parts []string
	for k, v := range h {
		parts = append(parts, k+"="+strings.Join(v, ","))
	}
	return strings.Join(parts, ";")
}

// redirector answers every request whose path starts with prefix with a
// redirect to target, with status code, and serves the rest with ok.
func redirector(t *testing.T, prefix string, code int, target string, ok http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, prefix) {
			http.Redirect(w, r, target+r.URL.Path+"?token=s3cr3t", code)
			return
		}
		ok(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestRedirectsKeepCredentialsHome: for each credential a client sends, a
// server that redirects elsewhere gets a coded refusal naming the
// redirect, and the other host receives nothing (Go follows redirects to
// any host by default, copying custom headers and re-posting bodies on 307
// and 308).
func TestRedirectsKeepCredentialsHome(t *testing.T) {
	ctx := t.Context()
	secret := func(v string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) { return v, nil }
	}
	empty := func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, registry.PathSearch):
			io.WriteString(w, `{"results":[],"total_results":0}`)
		case strings.HasSuffix(r.URL.Path, "/token"):
			io.WriteString(w, `{"access_token":"bearer-token","token_type":"Bearer","expires_in":3600}`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}
	tests := []struct {
		name   string
		code   int
		prefix string
		call   func(base string) error
	}{
		{"INSEE key header (302)", http.StatusFound, registry.PathSiret, func(base string) error {
			_, err := NewRegistry(base, base, secret("insee-key"), nil).Lookup(ctx, "73282932000074")
			return err
		}},
		{"PISTE client secret on the token request (307)", http.StatusTemporaryRedirect, "/api/oauth", func(base string) error {
			p := NewPISTE(PISTEConfig{OAuthURL: base + "/api/oauth", APIURL: base, ClientID: "app", ClientSecret: secret("client-secret"),
				TechnicalLogin: "tech@cpro.fr", TechnicalPassword: secret("tech-password")})
			_, err := p.TypesIdentifiant(ctx)
			return err
		}},
		{"PISTE bearer and cpro-account (308)", http.StatusPermanentRedirect, "/cpro", func(base string) error {
			p := NewPISTE(PISTEConfig{OAuthURL: base, APIURL: base, ClientID: "app", ClientSecret: secret("client-secret"),
				TechnicalLogin: "tech@cpro.fr", TechnicalPassword: secret("tech-password")})
			_, err := p.Rechercher(ctx, piste.RechercherStructureParam{})
			return err
		}},
		{"portal sign-in password (307)", http.StatusTemporaryRedirect, api.PathSession, func(base string) error {
			_, err := NewOnboarding(base, nil).SignIn(ctx, "ana@example.fr", "Sign-in-Passw0rd")
			return err
		}},
		{"portal sign-in password (308)", http.StatusPermanentRedirect, api.PathSession, func(base string) error {
			_, err := NewOnboarding(base, nil).SignIn(ctx, "ana@example.fr", "Sign-in-Passw0rd")
			return err
		}},
		{"portal session token on a GET (302)", http.StatusFound, "/api/v1/attachments", func(base string) error {
			o := NewOnboarding(base, nil)
			o.SetSession("session-token")
			_, err := o.MyAttachments(ctx)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := newCatcher(t)
			home := redirector(t, tt.prefix, tt.code, other.URL, empty)
			err := tt.call(home.URL)
			if core.CodeOf(err) != CodeRedirect {
				t.Fatalf("error %v, want %s", err, CodeRedirect)
			}
			e := core.AsE(err)
			if e.Param("from") != home.URL || !strings.HasPrefix(e.Param("to"), other.URL+"/") || strings.Contains(e.Param("to"), "s3cr3t") {
				t.Errorf("the error names %q → %q", e.Param("from"), e.Param("to"))
			}
			other.mu.Lock()
			defer other.mu.Unlock()
			if len(other.seen) != 0 {
				t.Fatalf("the other host received: %q", other.seen)
			}
		})
	}
}

// TestRedirectPolicy: https to http on the same host is refused (the
// password and token would travel in clear), a redirect within the origin
// is followed for a GET, a body is never re-posted even there, and a loop
// ends.
func TestRedirectPolicy(t *testing.T) {
	certs := coretest.NewTLS(t, "127.0.0.1")
	var plainHits int
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { plainHits++ }))
	defer plain.Close()
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/down":
			http.Redirect(w, r, plain.URL+"/api/v1/session", http.StatusTemporaryRedirect)
		case "/here":
			http.Redirect(w, r, "/there", http.StatusFound)
		case "/there":
			io.WriteString(w, "arrived")
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/post":
			http.Redirect(w, r, "/there", http.StatusTemporaryRedirect)
		}
	}))
	tlsSrv.TLS = &tls.Config{Certificates: []tls.Certificate{certs.Server}}
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	hc, err := NewClient(ClientOptions{CAFile: certs.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (string, error) {
		res, err := hc.Get(tlsSrv.URL + path)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b), nil
	}
	if _, err := get("/down"); core.CodeOf(err) != CodeRedirect {
		t.Errorf("https → http: %v", err)
	}
	if plainHits != 0 {
		t.Errorf("the plain-HTTP server was reached %d times", plainHits)
	}
	if got, err := get("/here"); err != nil || got != "arrived" {
		t.Errorf("a GET redirected within the origin: %q %v", got, err)
	}
	if _, err := get("/loop"); core.CodeOf(err) != CodeRedirect {
		t.Errorf("a loop: %v", err)
	}
	res, err := hc.Post(tlsSrv.URL+"/post", "application/json", strings.NewReader(`{"password":"x"}`))
	if err == nil {
		res.Body.Close()
	}
	if core.CodeOf(err) != CodeRedirect {
		t.Errorf("a POST redirected within the origin: %v", err)
	}
}

// TestSearchBounded (hardening, second round, item 11): a gateway that
// claims 2³¹ pages of results gets one request and a coded refusal (before:
// the client fetched page after page, 1.5 GB after 1,111 pages).
func TestSearchBounded(t *testing.T) {
	var pages atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/token") {
			io.WriteString(w, `{"access_token":"t","token_type":"Bearer","expires_in":3600}`)
			return
		}
		pages.Add(1)
		hits := strings.Repeat(`{"idStructureCPP":1,"identifiantStructure":"73282932000074","typeIdentifiantStructure":"SIRET"},`, 100)
		fmt.Fprintf(w, `{"codeRetour":0,"libelle":"GCU_MSG_01_000","listeStructures":[%s],"parametresRetour":{"pageCourante":1,"pages":2147483647,"total":2147483647,"nbResultatsParPage":100}}`,
			strings.TrimSuffix(hits, ","))
	}))
	defer srv.Close()
	secret := func(context.Context) (string, error) { return "s", nil }
	p := NewPISTE(PISTEConfig{OAuthURL: srv.URL, APIURL: srv.URL, ClientID: "app", ClientSecret: secret, TechnicalLogin: "t", TechnicalPassword: secret})
	_, err := p.FindStructure(t.Context(), core.IDSIRET, "73282932000074")
	if core.CodeOf(err) != CodeSearchTooLarge || pages.Load() != 1 {
		t.Fatalf("a gateway claiming 2^31 pages: %v after %d requests", err, pages.Load())
	}
}
