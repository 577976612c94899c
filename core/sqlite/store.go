package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

func notFound(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &core.E{Kind: core.KindNotFound, Code: "store.not_found", Op: op}
	}
	if core.AsE(err) != nil {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// storedProblem is a problem as the database keeps it (the problems and
// notice columns): names of its own, so that core may rename its fields.
type storedProblem struct {
	Field    string            `json:"field"`
	Code     string            `json:"code"`
	Severity core.Severity     `json:"severity"`
	Params   map[string]string `json:"params,omitempty"`
}

// storedNotice is a notice as the database keeps it.
type storedNotice struct {
	Code     string            `json:"code"`
	Params   map[string]string `json:"params,omitempty"`
	Problems []storedProblem   `json:"problems,omitempty"`
}

func storeProblems(p core.Problems) []storedProblem {
	if len(p) == 0 {
		return nil
	}
	out := make([]storedProblem, len(p))
	for i, x := range p {
		out[i] = storedProblem(x)
	}
	return out
}

func loadProblems(p []storedProblem) core.Problems {
	if len(p) == 0 {
		return nil
	}
	out := make(core.Problems, len(p))
	for i, x := range p {
		out[i] = core.Problem(x)
	}
	return out
}

func problemsJSON(p core.Problems) string {
	if len(p) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(storeProblems(p)) // a slice of plain structs always encodes
	return string(b)
}

func parseProblems(s string) (core.Problems, error) {
	var p []storedProblem
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("stored problems %.40q: %w", s, err)
	}
	return loadProblems(p), nil
}

// noticeJSON stores a notice; the empty notice is "".
func noticeJSON(n core.Notice) string {
	if n.IsZero() {
		return ""
	}
	b, _ := json.Marshal(storedNotice{Code: n.Code, Params: n.Params, Problems: storeProblems(n.Problems)}) // strings and plain structs always encode
	return string(b)
}

func parseNotice(s string) (core.Notice, error) {
	var n storedNotice
	if s == "" {
		return core.Notice{}, nil
	}
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		return core.Notice{}, fmt.Errorf("stored notice %.40q: %w", s, err)
	}
	return core.Notice{Code: n.Code, Params: n.Params, Problems: loadProblems(n.Problems)}, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// ---- accounts

const selectAccount = `SELECT id, login_email, login_email_confirm, first_name, last_name, phone, contact_email,
	conditions_accepted_at, problems, state, notice, portal_id, created_at, updated_at FROM account`

func scanAccount(row scanner) (core.AccountRecord, error) {
	var r core.AccountRecord
	var accepted int64
	var m meta
	err := row.Scan(append([]any{&r.ID, &r.Draft.LoginEmail, &r.Draft.LoginEmailConfirm, &r.Draft.FirstName, &r.Draft.LastName,
		&r.Draft.Phone, &r.Draft.ContactEmail, &accepted}, m.dest()...)...)
	if err != nil {
		return r, err
	}
	r.Draft.ConditionsAcceptedAt = fromMillis(accepted)
	r.Problems, r.Sync, r.Created, r.Updated, err = m.decode()
	return r, err
}

// meta is what every record stores after its draft, in this order: its
// problems, sync state, notice, portal id and times.
type meta struct {
	problems, state, notice, portalID string
	created, updated                  int64
}

func (m *meta) dest() []any {
	return []any{&m.problems, &m.state, &m.notice, &m.portalID, &m.created, &m.updated}
}

// decode reads the stored forms back; a problem list or notice that does
// not parse is an error, never silently dropped.
func (m *meta) decode() (p core.Problems, s core.Sync, created, updated time.Time, err error) {
	s = core.Sync{State: core.SyncState(m.state), PortalID: m.portalID}
	if p, err = parseProblems(m.problems); err != nil {
		return
	}
	s.Notice, err = parseNotice(m.notice)
	return p, s, fromMillis(m.created), fromMillis(m.updated), err
}

