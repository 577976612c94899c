package sim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// AuditEntry is one thing the portal's operator did by hand.
type AuditEntry struct {
	At       time.Time
	Operator string // who ran the command: the system user, and the host
	Action   string // "transfer-structure"
	Subject  string // what it was done to: "SIRET 73282932000074"
	Before   string // what was: "managers: squatter@example.org"
	After    string // what is: "principal manager: dupont@ateliers.example"
	Reason   string // why, as the operator wrote it (a support ticket)
}

// ErrAdmin marks an operator's request the portal cannot carry out; its
// message says why.
var ErrAdmin = errors.New("admin")

// TransferStructure hands a structure to the account with email, as the
// real portal's support does when someone created a company's structure
// that was not theirs: the account becomes its only manager (its principal
// manager), the former one loses the role, its users' rights, the
// invitations waiting and an offer of the role are void (granted by whoever
// held the structure), its own attachment request if any is approved, and
// both sides are told by e-mail. The change and its
// audit entry are one transaction. reason is required: it is what the
// audit keeps of why.
func (s *Server) TransferStructure(ctx context.Context, t core.IdentifierType, identifier, email, reason, operator string) (AuditEntry, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return AuditEntry{}, fmt.Errorf("%w: say why (--reason): the audit keeps it", ErrAdmin)
	}
	id, err := validate.Identifier(t, identifier)
	if validate.Rejects(err) {
		return AuditEntry{}, fmt.Errorf("%w: %s %q: %s", ErrAdmin, t, identifier, validate.Code(err))
	}
	to, err := validate.Email(email)
	if err != nil {
		return AuditEntry{}, fmt.Errorf("%w: %q is not an e-mail address", ErrAdmin, email)
	}
	var entry AuditEntry
	r, _ := http.NewRequestWithContext(ctx, http.MethodPost, "/admin", nil)
	c := &call{r: r, now: s.cfg.Now()}
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		c.tx, c.mail = tx, nil
		st, err := s.structures.find(c, t, id)
		if err != nil {
			return err
		}
		if st == nil {
			return fmt.Errorf("%w: no structure %s %s on this portal", ErrAdmin, t, id)
		}
		var account int64
		var active bool
		switch err := tx.QueryRowContext(ctx, `SELECT id, active FROM account WHERE email = ?`, to).Scan(&account, &active); {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%w: no account %s: the company creates one first", ErrAdmin, to)
		case err != nil:
			return err
		case !active:
			return fmt.Errorf("%w: the account %s is not activated yet", ErrAdmin, to)
		}
		before, err := managerEmails(ctx, tx, st.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM manager WHERE structure_id = ?`, st.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO manager (structure_id, account_id) VALUES (?, ?)`, st.ID, account); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE attachment SET status = ?, decided_at = ? WHERE structure_id = ? AND account_id = ?`,
			api.AttachmentApproved, c.now.UnixMilli(), st.ID, account); err != nil {
			return err
		}
		// What whoever held the structure granted goes with them: the
		// users' rights, the invitations waiting, an offer of the role.
		// The company's principal grants them again as it sees fit.
		for _, q := range []string{
			`UPDATE attachment SET may_approve = 0, may_modify = 0 WHERE structure_id = ?`,
			`DELETE FROM invitation WHERE structure_id = ?`,
			`DELETE FROM handover WHERE structure_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, st.ID); err != nil {
				return err
			}
		}
		entry = AuditEntry{At: c.now, Operator: operator, Action: "transfer-structure", Subject: string(t) + " " + id,
			Before: "managers: " + strings.Join(before, ", "), After: "principal manager: " + to, Reason: reason}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit (at, operator, action, subject, before, after, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			entry.At.UnixMilli(), entry.Operator, entry.Action, entry.Subject, entry.Before, entry.After, entry.Reason); err != nil {
			return err
		}
		name := st.Draft.CompanyName
		if err := s.mail.send(c, to, "vous gérez la structure "+id+" / you now manage structure "+id,
			fmt.Sprintf("Le support du portail vous a confié la structure %s %s : vous en êtes le gestionnaire principal.\n\n"+
				"The portal's support handed structure %s %s to you: you are its principal manager.\n", id, name, id, name), "", ""); err != nil {
			return err
		}
		for _, old := range before {
			if strings.EqualFold(old, to) {
				continue
			}
			if err := s.mail.send(c, old, "structure "+id+" confiée à son entreprise / structure "+id+" handed to its company",
				fmt.Sprintf("Le support du portail a confié la structure %s %s à l'entreprise qu'elle désigne : vous n'en êtes plus gestionnaire.\n\n"+
					"The portal's support handed structure %s %s to the company it names: you no longer manage it.\n", id, name, id, name), "", ""); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.mail.committed(c)
	}
	return entry, err
}

// managerEmails lists the addresses of a structure's managers.
func managerEmails(ctx context.Context, tx querier, structure int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.email FROM manager m JOIN account a ON a.id = m.account_id
		WHERE m.structure_id = ? ORDER BY a.email`, structure)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Audit returns the operator's actions, newest first, at most limit.
func (s *Server) Audit(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, operator, action, subject, before, after, reason FROM audit
		ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&at, &e.Operator, &e.Action, &e.Subject, &e.Before, &e.After, &e.Reason); err != nil {
			return nil, err
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
