package sim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// The people of a structure, as the portal runs them today: one principal
// manager (its creator, or whom the role was handed to) and users, each
// with the rights the principal grants: may approve attachment requests
// (and invite), may modify the structure; both off for a new user. The
// principal adjusts rights, detaches users, hands the role over to a user
// who accepts it (the old principal stays a user with both rights), and
// lists and withdraws invitations; a user leaves when they wish. An
// orphaned structure is the operator's (admin transfer-structure). Every
// action checks the caller's place here, whatever the client.

// peopleAPI serves the people of a structure: its members and their
// rights, the hand-over of the role, leaving, invitations.
type peopleAPI struct {
	mail *mailer
}

// maxInvitations bounds the invitations waiting on one structure.
const maxInvitations = 500

// InvitationTTL: an invitation nobody answered is forgotten after this.
const InvitationTTL = 30 * 24 * 60 * 60 * 1000 // milliseconds

// HandoverTTL: an offer of the principal role nobody answered expires.
const HandoverTTL = 7 * 24 * time.Hour

// NoticeWindow: a user is told of a change of their rights at once, then
// of the changes within this window together, once, when it ends.
const NoticeWindow = 10 * time.Minute

// member is one person's place in a structure; the zero value is none.
type member struct {
	role string // api.RolePrincipal, api.RoleUser, or ""
	api.Rights
}

// mayApprove reports whether the member decides attachment requests.
func (m member) mayApprove() bool {
	return m.role == api.RolePrincipal || m.role == api.RoleUser && m.MayApprove
}

// mayModify reports whether the member modifies the structure.
func (m member) mayModify() bool {
	return m.role == api.RolePrincipal || m.role == api.RoleUser && m.MayModify
}

// memberOf returns an account's place in a structure.
func memberOf(c *call, structure, account int64) (member, error) {
	ctx := c.r.Context()
	var n int
	if err := c.tx.QueryRowContext(ctx, `SELECT count(*) FROM manager WHERE structure_id = ? AND account_id = ?`,
		structure, account).Scan(&n); err != nil {
		return member{}, err
	}
	if n > 0 {
		return member{role: api.RolePrincipal, Rights: api.Rights{MayApprove: true, MayModify: true}}, nil
	}
	var m member
	err := c.tx.QueryRowContext(ctx, `SELECT may_approve, may_modify FROM attachment WHERE structure_id = ? AND account_id = ? AND status = ?`,
		structure, account, api.AttachmentApproved).Scan(&m.MayApprove, &m.MayModify)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return member{}, nil
	case err != nil:
		return member{}, err
	}
	m.role = api.RoleUser
	return m, nil
}

// structureOf reads a structure's id from the path and the caller's place
// in it. Someone who is none of its people is answered as for an id that
// does not exist, so that ids cannot be probed.
func structureOf(c *call) (int64, member, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, member{}, fail(http.StatusNotFound, api.CodeNotFound)
	}
	m, err := memberOf(c, id, c.account)
	if err != nil {
		return 0, member{}, err
	}
	if m.role == "" {
		return 0, member{}, fail(http.StatusNotFound, api.CodeNotFound)
	}
	return id, m, nil
}

// principalOf is structureOf for what the principal alone does.
func principalOf(c *call) (int64, error) {
	id, m, err := structureOf(c)
	if err != nil {
		return 0, err
	}
	if m.role != api.RolePrincipal {
		return 0, fail(http.StatusForbidden, api.CodePrincipalOnly)
	}
	return id, nil
}

// userOf reads the account in the path: a user of the structure (not its
// principal), else not found.
func userOf(c *call, structure int64) (int64, error) {
	account, err := strconv.ParseInt(c.r.PathValue("account"), 10, 64)
	if err != nil {
		return 0, fail(http.StatusNotFound, api.CodeNotFound)
	}
	m, err := memberOf(c, structure, account)
	if err != nil {
		return 0, err
	}
	switch m.role {
	case api.RoleUser:
		return account, nil
	case api.RolePrincipal:
		return 0, fail(http.StatusConflict, api.CodePrincipalStays)
	}
	return 0, fail(http.StatusNotFound, api.CodeNotFound)
}

