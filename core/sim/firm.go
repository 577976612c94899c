package sim

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core/firm"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

// FirmAccounts lends the firm's shared workspace (core/firm) the portal's
// accounts: its members sign in here, with the second factor, and the
// firm's mail leaves through the portal's queue.
type FirmAccounts struct{ s *Server }

// NewFirmAccounts returns the accounts of the portal s, for a firm server.
func NewFirmAccounts(s *Server) *FirmAccounts { return &FirmAccounts{s: s} }

// Authenticate returns the account whose session r carries.
func (a *FirmAccounts) Authenticate(r *http.Request) (firm.Account, error) {
	var out firm.Account
	err := a.s.db.ReadTx(r.Context(), func(tx *sqldb.Tx) error {
		c := &call{r: r, tx: tx, now: a.s.cfg.Now()}
		id, err := a.s.sessions.sessionAccount(c)
		if err != nil {
			return err
		}
		out.ID = id
		return tx.QueryRowContext(r.Context(), `SELECT email, first_name || ' ' || last_name FROM account WHERE id = ? AND active = 1`, id).
			Scan(&out.Email, &out.Name)
	})
	return out, err
}

// ByEmail returns the active account of an address, or firm.ErrNoAccount.
func (a *FirmAccounts) ByEmail(ctx context.Context, email string) (firm.Account, error) {
	out := firm.Account{}
	err := a.s.db.QueryRowContext(ctx, `SELECT id, email, first_name || ' ' || last_name FROM account WHERE email = ? AND active = 1`,
		strings.ToLower(strings.TrimSpace(email))).Scan(&out.ID, &out.Email, &out.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return out, firm.ErrNoAccount
	}
	return out, err
}

// Mail sends a message through the portal's mail (kept, and queued for
// its relay when it has one).
func (a *FirmAccounts) Mail(ctx context.Context, to, subject, body string) error {
	var c *call
	err := a.s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		c = a.s.seedCall(ctx, tx)
		return a.s.mail.send(c, to, subject, body, "", "")
	})
	if err == nil {
		a.s.mail.committed(c)
	}
	return err
}
