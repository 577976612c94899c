package sim

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// The attachment queries, each a fixed statement: no SQL is built at run
// time.
const (
	selectAttachments = `SELECT t.id, t.structure_id, s.identifier_type, s.identifier, s.company_name, a.email,
	a.first_name || ' ' || a.last_name, t.status, t.created_at, t.decided_at
	FROM attachment t JOIN structure s ON s.id = t.structure_id JOIN account a ON a.id = t.account_id `
	// attachmentsOfAccount lists a requester's requests.
	attachmentsOfAccount = selectAttachments + `WHERE t.account_id = ? ORDER BY t.id`
	// attachmentsWaitingFor lists the pending requests the caller
	// decides on: as principal, or as a user who may approve.
	attachmentsWaitingFor = selectAttachments + `WHERE t.status = 'EN_COURS_DE_VALIDATION'
	AND (t.structure_id IN (SELECT structure_id FROM manager WHERE account_id = ?)
		OR t.structure_id IN (SELECT structure_id FROM attachment WHERE account_id = ? AND status = 'VALIDEE' AND may_approve = 1))
	ORDER BY t.id LIMIT 10000`
	// attachmentByID reads one request.
	attachmentByID = selectAttachments + `WHERE t.id = ? ORDER BY t.id`
	// attachmentOf reads an account's request on a structure.
	attachmentOf = selectAttachments + `WHERE t.structure_id = ? AND t.account_id = ? ORDER BY t.id`
)

// AskAgainAfter is how long after a refusal the requester may ask again:
// long enough that a manager is not pestered, short enough that a company
// refused by whoever created its structure first is not locked out.
const AskAgainAfter = 7 * 24 * time.Hour

func scanAttachment(row interface{ Scan(...any) error }) (api.Attachment, error) {
	var at api.Attachment
	var typ string
	var decided int64
	err := row.Scan(&at.ID, &at.StructureID, &typ, &at.Identifier, &at.CompanyName, &at.Requester, &at.RequesterName, &at.Status, &at.Created, &decided)
	at.IdentifierType = core.IdentifierType(typ)
	at.Created /= 1000
	if at.Status == api.AttachmentRefused {
		at.AskAgainAt = time.UnixMilli(decided).Add(AskAgainAfter).Unix()
	}
	return at, err
}

// attachments runs one of the attachment queries.
func (sa *structuresAPI) attachments(c *call, query string, args ...any) ([]api.Attachment, error) {
	rows, err := c.tx.QueryContext(c.r.Context(), query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.Attachment{}
	for rows.Next() {
		at, err := scanAttachment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, at)
	}
	return out, rows.Err()
}

