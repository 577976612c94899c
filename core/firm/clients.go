package firm

import (
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
)

// maxAssign bounds the clients one assignment names; maxHistory the
// entries a history or audit page holds.
const (
	maxAssign  = 10000
	maxHistory = 1000
	maxDevice  = 100
)

// client is a client's row.
type client struct {
	api.FirmClient
	identity string
	firm     int64
	position int64
}

// clientCols are client's columns, in scanClient's order.
const clientCols = `c.id, c.firm_id, c.identity, c.fields, c.revision, c.in_charge, coalesce(m.email, ''), c.claimed_by,
	c.updated_by, c.updated_at, c.updated_from, c.deleted, c.position`

// clientFrom is the FROM of a client's query, with the address of who is
// in charge.
const clientFrom = ` FROM client c LEFT JOIN member m ON m.account_id = c.in_charge AND m.firm_id = c.firm_id `

// qClientByIdentity and qIdentityTaken find a firm's live client by its
// identifier through the partial index client_key: its condition,
// identity <> ”, is written in the query, else SQLite cannot tell that a
// bound identity is not empty and reads the whole table. A firm of 10,000
// clients spent 80 % of each create in that scan (bench, firm load).
const (
	qClientByIdentity = `SELECT ` + clientCols + clientFrom + `WHERE c.firm_id = ? AND c.identity = ? AND c.identity <> '' AND c.deleted = 0`
	qIdentityTaken    = `SELECT count(*) FROM client WHERE firm_id = ? AND identity = ? AND identity <> '' AND deleted = 0`
)

func scanClient(row interface{ Scan(...any) error }) (client, error) {
	var cl client
	var fields string
	err := row.Scan(&cl.ID, &cl.firm, &cl.identity, &fields, &cl.Revision, &cl.InCharge, &cl.InChargeEmail, &cl.ClaimedBy,
		&cl.UpdatedBy, &cl.UpdatedAt, &cl.UpdatedFrom, &cl.Deleted, &cl.position)
	if err != nil {
		return cl, err
	}
	err = json.Unmarshal([]byte(fields), &cl.Fields)
	return cl, err
}

// identity is the key that makes two clients one: the identifier, with
// its type ("" while a draft has none).
func identity(f core.ClientFields) string {
	if f[core.FieldIdentifier] == "" {
		return ""
	}
	return f[core.FieldIdentifierType] + ":" + f[core.FieldIdentifier]
}

// visible reports whether the caller may see a client: one of their firm,
// and, for a member on assigned clients, in their charge.
func (c *call) visible(cl client) bool {
	return cl.firm == c.me.firm && (c.me.role != api.FirmAssigned || cl.InCharge == c.who.ID)
}