// label is how mails name a structure: its identifier and company name.
func label(c *call, structure int64) (string, error) {
	var s string
	err := c.tx.QueryRowContext(c.r.Context(), `SELECT identifier || ' ' || company_name FROM structure WHERE id = ?`, structure).Scan(&s)
	return s, err
}

// emailOf returns an account's address.
func emailOf(c *call, account int64) (string, error) {
	var s string
	err := c.tx.QueryRowContext(c.r.Context(), `SELECT email FROM account WHERE id = ?`, account).Scan(&s)
	return s, err
}

// namesOf returns what a mail about a structure says: its label, and the
// addresses of the accounts it goes to or speaks of.
func namesOf(c *call, structure int64, accounts ...int64) (string, []string, error) {
	name, err := label(c, structure)
	if err != nil {
		return "", nil, err
	}
	emails := make([]string, len(accounts))
	for i, a := range accounts {
		if emails[i], err = emailOf(c, a); err != nil {
			return "", nil, err
		}
	}
	return name, emails, nil
}

// members lists a structure's people, principal first, for any of them.
func (pa *peopleAPI) members(c *call) (int, any, error) {
	id, _, err := structureOf(c)
	if err != nil {
		return 0, nil, err
	}
	out, err := membersOf(c, id)
	return http.StatusOK, out, err
}