func (sa *structuresAPI) requestAttachment(c *call) (int, any, error) {
	var req api.AttachmentRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	id, err := validate.Identifier(req.IdentifierType, req.Identifier)
	if validate.Rejects(err) {
		return 0, nil, invalid(core.Problem{Field: core.FieldIdentifier, Code: validate.Code(err), Severity: core.Error})
	}
	st, err := sa.find(c, req.IdentifierType, id)
	if err != nil {
		return 0, nil, err
	}
	if st == nil {
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	status := http.StatusOK
	switch st.Attachment {
	case "":
		initial := api.AttachmentPending
		inv, err := invited(c, st.ID)
		if err != nil {
			return 0, nil, err
		}
		if st.IsManager || inv {
			// A manager is attached already; an invited person was
			// approved in advance by a manager.
			initial = api.AttachmentApproved
		}
		if _, err := c.tx.ExecContext(c.r.Context(), `INSERT INTO attachment (structure_id, account_id, status, created_at)
			VALUES (?, ?, ?, ?)`, st.ID, c.account, initial, c.now.UnixMilli()); err != nil {
			return 0, nil, err
		}
		status = http.StatusCreated
		if initial == api.AttachmentPending {
			if err := sa.mailManagers(c, st); err != nil {
				return 0, nil, err
			}
		}
	case api.AttachmentRefused:
		// Asked again once AskAgainAfter has passed: the request waits
		// for a manager anew (who may be another by then: the portal's
		// operator hands a squatted structure to its company). Before,
		// the refusal is the answer, with when to ask again.
		res, err := c.tx.ExecContext(c.r.Context(), `UPDATE attachment SET status = ?, created_at = ?, decided_at = 0
			WHERE structure_id = ? AND account_id = ? AND status = ? AND decided_at <= ?`,
			api.AttachmentPending, c.now.UnixMilli(), st.ID, c.account, api.AttachmentRefused, c.now.Add(-AskAgainAfter).UnixMilli())
		if err != nil {
			return 0, nil, err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			status = http.StatusCreated
			if err := sa.mailManagers(c, st); err != nil {
				return 0, nil, err
			}
		}
	}
	list, err := sa.attachments(c, attachmentOf, st.ID, c.account)
	if err != nil || len(list) != 1 {
		return 0, nil, fmt.Errorf("attachment lookup: %v", err)
	}
	return status, list[0], nil
}

func (sa *structuresAPI) mailManagers(c *call, st *api.Structure) error {
	rows, err := c.tx.QueryContext(c.r.Context(), `SELECT a.email FROM manager m JOIN account a ON a.id = m.account_id
		WHERE m.structure_id = ? AND m.account_id <> ? AND m.role = 'GESTIONNAIRE_PRINCIPAL'`, st.ID, c.account)
	if err != nil {
		return err
	}
	var to []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err == nil {
			to = append(to, e)
		}
	}
	rows.Close()
	for _, e := range to {
		if err := sa.mail.send(c, e, "nouvelle demande de rattachement / new attachment request",
			fmt.Sprintf("Une demande de rattachement à la structure %s %s attend votre validation.\n\n"+
				"An attachment request to structure %s %s is waiting for your approval.\n",
				st.Draft.Identifier, st.Draft.CompanyName, st.Draft.Identifier, st.Draft.CompanyName), "", ""); err != nil {
			return err
		}
	}
	return nil
}

func (sa *structuresAPI) myAttachments(c *call) (int, any, error) {
	list, err := sa.attachments(c, attachmentsOfAccount, c.account)
	return http.StatusOK, list, err
}

func (sa *structuresAPI) pendingAttachments(c *call) (int, any, error) {
	list, err := sa.attachments(c, attachmentsWaitingFor, c.account, c.account)
	return http.StatusOK, list, err
}

func (sa *structuresAPI) decideAttachment(c *call) (int, any, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	decision := map[string]string{"approve": api.AttachmentApproved, "refuse": api.AttachmentRefused}[c.r.PathValue("decision")]
	if err != nil || decision == "" {
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	list, err := sa.attachments(c, attachmentByID, id)
	if err != nil {
		return 0, nil, err
	}
	if len(list) == 0 {
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	at := list[0]
	// The principal decides, and the users it gave the right to.
	// Someone who is none of the structure's people is answered as for
	// an id that does not exist, so ids cannot be probed; one of them
	// learns which right they lack.
	if m, err := memberOf(c, at.StructureID, c.account); err != nil {
		return 0, nil, err
	} else if m.role == "" {
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	} else if !m.mayApprove() {
		return 0, nil, fail(http.StatusForbidden, api.CodeApproveRight)
	}
	if at.Status != api.AttachmentPending {
		return http.StatusOK, at, nil // decided already: deciding again changes nothing
	}
	if _, err := c.tx.ExecContext(c.r.Context(), `UPDATE attachment SET status = ?, decided_at = ? WHERE id = ?`, decision, c.now.UnixMilli(), id); err != nil {
		return 0, nil, err
	}
	at.Status = decision
	fr, en := "validée", "approved"
	if decision == api.AttachmentRefused {
		fr, en = "refusée", "refused"
	}
	err = sa.mail.send(c, at.Requester, "demande de rattachement "+fr+" / attachment request "+en,
		fmt.Sprintf("Votre demande de rattachement à la structure %s %s a été %s.\n\n"+
			"Your request to be connected to structure %s %s was %s.\n",
			at.Identifier, at.CompanyName, fr, at.Identifier, at.CompanyName, en), "", "")
	return http.StatusOK, at, err
}
