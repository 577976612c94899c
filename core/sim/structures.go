package sim

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// structuresAPI serves the structures' side of the onboarding API:
// search, creation, attachment requests and their approval.
type structuresAPI struct {
	mail *mailer
}

const structCols = `s.id, s.identifier_type, s.identifier, s.kind, s.company_name, s.structure_name, s.email, s.phone,
	s.address, s.address_complement_1, s.address_complement_2, s.city, s.postal_code, s.country, s.non_diffusible, s.status`

func scanStruct(row interface{ Scan(...any) error }) (api.Structure, error) {
	var st api.Structure
	d := &st.Draft
	var typ, kind string
	err := row.Scan(&st.ID, &typ, &d.Identifier, &kind, &d.CompanyName, &d.StructureName, &d.Email, &d.Phone, &d.Address,
		&d.Complement1, &d.Complement2, &d.City, &d.PostalCode, &d.Country, &d.NonDiffusible, &st.Status)
	d.IdentifierType, d.Kind = core.IdentifierType(typ), core.StructureKind(kind)
	st.NonDiffusible = d.NonDiffusible
	return st, err
}

// find returns the structure with this identifier as the caller
// sees it (their manager role and attachment request included).
func (sa *structuresAPI) find(c *call, t core.IdentifierType, identifier string) (*api.Structure, error) {
	st, err := scanStruct(c.tx.QueryRowContext(c.r.Context(), `SELECT `+structCols+` FROM structure s
		WHERE s.identifier_type = ? AND s.identifier = ?`, string(t), identifier))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var n int
	_ = c.tx.QueryRowContext(c.r.Context(), `SELECT count(*) FROM manager WHERE structure_id = ? AND account_id = ?`, st.ID, c.account).Scan(&n)
	st.IsManager = n > 0
	_ = c.tx.QueryRowContext(c.r.Context(), `SELECT status FROM attachment WHERE structure_id = ? AND account_id = ?`, st.ID, c.account).Scan(&st.Attachment)
	return &st, nil
}

func (sa *structuresAPI) search(c *call) (int, any, error) {
	q := c.r.URL.Query()
	t := core.IdentifierType(q.Get("identifier_type"))
	if t == "" {
		t = core.IDSIRET
	}
	id, err := validate.Identifier(t, q.Get("identifier"))
	if validate.Rejects(err) {
		return 0, nil, invalid(core.Problem{Field: core.FieldIdentifier, Code: validate.Code(err), Severity: core.Error})
	}
	st, err := sa.find(c, t, id)
	if err != nil {
		return 0, nil, err
	}
	if st != nil && st.NonDiffusible && !st.IsManager {
		// INSEE does not publish this company's address: only its
		// managers read it here, as PISTE's consulter and the registry
		// mask it too.
		d := &st.Draft
		d.Address, d.Complement1, d.Complement2, d.City, d.PostalCode, d.Phone, d.Email = "", "", "", "", "", "", ""
	}
	return http.StatusOK, api.SearchResult{Found: st != nil, Structure: st}, nil
}

func (sa *structuresAPI) create(c *call) (int, any, error) {
	var body api.StructureBody
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	canon, problems := validate.Structure(core.StructureDraft(body))
	if problems.HasErrors() {
		return 0, nil, invalid(problems.Errors()...)
	}
	existing, err := sa.find(c, canon.IdentifierType, canon.Identifier)
	if err != nil {
		return 0, nil, err
	}
	if existing != nil {
		return 0, nil, &httpError{status: http.StatusConflict,
			body: api.StructureExists{Error: apiErr(api.CodeStructureExists), StructureID: existing.ID}}
	}
	id, err := sa.insert(c, canon, c.account)
	if err != nil {
		return 0, nil, err
	}
	st, err := sa.find(c, canon.IdentifierType, canon.Identifier)
	if err != nil || st == nil {
		return 0, nil, fmt.Errorf("structure %d vanished: %v", id, err)
	}
	return http.StatusCreated, st, nil
}

// insert creates a structure whose principal manager is manager.
func (sa *structuresAPI) insert(c *call, d core.StructureDraft, manager int64) (int64, error) {
	ctx := c.r.Context()
	res, err := c.tx.ExecContext(ctx, `INSERT INTO structure (identifier_type, identifier, kind, company_name, structure_name,
		email, phone, address, address_complement_1, address_complement_2, city, postal_code, country, non_diffusible, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(d.IdentifierType), d.Identifier, string(d.Kind), d.CompanyName, d.StructureName, d.Email, d.Phone, d.Address,
		d.Complement1, d.Complement2, d.City, d.PostalCode, d.EffectiveCountry(), d.NonDiffusible, c.now.UnixMilli())
	if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	_, err = c.tx.ExecContext(ctx, `INSERT INTO manager (structure_id, account_id) VALUES (?, ?)`, id, manager)
	return id, err
}
