package api

// The firm's shared workspace (core/firm serves it): an accounting firm's
// members, who are accounts of the portal, share one list of clients; each
// change gets a position in one total order, which desktops page (the
// feed). A write names the revision it starts from: on an older one it is
// refused with the current version, never applied over it.

// Paths of the firm's API.
const (
	// PathFirm is the caller's firm and role in it (GET).
	PathFirm = "/api/v1/firm"
	// PathFirmJoin: the caller accepts the firm's invitation of their
	// address (POST); PathFirmLeave: the caller leaves their firm (POST).
	PathFirmJoin  = "/api/v1/firm/join"
	PathFirmLeave = "/api/v1/firm/leave"
	// PathFirmMembers lists the members (GET, any member); PathFirmMember
	// changes one's role (PUT) or removes them (DELETE), the admin.
	PathFirmMembers = "/api/v1/firm/members"
	PathFirmMember  = "/api/v1/firm/members/{account}"
	// PathFirmInvitations invites an address (POST) and lists the
	// invitations (GET); PathFirmInvitation withdraws one (DELETE); the
	// admin.
	PathFirmInvitations = "/api/v1/firm/invitations"
	PathFirmInvitation  = "/api/v1/firm/invitations/{email}"
	// PathFirmFeed pages the changes after a cursor (GET ?cursor=&limit=
	// &wait= seconds to wait for one when there is none).
	PathFirmFeed = "/api/v1/firm/feed"
	// PathFirmClients creates a client (POST); PathFirmClient changes one
	// (PUT) or deletes it (DELETE ?revision=).
	PathFirmClients = "/api/v1/firm/clients"
	PathFirmClient  = "/api/v1/firm/clients/{id}"
	// PathFirmClaim claims a client's submission to the portal (POST):
	// the first member to claim sends it; the others are told who did.
	PathFirmClaim = "/api/v1/firm/clients/{id}/claim"
	// PathFirmHistory is a client's audit (GET); PathFirmRestore brings a
	// deleted client back (POST, the admin).
	PathFirmHistory = "/api/v1/firm/clients/{id}/history"
	PathFirmRestore = "/api/v1/firm/clients/{id}/restore"
	// PathFirmDeleted lists the deleted clients, the most recently deleted
	// first (GET ?before=&limit=, the admin): before is the position of
	// the last one of the previous page, absent for the first.
	PathFirmDeleted = "/api/v1/firm/deleted"
	// PathFirmAssign puts clients in someone's charge (POST, the admin).
	PathFirmAssign = "/api/v1/firm/assign"
	// PathFirmAudit pages the whole firm's audit (GET ?after=&limit=, the
	// admin), for its export.
	PathFirmAudit = "/api/v1/firm/audit"
)

// Roles in a firm.
const (
	// FirmAdmin runs the firm: members, roles, assignment, every client.
	FirmAdmin = "admin"
	// FirmEveryClient works on every client of the firm.
	FirmEveryClient = "member"
	// FirmAssigned works on the clients assigned to them only.
	FirmAssigned = "assigned"
)

// FirmRoles are the roles, in the order screens offer them.
var FirmRoles = []string{FirmAdmin, FirmEveryClient, FirmAssigned}

// MaxFeedPage is the most entries a feed page holds; MaxFeedWait the
// longest a feed request waits for a change, in seconds.
const (
	MaxFeedPage = 1000
	MaxFeedWait = 30
)

// Firm is the caller's firm.
type Firm struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Role      string `json:"role"` // the caller's
	AccountID int64  `json:"account_id"`
	Email     string `json:"email"`
}

