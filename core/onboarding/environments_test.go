package onboarding_test

import (
	"crypto/tls"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/elazarl/goproxy"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// qualification switches the fixture to Chorus Pro qualification with set
// merged in: PISTE points at chorus-sim's PISTE side.
func (f *fixture) qualification(t *testing.T, set core.Settings) {
	t.Helper()
	set.Environment = core.EnvQualification
	if set.PISTEOAuthURL == "" {
		set.PISTEOAuthURL, set.PISTEAPIURL = f.server.URL, f.server.URL
	}
	if err := f.svc.Connection.SaveSettings(t.Context(), set); err != nil {
		t.Fatal(err)
	}
}

// TestLookupInQualification: the registry pre-fills in qualification too,
// through the configured addresses; INSEE answers when recherche-
// entreprises has nothing and a key is set; an answer that is not JSON (a
// captive portal) is said, never a crash.
func TestLookupInQualification(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.qualification(t, core.Settings{})
	got := f.svc.Structures.Lookup(ctx, "73282932000074")
	if got.Company == nil || got.Company.Name != "ATELIERS DUPONT ET FILS" || got.Company.Activity != "25.62B" {
		t.Fatalf("recherche-entreprises: %+v", got)
	}
	// PISTE without credentials: the existence check says what is missing.
	if got.Checked || core.CodeOf(got.CheckErr) != "handoff.no_credentials" {
		t.Fatalf("without PISTE credentials: %+v", got)
	}
	if got := f.svc.Structures.Lookup(ctx, "35600000049837"); core.KindOf(got.RegistryErr) != core.KindNotFound {
		t.Fatalf("unknown company: %+v", got)
	}
	// recherche-entreprises has nothing (its address answers 404): INSEE
	// answers with a key, nothing without.
	noSearch := core.Settings{RegistryURL: f.server.URL + "/nowhere", INSEEURL: f.server.URL + "/insee/api-sirene/3.11"}
	f.qualification(t, noSearch)
	if got := f.svc.Structures.Lookup(ctx, "79068156300017"); core.KindOf(got.RegistryErr) != core.KindNotFound {
		t.Fatalf("no INSEE key: %+v", got)
	}
	if err := f.svc.Connection.SaveSecrets(ctx, core.EnvQualification, map[string]string{core.SecretINSEEKey: "insee-key"}); err != nil {
		t.Fatal(err)
	}
	got = f.svc.Structures.Lookup(ctx, "79068156300017")
	if got.Company == nil || !got.Company.NonDiffusible || got.Company.Name != "" || got.Company.Address != "" || got.Company.Siret != "79068156300017" {
		t.Fatalf("INSEE: %+v %v", got.Company, got.RegistryErr)
	}
	// A captive portal's page instead of JSON.
	captive := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html><body>Sign in to the Wi-Fi</body></html>")
	}))
	defer captive.Close()
	f.qualification(t, core.Settings{RegistryURL: captive.URL, INSEEURL: captive.URL})
	if got := f.svc.Structures.Lookup(ctx, "73282932000074"); core.CodeOf(got.RegistryErr) != portal.CodeRegistryMalformed {
		t.Fatalf("captive portal: %+v", got)
	}
}

// TestExistenceOnChorusPro: with PISTE credentials, the form asks Chorus
// Pro (rechercher) whether the structure exists; each layer's refusal is
// named.
func TestExistenceOnChorusPro(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if err := f.sim.SeedStructure(ctx, "73282932000074", "ATELIERS DUPONT ET FILS"); err != nil {
		t.Fatal(err)
	}
	f.qualification(t, core.Settings{PISTEClientID: "app", TechnicalLogin: "TECH_1@cpro.fr"})
	tests := []struct {
		name, siret     string
		secret, techPW  string
		present, absent bool
		code            string
	}{
		{"present", "73282932000074", "secret", "tech", true, false, ""},
		{"absent", "35600000049837", "secret", "tech", false, true, ""},
		{"application refused", "73282932000074", "wrong", "tech", false, false, portal.CodePISTEOAuth},
		{"technical account refused", "73282932000074", "secret", "wrong", false, false, portal.CodePISTEAccount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.svc.Connection.SaveSecrets(ctx, core.EnvQualification, map[string]string{core.SecretPISTEClientSecret: tt.secret,
				core.SecretTechnicalPassword: tt.techPW}); err != nil {
				t.Fatal(err)
			}
			got := f.svc.Structures.Lookup(ctx, tt.siret)
			if got.OnPortal != tt.present || (got.Checked && !got.OnPortal) != tt.absent || core.CodeOf(got.CheckErr) != tt.code {
				t.Fatalf("%+v", got)
			}
			if tt.present && got.Company != nil {
				t.Fatalf("the registry was asked about a structure on the portal: %+v", got.Company)
			}
		})
	}
	// The gateway down: named, and the registry still answers.
	f.qualification(t, core.Settings{PISTEClientID: "app", TechnicalLogin: "TECH_1@cpro.fr",
		PISTEOAuthURL: "http://127.0.0.1:1", PISTEAPIURL: "http://127.0.0.1:1"})
	got := f.svc.Structures.Lookup(ctx, "77984790400033")
	if got.Checked || core.KindOf(got.CheckErr) != core.KindUnavailable || got.Company == nil {
		t.Fatalf("PISTE unreachable: %+v", got)
	}
}

