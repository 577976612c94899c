package firm_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/firm"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/internal/pgtest"
	"github.com/chorusonboard/chorus-onboard/internal/portaltest"
)

const password = "Tr0ub4dor&3x-Lune"

// portalEnv is a chorus-sim on loopback with its firm workspace, and an
// operator's handle on that workspace.
type portalEnv struct {
	srv  *sim.Server
	http *httptest.Server
	ops  *firm.Server
}

func start(t *testing.T) *portalEnv {
	t.Helper()
	return startWith(t, sim.Config{Sandbox: true, SecondFactorOff: true})
}

// startWith starts the portal of cfg with the firm's store on the engine
// the test runs on (TestFirm's sub-test names it).
func startWith(t *testing.T, cfg sim.Config) *portalEnv {
	t.Helper()
	if engineOf(t) == sqldbPostgres {
		cfg.Database = pgtest.Database(t)
	}
	p := portaltest.Start(t, cfg)
	return &portalEnv{srv: p.Sim, http: p.HTTP, ops: p.Sim.Firm()}
}

// sqldbPostgres names the PostgreSQL engine in the sub-tests' names.
const sqldbPostgres = "postgres"

// engineOf is the engine a test of TestFirm runs on: the second part of
// its name ("TestFirm/postgres/Feed").
func engineOf(t *testing.T) string {
	parts := strings.Split(t.Name(), "/")
	if len(parts) < 2 {
		t.Fatalf("%s: run through TestFirm, which names the engine", t.Name())
	}
	return parts[1]
}

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestFirm runs every test of the firm's server on both engines of its
// store: SQLite (the default) and PostgreSQL (a real server, pgtest).
func TestFirm(t *testing.T) {
	tests := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"WritesNameTheirRevision", testWritesNameTheirRevision},
		{"ParallelWritesOnOneClient", testParallelWritesOnOneClient},
		{"Feed", testFeed},
		{"BadWritesChangeNothing", testBadWritesChangeNothing},
		{"FirmsApart", testFirmsApart},
		{"RestoreDeleted", testRestoreDeleted},
		{"RemovedMember", testRemovedMember},
		{"InvitationJoin", testInvitationJoin},
		{"AuditKeptAYear", testAuditKeptAYear},
	}
	for _, engine := range []string{"sqlite", sqldbPostgres} {
		t.Run(engine, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, tc.fn)
			}
		})
	}
}

