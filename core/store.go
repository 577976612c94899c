package core

import (
	"context"
	"time"
)

// SyncState is where an account or structure stands between this computer
// and the portal.
type SyncState string

// Sync states. A draft is only local; queued means an outbox row will carry
// it; sent means the portal received it and its answer is awaited; the rest
// are the portal's verdicts.
const (
	StateDraft               SyncState = "draft"
	StateQueued              SyncState = "queued"
	StateSent                SyncState = "sent"
	StateCreated             SyncState = "created"
	StateAttachmentRequested SyncState = "attachment_requested"
	StateAttachmentApproved  SyncState = "attachment_approved"
	StateAttachmentRefused   SyncState = "attachment_refused"
	StateFailed              SyncState = "failed"
)

// SyncStates lists every state, in the order a record moves through them.
var SyncStates = []SyncState{StateDraft, StateQueued, StateSent, StateCreated,
	StateAttachmentRequested, StateAttachmentApproved, StateAttachmentRefused, StateFailed}

// Valid reports whether s is a known state.
func (s SyncState) Valid() bool {
	for _, x := range SyncStates {
		if x == s {
			return true
		}
	}
	return false
}

// OnPortal reports whether the portal holds the record as it stands: sent
// and awaiting an answer, created, or an attachment requested or approved.
// Such a record no longer changes from here; a refused one (the portal said
// no) may be fixed and queued again.
func (s SyncState) OnPortal() bool {
	switch s {
	case StateSent, StateCreated, StateAttachmentRequested, StateAttachmentApproved:
		return true
	}
	return false
}

// Sync is the portal-facing state of one record.
type Sync struct {
	State SyncState
	// Notice is the portal's explanation of a failure or refusal, as a code
	// with its parameters: the screens render it in the language the user
	// reads in when they show it.
	Notice Notice
	// PortalID is the portal's identifier of the record once created
	// (idStructureCPP for a structure).
	PortalID string
}

// AccountRecord is a stored account draft with its validation and sync
// state.
type AccountRecord struct {
	ID       int64
	Draft    AccountDraft
	Problems Problems
	Sync     Sync
	Created  time.Time
	Updated  time.Time
}

// StructureRecord is a stored structure draft with its validation and sync
// state.
type StructureRecord struct {
	ID    int64
	Draft StructureDraft
	// Reform is the firm's bookkeeping of the e-invoicing reform for this
	// client: kept beside the draft, never sent.
	Reform Reform
	// Note is the firm's note on the client (shared with the firm).
	Note     string
	Problems Problems
	Sync     Sync
	Created  time.Time
	Updated  time.Time
}

// SaveStructure asks the store to keep a structure draft.
type SaveStructure struct {
	// ID selects the record to update; 0 finds it by (identifier type,
	// identifier) and creates it when there is none.
	ID int64
	// Checked is the draft as validation checked it: what is kept, and
	// its problems (only core/validate builds one).
	Checked Checked[StructureDraft]
	// Reform's fields named in ReformSet are written too (a file with
	// some reform columns changes those only); the others stay as they
	// are. Reform is validated by the caller (validate.Reform).
	Reform    Reform
	ReformSet ReformFields
	// Note, when SetNote, replaces the firm's note on the client.
	Note    string
	SetNote bool
	// Queue asks for the structure to be sent to the portal: it moves to
	// StateQueued and gets an outbox row in the same transaction. Refused
	// (KindInvalid) when the draft's problems have errors.
	Queue bool
	// Target names where the queued row goes (core.Settings.TargetKey);
	// TargetLocal when empty.
	Target string
	// Unchanged, when set, saves only if the record (ID) is still as it
	// was read: same last change and same state. Otherwise nothing is
	// written and the error is KindConflict with code CodeChanged. Bulk
	// actions that read, ask the registry, then write use it so that a
	// record changed meanwhile (by the worker, or by a person) is left
	// untouched rather than overwritten.
	Unchanged *Version
}

// Version is what identifies a record as read: its last change and state.
type Version struct {
	Updated time.Time
	State   SyncState
}

// CodeChanged is the code of a save refused because the record changed
// since it was read.
const CodeChanged = "store.changed"

// SaveResult says what a save did.
type SaveResult struct {
	Created bool // a new record; false means an existing one was updated
	Queued  bool // an outbox row was written or refreshed
	// Changed says a save of a batch was not written: the record changed
	// since it was read (SaveStructure.Unchanged). A single save returns
	// CodeChanged instead.
	Changed bool
}

// EntityType names the kind of record an outbox row is about.
type EntityType string

// Entity types.
const (
	EntityAccount   EntityType = "account"
	EntityStructure EntityType = "structure"
)

// OpKind is what an outbox row asks the portal to do.
type OpKind string

// Operation kinds.
const (
	OpCreateAccount     OpKind = "account.create"
	OpSubmitStructure   OpKind = "structure.submit" // create, or request attachment if it exists
	OpRequestAttachment OpKind = "attachment.request"
)

// OpState is the life of an outbox row.
type OpState string

// Outbox row states: pending rows are sent by the worker; done and failed
// are terminal. A done row stays for the record; a failed one stays until
// its structure is taken back to draft (Discarder), which deletes it with
// the structure's pending rows.
const (
	OpPending OpState = "pending"
	OpDone    OpState = "done"
	OpFailed  OpState = "failed"
)

