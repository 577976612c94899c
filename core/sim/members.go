package sim

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// The people of a structure, as Chorus Pro's managers run them: the
// principal manager promotes a user to secondary manager, demotes one,
// removes a member, and hands the principal role over to a secondary
// manager (who then decides the requests; the old principal stays a
// secondary manager), so that a principal who leaves does not leave the
// structure orphaned. Any manager sees the people and invites a person by
// e-mail. Every action checks the caller's role here, whatever the client.

// maxInvitations bounds the invitations waiting on one structure.
const maxInvitations = 500

// InvitationTTL: an invitation nobody answered is forgotten after this.
const InvitationTTL = 30 * 24 * 60 * 60 * 1000 // milliseconds

// roleOf returns the caller's role on a structure: RolePrincipal,
// RoleSecondary, RoleUser, or "" for none.
func roleOf(c *call, structure, account int64) (string, error) {
	var role string
	err := c.tx.QueryRowContext(c.r.Context(), `SELECT role FROM manager WHERE structure_id = ? AND account_id = ?`,
		structure, account).Scan(&role)
	if err == nil {
		return role, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	var n int
	if err := c.tx.QueryRowContext(c.r.Context(), `SELECT count(*) FROM attachment WHERE structure_id = ? AND account_id = ? AND status = ?`,
		structure, account, api.AttachmentApproved).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		return api.RoleUser, nil
	}
	return "", nil
}

// structureOf reads a structure's id from the path and the caller's role
// on it; a structure the caller is no manager of is forbidden (the same
// answer whether it exists or not).
func structureOf(c *call, managers ...string) (int64, string, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, "", fail(http.StatusNotFound, api.CodeNotFound)
	}
	role, err := roleOf(c, id, c.account)
	if err != nil {
		return 0, "", err
	}
	for _, m := range managers {
		if role == m {
			return id, role, nil
		}
	}
	return 0, "", fail(http.StatusForbidden, api.CodeForbidden)
}

// members lists a structure's people, managers first.
func (sa *structuresAPI) members(c *call) (int, any, error) {
	id, _, err := structureOf(c, api.RolePrincipal, api.RoleSecondary)
	if err != nil {
		return 0, nil, err
	}
	rows, err := c.tx.QueryContext(c.r.Context(), `
		SELECT a.id, a.email, a.first_name || ' ' || a.last_name, m.role FROM manager m JOIN account a ON a.id = m.account_id
		WHERE m.structure_id = ?
		UNION ALL
		SELECT a.id, a.email, a.first_name || ' ' || a.last_name, 'UTILISATEUR' FROM attachment t JOIN account a ON a.id = t.account_id
		WHERE t.structure_id = ? AND t.status = 'VALIDEE' AND t.account_id NOT IN (SELECT account_id FROM manager WHERE structure_id = ?)
		ORDER BY 4, 2 LIMIT 10000`, id, id, id)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	out := []api.Member{}
	for rows.Next() {
		var m api.Member
		if err := rows.Scan(&m.AccountID, &m.Email, &m.Name, &m.Role); err != nil {
			return 0, nil, err
		}
		out = append(out, m)
	}
	return http.StatusOK, out, rows.Err()
}

// managed lists the structures the caller manages, with how many
// managers each has: the workspace marks those the caller manages alone.
func (sa *structuresAPI) managed(c *call) (int, any, error) {
	rows, err := c.tx.QueryContext(c.r.Context(), `SELECT s.id, s.identifier_type, s.identifier, s.company_name, m.role,
		(SELECT count(*) FROM manager x WHERE x.structure_id = s.id)
		FROM manager m JOIN structure s ON s.id = m.structure_id WHERE m.account_id = ? ORDER BY s.id LIMIT 100000`, c.account)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	out := []api.Managed{}
	for rows.Next() {
		var m api.Managed
		var typ string
		if err := rows.Scan(&m.StructureID, &typ, &m.Identifier, &m.CompanyName, &m.Role, &m.Managers); err != nil {
			return 0, nil, err
		}
		m.IdentifierType = core.IdentifierType(typ)
		out = append(out, m)
	}
	return http.StatusOK, out, rows.Err()
}

