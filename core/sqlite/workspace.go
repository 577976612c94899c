package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// searchVersion is the version of searchKey this build writes; rows with an
// older one get a new key when the store opens.
const searchVersion = 1

// searchKey is what the workspace's text filter looks in: the fields a
// person searches by, folded (validate.SearchKey).
func searchKey(d core.StructureDraft) string {
	return validate.SearchKey(strings.Join([]string{d.Identifier, d.CompanyName, d.StructureName, d.City, d.PostalCode, d.Email}, " "))
}

// counts returns the number of errors and warnings among p.
func counts(p core.Problems) (errors, warnings int) {
	for _, x := range p {
		if x.Severity == core.Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// containsAll reports whether each word is in s or in t.
func containsAll(s, t string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) && !strings.Contains(t, w) {
			return false
		}
	}
	return true
}

// foldFor folds the company or city of rows for sorting by key, once per
// row.
func foldFor(rows []*listRow, key core.StructureSort) {
	if key != core.SortCompany && key != core.SortCity {
		return
	}
	for _, r := range rows {
		if !r.folded {
			r.company, r.city, r.folded = validate.SearchKey(r.CompanyName), validate.SearchKey(r.City), true
		}
	}
}

// compareRows orders rows by key (texts without case or accents, folded
// by foldFor), then by id so that equal keys keep one order.
func compareRows(key core.StructureSort) func(a, b *listRow) int {
	var by func(a, b *listRow) int
	switch key {
	case core.SortIdentifierType:
		by = func(a, b *listRow) int { return strings.Compare(string(a.IdentifierType), string(b.IdentifierType)) }
	case core.SortCompany:
		by = func(a, b *listRow) int { return strings.Compare(a.company, b.company) }
	case core.SortCity:
		by = func(a, b *listRow) int { return strings.Compare(a.city, b.city) }
	case core.SortPostalCode:
		by = func(a, b *listRow) int { return strings.Compare(a.PostalCode, b.PostalCode) }
	case core.SortState:
		by = func(a, b *listRow) int { return cmp.Compare(stateRank(a.State), stateRank(b.State)) }
	case core.SortProblems:
		by = func(a, b *listRow) int {
			if c := cmp.Compare(a.Errors, b.Errors); c != 0 {
				return c
			}
			return cmp.Compare(a.Warnings, b.Warnings)
		}
	case core.SortUpdated:
		by = func(a, b *listRow) int { return a.Updated.Compare(b.Updated) }
	case core.SortPlatform:
		by = func(a, b *listRow) int { return strings.Compare(a.platform, b.platform) }
	case core.SortCheckedOn:
		by = func(a, b *listRow) int { return strings.Compare(string(a.CheckedOn), string(b.CheckedOn)) }
	default:
		by = func(a, b *listRow) int {
			if c := strings.Compare(string(a.IdentifierType), string(b.IdentifierType)); c != 0 {
				return c
			}
			return strings.Compare(a.Identifier, b.Identifier)
		}
	}
	return func(a, b *listRow) int {
		if c := by(a, b); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	}
}

// stateRank orders states as a record moves through them.
func stateRank(s core.SyncState) int {
	if i := slices.Index(core.SyncStates, s); i >= 0 {
		return i
	}
	return len(core.SyncStates)
}

// idsJSON passes a list of ids as one parameter, read by json_each: the
// statement stays the same whatever the count.
func idsJSON(ids []int64) string {
	b, _ := json.Marshal(ids) // a slice of integers always encodes
	return string(b)
}

