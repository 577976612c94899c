package onboarding

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// The workspace's bulk actions work on a selection of structures, by id,
// in chunks: each chunk is read, decided row by row, and written in one
// transaction, so that a cancelled or failed action leaves every row either
// done or untouched, never half-written, and the rows of the chunks before
// stay done. Every row left as it was is said, with why.

// Workspace is the accountant's table of structures: its queries, its
// bulk actions, importing and exporting files. Every save goes through the
// structures' prepare (Structures), so a bulk action, an import and a
// pre-fill keep what the form would.
type Workspace struct {
	store      core.WorkspaceStore
	structures *Structures
	conn       *Connection
	// spoolDir holds the files of an import's rejected rows until they
	// are saved (the data directory, readable by the user alone); the
	// system's temporary directory when empty.
	spoolDir string
	// today is the user's day, which an imported row's reform dates may
	// not be after (the same clock as the Reform service's).
	today func() core.Date
}

// NewWorkspace returns the service over the workspace's store, saving
// through structures; clock gives the user's day (the system's when nil).
func NewWorkspace(store core.WorkspaceStore, structures *Structures, conn *Connection, spoolDir string, clock core.Clock) *Workspace {
	w := &Workspace{store: store, structures: structures, conn: conn, spoolDir: spoolDir, today: todayBy(clock)}
	w.sweepSpool()
	return w
}

// BulkChunk is how many rows a bulk action reads and writes at a time.
const BulkChunk = 500

// MaxListed bounds the rows a bulk result names one by one; the counts
// cover them all.
const MaxListed = 1000

// Why a bulk action left a row as it was.
const (
	SkipInvalid    = "bulk.skip.invalid"     // errors to fix first
	SkipQueued     = "bulk.skip.queued"      // already waiting to be sent
	SkipOnPortal   = "bulk.skip.on_portal"   // the portal knows it: it cannot change from here
	SkipNotQueued  = "bulk.skip.not_queued"  // neither waiting nor refused: nothing to take back
	SkipBeingSent  = "bulk.skip.being_sent"  // the worker is sending it right now
	SkipNotDraft   = "bulk.skip.not_draft"   // sent or queued once: only drafts the portal never saw are deleted
	SkipChanged    = "bulk.skip.changed"     // changed while the action ran
	SkipNotSIRET   = "bulk.skip.not_siret"   // the registries know SIRETs only
	SkipUnknown    = "bulk.skip.unknown"     // no registry knows the company
	SkipRegistry   = "bulk.skip.registry"    // the registry failed for this row
	SkipNoDecision = "bulk.skip.no_decision" // the portal refused the decision
	SkipDecided    = "bulk.skip.decided"     // decided the other way already
	NoteClosed     = "bulk.note.closed"      // the registry says the establishment is closed
)

// RowNote says why a row was left as it was, or (Warning) something about a
// row that was done.
type RowNote struct {
	ID int64
	// Label names the row for a person: identifier and company.
	Label string
	// Reason is one of the Skip or Note constants.
	Reason string
	// Field, Code and Params detail the first problem of a row skipped for
	// its errors, or a portal's or registry's refusal (Code, Params).
	Field, Code string
	Params      map[string]string
	Warning     bool
}

// BulkResult is what a bulk action did.
type BulkResult struct {
	// Total is the number of rows asked for, Done the rows changed (or
	// looked up, or written).
	Total, Done int
	// Skipped counts rows left as they were, by reason.
	Skipped map[string]int
	// Notes names rows left as they were, then warnings, the first
	// MaxListed of them.
	Notes []RowNote
	// WithErrors counts, after a re-validation, the rows that have errors.
	WithErrors int
}

// SkippedTotal returns how many rows were left as they were.
func (r BulkResult) SkippedTotal() int {
	n := 0
	for _, k := range r.Skipped {
		n += k
	}
	return n
}

// note records a row left as it was (or a warning).
func (r *BulkResult) note(rec core.StructureRecord, n RowNote) {
	n.ID, n.Label = rec.ID, Label(rec.Draft)
	r.add(n)
}

// add records a note whose ID and Label are set.
func (r *BulkResult) add(n RowNote) {
	if !n.Warning {
		if r.Skipped == nil {
			r.Skipped = map[string]int{}
		}
		r.Skipped[n.Reason]++
	}
	if len(r.Notes) < MaxListed {
		r.Notes = append(r.Notes, n)
	}
}

