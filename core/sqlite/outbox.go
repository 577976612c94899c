package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

const opCols = `id, op_id, kind, account_id, structure_id, payload, state, attempts, next_attempt_at, last_error, created_at, target`

func scanOp(row scanner) (core.Op, error) {
	var o core.Op
	var kind, state string
	var account, structure sql.NullInt64
	var next, created int64
	err := row.Scan(&o.ID, &o.OpID, &kind, &account, &structure, &o.Payload, &state, &o.Attempts, &next, &o.LastError, &created, &o.Target)
	if err != nil {
		return o, err
	}
	o.Kind, o.State = core.OpKind(kind), core.OpState(state)
	switch o.State {
	case core.OpPending, core.OpDone, core.OpFailed:
	default:
		// The schema's CHECK forbids it: only a hand-edited or damaged
		// file gets here, and a row of unknown state is never sent.
		return o, &core.E{Kind: core.KindInternal, Code: "store.corrupt", Op: "read outbox row", Err: fmt.Errorf("state %.20q", state)}
	}
	if account.Valid {
		o.EntityType, o.EntityID = core.EntityAccount, account.Int64
	} else {
		o.EntityType, o.EntityID = core.EntityStructure, structure.Int64
	}
	o.NextAttempt, o.Created = time.UnixMilli(next), fromMillis(created)
	return o, nil
}

// ClaimDue leases the due rows, at most one per entity: the oldest pending
// row of each entity, so an entity's rows go out in order. Account creations
// are left out: they need a person to answer the captcha. A claimed row
// counts as an attempt: once a row has been attempted its payload is frozen.
func (db *Outbox) ClaimDue(ctx context.Context, target string, now time.Time, limit int, lease time.Duration) ([]core.Op, error) {
	var out []core.Op
	ms := now.UnixMilli()
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, qClaimDue, targetOr(target), ms, ms, limit)
		if err != nil {
			return err
		}
		out, err = leaseRows(ctx, tx, rows, ms+lease.Milliseconds())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim due rows: %w", err)
	}
	return out, nil
}

// ClaimStructure leases the oldest pending row of one structure, due or
// not (the person submitting it waits for the portal's answer: no backoff
// applies), unless another worker holds it. None when there is none.
func (db *Outbox) ClaimStructure(ctx context.Context, target string, structureID int64, now time.Time, lease time.Duration) ([]core.Op, error) {
	var out []core.Op
	ms := now.UnixMilli()
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, qClaimStructure, structureID, targetOr(target), ms)
		if err != nil {
			return err
		}
		out, err = leaseRows(ctx, tx, rows, ms+lease.Milliseconds())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim the structure's row: %w", err)
	}
	return out, nil
}

// leaseRows reads the claimed rows and leases them until until: a claimed
// row counts as an attempt, its payload frozen from then on.
func leaseRows(ctx context.Context, tx *sql.Tx, rows *sql.Rows, until int64) ([]core.Op, error) {
	var out []core.Op
	for rows.Next() {
		o, err := scanOp(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Attempts++
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE id = ?`,
			until, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// querier is a transaction's statements, plain (*sql.Tx) or through the
// statement cache (*sqldb.CachedTx).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// opEntity returns the entity of a row: exactly one of account and
// structure is valid.
func opEntity(ctx context.Context, tx querier, opID string) (account, structure sql.NullInt64, state string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT account_id, structure_id, state FROM outbox WHERE op_id = ?`, opID).
		Scan(&account, &structure, &state)
	return account, structure, state, err
}

// setEntitySync sets the sync state of a row's entity, account or
// structure: the same statement on each table, no SQL built at run time.
func setEntitySync(ctx context.Context, tx querier, account, structure sql.NullInt64, s core.Sync) error {
	q := `UPDATE structure SET state = ?, notice = ?, portal_id = CASE WHEN ? <> '' THEN ? ELSE portal_id END WHERE id = ?`
	id := structure.Int64
	if account.Valid {
		q = `UPDATE account SET state = ?, notice = ?, portal_id = CASE WHEN ? <> '' THEN ? ELSE portal_id END WHERE id = ?`
		id = account.Int64
	}
	_, err := tx.ExecContext(ctx, q, string(s.State), noticeJSON(s.Notice), s.PortalID, s.PortalID, id)
	return err
}

// Complete marks a row done, sets its entity's sync state and writes the
// follow-up row, all in one transaction. Completing a row that is already
// done changes nothing, so a replayed completion is harmless; the follow-up
// row is keyed by its OpID and is written once.
//
// Completions that arrive together (a pass keeps several rows in flight)
// are written in one transaction, one fsync for all (sqldb's group
// commit); each caller still returns only once its own completion is
// durable, and a completion that fails (its row gone) fails alone.
func (db *Outbox) Complete(ctx context.Context, opID string, s core.Sync, follow *core.Op) error {
	c := &completion{opID: opID, sync: s, follow: follow}
	return db.db.GroupTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return completeIn(ctx, db.db.Cached(tx, true), db.now(), c)
	})
}

