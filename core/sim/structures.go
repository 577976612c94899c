package sim

import (
	"database/sql"
	"errors"
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

// create creates a structure whose principal manager is the caller, or
// answers 409 with the id of the one that has its identifier. A firm
// sends thousands at once (the team portal), so the usual case is two
// statements: the insert, which says by its RETURNING whether the
// identifier was free and what the table filled in, and the manager's
// row; the answer is built from them, as a search by the caller would
// read it back (TestCreateAnswersAsSearchReads).
func (sa *structuresAPI) create(c *call) (int, any, error) {
	var body api.StructureBody
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	canon, problems := validate.Structure(core.StructureDraft(body))
	if problems.HasErrors() {
		return 0, nil, invalid(problems.Errors()...)
	}
	st, err := sa.insert(c, canon, c.account)
	if errors.Is(err, errIdentifierTaken) {
		var existing int64
		if err := c.tx.QueryRowContext(c.r.Context(), `SELECT id FROM structure WHERE identifier_type = ? AND identifier = ?`,
			string(canon.IdentifierType), canon.Identifier).Scan(&existing); err != nil {
			return 0, nil, err
		}
		return 0, nil, &httpError{status: http.StatusConflict,
			body: api.StructureExists{Error: apiErr(api.CodeStructureExists), StructureID: existing}}
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, st, nil
}

// errIdentifierTaken: another structure has the identifier.
var errIdentifierTaken = errors.New("identifier taken")

// insert creates a structure whose principal manager is manager and
// returns it as its manager sees it, or errIdentifierTaken.
func (sa *structuresAPI) insert(c *call, d core.StructureDraft, manager int64) (*api.Structure, error) {
	ctx := c.r.Context()
	st := api.Structure{Draft: api.StructureBody(d), IsManager: true, NonDiffusible: d.NonDiffusible}
	err := c.tx.QueryRowContext(ctx, `INSERT INTO structure (identifier_type, identifier, kind, company_name, structure_name,
		email, phone, address, address_complement_1, address_complement_2, city, postal_code, country, non_diffusible, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (identifier_type, identifier) DO NOTHING
		RETURNING id, country, status`,
		string(d.IdentifierType), d.Identifier, string(d.Kind), d.CompanyName, d.StructureName, d.Email, d.Phone, d.Address,
		d.Complement1, d.Complement2, d.City, d.PostalCode, d.EffectiveCountry(), d.NonDiffusible, c.now.UnixMilli()).
		Scan(&st.ID, &st.Draft.Country, &st.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errIdentifierTaken
	}
	if err != nil {
		return nil, err
	}
	_, err = c.tx.ExecContext(ctx, `INSERT INTO manager (structure_id, account_id) VALUES (?, ?)`, st.ID, manager)
	return &st, err
}

// modify changes a structure's information (the principal, and the users
// who may modify it), checked by the same rule as its creation. Its
// identifier is what the structure is: it is never changed.
func (sa *structuresAPI) modify(c *call) (int, any, error) {
	id, m, err := structureOf(c)
	if err != nil {
		return 0, nil, err
	}
	if !m.mayModify() {
		return 0, nil, fail(http.StatusForbidden, api.CodeModifyRight)
	}
	var body api.StructureBody
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	canon, problems := validate.Structure(core.StructureDraft(body))
	if problems.HasErrors() {
		return 0, nil, invalid(problems.Errors()...)
	}
	res, err := c.tx.ExecContext(c.r.Context(), `UPDATE structure SET kind = ?, company_name = ?, structure_name = ?, email = ?, phone = ?,
		address = ?, address_complement_1 = ?, address_complement_2 = ?, city = ?, postal_code = ?, country = ?, non_diffusible = ?
		WHERE id = ? AND identifier_type = ? AND identifier = ?`,
		string(canon.Kind), canon.CompanyName, canon.StructureName, canon.Email, canon.Phone, canon.Address, canon.Complement1,
		canon.Complement2, canon.City, canon.PostalCode, canon.EffectiveCountry(), canon.NonDiffusible, id,
		string(canon.IdentifierType), canon.Identifier)
	if err != nil {
		return 0, nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, nil, invalid(core.Problem{Field: core.FieldIdentifier, Code: api.CodeIdentifierFixed, Severity: core.Error})
	}
	st, err := scanStruct(c.tx.QueryRowContext(c.r.Context(), `SELECT `+structCols+` FROM structure s WHERE s.id = ?`, id))
	st.IsManager = m.role == api.RolePrincipal
	st.Attachment = map[bool]string{true: api.AttachmentApproved}[m.role == api.RoleUser]
	return http.StatusOK, st, err
}
