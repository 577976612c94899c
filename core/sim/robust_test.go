package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

var paths = []string{
	api.PathCaptcha, "/api/v1/captcha/x/email-code", api.PathAccounts, api.PathActivation, api.PathSession,
	api.PathStructures, api.PathAttachments, api.PathAttachmentsQueue, "/api/v1/attachments/1/approve",
	"/api/v1/attachments/abc/refuse", api.PathMailbox, api.PathHealth, api.PathActivate, "/api/v9/nope",
	piste.PathToken, piste.PathRechercher, piste.PathConsulter, piste.PathRattachements, piste.PathTypesIdentifiant,
	piste.PathPays, piste.PathHealth, "/registry/search", "/insee/api-sirene/3.11/siret/73282932000074", "/",
}

var bodies = []string{
	"", "{", "[]", "null", `{"captcha_id":1}`, `{"account":{"login_email":["x"]}}`, `{"token":"` + strings.Repeat("a", 5000) + `"}`,
	`{"identifier_type":"SIRET","identifier":"73282932000074","structure_kind":"PRIVEE","company_name":"x","address":"a","city":"b","postal_code":"75002"}`,
	`{"structure":{"identifiantStructure":7}}`, `{"idStructureCPP":"1"}`, `{"parametres":{"triColonne":"DROP TABLE"}}`,
	"grant_type=client_credentials&client_id=app&client_secret=s3cret", "\x00\xff\xfe", `{"a":1}{"b":2}`,
	`{"parametres":{"nbResultatsParPage":-5,"pageResultatDemandee":-9223372036854775808}}`,
}

// TestMalformedRequests sends 100,000 malformed or random requests (20,000
// with -short) straight to the handler: no panic, no 5xx, and the server
// still works afterwards.
func TestMalformedRequests(t *testing.T) {
	e := start(t)
	c := onboard(t, e, "fuzz@example.fr")
	_ = c
	n := 100_000
	if testing.Short() || raceDetector {
		n = 20_000
	}
	h := e.srv.Handler()
	rng := rand.New(rand.NewPCG(1, 2))
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"}
	fives := 0
	for i := range n {
		path := paths[rng.IntN(len(paths))]
		if rng.IntN(4) == 0 {
			path += "?" + []string{"to=x", "identifier=%zz", "q=" + strings.Repeat("9", rng.IntN(40)), "identifier_type=TAHITI&identifier=A1", "page=-1&per_page=999"}[rng.IntN(5)]
		}
		body := bodies[rng.IntN(len(bodies))]
		if rng.IntN(3) == 0 {
			b := make([]byte, rng.IntN(300))
			for j := range b {
				b[j] = byte(rng.IntN(256))
			}
			body = string(b)
		}
		req := httptest.NewRequest(methods[rng.IntN(len(methods))], path, strings.NewReader(body))
		switch rng.IntN(5) {
		case 0:
			req.Header.Set("Authorization", "Bearer "+fmt.Sprint(rng.Uint64()))
		case 1:
			req.Header.Set(piste.HeaderAccount, "%%%")
		case 2:
			req.Header.Set(api.HeaderIdempotencyKey, fmt.Sprint(rng.IntN(50)))
		case 3:
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			fives++
			if fives < 5 {
				t.Errorf("request %d %s %s %q: %d %s", i, req.Method, path, body, w.Code, w.Body.String())
			}
		}
	}
	if fives > 0 {
		t.Fatalf("%d of %d requests answered 5xx", fives, n)
	}
	if err := portal.NewOnboarding(e.http.URL, nil).Health(t.Context()); err != nil {
		t.Fatalf("server after the storm: %v", err)
	}
	t.Logf("%d malformed or random requests: 0 panics, 0 answers 5xx", n)
}

// TestFaultInjection: with --fault-rate 1 every request fails one of the
// four ways, and the client classifies each as retryable; a reset after
// commit really committed.
func TestFaultInjection(t *testing.T) {
	e := start(t, func(c *Config) { c.FaultRate = 1; c.Seed = 7 })
	ctx := t.Context()
	c := portal.NewOnboarding(e.http.URL, &http.Client{Transport: &http.Transport{DisableKeepAlives: true}})
	kinds := map[string]int{}
	for range 200 {
		_, err := c.Captcha(ctx)
		pe := core.AsE(err)
		if pe == nil || !core.Retryable(err) {
			t.Fatalf("fault not retryable: %v", err)
		}
		k := pe.Code
		if pe.Status == 0 {
			k = "reset"
		}
		kinds[k]++
		if pe.Status == 503 || pe.Status == 429 {
			if pe.RetryAfter <= 0 {
				t.Fatalf("%d without Retry-After", pe.Status)
			}
		}
	}
	if kinds["reset"] == 0 || kinds[api.CodeUnavailable] == 0 || kinds[api.CodeThrottled] == 0 {
		t.Fatalf("fault kinds seen: %v", kinds)
	}
	var captchas int
	if err := e.srv.db.QueryRowContext(context.Background(), `SELECT count(*) FROM captcha`).Scan(&captchas); err != nil {
		t.Fatal(err)
	}
	if captchas == 0 || captchas == 200 {
		t.Fatalf("%d captchas committed: resets after commit should commit some, not all", captchas)
	}
	// Health checks are spared.
	if err := c.Health(ctx); err != nil {
		t.Fatalf("health under faults: %v", err)
	}
	t.Logf("200 requests at fault rate 1: %v, %d committed behind a lost answer", kinds, captchas)
}

// FuzzOnboardingBody feeds any body to every onboarding POST: never a 5xx.
func FuzzOnboardingBody(f *testing.F) {
	for _, b := range bodies {
		f.Add(b, 0)
	}
	s, err := New(f.Context(), Config{DataDir: testos.TempDir(f), Sandbox: true, PasswordIterations: 1,
		PISTEClients: map[string]string{"app": "s3cret"}, TechnicalAccounts: map[string]string{"T": "p"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body string, which int) {
		if which < 0 {
			which = -which
		}
		path := paths[which%len(paths)]
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, bytes.NewReader([]byte(body))))
		if w.Code >= 500 {
			t.Fatalf("POST %s %q: %d %s", path, body, w.Code, w.Body.String())
		}
	})
}

// flakyListener fails its first accepts, then hands out one connection,
// then says it is closed.
type flakyListener struct {
	net.Listener
	fails int
	conn  net.Conn
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.fails > 0 {
		l.fails--
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: errors.New("WSAENOBUFS: no buffer space")}
	}
	if c := l.conn; c != nil {
		l.conn = nil
		return c, nil
	}
	return nil, net.ErrClosed
}

// TestKeepAccepting: failed accepts are tried again (the server stays up),
// and a closed listener ends Accept.
func TestKeepAccepting(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	var logged bytes.Buffer
	ln := KeepAccepting(&flakyListener{fails: 4, conn: a}, slog.New(slog.NewTextHandler(&logged, nil)))
	c, err := ln.Accept()
	if err != nil || c != a {
		t.Fatalf("after 4 failed accepts: %v, %v", c, err)
	}
	if n := strings.Count(logged.String(), "accept failed"); n != 4 {
		t.Errorf("%d failures logged, want 4:\n%s", n, logged.String())
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("closed listener: %v", err)
	}
}
