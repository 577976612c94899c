package core

import (
	"context"
	"time"
)

// StructureFilter is one of the workspace's state filters.
type StructureFilter string

// The workspace's filters, in the order they are offered.
const (
	FilterAll      StructureFilter = "all"
	FilterErrors   StructureFilter = "errors"    // problems to fix before sending
	FilterReady    StructureFilter = "ready"     // drafts without errors: can be queued
	FilterQueued   StructureFilter = "queued"    // waiting to be sent
	FilterOnPortal StructureFilter = "on_portal" // created, or attached
	FilterPending  StructureFilter = "pending"   // sent, or an attachment waiting for a manager
	FilterRefused  StructureFilter = "refused"   // attachment refused
	FilterFailed   StructureFilter = "failed"    // the portal refused the structure

	// The e-invoicing reform's filters: no receiving platform recorded; not
	// looked up in the directory for RecheckDays; must issue e-invoices
	// before small companies do (a large company or mid-cap).
	FilterNoPlatform StructureFilter = "no_platform"
	FilterCheckDue   StructureFilter = "check_due"
	FilterIssueEarly StructureFilter = "issue_early"

	// The firm's filters: the clients in the user's charge; those with a
	// field in conflict (changed here and on the firm to different
	// values).
	FilterMine      StructureFilter = "mine"
	FilterConflicts StructureFilter = "conflicts"
)

// StructureFilters lists every filter in the order they are offered.
var StructureFilters = []StructureFilter{FilterAll, FilterErrors, FilterReady, FilterQueued, FilterOnPortal,
	FilterPending, FilterRefused, FilterFailed, FilterNoPlatform, FilterCheckDue, FilterIssueEarly, FilterMine, FilterConflicts}

// ReformFilters are the filters of the reform, shown as their own row of
// chips.
var ReformFilters = []StructureFilter{FilterNoPlatform, FilterCheckDue, FilterIssueEarly}

// FirmFilters are the firm's filters, shown as their own row of chips
// when the desktop is in a firm.
var FirmFilters = []StructureFilter{FilterMine, FilterConflicts}

// MatchesRow reports whether a workspace row is in the filter's set on
// the day today (the reform's filters read the row's reform columns and
// the day; the others its state and errors, as Matches).
func (f StructureFilter) MatchesRow(r StructureSummary, today Date) bool {
	switch f {
	case FilterNoPlatform:
		return r.Platform == ""
	case FilterCheckDue:
		return r.CheckedOn == "" || r.CheckedOn < today.AddDays(-RecheckDays)
	case FilterIssueEarly:
		return ObligationsOf(r.Category).IssueFrom.Before(IssueFromSmall)
	case FilterMine:
		return r.Mine
	case FilterConflicts:
		return r.Conflicts > 0
	}
	return f.Matches(r.State, r.Errors)
}

// Matches reports whether a structure in state with errors problems
// (counted with Severity Error) is in the filter's set. "with errors" cuts
// across states; the others are states.
func (f StructureFilter) Matches(state SyncState, errors int) bool {
	switch f {
	case FilterAll:
		return true
	case FilterErrors:
		return errors > 0
	case FilterReady:
		return state == StateDraft && errors == 0
	case FilterQueued:
		return state == StateQueued
	case FilterOnPortal:
		return state == StateCreated || state == StateAttachmentApproved
	case FilterPending:
		return state == StateSent || state == StateAttachmentRequested
	case FilterRefused:
		return state == StateAttachmentRefused
	case FilterFailed:
		return state == StateFailed
	}
	return false
}

// StructureSort is a column the workspace sorts by.
type StructureSort string

// The workspace's sort keys.
const (
	SortIdentifierType StructureSort = "identifier_type"
	SortIdentifier     StructureSort = "identifier"
	SortCompany        StructureSort = "company_name"
	SortCity           StructureSort = "city"
	SortPostalCode     StructureSort = "postal_code"
	SortState          StructureSort = "state"
	SortProblems       StructureSort = "problems"
	SortUpdated        StructureSort = "updated"
	SortPlatform       StructureSort = "platform"
	SortCheckedOn      StructureSort = "checked_on"
)

