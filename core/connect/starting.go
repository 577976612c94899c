package connect

import (
	"context"
	"net/http"
	"sync"

	"github.com/chorusonboard/chorus-onboard/core/portal"
)

// Starting stands for the Local sandbox while it starts. The app shows its
// window first and starts the sandbox after (opening its database is not
// on the way to the first frame), so a request may come before it serves:
// such a request waits for Done instead of failing, and while any request
// waits, the watcher hears it (the status line says the sandbox is
// starting, not that the portal is down). Its zero value is not usable:
// use NewStarting.
type Starting struct {
	done chan struct{}
	once sync.Once

	mu      sync.Mutex
	waiting int // requests waiting for done
	watch   func(waiting bool)
}

// NewStarting returns a sandbox that has not started yet.
func NewStarting() *Starting { return &Starting{done: make(chan struct{})} }

// Done says the sandbox serves, or never will (it failed and its listener
// is closed): the requests waiting go on, and meet the sandbox or its
// closed port. Calling it again does nothing.
func (s *Starting) Done() { s.once.Do(func() { close(s.done) }) }

// Watch sets the function told when requests start waiting (true) and when
// none waits any more (false). It is called on the requests' goroutines,
// never with a lock held; set later than a wait began, it hears true at
// once. A nil f stops the telling.
func (s *Starting) Watch(f func(waiting bool)) {
	s.mu.Lock()
	s.watch = f
	now := s.waiting > 0
	s.mu.Unlock()
	if f != nil && now {
		f(true)
	}
}

// Wait returns once the sandbox is done starting, or with ctx's error.
func (s *Starting) Wait(ctx context.Context) error {
	select {
	case <-s.done:
		return nil
	default:
	}
	s.change(+1)
	defer s.change(-1)
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// change counts a request starting or ending its wait and tells the
// watcher when the count leaves or reaches zero.
func (s *Starting) change(by int) {
	s.mu.Lock()
	before := s.waiting
	s.waiting += by
	after, watch := s.waiting, s.watch
	s.mu.Unlock()
	if watch != nil && (before == 0) != (after == 0) {
		watch(after > 0)
	}
}

// client returns the HTTP client of the sandbox's requests: the package
// portal's default, each request waiting for Done first.
func (s *Starting) client() *http.Client {
	hc := portal.NewHTTPClient()
	hc.Transport = startingTransport{s, http.DefaultTransport}
	return hc
}

// startingTransport waits for the sandbox before each round trip.
type startingTransport struct {
	s    *Starting
	next http.RoundTripper
}

// RoundTrip waits for the sandbox (bounded by the request's context and
// the client's timeout), then sends the request.
func (t startingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := t.s.Wait(r.Context()); err != nil {
		if r.Body != nil {
			_ = r.Body.Close() // a RoundTripper closes the body, even on error
		}
		return nil, err
	}
	return t.next.RoundTrip(r)
}
