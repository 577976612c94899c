package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

// Firm is core.FirmStore.
type Firm struct{ *store }

var _ core.FirmStore = (*Firm)(nil)

// FirmLink returns the firm the desktop is in.
func (db *Firm) FirmLink(ctx context.Context) (core.FirmLink, error) {
	var l core.FirmLink
	err := db.db.Reader().QueryRowContext(ctx, `SELECT url, email, name, role, account_id, cursor, joined FROM firm_link WHERE id = 1`).
		Scan(&l.URL, &l.Email, &l.Name, &l.Role, &l.AccountID, &l.Cursor, &l.Joined)
	if errors.Is(err, sql.ErrNoRows) {
		return core.FirmLink{}, nil
	}
	return l, err
}

// StartFirm records the firm the desktop joins.
func (db *Firm) StartFirm(ctx context.Context, l core.FirmLink, bring bool) error {
	return db.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM firm_link`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &core.E{Kind: core.KindConflict, Code: "firm.joined", Op: "join firm"}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO firm_link (id, url, email, name, role, account_id) VALUES (1, ?, ?, ?, ?, ?)`,
			l.URL, strings.ToLower(l.Email), l.Name, l.Role, l.AccountID); err != nil {
			return err
		}
		if !bring {
			return nil
		}
		// The structures here become the firm's: each waits to be sent,
		// once the join finished (FirmPending reads none before).
		if _, err := tx.ExecContext(ctx, `INSERT INTO firm_client (structure_id) SELECT id FROM structure WHERE true ON CONFLICT DO NOTHING`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO firm_outbox (structure_id, op_key) SELECT id, lower(hex(randomblob(16))) FROM structure WHERE true
			ON CONFLICT DO NOTHING`)
		return err
	})
}

// SetFirmRole records the member's role.
func (db *Firm) SetFirmRole(ctx context.Context, role string) error {
	return db.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE firm_link SET role = ? WHERE id = 1`, role)
		return err
	})
}

