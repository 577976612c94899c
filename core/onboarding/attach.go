package onboarding

import (
	"context"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// SearchStructure looks a structure up on the portal by identifier, as the
// signed-in user sees it (their manager role and request included). The
// identifier is validated first: KindInvalid with its code when it is not
// one.
func (s *Service) SearchStructure(ctx context.Context, t core.IdentifierType, identifier string) (api.SearchResult, error) {
	id, err := validate.Identifier(t, identifier)
	if validate.Rejects(err) {
		return api.SearchResult{}, err
	}
	p, err := s.portal()
	if err != nil {
		return api.SearchResult{}, err
	}
	return p.SearchStructure(ctx, t, id)
}

// RequestAttachment asks to be connected to an existing structure; asking
// again returns the same request.
func (s *Service) RequestAttachment(ctx context.Context, t core.IdentifierType, identifier string) (api.Attachment, error) {
	p, err := s.portal()
	if err != nil {
		return api.Attachment{}, err
	}
	return p.RequestAttachment(ctx, s.cfg.NewOpID(), t, identifier)
}

// Attachments are the signed-in user's requests and, for a manager, the
// requests waiting for their decision.
type Attachments struct {
	Mine, Waiting []api.Attachment
}

// Attachments lists both.
func (s *Service) Attachments(ctx context.Context) (Attachments, error) {
	p, err := s.portal()
	if err != nil {
		return Attachments{}, err
	}
	mine, err := p.MyAttachments(ctx)
	if err != nil {
		return Attachments{}, err
	}
	waiting, err := p.PendingAttachments(ctx)
	return Attachments{Mine: mine, Waiting: waiting}, err
}

// DecideAttachment approves or refuses a request (the structure's managers
// only: KindForbidden otherwise).
func (s *Service) DecideAttachment(ctx context.Context, id int64, approve bool) (api.Attachment, error) {
	p, err := s.portal()
	if err != nil {
		return api.Attachment{}, err
	}
	return p.DecideAttachment(ctx, s.cfg.NewOpID(), id, approve)
}