// StructureQuery asks for the workspace's rows.
type StructureQuery struct {
	// Text matches identifier (with or without spaces), company and
	// structure names, city, postal code, e-mail and receiving platform,
	// without case or accents; every word must be found.
	Text   string
	Filter StructureFilter
	Sort   StructureSort
	Desc   bool
	// Today is the day the reform's filters count from; the store's clock
	// (local time) when empty.
	Today Date
	// Me is the member of the firm this desktop is in (FilterMine);
	// InCharge keeps the rows in that member's charge only ("" any).
	Me, InCharge string
}

// StructureSummary is one row of the workspace: what the table shows.
type StructureSummary struct {
	ID             int64
	IdentifierType IdentifierType
	Identifier     string
	CompanyName    string
	City           string
	PostalCode     string
	State          SyncState
	// Errors and Warnings count the record's problems by severity.
	Errors, Warnings int
	Updated          time.Time
	// The reform's columns: the receiving platform, the last look in the
	// directory, the company's category.
	Platform  string
	CheckedOn Date
	Category  CompanyCategory
	// The firm's columns, when the desktop is in a firm: whether the row
	// is one of the firm's clients, who is in charge (an address), and
	// how many fields are in conflict. Mine is set by a query whose Me is
	// the one in charge.
	Firm      bool
	InCharge  string
	Conflicts int
	Mine      bool
}

// StructureList answers a StructureQuery: the rows of its filter, sorted,
// and how many rows matching its text each filter holds.
type StructureList struct {
	Rows   []StructureSummary
	Counts map[StructureFilter]int
}

// ProblemsUpdate replaces what validation found in a record (the workspace
// re-validates without touching the record's state or its last change).
type ProblemsUpdate struct {
	ID int64
	// Updated is the record's last change when it was validated: a record
	// changed since is left as it is (its own save validated it).
	Updated time.Time
	// Checked is the record's draft validated again: its problems are
	// kept, the draft as it is.
	Checked Checked[StructureDraft]
}

// WorkspaceStore is what the workspace asks of the store on top of
// StructureStore. Methods are safe for concurrent use; ctx cancels a query
// (a newer keystroke).
type WorkspaceStore interface {
	// QueryStructures returns the rows of q's filter that match its text,
	// sorted, and the counts per filter of the rows matching its text.
	QueryStructures(ctx context.Context, q StructureQuery) (StructureList, error)
	// StructuresByID streams the records of ids to fn (in id order,
	// skipping ids that do not exist), stopping at fn's first error.
	StructuresByID(ctx context.Context, ids []int64, fn func(StructureRecord) error) error
	// SetProblems records new problems for records unchanged since they
	// were validated, in one transaction, their state and last change
	// untouched; it returns how many it updated.
	SetProblems(ctx context.Context, updates []ProblemsUpdate) (int, error)
	// DeleteDrafts deletes the records of ids that are drafts the portal
	// does not know (no portal id, no outbox row waiting or done: a row
	// the portal refused does not count, and a discarded one is gone), in
	// one transaction, and returns how many it deleted.
	DeleteDrafts(ctx context.Context, ids []int64) (int, error)
	Discarder
}

// Discarder takes queued or refused structures back to draft, dropping
// their unsent and failed outbox rows: the one way to discard, for one
// structure (the sync panel) or many (the workspace).
type Discarder interface {
	// DiscardMany takes the records of ids that are queued or failed back
	// to draft in one transaction, and returns how many it changed. A
	// record whose row a worker holds right now (a lease not yet over) is
	// left as it is: its outcome is on the way, and dropping the row
	// would lose it (a structure created on the portal left a draft
	// without its portal id).
	DiscardMany(ctx context.Context, ids []int64) (int, error)
}

// ReformStore is what the reform's bookkeeping asks of the store: a
// record, the reform's fields of many, and the platform names already
// typed. Methods are safe for concurrent use.
type ReformStore interface {
	// Structure returns one structure; KindNotFound when there is none.
	Structure(ctx context.Context, id int64) (StructureRecord, error)
	// SetReform sets the fields of set to patch's values in the records of
	// ids, whatever their state (the reform's bookkeeping is the firm's,
	// never the portal's), in one transaction, and returns how many it
	// changed. The workspace's "mark checked today" and "set platform" use
	// it.
	SetReform(ctx context.Context, ids []int64, patch Reform, set ReformFields) (int, error)
	// PlatformNames returns the receiving platforms recorded, the most
	// used first, at most limit: the form suggests them.
	PlatformNames(ctx context.Context, limit int) ([]string, error)
}