// applying marks the transaction's writes as the firm's (the triggers
// leave them out of firm_outbox) until done is called.
func applying(ctx context.Context, tx *sql.Tx) (done func() error, err error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO firm_applying (id) VALUES (1)`); err != nil {
		return nil, err
	}
	return func() error {
		_, err := tx.ExecContext(ctx, `DELETE FROM firm_applying`)
		return err
	}, nil
}

// local is a firm client as this desktop holds it.
type local struct {
	structureID, clientID, revision int64
	base                            core.ClientFields
	pending                         bool // a change waits to be sent
}

// ApplyFirm applies the firm's changes and the cursor they lead to.
func (db *Firm) ApplyFirm(ctx context.Context, changes []core.FirmVersion, gone []int64, cursor int64, done bool) (core.FirmApplied, error) {
	var out core.FirmApplied
	err := db.db.Tx(ctx, func(sqlTx *sql.Tx) error {
		out = core.FirmApplied{}
		finish, err := applying(ctx, sqlTx)
		if err != nil {
			return err
		}
		tx := db.db.Cached(sqlTx, true)
		for _, v := range changes {
			if err := db.apply(ctx, tx, v, &out); err != nil {
				return fmt.Errorf("apply client %d: %w", v.ClientID, err)
			}
		}
		for _, id := range gone {
			var sid int64
			err := tx.QueryRowContext(ctx, `SELECT structure_id FROM firm_client WHERE client_id = ?`, id).Scan(&sid)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			dropped, err := db.pending(ctx, sqlTx, time.UnixMilli(1<<62), 1, sid)
			if err != nil {
				return err
			}
			out.Dropped = append(out.Dropped, dropped...)
			if _, err := tx.ExecContext(ctx, `DELETE FROM structure WHERE id = ?`, sid); err != nil {
				return err
			}
			out.Removed++
		}
		if _, err := tx.ExecContext(ctx, `UPDATE firm_link SET cursor = ?, joined = joined OR ? WHERE id = 1`, cursor, done); err != nil {
			return err
		}
		return finish()
	})
	return out, err
}

// apply applies one client's version.
func (db *Firm) apply(ctx context.Context, tx *sqldb.CachedTx, v core.FirmVersion, out *core.FirmApplied) error {
	l, found, err := db.localOf(ctx, tx, v)
	if err != nil {
		return err
	}
	theirs := v.Fields
	if !found {
		// New here: added, in the firm's version.
		id, err := db.insertClient(ctx, tx, theirs)
		if err != nil {
			return err
		}
		out.Added++
		return db.agreed(ctx, tx, id, v, theirs)
	}
	if l.clientID == v.ClientID && l.revision >= v.Revision {
		return nil // known already (a page read twice after a crash)
	}
	rec, err := scanStructure(tx.QueryRowContext(ctx, selectStructure+` WHERE id = ?`, l.structureID))
	if err != nil {
		return err
	}
	current := core.ClientFieldsOf(rec, rec.Note)
	mine, base := current, l.base
	if l.clientID == 0 {
		// A structure of this desktop the firm has already: merged as an
		// edit of the firm's version (what is typed here wins where it
		// says something; what it leaves empty takes the firm's).
		base = theirs
		mine = theirs.With(nonEmpty(mine))
	}
	merged, conflicts := theirs, []string(nil)
	if l.pending || l.clientID == 0 {
		merged, conflicts = core.MergeClient(base, mine, theirs)
		if v.ClaimedBy != "" && !strings.EqualFold(v.ClaimedBy, db.me(ctx, tx)) {
			// The claimer's state and portal id win: the submission is
			// theirs, whatever this desktop recorded of it.
			for _, f := range claimerFields {
				if t := theirs[f]; t != "" {
					merged[f] = t
				} else {
					delete(merged, f)
				}
				conflicts = slices.DeleteFunc(conflicts, func(c string) bool { return c == f })
			}
		}
	}
	if !merged.Equal(current) {
		if err := db.writeFields(ctx, tx, l.structureID, merged); err != nil {
			return err
		}
	}
	if len(conflicts) > 0 {
		out.Conflicts++
		for _, f := range conflicts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO firm_conflict (structure_id, field, mine, theirs, theirs_by, theirs_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (structure_id, field) DO UPDATE SET mine = excluded.mine, theirs = excluded.theirs,
				theirs_by = excluded.theirs_by, theirs_at = excluded.theirs_at`,
				l.structureID, f, mine[f], theirs[f], v.UpdatedBy, toMillis(v.UpdatedAt)); err != nil {
				return err
			}
		}
	} else if l.pending && !merged.Equal(theirs) {
		out.Merged++
	} else {
		out.Changed++
	}
	if !merged.Equal(theirs) && !l.pending {
		// Merged with what was typed here (a join): what differs from
		// the firm's version waits to be sent.
		if _, err := tx.ExecContext(ctx, `INSERT INTO firm_outbox (structure_id, op_key) VALUES (?, lower(hex(randomblob(16))))
			ON CONFLICT DO NOTHING`, l.structureID); err != nil {
			return err
		}
	}
	return db.agreed(ctx, tx, l.structureID, v, theirs)
}

// claimerFields are the fields the member who claimed a client's
// submission alone says: what the portal made of it.
var claimerFields = []string{core.FieldState, core.FieldPortalID}

// me returns the member this desktop is in its firm as.
func (db *Firm) me(ctx context.Context, tx *sqldb.CachedTx) string {
	var me string
	_ = tx.QueryRowContext(ctx, `SELECT coalesce((SELECT email FROM firm_link WHERE id = 1), '')`).Scan(&me)
	return me
}

// nonEmpty returns the fields of f that hold a value (the state left
// aside: a structure here is a draft until the firm says otherwise).
func nonEmpty(f core.ClientFields) core.ClientFields {
	out := core.ClientFields{}
	for k, v := range f {
		if v != "" && k != core.FieldState {
			out[k] = v
		}
	}
	return out
}

