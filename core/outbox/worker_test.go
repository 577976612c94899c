package outbox

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestBackoffProperties draws 10,000 delays per attempt number: each is in
// [0, min(cap, base·2^(n-1))], their mean is within 5 % of half that bound,
// and a Retry-After (capped) is always honoured.
func TestBackoffProperties(t *testing.T) {
	b := Backoff{Base: 10 * time.Millisecond, Cap: time.Second, MaxRetryAfter: 3 * time.Second}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 11; n++ {
		bound := min(b.Cap, b.Base<<(n-1))
		var sum time.Duration
		for range 10_000 {
			d := b.Delay(n, 0, rng)
			if d < 0 || d > bound {
				t.Fatalf("attempt %d: delay %v outside [0, %v]", n, d, bound)
			}
			sum += d
		}
		mean := sum / 10_000
		if diff := mean - bound/2; diff > bound/20 || diff < -bound/20 {
			t.Errorf("attempt %d: mean %v, want %v ± 5%%", n, mean, bound/2)
		}
		for _, ra := range []time.Duration{500 * time.Millisecond, 10 * time.Second} {
			if d := b.Delay(n, ra, rng); d < min(ra, b.MaxRetryAfter) {
				t.Fatalf("attempt %d: %v ignores Retry-After %v", n, d, ra)
			}
		}
	}
	if d := b.Delay(1000, 0, rng); d > b.Cap {
		t.Fatalf("huge attempt number: %v", d)
	}
}

type env struct {
	store  *sqlite.DB
	sim    *sim.Server
	client *portal.Onboarding
}

