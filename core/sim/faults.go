package sim

import (
	"bytes"
	"net"
	"net/http"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core/api"
)

// Fault kinds --fault-rate draws from, one in four each.
const (
	faultUnavailable = iota // 503 with Retry-After
	faultTooMany            // 429 with Retry-After
	faultResetBefore        // the connection is reset before the request is processed
	faultResetAfter         // processed and committed, then the connection is reset: the answer is lost
)

// faults makes cfg.FaultRate of the requests fail the ways networks and
// gateways fail, so clients are tested against them. The sandbox mailbox and
// health checks are spared: they are for people, not for clients under test.
func (s *Server) faults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == api.PathMailbox || strings.HasSuffix(r.URL.Path, "health") || strings.HasSuffix(r.URL.Path, "health-check") {
			next.ServeHTTP(w, r)
			return
		}
		s.faultMu.Lock()
		hit := s.rng.Float64() < s.cfg.FaultRate
		kind := s.rng.IntN(4)
		s.faultMu.Unlock()
		if !hit {
			next.ServeHTTP(w, r)
			return
		}
		s.cfg.Log.Info("fault", "kind", kind, "path", r.URL.Path)
		switch kind {
		case faultUnavailable:
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusServiceUnavailable, api.CodeUnavailable)
		case faultTooMany:
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusTooManyRequests, api.CodeThrottled)
		case faultResetBefore:
			reset(w)
		case faultResetAfter:
			rec := &recorder{header: http.Header{}}
			next.ServeHTTP(rec, r)
			reset(w)
		}
	})
}

// reset closes the client's connection with a TCP RST.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// recorder is a ResponseWriter whose answer nobody will read.
type recorder struct {
	header http.Header
	body   bytes.Buffer
	status int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(s int)           { r.status = s }