// localOf finds the structure of a firm client: by the firm's id, else,
// for a client new here, the structure of the same identifier.
func (db *Firm) localOf(ctx context.Context, tx *sqldb.CachedTx, v core.FirmVersion) (local, bool, error) {
	var l local
	var base string
	var cid sql.NullInt64
	var pending int
	err := tx.QueryRowContext(ctx, `SELECT f.structure_id, f.client_id, f.revision, f.base, EXISTS (SELECT 1 FROM firm_outbox o WHERE o.structure_id = f.structure_id)
		FROM firm_client f WHERE f.client_id = ?`, v.ClientID).Scan(&l.structureID, &cid, &l.revision, &base, &pending)
	if errors.Is(err, sql.ErrNoRows) {
		d := v.Fields.Draft()
		if d.Identifier == "" {
			return l, false, nil
		}
		// "identifier <> ''" lets SQLite use the partial index
		// structure_key; without it every lookup scans the table.
		err = tx.QueryRowContext(ctx, `SELECT s.id, f.client_id, coalesce(f.revision, 0), coalesce(f.base, '{}'),
			EXISTS (SELECT 1 FROM firm_outbox o WHERE o.structure_id = s.id)
			FROM structure s LEFT JOIN firm_client f ON f.structure_id = s.id
			WHERE s.identifier_type = ? AND s.identifier = ? AND s.identifier <> ''`,
			string(d.IdentifierType), d.Identifier).Scan(&l.structureID, &cid, &l.revision, &base, &pending)
		if errors.Is(err, sql.ErrNoRows) {
			return l, false, nil
		}
	}
	if err != nil {
		return l, false, err
	}
	l.clientID, l.pending = cid.Int64, pending == 1
	if cid.Valid && cid.Int64 != v.ClientID {
		// The same identifier, another client of the firm's: the firm
		// keeps one live client per identifier, so the other was
		// deleted there; this one takes its place.
		l.clientID, l.revision = 0, 0
	}
	err = json.Unmarshal([]byte(base), &l.base)
	return l, true, err
}