// Label names a structure for a person: its identifier, grouped, and its
// company.
func Label(d core.StructureDraft) string {
	id := d.Identifier
	if d.IdentifierType == core.IDSIRET {
		id = validate.FormatSIRET(id)
	}
	switch {
	case d.CompanyName == "":
		return id
	case id == "":
		return d.CompanyName
	}
	return id + " · " + d.CompanyName
}

// ProgressFunc receives a bulk action's advance: rows done of total. It is
// called from the action's goroutine.
type ProgressFunc func(done, total int)

// eachChunk reads the records of ids a chunk at a time and hands each
// chunk to fn, reporting progress after each; it stops at ctx's end or fn's
// first error.
func (s *Workspace) eachChunk(ctx context.Context, ids []int64, progress ProgressFunc, fn func([]core.StructureRecord) error) error {
	done := 0
	for chunk := range slices.Chunk(ids, BulkChunk) {
		if err := ctx.Err(); err != nil {
			return err
		}
		recs := make([]core.StructureRecord, 0, len(chunk))
		if err := s.store.StructuresByID(ctx, chunk, func(r core.StructureRecord) error {
			recs = append(recs, r)
			return nil
		}); err != nil {
			return err
		}
		if err := fn(recs); err != nil {
			return err
		}
		done += len(chunk)
		if progress != nil {
			progress(done, len(ids))
		}
	}
	return nil
}

// QueryStructures returns the workspace's rows for q (see
// core.WorkspaceStore).
func (s *Workspace) QueryStructures(ctx context.Context, q core.StructureQuery) (core.StructureList, error) {
	return s.store.QueryStructures(ctx, q)
}

// errHandoff refuses to queue on Chorus Pro's own environments, where no
// API creates structures: the hand-off does.
var errHandoff = &core.E{Kind: core.KindInvalid, Code: "bulk.handoff", Op: "queue structures"}

// QueueStructures queues the valid structures of ids for the portal and
// wakes the worker. A row with errors, one already queued and one the
// portal knows are left as they are, with why.
func (s *Workspace) QueueStructures(ctx context.Context, ids []int64, progress ProgressFunc) (BulkResult, error) {
	res := BulkResult{Total: len(ids)}
	if s.conn.Target().Portal == nil {
		return res, errHandoff
	}
	err := s.eachChunk(ctx, ids, progress, func(recs []core.StructureRecord) error {
		var reqs []core.SaveStructure
		for _, r := range recs {
			switch {
			case r.Sync.State == core.StateQueued:
				res.note(r, RowNote{Reason: SkipQueued})
				continue
			case r.Sync.State.OnPortal():
				res.note(r, RowNote{Reason: SkipOnPortal})
				continue
			}
			checked := prepare(r.Draft)
			if errs := checked.Problems().Errors(); len(errs) > 0 {
				res.note(r, RowNote{Reason: SkipInvalid, Field: errs[0].Field, Code: errs[0].Code, Params: errs[0].Params})
				continue
			}
			reqs = append(reqs, core.SaveStructure{ID: r.ID, Checked: checked, Queue: true,
				Unchanged: &core.Version{Updated: r.Updated, State: r.Sync.State}})
		}
		return s.saveEach(ctx, reqs, recs, &res)
	})
	return res, err
}

// saveEach writes reqs in one transaction; a record a person or the worker
// changed since it was read is left out (never overwritten) and said.
func (s *Workspace) saveEach(ctx context.Context, reqs []core.SaveStructure, recs []core.StructureRecord, res *BulkResult) error {
	if len(reqs) == 0 {
		return nil
	}
	out, err := s.structures.saveAll(ctx, reqs)
	if err != nil {
		return err
	}
	for i, o := range out {
		if !o.Changed {
			res.Done++
			continue
		}
		for _, r := range recs {
			if r.ID == reqs[i].ID {
				res.note(r, RowNote{Reason: SkipChanged})
			}
		}
	}
	return nil
}

