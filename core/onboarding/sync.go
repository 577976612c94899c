package onboarding

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/outbox"
)

// SyncStore is what the Sync service needs of the store: the outbox, the
// structures whose states the sync panel and the status line show, and
// the discard shared with the workspace.
type SyncStore struct {
	Outbox     core.Outbox
	Structures core.StructureStore
	Drafts     core.Discarder
}

// SyncConfig tunes the worker; zero values take its defaults.
type SyncConfig struct {
	// Backoff and Lease tune the worker. A command line retries sooner
	// than the app in the background.
	Backoff outbox.Backoff
	Lease   time.Duration
	// Concurrency is how many rows the worker keeps in flight (0: the
	// settings', else outbox.DefaultConcurrency).
	Concurrency int
	// Claim, when set, claims a structure's submission before it is sent
	// (Firm.Claim: two members of a firm never both send one client).
	Claim func(ctx context.Context, structureID int64) error
}

// Sync is the one outbox worker of a store and what the screens ask of it:
// run it, wake it, send one structure at once, retry, count.
type Sync struct {
	store  SyncStore
	conn   *Connection
	worker *outbox.Worker
}

// NewSync builds the worker, sending each row to the target it was queued
// for, following the connection's changes.
func NewSync(store SyncStore, conn *Connection, cfg SyncConfig) *Sync {
	s := &Sync{store: store, conn: conn}
	s.worker = outbox.NewRouted(store.Outbox, store.Structures, s.route)
	if cfg.Backoff != (outbox.Backoff{}) {
		s.worker.Backoff = cfg.Backoff
	}
	if cfg.Lease > 0 {
		s.worker.Lease = cfg.Lease
	}
	s.worker.Claim = cfg.Claim
	s.worker.SetConcurrency(cfg.Concurrency)
	if cfg.Concurrency == 0 {
		s.worker.SetConcurrency(conn.Settings().ConcurrencyN())
	}
	conn.OnChange(func(set core.Settings) {
		if cfg.Concurrency == 0 {
			s.worker.SetConcurrency(set.ConcurrencyN())
		}
		s.Notify()
	})
	return s
}

// route is the worker's: the target in effect and its portal, as one
// value, so that a pass sends its rows where they were queued for.
func (s *Sync) route() (string, outbox.Portal) {
	t := s.conn.Target()
	if t.Portal == nil || t.Err != nil {
		return t.Key, nil
	}
	return t.Key, t.Portal
}

// Run is the app's one outbox worker: it sends what is queued while the
// portal answers, until ctx ends, and reports after each pass (on its own
// goroutine: the report must hand over to the UI goroutine itself).
func (s *Sync) Run(ctx context.Context, interval time.Duration, report func(outbox.Status)) {
	s.worker.Run(ctx, s.conn, interval, report)
}

// Start runs the worker (Run) on a goroutine of its own and returns the
// function that stops it: stop cancels the worker and returns only once
// Run has returned, its rows in flight recorded or left to their lease, so
// that the caller may close the store after it. Closing first let a
// running pass write into a closed store.
func (s *Sync) Start(ctx context.Context, interval time.Duration, report func(outbox.Status)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx, interval, report)
	}()
	return func() {
		cancel()
		<-done
	}
}

// Notify wakes the worker: something was queued or the user asked to send
// now. It never blocks.
func (s *Sync) Notify() { s.worker.Notify() }

// SendStructure sends one structure's rows at once, whatever else is
// queued: the form's Submit, whose user waits for this structure only.
func (s *Sync) SendStructure(ctx context.Context, structureID int64) (outbox.Stats, error) {
	if _, err := s.conn.portal(); err != nil {
		return outbox.Stats{}, err
	}
	return s.worker.SendStructure(ctx, structureID)
}

// SendNow runs one pass of the worker at once, for a screen whose user
// waits for the portal's answers. A row another pass holds is left to it.
func (s *Sync) SendNow(ctx context.Context) (outbox.Stats, error) {
	if _, err := s.conn.portal(); err != nil {
		return outbox.Stats{}, err
	}
	return s.worker.RunOnce(ctx)
}