// member changes one person of a structure; the principal manager only.
func (sa *structuresAPI) member(c *call) (int, any, error) {
	ctx := c.r.Context()
	id, _, err := structureOf(c, api.RolePrincipal)
	if err != nil {
		return 0, nil, err
	}
	target, err := strconv.ParseInt(c.r.PathValue("account"), 10, 64)
	if err != nil {
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	role, err := roleOf(c, id, target)
	if err != nil {
		return 0, nil, err
	}
	if role == "" || target == c.account {
		// Not one of its people, or the principal itself (who hands the
		// role over instead of leaving it empty).
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	var email, name string
	if err := c.tx.QueryRowContext(ctx, `SELECT s.identifier, s.company_name FROM structure s WHERE s.id = ?`, id).Scan(&email, &name); err != nil {
		return 0, nil, err
	}
	structure := email + " " + name
	if err := c.tx.QueryRowContext(ctx, `SELECT email FROM account WHERE id = ?`, target).Scan(&email); err != nil {
		return 0, nil, err
	}
	switch action := c.r.PathValue("action"); {
	case action == api.MemberPromote && role == api.RoleUser:
		_, err = c.tx.ExecContext(ctx, `INSERT INTO manager (structure_id, account_id, role) VALUES (?, ?, ?)`, id, target, api.RoleSecondary)
		if err == nil {
			err = sa.mail.send(c, email, "vous êtes gestionnaire secondaire / you are a secondary manager",
				fmt.Sprintf("Vous êtes désormais gestionnaire secondaire de la structure %s.\n\nYou are now a secondary manager of structure %s.\n",
					structure, structure), "", "")
		}
	case action == api.MemberDemote && role == api.RoleSecondary:
		err = sa.toUser(c, id, target)
	case action == api.MemberRemove:
		if _, err = c.tx.ExecContext(ctx, `DELETE FROM manager WHERE structure_id = ? AND account_id = ?`, id, target); err == nil {
			_, err = c.tx.ExecContext(ctx, `DELETE FROM attachment WHERE structure_id = ? AND account_id = ?`, id, target)
		}
		if err == nil {
			err = sa.mail.send(c, email, "vous n'êtes plus rattaché / you are no longer attached",
				fmt.Sprintf("Le gestionnaire principal de la structure %s vous en a retiré.\n\nThe principal manager of structure %s removed you from it.\n",
					structure, structure), "", "")
		}
	case action == api.MemberTransfer && role == api.RoleSecondary:
		err = sa.transfer(c, id, target, email, structure)
	case action == api.MemberPromote || action == api.MemberDemote || action == api.MemberTransfer:
		// Promote a manager, demote a user, hand the role to a user: the
		// role says what can be done.
		return 0, nil, fail(http.StatusConflict, api.CodeRoleNotAllowed)
	default:
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	if err != nil {
		return 0, nil, err
	}
	return sa.members(c)
}

// toUser makes a secondary manager a user: attached, no longer managing.
func (sa *structuresAPI) toUser(c *call, structure, account int64) error {
	ctx := c.r.Context()
	if _, err := c.tx.ExecContext(ctx, `DELETE FROM manager WHERE structure_id = ? AND account_id = ?`, structure, account); err != nil {
		return err
	}
	_, err := c.tx.ExecContext(ctx, `INSERT INTO attachment (structure_id, account_id, status, created_at, decided_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (structure_id, account_id) DO UPDATE SET status = excluded.status, decided_at = excluded.decided_at`,
		structure, account, api.AttachmentApproved, c.now.UnixMilli(), c.now.UnixMilli())
	return err
}

// transfer hands the principal role to a secondary manager; the caller
// stays a secondary manager. Both are told by e-mail.
func (sa *structuresAPI) transfer(c *call, structure, to int64, toEmail, name string) error {
	ctx := c.r.Context()
	// The old principal first: one principal per structure at any time.
	if _, err := c.tx.ExecContext(ctx, `UPDATE manager SET role = ? WHERE structure_id = ? AND account_id = ?`,
		api.RoleSecondary, structure, c.account); err != nil {
		return err
	}
	if _, err := c.tx.ExecContext(ctx, `UPDATE manager SET role = ? WHERE structure_id = ? AND account_id = ?`,
		api.RolePrincipal, structure, to); err != nil {
		return err
	}
	var fromEmail string
	if err := c.tx.QueryRowContext(ctx, `SELECT email FROM account WHERE id = ?`, c.account).Scan(&fromEmail); err != nil {
		return err
	}
	if err := sa.mail.send(c, toEmail, "vous êtes gestionnaire principal / you are the principal manager",
		fmt.Sprintf("%s vous a transmis le rôle de gestionnaire principal de la structure %s : vous validez désormais ses demandes de rattachement.\n\n"+
			"%s handed you the principal manager role of structure %s: you now decide its attachment requests.\n",
			fromEmail, name, fromEmail, name), "", ""); err != nil {
		return err
	}
	return sa.mail.send(c, fromEmail, "rôle de gestionnaire principal transmis / principal manager role handed over",
		fmt.Sprintf("Vous avez transmis le rôle de gestionnaire principal de la structure %s à %s ; vous en restez gestionnaire secondaire.\n\n"+
			"You handed the principal manager role of structure %s to %s; you remain one of its secondary managers.\n",
			name, toEmail, name, toEmail), "", "")
}

// invite lets a manager invite a person by e-mail: a person with an
// account is attached at once; another is attached as soon as they ask,
// without waiting for a decision. The answer is the same either way, so
// it tells nothing of which addresses have an account.
func (sa *structuresAPI) invite(c *call) (int, any, error) {
	ctx := c.r.Context()
	id, _, err := structureOf(c, api.RolePrincipal, api.RoleSecondary)
	if err != nil {
		return 0, nil, err
	}
	var req api.Invitation
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	email, err := validate.Email(req.Email)
	if err != nil {
		return 0, nil, invalid(core.Problem{Field: core.FieldLoginEmail, Code: validate.Code(err), Severity: core.Error})
	}
	if err := sa.mail.limit(c, email); err != nil {
		return 0, nil, err
	}
	var structure string
	if err := c.tx.QueryRowContext(ctx, `SELECT identifier || ' ' || company_name FROM structure WHERE id = ?`, id).Scan(&structure); err != nil {
		return 0, nil, err
	}
	var account int64
	err = c.tx.QueryRowContext(ctx, `SELECT id FROM account WHERE email = ? AND active = 1`, strings.ToLower(email)).Scan(&account)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var n int
		if err := c.tx.QueryRowContext(ctx, `SELECT count(*) FROM invitation WHERE structure_id = ?`, id).Scan(&n); err != nil {
			return 0, nil, err
		}
		if n >= maxInvitations {
			return 0, nil, fail(http.StatusConflict, api.CodeTooManyInvitations)
		}
		if _, err := c.tx.ExecContext(ctx, `INSERT INTO invitation (structure_id, email, invited_by, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET invited_by = excluded.invited_by, created_at = excluded.created_at`,
			id, email, c.account, c.now.UnixMilli()); err != nil {
			return 0, nil, err
		}
	case err != nil:
		return 0, nil, err
	default:
		role, err := roleOf(c, id, account)
		if err != nil {
			return 0, nil, err
		}
		if role == "" {
			if err := sa.toUser(c, id, account); err != nil {
				return 0, nil, err
			}
		}
	}
	err = sa.mail.send(c, email, "invitation à rejoindre une structure / invitation to join a structure",
		fmt.Sprintf("Un gestionnaire de la structure %s vous y rattache. Si vous n'avez pas encore de compte, créez-le sur le portail "+
			"puis demandez le rattachement à cette structure : il sera validé aussitôt.\n\n"+
			"A manager of structure %s attaches you to it. If you have no account yet, create one on the portal, "+
			"then ask to be attached to this structure: it will be approved at once.\n", structure, structure), "", "")
	return http.StatusAccepted, api.Accepted{Status: "invited"}, err
}

// invited reports, and uses up, an invitation of the caller to a
// structure: their request is then approved at once.
func invited(c *call, structure int64) (bool, error) {
	res, err := c.tx.ExecContext(c.r.Context(), `DELETE FROM invitation WHERE structure_id = ? AND email = (SELECT email FROM account WHERE id = ?)
		AND created_at >= ?`, structure, c.account, c.now.UnixMilli()-InvitationTTL)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
