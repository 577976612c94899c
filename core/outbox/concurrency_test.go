package outbox

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// countingPortal records how many requests are in flight, the most at once,
// and the entities it saw while another request for them was in flight.
// gate, when set, holds each request until it returns.
type countingPortal struct {
	mu         sync.Mutex
	inflight   int
	peak       int
	busy       map[string]bool
	overlapped []string
	calls      int
	// answer says what the n-th call (from 1) gets: nil, or an error.
	answer func(n int) error
	// gate holds a request until it returns (a barrier in a test).
	gate func(inflight int)
	// peakAfter is the most in flight among requests started after the
	// first afterCalls answers.
	afterCalls, answered, peakAfter int
}

func (p *countingPortal) enter(key string) (n, inflight int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	p.inflight++
	p.peak = max(p.peak, p.inflight)
	if p.answered >= p.afterCalls {
		p.peakAfter = max(p.peakAfter, p.inflight)
	}
	if p.busy[key] {
		p.overlapped = append(p.overlapped, key)
	}
	p.busy[key] = true
	return p.calls, p.inflight
}

func (p *countingPortal) leave(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	p.answered++
	delete(p.busy, key)
}

func (p *countingPortal) CreateStructure(_ context.Context, _ string, d core.StructureDraft) (api.Structure, error) {
	n, inflight := p.enter(d.Identifier)
	defer p.leave(d.Identifier)
	if p.gate != nil {
		p.gate(inflight)
	}
	if p.answer != nil {
		if err := p.answer(n); err != nil {
			return api.Structure{}, err
		}
	}
	return api.Structure{ID: int64(n)}, nil
}

func (p *countingPortal) RequestAttachment(context.Context, string, core.IdentifierType, string) (api.Attachment, error) {
	return api.Attachment{}, nil
}

func (p *countingPortal) MyAttachments(context.Context) ([]api.Attachment, error) { return nil, nil }

func newStore(t *testing.T) *sqlite.DB {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(testos.TempDir(t), "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestInFlight: a pass keeps exactly N requests in flight, never more,
// never two for one structure, for N = 1, 8 and 16. The portal holds the
// first N requests until N are in, so a worker that sends fewer at once
// fails here (after the barrier's patience), one that sends more is seen.
func TestInFlight(t *testing.T) {
	for _, n := range []int{1, 8, 16} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			st := newStore(t)
			queue(t, st.Structures, coretest.SIRETs(5*n)...)
			full := make(chan struct{})
			var once sync.Once
			p := &countingPortal{busy: map[string]bool{}}
			p.gate = func(inflight int) {
				if inflight == n {
					once.Do(func() { close(full) })
				}
				select {
				case <-full:
				case <-time.After(20 * time.Second):
					// Never n at once: let the rest through; the
					// peak below says what happened.
					once.Do(func() { close(full) })
				}
			}
			w := New(st.Outbox, st.Structures, p)
			w.SetConcurrency(n)
			stats, err := w.RunOnce(t.Context())
			if err != nil || stats.Created != 5*n {
				t.Fatalf("%+v %v", stats, err)
			}
			if p.peak != n || len(p.overlapped) > 0 {
				t.Fatalf("peak %d in flight, want %d; overlapping requests for %v", p.peak, n, p.overlapped)
			}
		})
	}
}

