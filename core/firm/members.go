package firm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// InvitationTTL: an invitation nobody accepted lapses.
const InvitationTTL = 30 * 24 * time.Hour

// maxInvitations bounds the invitations waiting in one firm; maxMembers
// the members listed at once.
const (
	maxInvitations = 1000
	maxMembers     = 10000
)

// firm answers the caller's firm and role.
func (m *membersAPI) firm(c *call) (int, any, error) {
	if err := c.member(); err != nil {
		return 0, nil, err
	}
	f := api.Firm{ID: c.me.firm, Role: c.me.role, AccountID: c.who.ID, Email: c.who.Email}
	err := c.tx.QueryRowContext(c.r.Context(), `SELECT name FROM firm WHERE id = ?`, c.me.firm).Scan(&f.Name)
	return http.StatusOK, f, err
}

// members lists the caller's firm's members (any member: the screens show
// who is in charge of what).
func (m *membersAPI) members(c *call) (int, any, error) {
	if err := c.member(); err != nil {
		return 0, nil, err
	}
	out, err := membersOf(c.r.Context(), c.tx, c.me.firm)
	return http.StatusOK, out, err
}

// membersOf lists a firm's members, by address.
func membersOf(ctx context.Context, tx *sqldb.Tx, firm int64) ([]api.FirmMember, error) {
	rows, err := tx.QueryContext(ctx, `SELECT account_id, email, name, role FROM member WHERE firm_id = ? ORDER BY email LIMIT ?`, firm, maxMembers)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.FirmMember{}
	for rows.Next() {
		var m api.FirmMember
		if err := rows.Scan(&m.AccountID, &m.Email, &m.Name, &m.Role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// role reads a role, refusing one that is not.
func role(r string) (string, error) {
	if !slices.Contains(api.FirmRoles, r) {
		return "", refuse(http.StatusBadRequest, api.CodeInvalid)
	}
	return r, nil
}

// invite invites an address into the caller's firm with a role (the
// admin): the person joins with the account of that address, when they
// choose to; the address is mailed. The answer is the same whether the
// address has an account or not.
func (m *membersAPI) invite(c *call) (int, any, error) {
	if err := c.admin(); err != nil {
		return 0, nil, err
	}
	var inv api.FirmInvitation
	if err := c.decode(&inv); err != nil {
		return 0, nil, err
	}
	email, err := validate.Email(inv.Email)
	if err != nil {
		return 0, nil, refuse(http.StatusBadRequest, api.CodeInvalid)
	}
	email = strings.ToLower(email)
	if inv.Role, err = role(inv.Role); err != nil {
		return 0, nil, err
	}
	ctx := c.r.Context()
	var n int
	if err := c.tx.QueryRowContext(ctx, `SELECT count(*) FROM invitation WHERE firm_id = ?`, c.me.firm).Scan(&n); err != nil {
		return 0, nil, err
	}
	if n >= maxInvitations {
		return 0, nil, refuse(http.StatusConflict, api.CodeFirmLimit)
	}
	if _, err := c.tx.ExecContext(ctx, `INSERT INTO invitation (firm_id, email, role, invited_by, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (firm_id, email) DO UPDATE SET role = excluded.role, invited_by = excluded.invited_by, created_at = excluded.created_at`,
		c.me.firm, email, inv.Role, c.who.ID, c.now.UnixMilli()); err != nil {
		return 0, nil, err
	}
	var name string
	if err := c.tx.QueryRowContext(ctx, `SELECT name FROM firm WHERE id = ?`, c.me.firm).Scan(&name); err != nil {
		return 0, nil, err
	}
	err = m.s.cfg.Accounts.Mail(ctx, email, "invitation dans l'espace du cabinet / invitation to the firm's workspace",
		fmt.Sprintf("%s vous invite dans l'espace partagé du cabinet %s. Dans Chorus Onboard, ouvrez Paramètres › Cabinet, donnez "+
			"l'adresse de ce portail et connectez-vous avec le compte de cette adresse (créez-le d'abord si vous n'en avez pas). "+
			"L'invitation vaut 30 jours.\n\n%s invites you to the shared workspace of the firm %s. In Chorus Onboard, open Settings › "+
			"Firm, give this portal's address and sign in with the account of this address (create it first if you have none). "+
			"The invitation stands for 30 days.\n", c.who.Email, name, c.who.Email, name))
	return http.StatusAccepted, api.Accepted{Status: "invited"}, err
}

// invitations lists the invitations waiting (the admin).
func (m *membersAPI) invitations(c *call) (int, any, error) {
	if err := c.admin(); err != nil {
		return 0, nil, err
	}
	rows, err := c.tx.QueryContext(c.r.Context(), `SELECT i.email, i.role, coalesce(m.email, ''), i.created_at FROM invitation i
		LEFT JOIN member m ON m.account_id = i.invited_by WHERE i.firm_id = ? AND i.created_at >= ? ORDER BY i.created_at DESC LIMIT ?`,
		c.me.firm, c.now.Add(-InvitationTTL).UnixMilli(), maxInvitations)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	out := []api.FirmInvitation{}
	for rows.Next() {
		var i api.FirmInvitation
		var created int64
		if err := rows.Scan(&i.Email, &i.Role, &i.InvitedBy, &created); err != nil {
			return 0, nil, err
		}
		i.Expires = time.UnixMilli(created).Add(InvitationTTL).Unix()
		out = append(out, i)
	}
	return http.StatusOK, out, rows.Err()
}

// withdrawInvitation withdraws an invitation (the admin).
func (m *membersAPI) withdrawInvitation(c *call) (int, any, error) {
	if err := c.admin(); err != nil {
		return 0, nil, err
	}
	email, err := url.PathUnescape(c.r.PathValue("email"))
	if err != nil {
		return 0, nil, refuse(http.StatusNotFound, api.CodeNotFound)
	}
	if _, err := c.tx.ExecContext(c.r.Context(), `DELETE FROM invitation WHERE firm_id = ? AND email = ?`, c.me.firm, strings.ToLower(email)); err != nil {
		return 0, nil, err
	}
	return m.invitations(c)
}

// join makes the caller a member of the firm that invited their address,
// with the role it said.
func (m *membersAPI) join(c *call) (int, any, error) {
	ctx := c.r.Context()
	if c.me.firm != 0 {
		return 0, nil, refuse(http.StatusConflict, api.CodeFirmOtherFirm)
	}
	var firm int64
	var r string
	err := c.tx.QueryRowContext(ctx, `SELECT firm_id, role FROM invitation WHERE email = ? AND created_at >= ? ORDER BY created_at DESC LIMIT 1`,
		strings.ToLower(c.who.Email), c.now.Add(-InvitationTTL).UnixMilli()).Scan(&firm, &r)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, refuse(http.StatusNotFound, api.CodeFirmNotInvited)
	}
	if err != nil {
		return 0, nil, err
	}
	if err := addMember(ctx, c.tx, firm, c.who, r, c.now); err != nil {
		return 0, nil, err
	}
	if _, err := c.tx.ExecContext(ctx, `DELETE FROM invitation WHERE email = ?`, strings.ToLower(c.who.Email)); err != nil {
		return 0, nil, err
	}
	c.me = membership{firm: firm, role: r}
	return m.firm(c)
}

// addMember adds an account to a firm.
func addMember(ctx context.Context, tx *sqldb.Tx, firm int64, a Account, role string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO member (firm_id, account_id, email, name, role, added_at) VALUES (?, ?, ?, ?, ?, ?)`,
		firm, a.ID, strings.ToLower(a.Email), a.Name, role, now.UnixMilli())
	return err
}

// leave takes the caller out of their firm; the firm's last admin names
// another first.
func (m *membersAPI) leave(c *call) (int, any, error) {
	if err := c.member(); err != nil {
		return 0, nil, err
	}
	if err := dropMember(c, c.who.ID); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, api.Accepted{Status: "left"}, nil
}

// setRole changes a member's role (the admin); the last admin keeps it.
func (m *membersAPI) setRole(c *call) (int, any, error) {
	if err := c.admin(); err != nil {
		return 0, nil, err
	}
	account, err := c.pathID("account")
	if err != nil {
		return 0, nil, err
	}
	var req api.FirmRole
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if req.Role, err = role(req.Role); err != nil {
		return 0, nil, err
	}
	was, err := roleIn(c, account)
	if err != nil {
		return 0, nil, err
	}
	if was == api.FirmAdmin && req.Role != api.FirmAdmin {
		if err := notLastAdmin(c); err != nil {
			return 0, nil, err
		}
	}
	if _, err := c.tx.ExecContext(c.r.Context(), `UPDATE member SET role = ? WHERE firm_id = ? AND account_id = ?`, req.Role, c.me.firm, account); err != nil {
		return 0, nil, err
	}
	return m.members(c)
}

// removeMember removes a member (the admin); their next request is
// refused, and their computer drops the firm's clients when it hears.
func (m *membersAPI) removeMember(c *call) (int, any, error) {
	if err := c.admin(); err != nil {
		return 0, nil, err
	}
	account, err := c.pathID("account")
	if err != nil {
		return 0, nil, err
	}
	if err := dropMember(c, account); err != nil {
		return 0, nil, err
	}
	return m.members(c)
}

// roleIn reads the role of an account in the caller's firm; one of
// another firm, or of none, is not found.
func roleIn(c *call, account int64) (string, error) {
	var r string
	err := c.tx.QueryRowContext(c.r.Context(), `SELECT role FROM member WHERE firm_id = ? AND account_id = ?`, c.me.firm, account).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", refuse(http.StatusNotFound, api.CodeNotFound)
	}
	return r, err
}

// notLastAdmin refuses when the caller's firm has one admin only.
func notLastAdmin(c *call) error {
	var n int
	if err := c.tx.QueryRowContext(c.r.Context(), `SELECT count(*) FROM member WHERE firm_id = ? AND role = 'admin'`, c.me.firm).Scan(&n); err != nil {
		return err
	}
	if n <= 1 {
		return refuse(http.StatusConflict, api.CodeFirmLastAdmin)
	}
	return nil
}

// dropMember removes an account from the caller's firm: the clients in
// its charge are in nobody's (a change each, so the feed says so).
func dropMember(c *call, account int64) error {
	r, err := roleIn(c, account)
	if err != nil {
		return err
	}
	if r == api.FirmAdmin {
		if err := notLastAdmin(c); err != nil {
			return err
		}
	}
	ctx := c.r.Context()
	if _, err := c.tx.ExecContext(ctx, `DELETE FROM member WHERE firm_id = ? AND account_id = ?`, c.me.firm, account); err != nil {
		return err
	}
	ids, err := idsOf(c, `SELECT id FROM client WHERE firm_id = ? AND in_charge = ? LIMIT 100000`, c.me.firm, account)
	if err != nil {
		return err
	}
	return assignTo(c, ids, 0, "")
}

// idsOf reads a list of ids.
func idsOf(c *call, query string, args ...any) ([]int64, error) {
	rows, err := c.tx.QueryContext(c.r.Context(), query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