// Drain sends until nothing is pending or ctx ends, waiting for backed-off
// rows to come due: onboardctl sync. It returns the totals of every pass;
// the rows still pending are the store's to count.
func (s *Sync) Drain(ctx context.Context) (outbox.Stats, error) {
	var total outbox.Stats
	for {
		st, err := s.worker.RunOnce(ctx)
		total.Add(st)
		if err != nil && ctx.Err() == nil {
			return total, err
		}
		pending, next, perr := s.store.Outbox.Pending(context.WithoutCancel(ctx), s.conn.Target().Key)
		if perr != nil {
			return total, perr
		}
		if pending == 0 || ctx.Err() != nil {
			return total, nil
		}
		// Wait for the next row to be due, not longer than a second, so a
		// row another process queued or released is not missed.
		wait := min(max(time.Until(next), 20*time.Millisecond), time.Second)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// Progress is what a sending pass did.
type Progress struct {
	Sent, Created, Attachments, Failed int
}

// RetryNow makes every backed-off row due and sends them at once.
func (s *Sync) RetryNow(ctx context.Context) (Progress, error) {
	if err := s.store.Outbox.RetryNow(ctx); err != nil {
		return Progress{}, err
	}
	st, err := s.SendNow(ctx)
	return Progress{Sent: st.Sent, Created: st.Created, Attachments: st.Attachments, Failed: st.Failed}, err
}

// Unsettled returns the structures the sync panel lists: queued, sent,
// refused, or waiting for a manager's decision.
func (s *Sync) Unsettled(ctx context.Context) ([]core.StructureRecord, error) {
	return structuresIn(ctx, s.store.Structures, core.StateQueued, core.StateSent, core.StateFailed, core.StateAttachmentRequested)
}

// CodeBeingSent: the structure's row is being sent right now; it cannot
// be taken back to draft until the portal answered.
const CodeBeingSent = "sync.being_sent"

// Discard takes a queued or refused structure back to draft, dropping its
// unsent rows, so the user can fix it or leave it: the workspace's path
// for one row, guarded the same way. A structure whose row is being sent
// right now is left as it is (KindConflict, CodeBeingSent); one that is
// neither queued nor refused any more (sent meanwhile) is left too.
func (s *Sync) Discard(ctx context.Context, structureID int64) error {
	n, err := s.store.Drafts.DiscardMany(ctx, []int64{structureID})
	if err != nil || n == 1 {
		return err
	}
	rec, err := s.store.Structures.Structure(ctx, structureID)
	if err != nil {
		return err
	}
	if rec.Sync.State == core.StateQueued || rec.Sync.State == core.StateFailed {
		return &core.E{Kind: core.KindConflict, Code: CodeBeingSent, Op: "discard"}
	}
	return nil
}

// Counts returns how many structures are in each state and how many
// outbox rows wait to be sent to the environment in effect.
func (s *Sync) Counts(ctx context.Context) (map[core.SyncState]int, int, error) {
	counts, err := s.store.Structures.CountStructures(ctx)
	if err != nil {
		return nil, 0, err
	}
	pending, _, err := s.store.Outbox.Pending(ctx, s.conn.Target().Key)
	return counts, pending, err
}

// PendingElsewhere counts the outbox rows queued for other environments:
// they wait until the user goes back to the one they were queued for.
func (s *Sync) PendingElsewhere(ctx context.Context) (int, error) {
	by, err := s.store.Outbox.PendingByTarget(ctx)
	if err != nil {
		return 0, err
	}
	n, here := 0, s.conn.Target().Key
	for target, k := range by {
		if target != here {
			n += k
		}
	}
	return n, nil
}

// maxListed bounds the structures of one state a list reads (the sync
// panel, the hand-off): the workspace is where thousands are looked at.
const maxListed = 10_000

// structuresIn returns the stored structures in one of states, through
// the state index (a store of 100,000 structures with three refused reads
// three), in key order.
func structuresIn(ctx context.Context, st core.StructureStore, states ...core.SyncState) ([]core.StructureRecord, error) {
	var out []core.StructureRecord
	for _, state := range states {
		recs, err := st.StructuresInState(ctx, state, maxListed)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	slices.SortFunc(out, func(a, b core.StructureRecord) int { return strings.Compare(a.Draft.Key(), b.Draft.Key()) })
	return out, nil
}

// SetConcurrency sets how many rows the worker keeps in flight from its
// next pass on, for this run (onboardctl sync --concurrency); 0 goes back
// to outbox.DefaultConcurrency.
func (s *Sync) SetConcurrency(n int) { s.worker.SetConcurrency(n) }
