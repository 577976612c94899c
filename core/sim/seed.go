package sim

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// seedCall is a call outside any request, for seeding.
func (s *Server) seedCall(ctx context.Context, tx *sql.Tx) *call {
	r, _ := http.NewRequestWithContext(ctx, http.MethodPost, "/seed", nil)
	return &call{r: r, tx: tx, now: s.cfg.Now()}
}

// SeedAccount creates an active account with this password (no policy
// check: seeds may reproduce legacy accounts). Seeding it again does nothing.
func (s *Server) SeedAccount(ctx context.Context, email, password string) error {
	e, err := validate.Email(email)
	if err != nil {
		return fmt.Errorf("seed account: %s: %w", email, err)
	}
	local, _, _ := strings.Cut(e, "@")
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO account (email, first_name, last_name, contact_email, password_hash, active, created_at)
			VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT (email) DO NOTHING`, e, local, "Seed", e, s.hashPassword(password), s.cfg.Now().UnixMilli())
		return err
	})
}

// ManagerEmail and ManagerPassword are the credentials of the principal
// manager of a seeded structure, so a tester can sign in as them and approve
// attachment requests.
func ManagerEmail(siret string) string    { return "gestionnaire." + siret + "@chorus-sim.example" }
func ManagerPassword(siret string) string { return "Gestionnaire-" + siret + "!" }

// SeedStructure creates an existing SIRET structure with its principal
// manager. The address comes from the built-in registry when it knows the
// SIRET. Seeding it again does nothing.
func (s *Server) SeedStructure(ctx context.Context, siret, name string) error {
	id, err := validate.SIRET(siret)
	if err != nil {
		return fmt.Errorf("seed structure: %s: %w", siret, err)
	}
	if err := s.SeedAccount(ctx, ManagerEmail(id), ManagerPassword(id)); err != nil {
		return err
	}
	d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: id, Kind: core.KindPrivate, CompanyName: name,
		Address: "1 rue de la Paix", City: "Paris", PostalCode: "75002", Country: "FR"}
	if c, ok := registryCompany(id); ok {
		d.Address, d.Complement1, d.City, d.PostalCode = c.number+" "+c.streetType+" "+c.street, c.complement, c.city, c.postal
		d.NonDiffusible = !c.diffusible
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM structure WHERE identifier_type = 'SIRET' AND identifier = ?`, id).Scan(&exists); err != nil || exists > 0 {
			return err
		}
		var manager int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM account WHERE email = ?`, ManagerEmail(id)).Scan(&manager); err != nil {
			return err
		}
		_, err := s.insertStructure(s.seedCall(ctx, tx), d, manager)
		return err
	})
}

// DeactivateAccount makes an account inactive, as the portal does to an
// account left unused: it keeps its password, and signing in with it
// answers auth.not_active. For seeding a team portal and for tests.
func (s *Server) DeactivateAccount(ctx context.Context, email string) error {
	e, err := validate.Email(email)
	if err != nil {
		return fmt.Errorf("deactivate account: %s: %w", email, err)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE account SET active = 0 WHERE email = ?`, e)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("deactivate account: no account %s", e)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM session WHERE account_id = (SELECT id FROM account WHERE email = ?)`, e)
		return err
	})
}
