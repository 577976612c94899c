package portal

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core/api"
)

// People is the onboarding API's side of a structure's people: its
// principal manager and its users with their rights, the hand-over of the
// role, invitations. It shares the Onboarding client it comes from, and so
// its session.
type People struct {
	*transport
}

// People returns the client of the people of structures, signed in as o
// is.
func (o *Onboarding) People() *People { return &People{o.transport} }

// path fills a people path's {id}, {account}, {email}, {answer}.
func path(p string, structure int64, more ...string) string {
	args := []string{"{id}", fmt.Sprint(structure)}
	for i := 0; i+1 < len(more); i += 2 {
		args = append(args, more[i], more[i+1])
	}
	return strings.NewReplacer(args...).Replace(p)
}

// Managed lists the structures the signed-in account is one of the people
// of: its role and rights there, and how many may approve requests.
func (p *People) Managed(ctx context.Context) ([]api.Managed, error) {
	var m []api.Managed
	return m, p.do(ctx, http.MethodGet, api.PathManaged, "", nil, &m)
}

// Members lists a structure's people (any of them may).
func (p *People) Members(ctx context.Context, structure int64) ([]api.Member, error) {
	var m []api.Member
	return m, p.do(ctx, http.MethodGet, path(api.PathMembers, structure), "", nil, &m)
}

// SetRights sets a user's rights on a structure (the principal) and
// returns its people after it.
func (p *People) SetRights(ctx context.Context, structure, account int64, r api.Rights) ([]api.Member, error) {
	var m []api.Member
	return m, p.do(ctx, http.MethodPut, path(api.PathMemberRights, structure, "{account}", fmt.Sprint(account)), "", r, &m)
}

// Detach detaches a user from a structure (the principal) and returns its
// people after it.
func (p *People) Detach(ctx context.Context, key string, structure, account int64) ([]api.Member, error) {
	var m []api.Member
	return m, p.do(ctx, http.MethodPost, path(api.PathMember, structure, "{account}", fmt.Sprint(account), "{action}", api.MemberRemove), key, nil, &m)
}

// Leave detaches the signed-in user from a structure.
func (p *People) Leave(ctx context.Context, key string, structure int64) error {
	return p.do(ctx, http.MethodPost, path(api.PathLeave, structure), key, nil, nil)
}

// OfferHandover offers the principal role to a user (the principal), who
// accepts or declines it.
func (p *People) OfferHandover(ctx context.Context, key string, structure, account int64) ([]api.Member, error) {
	var m []api.Member
	return m, p.do(ctx, http.MethodPost, path(api.PathHandover, structure), key, api.HandoverOffer{AccountID: account}, &m)
}

// WithdrawHandover withdraws the principal's offer of the role.
func (p *People) WithdrawHandover(ctx context.Context, structure int64) ([]api.Member, error) {
	var m []api.Member
	return m, p.do(ctx, http.MethodDelete, path(api.PathHandover, structure), "", nil, &m)
}

// Handovers lists the offers of the principal role made to the signed-in
// account.
func (p *People) Handovers(ctx context.Context) ([]api.Handover, error) {
	var h []api.Handover
	return h, p.do(ctx, http.MethodGet, api.PathHandovers, "", nil, &h)
}

// AnswerHandover accepts or declines an offer of the principal role.
func (p *People) AnswerHandover(ctx context.Context, key string, structure int64, accept bool) error {
	answer := api.HandoverDecline
	if accept {
		answer = api.HandoverAccept
	}
	return p.do(ctx, http.MethodPost, path(api.PathHandoverAnswer, structure, "{answer}", answer), key, nil, nil)
}

// Invite invites a person by e-mail to a structure (the principal and the
// users who may approve): their request is approved when they file it.
func (p *People) Invite(ctx context.Context, key string, structure int64, email string) error {
	return p.do(ctx, http.MethodPost, path(api.PathInvitations, structure), key, api.Invitation{Email: email}, nil)
}

// Invitations lists the invitations waiting on a structure (the
// principal).
func (p *People) Invitations(ctx context.Context, structure int64) ([]api.PendingInvitation, error) {
	var inv []api.PendingInvitation
	return inv, p.do(ctx, http.MethodGet, path(api.PathInvitations, structure), "", nil, &inv)
}

// WithdrawInvitation withdraws an invitation (the principal) and returns
// those still waiting.
func (p *People) WithdrawInvitation(ctx context.Context, structure int64, email string) ([]api.PendingInvitation, error) {
	var inv []api.PendingInvitation
	return inv, p.do(ctx, http.MethodDelete, path(api.PathInvitation, structure, "{email}", url.PathEscape(email)), "", nil, &inv)
}
