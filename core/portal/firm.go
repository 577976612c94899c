package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core/api"
)

// Firm is the client of a firm's shared workspace (core/firm), on the
// firm's server, signed in as the Onboarding client it comes from.
type Firm struct {
	*transport
}

// Firm returns the client of the firm's workspace on o's server, on o's
// session.
func (o *Onboarding) Firm() *Firm { return &Firm{o.transport} }

// Stale is a write refused because it started from an older revision, or
// a client the firm has already: Current is the firm's version.
type Stale struct {
	Err     error
	Current api.FirmClient
}

func (e *Stale) Error() string { return e.Err.Error() }

// FirmCurrent returns the firm's version the refusal carries.
func (e *Stale) FirmCurrent() api.FirmClient { return e.Current }
func (e *Stale) Unwrap() error               { return e.Err }

// StaleOf returns the firm's version a refused write carries, if any.
func StaleOf(err error) (*Stale, bool) {
	var s *Stale
	ok := errors.As(err, &s)
	return s, ok
}

// stale turns a 409 carrying the current version into a *Stale.
func stale(err error) error {
	var rb *refusedBody
	if !errors.As(err, &rb) {
		return err
	}
	var body api.FirmStale
	if json.Unmarshal(rb.body, &body) != nil || body.Current.ID == 0 {
		return err
	}
	return &Stale{Err: err, Current: body.Current}
}

// Get returns the caller's firm and role.
func (f *Firm) Get(ctx context.Context) (api.Firm, error) {
	var out api.Firm
	return out, f.do(ctx, http.MethodGet, api.PathFirm, "", nil, &out)
}

// Join accepts the firm's invitation of the caller's address.
func (f *Firm) Join(ctx context.Context, key string) (api.Firm, error) {
	var out api.Firm
	return out, f.do(ctx, http.MethodPost, api.PathFirmJoin, key, nil, &out)
}

// Leave takes the caller out of their firm.
func (f *Firm) Leave(ctx context.Context, key string) error {
	return f.do(ctx, http.MethodPost, api.PathFirmLeave, key, nil, nil)
}

// Members lists the firm's members.
func (f *Firm) Members(ctx context.Context) ([]api.FirmMember, error) {
	var out []api.FirmMember
	return out, f.do(ctx, http.MethodGet, api.PathFirmMembers, "", nil, &out)
}

// SetRole changes a member's role (the admin).
func (f *Firm) SetRole(ctx context.Context, account int64, role string) ([]api.FirmMember, error) {
	var out []api.FirmMember
	return out, f.do(ctx, http.MethodPut, strings.Replace(api.PathFirmMember, "{account}", fmt.Sprint(account), 1), "", api.FirmRole{Role: role}, &out)
}

// Remove removes a member (the admin).
func (f *Firm) Remove(ctx context.Context, account int64) ([]api.FirmMember, error) {
	var out []api.FirmMember
	return out, f.do(ctx, http.MethodDelete, strings.Replace(api.PathFirmMember, "{account}", fmt.Sprint(account), 1), "", nil, &out)
}

// Invite invites an address with a role (the admin).
func (f *Firm) Invite(ctx context.Context, key, email, role string) error {
	return f.do(ctx, http.MethodPost, api.PathFirmInvitations, key, api.FirmInvitation{Email: email, Role: role}, nil)
}

// Invitations lists the invitations waiting (the admin).
func (f *Firm) Invitations(ctx context.Context) ([]api.FirmInvitation, error) {
	var out []api.FirmInvitation
	return out, f.do(ctx, http.MethodGet, api.PathFirmInvitations, "", nil, &out)
}

// WithdrawInvitation withdraws an invitation (the admin).
func (f *Firm) WithdrawInvitation(ctx context.Context, email string) ([]api.FirmInvitation, error) {
	var out []api.FirmInvitation
	return out, f.do(ctx, http.MethodDelete, strings.Replace(api.PathFirmInvitation, "{email}", url.PathEscape(email), 1), "", nil, &out)
}

