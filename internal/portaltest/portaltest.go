// Package portaltest starts chorus-sim on loopback for tests of the
// packages that talk to it (the simulator's own tests are inside it, and
// so cannot use this).
package portaltest

import (
	"net/http/httptest"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// Portal is chorus-sim serving a test on loopback: its server (Sim.Firm()
// for the operator's firm commands) and its HTTP server.
type Portal struct {
	Sim  *sim.Server
	HTTP *httptest.Server
}

// StartPortal starts chorus-sim on loopback as cfg says, in a data
// directory of the test's and with passwords hashed quickly unless cfg
// names its own; it stops with the test.
func Start(tb testing.TB, cfg sim.Config) *Portal {
	tb.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = testos.TempDir(tb)
	}
	if cfg.PasswordIterations == 0 {
		cfg.PasswordIterations = 1000
	}
	srv, err := sim.New(tb.Context(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	srv.SetBaseURL(hs.URL)
	tb.Cleanup(func() { hs.Close(); srv.Close() })
	return &Portal{Sim: srv, HTTP: hs}
}