// teamPortal runs chorus-sim over HTTPS with a certificate of a fresh
// authority for host and 127.0.0.1, and returns its URL (on host) and the
// authority's file.
func teamPortal(t *testing.T, host string) (*sim.Server, string, coretest.TLS) {
	t.Helper()
	certs := coretest.NewTLS(t, host, "127.0.0.1")
	srv, err := sim.New(t.Context(), sim.Config{SecondFactorOff: true, DataDir: testos.TempDir(t), PasswordIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{certs.Server}}
	hs.StartTLS()
	t.Cleanup(func() { hs.Close(); srv.Close() })
	_, port, _ := net.SplitHostPort(hs.Listener.Addr().String())
	base := "https://" + net.JoinHostPort(host, port)
	srv.SetBaseURL(base)
	return srv, base, certs
}

// forwardProxy is a real forward proxy (goproxy) that reaches host at
// 127.0.0.1 and, when user is set, asks for that login (407 otherwise). It
// counts the tunnels it opened.
func forwardProxy(t *testing.T, host, user, password string) (string, *atomic.Int64) {
	t.Helper()
	p := goproxy.NewProxyHttpServer()
	tunnels := &atomic.Int64{}
	p.ConnectDial = func(network, addr string) (net.Conn, error) {
		h, port, _ := net.SplitHostPort(addr)
		if h == host {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		tunnels.Add(1)
		return net.Dial(network, addr)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	p.OnRequest().HandleConnectFunc(func(host string, ctx *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
		if user == "" || ctx.Req.Header.Get("Proxy-Authorization") == want {
			return goproxy.OkConnect, host
		}
		return &goproxy.ConnectAction{Action: goproxy.ConnectHijack, Hijack: func(r *http.Request, c net.Conn, _ *goproxy.ProxyCtx) {
			_, _ = io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"office\"\r\nContent-Length: 0\r\n\r\n")
			c.Close()
		}}, host
	})
	ps := httptest.NewServer(p)
	t.Cleanup(ps.Close)
	return ps.URL, tunnels
}

// TestTeamPortalOverTLS: a team's chorus-sim over HTTPS: refused while its
// authority is unknown (with the sentence that says what to do), then
// sign-in, queueing and sending as in the sandbox; straight, through a
// forward proxy, and through one that asks for a login.
func TestTeamPortalOverTLS(t *testing.T) {
	const host = "team.chorus-sim.test"
	team, base, certs := teamPortal(t, host)
	if err := team.SeedAccount(t.Context(), "equipe@cabinet.example", password); err != nil {
		t.Fatal(err)
	}
	plain, plainTunnels := forwardProxy(t, host, "", "")
	locked, lockedTunnels := forwardProxy(t, host, "alice", "pr0xy-s3cret")
	ss := coretest.SIRETs(3)
	tests := []struct {
		name     string
		set      core.Settings
		proxyPW  string
		wantCode string
		tunnels  *atomic.Int64
	}{
		{"unknown authority", core.Settings{PortalURL: "https://127.0.0.1" + strings.TrimPrefix(base, "https://"+host)}, "", portal.CodeUntrusted, nil},
		{"with the authority", core.Settings{CAFile: certs.CAFile, PortalURL: "https://127.0.0.1" + strings.TrimPrefix(base, "https://"+host)}, "", "", nil},
		{"through a proxy", core.Settings{CAFile: certs.CAFile, PortalURL: base, ProxyURL: plain}, "", "", plainTunnels},
		{"proxy without its login", core.Settings{CAFile: certs.CAFile, PortalURL: base, ProxyURL: locked}, "", portal.CodeProxyAuth, nil},
		{"proxy with its login", core.Settings{CAFile: certs.CAFile, PortalURL: base, ProxyURL: locked, ProxyUser: "alice"}, "pr0xy-s3cret", "", lockedTunnels},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := t.Context()
			if tt.proxyPW != "" {
				if err := f.svc.Connection.SaveSecrets(ctx, core.EnvTeam, map[string]string{core.SecretProxyPassword: tt.proxyPW}); err != nil {
					t.Fatal(err)
				}
			}
			tt.set.Environment = core.EnvTeam
			if err := f.svc.Connection.SaveSettings(ctx, tt.set); err != nil {
				t.Fatal(err)
			}
			before := int64(0)
			if tt.tunnels != nil {
				before = tt.tunnels.Load()
			}
			err := f.svc.Accounts.SignIn(ctx, "equipe@cabinet.example", password)
			if core.CodeOf(err) != tt.wantCode {
				t.Fatalf("sign in: %v, want %q", err, tt.wantCode)
			}
			if err != nil {
				if strings.Contains(err.Error(), "pr0xy-s3cret") || strings.Contains(f.svc.Connection.Health(ctx).Error(), "pr0xy") {
					t.Fatalf("the proxy's password is in an error: %v", err)
				}
				return
			}
			if _, _, err := f.svc.Structures.Save(ctx, 0, draft(ss[i%len(ss)]), true); err != nil {
				t.Fatal(err)
			}
			st, err := f.svc.Sync.SendNow(ctx)
			if err != nil || st.Created+st.Attachments != 1 {
				t.Fatalf("sent %+v, %v", st, err)
			}
			if tt.tunnels != nil && tt.tunnels.Load() == before {
				t.Fatal("nothing went through the proxy")
			}
		})
	}
}