// StructuresByID streams the records of ids in id order.
func (db *Workspace) StructuresByID(ctx context.Context, ids []int64, fn func(core.StructureRecord) error) error {
	for chunk := range slices.Chunk(ids, 500) {
		rows, err := db.db.Reader().QueryContext(ctx, selectStructure+` WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`, idsJSON(chunk))
		if err != nil {
			return fmt.Errorf("read structures: %w", err)
		}
		err = func() error {
			defer rows.Close()
			for rows.Next() {
				r, err := scanStructure(rows)
				if err != nil {
					return fmt.Errorf("read structures: %w", err)
				}
				if err := fn(r); err != nil {
					return err
				}
			}
			return rows.Err()
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// SetProblems records new problems on records unchanged since they were
// validated.
func (db *Workspace) SetProblems(ctx context.Context, updates []core.ProblemsUpdate) (int, error) {
	var n int64
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, u := range updates {
			if !u.Checked.IsChecked() {
				return &core.E{Kind: core.KindInternal, Code: core.CodeUnchecked, Op: "set problems"}
			}
			e, w := counts(u.Checked.Problems())
			res, err := tx.ExecContext(ctx, `UPDATE structure SET problems = ?, errors = ?, warnings = ? WHERE id = ? AND updated_at = ?`,
				problemsJSON(u.Checked.Problems()), e, w, u.ID, u.Updated.UnixMilli())
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("set problems: %w", err)
	}
	return int(n), nil
}

// DeleteDrafts deletes drafts the portal does not know: no portal id, no
// row waiting or accepted (a row the portal refused does not count).
func (db *Workspace) DeleteDrafts(ctx context.Context, ids []int64) (int, error) {
	var n int64
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM structure WHERE id IN (SELECT value FROM json_each(?))
			AND state = 'draft' AND portal_id = ''
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.structure_id = structure.id AND o.state IN ('pending', 'done'))`, idsJSON(ids))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete drafts: %w", err)
	}
	return int(n), nil
}

// DiscardMany takes queued or failed records back to draft, dropping
// their unsent rows. A record whose row the worker holds right now (a
// lease not yet over) is left as it is: its outcome is on the way, and
// dropping the row would lose it.
func (db *Workspace) DiscardMany(ctx context.Context, ids []int64) (int, error) {
	var n int64
	now := db.now()
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		const target = `SELECT s.id FROM structure s WHERE s.id IN (SELECT value FROM json_each(?1))
			AND s.state IN ('queued', 'failed')
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.structure_id = s.id AND o.state = 'pending' AND o.lease_until > ?2)`
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE state IN ('pending', 'failed') AND structure_id IN (`+target+`)`,
			idsJSON(ids), now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE structure SET state = 'draft', notice = '' WHERE id IN (`+target+`)`, idsJSON(ids), now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("back to draft: %w", err)
	}
	return int(n), nil
}

// SetReform writes the reform's fields of set in the records of ids, in
// one transaction (each row one statement: a bulk edit holds hundreds, not
// the import's thousands). Neither state nor last change moves: the
// reform's bookkeeping is not the draft.
func (db *Reform) SetReform(ctx context.Context, ids []int64, patch core.Reform, set core.ReformFields) (int, error) {
	var n int
	err := db.db.Tx(ctx, func(sqlTx *sql.Tx) error {
		tx := db.db.Cached(sqlTx, true)
		for _, id := range ids {
			if err := setReformCounted(ctx, tx, id, patch, set, &n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("set reform: %w", err)
	}
	return n, nil
}

// Structure returns one structure.
func (db *Reform) Structure(ctx context.Context, id int64) (core.StructureRecord, error) {
	return (&Structures{db.store}).Structure(ctx, id)
}

// PlatformNames returns the platform names recorded, the most used first
// (one pass over the table: a form opening reads it once).
func (db *Reform) PlatformNames(ctx context.Context, limit int) ([]string, error) {
	rows, err := db.db.Reader().QueryContext(ctx, `SELECT reform_platform FROM structure WHERE reform_platform <> ''
		GROUP BY reform_platform ORDER BY count(*) DESC, reform_platform LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("platform names: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// backfill gives a search key and problem counts to the rows an older
// build wrote (they have a partial index of their own: with nothing to do
// it costs one lookup, no scan).
func (db *store) backfill(ctx context.Context) error {
	for {
		var batch []core.StructureRecord
		rows, err := db.db.Writer().QueryContext(ctx, qBackfill)
		if err != nil {
			return err
		}
		for rows.Next() {
			r, err := scanStructure(rows)
			if err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		err = db.db.Tx(ctx, func(tx *sql.Tx) error {
			for _, r := range batch {
				e, w := counts(r.Problems)
				if _, err := tx.ExecContext(ctx, `UPDATE structure SET search = ?, search_version = ?, errors = ?, warnings = ? WHERE id = ?`,
					searchKey(r.Draft), searchVersion, e, w, r.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
}
