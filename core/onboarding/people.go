package onboarding

import (
	"context"

	"github.com/chorusonboard/chorus-onboard/core/api"
)

// People is the people of the structures the signed-in user manages: who
// they are and their roles, promote, demote, remove, hand the principal
// role over, invite by e-mail. The portal checks the user's role on every
// action; this service only carries it, with an idempotency key each.
type People struct {
	conn    *Connection
	newOpID func() string
}

// NewPeople returns the service, on the portal of conn.
func NewPeople(conn *Connection, newOpID func() string) *People {
	return &People{conn: conn, newOpID: newOpID}
}

// Managed lists the structures the user manages, with how many managers
// each has: the workspace marks those only the user manages.
func (s *People) Managed(ctx context.Context) ([]api.Managed, error) {
	p, err := s.conn.portal()
	if err != nil {
		return nil, err
	}
	return p.Managed(ctx)
}

// Members lists a structure's people.
func (s *People) Members(ctx context.Context, structure int64) ([]api.Member, error) {
	p, err := s.conn.portal()
	if err != nil {
		return nil, err
	}
	return p.Members(ctx, structure)
}

// ChangeMember promotes, demotes, removes a member, or hands them the
// principal role (api.MemberPromote…), and returns the people after it.
func (s *People) ChangeMember(ctx context.Context, structure, account int64, action string) ([]api.Member, error) {
	p, err := s.conn.portal()
	if err != nil {
		return nil, err
	}
	return p.ChangeMember(ctx, s.newOpID(), structure, account, action)
}

// Invite invites a person by e-mail to a structure.
func (s *People) Invite(ctx context.Context, structure int64, email string) error {
	p, err := s.conn.portal()
	if err != nil {
		return err
	}
	return p.Invite(ctx, s.newOpID(), structure, email)
}