// TestRowsGoWhereTheyWereQueued: a structure queued in the Local sandbox
// is not sent after switching to a team portal; the status counts it as
// waiting for another environment; back in the sandbox, it goes.
func TestRowsGoWhereTheyWereQueued(t *testing.T) {
	const host = "team.chorus-sim.test"
	team, base, certs := teamPortal(t, host)
	if err := team.SeedAccount(t.Context(), "equipe@cabinet.example", password); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	ctx := t.Context()
	f.signedIn(t, "sandbox@cabinet.example")
	siret := coretest.SIRETs(1)[0]
	if _, _, err := f.svc.Structures.Save(ctx, 0, draft(siret), true); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Connection.SaveSettings(ctx, core.Settings{Environment: core.EnvTeam, CAFile: certs.CAFile,
		PortalURL: "https://127.0.0.1" + strings.TrimPrefix(base, "https://"+host)}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Accounts.SignIn(ctx, "equipe@cabinet.example", password); err != nil {
		t.Fatal(err)
	}
	st, err := f.svc.Sync.SendNow(ctx)
	if err != nil || st.Sent != 0 {
		t.Fatalf("the team portal got the sandbox's row: %+v %v", st, err)
	}
	if _, pending, _ := f.svc.Sync.Counts(ctx); pending != 0 {
		t.Fatalf("%d rows pending for the team portal", pending)
	}
	if n, err := f.svc.Sync.PendingElsewhere(ctx); n != 1 || err != nil {
		t.Fatalf("waiting elsewhere: %d %v", n, err)
	}
	if res, err := portal.NewOnboarding(base, nil).SearchStructure(ctx, core.IDSIRET, siret); err == nil && res.Found {
		t.Fatal("the structure is on the team portal")
	}
	// Back in the sandbox (signed in again: sessions live in memory).
	if err := f.svc.Connection.SaveSettings(ctx, core.Settings{}); err != nil {
		t.Fatal(err)
	}
	f.signedIn(t, "sandbox@cabinet.example")
	st, err = f.svc.Sync.SendNow(ctx)
	if err != nil || st.Created != 1 {
		t.Fatalf("back in the sandbox: %+v %v", st, err)
	}
}