// SaveAccount inserts or updates an account draft. Its sync state is kept:
// the worker changes it, not the form.
func (db *Accounts) SaveAccount(ctx context.Context, id int64, c core.Checked[core.AccountDraft]) (core.AccountRecord, error) {
	if !c.IsChecked() {
		return core.AccountRecord{}, &core.E{Kind: core.KindInternal, Code: core.CodeUnchecked, Op: "save account"}
	}
	d, problems := c.Draft(), c.Problems()
	accepted := toMillis(d.ConditionsAcceptedAt)
	now := db.now()
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		if id == 0 {
			res, err := tx.ExecContext(ctx, `INSERT INTO account (login_email, login_email_confirm, first_name, last_name,
				phone, contact_email, conditions_accepted_at, problems, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				d.LoginEmail, d.LoginEmailConfirm, d.FirstName, d.LastName, d.Phone, d.ContactEmail, accepted,
				problemsJSON(problems), now, now)
			if err != nil {
				return err
			}
			id, err = res.LastInsertId()
			return err
		}
		if err := execOne(ctx, tx, `UPDATE account SET login_email = ?, login_email_confirm = ?, first_name = ?,
			last_name = ?, phone = ?, contact_email = ?, conditions_accepted_at = ?, problems = ?, updated_at = ?
			WHERE id = ?`,
			d.LoginEmail, d.LoginEmailConfirm, d.FirstName, d.LastName, d.Phone, d.ContactEmail, accepted,
			problemsJSON(problems), now, id); err != nil {
			return err
		}
		// The account's pending row (it waits for a captcha) sends what
		// is kept: it follows the edit.
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET payload = ?, updated_at = ? WHERE account_id = ? AND state = 'pending'`,
			core.EncodeAccountPayload(d), now, id)
		return err
	})
	if err != nil {
		return core.AccountRecord{}, notFound("save account", err)
	}
	return db.Account(ctx, id)
}

// Account returns one account.
func (db *Accounts) Account(ctx context.Context, id int64) (core.AccountRecord, error) {
	r, err := scanAccount(db.db.Reader().QueryRowContext(ctx, selectAccount+" WHERE id = ?", id))
	if err != nil {
		return r, notFound("get account", err)
	}
	return r, nil
}

// QueueAccount writes the account's outbox row (once) and marks it
// queued; it returns the row, whose payload is what is sent.
func (db *Accounts) QueueAccount(ctx context.Context, id int64, target string) (core.Op, error) {
	target = targetOr(target)
	var op core.Op
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		rec, err := scanAccount(tx.QueryRowContext(ctx, selectAccount+" WHERE id = ?", id))
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, qAccountPending, id).Scan(&op.OpID, &op.Payload)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		op.Payload = core.EncodeAccountPayload(rec.Draft)
		op.OpID = NewOpID()
		now := db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (op_id, kind, account_id, payload, next_attempt_at, created_at, updated_at, target)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, op.OpID, string(core.OpCreateAccount), id, op.Payload, now, now, now, target); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE account SET state = 'queued', notice = '' WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return core.Op{}, notFound("queue account", err)
	}
	op.Kind, op.EntityType, op.EntityID, op.Target = core.OpCreateAccount, core.EntityAccount, id, target
	return op, nil
}

// ---- structures

const selectStructure = `SELECT id, identifier_type, identifier, structure_kind, company_name, structure_name, email, phone,
	address, address_complement_1, address_complement_2, city, postal_code, country, non_diffusible,
	reform_platform, reform_mandate, reform_addresses, reform_checked_on, reform_seen, reform_note, category, category_source, note,
	problems, state, notice, portal_id, created_at, updated_at FROM structure`

func scanStructure(row scanner) (core.StructureRecord, error) {
	var r core.StructureRecord
	var typ, kind, mandate, addresses, checked, category, source string
	var m meta
	d, f := &r.Draft, &r.Reform
	err := row.Scan(append([]any{&r.ID, &typ, &d.Identifier, &kind, &d.CompanyName, &d.StructureName, &d.Email, &d.Phone,
		&d.Address, &d.Complement1, &d.Complement2, &d.City, &d.PostalCode, &d.Country, &d.NonDiffusible,
		&f.Platform, &mandate, &addresses, &checked, &f.Seen, &f.Note, &category, &source, &r.Note}, m.dest()...)...)
	if err != nil {
		return r, err
	}
	d.IdentifierType, d.Kind = core.IdentifierType(typ), core.StructureKind(kind)
	f.MandateSigned, f.CheckedOn = core.Date(mandate), core.Date(checked)
	f.Category, f.CategorySource = core.CompanyCategory(category), core.CategorySource(source)
	if addresses != "" {
		f.Addresses = strings.Split(addresses, "\n")
	}
	r.Problems, r.Sync, r.Created, r.Updated, err = m.decode()
	return r, err
}