// completion is one Complete's work.
type completion struct {
	opID   string
	sync   core.Sync
	follow *core.Op
}

// completeIn applies one completion inside tx.
func completeIn(ctx context.Context, tx *sqldb.CachedTx, now int64, c *completion) error {
	err := func() error {
		account, structure, state, err := opEntity(ctx, tx, c.opID)
		if err != nil {
			return err
		}
		if state == string(core.OpDone) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'done', lease_until = 0, last_error = '', updated_at = ?
			WHERE op_id = ?`, now, c.opID); err != nil {
			return err
		}
		if err := setEntitySync(ctx, tx, account, structure, c.sync); err != nil {
			return err
		}
		if c.follow == nil {
			return nil
		}
		// The follow-up goes where the row it follows went.
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox (op_id, kind, account_id, structure_id, payload, next_attempt_at,
			created_at, updated_at, target) SELECT ?, ?, ?, ?, ?, ?, ?, ?, target FROM outbox WHERE op_id = ?
			ON CONFLICT (op_id) DO NOTHING`,
			c.follow.OpID, string(c.follow.Kind), account, structure, c.follow.Payload, now, now, now, c.opID)
		return err
	}()
	if err != nil {
		return notFound("complete outbox row", err)
	}
	return nil
}

// Fail parks a row as failed with the portal's notice, and its entity too.
func (db *Outbox) Fail(ctx context.Context, opID string, notice core.Notice) error {
	now := db.now()
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		account, structure, _, err := opEntity(ctx, tx, opID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'failed', lease_until = 0, last_error = ?, updated_at = ?
			WHERE op_id = ?`, notice.Code, now, opID); err != nil {
			return err
		}
		return setEntitySync(ctx, tx, account, structure, core.Sync{State: core.StateFailed, Notice: notice})
	})
	if err != nil {
		return notFound("fail outbox row", err)
	}
	return nil
}

// Reschedule releases a row's lease and makes it due at next.
func (db *Outbox) Reschedule(ctx context.Context, opID string, next time.Time, lastErr string) error {
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE outbox SET next_attempt_at = ?, lease_until = 0, last_error = ?, updated_at = ?
			WHERE op_id = ? AND state = 'pending'`, next.UnixMilli(), lastErr, db.now(), opID)
	})
	if err != nil {
		return notFound("reschedule outbox row", err)
	}
	return nil
}