// Feed reads the changes after cursor, at most limit, waiting up to wait
// seconds for one when there is none.
func (f *Firm) Feed(ctx context.Context, cursor int64, limit, wait int) (api.FeedPage, error) {
	q := url.Values{"cursor": {strconv.FormatInt(cursor, 10)}, "limit": {strconv.Itoa(limit)}, "wait": {strconv.Itoa(wait)}}
	var out api.FeedPage
	return out, f.do(ctx, http.MethodGet, api.PathFirmFeed+"?"+q.Encode(), "", nil, &out)
}

// Create adds a client; one the firm has already comes back as *Stale.
func (f *Firm) Create(ctx context.Context, key string, w api.FirmWrite) (api.FirmClient, error) {
	var out api.FirmClient
	err := f.do(ctx, http.MethodPost, api.PathFirmClients, key, w, &out)
	return out, stale(err)
}

// Update changes a client from w.BaseRevision; a newer one comes back as
// *Stale.
func (f *Firm) Update(ctx context.Context, key string, id int64, w api.FirmWrite) (api.FirmClient, error) {
	var out api.FirmClient
	err := f.do(ctx, http.MethodPut, strings.Replace(api.PathFirmClient, "{id}", fmt.Sprint(id), 1), key, w, &out)
	return out, stale(err)
}

// Delete deletes a client at revision.
func (f *Firm) Delete(ctx context.Context, key string, id, revision int64) (api.FirmClient, error) {
	var out api.FirmClient
	p := strings.Replace(api.PathFirmClient, "{id}", fmt.Sprint(id), 1) + "?revision=" + strconv.FormatInt(revision, 10)
	err := f.do(ctx, http.MethodDelete, p, key, nil, &out)
	return out, stale(err)
}

// Deleted lists the firm's deleted clients, the most recently deleted
// first, before a position (0: from the newest).
func (f *Firm) Deleted(ctx context.Context, before int64, limit int) ([]api.FirmDeleted, error) {
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	var out []api.FirmDeleted
	return out, f.do(ctx, http.MethodGet, api.PathFirmDeleted+"?"+q.Encode(), "", nil, &out)
}

// Restore brings a deleted client back (the admin).
func (f *Firm) Restore(ctx context.Context, key string, id int64) (api.FirmClient, error) {
	var out api.FirmClient
	return out, f.do(ctx, http.MethodPost, strings.Replace(api.PathFirmRestore, "{id}", fmt.Sprint(id), 1), key, nil, &out)
}

// Claim claims a client's submission to the portal; another member's
// claim comes back as *Stale naming them.
func (f *Firm) Claim(ctx context.Context, key string, id int64) (api.FirmClient, error) {
	var out api.FirmClient
	err := f.do(ctx, http.MethodPost, strings.Replace(api.PathFirmClaim, "{id}", fmt.Sprint(id), 1), key, nil, &out)
	return out, stale(err)
}

// Assign puts clients in a member's charge (the admin).
func (f *Firm) Assign(ctx context.Context, key string, clients []int64, account int64) error {
	return f.do(ctx, http.MethodPost, api.PathFirmAssign, key, api.FirmAssign{Clients: clients, Account: account}, nil)
}

// History returns a client's audit, newest first.
func (f *Firm) History(ctx context.Context, id int64) ([]api.FirmAuditEntry, error) {
	var out []api.FirmAuditEntry
	return out, f.do(ctx, http.MethodGet, strings.Replace(api.PathFirmHistory, "{id}", fmt.Sprint(id), 1), "", nil, &out)
}

// Audit pages the firm's audit after the entry after (the admin).
func (f *Firm) Audit(ctx context.Context, after int64, limit int) ([]api.FirmAuditEntry, error) {
	var out []api.FirmAuditEntry
	q := url.Values{"after": {strconv.FormatInt(after, 10)}, "limit": {strconv.Itoa(limit)}}
	return out, f.do(ctx, http.MethodGet, api.PathFirmAudit+"?"+q.Encode(), "", nil, &out)
}