// SaveStructure inserts or updates a structure, one per (identifier type,
// identifier), and, when asked, queues it with its outbox row in the same
// transaction.
//
// Queueing a structure that already has an unsent row refreshes that row's
// payload; a row that was already attempted keeps its payload, since the
// portal may have bound its idempotency key to it. A structure the portal
// already holds is updated locally and not queued again. Saving without
// Queue takes a queued structure back to draft and drops its unsent row, so
// an edited form is never sent half-finished.
func (db *Structures) SaveStructure(ctx context.Context, req core.SaveStructure) (core.StructureRecord, core.SaveResult, error) {
	var id int64
	var res core.SaveResult
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, res, err = db.saveStructure(ctx, db.db.Cached(tx, true), req)
		return err
	})
	if err != nil {
		return core.StructureRecord{}, res, wrapSave(err)
	}
	rec, err := db.Structure(ctx, id)
	return rec, res, err
}

// SaveStructures saves a batch in one transaction: all of it or none,
// except rows that changed since they were read (Unchanged), which are
// left out and marked Changed. Bulk imports use it so that thousands of
// rows cost a few commits, not one fsync each.
func (db *Structures) SaveStructures(ctx context.Context, reqs []core.SaveStructure) ([]core.SaveResult, error) {
	out := make([]core.SaveResult, len(reqs))
	err := db.db.Tx(ctx, func(sqlTx *sql.Tx) error {
		tx := db.db.Cached(sqlTx, true)
		for i, req := range reqs {
			_, res, err := db.saveStructure(ctx, tx, req)
			if core.CodeOf(err) == core.CodeChanged {
				// Checked before anything of the row is written.
				out[i] = core.SaveResult{Changed: true}
				continue
			}
			if err != nil {
				return fmt.Errorf("row %d: %w", i+1, err)
			}
			out[i] = res
		}
		return nil
	})
	if err != nil {
		return nil, wrapSave(err)
	}
	return out, nil
}

func wrapSave(err error) error {
	var e *core.E
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("save structure: %w", err)
}