// DraftStructures takes the queued and refused structures of ids back to
// draft, dropping their unsent rows; one the worker is sending right now is
// left as it is.
func (s *Workspace) DraftStructures(ctx context.Context, ids []int64, progress ProgressFunc) (BulkResult, error) {
	res := BulkResult{Total: len(ids)}
	err := s.eachChunk(ctx, ids, progress, func(recs []core.StructureRecord) error {
		var want []int64
		for _, r := range recs {
			if r.Sync.State == core.StateQueued || r.Sync.State == core.StateFailed {
				want = append(want, r.ID)
			} else {
				res.note(r, RowNote{Reason: SkipNotQueued})
			}
		}
		n, err := s.store.DiscardMany(ctx, want)
		if err != nil {
			return err
		}
		res.Done += n
		if n < len(want) {
			return s.noteUnchanged(ctx, recs, want, &res, SkipBeingSent)
		}
		return nil
	})
	return res, err
}

// noteUnchanged names the rows of want the store left as they were (their
// state did not change), with reason.
func (s *Workspace) noteUnchanged(ctx context.Context, before []core.StructureRecord, want []int64, res *BulkResult, reason string) error {
	after := map[int64]core.SyncState{}
	if err := s.store.StructuresByID(ctx, want, func(r core.StructureRecord) error {
		after[r.ID] = r.Sync.State
		return nil
	}); err != nil {
		return err
	}
	for _, r := range before {
		if st, ok := after[r.ID]; ok && st == r.Sync.State && slices.Contains(want, r.ID) {
			res.note(r, RowNote{Reason: reason})
		}
	}
	return nil
}

// DeleteStructures deletes the drafts of ids the portal never saw; any
// other row is left as it is.
func (s *Workspace) DeleteStructures(ctx context.Context, ids []int64, progress ProgressFunc) (BulkResult, error) {
	res := BulkResult{Total: len(ids)}
	err := s.eachChunk(ctx, ids, progress, func(recs []core.StructureRecord) error {
		var want []int64
		for _, r := range recs {
			if r.Sync.State == core.StateDraft && r.Sync.PortalID == "" {
				want = append(want, r.ID)
			} else {
				res.note(r, RowNote{Reason: SkipNotDraft})
			}
		}
		n, err := s.store.DeleteDrafts(ctx, want)
		if err != nil {
			return err
		}
		res.Done += n
		if n < len(want) {
			// Still there: the portal saw it since it was read.
			left := map[int64]bool{}
			if err := s.store.StructuresByID(ctx, want, func(r core.StructureRecord) error {
				left[r.ID] = true
				return nil
			}); err != nil {
				return err
			}
			for _, r := range recs {
				if left[r.ID] {
					res.note(r, RowNote{Reason: SkipNotDraft})
				}
			}
		}
		return nil
	})
	return res, err
}

// RevalidateStructures checks the structures of ids again with this
// build's rules (a rule may have changed since they were typed or
// imported) and records what it finds; values and states stay as they
// are. WithErrors counts the rows with errors.
func (s *Workspace) RevalidateStructures(ctx context.Context, ids []int64, progress ProgressFunc) (BulkResult, error) {
	res := BulkResult{Total: len(ids)}
	err := s.eachChunk(ctx, ids, progress, func(recs []core.StructureRecord) error {
		updates := make([]core.ProblemsUpdate, 0, len(recs))
		for _, r := range recs {
			checked := prepare(r.Draft)
			updates = append(updates, core.ProblemsUpdate{ID: r.ID, Updated: r.Updated, Checked: checked})
			if checked.Problems().HasErrors() {
				res.WithErrors++
			}
		}
		n, err := s.store.SetProblems(ctx, updates)
		res.Done += n
		if err == nil && n < len(updates) {
			// Saved since they were read: their own save validated them.
			if res.Skipped == nil {
				res.Skipped = map[string]int{}
			}
			res.Skipped[SkipChanged] += len(updates) - n
		}
		return err
	})
	return res, err
}

// paramsOf returns the parameters of a coded error, nil for another.
func paramsOf(err error) map[string]string {
	if e := core.AsE(err); e != nil {
		return e.Params
	}
	return nil
}

// isCancel reports whether err is the end of ctx: a cancelled action, not a
// failure.
func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// todayBy returns the user's day by clock, or by this computer's when
// clock is nil: the reform's dates are days, and a mandate signed or a
// directory checked "today" is the user's today.
func todayBy(clock core.Clock) func() core.Date {
	if clock == nil {
		return func() core.Date { return core.DateOf(time.Now()) }
	}
	return func() core.Date { return core.DateOf(clock.Now()) }
}