// Op is one outbox row: a change the portal must see, written in the same
// transaction as the change itself.
type Op struct {
	ID int64
	// OpID is a UUID of version 7 (sqlite.NewOpID: time-ordered, with 74
	// random bits), created with the row and sent as the Idempotency-Key
	// on every attempt, so the portal applies it once.
	OpID       string
	Kind       OpKind
	EntityType EntityType
	EntityID   int64
	Payload    []byte
	State      OpState
	Attempts   int
	// NextAttempt is when the row becomes due again.
	NextAttempt time.Time
	LastError   string
	Created     time.Time
	// Target names where the row goes (core.Settings.TargetKey).
	Target string
}

// TargetLocal is the target of the Local sandbox, and of every row queued
// before rows named theirs.
const TargetLocal = string(EnvLocal)

// AccountStore keeps the account drafts of the wizard's first steps.
// Methods are safe for concurrent use; a write is durable when it returns.
type AccountStore interface {
	// SaveAccount inserts (id 0) or updates an account draft, as
	// validation checked it, and returns the stored record; a pending
	// outbox row of the account (not sent yet: it waits for a captcha)
	// takes the draft as its payload in the same transaction, so what is
	// sent is what was kept. KindNotFound when id names no record;
	// KindInternal (CodeUnchecked) for a draft validation did not check.
	SaveAccount(ctx context.Context, id int64, c Checked[AccountDraft]) (AccountRecord, error)
	// Account returns one account; KindNotFound when there is none.
	Account(ctx context.Context, id int64) (AccountRecord, error)
	// QueueAccount marks an account as waiting for the portal of target
	// and returns its outbox row (operation id and payload), writing the
	// row if it has none pending. Creating an account needs a person to
	// answer the captcha, so the worker leaves these rows to the
	// application layer, which sends the row's payload with its id in the
	// Idempotency-Key and completes them. KindNotFound when there is no
	// such account.
	QueueAccount(ctx context.Context, id int64, target string) (Op, error)
}

// StructureStore keeps the structures a user prepares, one record per
// (identifier type, identifier). Methods are safe for concurrent use; a
// write is durable when it returns.
type StructureStore interface {
	// SaveStructure inserts or updates a structure draft and queues it
	// when asked. KindConflict when an update would give the record the
	// key of another one; KindInvalid when queueing a draft with errors;
	// KindNotFound when req.ID names no record.
	SaveStructure(ctx context.Context, req SaveStructure) (StructureRecord, SaveResult, error)
	// SaveStructures saves a batch in one transaction, all or nothing; bulk
	// imports use it. The first refused row's error names its position.
	SaveStructures(ctx context.Context, reqs []SaveStructure) ([]SaveResult, error)
	// Structure returns one structure; KindNotFound when there is none.
	Structure(ctx context.Context, id int64) (StructureRecord, error)
	// EachStructure calls fn for every structure in key order, streaming, and
	// stops at fn's first error, which it returns.
	EachStructure(ctx context.Context, fn func(StructureRecord) error) error
	// CountStructures returns how many structures are in each state.
	CountStructures(ctx context.Context) (map[SyncState]int, error)
	// StructuresInState returns the structures in state, at most limit,
	// through an index: the worker reads back the pending attachment
	// requests without reading every structure.
	StructuresInState(ctx context.Context, state SyncState, limit int) ([]StructureRecord, error)
	// SetSync records what reading the portal back says of a structure
	// (an attachment approved or refused, a hand-off confirmed).
	// KindNotFound when there is no such structure.
	SetSync(ctx context.Context, structureID int64, sync Sync) error
}

// Outbox is the queue of changes the portal must see, each row written in
// the same transaction as the change itself. Methods are safe for
// concurrent use, across processes too (rows are leased).
type Outbox interface {
	// ClaimDue returns up to limit pending rows of target due at now, the
	// oldest first and at most one per entity (rows of one entity go in
	// order, whatever their target), and leases them for lease so that
	// another worker skips them. Account creations are never claimed: they
	// wait for a captcha.
	ClaimDue(ctx context.Context, target string, now time.Time, limit int, lease time.Duration) ([]Op, error)
	// ClaimStructure leases the oldest pending row of one structure for
	// target, due or not (a person waits for it), unless another worker
	// holds it; none when there is none.
	ClaimStructure(ctx context.Context, target string, structureID int64, now time.Time, lease time.Duration) ([]Op, error)
	// Complete marks a row done and sets its entity's sync state, in one
	// transaction. follow, when not nil, is a new row written in the same
	// transaction (a structure that already exists becomes an attachment
	// request). Completing a row twice changes nothing the second time.
	// KindNotFound when there is no such row.
	Complete(ctx context.Context, opID string, sync Sync, follow *Op) error
	// Fail parks a row as failed with the portal's notice and marks its
	// entity failed. KindNotFound when there is no such row.
	Fail(ctx context.Context, opID string, notice Notice) error
	// Reschedule records a failed attempt (lastErr is a code, for the
	// record) and makes the row due at next. KindNotFound when the row is
	// not pending.
	Reschedule(ctx context.Context, opID string, next time.Time, lastErr string) error
	// Pending counts the rows of target a worker still has to send
	// (account creations, which wait for a person, are not counted) and
	// says when the next one is due.
	Pending(ctx context.Context, target string) (n int, next time.Time, err error)
	// PendingByTarget counts the rows still to send, account creations
	// included, by target: the status line says how many wait for another
	// environment.
	PendingByTarget(ctx context.Context) (map[string]int, error)
	// RetryNow makes every pending row due at once (the user pressed "retry
	// now": no need to wait for the backoff).
	RetryNow(ctx context.Context) error
}
