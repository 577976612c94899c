package sync

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
}

// Health is how the worker tells online from offline: by reaching the
// configured portal, never by guessing from network interfaces.
type Health interface {
	Health(ctx context.Context) error
}

// Run sends due rows until ctx ends. It wakes when Notify is called (a new
// row was queued, the user pressed "retry now"), when the machine comes back
// online, and every interval; report receives the status after each pass.
func (w *Worker) Run(ctx context.Context, h Health, interval time.Duration, report func(Status)) {
	w.wakeOnce()
	t := time.NewTicker(interval)
	defer t.Stop()
	online := false
	for {
		st := Status{}
		if err := h.Health(ctx); err == nil {
			st.Online = true
			if !online {
				online = true // back online: send at once
			}
			st.Last, _ = w.RunOnce(ctx)
			_, _ = w.ReadBack(ctx)
		} else {
			online = false
		}
		st.Pending, st.Failed = w.counts(ctx)
		if report != nil {
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

// Notify wakes the worker; it never blocks.
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
// structures.
func (w *Worker) counts(ctx context.Context) (pending, failed int) {
	pending, _, _ = Pending(ctx, w.Store)
	if c, err := w.Store.CountStructures(ctx); err == nil {
		failed = c[core.StateFailed]
	}
	return pending, failed
}

// Pending counts the outbox rows a worker still has to send and says when
// the next is due. Account creations are not counted: they wait for a
// person to answer the captcha in the app.
func Pending(ctx context.Context, st core.Store) (n int, next time.Time, err error) {
	ops, err := st.Ops(ctx)
	if err != nil {
		return 0, time.Time{}, err
	}
	for _, o := range ops {
		if o.State == core.OpPending && o.Kind != core.OpCreateAccount {
			n++
			if next.IsZero() || o.NextAttempt.Before(next) {
				next = o.NextAttempt
			}
		}
	}
	return n, next, nil
}