// FirmMember is one member of a firm.
type FirmMember struct {
	AccountID int64  `json:"account_id"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	Role      string `json:"role"`
}

// FirmInvitation invites an address into the firm with a role; the person
// joins with the account of that address (PathFirmJoin).
type FirmInvitation struct {
	Email     string `json:"email"`
	Role      string `json:"role"`
	InvitedBy string `json:"invited_by,omitempty"`
	Expires   int64  `json:"expires,omitempty"` // Unix seconds
}

// FirmRole changes a member's role.
type FirmRole struct {
	Role string `json:"role"`
}

// FirmClient is one client of the firm, as last accepted.
type FirmClient struct {
	ID       int64 `json:"id"`
	Revision int64 `json:"revision"`
	// Fields are the client's fields by name (core.ClientFieldNames);
	// an absent field is empty.
	Fields map[string]string `json:"fields"`
	// InCharge is the member in charge (account id, 0 for none), with
	// their address.
	InCharge      int64  `json:"in_charge,omitempty"`
	InChargeEmail string `json:"in_charge_email,omitempty"`
	// ClaimedBy is the member who claimed its submission to the portal.
	ClaimedBy string `json:"claimed_by,omitempty"`
	// UpdatedBy, UpdatedAt (Unix milliseconds) and UpdatedFrom (the
	// computer's name) are the last accepted change's.
	UpdatedBy   string `json:"updated_by"`
	UpdatedAt   int64  `json:"updated_at"`
	UpdatedFrom string `json:"updated_from,omitempty"`
	Deleted     bool   `json:"deleted,omitempty"`
}

// FirmWrite is a change of a client: the revision it starts from (0 to
// create), the fields it changes (a field absent is unchanged; "" empties
// it), and the computer it comes from.
type FirmWrite struct {
	BaseRevision int64             `json:"base_revision"`
	Fields       map[string]string `json:"fields"`
	Device       string            `json:"device,omitempty"`
}

// FirmDeleted is a deleted client as the admin lists them to restore one:
// its last version (UpdatedBy and UpdatedAt say who deleted it, when),
// and its position, the next page's ?before=.
type FirmDeleted struct {
	Client   FirmClient `json:"client"`
	Position int64      `json:"position"`
}

// FirmStale is the body of a 409 to a write that starts from an older
// revision, or to the creation of a client the firm has: the current
// version, for the desktop to merge with.
type FirmStale struct {
	Error
	Current FirmClient `json:"current"`
}

// FeedEntry is one change of the feed: the client as it is now, or, for a
// client the reader no longer sees (deleted, or assigned to someone else
// where the reader sees only their own), Gone with its id.
type FeedEntry struct {
	Position int64       `json:"position"`
	Client   *FirmClient `json:"client,omitempty"`
	Gone     int64       `json:"gone,omitempty"`
}

// FeedPage is a page of the feed: the entries after the cursor asked,
// oldest first, and the cursor to ask next; More when more wait.
type FeedPage struct {
	Entries []FeedEntry `json:"entries"`
	Cursor  int64       `json:"cursor"`
	More    bool        `json:"more"`
}

// FirmAssign puts clients in the charge of a member (Account 0: nobody).
type FirmAssign struct {
	Clients []int64 `json:"clients"`
	Account int64   `json:"account"`
}

// FirmAuditEntry is one field of one accepted change, or one action
// (created, deleted, restored, assigned, claimed) with its field empty.
type FirmAuditEntry struct {
	ID       int64  `json:"id"`
	ClientID int64  `json:"client_id"`
	Revision int64  `json:"revision"`
	At       int64  `json:"at"` // Unix milliseconds
	By       string `json:"by"`
	Device   string `json:"device,omitempty"`
	Action   string `json:"action"`
	Field    string `json:"field,omitempty"`
	Old      string `json:"old,omitempty"`
	New      string `json:"new,omitempty"`
}

// Actions of the audit.
const (
	AuditCreated  = "created"
	AuditChanged  = "changed"
	AuditDeleted  = "deleted"
	AuditRestored = "restored"
	AuditAssigned = "assigned"
	AuditClaimed  = "claimed"
)

// Error codes of the firm's API.
const (
	// CodeFirmNone: the caller is in no firm (404).
	CodeFirmNone = "firm.none"
	// CodeFirmAdminOnly: the firm's admin alone does that (403).
	CodeFirmAdminOnly = "firm.admin_only"
	// CodeFirmNotInvited: no invitation of the caller's address (404).
	CodeFirmNotInvited = "firm.not_invited"
	// CodeFirmOtherFirm: the caller is in another firm already (409).
	CodeFirmOtherFirm = "firm.other_firm"
	// CodeFirmStale: the write starts from an older revision; FirmStale
	// carries the current version (409).
	CodeFirmStale = "firm.stale"
	// CodeFirmExists: a client with this identifier exists; FirmStale
	// carries it (409).
	CodeFirmExists = "firm.exists"
	// CodeFirmClaimed: another member claimed the client's submission;
	// FirmStale carries who (409).
	CodeFirmClaimed = "firm.claimed"
	// CodeFirmCursor: the cursor is malformed, ahead of the feed, or
	// older than what the feed keeps: read every client again (410 for
	// the latter, 400 otherwise).
	CodeFirmCursor = "firm.cursor"
	// CodeFirmLastAdmin: the firm's last admin cannot leave, be removed or
	// lose the role (409).
	CodeFirmLastAdmin = "firm.last_admin"
	// CodeFirmLimit: a page size, a batch or a count over its bound (400).
	CodeFirmLimit = "firm.limit"
)