// agreed records the version the desktop and the firm agree on.
func (db *Firm) agreed(ctx context.Context, tx *sqldb.CachedTx, structureID int64, v core.FirmVersion, theirs core.ClientFields) error {
	b, err := json.Marshal(theirs)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO firm_client (structure_id, client_id, revision, base, in_charge, in_charge_email, claimed_by,
		updated_by, updated_at, conflicts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT count(*) FROM firm_conflict WHERE structure_id = ?))
		ON CONFLICT (structure_id) DO UPDATE SET client_id = excluded.client_id, revision = excluded.revision, base = excluded.base,
		in_charge = excluded.in_charge, in_charge_email = excluded.in_charge_email, claimed_by = excluded.claimed_by,
		updated_by = excluded.updated_by, updated_at = excluded.updated_at, conflicts = excluded.conflicts`,
		structureID, v.ClientID, v.Revision, string(b), v.InCharge, strings.ToLower(v.InChargeEmail), v.ClaimedBy, v.UpdatedBy,
		toMillis(v.UpdatedAt), structureID)
	return err
}

// insertClient adds a structure holding a firm client's fields.
func (db *Firm) insertClient(ctx context.Context, tx *sqldb.CachedTx, f core.ClientFields) (int64, error) {
	checked := core.CheckStructure(f.Draft())
	d, p := checked.Draft(), checked.Problems()
	nErrors, nWarnings := counts(p)
	now := db.now()
	state := f[core.FieldState]
	if state == "" {
		state = string(core.StateDraft)
	}
	args := []any{string(d.IdentifierType), d.Identifier, string(d.Kind), d.CompanyName, d.StructureName, d.Email, d.Phone,
		d.Address, d.Complement1, d.Complement2, d.City, d.PostalCode, d.Country, d.NonDiffusible,
		problemsJSON(p), nErrors, nWarnings, searchKey(d), searchVersion, now, now, state, f[core.FieldPortalID], f[core.FieldClientNote]}
	_, reform := reformInsert(f.Reform())
	var id int64
	if err := tx.QueryRowContext(ctx, qInsertClient, append(args, reform...)...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// qInsertClient writes a client new to this desktop, its reform's fields
// in the same statement (one write of the row where a join made two: the
// insert, then an update of the reform's columns).
var qInsertClient = func() string {
	cols, _ := reformInsert(core.Reform{})
	return `INSERT INTO structure (identifier_type, identifier, structure_kind, company_name,
		structure_name, email, phone, address, address_complement_1, address_complement_2, city, postal_code,
		country, non_diffusible, problems, errors, warnings, search, search_version, created_at, updated_at, state, portal_id, note, ` +
		strings.Join(cols, ", ") + `) VALUES (` + strings.TrimSuffix(strings.Repeat("?, ", 24+len(cols)), ", ") + `) RETURNING id`
}()

// writeFields sets a structure to a client's fields (validated again: a
// merge may join values no one typed together).
func (db *Firm) writeFields(ctx context.Context, tx *sqldb.CachedTx, id int64, f core.ClientFields) error {
	checked := core.CheckStructure(f.Draft())
	d, p := checked.Draft(), checked.Problems()
	nErrors, nWarnings := counts(p)
	state := f[core.FieldState]
	if state == "" {
		state = string(core.StateDraft)
	}
	_, err := tx.ExecContext(ctx, `UPDATE structure SET identifier_type = ?, identifier = ?, structure_kind = ?,
		company_name = ?, structure_name = ?, email = ?, phone = ?, address = ?, address_complement_1 = ?,
		address_complement_2 = ?, city = ?, postal_code = ?, country = ?, non_diffusible = ?, problems = ?,
		errors = ?, warnings = ?, search = ?, search_version = ?, updated_at = ?, state = ?, portal_id = ?, note = ? WHERE id = ?`,
		string(d.IdentifierType), d.Identifier, string(d.Kind), d.CompanyName, d.StructureName, d.Email, d.Phone,
		d.Address, d.Complement1, d.Complement2, d.City, d.PostalCode, d.Country, d.NonDiffusible,
		problemsJSON(p), nErrors, nWarnings, searchKey(d), searchVersion, db.now(), state, f[core.FieldPortalID], f[core.FieldClientNote], id)
	if err != nil {
		return err
	}
	return setReform(ctx, tx, id, f.Reform(), core.ReformAll)
}

// FirmPending returns the changes due, none before the join finished.
func (db *Firm) FirmPending(ctx context.Context, now time.Time, limit int) ([]core.FirmPush, error) {
	var out []core.FirmPush
	err := db.db.ReadTx(ctx, func(tx *sql.Tx) error {
		var joined bool
		if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT joined FROM firm_link WHERE id = 1), 0)`).Scan(&joined); err != nil || !joined {
			return err
		}
		var err error
		out, err = db.pending(ctx, tx, now, limit, 0)
		return err
	})
	return out, err
}

