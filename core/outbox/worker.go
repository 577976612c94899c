// Package outbox is the outbox worker: it sends what the store queued to
// the onboarding portal, in order per record, with the row's operation id
// as Idempotency-Key, so a row reaches the portal at least once and takes
// effect at most once whatever the network does. The desktop app runs one
// worker per store; onboardctl runs the same worker for its sync command.
package outbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
)

// Portal is what the worker needs of the onboarding API client.
type Portal interface {
	CreateStructure(ctx context.Context, key string, d core.StructureDraft) (api.Structure, error)
	RequestAttachment(ctx context.Context, key string, t core.IdentifierType, identifier string) (api.Attachment, error)
	MyAttachments(ctx context.Context) ([]api.Attachment, error)
}

// Backoff is the retry policy: full jitter, delay drawn in
// [0, min(Cap, Base·2^attempt)], and never less than the server's
// Retry-After (itself capped at MaxRetryAfter).
type Backoff struct {
	Base, Cap, MaxRetryAfter time.Duration
}

// DefaultBackoff is the production policy.
var DefaultBackoff = Backoff{Base: time.Second, Cap: 5 * time.Minute, MaxRetryAfter: 15 * time.Minute}

// Delay returns the wait before attempt n+1 after n failed attempts
// (n ≥ 1), given the server's Retry-After (0 if none) and a random source
// (nil: the global one, safe for the concurrent passes of one worker).
func (b Backoff) Delay(n int, retryAfter time.Duration, rng *rand.Rand) time.Duration {
	ceiling := b.Cap
	if n-1 < 62 {
		if d := b.Base << (n - 1); d > 0 && d < ceiling {
			ceiling = d
		}
	}
	var delay time.Duration
	if rng != nil {
		delay = time.Duration(rng.Int64N(int64(ceiling) + 1))
	} else {
		delay = time.Duration(rand.Int64N(int64(ceiling) + 1))
	}
	if retryAfter > 0 {
		delay = max(delay, min(retryAfter, b.MaxRetryAfter))
	}
	return delay
}

// Stats counts what a run did.
type Stats struct {
	Sent        int // rows the portal accepted
	Created     int // structures created
	Attachments int // attachment requests filed
	Failed      int // rows parked as failed (the portal refused them)
	Retried     int // attempts that will be retried
	Throttled   int // answers 429 or 503: the pass sent fewer at once
}

// StructureStates is what the worker needs of the structures: the
// attachment requests still pending, to read them back and record the
// managers' decisions, and the counts of the status line.
type StructureStates interface {
	StructuresInState(ctx context.Context, state core.SyncState, limit int) ([]core.StructureRecord, error)
	SetSync(ctx context.Context, structureID int64, sync core.Sync) error
	CountStructures(ctx context.Context) (map[core.SyncState]int, error)
}

// Worker sends due outbox rows.
type Worker struct {
	Store core.Outbox
	// Structures records the managers' decisions read back (ReadBack) and
	// counts the failed structures; nil means neither.
	Structures StructureStates
	// Route says where rows go now: the target they were queued for and
	// its portal, nil when that target has none (then nothing is sent).
	// A pass keeps what Route returned at its start, so a row is never
	// sent to another target's portal, even if the user switches meanwhile.
	Route   func() (target string, p Portal)
	Backoff Backoff
	// Now is the wall clock for scheduling (tests inject one).
	Now func() time.Time
	// Claim, when set, is asked before a structure's row is sent: a firm's
	// member sends a client only once they claimed its submission (one
	// another member claimed, api.CodeFirmClaimed, is done here without
	// being sent, its notice naming who sends it; a retryable error
	// reschedules the row).
	Claim func(ctx context.Context, structureID int64) error
	// Lease is how long a claimed row is kept from other workers. A worker
	// that dies holds its rows that long; the portal's idempotency makes a
	// second send of a row harmless, so the lease only saves requests.
	Lease time.Duration
	// concurrency is how many rows may be in flight at once (0:
	// DefaultConcurrency); SetConcurrency changes it between passes.
	concurrency atomic.Int64

	wake     chan struct{}
	wakeInit sync.Once
}

// SetConcurrency sets how many rows a pass keeps in flight, from the next
// pass on (0: DefaultConcurrency). Never two rows of one entity: the store
// claims an entity's next row only once the one before is done.
func (w *Worker) SetConcurrency(n int) { w.concurrency.Store(int64(n)) }