// TestThrottleShrinksTheWindow: a portal answering 429 to everything makes
// the pass send one request at a time once a few answers are in (8 → 4 →
// 2 → 1), and each row keeps its own retry schedule (rescheduled, not
// failed).
func TestThrottleShrinksTheWindow(t *testing.T) {
	st := newStore(t)
	queue(t, st.Structures, coretest.SIRETs(64)...)
	p := &countingPortal{busy: map[string]bool{}, afterCalls: 16}
	p.answer = func(int) error {
		time.Sleep(time.Millisecond) // let requests overlap
		return &core.E{Kind: core.KindUnavailable, Code: "portal.busy", Status: http.StatusTooManyRequests, RetryAfter: time.Minute}
	}
	w := New(st.Outbox, st.Structures, p)
	w.SetConcurrency(8)
	// A frozen clock: a row the portal asked to wait is not due again in
	// this pass.
	now := time.Now()
	w.Now = func() time.Time { return now }
	stats, err := w.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Throttled != 64 || stats.Retried != 64 || stats.Failed != 0 {
		t.Fatalf("%+v", stats)
	}
	if p.peakAfter != 1 {
		t.Fatalf("%d in flight after 16 answers 429, want 1 (peak before: %d)", p.peakAfter, p.peak)
	}
	pending, _, err := st.Outbox.Pending(t.Context(), core.TargetLocal)
	if err != nil || pending != 64 {
		t.Fatalf("%d rows pending, want 64 (%v)", pending, err)
	}
}

// TestAIMD: the window halves on each throttling answer down to one, and
// grows by one per window of good answers up to its maximum.
func TestAIMD(t *testing.T) {
	a := newAIMD(8)
	steps := []struct {
		throttled bool
		want      float64
	}{{true, 4}, {true, 2}, {true, 1}, {true, 1}, {false, 2}, {false, 2.5}, {false, 2.9}}
	for i, s := range steps {
		if !a.acquire(context.Background()) {
			t.Fatal("acquire")
		}
		a.release(s.throttled)
		if got := a.limit; got < s.want-0.01 || got > s.want+0.01 {
			t.Fatalf("step %d: limit %.2f, want %.2f", i, got, s.want)
		}
	}
	for range 200 {
		a.acquire(context.Background())
		a.release(false)
	}
	if a.limit != 8 {
		t.Fatalf("limit %.2f after many good answers, want the maximum 8", a.limit)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if a.acquire(ctx) {
		t.Fatal("acquire on a cancelled context")
	}
}

// slowCompletes is an outbox whose completions wait for release: a disk
// slow to sync.
type slowCompletes struct {
	core.Outbox
	release chan struct{}
}

func (s *slowCompletes) Complete(ctx context.Context, opID string, sync core.Sync, follow *core.Op) error {
	<-s.release
	return s.Outbox.Complete(ctx, opID, sync, follow)
}

// TestAnsweredFreesThePlace (issue 34): a request's place is free once the
// portal has answered, not once the answer is on disk: with 2 in flight
// and every completion held, all 6 rows are sent, then recorded once the
// disk catches up; never two requests for one structure, never more than
// 2 at once.
func TestAnsweredFreesThePlace(t *testing.T) {
	st := newStore(t)
	queue(t, st.Structures, coretest.SIRETs(6)...)
	p := &countingPortal{busy: map[string]bool{}}
	slow := &slowCompletes{Outbox: st.Outbox, release: make(chan struct{})}
	w := New(slow, st.Structures, p)
	w.SetConcurrency(2)
	done := make(chan struct{})
	var stats Stats
	var err error
	go func() {
		defer close(done)
		stats, err = w.RunOnce(t.Context())
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		p.mu.Lock()
		calls := p.calls
		p.mu.Unlock()
		if calls == 6 {
			break
		}
		if time.Now().After(deadline) {
			close(slow.release)
			<-done
			t.Fatalf("with the completions held, %d of 6 rows were sent: the places wait for the disk", calls)
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(slow.release)
	<-done
	if err != nil || stats.Created != 6 {
		t.Fatalf("%+v %v", stats, err)
	}
	if p.peak > 2 || len(p.overlapped) > 0 {
		t.Fatalf("peak %d in flight (max 2), overlapping %v", p.peak, p.overlapped)
	}
	for _, op := range mustOps(t, st) {
		if op.State != core.OpDone {
			t.Errorf("row %s: %s, want done", op.OpID, op.State)
		}
	}
}