// pending reads up to limit changes due at now (of one structure only,
// when structureID is not 0). A field in conflict is sent as the base has
// it, never as it is here: the user keeps one of the two values first.
func (db *Firm) pending(ctx context.Context, tx *sql.Tx, now time.Time, limit int, structureID int64) ([]core.FirmPush, error) {
	var out []core.FirmPush
	err := func() error {
		var me string
		if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT email FROM firm_link WHERE id = 1), '')`).Scan(&me); err != nil {
			return err
		}
		claimedBy := map[int64]string{}
		rows, err := tx.QueryContext(ctx, `SELECT o.structure_id, coalesce(f.client_id, 0), coalesce(f.revision, 0), coalesce(f.base, '{}'), o.op_key,
			o.gen, o.attempts, coalesce(f.claimed_by, '') FROM firm_outbox o LEFT JOIN firm_client f ON f.structure_id = o.structure_id
			WHERE o.next_at <= ? AND (? = 0 OR o.structure_id = ?) ORDER BY o.next_at, o.structure_id LIMIT ?`, now.UnixMilli(), structureID, structureID, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var p core.FirmPush
			var base, claimer string
			if err := rows.Scan(&p.StructureID, &p.ClientID, &p.Revision, &base, &p.Key, &p.Gen, &p.Attempts, &claimer); err != nil {
				rows.Close()
				return err
			}
			if err := json.Unmarshal([]byte(base), &p.Base); err != nil {
				rows.Close()
				return err
			}
			claimedBy[p.StructureID] = claimer
			out = append(out, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			rec, err := scanStructure(tx.QueryRowContext(ctx, selectStructure+` WHERE id = ?`, out[i].StructureID))
			if err != nil {
				return err
			}
			out[i].Local = core.ClientFieldsOf(rec, rec.Note)
			if by := claimedBy[out[i].StructureID]; by != "" && !strings.EqualFold(by, me) {
				// The submission is another member's: its state and
				// portal id are theirs to say, never this desktop's.
				for _, f := range claimerFields {
					if v := out[i].Base[f]; v != "" {
						out[i].Local[f] = v
					} else {
						delete(out[i].Local, f)
					}
				}
			}
			conflicts, err := tx.QueryContext(ctx, `SELECT field FROM firm_conflict WHERE structure_id = ?`, out[i].StructureID)
			if err != nil {
				return err
			}
			for conflicts.Next() {
				var f string
				if err := conflicts.Scan(&f); err != nil {
					conflicts.Close()
					return err
				}
				if v := out[i].Base[f]; v != "" {
					out[i].Local[f] = v
				} else {
					delete(out[i].Local, f)
				}
			}
			conflicts.Close()
			if err := conflicts.Err(); err != nil {
				return err
			}
		}
		if len(out) >= limit || structureID != 0 {
			return nil
		}
		drows, err := tx.QueryContext(ctx, `SELECT client_id, revision, fields, op_key, attempts FROM firm_delete WHERE next_at <= ?
			ORDER BY next_at, client_id LIMIT ?`, now.UnixMilli(), limit-len(out))
		if err != nil {
			return err
		}
		defer drows.Close()
		for drows.Next() {
			p := core.FirmPush{Delete: true}
			var fields string
			if err := drows.Scan(&p.ClientID, &p.Revision, &fields, &p.Key, &p.Attempts); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(fields), &p.Base); err != nil {
				return err
			}
			out = append(out, p)
		}
		return drows.Err()
	}()
	return out, err
}

// FirmAccepted records the version the firm accepted.
func (db *Firm) FirmAccepted(ctx context.Context, p core.FirmPush, got core.FirmVersion) error {
	return db.db.Tx(ctx, func(sqlTx *sql.Tx) error {
		tx := db.db.Cached(sqlTx, true)
		if p.Delete {
			_, err := tx.ExecContext(ctx, `DELETE FROM firm_delete WHERE client_id = ?`, p.ClientID)
			return err
		}
		finish, err := applying(ctx, sqlTx)
		if err != nil {
			return err
		}
		if got.ClientID != 0 { // zero: nothing new of the firm's, the change is done
			if err := db.agreed(ctx, tx, p.StructureID, got, got.Fields); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM firm_outbox WHERE structure_id = ? AND gen = ?`, p.StructureID, p.Gen); err != nil {
			return err
		}
		return finish()
	})
}