// DefaultConcurrency is how many requests a pass keeps in flight
// (core.DefaultConcurrency).
const DefaultConcurrency = core.DefaultConcurrency

// DefaultLease is how long a claimed row is kept from other workers: longer
// than a request may take (portal.DefaultTimeout, 30 s).
const DefaultLease = 35 * time.Second

// New returns a worker with the default policy that sends the Local
// sandbox's rows to portal.
func New(store core.Outbox, structures StructureStates, portal Portal) *Worker {
	return NewRouted(store, structures, func() (string, Portal) { return core.TargetLocal, portal })
}

// NewRouted returns a worker with the default policy that sends the rows
// of the target route names to its portal.
func NewRouted(store core.Outbox, structures StructureStates, route func() (string, Portal)) *Worker {
	return &Worker{Store: store, Structures: structures, Route: route, Backoff: DefaultBackoff, Now: time.Now, Lease: DefaultLease}
}

// SendStructure sends the rows of one structure now, in order, and returns
// once none is left to send at once: each is done, parked as failed, or
// rescheduled after a retryable error (then the pass stops: the worker's
// backoff takes it from there). Other rows, however many are queued, wait:
// a person submitting one structure from its form waits for that one only.
// A row another pass holds is left to it.
func (w *Worker) SendStructure(ctx context.Context, structureID int64) (Stats, error) {
	var st Stats
	target, p := w.Route()
	if p == nil {
		return st, nil
	}
	for {
		ops, err := w.Store.ClaimStructure(ctx, target, structureID, w.Now(), w.Lease)
		if err != nil || len(ops) == 0 {
			return st, err
		}
		var one Stats
		err = w.send(ctx, p, ops[0], &one)
		st.Add(one)
		if err != nil || one.Retried > 0 {
			return st, err
		}
	}
}

// AttachKey derives the idempotency key of the attachment request that
// replaces a structure creation refused as existing: derived, not random,
// so replaying the same operation can never file two requests.
func AttachKey(opID string) string {
	m := hmac.New(sha256.New, []byte(opID))
	m.Write([]byte("attach"))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// RunOnce sends every row due now, once, and returns what happened. Two
// passes may run at once (the background loop, and a screen whose user
// waits for an answer): each claims its rows under a lease, which nothing
// but the pass's own outcome releases ("retry now" makes rows due, never
// takes a lease), so a row is in one pass at a time while its lease lasts
// (DefaultLease, longer than a request may take).
//
// Up to Concurrency requests are in flight. A request's place is free as
// soon as the portal has answered: recording the answer (one transaction,
// which the store commits together with the answers that came meanwhile)
// goes on beside the next requests instead of holding a place, and the
// next rows are claimed while the current ones are sent, so that the
// requests in flight stay full. When the portal answers 429 or 503 the
// pass sends fewer at once (half, down to one), then more again as
// answers come back (one more per window of answers): additive increase,
// multiplicative decrease, as TCP does. Each row keeps its own retry
// schedule. The first error that is not a row's (the store, an expired
// session) stops the pass once the rows in flight are recorded.
func (w *Worker) RunOnce(ctx context.Context) (Stats, error) {
	var st Stats
	target, p := w.Route()
	if p == nil {
		return st, nil
	}
	n := int(w.concurrency.Load())
	if n <= 0 {
		n = DefaultConcurrency
	}
	lim := newAIMD(n)
	var (
		mu       sync.Mutex // guards st and firstErr
		firstErr error
		wg       sync.WaitGroup // rows sent and not yet recorded
	)
	stopped := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
	// Twice the window: a batch outlasts the claim of the next one.
	batch := max(16, 2*n)
	type claimed struct {
		ops []core.Op
		err error
	}
	claim := func() <-chan claimed {
		c := make(chan claimed, 1)
		go func() {
			ops, err := w.Store.ClaimDue(ctx, target, w.Now(), batch, w.Lease)
			c <- claimed{ops, err}
		}()
		return c
	}
	next := claim()
	for {
		got := <-next
		if got.err == nil && len(got.ops) == 0 {
			// Nothing more due, unless the rows still being recorded
			// bring follow-ups (an existing structure becomes an
			// attachment request): wait for them, then look once more.
			wg.Wait()
			if stopped() {
				break
			}
			got.ops, got.err = w.Store.ClaimDue(ctx, target, w.Now(), batch, w.Lease)
		}
		if got.err != nil {
			wg.Wait()
			return st, got.err
		}
		if len(got.ops) == 0 {
			break
		}
		next = claim()
		for _, op := range got.ops {
			if !lim.acquire(ctx) || stopped() {
				if ctx.Err() == nil {
					lim.release(false)
				}
				break
			}
			wg.Go(func() {
				var one Stats
				var once sync.Once
				answered := func(throttled bool) { once.Do(func() { lim.release(throttled) }) }
				err := w.sendAnswered(ctx, p, op, &one, answered)
				answered(one.Throttled > 0) // a row sent no request
				mu.Lock()
				st.Add(one)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			})
		}
		if stopped() || ctx.Err() != nil {
			// Rows claimed but not sent (the pass stopped) keep their
			// lease and go out on the next pass, with the same key.
			wg.Wait()
			<-next
			break
		}
	}
	wg.Wait()
	if firstErr != nil {
		return st, firstErr
	}
	return st, ctx.Err()
}

// Add sums o into s.
func (s *Stats) Add(o Stats) {
	s.Sent += o.Sent
	s.Created += o.Created
	s.Attachments += o.Attachments
	s.Failed += o.Failed
	s.Retried += o.Retried
	s.Throttled += o.Throttled
}

// aimd bounds the rows in flight: up to max, halved on a throttling
// answer, grown by one after a window's worth of good answers.
type aimd struct {
	mu       sync.Mutex
	cond     *sync.Cond
	inflight int
	limit    float64
	max      float64
}

func newAIMD(n int) *aimd {
	a := &aimd{limit: float64(n), max: float64(n)}
	a.cond = sync.NewCond(&a.mu)
	return a
}

// acquire waits for room; false when ctx ended.
func (a *aimd) acquire(ctx context.Context) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for a.inflight >= int(a.limit) {
		if ctx.Err() != nil {
			return false
		}
		a.cond.Wait()
	}
	if ctx.Err() != nil {
		return false
	}
	a.inflight++
	return true
}

