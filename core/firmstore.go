package core

import (
	"context"
	"time"
)

// FirmLink is the firm this desktop is in: its server, the member signed
// in, and how far the firm's feed was applied.
type FirmLink struct {
	URL       string
	Email     string
	Name      string // the firm's
	Role      string // the member's
	AccountID int64
	Cursor    int64
	// Joined is set once the first reading of every client finished.
	Joined bool
}

// IsZero reports whether the desktop is in no firm.
func (l FirmLink) IsZero() bool { return l.URL == "" }

// FirmVersion is a client as the firm's server last accepted it.
type FirmVersion struct {
	ClientID      int64
	Revision      int64
	Fields        ClientFields
	InCharge      int64
	InChargeEmail string
	ClaimedBy     string
	UpdatedBy     string
	UpdatedAt     time.Time
}

// FirmPush is a client's change waiting to be sent: the version it starts
// from (Base at Revision; ClientID 0 for a client the firm does not have
// yet), what the desktop holds now (Local), and the generation read (the
// row is done only if no change came since). Delete marks a deletion.
type FirmPush struct {
	StructureID int64
	ClientID    int64
	Revision    int64
	Base, Local ClientFields
	Key         string
	Gen         int64
	Attempts    int
	Delete      bool
}

// FieldConflict is a field changed here and on the firm to different
// values: both are kept until the user keeps one.
type FieldConflict struct {
	StructureID int64
	Field       string
	Mine        string
	Theirs      string
	TheirsBy    string
	TheirsAt    time.Time
}

// FirmApplied counts what applying the firm's changes did here.
type FirmApplied struct {
	Added, Changed, Removed int
	// Merged counts the clients changed here and on the firm in
	// different fields, merged; Conflicts those with a field changed on
	// both sides.
	Merged, Conflicts int
	// Dropped are the changes made here to clients the firm removed
	// from this desktop (deleted, or no longer the member's): the caller
	// saves them to a file, so that nothing typed is lost.
	Dropped []FirmPush
}

// FirmStore keeps this desktop's copy of its firm's clients: each one a
// structure of the store, with the version last agreed with the firm, the
// change waiting to be sent (written by the store in the transaction of
// every local change), and the fields in conflict. Methods are safe for
// concurrent use; a write is durable when it returns.
type FirmStore interface {
	// FirmLink returns the firm the desktop is in (zero when none).
	FirmLink(ctx context.Context) (FirmLink, error)
	// StartFirm records the firm the desktop joins, before its clients
	// are read; with bring, the structures already here become the
	// firm's (sent once the join finished), else they stay this
	// desktop's own. KindConflict when the desktop is in a firm already.
	StartFirm(ctx context.Context, link FirmLink, bring bool) error
	// SetFirmRole records the member's role as the server said it.
	SetFirmRole(ctx context.Context, role string) error
	// ApplyFirm applies the firm's changes, in one transaction with the
	// cursor they lead to: a client new here is added (merged into the
	// structure of the same identifier, as an edit of the firm's version,
	// when there is one); a client not changed here takes the firm's
	// version; one changed here is merged field by field (MergeClient),
	// its conflicts kept. gone are the clients to remove (deleted, or no
	// longer the member's). done marks the join finished.
	ApplyFirm(ctx context.Context, changes []FirmVersion, gone []int64, cursor int64, done bool) (FirmApplied, error)
	// FirmPending returns up to limit changes due at now: clients to send,
	// then deletions.
	FirmPending(ctx context.Context, now time.Time, limit int) ([]FirmPush, error)
	// FirmAccepted records the version the firm accepted for push: it is
	// the new base; the change is done unless the client changed here
	// since push was read. A zero got says the change needed nothing of
	// the firm (it had nothing left to send). A deletion accepted is
	// forgotten.
	FirmAccepted(ctx context.Context, push FirmPush, got FirmVersion) error
	// FirmRetry records a failed attempt of push (lastErr is a code) and
	// makes it due at next.
	FirmRetry(ctx context.Context, push FirmPush, next time.Time, lastErr string) error
	// FirmConflicts returns the fields in conflict of a structure, or of
	// every structure (structureID 0), at most limit.
	FirmConflicts(ctx context.Context, structureID int64, limit int) ([]FieldConflict, error)
	// ResolveFirmConflicts keeps, for each field named, the value given
	// (mine or theirs), as a local change sent to the firm, and forgets
	// those conflicts.
	ResolveFirmConflicts(ctx context.Context, structureID int64, keep ClientFields) error
	// FirmClient returns what the firm says of a structure; false when it
	// is not one of the firm's clients.
	FirmClient(ctx context.Context, structureID int64) (FirmVersion, bool, error)
	// FirmClientIDs maps structures to the firm's client ids (the ones the
	// firm does not have yet are left out).
	FirmClientIDs(ctx context.Context, structureIDs []int64) (map[int64]int64, error)
	// LeaveFirm removes the firm's clients and the link from the desktop
	// and returns the changes not yet accepted, so that they are saved
	// first (the caller writes them to a file before calling it).
	LeaveFirm(ctx context.Context) error
	// FirmUnsent returns every change not yet accepted.
	FirmUnsent(ctx context.Context) ([]FirmPush, error)
}