// clientOf reads the client in the path, as the caller may see it; one
// they may not is not found (the same answer as an id that does not
// exist).
func (c *call) clientOf() (client, error) {
	if err := c.member(); err != nil {
		return client{}, err
	}
	id, err := c.pathID("id")
	if err != nil {
		return client{}, err
	}
	cl, err := scanClient(c.tx.QueryRowContext(c.r.Context(), `SELECT `+clientCols+clientFrom+`WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && !c.visible(cl) {
		return client{}, refuse(http.StatusNotFound, api.CodeNotFound)
	}
	return cl, err
}

// write reads a client's change and checks each field it carries.
func (c *call) write() (api.FirmWrite, error) {
	var w api.FirmWrite
	if err := c.decode(&w); err != nil {
		return w, err
	}
	if w.BaseRevision < 0 || len(w.Fields) > len(core.ClientFieldNames) || utf8.RuneCountInString(w.Device) > maxDevice {
		return w, refuse(http.StatusBadRequest, api.CodeFirmLimit)
	}
	for k, v := range w.Fields {
		if code := core.ClientFieldProblem(k, v); code != "" {
			return w, refuse(http.StatusBadRequest, code)
		}
	}
	return w, nil
}

// stale refuses a write with the current version of the client.
func stale(code string, cl client) error {
	return &refusal{status: http.StatusConflict, body: api.FirmStale{Error: errorBody(code), Current: cl.FirmClient}}
}

// create adds a client to the caller's firm, in the caller's charge. A
// client the firm has already (same identifier) is answered 409 with it:
// the desktop merges its copy into it, as an edit.
func (a *clientsAPI) create(c *call) (int, any, error) {
	if err := c.member(); err != nil {
		return 0, nil, err
	}
	w, err := c.write()
	if err != nil {
		return 0, nil, err
	}
	fields := core.ClientFields{}.With(w.Fields)
	ctx := c.r.Context()
	if id := identity(fields); id != "" {
		cl, err := scanClient(c.tx.QueryRowContext(ctx, qClientByIdentity, c.me.firm, id))
		switch {
		case err == nil && c.visible(cl):
			return 0, nil, stale(api.CodeFirmExists, cl)
		case err == nil:
			// Another member's: the caller may not see it, and is told
			// only that it exists, without its data.
			return 0, nil, refuse(http.StatusConflict, api.CodeFirmExists)
		case !errors.Is(err, sql.ErrNoRows):
			return 0, nil, err
		}
	}
	pos, err := c.nextPosition()
	if err != nil {
		return 0, nil, err
	}
	// Whoever prepares a client is in charge of it until the admin says
	// otherwise (and a member on assigned clients sees what they made).
	inCharge := c.who.ID
	b, _ := json.Marshal(fields)
	var id int64
	if err := c.tx.QueryRowContext(ctx, `INSERT INTO client (firm_id, identity, fields, revision, in_charge, updated_by, updated_at, updated_from, position)
		VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?) RETURNING id`, c.me.firm, identity(fields), string(b), inCharge, c.who.Email, c.now.UnixMilli(),
		w.Device, pos).Scan(&id); err != nil {
		return 0, nil, err
	}
	if err := c.audited(id, 1, w.Device, api.AuditCreated, core.ClientFields{}, fields); err != nil {
		return 0, nil, err
	}
	cl, err := c.reread(id)
	return http.StatusCreated, cl.FirmClient, err
}

// reread reads a client back after a change.
func (c *call) reread(id int64) (client, error) {
	return scanClient(c.tx.QueryRowContext(c.r.Context(), `SELECT `+clientCols+clientFrom+`WHERE c.id = ?`, id))
}

// update changes a client's fields, if the write starts from its current
// revision; else it is refused with the current version. A change of
// identifier to one the firm has is refused as a creation would be.
func (a *clientsAPI) update(c *call) (int, any, error) {
	cl, err := c.clientOf()
	if err != nil {
		return 0, nil, err
	}
	w, err := c.write()
	if err != nil {
		return 0, nil, err
	}
	if cl.Deleted {
		return 0, nil, refuse(http.StatusNotFound, api.CodeNotFound)
	}
	if w.BaseRevision != cl.Revision {
		return 0, nil, stale(api.CodeFirmStale, cl)
	}
	before := core.ClientFields(cl.Fields)
	after := before.With(w.Fields)
	if before.Equal(after) {
		return http.StatusOK, cl.FirmClient, nil // nothing changes: no revision
	}
	ctx := c.r.Context()
	if id := identity(after); id != cl.identity && id != "" {
		var n int
		if err := c.tx.QueryRowContext(ctx, qIdentityTaken, c.me.firm, id).Scan(&n); err != nil {
			return 0, nil, err
		}
		if n > 0 {
			return 0, nil, refuse(http.StatusConflict, api.CodeFirmExists)
		}
	}
	pos, err := c.nextPosition()
	if err != nil {
		return 0, nil, err
	}
	b, _ := json.Marshal(after)
	res, err := c.tx.ExecContext(ctx, `UPDATE client SET fields = ?, identity = ?, revision = revision + 1, updated_by = ?, updated_at = ?,
		updated_from = ?, position = ? WHERE id = ? AND revision = ?`, string(b), identity(after), c.who.Email, c.now.UnixMilli(), w.Device, pos,
		cl.ID, cl.Revision)
	if err != nil {
		return 0, nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, nil, stale(api.CodeFirmStale, cl)
	}
	if err := c.audited(cl.ID, cl.Revision+1, w.Device, api.AuditChanged, before, after); err != nil {
		return 0, nil, err
	}
	cl, err = c.reread(cl.ID)
	return http.StatusOK, cl.FirmClient, err
}

// remove deletes a client, if the caller starts from its current
// revision: it stays as a tombstone, which the feed carries and an admin
// restores.
func (a *clientsAPI) remove(c *call) (int, any, error) {
	cl, err := c.clientOf()
	if err != nil {
		return 0, nil, err
	}
	rev, err := strconv.ParseInt(c.r.URL.Query().Get("revision"), 10, 64)
	if err != nil {
		return 0, nil, refuse(http.StatusBadRequest, api.CodeMalformed)
	}
	if cl.Deleted {
		return http.StatusOK, cl.FirmClient, nil
	}
	if rev != cl.Revision {
		return 0, nil, stale(api.CodeFirmStale, cl)
	}
	return c.setDeleted(cl, true, api.AuditDeleted)
}

// restore brings a deleted client back (the admin), unless the firm has
// another with its identifier since.
func (a *clientsAPI) restore(c *call) (int, any, error) {
	if err := c.admin(); err != nil {
		return 0, nil, err
	}
	cl, err := c.clientOf()
	if err != nil {
		return 0, nil, err
	}
	if !cl.Deleted {
		return http.StatusOK, cl.FirmClient, nil
	}
	if cl.identity != "" {
		var n int
		if err := c.tx.QueryRowContext(c.r.Context(), qIdentityTaken, c.me.firm, cl.identity).Scan(&n); err != nil {
			return 0, nil, err
		}
		if n > 0 {
			return 0, nil, refuse(http.StatusConflict, api.CodeFirmExists)
		}
	}
	return c.setDeleted(cl, false, api.AuditRestored)
}

// deleted lists the firm's deleted clients, the most recently deleted
// first, for an admin to restore one; each says who deleted it and when
// (UpdatedBy, UpdatedAt) and its position, the next page's ?before=.
func (a *clientsAPI) deleted(c *call) (int, any, error) {
	if err := c.admin(); err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	before, limit, err := pageArgs(q.Get("before"), q.Get("limit"), maxHistory)
	if err != nil {
		return 0, nil, err
	}
	if before == 0 {
		before = math.MaxInt64
	}
	rows, err := c.tx.QueryContext(c.r.Context(), `SELECT `+clientCols+clientFrom+`WHERE c.firm_id = ? AND c.deleted = 1 AND c.position < ?
		ORDER BY c.position DESC LIMIT ?`, c.me.firm, before, limit)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	out := []api.FirmDeleted{}
	for rows.Next() {
		cl, err := scanClient(rows)
		if err != nil {
			return 0, nil, err
		}
		out = append(out, api.FirmDeleted{Client: cl.FirmClient, Position: cl.position})
	}
	return http.StatusOK, out, rows.Err()
}

// setDeleted deletes or restores a client as a new revision.
func (c *call) setDeleted(cl client, deleted bool, action string) (int, any, error) {
	pos, err := c.nextPosition()
	if err != nil {
		return 0, nil, err
	}
	if _, err := c.tx.ExecContext(c.r.Context(), `UPDATE client SET deleted = ?, revision = revision + 1, updated_by = ?, updated_at = ?,
		updated_from = '', position = ? WHERE id = ?`, flag(deleted), c.who.Email, c.now.UnixMilli(), pos, cl.ID); err != nil {
		return 0, nil, err
	}
	if err := c.audited(cl.ID, cl.Revision+1, "", action, nil, nil); err != nil {
		return 0, nil, err
	}
	cl, err = c.reread(cl.ID)
	return http.StatusOK, cl.FirmClient, err
}

// flag is a boolean as the store keeps it, 0 or 1 (an INTEGER column on
// both engines).
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// claim claims a client's submission to the portal for the caller: the
// first to claim sends it; another member's claim is answered with who
// did. Claiming again one's own claim changes nothing.
func (a *clientsAPI) claim(c *call) (int, any, error) {
	cl, err := c.clientOf()
	if err != nil {
		return 0, nil, err
	}
	switch {
	case cl.Deleted:
		return 0, nil, refuse(http.StatusNotFound, api.CodeNotFound)
	case strings.EqualFold(cl.ClaimedBy, c.who.Email):
		return http.StatusOK, cl.FirmClient, nil
	case cl.ClaimedBy != "":
		return 0, nil, stale(api.CodeFirmClaimed, cl)
	}
	pos, err := c.nextPosition()
	if err != nil {
		return 0, nil, err
	}
	if _, err := c.tx.ExecContext(c.r.Context(), `UPDATE client SET claimed_by = ?, revision = revision + 1, updated_by = ?, updated_at = ?,
		position = ? WHERE id = ?`, c.who.Email, c.who.Email, c.now.UnixMilli(), pos, cl.ID); err != nil {
		return 0, nil, err
	}
	if err := c.audited(cl.ID, cl.Revision+1, "", api.AuditClaimed, nil, nil); err != nil {
		return 0, nil, err
	}
	cl, err = c.reread(cl.ID)
	return http.StatusOK, cl.FirmClient, err
}

// assign puts clients in a member's charge, or nobody's (the admin).
func (a *clientsAPI) assign(c *call) (int, any, error) {
	if err := c.admin(); err != nil {
		return 0, nil, err
	}
	var req api.FirmAssign
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if len(req.Clients) == 0 || len(req.Clients) > maxAssign {
		return 0, nil, refuse(http.StatusBadRequest, api.CodeFirmLimit)
	}
	email := ""
	if req.Account != 0 {
		if _, err := roleIn(c, req.Account); err != nil {
			return 0, nil, err
		}
		if err := c.tx.QueryRowContext(c.r.Context(), `SELECT email FROM member WHERE account_id = ?`, req.Account).Scan(&email); err != nil {
			return 0, nil, err
		}
	}
	// Only the caller's firm's clients: an id of another firm's is not
	// found, and nothing is assigned.
	for _, id := range req.Clients {
		var firm int64
		err := c.tx.QueryRowContext(c.r.Context(), `SELECT firm_id FROM client WHERE id = ?`, id).Scan(&firm)
		if errors.Is(err, sql.ErrNoRows) || err == nil && firm != c.me.firm {
			return 0, nil, refuse(http.StatusNotFound, api.CodeNotFound)
		}
		if err != nil {
			return 0, nil, err
		}
	}
	if err := assignTo(c, req.Clients, req.Account, email); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, api.Accepted{Status: "assigned"}, nil
}

// assignTo puts clients of the caller's firm in account's charge (0:
// nobody's), each a change of its own, recorded for the feed of who had
// it.
func assignTo(c *call, ids []int64, account int64, email string) error {
	ctx := c.r.Context()
	for _, id := range ids {
		var was, rev int64
		if err := c.tx.QueryRowContext(ctx, `SELECT in_charge, revision FROM client WHERE id = ? AND firm_id = ?`, id, c.me.firm).Scan(&was, &rev); err != nil {
			return err
		}
		if was == account {
			continue
		}
		pos, err := c.nextPosition()
		if err != nil {
			return err
		}
		if _, err := c.tx.ExecContext(ctx, `UPDATE client SET in_charge = ?, revision = revision + 1, updated_by = ?, updated_at = ?, position = ?
			WHERE id = ?`, account, c.who.Email, c.now.UnixMilli(), pos, id); err != nil {
			return err
		}
		if _, err := c.tx.ExecContext(ctx, `INSERT INTO charge_change (firm_id, position, client_id, was, now, at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.me.firm, pos, id, was, account, c.now.UnixMilli()); err != nil {
			return err
		}
		if _, err := c.tx.ExecContext(ctx, `INSERT INTO audit (firm_id, client_id, revision, at, author, action, field, new)
			VALUES (?, ?, ?, ?, ?, ?, 'in_charge', ?)`, c.me.firm, id, rev+1, c.now.UnixMilli(), c.who.Email, api.AuditAssigned, email); err != nil {
			return err
		}
	}
	return nil
}

