package onboarding

import (
	"context"

	"github.com/chorusonboard/chorus-onboard/core/api"
)

// People is the people of the structures the signed-in user is one of the
// people of, as the portal runs them today: the principal manager adjusts
// each user's rights (may approve attachment requests, may modify the
// structure), detaches users, hands the role over to a user who accepts
// it, invites people and withdraws invitations; a user sees their rights,
// answers an offer of the role, and leaves. The portal checks the user's
// place on every action; this service only carries it, with an
// idempotency key for each action that must not run twice.
type People struct {
	conn    *Connection
	newOpID func() string
}

// NewPeople returns the service, on the portal of conn.
func NewPeople(conn *Connection, newOpID func() string) *People {
	return &People{conn: conn, newOpID: newOpID}
}

// Managed lists the user's structures with their role and rights there,
// and how many may approve requests: the workspace marks those where
// only the user can.
func (s *People) Managed(ctx context.Context) ([]api.Managed, error) {
	p, err := s.conn.people()
	if err != nil {
		return nil, err
	}
	return p.Managed(ctx)
}

// Members lists a structure's people, with their rights and the offer of
// the role, if one is made.
func (s *People) Members(ctx context.Context, structure int64) ([]api.Member, error) {
	p, err := s.conn.people()
	if err != nil {
		return nil, err
	}
	return p.Members(ctx, structure)
}

// SetRights sets a user's rights (the principal) and returns the people
// after it.
func (s *People) SetRights(ctx context.Context, structure, account int64, r api.Rights) ([]api.Member, error) {
	p, err := s.conn.people()
	if err != nil {
		return nil, err
	}
	return p.SetRights(ctx, structure, account, r)
}

// Detach detaches a user (the principal) and returns the people after it.
func (s *People) Detach(ctx context.Context, structure, account int64) ([]api.Member, error) {
	p, err := s.conn.people()
	if err != nil {
		return nil, err
	}
	return p.Detach(ctx, s.newOpID(), structure, account)
}

// Leave detaches the user from a structure.
func (s *People) Leave(ctx context.Context, structure int64) error {
	p, err := s.conn.people()
	if err != nil {
		return err
	}
	return p.Leave(ctx, s.newOpID(), structure)
}

// OfferHandover offers the principal role to a user (the principal); it
// is theirs once they accept.
func (s *People) OfferHandover(ctx context.Context, structure, account int64) ([]api.Member, error) {
	p, err := s.conn.people()
	if err != nil {
		return nil, err
	}
	return p.OfferHandover(ctx, s.newOpID(), structure, account)
}

// WithdrawHandover withdraws the offer of the role.
func (s *People) WithdrawHandover(ctx context.Context, structure int64) ([]api.Member, error) {
	p, err := s.conn.people()
	if err != nil {
		return nil, err
	}
	return p.WithdrawHandover(ctx, structure)
}

// Handovers lists the offers of the principal role made to the user.
func (s *People) Handovers(ctx context.Context) ([]api.Handover, error) {
	p, err := s.conn.people()
	if err != nil {
		return nil, err
	}
	return p.Handovers(ctx)
}

// AnswerHandover accepts or declines an offer of the principal role.
func (s *People) AnswerHandover(ctx context.Context, structure int64, accept bool) error {
	p, err := s.conn.people()
	if err != nil {
		return err
	}
	return p.AnswerHandover(ctx, s.newOpID(), structure, accept)
}

// Invite invites a person by e-mail to a structure.
func (s *People) Invite(ctx context.Context, structure int64, email string) error {
	p, err := s.conn.people()
	if err != nil {
		return err
	}
	return p.Invite(ctx, s.newOpID(), structure, email)
}

// Invitations lists the invitations waiting on a structure (the
// principal).
func (s *People) Invitations(ctx context.Context, structure int64) ([]api.PendingInvitation, error) {
	p, err := s.conn.people()
	if err != nil {
		return nil, err
	}
	return p.Invitations(ctx, structure)
}

// WithdrawInvitation withdraws an invitation and returns those waiting.
func (s *People) WithdrawInvitation(ctx context.Context, structure int64, email string) ([]api.PendingInvitation, error) {
	p, err := s.conn.people()
	if err != nil {
		return nil, err
	}
	return p.WithdrawInvitation(ctx, structure, email)
}