// membersOf reads a structure's people and the hand-over offered, if any.
func membersOf(c *call, structure int64) ([]api.Member, error) {
	rows, err := c.tx.QueryContext(c.r.Context(), `
		SELECT a.id, a.email, a.first_name || ' ' || a.last_name, 'GESTIONNAIRE_PRINCIPAL', 1, 1, 0
		FROM manager m JOIN account a ON a.id = m.account_id WHERE m.structure_id = ?
		UNION ALL
		SELECT a.id, a.email, a.first_name || ' ' || a.last_name, 'UTILISATEUR', t.may_approve, t.may_modify,
			coalesce((SELECT h.expires_at FROM handover h WHERE h.structure_id = t.structure_id AND h.to_account = t.account_id
				AND h.expires_at > ?), 0)
		FROM attachment t JOIN account a ON a.id = t.account_id
		WHERE t.structure_id = ? AND t.status = 'VALIDEE' AND t.account_id NOT IN (SELECT account_id FROM manager WHERE structure_id = ?)
		ORDER BY 4, 2 LIMIT 10000`, structure, c.now.UnixMilli(), structure, structure)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.Member{}
	for rows.Next() {
		var m api.Member
		var until int64
		if err := rows.Scan(&m.AccountID, &m.Email, &m.Name, &m.Role, &m.MayApprove, &m.MayModify, &until); err != nil {
			return nil, err
		}
		if until > 0 {
			m.HandoverUntil = time.UnixMilli(until).Unix()
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// managed lists the structures the caller is one of the people of, with
// their role and rights, and how many may approve requests there: the
// workspace marks those where the caller alone can.
func (pa *peopleAPI) managed(c *call) (int, any, error) {
	const approvers = `(SELECT count(*) FROM manager x WHERE x.structure_id = s.id) + (SELECT count(*) FROM attachment y
		WHERE y.structure_id = s.id AND y.status = 'VALIDEE' AND y.may_approve = 1
		AND y.account_id NOT IN (SELECT account_id FROM manager WHERE structure_id = s.id))`
	rows, err := c.tx.QueryContext(c.r.Context(), `
		SELECT s.id, s.identifier_type, s.identifier, s.company_name, 'GESTIONNAIRE_PRINCIPAL', 1, 1, `+approvers+`
		FROM manager m JOIN structure s ON s.id = m.structure_id WHERE m.account_id = ?
		UNION ALL
		SELECT s.id, s.identifier_type, s.identifier, s.company_name, 'UTILISATEUR', t.may_approve, t.may_modify, `+approvers+`
		FROM attachment t JOIN structure s ON s.id = t.structure_id
		WHERE t.account_id = ? AND t.status = 'VALIDEE' AND NOT EXISTS (SELECT 1 FROM manager WHERE structure_id = s.id AND account_id = ?)
		ORDER BY 1 LIMIT 100000`, c.account, c.account, c.account)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	out := []api.Managed{}
	for rows.Next() {
		var m api.Managed
		var typ string
		if err := rows.Scan(&m.StructureID, &typ, &m.Identifier, &m.CompanyName, &m.Role, &m.MayApprove, &m.MayModify, &m.Approvers); err != nil {
			return 0, nil, err
		}
		m.IdentifierType = core.IdentifierType(typ)
		out = append(out, m)
	}
	return http.StatusOK, out, rows.Err()
}

// member detaches a user (action remove; the principal). The secondary
// manager's old actions are answered with a coded error of their own,
// never mapped to something else.
func (pa *peopleAPI) member(c *call) (int, any, error) {
	switch c.r.PathValue("action") {
	case api.MemberPromote, api.MemberDemote, api.MemberTransfer:
		return 0, nil, fail(http.StatusGone, api.CodeSecondaryGone)
	case api.MemberRemove:
	default:
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	id, err := principalOf(c)
	if err != nil {
		return 0, nil, err
	}
	target, err := userOf(c, id)
	if err != nil {
		return 0, nil, err
	}
	if err := detach(c, id, target); err != nil {
		return 0, nil, err
	}
	structure, emails, err := namesOf(c, id, target)
	if err != nil {
		return 0, nil, err
	}
	if err := pa.mail.send(c, emails[0], "vous n'êtes plus rattaché / you are no longer attached",
		fmt.Sprintf("Le gestionnaire principal de la structure %s vous en a détaché.\n\nThe principal manager of structure %s detached you from it.\n",
			structure, structure), "", ""); err != nil {
		return 0, nil, err
	}
	out, err := membersOf(c, id)
	return http.StatusOK, out, err
}

// detach ends a user's place in a structure: their attachment, their
// invitations, an offer of the role to them, a notice due to them.
func detach(c *call, structure, account int64) error {
	for _, q := range []string{
		`DELETE FROM attachment WHERE structure_id = ? AND account_id = ?`,
		`DELETE FROM invitation WHERE structure_id = ? AND invited_by = ?`,
		`DELETE FROM handover WHERE structure_id = ? AND to_account = ?`,
		`DELETE FROM rights_notice WHERE structure_id = ? AND account_id = ?`,
	} {
		if _, err := c.tx.ExecContext(c.r.Context(), q, structure, account); err != nil {
			return err
		}
	}
	return nil
}

// leave detaches the caller, a user, from a structure; the principal hands
// the role over first.
func (pa *peopleAPI) leave(c *call) (int, any, error) {
	id, m, err := structureOf(c)
	if err != nil {
		return 0, nil, err
	}
	if m.role == api.RolePrincipal {
		return 0, nil, fail(http.StatusConflict, api.CodePrincipalStays)
	}
	if err := detach(c, id, c.account); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, api.Accepted{Status: "left"}, nil
}

// setRights sets a user's rights (the principal). Withdrawing the right to
// approve ends the invitations the user made; the user is told (notice).
func (pa *peopleAPI) setRights(c *call) (int, any, error) {
	id, err := principalOf(c)
	if err != nil {
		return 0, nil, err
	}
	target, err := userOf(c, id)
	if err != nil {
		return 0, nil, err
	}
	var want api.Rights
	if err := c.decode(&want); err != nil {
		return 0, nil, err
	}
	was, err := memberOf(c, id, target)
	if err != nil {
		return 0, nil, err
	}
	if was.Rights != want {
		if _, err := c.tx.ExecContext(c.r.Context(), `UPDATE attachment SET may_approve = ?, may_modify = ? WHERE structure_id = ? AND account_id = ?`,
			want.MayApprove, want.MayModify, id, target); err != nil {
			return 0, nil, err
		}
		if was.MayApprove && !want.MayApprove {
			if _, err := c.tx.ExecContext(c.r.Context(), `DELETE FROM invitation WHERE structure_id = ? AND invited_by = ?`, id, target); err != nil {
				return 0, nil, err
			}
		}
		if err := pa.notice(c, id, target); err != nil {
			return 0, nil, err
		}
	}
	out, err := membersOf(c, id)
	return http.StatusOK, out, err
}

// notice tells a user their rights changed: at once for the first change,
// then once for all the changes within NoticeWindow, when it ends
// (sendDueNotices), so that a switch toggled in a loop mails once.
func (pa *peopleAPI) notice(c *call, structure, account int64) error {
	ctx := c.r.Context()
	var last, due int64
	err := c.tx.QueryRowContext(ctx, `SELECT last_sent, due_at FROM rights_notice WHERE structure_id = ? AND account_id = ?`,
		structure, account).Scan(&last, &due)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && last <= c.now.Add(-NoticeWindow).UnixMilli():
		if _, err := c.tx.ExecContext(ctx, `INSERT INTO rights_notice (structure_id, account_id, last_sent, due_at) VALUES (?, ?, ?, 0)
			ON CONFLICT (structure_id, account_id) DO UPDATE SET last_sent = excluded.last_sent, due_at = 0`, structure, account, c.now.UnixMilli()); err != nil {
			return err
		}
		return pa.mailRights(c, structure, account)
	case err != nil:
		return err
	case due == 0:
		_, err = c.tx.ExecContext(ctx, `UPDATE rights_notice SET due_at = ? WHERE structure_id = ? AND account_id = ?`,
			time.UnixMilli(last).Add(NoticeWindow).UnixMilli(), structure, account)
		return err
	}
	return nil // said when the window ends, with what is then true
}

// mailRights tells a user their rights on a structure as they are now.
func (pa *peopleAPI) mailRights(c *call, structure, account int64) error {
	m, err := memberOf(c, structure, account)
	if err != nil || m.role != api.RoleUser {
		return err // detached since: nothing to say
	}
	name, emails, err := namesOf(c, structure, account)
	if err != nil {
		return err
	}
	yes := func(b bool) (fr, en string) {
		if b {
			return "oui", "yes"
		}
		return "non", "no"
	}
	af, ae := yes(m.MayApprove)
	mf, me := yes(m.MayModify)
	return pa.mail.send(c, emails[0], "vos droits sur une structure / your rights on a structure",
		fmt.Sprintf("Le gestionnaire principal de la structure %s a modifié vos droits. Vos droits sont désormais :\n"+
			"- valider les demandes de rattachement : %s\n- modifier la structure : %s\n\n"+
			"The principal manager of structure %s changed your rights. Your rights are now:\n"+
			"- approve attachment requests: %s\n- modify the structure: %s\n", name, af, mf, name, ae, me), "", "")
}

// sendDueNotices mails the notices whose window ended, each with the
// rights as they are then (Sweep runs it).
func (pa *peopleAPI) sendDueNotices(c *call) error {
	ctx := c.r.Context()
	rows, err := c.tx.QueryContext(ctx, `SELECT structure_id, account_id FROM rights_notice WHERE due_at > 0 AND due_at <= ?
		ORDER BY due_at LIMIT 1000`, c.now.UnixMilli())
	if err != nil {
		return err
	}
	type key struct{ structure, account int64 }
	var due []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.structure, &k.account); err != nil {
			rows.Close()
			return err
		}
		due = append(due, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range due {
		if _, err := c.tx.ExecContext(ctx, `UPDATE rights_notice SET last_sent = ?, due_at = 0 WHERE structure_id = ? AND account_id = ?`,
			c.now.UnixMilli(), k.structure, k.account); err != nil {
			return err
		}
		if err := pa.mailRights(c, k.structure, k.account); err != nil {
			return err
		}
	}
	return nil
}

// offerHandover offers the principal role to a user of the structure (the
// principal): the user accepts or declines it, until HandoverTTL. One
// offer at a time: a new one replaces it. The offers mailed to one address
// are limited as every mail the portal sends on a person's request.
func (pa *peopleAPI) offerHandover(c *call) (int, any, error) {
	id, err := principalOf(c)
	if err != nil {
		return 0, nil, err
	}
	var offer api.HandoverOffer
	if err := c.decode(&offer); err != nil {
		return 0, nil, err
	}
	m, err := memberOf(c, id, offer.AccountID)
	if err != nil {
		return 0, nil, err
	}
	if m.role != api.RoleUser {
		// The role goes to one of its users only: someone attached,
		// who can then be asked.
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	to, err := emailOf(c, offer.AccountID)
	if err != nil {
		return 0, nil, err
	}
	if err := pa.mail.limit(c, to); err != nil {
		return 0, nil, err
	}
	expires := c.now.Add(HandoverTTL)
	if _, err := c.tx.ExecContext(c.r.Context(), `INSERT INTO handover (structure_id, from_account, to_account, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (structure_id) DO UPDATE SET from_account = excluded.from_account,
		to_account = excluded.to_account, created_at = excluded.created_at, expires_at = excluded.expires_at`,
		id, c.account, offer.AccountID, c.now.UnixMilli(), expires.UnixMilli()); err != nil {
		return 0, nil, err
	}
	name, emails, err := namesOf(c, id, c.account)
	if err != nil {
		return 0, nil, err
	}
	from := emails[0]
	day := expires.UTC().Format("02/01/2006")
	if err := pa.mail.send(c, to, "le rôle de gestionnaire principal vous est proposé / the principal manager role is offered to you",
		fmt.Sprintf("%s vous propose le rôle de gestionnaire principal de la structure %s. Acceptez-le ou refusez-le avant le %s "+
			"(Chorus Onboard : Demandes › Personnes de mes structures) ; sans réponse, la proposition tombe.\n\n"+
			"%s offers you the principal manager role of structure %s. Accept or decline it before %s "+
			"(Chorus Onboard: Requests › People of my structures); unanswered, the offer lapses.\n",
			from, name, day, from, name, day), "", ""); err != nil {
		return 0, nil, err
	}
	out, err := membersOf(c, id)
	return http.StatusOK, out, err
}

// withdrawHandover withdraws the principal's offer, if any.
func (pa *peopleAPI) withdrawHandover(c *call) (int, any, error) {
	id, err := principalOf(c)
	if err != nil {
		return 0, nil, err
	}
	if _, err := c.tx.ExecContext(c.r.Context(), `DELETE FROM handover WHERE structure_id = ?`, id); err != nil {
		return 0, nil, err
	}
	out, err := membersOf(c, id)
	return http.StatusOK, out, err
}

// handovers lists the offers of the principal role made to the caller.
func (pa *peopleAPI) handovers(c *call) (int, any, error) {
	rows, err := c.tx.QueryContext(c.r.Context(), `SELECT s.id, s.identifier_type, s.identifier, s.company_name, a.email, h.expires_at
		FROM handover h JOIN structure s ON s.id = h.structure_id JOIN account a ON a.id = h.from_account
		WHERE h.to_account = ? AND h.expires_at > ? ORDER BY s.id LIMIT 1000`, c.account, c.now.UnixMilli())
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	out := []api.Handover{}
	for rows.Next() {
		var h api.Handover
		var typ string
		if err := rows.Scan(&h.StructureID, &typ, &h.Identifier, &h.CompanyName, &h.From, &h.Expires); err != nil {
			return 0, nil, err
		}
		h.IdentifierType, h.Expires = core.IdentifierType(typ), time.UnixMilli(h.Expires).Unix()
		out = append(out, h)
	}
	return http.StatusOK, out, rows.Err()
}

// answerHandover is the user's answer to an offer of the principal role.
// Accepted, the user becomes principal and the old principal a user with
// both rights, in one transaction; both are told. Declined, the principal
// is told. An offer that expired, was withdrawn, or whose author is no
// longer principal cannot be answered.
func (pa *peopleAPI) answerHandover(c *call) (int, any, error) {
	ctx := c.r.Context()
	answer := c.r.PathValue("answer")
	if answer != api.HandoverAccept && answer != api.HandoverDecline {
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, nil, fail(http.StatusNotFound, api.CodeHandoverGone)
	}
	var from int64
	err = c.tx.QueryRowContext(ctx, `SELECT h.from_account FROM handover h JOIN manager m ON m.structure_id = h.structure_id
		AND m.account_id = h.from_account WHERE h.structure_id = ? AND h.to_account = ? AND h.expires_at > ?`,
		id, c.account, c.now.UnixMilli()).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, fail(http.StatusNotFound, api.CodeHandoverGone)
	}
	if err != nil {
		return 0, nil, err
	}
	if me, err := memberOf(c, id, c.account); err != nil {
		return 0, nil, err
	} else if me.role != api.RoleUser {
		return 0, nil, fail(http.StatusNotFound, api.CodeHandoverGone)
	}
	if _, err := c.tx.ExecContext(ctx, `DELETE FROM handover WHERE structure_id = ?`, id); err != nil {
		return 0, nil, err
	}
	name, emails, err := namesOf(c, id, from, c.account)
	if err != nil {
		return 0, nil, err
	}
	fromEmail, toEmail := emails[0], emails[1]
	if answer == api.HandoverDecline {
		err := pa.mail.send(c, fromEmail, "transfert du rôle refusé / role hand-over declined",
			fmt.Sprintf("%s a refusé le rôle de gestionnaire principal de la structure %s : vous le gardez.\n\n"+
				"%s declined the principal manager role of structure %s: you keep it.\n", toEmail, name, toEmail, name), "", "")
		return http.StatusOK, api.Accepted{Status: "declined"}, err
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		// One principal per structure at any time: the old one goes first.
		{`DELETE FROM manager WHERE structure_id = ? AND account_id = ?`, []any{id, from}},
		{`INSERT INTO manager (structure_id, account_id, role) VALUES (?, ?, ?)`, []any{id, c.account, api.RolePrincipal}},
		{`INSERT INTO attachment (structure_id, account_id, status, created_at, decided_at, may_approve, may_modify)
			VALUES (?, ?, 'VALIDEE', ?, ?, 1, 1) ON CONFLICT (structure_id, account_id) DO UPDATE SET status = 'VALIDEE',
			may_approve = 1, may_modify = 1, decided_at = excluded.decided_at`, []any{id, from, c.now.UnixMilli(), c.now.UnixMilli()}},
		{`DELETE FROM rights_notice WHERE structure_id = ? AND account_id = ?`, []any{id, c.account}},
	} {
		if _, err := c.tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			return 0, nil, err
		}
	}
	if err := pa.mail.send(c, toEmail, "vous êtes gestionnaire principal / you are the principal manager",
		fmt.Sprintf("Vous avez accepté le rôle de gestionnaire principal de la structure %s : vous validez désormais ses demandes de "+
			"rattachement et ajustez les droits de ses utilisateurs.\n\nYou accepted the principal manager role of structure %s: you now "+
			"decide its attachment requests and adjust its users' rights.\n", name, name), "", ""); err != nil {
		return 0, nil, err
	}
	err = pa.mail.send(c, fromEmail, "rôle de gestionnaire principal transmis / principal manager role handed over",
		fmt.Sprintf("%s a accepté le rôle de gestionnaire principal de la structure %s ; vous en restez utilisateur, avec les droits "+
			"de valider les demandes de rattachement et de modifier la structure.\n\n"+
			"%s accepted the principal manager role of structure %s; you remain one of its users, with the rights to approve "+
			"attachment requests and to modify the structure.\n", toEmail, name, toEmail, name), "", "")
	return http.StatusOK, api.Accepted{Status: "accepted"}, err
}

// invite lets the principal, or a user who may approve requests, invite a
// person by e-mail: their attachment request is approved when they file
// it, whether they have an account already or create one (nobody is
// attached without asking). The answer and the lists are the same
// whatever the address, so they tell nothing of who has an account.
func (pa *peopleAPI) invite(c *call) (int, any, error) {
	ctx := c.r.Context()
	id, m, err := structureOf(c)
	if err != nil {
		return 0, nil, err
	}
	if !m.mayApprove() {
		return 0, nil, fail(http.StatusForbidden, api.CodeApproveRight)
	}
	var req api.Invitation
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	email, err := validate.Email(req.Email)
	if err != nil {
		return 0, nil, invalid(core.Problem{Field: core.FieldLoginEmail, Code: validate.Code(err), Severity: core.Error})
	}
	email = strings.ToLower(email)
	if err := pa.mail.limit(c, email); err != nil {
		return 0, nil, err
	}
	var n int
	if err := c.tx.QueryRowContext(ctx, `SELECT count(*) FROM invitation WHERE structure_id = ?`, id).Scan(&n); err != nil {
		return 0, nil, err
	}
	if n >= maxInvitations {
		return 0, nil, fail(http.StatusConflict, api.CodeTooManyInvitations)
	}
	if _, err := c.tx.ExecContext(ctx, `INSERT INTO invitation (structure_id, email, invited_by, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (structure_id, email) DO UPDATE SET invited_by = excluded.invited_by, created_at = excluded.created_at`,
		id, email, c.account, c.now.UnixMilli()); err != nil {
		return 0, nil, err
	}
	structure, err := label(c, id)
	if err != nil {
		return 0, nil, err
	}
	err = pa.mail.send(c, email, "invitation à rejoindre une structure / invitation to join a structure",
		fmt.Sprintf("Vous êtes invité à rejoindre la structure %s. Demandez-y votre rattachement sur le portail (créez d'abord votre "+
			"compte si vous n'en avez pas) : il sera validé aussitôt. Sans demande de votre part, vous n'y êtes pas rattaché.\n\n"+
			"You are invited to join structure %s. Ask to be attached to it on the portal (create your account first if you have "+
			"none): it will be approved at once. Unless you ask, you are not attached.\n", structure, structure), "", "")
	return http.StatusAccepted, api.Accepted{Status: "invited"}, err
}

// invitations lists the invitations waiting on a structure (the
// principal), newest first.
func (pa *peopleAPI) invitations(c *call) (int, any, error) {
	id, err := principalOf(c)
	if err != nil {
		return 0, nil, err
	}
	rows, err := c.tx.QueryContext(c.r.Context(), `SELECT i.email, a.email, i.created_at FROM invitation i JOIN account a ON a.id = i.invited_by
		WHERE i.structure_id = ? AND i.created_at >= ? ORDER BY i.created_at DESC, i.email LIMIT ?`,
		id, c.now.UnixMilli()-InvitationTTL, maxInvitations)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	out := []api.PendingInvitation{}
	for rows.Next() {
		var p api.PendingInvitation
		if err := rows.Scan(&p.Email, &p.InvitedBy, &p.Created); err != nil {
			return 0, nil, err
		}
		p.Expires = time.UnixMilli(p.Created + InvitationTTL).Unix()
		p.Created = time.UnixMilli(p.Created).Unix()
		out = append(out, p)
	}
	return http.StatusOK, out, rows.Err()
}

// withdrawInvitation withdraws an invitation (the principal); withdrawing
// one that does not exist changes nothing and says the same.
func (pa *peopleAPI) withdrawInvitation(c *call) (int, any, error) {
	id, err := principalOf(c)
	if err != nil {
		return 0, nil, err
	}
	email, err := url.PathUnescape(c.r.PathValue("email"))
	if err != nil {
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	if _, err := c.tx.ExecContext(c.r.Context(), `DELETE FROM invitation WHERE structure_id = ? AND email = ?`, id, strings.ToLower(email)); err != nil {
		return 0, nil, err
	}
	return pa.invitations(c)
}

// invited reports, and uses up, an invitation of the caller to a
// structure whose author may still invite there (its principal, or a user
// who may approve requests): their request is then approved at once.
func invited(c *call, structure int64) (bool, error) {
	res, err := c.tx.ExecContext(c.r.Context(), `DELETE FROM invitation WHERE structure_id = ?
		AND email = (SELECT email FROM account WHERE id = ?) AND created_at >= ?
		AND (invited_by IN (SELECT account_id FROM manager WHERE structure_id = ?)
			OR invited_by IN (SELECT account_id FROM attachment WHERE structure_id = ? AND status = 'VALIDEE' AND may_approve = 1))`,
		structure, c.account, c.now.UnixMilli()-InvitationTTL, structure, structure)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// sweepPeople runs the people's timers: the notices due are mailed, and
// expired offers of the role are forgotten.
func (pa *peopleAPI) sweepPeople(ctx context.Context, c *call) error {
	if _, err := c.tx.ExecContext(ctx, `DELETE FROM handover WHERE expires_at <= ?`, c.now.UnixMilli()); err != nil {
		return err
	}
	return pa.sendDueNotices(c)
}

// rolesMigration is the migration that turned the secondary managers into
// users with both rights (0007_roles.sql).
const rolesMigration = 7

// reportRolesMigration says, once, how many secondary managers the roles
// migration turned into users with both rights: its audit entry counts
// them (there is none when there were none).
func reportRolesMigration(ctx context.Context, db *sqldb.Store, log *slog.Logger) {
	var subject string
	err := db.QueryRowContext(ctx, `SELECT subject FROM audit WHERE action = 'roles.secondary_to_user' ORDER BY id DESC LIMIT 1`).Scan(&subject)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		log.Info("roles: the portal has no secondary manager any more; there was none to move")
	case err != nil:
		log.Warn("roles: cannot read what the migration moved", "err", err)
	default:
		n, _, _ := strings.Cut(subject, " ")
		log.Info("roles: the portal has no secondary manager any more; each became a user who keeps both rights (approve requests, modify the structure)",
			"moved", n)
	}
}
