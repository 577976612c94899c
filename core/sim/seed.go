package sim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// seedCall is a call outside any request, for seeding.
func (s *Server) seedCall(ctx context.Context, tx *sqldb.Tx) *call {
	r, _ := http.NewRequestWithContext(ctx, http.MethodPost, "/seed", nil)
	return &call{r: r, tx: tx, now: s.cfg.Now()}
}

// SeedAccount creates an active account with this password (no policy
// check: seeds may reproduce legacy accounts). Seeding it again does nothing.
func (s *Server) SeedAccount(ctx context.Context, email, password string) error {
	local, _, _ := strings.Cut(email, "@")
	return s.SeedPerson(ctx, email, password, local, "Seed")
}

// SeedPerson is SeedAccount with the person's names, as a manager sees
// them on the requests waiting for them.
func (s *Server) SeedPerson(ctx context.Context, email, password, firstName, lastName string) error {
	e, err := validate.Email(email)
	if err != nil {
		return fmt.Errorf("seed account: %s: %w", email, err)
	}
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO account (email, first_name, last_name, contact_email, password_hash, active, created_at)
			VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT (email) DO NOTHING`, e, firstName, lastName, e, s.accounts.pw.hash(password), s.cfg.Now().UnixMilli())
		return err
	})
}

// ManagerEmail is the address of the principal manager of a seeded
// structure.
func ManagerEmail(siret string) string { return "gestionnaire." + siret + "@chorus-sim.example" }

// ManagerPassword is the password SeedStructure gives the principal
// manager of a seeded structure: derived from the public SIRET, so a
// tester signs in as them without being told, and so does anyone else.
// For tests and a sandbox only; a team portal seeds with
// SeedStructureWith and a random password.
func ManagerPassword(siret string) string { return "Gestionnaire-" + siret + "!" }

// SeedStructure creates an existing SIRET structure with its principal
// manager, whose password is the guessable ManagerPassword: for tests and
// a sandbox (SeedStructureWith).
func (s *Server) SeedStructure(ctx context.Context, siret, name string) error {
	_, err := s.SeedStructureWith(ctx, siret, name, ManagerPassword(siret))
	return err
}

// SeedStructureWith creates an existing SIRET structure with its principal
// manager (ManagerEmail), signing in with password. The address comes from
// the built-in registry when it knows the SIRET. Seeding it again changes
// nothing, except that a manager still on the guessable ManagerPassword
// (seeded so by an earlier version) gets password instead. set says
// whether password is now the manager's, so the caller shows it once.
func (s *Server) SeedStructureWith(ctx context.Context, siret, name, password string) (set bool, err error) {
	id, err := validate.SIRET(siret)
	if err != nil {
		return false, fmt.Errorf("seed structure: %s: %w", siret, err)
	}
	email := ManagerEmail(id)
	d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: id, Kind: core.KindPrivate, CompanyName: name,
		Address: "1 rue de la Paix", City: "Paris", PostalCode: "75002", Country: "FR"}
	if c, ok := s.registry.company(id); ok {
		d.Address, d.Complement1, d.City, d.PostalCode = c.Number+" "+c.StreetType+" "+c.Street, c.Complement, c.City, c.PostalCode
		d.NonDiffusible = !c.Diffusible
	}
	hash := s.accounts.pw.hash(password)
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var manager int64
		var stored string
		switch err := tx.QueryRowContext(ctx, `SELECT id, password_hash FROM account WHERE email = ?`, email).Scan(&manager, &stored); {
		case errors.Is(err, sql.ErrNoRows):
			if err := tx.QueryRowContext(ctx, `INSERT INTO account (email, first_name, last_name, contact_email, password_hash, active, created_at)
				VALUES (?, 'gestionnaire', 'Seed', ?, ?, 1, ?) RETURNING id`, email, email, hash, s.cfg.Now().UnixMilli()).Scan(&manager); err != nil {
				return err
			}
			set = true
		case err != nil:
			return err
		case password != ManagerPassword(id) && checkPassword(stored, ManagerPassword(id)):
			if _, err := tx.ExecContext(ctx, `UPDATE account SET password_hash = ? WHERE id = ?`, hash, manager); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM session WHERE account_id = ?`, manager); err != nil {
				return err
			}
			set = true
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM structure WHERE identifier_type = 'SIRET' AND identifier = ?`, id).Scan(&exists); err != nil || exists > 0 {
			return err
		}
		_, err := s.structures.insert(s.seedCall(ctx, tx), d, manager)
		return err
	})
	return set, err
}

// DeactivateAccount makes an account inactive, as the portal does to an
// account left unused: it keeps its password, and signing in with it
// answers auth.not_active. For seeding a team portal and for tests.
func (s *Server) DeactivateAccount(ctx context.Context, email string) error {
	e, err := validate.Email(email)
	if err != nil {
		return fmt.Errorf("deactivate account: %s: %w", email, err)
	}
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
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

// Word lists SyntheticCompanies draws from: names and addresses that read
// like French ones, so that screens and benchmarks look like real work.
var (
	synthTrades  = []string{"BOULANGERIE", "GARAGE", "CABINET", "ATELIER", "PHARMACIE", "SARL", "SAS", "TRANSPORTS", "MENUISERIE", "CONSEIL"}
	synthNames   = []string{"MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU", "SIMON", "LAURENT"}
	synthStreets = []string{"DE LA REPUBLIQUE", "VICTOR HUGO", "JEAN JAURES", "DU GENERAL DE GAULLE", "PASTEUR", "DES ECOLES", "DE LA GARE", "DU MOULIN"}
	synthTypes   = []string{"RUE", "AVENUE", "BOULEVARD", "PLACE", "IMPASSE", "CHEMIN"}
	synthNAF     = []string{"10.71C", "45.20A", "69.20Z", "47.73Z", "16.23Z", "70.22Z", "49.41A", "43.32A", "62.01Z", "56.10A"}
	synthCities  = []struct{ postal, city, commune string }{
		{"75011", "PARIS", "75111"}, {"69003", "LYON", "69383"}, {"13001", "MARSEILLE", "13201"}, {"31000", "TOULOUSE", "31555"},
		{"44000", "NANTES", "44109"}, {"67000", "STRASBOURG", "67482"}, {"33000", "BORDEAUX", "33063"}, {"59000", "LILLE", "59350"},
		{"35000", "RENNES", "35238"}, {"34000", "MONTPELLIER", "34172"}, {"97400", "SAINT-DENIS", "97411"}, {"20000", "AJACCIO", "2A004"},
	}
)

// SyntheticCompanies returns a registry entry for each SIRET, the same
// for the same SIRET at every call: a team portal's demonstration data, or
// a test's or benchmark's thousands (Config.Companies). One in twenty is
// non-diffusible, one in fifty closed.
func SyntheticCompanies(sirets []string) []Company {
	out := make([]Company, 0, len(sirets))
	for _, s := range sirets {
		h := fnv.New64a()
		h.Write([]byte(s))
		n := h.Sum64()
		pick := func(k int) int { v := int(n % uint64(k)); n /= uint64(k); return v }
		c := synthCities[pick(len(synthCities))]
		out = append(out, Company{
			SIRET: s, Name: synthTrades[pick(len(synthTrades))] + " " + synthNames[pick(len(synthNames))],
			Number: strconv.Itoa(1 + pick(120)), StreetType: synthTypes[pick(len(synthTypes))], Street: synthStreets[pick(len(synthStreets))],
			PostalCode: c.postal, City: c.city, Commune: c.commune,
			Diffusible: pick(20) != 0, Closed: pick(50) == 0, Activity: synthNAF[pick(len(synthNAF))],
			Category: synthCategory(pick(20)),
		})
	}
	return out
}

// synthCategory gives one company in twenty the category GE, two ETI,
// the rest PME: more large ones than France has, so that a demonstration
// shows every obligation.
func synthCategory(n int) string {
	switch {
	case n == 0:
		return "GE"
	case n <= 2:
		return "ETI"
	}
	return "PME"
}

// MaxCompanies bounds a registry file: a team portal's clients, not a copy
// of INSEE's database.
const MaxCompanies = 1_000_000

// ReadCompanies reads registry entries from a CSV file in onboardctl
// import's format (identifier, company name, address, complement, city,
// postal code, non-diffusible; French or English headers): the companies
// a team portal's registry should know. Rows without a valid SIRET are
// refused with their line.
func ReadCompanies(r io.Reader) ([]Company, error) {
	rd, err := csvio.NewReader(r)
	if err != nil {
		return nil, err
	}
	var out []Company
	for {
		row, err := rd.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		d := row.Draft
		siret, err := validate.SIRET(d.Identifier)
		if err != nil || d.IdentifierType != core.IDSIRET {
			return nil, fmt.Errorf("line %d: %q is not a valid SIRET", row.Line, d.Identifier)
		}
		if len(out) == MaxCompanies {
			return nil, fmt.Errorf("line %d: more than %d companies", row.Line, MaxCompanies)
		}
		out = append(out, Company{SIRET: siret, Name: strings.ToUpper(d.CompanyName), Street: strings.ToUpper(d.Address),
			Complement: strings.ToUpper(d.Complement1), PostalCode: d.PostalCode, City: strings.ToUpper(d.City),
			Diffusible: !d.NonDiffusible})
	}
}