// release frees a place and adapts the window to the answer.
func (a *aimd) release(throttled bool) {
	a.mu.Lock()
	a.inflight--
	if throttled {
		a.limit = max(1, a.limit/2)
	} else {
		a.limit = min(a.max, a.limit+1/a.limit)
	}
	a.mu.Unlock()
	a.cond.Broadcast()
}

// send performs one row with portal p and records its outcome in the
// store.
func (w *Worker) send(ctx context.Context, p Portal, op core.Op, st *Stats) error {
	return w.sendAnswered(ctx, p, op, st, func(bool) {})
}

// sendAnswered is send, calling answered once the portal has answered,
// with whether it asked to slow down (429, 503), before the outcome is
// recorded: RunOnce then frees the request's place.
func (w *Worker) sendAnswered(ctx context.Context, p Portal, op core.Op, st *Stats, answered func(throttled bool)) error {
	d, err := core.DecodeStructurePayload(op.Payload)
	if err != nil {
		// Kept, not retried: a newer version's row waits for that
		// version; a damaged one for the user to save the form again.
		st.Failed++
		return w.Store.Fail(ctx, op.OpID, core.NoticeOf(err))
	}
	if w.Claim != nil && op.EntityType == core.EntityStructure {
		err := w.Claim(ctx, op.EntityID)
		if core.CodeOf(err) == api.CodeFirmClaimed {
			// A colleague sends it: this row is done, the structure
			// queued (by them) with the notice saying who; their
			// desktop's states reach this one through the firm.
			return w.Store.Complete(ctx, op.OpID, core.Sync{State: core.StateQueued, Notice: core.NoticeOf(err)}, nil)
		}
		if err != nil {
			return w.failure(ctx, op, err, st)
		}
	}
	switch op.Kind {
	case core.OpSubmitStructure:
		s, err := p.CreateStructure(ctx, op.OpID, d)
		answered(throttling(err))
		if core.CodeOf(err) == api.CodeStructureExists {
			// It exists on the portal: ask to be attached instead, in the
			// same transaction that closes this row.
			st.Sent++
			follow := &core.Op{OpID: AttachKey(op.OpID), Kind: core.OpRequestAttachment, Payload: op.Payload}
			return w.Store.Complete(ctx, op.OpID, core.Sync{State: core.StateSent}, follow)
		}
		if err != nil {
			return w.failure(ctx, op, err, st)
		}
		st.Sent++
		st.Created++
		return w.Store.Complete(ctx, op.OpID, core.Sync{State: core.StateCreated, PortalID: strconv.FormatInt(s.ID, 10)}, nil)
	case core.OpRequestAttachment:
		a, err := p.RequestAttachment(ctx, op.OpID, d.IdentifierType, d.Identifier)
		answered(throttling(err))
		if err != nil {
			return w.failure(ctx, op, err, st)
		}
		st.Sent++
		st.Attachments++
		state := core.StateAttachmentRequested
		switch a.Status {
		case api.AttachmentApproved:
			state = core.StateAttachmentApproved
		case api.AttachmentRefused:
			state = core.StateAttachmentRefused
		}
		return w.Store.Complete(ctx, op.OpID, core.Sync{State: state, PortalID: strconv.FormatInt(a.StructureID, 10)}, nil)
	}
	st.Failed++
	return w.Store.Fail(ctx, op.OpID, core.Notice{Code: CodeUnknownOp, Params: map[string]string{"kind": string(op.Kind)}})
}

