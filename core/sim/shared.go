package sim

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

// The portal's own limits (sign-in passwords, second-factor codes, the
// mail anonymous requests make it send) are kept in the database, in the
// transaction of the request they judge: every instance of a portal on
// one PostgreSQL database counts against the same budget, so two
// instances behind a load balancer allow what one does, not twice as
// much. Each limit is a window of events per key (throttle_event); an
// event is a reservation made before the work it limits, which a success
// may take back (sharedThrottle.succeeded).
//
// Counting and recording happen under a lock of the key, so that 300
// parallel requests, on one instance or several, get at most the limit
// evaluated: on SQLite the single writer is that lock; on PostgreSQL a
// transaction-scoped advisory lock of each key, taken in one order.
//
// The registry's and PISTE's emulations keep their limits in memory
// (throttle, limiter): they stand for outside services in tests and the
// sandbox, and a deployment on several instances does not serve them to
// its users.

// maxThrottleEvents bounds the events kept: the sweep deletes the oldest
// beyond it (the windows are an hour at most, so only a flood of
// attempts from very many addresses reaches it, and the newest count).
const maxThrottleEvents = 1_000_000

// throttleSpan is the longest window: older events count for nothing.
const throttleSpan = time.Hour

// rule is one limit: at most limit events of kind per key in window.
type rule struct {
	kind   string
	window time.Duration
	limit  int
}

// lockKeys takes, until tx ends, the lock of each key (kind and key) on
// PostgreSQL, in one order so two requests never wait on each other's.
func lockKeys(ctx context.Context, tx *sqldb.Tx, keys ...string) error {
	if tx.Engine() != sqldb.Postgres {
		return nil
	}
	keys = slices.Clone(keys)
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 7))`, "throttle:"+k); err != nil {
			return err
		}
	}
	return nil
}

// wait is how long until key's window of r holds fewer than r.limit
// events (0: one more is allowed now).
func (r rule) wait(ctx context.Context, tx *sqldb.Tx, now time.Time, key string) (time.Duration, error) {
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT at FROM throttle_event WHERE kind = ? AND key = ? AND at > ?
		ORDER BY at DESC, id DESC LIMIT 1 OFFSET ?`, r.kind, key, now.Add(-r.window).UnixMilli(), r.limit-1).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return max(r.window-now.Sub(time.UnixMilli(at)), time.Millisecond), nil
}

// record adds an event of r for key and returns its id.
func (r rule) record(ctx context.Context, tx *sqldb.Tx, now time.Time, key string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO throttle_event (kind, key, at) VALUES (?, ?, ?) RETURNING id`,
		r.kind, key, now.UnixMilli()).Scan(&id)
	return id, err
}

// limitKey is one key counted under a rule.
type limitKey struct {
	r   rule
	key string
}

// takeAll records an event for every key under its rule, unless one of
// them is at its limit: then nothing is recorded, and it says how long to
// wait. It returns the events' ids.
func takeAll(ctx context.Context, tx *sqldb.Tx, now time.Time, keys ...limitKey) ([]int64, time.Duration, error) {
	locks := make([]string, len(keys))
	for i, k := range keys {
		locks[i] = k.r.kind + "\t" + k.key
	}
	if err := lockKeys(ctx, tx, locks...); err != nil {
		return nil, 0, err
	}
	var wait time.Duration
	for _, k := range keys {
		w, err := k.r.wait(ctx, tx, now, k.key)
		if err != nil {
			return nil, 0, err
		}
		wait = max(wait, w)
	}
	if wait > 0 {
		return nil, wait, nil
	}
	ids := make([]int64, 0, len(keys))
	for _, k := range keys {
		id, err := k.r.record(ctx, tx, now, k.key)
		if err != nil {
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	return ids, 0, nil
}

// sharedThrottle limits guesses (sign-in passwords, second-factor codes)
// by the rule of throttle.go: per account and client address (pair), per
// account, per client address; in the database.
type sharedThrottle struct {
	pair, account, address rule
}

// newSharedThrottle is the guessing throttle whose event kinds start with
// name.
func newSharedThrottle(name string) *sharedThrottle {
	return &sharedThrottle{pair: rule{name + ".pair", pairWindow, pairFailures},
		account: rule{name + ".account", accountWindow, accountFailures},
		address: rule{name + ".address", addressWindow, addressFailures}}
}

// sharedTicket is a reservation: its events, for succeeded to take back.
type sharedTicket struct {
	pair string
	ids  []int64
}

// reserve counts an attempt for account from address before it is
// judged; when a limit is reached it records nothing and says how long to
// wait.
func (t *sharedThrottle) reserve(ctx context.Context, tx *sqldb.Tx, now time.Time, account, address string) (sharedTicket, time.Duration, error) {
	pair := account + "\t" + address
	ids, wait, err := takeAll(ctx, tx, now, limitKey{t.pair, pair}, limitKey{t.account, account}, limitKey{t.address, address})
	return sharedTicket{pair: pair, ids: ids}, wait, err
}

// succeeded takes back a reservation that was no failure: the pair's
// failures are forgotten (the right password or code from there), and
// this attempt no longer counts against the account or the address.
func (t *sharedThrottle) succeeded(ctx context.Context, tx *sqldb.Tx, tk sharedTicket) error {
	if len(tk.ids) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM throttle_event WHERE kind = ? AND key = ?`, t.pair.kind, tk.pair); err != nil {
		return err
	}
	list, args := idList(tk.ids)
	_, err := tx.ExecContext(ctx, `DELETE FROM throttle_event WHERE id IN `+list, args...)
	return err
}

// sweepThrottles deletes the events no window counts any more, and the
// oldest beyond maxThrottleEvents.
func sweepThrottles(ctx context.Context, tx *sqldb.Tx, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM throttle_event WHERE at <= ?`, now.Add(-throttleSpan).UnixMilli()); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM throttle_event WHERE id <= (SELECT max(id) FROM throttle_event) - ?`, int64(maxThrottleEvents))
	return err
}