func (db *Structures) saveStructure(ctx context.Context, tx *sqldb.CachedTx, req core.SaveStructure) (int64, core.SaveResult, error) {
	var res core.SaveResult
	if !req.Checked.IsChecked() {
		return 0, res, &core.E{Kind: core.KindInternal, Code: core.CodeUnchecked, Op: "save structure"}
	}
	d, problems := req.Checked.Draft(), req.Checked.Problems()
	if req.Queue && problems.HasErrors() {
		return 0, res, &core.E{Kind: core.KindInvalid, Code: "store.queue_invalid", Op: "queue structure"}
	}
	var payload []byte // what the outbox row sends: only a queued save writes one
	if req.Queue {
		payload = core.EncodeStructurePayload(d)
	}
	now := db.now()
	nErrors, nWarnings := counts(problems)
	id := req.ID
	var state string
	if id == 0 {
		// A new identifier (an import's usual row) is written by one
		// statement; only one the store has is looked up.
		state = string(core.StateDraft)
		if req.Queue {
			state = string(core.StateQueued)
		}
		r, err := tx.ExecContext(ctx, qInsertStructure,
			string(d.IdentifierType), d.Identifier, string(d.Kind), d.CompanyName, d.StructureName, d.Email, d.Phone,
			d.Address, d.Complement1, d.Complement2, d.City, d.PostalCode, d.Country, d.NonDiffusible,
			problemsJSON(problems), nErrors, nWarnings, searchKey(d), searchVersion, now, now, state)
		if err != nil {
			return 0, res, err
		}
		if n, err := r.RowsAffected(); err != nil {
			return 0, res, err
		} else if n == 1 {
			if id, err = r.LastInsertId(); err != nil {
				return 0, res, err
			}
			return db.created(ctx, tx, id, req, payload, now)
		}
	}
	var other int64
	if d.Identifier != "" {
		err := tx.QueryRowContext(ctx, `SELECT id FROM structure WHERE identifier_type = ? AND identifier = ? AND identifier <> ''`,
			string(d.IdentifierType), d.Identifier).Scan(&other)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, res, err
		}
	}
	switch {
	case id == 0 && other != 0:
		id = other
	case id != 0 && other != 0 && other != id:
		return 0, res, &core.E{Kind: core.KindConflict, Code: "store.duplicate_structure", Op: "save structure"}
	}
	if id != 0 {
		var updated int64
		if err := tx.QueryRowContext(ctx, `SELECT state, updated_at FROM structure WHERE id = ?`, id).Scan(&state, &updated); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return 0, res, &core.E{Kind: core.KindNotFound, Code: "store.not_found", Op: "save structure"}
			}
			return 0, res, err
		}
		if v := req.Unchanged; v != nil && (v.Updated.UnixMilli() != updated || v.State != core.SyncState(state)) {
			return 0, res, &core.E{Kind: core.KindConflict, Code: core.CodeChanged, Op: "save structure"}
		}
		_, err := tx.ExecContext(ctx, `UPDATE structure SET identifier_type = ?, identifier = ?, structure_kind = ?,
			company_name = ?, structure_name = ?, email = ?, phone = ?, address = ?, address_complement_1 = ?,
			address_complement_2 = ?, city = ?, postal_code = ?, country = ?, non_diffusible = ?, problems = ?,
			errors = ?, warnings = ?, search = ?, search_version = ?, updated_at = ? WHERE id = ?`,
			string(d.IdentifierType), d.Identifier, string(d.Kind), d.CompanyName, d.StructureName, d.Email, d.Phone,
			d.Address, d.Complement1, d.Complement2, d.City, d.PostalCode, d.Country, d.NonDiffusible,
			problemsJSON(problems), nErrors, nWarnings, searchKey(d), searchVersion, now, id)
		if err != nil {
			return 0, res, err
		}
		if err := setReform(ctx, tx, id, req.Reform, req.ReformSet); err != nil {
			return 0, res, err
		}
		if err := setNote(ctx, tx, id, req); err != nil {
			return 0, res, err
		}
	} else {
		// Not new, yet not found: another statement removed it between
		// the insert and the look-up, which one transaction rules out.
		return 0, res, &core.E{Kind: core.KindNotFound, Code: "store.not_found", Op: "save structure"}
	}
	if core.SyncState(state).OnPortal() {
		return id, res, nil
	}
	var opID string
	var attempts int
	err := tx.QueryRowContext(ctx, `SELECT op_id, attempts FROM outbox WHERE structure_id = ? AND state = 'pending'
		ORDER BY id DESC LIMIT 1`, id).Scan(&opID, &attempts)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, res, err
	}
	pending := opID != ""
	switch {
	case !req.Queue && pending && attempts == 0:
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE op_id = ?`, opID); err != nil {
			return 0, res, err
		}
		_, err := tx.ExecContext(ctx, `UPDATE structure SET state = 'draft', notice = '' WHERE id = ?`, id)
		return id, res, err
	case !req.Queue:
		return id, res, nil
	case pending && attempts == 0:
		// Never sent: it follows the new values, and goes where it was
		// queued for now.
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET payload = ?, target = ?, updated_at = ? WHERE op_id = ?`,
			payload, targetOr(req.Target), now, opID); err != nil {
			return 0, res, err
		}
	case !pending:
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (op_id, kind, structure_id, payload, next_attempt_at,
			created_at, updated_at, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			NewOpID(), string(core.OpSubmitStructure), id, payload, now, now, now, targetOr(req.Target)); err != nil {
			return 0, res, err
		}
	}
	res.Queued = true
	_, err = tx.ExecContext(ctx, `UPDATE structure SET state = 'queued', notice = '' WHERE id = ?`, id)
	return id, res, err
}