// audited records a change: its action, and each field that changed with
// its old and new values.
func (c *call) audited(client, revision int64, device, action string, before, after core.ClientFields) error {
	ctx := c.r.Context()
	insert := func(field, old, new string) error {
		_, err := c.tx.ExecContext(ctx, `INSERT INTO audit (firm_id, client_id, revision, at, author, device, action, field, old, new)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.me.firm, client, revision, c.now.UnixMilli(), c.who.Email, device, action, field, old, new)
		return err
	}
	diff := before.Diff(after)
	if len(diff) == 0 {
		return insert("", "", "")
	}
	for _, k := range core.ClientFieldNames {
		if v, ok := diff[k]; ok {
			if err := insert(k, before[k], v); err != nil {
				return err
			}
		}
	}
	return nil
}

// history lists a client's audit, newest first (any member who sees it).
func (a *clientsAPI) history(c *call) (int, any, error) {
	cl, err := c.clientOf()
	if err != nil {
		return 0, nil, err
	}
	out, err := auditRows(c, `SELECT id, client_id, revision, at, author, device, action, field, old, new FROM audit
		WHERE firm_id = ? AND client_id = ? ORDER BY id DESC LIMIT ?`, c.me.firm, cl.ID, maxHistory)
	return http.StatusOK, out, err
}

// audit pages the firm's audit, oldest first after ?after= (the admin),
// for its export.
func (a *clientsAPI) audit(c *call) (int, any, error) {
	if err := c.admin(); err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	after, limit, err := pageArgs(q.Get("after"), q.Get("limit"), maxHistory)
	if err != nil {
		return 0, nil, err
	}
	out, err := auditRows(c, `SELECT id, client_id, revision, at, author, device, action, field, old, new FROM audit
		WHERE firm_id = ? AND id > ? ORDER BY id LIMIT ?`, c.me.firm, after, limit)
	return http.StatusOK, out, err
}

// pageArgs reads a cursor and a page size: absent, 0 and the bound; a
// malformed or negative one, or a size over the bound, is refused.
func pageArgs(cursor, limit string, bound int) (int64, int, error) {
	var after int64
	n := bound
	var err error
	if cursor != "" {
		if after, err = strconv.ParseInt(cursor, 10, 64); err != nil || after < 0 {
			return 0, 0, refuse(http.StatusBadRequest, api.CodeFirmCursor)
		}
	}
	if limit != "" {
		if n, err = strconv.Atoi(limit); err != nil || n <= 0 || n > bound {
			return 0, 0, refuse(http.StatusBadRequest, api.CodeFirmLimit)
		}
	}
	return after, n, nil
}

// auditRows runs an audit query.
func auditRows(c *call, query string, args ...any) ([]api.FirmAuditEntry, error) {
	rows, err := c.tx.QueryContext(c.r.Context(), query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.FirmAuditEntry{}
	for rows.Next() {
		var e api.FirmAuditEntry
		if err := rows.Scan(&e.ID, &e.ClientID, &e.Revision, &e.At, &e.By, &e.Device, &e.Action, &e.Field, &e.Old, &e.New); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
