package onboarding_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// The two outbox races a review found (issue 29, items 4 and 5), and the
// shutdown order (item 6).

// TestDiscardWhileBeingSent (item 4): the sync panel's discard of one
// structure whose row the worker holds leaves it as it is and says so; the
// structure created on the portal meanwhile keeps its portal id. Before,
// the single-row discard had none of the bulk discard's guard: the row was
// dropped, the structure left a draft, and queued again it got a new key
// the portal refused as existing.
func TestDiscardWhileBeingSent(t *testing.T) {
	f := newFixture(t)
	f.signedIn(t, "ana@example.fr")
	ctx := t.Context()
	rec, _, err := f.svc.Structures.Save(ctx, 0, draft("73282932000074"), true)
	if err != nil {
		t.Fatal(err)
	}
	// The worker claims the row (a long request under way).
	claimed, err := f.store.Outbox.ClaimDue(ctx, core.TargetLocal, time.Now(), 10, time.Hour)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %d rows, %v", len(claimed), err)
	}
	if err := f.svc.Sync.Discard(ctx, rec.ID); core.CodeOf(err) != onboarding.CodeBeingSent || core.KindOf(err) != core.KindConflict {
		t.Fatalf("discarding a row being sent: %v, want %s", err, onboarding.CodeBeingSent)
	}
	// The portal answers: the structure is created and keeps its id.
	if err := f.store.Outbox.Complete(ctx, claimed[0].OpID, core.Sync{State: core.StateCreated, PortalID: "42"}, nil); err != nil {
		t.Fatalf("the worker's completion after the discard: %v", err)
	}
	got, err := f.store.Structures.Structure(ctx, rec.ID)
	if err != nil || got.Sync.State != core.StateCreated || got.Sync.PortalID != "42" {
		t.Fatalf("after the portal's answer: %+v %v", got.Sync, err)
	}
	// A structure nobody sends goes back to draft as before.
	other, _, err := f.svc.Structures.Save(ctx, 0, draft("44306184100047"), true)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Sync.Discard(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.store.Structures.Structure(ctx, other.ID); got.Sync.State != core.StateDraft {
		t.Fatalf("a queued structure nobody sends: %s after discard", got.Sync.State)
	}
}

// TestRetryNowLeavesLeases (item 5): "retry now" makes rows due and
// nothing else; a row a pass holds stays that pass's, so a second pass
// does not send it again (before, its lease was cleared: two passes sent
// it, and the first's late reschedule failed the pass).
func TestRetryNowLeavesLeases(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for _, siret := range []string{"73282932000074", "44306184100047"} {
		if _, _, err := f.svc.Structures.Save(ctx, 0, draft(siret), true); err != nil {
			t.Fatal(err)
		}
	}
	held, err := f.store.Outbox.ClaimDue(ctx, core.TargetLocal, time.Now(), 1, time.Hour)
	if err != nil || len(held) != 1 {
		t.Fatalf("claim: %d %v", len(held), err)
	}
	ops, _ := f.store.Outbox.Ops(ctx)
	for _, o := range ops {
		if o.OpID != held[0].OpID {
			if err := f.store.Outbox.Reschedule(ctx, o.OpID, time.Now().Add(time.Hour), "503"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.store.Outbox.RetryNow(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := f.store.Outbox.ClaimDue(ctx, core.TargetLocal, time.Now().Add(time.Second), 10, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var claimedIDs []string
	for _, o := range again {
		claimedIDs = append(claimedIDs, o.OpID)
	}
	if len(again) != 1 || again[0].OpID == held[0].OpID {
		t.Fatalf("after retry now, a second pass claimed %v: want only the backed-off row, not %s, held by the first", claimedIDs, held[0].OpID)
	}
	// The first pass's late reschedule still finds its row.
	if err := f.store.Outbox.Reschedule(ctx, held[0].OpID, time.Now(), "timeout"); err != nil {
		t.Fatalf("the holder's reschedule: %v", err)
	}
}

// guardedStates counts the worker's calls on the store that end after
// the store was closed; the counts after a pass wait a little, so that a
// worker still running when the store closes is caught in the act.
type guardedStates struct {
	core.StructureStore
	closed, late atomic.Bool
	counted      chan struct{}
}

func (g *guardedStates) CountStructures(ctx context.Context) (map[core.SyncState]int, error) {
	time.Sleep(50 * time.Millisecond)
	defer func() {
		if g.closed.Load() {
			g.late.Store(true)
		}
		select {
		case g.counted <- struct{}{}:
		default:
		}
	}()
	return g.StructureStore.CountStructures(context.WithoutCancel(ctx))
}

// TestStopWaitsForTheWorker (item 6): stopping the app's worker cancels
// it and returns once it has returned, so the store closes after its last
// write; before, the app closed the store while the worker still ran.
func TestStopWaitsForTheWorker(t *testing.T) {
	inFlight := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == api.PathStructures {
			// Read the body: only then does the server notice the client
			// hanging up.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case inFlight <- struct{}{}:
			default:
			}
			<-r.Context().Done() // answers only when the client gives up
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	defer slow.Close()
	st, err := sqlite.Open(t.Context(), filepath.Join(testos.TempDir(t), "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	stores := connect.Stores(st)
	guard := &guardedStates{StructureStore: stores.Structures, counted: make(chan struct{}, 1)}
	stores.Structures = guard
	svc, err := onboarding.New(t.Context(), stores, onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: testos.TempDir(t),
		Connect: func(onboarding.TargetSpec) onboarding.Target {
			return onboarding.Target{Portal: portal.NewOnboarding(slow.URL, nil)}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Structures.Save(t.Context(), 0, draft("73282932000074"), true); err != nil {
		t.Fatal(err)
	}
	stop := svc.Sync.Start(context.Background(), time.Hour, nil)
	select {
	case <-inFlight:
	case <-time.After(30 * time.Second):
		t.Fatal("the worker sent nothing")
	}
	stop()
	guard.closed.Store(true)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// A worker still running would be counting now: wait for that count
	// to end (it was already over if stop waited for the worker).
	select {
	case <-guard.counted:
	case <-time.After(5 * time.Second):
	}
	if guard.late.Load() {
		t.Fatal("the worker used the store after it was closed")
	}
}
