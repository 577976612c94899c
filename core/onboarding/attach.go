package onboarding

import (
	"context"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// Attachments is the requests to be connected to a structure and the
// managers' decisions on them.
type Attachments struct {
	conn    *Connection
	newOpID func() string
}

// NewAttachments returns the service, on the portal of conn.
func NewAttachments(conn *Connection, newOpID func() string) *Attachments {
	return &Attachments{conn: conn, newOpID: newOpID}
}

// SearchStructure looks a structure up on the portal by identifier, as the
// signed-in user sees it (their manager role and request included). The
// identifier is validated first: KindInvalid with its code when it is not
// one.
func (s *Attachments) SearchStructure(ctx context.Context, t core.IdentifierType, identifier string) (api.SearchResult, error) {
	id, err := validate.Identifier(t, identifier)
	if validate.Rejects(err) {
		return api.SearchResult{}, err
	}
	p, err := s.conn.portal()
	if err != nil {
		return api.SearchResult{}, err
	}
	return p.SearchStructure(ctx, t, id)
}

// RequestAttachment asks to be connected to an existing structure; asking
// again returns the same request.
func (s *Attachments) RequestAttachment(ctx context.Context, t core.IdentifierType, identifier string) (api.Attachment, error) {
	p, err := s.conn.portal()
	if err != nil {
		return api.Attachment{}, err
	}
	return p.RequestAttachment(ctx, s.newOpID(), t, identifier)
}

// AttachmentLists are the signed-in user's requests and, for a manager,
// the requests waiting for their decision.
type AttachmentLists struct {
	Mine, Waiting []api.Attachment
}

// Lists lists both.
func (s *Attachments) Lists(ctx context.Context) (AttachmentLists, error) {
	p, err := s.conn.portal()
	if err != nil {
		return AttachmentLists{}, err
	}
	mine, err := p.MyAttachments(ctx)
	if err != nil {
		return AttachmentLists{}, err
	}
	waiting, err := p.PendingAttachments(ctx)
	return AttachmentLists{Mine: mine, Waiting: waiting}, err
}

// DecideAttachment approves or refuses a request (the structure's managers
// only: KindForbidden otherwise).
func (s *Attachments) DecideAttachment(ctx context.Context, id int64, approve bool) (api.Attachment, error) {
	p, err := s.conn.portal()
	if err != nil {
		return api.Attachment{}, err
	}
	return p.DecideAttachment(ctx, s.newOpID(), id, approve)
}

// DecideAttachments approves or refuses several requests, one call each
// with its own idempotency key, so that a request decided twice (a retry,
// two managers) stays decided once. A request the portal refuses to decide
// (already decided, not this manager's) is said and the others go on; the
// portal out of reach stops the action, the requests decided before
// staying decided.
func (s *Attachments) DecideAttachments(ctx context.Context, reqs []api.Attachment, approve bool, progress ProgressFunc) (BulkResult, error) {
	res := BulkResult{Total: len(reqs)}
	p, err := s.conn.portal()
	if err != nil {
		return res, err
	}
	want := api.AttachmentRefused
	if approve {
		want = api.AttachmentApproved
	}
	for i, a := range reqs {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		got, err := p.DecideAttachment(ctx, s.newOpID(), a.ID, approve)
		label := Label(core.StructureDraft{IdentifierType: a.IdentifierType, Identifier: a.Identifier, CompanyName: a.CompanyName})
		switch {
		case err == nil && got.Status == want:
			res.Done++
		case err == nil:
			// Decided the other way before (another manager, another
			// window): the portal keeps the first decision.
			res.add(RowNote{ID: a.ID, Label: label, Reason: SkipDecided, Params: map[string]string{"status": got.Status}})
		case core.KindOf(err) == core.KindUnavailable || isCancel(err):
			return res, err
		default:
			res.add(RowNote{ID: a.ID, Label: label, Reason: SkipNoDecision, Code: core.CodeOf(err), Params: paramsOf(err)})
		}
		if progress != nil {
			progress(i+1, len(reqs))
		}
	}
	return res, nil
}