func setup(t *testing.T, faultRate float64) *env {
	t.Helper()
	srv, err := sim.New(t.Context(), sim.Config{SecondFactorOff: true, DataDir: testos.TempDir(t), Sandbox: true, FaultRate: faultRate, Seed: 42, PasswordIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	if err := srv.SeedAccount(t.Context(), "worker@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	if err := srv.SeedStructure(t.Context(), "73282932000074", "ATELIERS"); err != nil {
		t.Fatal(err)
	}
	c := portal.NewOnboarding(hs.URL, &http.Client{Timeout: 5 * time.Second})
	for {
		if _, err := c.SignIn(t.Context(), "worker@example.fr", "Tr0ub4dor&3x-Lune"); err == nil {
			break
		} else if !core.Retryable(err) {
			t.Fatal(err)
		}
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(testos.TempDir(t), "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &env{store: st, sim: srv, client: c}
}

func queue(t *testing.T, st core.StructureStore, sirets ...string) {
	t.Helper()
	for _, s := range sirets {
		d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: s, Kind: core.KindPrivate, CompanyName: "S " + s,
			Address: "1 rue", City: "Paris", PostalCode: "75002", Country: "FR"}
		if _, _, err := st.SaveStructure(t.Context(), core.SaveStructure{Checked: core.CheckStructure(d), Queue: true}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCreateAndAttach(t *testing.T) {
	e := setup(t, 0)
	queue(t, e.store.Structures, "35600000049837", "73282932000074")
	w := New(e.store.Outbox, e.store.Structures, e.client)
	st, err := w.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Created != 1 || st.Attachments != 1 || st.Failed != 0 {
		t.Fatalf("stats %+v", st)
	}
	created := mustStructure(t, e.store.Structures, "35600000049837")
	existing := mustStructure(t, e.store.Structures, "73282932000074")
	if created.Sync.State != core.StateCreated || created.Sync.PortalID == "" || existing.Sync.State != core.StateAttachmentRequested {
		t.Fatalf("states %+v / %+v", created.Sync, existing.Sync)
	}
	// Replaying the same operations changes nothing on the portal.
	for _, op := range mustOps(t, e.store) {
		if op.Kind == core.OpSubmitStructure {
			_, err := e.client.CreateStructure(t.Context(), op.OpID, decode(t, op.Payload))
			if op.EntityID == existing.ID {
				if core.CodeOf(err) != api.CodeStructureExists || core.AsE(err).Param(portal.ParamStructureID) == "" {
					t.Fatalf("replay of the conflicting creation: %v", err)
				}
			} else if err != nil {
				t.Fatalf("replay: %v", err)
			}
		}
	}
	mine, _ := e.client.MyAttachments(t.Context())
	if len(mine) != 1 {
		t.Fatalf("%d attachment requests, want exactly 1", len(mine))
	}
}

func TestRefusedIsParked(t *testing.T) {
	e := setup(t, 0)
	// A row the portal refuses: queued by an older version whose rules
	// let this SIRET through (the store takes only what today's rules
	// pass, so the row's payload is written as that version left it).
	d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "73282932000079", Kind: core.KindPrivate, CompanyName: "Bad",
		Address: "1 rue", City: "Paris", PostalCode: "75002", Country: "FR"}
	valid := d
	valid.Identifier = "35600000049837"
	if _, _, err := e.store.Structures.SaveStructure(t.Context(), core.SaveStructure{Checked: core.CheckStructure(valid), Queue: true}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", e.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.ExecContext(t.Context(), `UPDATE structure SET identifier = ?`, d.Identifier)
	if err == nil {
		_, err = raw.ExecContext(t.Context(), `UPDATE outbox SET payload = ?`, core.EncodeStructurePayload(d))
	}
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err := New(e.store.Outbox, e.store.Structures, e.client).RunOnce(t.Context())
	if err != nil || st.Failed != 1 || st.Retried != 0 {
		t.Fatalf("%+v %v", st, err)
	}
	rec := mustStructure(t, e.store.Structures, "73282932000079")
	if rec.Sync.State != core.StateFailed || rec.Sync.Notice.Code != api.CodeInvalid || len(rec.Sync.Notice.Problems) == 0 {
		t.Fatalf("parked %+v", rec.Sync)
	}
}

// TestNewerPayloadIsKept: a row whose payload a newer version wrote (a
// database carried back to an older install) is parked with a notice that
// says so, never sent half understood, and never retried in a loop.
func TestNewerPayloadIsKept(t *testing.T) {
	e := setup(t, 0)
	queue(t, e.store.Structures, "35600000049837")
	ops, err := e.store.Outbox.ClaimDue(t.Context(), core.TargetLocal, time.Now(), 1, time.Minute)
	if err != nil || len(ops) != 1 {
		t.Fatalf("%v %v", ops, err)
	}
	newer := &core.Op{OpID: "newer-1", Kind: core.OpRequestAttachment, Payload: []byte(`{"v":3,"structure":{"identifier":"35600000049837","siren_tva":"x"}}`)}
	if err := e.store.Outbox.Complete(t.Context(), ops[0].OpID, core.Sync{State: core.StateSent}, newer); err != nil {
		t.Fatal(err)
	}
	st, err := New(e.store.Outbox, e.store.Structures, e.client).RunOnce(t.Context())
	if err != nil || st.Failed != 1 || st.Retried != 0 || st.Sent != 0 {
		t.Fatalf("%+v %v", st, err)
	}
	rec := mustStructure(t, e.store.Structures, "35600000049837")
	if rec.Sync.State != core.StateFailed || rec.Sync.Notice.Code != core.CodePayloadVersion || rec.Sync.Notice.Params["version"] != "3" {
		t.Fatalf("parked %+v", rec.Sync)
	}
	if mine, _ := e.client.MyAttachments(t.Context()); len(mine) != 0 {
		t.Fatalf("sent anyway: %+v", mine)
	}
}

// TestThroughFaults: 200 structures (20 already on the portal) through a
// portal failing 30 % of requests, resets after commit included: every one
// ends created or attached, exactly once.
func TestThroughFaults(t *testing.T) {
	e := setup(t, 0.3)
	sirets := coretest.SIRETs(200)
	for _, s := range sirets[:20] {
		if err := e.sim.SeedStructure(t.Context(), s, "EXISTING"); err != nil {
			t.Fatal(err)
		}
	}
	queue(t, e.store.Structures, sirets...)
	w := New(e.store.Outbox, e.store.Structures, e.client)
	w.Backoff = Backoff{Base: time.Millisecond, Cap: 20 * time.Millisecond, MaxRetryAfter: 20 * time.Millisecond}
	// A virtual clock: instead of sleeping until backed-off rows are due,
	// each pass moves time to when the next one is.
	now := time.Now()
	w.Now = func() time.Time { return now }
	for pass := 0; ; pass++ {
		if _, err := w.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		counts, err := e.store.Structures.CountStructures(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if counts[core.StateCreated]+counts[core.StateAttachmentRequested] == 200 {
			if counts[core.StateCreated] != 180 || counts[core.StateAttachmentRequested] != 20 {
				t.Fatalf("counts %v", counts)
			}
			break
		}
		if counts[core.StateFailed] > 0 || pass > 10_000 {
			t.Fatalf("pass %d: counts %v", pass, counts)
		}
		_, next, err := e.store.Outbox.Pending(t.Context(), core.TargetLocal)
		if err != nil {
			t.Fatal(err)
		}
		if next.After(now) {
			now = next
		}
		now = now.Add(time.Millisecond)
	}
	mine, _ := attachmentsRetrying(t, e.client)
	if mine != 20 {
		t.Fatalf("%d attachment requests on the portal, want 20", mine)
	}
}

func attachmentsRetrying(t *testing.T, c *portal.Onboarding) (int, error) {
	for {
		a, err := c.MyAttachments(context.Background())
		if err == nil {
			return len(a), nil
		}
		if !core.Retryable(err) {
			t.Fatal(err)
		}
	}
}

func mustOps(t *testing.T, st *sqlite.DB) []core.Op {
	t.Helper()
	ops, err := st.Outbox.Ops(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

func mustStructure(t *testing.T, st core.StructureStore, siret string) core.StructureRecord {
	t.Helper()
	rec, err := coretest.StructureByKey(t.Context(), st, core.IDSIRET, siret)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func decode(t *testing.T, b []byte) core.StructureDraft {
	d, err := core.DecodeStructurePayload(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestClockSkew: the portal's clock is 3 hours or a day off ours, either
// way; sync still creates everything (expiries are decided by each side on
// its own clock, never by comparing the two).
func TestClockSkew(t *testing.T) {
	for _, skew := range []time.Duration{3 * time.Hour, -3 * time.Hour, 24 * time.Hour, -24 * time.Hour} {
		t.Run(skew.String(), func(t *testing.T) {
			srv, err := sim.New(t.Context(), sim.Config{SecondFactorOff: true, DataDir: testos.TempDir(t), PasswordIterations: 1000,
				Now: func() time.Time { return time.Now().Add(skew) }})
			if err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(srv.Handler())
			t.Cleanup(func() { hs.Close(); srv.Close() })
			if err := srv.SeedAccount(t.Context(), "skew@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
				t.Fatal(err)
			}
			c := portal.NewOnboarding(hs.URL, nil)
			if _, err := c.SignIn(t.Context(), "skew@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
				t.Fatal(err)
			}
			st, err := sqlite.Open(t.Context(), filepath.Join(testos.TempDir(t), "onboard.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			queue(t, st.Structures, coretest.SIRETs(5)...)
			res, err := New(st.Outbox, st.Structures, c).RunOnce(t.Context())
			if err != nil || res.Created != 5 || res.Failed != 0 {
				t.Fatalf("skew %v: %+v %v", skew, res, err)
			}
		})
	}
}

// TestRunWakesAndReports: Run sends what is queued when notified and
// reports online status and counts; with the portal down it reports offline
// and keeps the rows.
func TestRunWakesAndReports(t *testing.T) {
	e := setup(t, 0)
	w := New(e.store.Outbox, e.store.Structures, e.client)
	reports := make(chan Status, 16)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go w.Run(ctx, e.client, time.Hour, func(s Status) { reports <- s })
	first := <-reports
	if !first.Online || first.Pending != 0 {
		t.Fatalf("first report %+v", first)
	}
	queue(t, e.store.Structures, coretest.SIRETs(3)...)
	w.Notify()
	second := <-reports
	if second.Last.Created != 3 || second.Pending != 0 {
		t.Fatalf("after notify %+v", second)
	}
	cancel()

	down := New(e.store.Outbox, e.store.Structures, e.client)
	queue(t, e.store.Structures, "35600000049837")
	reports2 := make(chan Status, 4)
	ctx2, cancel2 := context.WithCancel(t.Context())
	go down.Run(ctx2, unreachable{}, time.Hour, func(s Status) { reports2 <- s })
	r := <-reports2
	cancel2()
	if r.Online || r.Pending != 1 {
		t.Fatalf("offline report %+v", r)
	}
}

type unreachable struct{}

func (unreachable) Health(context.Context) error { return core.ErrUnavailable }

// TestReadBack: a manager's decision on the portal reaches the local state.
func TestReadBack(t *testing.T) {
	e := setup(t, 0)
	queue(t, e.store.Structures, "73282932000074") // seeded: becomes an attachment request
	w := New(e.store.Outbox, e.store.Structures, e.client)
	if _, err := w.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	manager := portal.NewOnboarding(e.client.BaseURL(), nil)
	if _, err := manager.SignIn(t.Context(), sim.ManagerEmail("73282932000074"), sim.ManagerPassword("73282932000074")); err != nil {
		t.Fatal(err)
	}
	pending, err := manager.PendingAttachments(t.Context())
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending %+v", pending)
	}
	if n, err := w.ReadBack(t.Context()); err != nil || n != 0 {
		t.Fatalf("before the decision: %d %v", n, err)
	}
	if _, err := manager.DecideAttachment(t.Context(), "", pending[0].ID, true); err != nil {
		t.Fatal(err)
	}
	if n, err := w.ReadBack(t.Context()); err != nil || n != 1 {
		t.Fatalf("after the decision: %d %v", n, err)
	}
	rec := mustStructure(t, e.store.Structures, "73282932000074")
	if rec.Sync.State != core.StateAttachmentApproved {
		t.Fatalf("state %s", rec.Sync.State)
	}
}

// TestRetryNowAndDiscard: "retry now" makes backed-off rows due; discard
// takes a refused structure back to draft without its rows.
func TestRetryNowAndDiscard(t *testing.T) {
	e := setup(t, 0)
	queue(t, e.store.Structures, "35600000049837")
	ops := mustOps(t, e.store)
	if err := e.store.Outbox.Reschedule(t.Context(), ops[0].OpID, time.Now().Add(time.Hour), "503"); err != nil {
		t.Fatal(err)
	}
	if due, _ := e.store.Outbox.ClaimDue(t.Context(), core.TargetLocal, time.Now(), 10, time.Millisecond); len(due) != 0 {
		t.Fatal("due before retry now")
	}
	if err := e.store.Outbox.RetryNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	due, _ := e.store.Outbox.ClaimDue(t.Context(), core.TargetLocal, time.Now().Add(time.Millisecond), 10, time.Millisecond)
	if len(due) != 1 {
		t.Fatalf("due after retry now: %d", len(due))
	}
	// The pass that claimed it fails again and lets it go.
	if err := e.store.Outbox.Reschedule(t.Context(), due[0].OpID, time.Now().Add(time.Hour), "503"); err != nil {
		t.Fatal(err)
	}
	rec := mustStructure(t, e.store.Structures, "35600000049837")
	if n, err := e.store.Workspace.DiscardMany(t.Context(), []int64{rec.ID}); err != nil || n != 1 {
		t.Fatalf("discard: %d %v", n, err)
	}
	rec = mustStructure(t, e.store.Structures, "35600000049837")
	if rec.Sync.State != core.StateDraft || len(mustOps(t, e.store)) != 0 {
		t.Fatalf("after discard: %s, %d rows", rec.Sync.State, len(mustOps(t, e.store)))
	}
}

// TestExpiredSessionKeepsRows: a 401 stops the pass and leaves the row
// pending for after the next sign-in, never parked as refused.
func TestExpiredSessionKeepsRows(t *testing.T) {
	e := setup(t, 0)
	queue(t, e.store.Structures, "35600000049837")
	e.client.SetSession("expired")
	_, err := New(e.store.Outbox, e.store.Structures, e.client).RunOnce(t.Context())
	if !errors.Is(err, core.ErrUnauthorized) {
		t.Fatalf("RunOnce: %v", err)
	}
	rec := mustStructure(t, e.store.Structures, "35600000049837")
	ops := mustOps(t, e.store)
	if rec.Sync.State != core.StateQueued || ops[0].State != core.OpPending {
		t.Fatalf("after 401: %s / %s", rec.Sync.State, ops[0].State)
	}
}