// person seeds an account and signs in; it returns its firm client.
func (e *portalEnv) person(t *testing.T, email string) *portal.Firm {
	t.Helper()
	if err := e.srv.SeedPerson(t.Context(), email, password, strings.Split(email, "@")[0], "Test"); err != nil {
		t.Fatal(err)
	}
	c := portal.NewOnboarding(e.http.URL, nil)
	if _, err := c.SignIn(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	return c.Firm()
}

// firmOf creates a firm with an admin and members by role, each signed in.
func (e *portalEnv) firmOf(t *testing.T, name, admin string, members map[string]string) map[string]*portal.Firm {
	t.Helper()
	out := map[string]*portal.Firm{admin: e.person(t, admin)}
	if err := e.ops.CreateFirm(t.Context(), name, admin); err != nil {
		t.Fatal(err)
	}
	for email, role := range members {
		out[email] = e.person(t, email)
		if err := e.ops.AddMember(t.Context(), name, email, role); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func fields(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// testWritesNameTheirRevision: a write on the current revision is taken
// and numbered; one on an older revision is refused with the current
// version; creating a client the firm has is refused with it; nothing is
// overwritten silently.
func testWritesNameTheirRevision(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	f := e.firmOf(t, "Cabinet Martin", "ana@cabinet.example", map[string]string{"bob@cabinet.example": api.FirmEveryClient})
	ana, bob := f["ana@cabinet.example"], f["bob@cabinet.example"]
	cl, err := ana.Create(ctx, "c-1", api.FirmWrite{Fields: fields(core.FieldIdentifierType, "SIRET", core.FieldIdentifier, "73282932000074",
		core.FieldCompanyName, "Ateliers Dupont"), Device: "PC-ANA"})
	if err != nil || cl.Revision != 1 || cl.InChargeEmail != "ana@cabinet.example" {
		t.Fatalf("create: %+v %v", cl, err)
	}
	// The same key again: the same answer, no second client.
	again, err := ana.Create(ctx, "c-1", api.FirmWrite{Fields: fields(core.FieldIdentifierType, "SIRET", core.FieldIdentifier, "73282932000074",
		core.FieldCompanyName, "Ateliers Dupont"), Device: "PC-ANA"})
	if err != nil || again.ID != cl.ID {
		t.Fatalf("replayed create: %+v %v", again, err)
	}
	// Bob creates the same company: refused with Ana's version.
	_, err = bob.Create(ctx, "", api.FirmWrite{Fields: fields(core.FieldIdentifierType, "SIRET", core.FieldIdentifier, "73282932000074",
		core.FieldCity, "Paris")})
	if st, ok := portal.StaleOf(err); !ok || core.CodeOf(err) != api.CodeFirmExists || st.Current.ID != cl.ID {
		t.Fatalf("a duplicate: %v", err)
	}
	up, err := bob.Update(ctx, "", cl.ID, api.FirmWrite{BaseRevision: 1, Fields: fields(core.FieldCity, "Paris")})
	if err != nil || up.Revision != 2 || up.Fields[core.FieldCity] != "Paris" || up.UpdatedBy != "bob@cabinet.example" {
		t.Fatalf("update: %+v %v", up, err)
	}
	_, err = ana.Update(ctx, "", cl.ID, api.FirmWrite{BaseRevision: 1, Fields: fields(core.FieldCity, "Lyon")})
	st, ok := portal.StaleOf(err)
	if !ok || core.CodeOf(err) != api.CodeFirmStale || st.Current.Revision != 2 || st.Current.Fields[core.FieldCity] != "Paris" {
		t.Fatalf("a stale write: %v", err)
	}
	hist, err := ana.History(ctx, cl.ID)
	if err != nil || len(hist) < 2 || hist[0].Field != core.FieldCity || hist[0].Old != "" || hist[0].New != "Paris" || hist[0].By != "bob@cabinet.example" {
		t.Fatalf("history: %+v %v", hist, err)
	}
}

// testParallelWritesOnOneClient: 300 writes at once on one client, all
// from the same revision: exactly one is accepted per revision; the
// others are told the current version.
func testParallelWritesOnOneClient(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	f := e.firmOf(t, "Cabinet Martin", "ana@cabinet.example", nil)
	ana := f["ana@cabinet.example"]
	cl, err := ana.Create(ctx, "", api.FirmWrite{Fields: fields(core.FieldCompanyName, "Ateliers")})
	if err != nil {
		t.Fatal(err)
	}
	var ok, stale atomic.Int64
	var wg sync.WaitGroup
	for i := range 300 {
		wg.Go(func() {
			_, err := ana.Update(ctx, "", cl.ID, api.FirmWrite{BaseRevision: cl.Revision, Fields: fields(core.FieldClientNote, fmt.Sprint("note ", i))})
			switch _, isStale := portal.StaleOf(err); {
			case err == nil:
				ok.Add(1)
			case isStale:
				stale.Add(1)
			default:
				t.Errorf("write %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || stale.Load() != 299 {
		t.Fatalf("%d accepted, %d told the current version", ok.Load(), stale.Load())
	}
}

// testFeed: a colleague's change arrives through the feed in order; a
// waiting reader is answered as soon as it commits; a member on assigned
// clients gets only theirs, and a Gone when one leaves their charge; a
// malformed, future or oversized request is refused with a coded error.
func testFeed(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	f := e.firmOf(t, "Cabinet Martin", "ana@cabinet.example", map[string]string{
		"bob@cabinet.example": api.FirmEveryClient, "zoe@cabinet.example": api.FirmAssigned})
	ana, bob, zoe := f["ana@cabinet.example"], f["bob@cabinet.example"], f["zoe@cabinet.example"]
	members, err := ana.Members(ctx)
	if err != nil || len(members) != 3 {
		t.Fatal(members, err)
	}
	var zoeID int64
	for _, m := range members {
		if m.Email == "zoe@cabinet.example" {
			zoeID = m.AccountID
		}
	}
	var ids []int64
	for i := range 5 {
		cl, err := ana.Create(ctx, "", api.FirmWrite{Fields: fields(core.FieldCompanyName, fmt.Sprint("Client ", i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cl.ID)
	}
	page, err := bob.Feed(ctx, 0, 2, 0)
	if err != nil || len(page.Entries) != 2 || !page.More {
		t.Fatalf("first page: %+v %v", page, err)
	}
	rest, err := bob.Feed(ctx, page.Cursor, 100, 0)
	if err != nil || len(rest.Entries) != 3 || rest.More {
		t.Fatalf("second page: %+v %v", rest, err)
	}
	// Zoé sees none: none is hers.
	if z, err := zoe.Feed(ctx, 0, 100, 0); err != nil || len(z.Entries) != 0 {
		t.Fatalf("Zoé's feed: %+v %v", z, err)
	}
	zc := int64(0)
	if z, _ := zoe.Feed(ctx, 0, 100, 0); true {
		zc = z.Cursor
	}

	// Bob waits; Ana's change wakes him.
	done := make(chan api.FeedPage, 1)
	start := time.Now()
	go func() {
		p, err := bob.Feed(ctx, rest.Cursor, 100, 10)
		if err != nil {
			t.Error(err)
		}
		done <- p
	}()
	time.Sleep(100 * time.Millisecond)
	if _, err := ana.Update(ctx, "", ids[0], api.FirmWrite{BaseRevision: 1, Fields: fields(core.FieldCity, "Lyon")}); err != nil {
		t.Fatal(err)
	}
	got := <-done
	if len(got.Entries) != 1 || got.Entries[0].Client.Fields[core.FieldCity] != "Lyon" {
		t.Fatalf("the waiting reader got %+v", got)
	}
	t.Logf("a colleague's change reached the waiting reader in %v", time.Since(start).Round(time.Millisecond))

	// Assigned to Zoé: it appears in her feed; assigned away: gone.
	if err := ana.Assign(ctx, "", ids[1:3], zoeID); err != nil {
		t.Fatal(err)
	}
	z, err := zoe.Feed(ctx, zc, 100, 0)
	if err != nil || len(z.Entries) != 2 || z.Entries[0].Client == nil {
		t.Fatalf("Zoé after the assignment: %+v %v", z, err)
	}
	if err := ana.Assign(ctx, "", ids[1:2], 0); err != nil {
		t.Fatal(err)
	}
	z2, err := zoe.Feed(ctx, z.Cursor, 100, 0)
	if err != nil || len(z2.Entries) != 1 || z2.Entries[0].Gone != ids[1] {
		t.Fatalf("Zoé after the reassignment: %+v %v", z2, err)
	}
	// She may not read or write the one she lost, nor any other.
	for _, id := range []int64{ids[0], ids[1]} {
		if _, err := zoe.Update(ctx, "", id, api.FirmWrite{BaseRevision: 1, Fields: fields(core.FieldCity, "X")}); core.KindOf(err) != core.KindNotFound {
			t.Errorf("Zoé writes client %d: %v", id, err)
		}
		if _, err := zoe.History(ctx, id); core.KindOf(err) != core.KindNotFound {
			t.Errorf("Zoé reads client %d's history: %v", id, err)
		}
	}

	// Bad requests: coded, in both languages, nothing changed.
	for _, q := range []string{"cursor=abc", "cursor=-1", "cursor=999999", "limit=1000000000", "limit=0", "wait=100"} {
		res := raw(t, e, "ana@cabinet.example", http.MethodGet, api.PathFirmFeed+"?"+q, "")
		if res.status != http.StatusBadRequest || !strings.Contains(res.body, `"fr"`) || !strings.Contains(res.body, "firm.") {
			t.Errorf("feed?%s: %d %s", q, res.status, res.body)
		}
	}
}

// testBadWritesChangeNothing: unknown fields, a note over its limit, a
// value that is not valid: a coded error, nothing written.
func testBadWritesChangeNothing(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	f := e.firmOf(t, "Cabinet Martin", "ana@cabinet.example", nil)
	ana := f["ana@cabinet.example"]
	cl, err := ana.Create(ctx, "", api.FirmWrite{Fields: fields(core.FieldCompanyName, "Ateliers")})
	if err != nil {
		t.Fatal(err)
	}
	path := strings.Replace(api.PathFirmClient, "{id}", fmt.Sprint(cl.ID), 1)
	for _, tt := range []struct{ body, code string }{
		{`{"base_revision":1,"fields":{"salary":"1"}}`, core.CodeUnknownField},
		{`{"base_revision":1,"fields":{"note":"` + strings.Repeat("é", core.MaxClientNote+1) + `"}}`, core.CodeTooLong},
		{`{"base_revision":1,"fields":{"state":"stolen"}}`, core.CodeInvalidValue},
		{`{"base_revision":1,"fields":{},"extra":true}`, api.CodeMalformed},
		{`{"base_revision":-4,"fields":{}}`, api.CodeFirmLimit},
	} {
		res := raw(t, e, "ana@cabinet.example", http.MethodPut, path, tt.body)
		if res.status != http.StatusBadRequest || !strings.Contains(res.body, tt.code) || !strings.Contains(res.body, `"en"`) {
			t.Errorf("%.60s: %d %s", tt.body, res.status, res.body)
		}
	}
	h, err := ana.History(ctx, cl.ID)
	if err != nil || len(h) != 1 {
		t.Fatalf("after the refusals, the history holds %d entries: %v", len(h), err)
	}
}

// testFirmsApart: a member of firm A gets 403 or 404 for every read and
// write of firm B's clients, members and audit, forged ids included; B's
// idempotency key and feed cursor replayed by A give A nothing of B's.
func testFirmsApart(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	a := e.firmOf(t, "Cabinet A", "ana@a.example", nil)["ana@a.example"]
	b := e.firmOf(t, "Cabinet B", "bea@b.example", nil)["bea@b.example"]
	bc, err := b.Create(ctx, "k-secret", api.FirmWrite{Fields: fields(core.FieldCompanyName, "Secret client")})
	if err != nil {
		t.Fatal(err)
	}
	// B's idempotency key replayed by A with the same body: A's own
	// write, in A's firm, never B's answer.
	ac, err := a.Create(ctx, "k-secret", api.FirmWrite{Fields: fields(core.FieldCompanyName, "Secret client")})
	if err != nil || ac.ID == bc.ID {
		t.Fatalf("B's key replayed by A: %+v %v", ac, err)
	}
	// B's cursor replayed by A: past A's firm's head, refused.
	bPage, err := b.Feed(ctx, 0, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, city := range []string{"Paris", "Lyon", "Lille"} {
		if bc, err = b.Update(ctx, "", bc.ID, api.FirmWrite{BaseRevision: bc.Revision, Fields: fields(core.FieldCity, city)}); err != nil {
			t.Fatal(err)
		}
	}
	bPage, err = b.Feed(ctx, bPage.Cursor, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if page, err := a.Feed(ctx, bPage.Cursor, 100, 0); core.CodeOf(err) != api.CodeFirmCursor {
		t.Fatalf("B's cursor %d replayed by A: %+v %v", bPage.Cursor, page, err)
	}
	refused := func(what string, err error) {
		t.Helper()
		if k := core.KindOf(err); k != core.KindNotFound && k != core.KindForbidden {
			t.Errorf("%s: %v", what, err)
		}
	}
	_, err = a.Update(ctx, "", bc.ID, api.FirmWrite{BaseRevision: 1, Fields: fields(core.FieldCity, "X")})
	refused("update", err)
	_, err = a.Delete(ctx, "", bc.ID, 1)
	refused("delete", err)
	_, err = a.Claim(ctx, "", bc.ID)
	refused("claim", err)
	_, err = a.Restore(ctx, "", bc.ID)
	refused("restore", err)
	_, err = a.History(ctx, bc.ID)
	refused("history", err)
	refused("assign", a.Assign(ctx, "", []int64{bc.ID}, 0))
	bm, _ := b.Members(ctx)
	_, err = a.SetRole(ctx, bm[0].AccountID, api.FirmAssigned)
	refused("set role", err)
	_, err = a.Remove(ctx, bm[0].AccountID)
	refused("remove", err)
	page, err := a.Feed(ctx, 0, 100, 0)
	if err != nil || len(page.Entries) != 1 || page.Entries[0].Client.ID != ac.ID {
		t.Errorf("A's feed holds more than A's client: %+v %v", page, err)
	}
	audit, err := a.Audit(ctx, 0, 100)
	if err != nil || len(audit) == 0 {
		t.Errorf("A's audit: %+v %v", audit, err)
	}
	for _, en := range audit {
		if en.ClientID != ac.ID {
			t.Errorf("A's audit holds another firm's entry: %+v", en)
		}
	}
	if _, err := b.Delete(ctx, "", bc.ID, bc.Revision); err != nil {
		t.Fatal(err)
	}
	if gone, err := a.Deleted(ctx, 0, 100); err != nil || len(gone) != 0 {
		t.Errorf("A's deleted clients: %+v %v", gone, err)
	}
	_, err = a.Restore(ctx, "", bc.ID)
	refused("restore of a deleted one", err)
	got, _ := b.History(ctx, bc.ID)
	for _, en := range got {
		if en.By != "bea@b.example" {
			t.Errorf("B's client changed by another: %+v", en)
		}
	}
	if len(got) != 5 {
		t.Errorf("B's client's history: %+v", got)
	}
	if _, err := b.Restore(ctx, "", bc.ID); err != nil {
		t.Fatal(err)
	}
}

// testRestoreDeleted: the admin lists the deleted clients, newest
// deletion first with who deleted each, and restores one, which the feed
// then carries again; a member may do neither; a client whose identifier
// the firm has given to another since stays deleted (409).
func testRestoreDeleted(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	f := e.firmOf(t, "Cabinet Martin", "ana@cabinet.example", map[string]string{"bob@cabinet.example": api.FirmEveryClient})
	ana, bob := f["ana@cabinet.example"], f["bob@cabinet.example"]
	var ids []int64
	for i, siret := range []string{"73282932000074", "35600000000048", "55210055400013"} {
		cl, err := ana.Create(ctx, "", api.FirmWrite{Fields: fields(core.FieldIdentifierType, "SIRET", core.FieldIdentifier, siret,
			core.FieldCompanyName, fmt.Sprint("Client ", i))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bob.Delete(ctx, "", cl.ID, cl.Revision); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cl.ID)
	}
	if _, err := bob.Deleted(ctx, 0, 10); core.KindOf(err) != core.KindForbidden {
		t.Errorf("a member lists the deleted clients: %v", err)
	}
	if _, err := bob.Restore(ctx, "", ids[0]); core.KindOf(err) != core.KindForbidden {
		t.Errorf("a member restores: %v", err)
	}
	first, err := ana.Deleted(ctx, 0, 2)
	if err != nil || len(first) != 2 || first[0].Client.ID != ids[2] || first[1].Client.ID != ids[1] ||
		first[0].Client.UpdatedBy != "bob@cabinet.example" || first[0].Client.Fields[core.FieldCompanyName] != "Client 2" {
		t.Fatalf("the first page: %+v %v", first, err)
	}
	next, err := ana.Deleted(ctx, first[1].Position, 2)
	if err != nil || len(next) != 1 || next[0].Client.ID != ids[0] {
		t.Fatalf("the next page: %+v %v", next, err)
	}
	if _, err := ana.Deleted(ctx, 0, 1000000000); core.CodeOf(err) != api.CodeFirmLimit {
		t.Errorf("a page of 10^9: %v", err)
	}
	head, err := ana.Feed(ctx, 0, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ana.Restore(ctx, "", ids[1])
	if err != nil || back.Deleted || back.Fields[core.FieldCompanyName] != "Client 1" {
		t.Fatalf("restore: %+v %v", back, err)
	}
	page, err := bob.Feed(ctx, head.Cursor, 100, 0)
	if err != nil || len(page.Entries) != 1 || page.Entries[0].Client == nil || page.Entries[0].Client.ID != ids[1] {
		t.Fatalf("the feed after the restore: %+v %v", page, err)
	}
	if h, _ := ana.History(ctx, ids[1]); len(h) == 0 || h[0].Action != api.AuditRestored || h[0].By != "ana@cabinet.example" {
		t.Errorf("the restore in the history: %+v", h)
	}
	// The identifier taken again by a new client: the old one stays deleted.
	if _, err := bob.Create(ctx, "", api.FirmWrite{Fields: fields(core.FieldIdentifierType, "SIRET", core.FieldIdentifier, "73282932000074")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.Restore(ctx, "", ids[0]); core.CodeOf(err) != api.CodeFirmExists {
		t.Errorf("restore over a live client: %v", err)
	}
}

// testRemovedMember: a member removed is refused at their next request.
func testRemovedMember(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	f := e.firmOf(t, "Cabinet Martin", "ana@cabinet.example", map[string]string{"bob@cabinet.example": api.FirmEveryClient})
	ana, bob := f["ana@cabinet.example"], f["bob@cabinet.example"]
	if _, err := bob.Create(ctx, "", api.FirmWrite{Fields: fields(core.FieldCompanyName, "Client")}); err != nil {
		t.Fatal(err)
	}
	ms, _ := ana.Members(ctx)
	for _, m := range ms {
		if m.Email == "bob@cabinet.example" {
			if _, err := ana.Remove(ctx, m.AccountID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := bob.Feed(ctx, 0, 10, 0); core.CodeOf(err) != api.CodeFirmNone {
		t.Fatalf("a removed member reads: %v", err)
	}
	if _, err := bob.Create(ctx, "", api.FirmWrite{Fields: fields(core.FieldCompanyName, "Another")}); core.CodeOf(err) != api.CodeFirmNone {
		t.Fatalf("a removed member writes: %v", err)
	}
	// The last admin stays.
	if err := ana.Leave(ctx, ""); core.CodeOf(err) != api.CodeFirmLastAdmin {
		t.Fatalf("the last admin leaves: %v", err)
	}
}

// testInvitationJoin: the admin invites an address; its account joins
// with the role said; an address not invited is told so.
func testInvitationJoin(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	ana := e.firmOf(t, "Cabinet Martin", "ana@cabinet.example", nil)["ana@cabinet.example"]
	if err := ana.Invite(ctx, "", "carl@cabinet.example", api.FirmAssigned); err != nil {
		t.Fatal(err)
	}
	carl := e.person(t, "carl@cabinet.example")
	if _, err := carl.Get(ctx); core.CodeOf(err) != api.CodeFirmNone {
		t.Fatalf("before joining: %v", err)
	}
	got, err := carl.Join(ctx, "")
	if err != nil || got.Name != "Cabinet Martin" || got.Role != api.FirmAssigned {
		t.Fatalf("join: %+v %v", got, err)
	}
	dan := e.person(t, "dan@cabinet.example")
	if _, err := dan.Join(ctx, ""); core.CodeOf(err) != api.CodeFirmNotInvited {
		t.Fatalf("a join not invited: %v", err)
	}
}

// rawAnswer is an answer read whole.
type rawAnswer struct {
	status int
	body   string
}

// raw sends a request as email, with its own session.
func raw(t *testing.T, e *portalEnv, email, method, path, body string) rawAnswer {
	t.Helper()
	c := portal.NewOnboarding(e.http.URL, nil)
	s, err := c.SignIn(context.Background(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), method, e.http.URL+path, strings.NewReader(body))
	req.Header.Set(api.HeaderAuthorization, "Bearer "+s.Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return rawAnswer{res.StatusCode, string(b)}
}

// testAuditKeptAYear: the audit of a change is kept past a year less a
// day and gone once AuditTTL has passed, while a newer change's stays.
func testAuditKeptAYear(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC).UnixMilli())
	clock := func() time.Time { return time.UnixMilli(now.Load()) }
	e := startWith(t, sim.Config{Sandbox: true, SecondFactorOff: true, Now: clock})
	ctx := t.Context()
	ana := e.firmOf(t, "Cabinet Martin", "ana@cabinet.example", nil)["ana@cabinet.example"]
	cl, err := ana.Create(ctx, "", api.FirmWrite{Fields: fields(core.FieldIdentifierType, "SIRET", core.FieldIdentifier, "73282932000074",
		core.FieldCompanyName, "Ateliers Dupont")})
	if err != nil {
		t.Fatal(err)
	}
	signIn := func() *portal.Firm {
		c := portal.NewOnboarding(e.http.URL, nil)
		if _, err := c.SignIn(ctx, "ana@cabinet.example", password); err != nil {
			t.Fatal(err)
		}
		return c.Firm()
	}
	count := func(f *portal.Firm) (old, recent int) {
		all, err := f.Audit(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range all {
			if a.New == "Lyon" {
				recent++
			} else {
				old++
			}
		}
		return old, recent
	}
	first, _ := count(ana)
	if first == 0 {
		t.Fatal("no audit for the creation")
	}
	now.Add((firm.AuditTTL - 24*time.Hour).Milliseconds())
	ana = signIn()
	if _, err := ana.Update(ctx, "", cl.ID, api.FirmWrite{BaseRevision: cl.Revision, Fields: fields(core.FieldCity, "Lyon")}); err != nil {
		t.Fatal(err)
	}
	if err := e.ops.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if old, recent := count(ana); old != first || recent != 1 {
		t.Fatalf("a day before AuditTTL: %d of %d old entries, %d new", old, first, recent)
	}
	now.Add((48 * time.Hour).Milliseconds())
	ana = signIn()
	if err := e.ops.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if old, recent := count(ana); old != 0 || recent != 1 {
		t.Fatalf("past AuditTTL: %d old entries kept, %d new", old, recent)
	}
}