// Ops returns the whole outbox, oldest first: for diagnostics and tests,
// not for the worker, which claims rows.
func (db *Outbox) Ops(ctx context.Context) ([]core.Op, error) {
	rows, err := db.db.Reader().QueryContext(ctx, "SELECT "+opCols+" FROM outbox ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	defer rows.Close()
	var out []core.Op
	for rows.Next() {
		o, err := scanOp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Pending counts the rows of target a worker still has to send and when
// the next is due, in one indexed query.
func (db *Outbox) Pending(ctx context.Context, target string) (int, time.Time, error) {
	var n int
	var next sql.NullInt64
	err := db.db.Reader().QueryRowContext(ctx, `SELECT count(*), min(next_attempt_at) FROM outbox
		WHERE target = ? AND state = 'pending' AND kind <> 'account.create'`, targetOr(target)).Scan(&n, &next)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count pending rows: %w", err)
	}
	if !next.Valid {
		return n, time.Time{}, nil
	}
	return n, time.UnixMilli(next.Int64), nil
}

// PendingByTarget counts the rows still to send, by target.
func (db *Outbox) PendingByTarget(ctx context.Context) (map[string]int, error) {
	rows, err := db.db.Reader().QueryContext(ctx, `SELECT target, count(*) FROM outbox WHERE state = 'pending' GROUP BY target`)
	if err != nil {
		return nil, fmt.Errorf("count pending rows: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, fmt.Errorf("count pending rows: %w", err)
		}
		out[t] = n
	}
	return out, rows.Err()
}

// Forget deletes every record, then checkpoints, vacuums and truncates the
// WAL: with secure_delete on, the deleted bytes are overwritten in the main
// file and the WAL ends empty, so nothing deleted can be read back from the
// database, its -wal or its -shm.
func (db *DB) Forget(ctx context.Context) error {
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		// The firm's tables first, and the structures as the firm's
		// (firm_applying): forgetting queues no deletion for the firm.
		for _, q := range []string{"INSERT INTO firm_applying (id) VALUES (1)", "DELETE FROM firm_outbox", "DELETE FROM firm_delete",
			"DELETE FROM firm_conflict", "DELETE FROM firm_client", "DELETE FROM firm_link",
			"DELETE FROM outbox", "DELETE FROM structure", "DELETE FROM structure_change", "DELETE FROM account",
			"DELETE FROM setting", "DELETE FROM firm_applying"} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget: %w", err)
	}
	for _, q := range []string{"PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if err := db.checkpoint(ctx, q); err != nil {
			return fmt.Errorf("forget: %s: %w", q, err)
		}
	}
	return nil
}

// CodeBusy says the database could not be emptied to the last page:
// another window or onboardctl still reads it.
const CodeBusy = "store.busy"

// checkpoint runs a checkpoint or VACUUM statement and reports a checkpoint
// that could not complete (a reader still holds an old snapshot).
func (db *store) checkpoint(ctx context.Context, q string) error {
	if q == "VACUUM" {
		_, err := db.db.Writer().ExecContext(ctx, q)
		return err
	}
	var busy, logFrames, done int
	if err := db.db.Writer().QueryRowContext(ctx, q).Scan(&busy, &logFrames, &done); err != nil {
		return err
	}
	if busy != 0 {
		// Another window or onboardctl still reads the database: what was
		// deleted may still be in the WAL until it lets go.
		return &core.E{Kind: core.KindConflict, Code: CodeBusy, Op: "forget"}
	}
	return nil
}

// RetryNow makes every pending row due now, and nothing else: a row a
// pass holds keeps its lease (clearing it let a second pass send the same
// row, and the first pass's late reschedule then failed on a row done).
func (db *Outbox) RetryNow(ctx context.Context) error {
	now := db.now()
	return db.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND next_attempt_at > ?`, now, now)
		return err
	})
}

// SetSync records a structure's state as read back from the portal.
func (db *Structures) SetSync(ctx context.Context, structureID int64, s core.Sync) error {
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE structure SET state = ?, notice = ?,
			portal_id = CASE WHEN ? <> '' THEN ? ELSE portal_id END WHERE id = ?`,
			string(s.State), noticeJSON(s.Notice), s.PortalID, s.PortalID, structureID)
	})
	if err != nil {
		return notFound("set structure state", err)
	}
	return nil
}

// execOne runs a statement that must change at least one row, and returns
// sql.ErrNoRows (mapped to KindNotFound by the caller) when none matched.
func execOne(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	r, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return sql.ErrNoRows
	}
	return nil
}
