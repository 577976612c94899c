package firm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

// ErrAdmin marks an operator's mistake (a name taken, an address without
// an account): chorus-sim firm says it and exits 2.
var ErrAdmin = errors.New("firm admin")

// Retention of what the store keeps of the past.
const (
	// AuditTTL: the audit is kept at least a year; older entries go.
	AuditTTL = 400 * 24 * time.Hour
	// MaxAuditPerClient bounds one client's audit: past it, its oldest
	// entries go first (a client changed ten thousand times keeps its
	// last ten thousand changes, however recent the others).
	MaxAuditPerClient = 10000
	// ChargeChangeTTL: the changes of charge a member on assigned clients
	// reads from; one who reads from before them reads every client.
	ChargeChangeTTL = 180 * 24 * time.Hour
)

// Summary is one firm as the operator lists them.
type Summary struct {
	Name    string
	Admins  []string
	Members int
	Clients int
}

// account finds the active account of an address.
func (s *Server) account(ctx context.Context, email string) (Account, error) {
	a, err := s.cfg.Accounts.ByEmail(ctx, strings.TrimSpace(email))
	if errors.Is(err, ErrNoAccount) {
		return Account{}, fmt.Errorf("%w: no active account %s on this portal: the person creates it first", ErrAdmin, email)
	}
	return a, err
}

// CreateFirm creates a firm named name whose admin is the account of
// admin (the operator's command).
func (s *Server) CreateFirm(ctx context.Context, name, admin string) error {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return fmt.Errorf("%w: a firm's name is 1 to 200 characters", ErrAdmin)
	}
	a, err := s.account(ctx, admin)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM firm WHERE name = ?`, name).Scan(&n); err != nil || n > 0 {
			if n > 0 {
				return fmt.Errorf("%w: a firm is named %q already", ErrAdmin, name)
			}
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO firm (name, created_at) VALUES (?, ?) RETURNING id`, name, now.UnixMilli()).Scan(&id); err != nil {
			return err
		}
		return s.addTo(ctx, tx, id, a, api.FirmAdmin, now)
	})
}

// AddMember adds the account of email to the firm named name with role
// (the operator's command).
func (s *Server) AddMember(ctx context.Context, name, email, role string) error {
	if !slices.Contains(api.FirmRoles, role) {
		return fmt.Errorf("%w: the role is %s", ErrAdmin, strings.Join(api.FirmRoles, ", "))
	}
	a, err := s.account(ctx, email)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM firm WHERE name = ?`, strings.TrimSpace(name)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: no firm named %q (chorus-sim firm list)", ErrAdmin, name)
		}
		if err != nil {
			return err
		}
		return s.addTo(ctx, tx, id, a, role, s.cfg.Now())
	})
}

// addTo adds an account to a firm, unless it is in one already.
func (s *Server) addTo(ctx context.Context, tx *sqldb.Tx, firm int64, a Account, role string, now time.Time) error {
	var other string
	err := tx.QueryRowContext(ctx, `SELECT f.name FROM member m JOIN firm f ON f.id = m.firm_id WHERE m.account_id = ?`, a.ID).Scan(&other)
	switch {
	case err == nil:
		return fmt.Errorf("%w: %s is a member of the firm %q already", ErrAdmin, a.Email, other)
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	return addMember(ctx, tx, firm, a, role, now)
}

// Firms lists the firms, by name (the operator's command).
func (s *Server) Firms(ctx context.Context) ([]Summary, error) {
	var out []Summary
	err := s.db.ReadTx(ctx, func(tx *sqldb.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT f.name,
			(SELECT count(*) FROM member m WHERE m.firm_id = f.id),
			(SELECT count(*) FROM client c WHERE c.firm_id = f.id AND c.deleted = 0),
			coalesce((SELECT string_agg(email, ' ') FROM member m WHERE m.firm_id = f.id AND m.role = 'admin'), '')
			FROM firm f ORDER BY f.name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sm Summary
			var admins string
			if err := rows.Scan(&sm.Name, &sm.Members, &sm.Clients, &admins); err != nil {
				return err
			}
			sm.Admins = strings.Fields(admins)
			out = append(out, sm)
		}
		return rows.Err()
	})
	return out, err
}

// Sweep forgets what the store keeps no longer: audit entries past AuditTTL
// or past MaxAuditPerClient for their client, changes of charge past
// ChargeChangeTTL (raising the firms' floor), idempotency records past
// IdempotencyTTL, and invitations past InvitationTTL.
func (s *Server) Sweep(ctx context.Context) error {
	now := s.cfg.Now()
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`DELETE FROM audit WHERE at < ?`, []any{now.Add(-AuditTTL).UnixMilli()}},
			{`DELETE FROM audit WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY firm_id, client_id ORDER BY id DESC) AS n
				FROM audit) AS ranked WHERE n > ?)`, []any{MaxAuditPerClient}},
			{`UPDATE firm SET charge_floor = (SELECT max(p) FROM (SELECT charge_floor AS p UNION ALL
				SELECT max(position) FROM charge_change x WHERE x.firm_id = firm.id AND x.at < ?) AS f)`, []any{now.Add(-ChargeChangeTTL).UnixMilli()}},
			{`DELETE FROM charge_change WHERE at < ?`, []any{now.Add(-ChargeChangeTTL).UnixMilli()}},
			{`DELETE FROM idempotency WHERE created_at < ?`, []any{now.Add(-IdempotencyTTL).UnixMilli()}},
			{`DELETE FROM invitation WHERE created_at < ?`, []any{now.Add(-InvitationTTL).UnixMilli()}},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				return fmt.Errorf("firm sweep: %w", err)
			}
		}
		return nil
	})
}
