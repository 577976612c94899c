package outbox

import (
	"context"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
)

// Status is what the worker reports after each pass, for the status line.
type Status struct {
	// Online is true when the portal answered its health check.
	Online bool
	// Pending counts outbox rows still to send; Failed, structures the
	// portal refused.
	Pending, Failed int
	// Last is the latest pass's counts.
	Last Stats
	// Err is why the pass stopped early (a session that expired, a store
	// that failed), nil when it went through.
	Err error
}

// Health is how the worker tells online from offline: by reaching the
// configured portal, never by guessing from network interfaces.
type Health interface {
	Health(ctx context.Context) error
}

// Run sends due rows until ctx ends. It wakes when Notify is called (a new
// row was queued, the user pressed "retry now"), and every interval, which
// is also how it notices the portal is back; report receives the status
// after each pass.
func (w *Worker) Run(ctx context.Context, h Health, interval time.Duration, report func(Status)) {
	w.wakeOnce()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		st := Status{}
		if err := h.Health(ctx); err == nil {
			st.Online = true
			st.Last, st.Err = w.RunOnce(ctx)
			if st.Err == nil {
				_, st.Err = w.ReadBack(ctx)
			}
		}
		st.Pending, st.Failed = w.counts(ctx)
		if report != nil && ctx.Err() == nil {
			report(st)
		}
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-t.C:
		}
	}
}

// Notify wakes the worker: its next pass starts now instead of at the next
// tick. It never blocks, and wakes made while a pass runs coalesce into one
// more pass.
func (w *Worker) Notify() {
	w.wakeOnce()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *Worker) wakeOnce() {
	w.wakeInit.Do(func() { w.wake = make(chan struct{}, 1) })
}

// counts returns the pending outbox rows (the worker's) and the failed
// structures. A count that cannot be read reports as 0: the status line
// shows the next pass's.
func (w *Worker) counts(ctx context.Context) (pending, failed int) {
	target, _ := w.Route()
	pending, _, _ = w.Store.Pending(ctx, target)
	if w.Structures == nil {
		return pending, 0
	}
	if c, err := w.Structures.CountStructures(ctx); err == nil {
		failed = c[core.StateFailed]
	}
	return pending, failed
}