// throttling reports whether err is the portal asking to slow down (429,
// 503).
func throttling(err error) bool {
	e := core.AsE(err)
	return e != nil && (e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable)
}

// CodeUnknownOp marks a row of a kind this build does not send (a newer
// version queued it, or the database was edited by hand); its payload's own
// problems are core.CodePayloadVersion and core.CodePayloadInvalid.
const CodeUnknownOp = "outbox.unknown_op"

// failure reschedules a retryable error and parks any other one as failed
// with the portal's notice (a code and its parameters, rendered in the
// user's language when shown).
func (w *Worker) failure(ctx context.Context, op core.Op, err error, st *Stats) error {
	if ctx.Err() != nil {
		// Stopped (the app is closing): leave the row as it is; its lease
		// runs out and the next run sends it again with the same key.
		return ctx.Err()
	}
	if errors.Is(err, core.ErrUnauthorized) {
		// The session expired: the row is fine, the credentials are not.
		// Keep it pending and stop this pass until the user signs in again.
		st.Retried++
		next := w.Now().Add(w.Backoff.Delay(op.Attempts, 0, nil))
		if rerr := w.Store.Reschedule(ctx, op.OpID, next, core.NoticeOf(err).Code); rerr != nil {
			return rerr
		}
		return err
	}
	if core.Retryable(err) {
		st.Retried++
		if throttling(err) {
			st.Throttled++
		}
		next := w.Now().Add(w.Backoff.Delay(op.Attempts, core.RetryAfterOf(err), nil))
		return w.Store.Reschedule(ctx, op.OpID, next, core.NoticeOf(err).Code)
	}
	st.Failed++
	return w.Store.Fail(ctx, op.OpID, core.NoticeOf(err))
}

// maxReadBack bounds the requests one pass reads back; the others wait
// for the next pass.
const maxReadBack = 5000

// ReadBack asks the portal what became of the attachment requests still
// pending here and records the managers' decisions. It returns how many
// changed.
func (w *Worker) ReadBack(ctx context.Context) (int, error) {
	_, p := w.Route()
	if p == nil || w.Structures == nil {
		return 0, nil
	}
	// Through the state index: a store of 10,000 structures with three
	// requests pending reads three rows, not ten thousand, at every pass.
	recs, err := w.Structures.StructuresInState(ctx, core.StateAttachmentRequested, maxReadBack)
	if err != nil || len(recs) == 0 {
		return 0, err
	}
	waiting := make(map[string]int64, len(recs))
	for _, r := range recs {
		waiting[r.Draft.Key()] = r.ID
	}
	list, err := p.MyAttachments(ctx)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, a := range list {
		id, ok := waiting[string(a.IdentifierType)+":"+a.Identifier]
		if !ok {
			continue
		}
		state := map[string]core.SyncState{api.AttachmentApproved: core.StateAttachmentApproved, api.AttachmentRefused: core.StateAttachmentRefused}[a.Status]
		if state == "" {
			continue
		}
		if err := w.Structures.SetSync(ctx, id, core.Sync{State: state, PortalID: strconv.FormatInt(a.StructureID, 10)}); err != nil {
			return changed, err
		}
		changed++
	}
	return changed, nil
}
