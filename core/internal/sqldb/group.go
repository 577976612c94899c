package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// MaxGroup bounds the work one group commit writes: beyond it, the queued
// work waits for the next transaction, so that no caller's answer waits
// behind an unbounded batch and the queue's memory is bounded by the
// callers themselves (each waits for its own).
const MaxGroup = 128

// group queues the work of GroupTx while a leader writes.
type group struct {
	mu    sync.Mutex
	queue []*groupWork
	busy  bool // a leader is writing
	// written counts the transactions written, for tests.
	written atomic.Int64
}

// groupWork is one GroupTx call waiting for its transaction.
type groupWork struct {
	ctx context.Context
	fn  func(context.Context, *sql.Tx) error
	res chan groupDone
}

// groupDone is a call's outcome, or the word that its caller now leads: it
// writes the next group.
type groupDone struct {
	err   error
	panic *groupPanic
	lead  bool
}

// groupPanic carries a panic of one caller's fn back to its own goroutine.
type groupPanic struct {
	value any
	stack []byte
}

// ErrGroupAborted is returned to every call of a group whose transaction
// SQLite abandoned (a full disk, an I/O error): nothing of the group was
// written.
var ErrGroupAborted = errors.New("the group's transaction was abandoned")

// GroupTx runs fn in a write transaction shared with the calls that arrive
// while another group is being written: one BEGIN, one COMMIT and one fsync
// for all (group commit). Each fn runs in its own SAVEPOINT, so an error
// undoes only its own changes and is returned only to its caller; GroupTx
// returns only once the transaction holding fn's changes has committed (or
// failed), so an answer sent after it is durable as after Tx.
//
// fn runs on whichever goroutine leads the group, with ctx: a context
// without cancellation derived from the caller's (an interrupted statement
// would make SQLite roll back the whole shared transaction). It must use
// that ctx and nothing bound to its own goroutine. A panic in fn undoes its
// savepoint and is raised again on the caller's goroutine.
func (db *DB) GroupTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if db.writer == nil {
		return errReadOnly
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w := &groupWork{ctx: context.WithoutCancel(ctx), fn: fn, res: make(chan groupDone, 1)}
	g := &db.group
	g.mu.Lock()
	g.queue = append(g.queue, w)
	lead := !g.busy
	g.busy = true
	g.mu.Unlock()
	for {
		if lead {
			db.writeGroup()
		}
		r := <-w.res
		if r.lead {
			lead = true
			continue
		}
		if r.panic != nil {
			panic(fmt.Sprintf("%v\n\n(in a group commit) %s", r.panic.value, r.panic.stack))
		}
		return r.err
	}
}

// writeGroup writes up to MaxGroup queued calls in one transaction and
// answers each, then hands the lead to the first call still queued, so
// that no caller writes for others for long.
func (db *DB) writeGroup() {
	g := &db.group
	g.mu.Lock()
	n := min(len(g.queue), MaxGroup)
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	if len(g.queue) == 0 {
		g.queue = nil // let the old array go
	}
	g.mu.Unlock()

	done := make([]groupDone, len(batch))
	err := db.Tx(batch[0].ctx, func(tx *sql.Tx) error {
		for i, w := range batch {
			var err error
			done[i], err = runSavepoint(tx, w)
			if err != nil {
				return err
			}
		}
		return nil
	})
	g.written.Add(1)
	for i, w := range batch {
		if err != nil && done[i].err == nil && done[i].panic == nil {
			done[i].err = err
		}
		w.res <- done[i]
	}

	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].res <- groupDone{lead: true}
	} else {
		g.busy = false
	}
	g.mu.Unlock()
}

// runSavepoint runs one call's fn inside a savepoint of tx. Its outcome is
// the call's; the error returned is the group's: the transaction cannot go
// on (the savepoint could not be set or undone).
func runSavepoint(tx *sql.Tx, w *groupWork) (out groupDone, groupErr error) {
	if _, err := tx.ExecContext(w.ctx, "SAVEPOINT g"); err != nil {
		return groupDone{err: err}, err
	}
	func() {
		defer func() {
			if v := recover(); v != nil {
				out.panic = &groupPanic{value: v, stack: debug.Stack()}
			}
		}()
		out.err = w.fn(w.ctx, tx)
	}()
	if out.err == nil && out.panic == nil {
		if _, err := tx.ExecContext(w.ctx, "RELEASE g"); err != nil {
			return groupDone{err: err}, err
		}
		return out, nil
	}
	// Undo this call's changes only. If SQLite already abandoned the whole
	// transaction, the savepoint is gone and so is everyone's work.
	if _, err := tx.ExecContext(w.ctx, "ROLLBACK TO g"); err != nil {
		return out, fmt.Errorf("%w: %v", ErrGroupAborted, err)
	}
	if _, err := tx.ExecContext(w.ctx, "RELEASE g"); err != nil {
		return out, fmt.Errorf("%w: %v", ErrGroupAborted, err)
	}
	return out, nil
}