// qInsertStructure writes a new structure, or nothing when its identifier
// is already in the store (the partial unique index structure_key).
const qInsertStructure = `INSERT INTO structure (identifier_type, identifier, structure_kind, company_name,
	structure_name, email, phone, address, address_complement_1, address_complement_2, city, postal_code,
	country, non_diffusible, problems, errors, warnings, search, search_version, created_at, updated_at, state)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (identifier_type, identifier) WHERE identifier <> '' DO NOTHING`

// created finishes the save of a structure just inserted as id: its
// reform's fields and, when queued, its outbox row. No outbox row can
// exist for a new row, so its state needs no second look (an import
// writes thousands).
func (db *Structures) created(ctx context.Context, tx *sqldb.CachedTx, id int64, req core.SaveStructure, payload []byte, now int64) (int64, core.SaveResult, error) {
	res := core.SaveResult{Created: true}
	if err := setReform(ctx, tx, id, req.Reform, req.ReformSet); err != nil {
		return 0, res, err
	}
	if err := setNote(ctx, tx, id, req); err != nil {
		return 0, res, err
	}
	if !req.Queue {
		return id, res, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (op_id, kind, structure_id, payload, next_attempt_at,
		created_at, updated_at, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		NewOpID(), string(core.OpSubmitStructure), id, payload, now, now, now, targetOr(req.Target)); err != nil {
		return 0, res, err
	}
	res.Queued = true
	return id, res, nil
}

// reformColumns are the columns of core.Reform's fields, by bit.
var reformColumns = []struct {
	bit  core.ReformFields
	cols string
	args func(core.Reform) []any
}{
	{core.ReformPlatform, "reform_platform = ?", func(r core.Reform) []any { return []any{r.Platform} }},
	{core.ReformMandate, "reform_mandate = ?", func(r core.Reform) []any { return []any{string(r.MandateSigned)} }},
	{core.ReformAddresses, "reform_addresses = ?", func(r core.Reform) []any { return []any{strings.Join(r.Addresses, "\n")} }},
	{core.ReformCheckedOn, "reform_checked_on = ?", func(r core.Reform) []any { return []any{string(r.CheckedOn)} }},
	{core.ReformSeen, "reform_seen = ?", func(r core.Reform) []any { return []any{r.Seen} }},
	{core.ReformNote, "reform_note = ?", func(r core.Reform) []any { return []any{r.Note} }},
	{core.ReformCategory, "category = ?, category_source = ?", func(r core.Reform) []any {
		return []any{string(r.Category), string(r.CategorySource)}
	}},
}

// reformInsert is every reform column (reformColumns, in order) and its
// value from r, for an INSERT: the same columns as an update of
// core.ReformAll.
func reformInsert(r core.Reform) (cols []string, args []any) {
	for _, c := range reformColumns {
		for _, part := range strings.Split(c.cols, ", ") {
			cols = append(cols, strings.TrimSuffix(part, " = ?"))
		}
		args = append(args, c.args(r)...)
	}
	return cols, args
}

// setReform writes the reform's fields of set; nothing when set is empty.
// The statement is one of at most 127, each prepared once per transaction.
func setReform(ctx context.Context, tx *sqldb.CachedTx, id int64, r core.Reform, set core.ReformFields) error {
	return setReformCounted(ctx, tx, id, r, set, nil)
}

// setNote writes the firm's note when the save carries one.
func setNote(ctx context.Context, tx *sqldb.CachedTx, id int64, req core.SaveStructure) error {
	if !req.SetNote {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE structure SET note = ? WHERE id = ? AND note <> ?`, req.Note, id, req.Note)
	return err
}

// setReformCounted is setReform adding to *n the rows it changed (0 for
// an id that names no record).
func setReformCounted(ctx context.Context, tx *sqldb.CachedTx, id int64, r core.Reform, set core.ReformFields, n *int) error {
	if set == 0 {
		return nil
	}
	var cols []string
	var args []any
	for _, c := range reformColumns {
		if set&c.bit != 0 {
			cols = append(cols, c.cols)
			args = append(args, c.args(r)...)
		}
	}
	res, err := tx.ExecContext(ctx, "UPDATE structure SET "+strings.Join(cols, ", ")+" WHERE id = ?", append(args, id)...)
	if err != nil || n == nil {
		return err
	}
	k, err := res.RowsAffected()
	*n += int(k)
	return err
}

// targetOr returns target, or the Local sandbox's when empty.
func targetOr(target string) string {
	if target == "" {
		return core.TargetLocal
	}
	return target
}

// Structure returns one structure.
func (db *Structures) Structure(ctx context.Context, id int64) (core.StructureRecord, error) {
	r, err := scanStructure(db.db.Reader().QueryRowContext(ctx, selectStructure+" WHERE id = ?", id))
	if err != nil {
		return r, notFound("get structure", err)
	}
	return r, nil
}

// EachStructure streams every structure in key order.
func (db *Structures) EachStructure(ctx context.Context, fn func(core.StructureRecord) error) error {
	rows, err := db.db.Reader().QueryContext(ctx, selectStructure+" ORDER BY identifier_type, identifier, id")
	if err != nil {
		return fmt.Errorf("list structures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanStructure(rows)
		if err != nil {
			return fmt.Errorf("list structures: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// The queries the app runs at start and at every pass of the worker: each
// goes through an index (TestStartupQueriesUseIndexes reads their plans).
const (
	qStructuresInState = selectStructure + " WHERE state = ? ORDER BY id LIMIT ?"
	qCountByState      = "SELECT state, count(*) FROM structure GROUP BY state"
	qClaimDue          = `SELECT ` + opCols + ` FROM outbox o
			WHERE o.target = ? AND o.state = 'pending' AND o.next_attempt_at <= ? AND o.lease_until <= ? AND o.kind <> 'account.create'
			AND o.id = coalesce(
				(SELECT min(p.id) FROM outbox p WHERE p.structure_id = o.structure_id AND p.state = 'pending'),
				(SELECT min(p.id) FROM outbox p WHERE p.account_id = o.account_id AND p.state = 'pending'))
			ORDER BY o.next_attempt_at, o.id LIMIT ?`
	qClaimStructure = `SELECT ` + opCols + ` FROM outbox o
			WHERE o.structure_id = ? AND o.target = ? AND o.state = 'pending' AND o.lease_until <= ?
			AND o.id = (SELECT min(p.id) FROM outbox p WHERE p.structure_id = o.structure_id AND p.state = 'pending')`
	qAccountPending = `SELECT op_id, payload FROM outbox WHERE account_id = ? AND state = 'pending' ORDER BY id LIMIT 1`
)

// qBackfill reads the rows whose search key an older build wrote. The
// number is written in the query, not bound, so that SQLite can use the
// partial index of the stale rows (migration 0008), which new rows never
// enter.
var qBackfill = selectStructure + " WHERE search_version < " + strconv.Itoa(searchVersion) + " LIMIT 500"

// StructuresInState returns the structures in state, at most limit, through
// the state index (migration 0006), never a scan of the table.
func (db *Structures) StructuresInState(ctx context.Context, state core.SyncState, limit int) ([]core.StructureRecord, error) {
	rows, err := db.db.Reader().QueryContext(ctx, qStructuresInState, string(state), limit)
	if err != nil {
		return nil, fmt.Errorf("structures in state: %w", err)
	}
	defer rows.Close()
	var out []core.StructureRecord
	for rows.Next() {
		r, err := scanStructure(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountStructures returns how many structures are in each state, from the
// state index.
func (db *Structures) CountStructures(ctx context.Context) (map[core.SyncState]int, error) {
	rows, err := db.db.Reader().QueryContext(ctx, qCountByState)
	if err != nil {
		return nil, fmt.Errorf("count structures: %w", err)
	}
	defer rows.Close()
	out := map[core.SyncState]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[core.SyncState(s)] = n
	}
	return out, rows.Err()
}