// FirmRetry records a failed attempt.
func (db *Firm) FirmRetry(ctx context.Context, p core.FirmPush, next time.Time, lastErr string) error {
	return db.db.Tx(ctx, func(tx *sql.Tx) error {
		if p.Delete {
			_, err := tx.ExecContext(ctx, `UPDATE firm_delete SET attempts = attempts + 1, next_at = ? WHERE client_id = ?`, next.UnixMilli(), p.ClientID)
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE firm_outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE structure_id = ?`,
			next.UnixMilli(), lastErr, p.StructureID)
		return err
	})
}

// FirmConflicts returns the fields in conflict.
func (db *Firm) FirmConflicts(ctx context.Context, structureID int64, limit int) ([]core.FieldConflict, error) {
	rows, err := db.db.Reader().QueryContext(ctx, `SELECT structure_id, field, mine, theirs, theirs_by, theirs_at FROM firm_conflict
		WHERE ? = 0 OR structure_id = ? ORDER BY structure_id, field LIMIT ?`, structureID, structureID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []core.FieldConflict
	for rows.Next() {
		var c core.FieldConflict
		var at int64
		if err := rows.Scan(&c.StructureID, &c.Field, &c.Mine, &c.Theirs, &c.TheirsBy, &at); err != nil {
			return nil, err
		}
		c.TheirsAt = fromMillis(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ResolveFirmConflicts keeps the values given and forgets the conflicts.
func (db *Firm) ResolveFirmConflicts(ctx context.Context, structureID int64, keep core.ClientFields) error {
	return db.db.Tx(ctx, func(sqlTx *sql.Tx) error {
		tx := db.db.Cached(sqlTx, true)
		rec, err := scanStructure(tx.QueryRowContext(ctx, selectStructure+` WHERE id = ?`, structureID))
		if errors.Is(err, sql.ErrNoRows) {
			return &core.E{Kind: core.KindNotFound, Code: "store.not_found", Op: "resolve conflicts"}
		}
		if err != nil {
			return err
		}
		for f := range keep {
			if !core.IsClientField(f) {
				return &core.E{Kind: core.KindInvalid, Code: core.CodeUnknownField, Op: "resolve conflicts"}
			}
		}
		f := core.ClientFieldsOf(rec, rec.Note).With(keep)
		// A local change: the triggers send it to the firm.
		if err := db.writeFields(ctx, tx, structureID, f); err != nil {
			return err
		}
		for k := range keep {
			if _, err := tx.ExecContext(ctx, `DELETE FROM firm_conflict WHERE structure_id = ? AND field = ?`, structureID, k); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE firm_client SET conflicts = (SELECT count(*) FROM firm_conflict WHERE structure_id = ?)
			WHERE structure_id = ?`, structureID, structureID)
		return err
	})
}

// FirmClient returns what the firm says of a structure.
func (db *Firm) FirmClient(ctx context.Context, structureID int64) (core.FirmVersion, bool, error) {
	var v core.FirmVersion
	var cid sql.NullInt64
	var base string
	var at int64
	err := db.db.Reader().QueryRowContext(ctx, `SELECT client_id, revision, base, in_charge, in_charge_email, claimed_by, updated_by, updated_at
		FROM firm_client WHERE structure_id = ?`, structureID).Scan(&cid, &v.Revision, &base, &v.InCharge, &v.InChargeEmail, &v.ClaimedBy,
		&v.UpdatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	v.ClientID, v.UpdatedAt = cid.Int64, fromMillis(at)
	return v, true, json.Unmarshal([]byte(base), &v.Fields)
}

// FirmClientIDs maps structures to the firm's client ids.
func (db *Firm) FirmClientIDs(ctx context.Context, structureIDs []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(structureIDs))
	err := db.db.ReadTx(ctx, func(tx *sql.Tx) error {
		for _, id := range structureIDs {
			var cid sql.NullInt64
			err := tx.QueryRowContext(ctx, `SELECT client_id FROM firm_client WHERE structure_id = ?`, id).Scan(&cid)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return err
			case cid.Valid:
				out[id] = cid.Int64
			}
		}
		return nil
	})
	return out, err
}

// FirmUnsent returns every change not yet accepted, the join finished or
// not.
func (db *Firm) FirmUnsent(ctx context.Context) ([]core.FirmPush, error) {
	var out []core.FirmPush
	err := db.db.ReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.pending(ctx, tx, time.UnixMilli(1<<62), 1<<30, 0)
		return err
	})
	return out, err
}

// LeaveFirm removes the firm's clients and the link.
func (db *Firm) LeaveFirm(ctx context.Context) error {
	return db.db.Tx(ctx, func(tx *sql.Tx) error {
		finish, err := applying(ctx, tx)
		if err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM structure WHERE id IN (SELECT structure_id FROM firm_client)`,
			`DELETE FROM firm_client`, `DELETE FROM firm_outbox`, `DELETE FROM firm_delete`, `DELETE FROM firm_conflict`, `DELETE FROM firm_link`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return finish()
	})
}
