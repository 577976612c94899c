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

// Sync is the portal-facing state of one record.
type Sync struct {
	State SyncState
	// Message is the portal's explanation of a failure or refusal, in the
	// user's language when the portal gave one.
	Message string
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
	ID       int64
	Draft    StructureDraft
	Problems Problems
	Sync     Sync
	Created  time.Time
	Updated  time.Time
}

// SaveStructure asks the store to keep a structure draft.
type SaveStructure struct {
	// ID selects the record to update; 0 finds it by (identifier type,
	// identifier) and creates it when there is none.
	ID       int64
	Draft    StructureDraft
	Problems Problems
	// Queue asks for the structure to be sent to the portal: it moves to
	// StateQueued and gets an outbox row in the same transaction. Refused
	// (KindInvalid) when Problems has errors.
	Queue bool
}

// SaveResult says what a save did.
type SaveResult struct {
	Created bool // a new record; false means an existing one was updated
	Queued  bool // an outbox row was written or refreshed
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
// are terminal and kept for the record.
const (
	OpPending OpState = "pending"
	OpDone    OpState = "done"
	OpFailed  OpState = "failed"
)

// Op is one outbox row: a change the portal must see, written in the same
// transaction as the change itself.
type Op struct {
	ID int64
	// OpID is random (UUID v4), created with the row and sent as the
	// Idempotency-Key on every attempt, so the portal applies it once.
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
}

// Store keeps drafts and the outbox on this computer. Every method is safe
// for concurrent use; writes are durable when they return (the app shows
// "saved" only then). Errors carry a kind: KindNotFound for a missing record,
// KindConflict when an update would give a structure the key of another,
// KindInvalid for a request the store refuses (queueing a draft with errors).
type Store interface {
	// SaveAccount inserts (ID 0) or updates an account draft and returns the
	// stored record.
	SaveAccount(ctx context.Context, rec AccountRecord) (AccountRecord, error)
	// Account returns one account.
	Account(ctx context.Context, id int64) (AccountRecord, error)
	// Accounts returns every account, oldest first.
	Accounts(ctx context.Context) ([]AccountRecord, error)
	// QueueAccount marks an account as waiting for the portal and returns
	// its outbox row's operation id, writing the row if it has none
	// pending. Creating an account needs a person to answer the captcha, so
	// the worker leaves these rows to the captcha screen, which sends them
	// with this id as Idempotency-Key and completes them.
	QueueAccount(ctx context.Context, id int64) (opID string, err error)

	// SaveStructure inserts or updates a structure draft, one record per
	// (identifier type, identifier), and queues it when asked.
	SaveStructure(ctx context.Context, req SaveStructure) (StructureRecord, SaveResult, error)
	// SaveStructures saves a batch in one transaction, all or nothing; bulk
	// imports use it.
	SaveStructures(ctx context.Context, reqs []SaveStructure) ([]SaveResult, error)
	// Structure returns one structure.
	Structure(ctx context.Context, id int64) (StructureRecord, error)
	// StructureByKey returns the structure with this identifier.
	StructureByKey(ctx context.Context, t IdentifierType, identifier string) (StructureRecord, error)
	// EachStructure calls fn for every structure in key order, streaming, and
	// stops at fn's first error, which it returns.
	EachStructure(ctx context.Context, fn func(StructureRecord) error) error
	// CountStructures returns how many structures are in each state.
	CountStructures(ctx context.Context) (map[SyncState]int, error)

	// ClaimDue returns up to limit pending rows due at now, the oldest
	// first and at most one per entity (rows of one entity go in order),
	// and leases them for lease so that another worker skips them.
	ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Op, error)
	// Complete marks a row done and sets its entity's sync state, in one
	// transaction. follow, when not nil, is a new row written in the same
	// transaction (a structure that already exists becomes an attachment
	// request).
	Complete(ctx context.Context, opID string, sync Sync, follow *Op) error
	// Fail parks a row as failed with the portal's message and marks its
	// entity failed.
	Fail(ctx context.Context, opID string, message string) error
	// Reschedule records a failed attempt and makes the row due at next.
	Reschedule(ctx context.Context, opID string, next time.Time, lastErr string) error
	// Ops returns every row of the outbox, oldest first.
	Ops(ctx context.Context) ([]Op, error)
	// RetryNow makes every pending row due at once (the user pressed "retry
	// now": no need to wait for the backoff).
	RetryNow(ctx context.Context) error
	// Discard drops a structure's unsent or failed rows and takes it back to
	// draft, so the user can fix it or leave it.
	Discard(ctx context.Context, structureID int64) error
	// SetSync records what reading the portal back says of a structure
	// (an attachment approved or refused).
	SetSync(ctx context.Context, structureID int64, sync Sync) error

	// Forget deletes every draft, outbox row and personal datum, and scrubs
	// the database files so that nothing deleted can be read back from them.
	Forget(ctx context.Context) error
	// Close releases the database.
	Close() error
}
