package connect

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// watcher records what a Starting tells, in order.
type watcher struct {
	mu    sync.Mutex
	heard []bool
	said  chan bool
}

func newWatcher() *watcher { return &watcher{said: make(chan bool, 1024)} }

func (w *watcher) tell(waiting bool) {
	w.mu.Lock()
	w.heard = append(w.heard, waiting)
	w.mu.Unlock()
	w.said <- waiting
}

func (w *watcher) all() []bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]bool(nil), w.heard...)
}

// sandboxServer stands for the in-process sandbox: it counts what reaches
// it and answers the health check.
func sandboxServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var reached atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &reached
}

// TestStartingHoldsRequests: the sandbox's requests made before it serves
// wait for it rather than fail, reach it once it is done, and the watcher
// hears "waiting" once for all of them and "no longer" once at the end.
func TestStartingHoldsRequests(t *testing.T) {
	for _, n := range []int{1, 300} {
		srv, reached := sandboxServer(t)
		s := NewStarting()
		w := newWatcher()
		s.Watch(w.tell)
		target := Targets(Options{Sandbox: srv.URL, SandboxStarting: s})(onboardingLocal())
		errs := make(chan error, n)
		for range n {
			go func() { errs <- target.Portal.Health(context.Background()) }()
		}
		if got := <-w.said; !got {
			t.Fatalf("%d requests: first told %v, want waiting", n, got)
		}
		// A request counts itself as waiting before it waits, and only a
		// round trip after Done reaches the server.
		if r := reached.Load(); r != 0 {
			t.Fatalf("%d requests: %d reached the sandbox before it was done", n, r)
		}
		s.Done()
		for range n {
			if err := <-errs; err != nil {
				t.Fatalf("%d requests: %v", n, err)
			}
		}
		if r := reached.Load(); r != int64(n) {
			t.Fatalf("%d requests: %d reached the sandbox", n, r)
		}
		if got := <-w.said; got {
			t.Fatalf("%d requests: last told %v, want no longer waiting", n, got)
		}
		// Many waiters overlap: the watcher may hear a few rounds, each a
		// true then a false, never two of a kind in a row.
		heard := w.all()
		for i, h := range heard {
			if h != (i%2 == 0) {
				t.Fatalf("%d requests: heard %v", n, heard)
			}
		}
		if len(heard)%2 != 0 {
			t.Fatalf("%d requests: heard %v, which ends waiting", n, heard)
		}
		// Done: nobody waits any more, and nobody is told.
		if err := target.Portal.Health(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := len(w.all()); got != len(heard) {
			t.Fatalf("%d requests: a request after Done was reported waiting", n)
		}
	}
}

// TestStartingCanceled: a request given up while the sandbox starts
// returns its context's error, never reaches it, and ends the "waiting".
func TestStartingCanceled(t *testing.T) {
	srv, reached := sandboxServer(t)
	s := NewStarting()
	w := newWatcher()
	s.Watch(w.tell)
	target := Targets(Options{Sandbox: srv.URL, SandboxStarting: s})(onboardingLocal())
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- target.Portal.Health(ctx) }()
	<-w.said
	cancel()
	err := <-errc
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want the context's error", err)
	}
	if e := core.AsE(err); e == nil || e.Kind != core.KindUnavailable {
		t.Fatalf("got %#v, want an unavailable portal", err)
	}
	if got := <-w.said; got {
		t.Fatal("still told waiting after the request gave up")
	}
	if r := reached.Load(); r != 0 {
		t.Fatalf("%d requests reached the sandbox", r)
	}
}

// TestStartingWatchLate: a watcher set while a request waits hears it at
// once (main sets it once the window exists, which may be after the
// first request); Done twice is harmless; a nil watcher hears nothing.
func TestStartingWatchLate(t *testing.T) {
	s := NewStarting()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waiting := make(chan struct{})
	errc := make(chan error, 1)
	s.Watch(func(w bool) {
		if w {
			close(waiting)
		}
	})
	go func() { errc <- s.Wait(ctx) }()
	<-waiting
	w := newWatcher()
	s.Watch(w.tell)
	if got := <-w.said; !got {
		t.Fatal("a late watcher was not told a request waits")
	}
	s.Watch(nil)
	s.Done()
	s.Done()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if got := w.all(); len(got) != 1 {
		t.Fatalf("a removed watcher heard %v", got)
	}
}

// TestSandboxWithoutStarting: without a Starting (onboardctl, tests), the
// sandbox's clients are the package portal's default, as before.
func TestSandboxWithoutStarting(t *testing.T) {
	srv, reached := sandboxServer(t)
	target := Targets(Options{Sandbox: srv.URL})(onboardingLocal())
	if target.HTTP != nil {
		t.Fatal("a sandbox without Starting got its own client")
	}
	if err := target.Portal.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
	if reached.Load() != 1 {
		t.Fatal("the health check did not reach the sandbox")
	}
}

// onboardingLocal is the Local sandbox's spec.
func onboardingLocal() onboarding.TargetSpec { return onboarding.TargetSpec{Env: core.EnvLocal} }
