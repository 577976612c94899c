package firm_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/firm"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/internal/pgtest"
	"github.com/chorusonboard/chorus-onboard/internal/portaltest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestCopyStore: a firm of 20 members and 10,000 clients moves from its
// SQLite file to PostgreSQL. The first run is interrupted; the second goes
// on from its last batch; counts and checksums are equal on both sides;
// the file is left byte for byte as it was; a desktop that was in step
// before keeps in step after, from the cursor it had, on the server
// started on PostgreSQL; and a second copy into the now live database is
// refused.
func TestCopyStore(t *testing.T) {
	ctx := t.Context()
	dir := testos.TempDir(t)
	cfg := sim.Config{DataDir: dir, Sandbox: true, SecondFactorOff: true}
	p := portaltest.Start(t, cfg)
	e := &portalEnv{srv: p.Sim, http: p.HTTP, ops: p.Sim.Firm()}
	members := map[string]string{}
	for i := range 19 {
		members[fmt.Sprintf("m%02d@cabinet.example", i)] = api.FirmEveryClient
	}
	members["m00@cabinet.example"] = api.FirmAssigned
	f := e.firmOf(t, "Cabinet Martin", "ana@cabinet.example", members)
	ana := f["ana@cabinet.example"]
	ids := coretest.SIRETs(10000)
	// Fifty clients through the API (audit, idempotency, charges)…
	var firstIDs []int64
	for _, id := range ids[:50] {
		cl, err := ana.Create(ctx, "k-"+id, api.FirmWrite{Fields: fields(core.FieldIdentifierType, "SIRET", core.FieldIdentifier, id,
			core.FieldCompanyName, "Client "+id), Device: "PC-ANA"})
		if err != nil {
			t.Fatal(err)
		}
		firstIDs = append(firstIDs, cl.ID)
	}
	if err := ana.Assign(ctx, "assign-1", firstIDs[:10], accountOf(t, ana, "m00@cabinet.example")); err != nil {
		t.Fatal(err)
	}
	// …and the desktop of a member who reads the feed to its end.
	bob := f["m01@cabinet.example"]
	cursor := readAll(t, bob, 0, nil)
	p.HTTP.Close()
	p.Sim.Close()

	// The rest written straight into the file as the server writes them
	// (10,000 requests would only make the test slow).
	bulk(t, filepath.Join(dir, firm.DatabaseFile), ids[50:])
	before := fileSum(t, filepath.Join(dir, firm.DatabaseFile))

	dsn := pgtest.Database(t)
	stopAt := errors.New("interrupted")
	cctx, cancel := context.WithCancelCause(ctx)
	batches := 0
	_, err := sim.CopyStore(cctx, dir, dsn, func(table string, done, total int64) {
		if table == "firm.client" {
			if batches++; batches == 3 {
				cancel(stopAt)
			}
		}
	})
	if err == nil {
		t.Fatal("the interrupted copy says it finished")
	}
	rep, err := sim.CopyStore(ctx, dir, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Faithful(rep); err != nil {
		t.Fatal(err)
	}
	for _, tr := range rep.Tables {
		t.Logf("%-13s %6d rows, checksum %.16s…, %d resumed", tr.Name, tr.Target, tr.TargetSum, tr.Resumed)
		switch tr.Name {
		case "firm.client":
			if tr.Target != 10000 || tr.Resumed < 3000 {
				t.Errorf("clients: %d copied, %d by the first run", tr.Target, tr.Resumed)
			}
		case "firm.member":
			if tr.Target != 20 {
				t.Errorf("members: %d", tr.Target)
			}
		}
	}
	if after := fileSum(t, filepath.Join(dir, firm.DatabaseFile)); after != before {
		t.Fatal("the copy changed the SQLite file")
	}

	// The server on PostgreSQL: the desktop goes on from its cursor.
	cfg.Database = dsn
	p2 := portaltest.Start(t, cfg)
	bob2 := signIn(t, p2, "m01@cabinet.example")
	var got []string
	cursor = readAll(t, bob2, cursor, &got)
	if len(got) != 10000-50 {
		t.Fatalf("after the move the desktop read %d clients from its cursor, want the %d written since", len(got), 10000-50)
	}
	ana2 := signIn(t, p2, "ana@cabinet.example")
	cl, err := ana2.Update(ctx, "", firstIDs[20], api.FirmWrite{BaseRevision: 1, Fields: fields(core.FieldCity, "Lyon")})
	if err != nil || cl.Revision != 2 {
		t.Fatalf("a change after the move: %+v %v", cl, err)
	}
	got = nil
	readAll(t, bob2, cursor, &got)
	if len(got) != 1 || got[0] != ids[20] {
		t.Fatalf("the change after the move reached the desktop as %v", got)
	}
	fresh, err := ana2.Create(ctx, "", api.FirmWrite{Fields: fields(core.FieldIdentifierType, "SIRET", core.FieldIdentifier, coretest.SIRETs(10001)[10000])})
	if err != nil || fresh.ID <= 10000 {
		t.Fatalf("a new client after the move: %+v %v (ids must go on past the copied ones)", fresh, err)
	}
	// The copy's record says it is done: running it again checks and
	// reports, and adds nothing.
	again, err := sim.CopyStore(ctx, dir, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Faithful(again); err == nil {
		t.Fatal("a copy over a store changed since says it is faithful")
	}
}

// accountOf is the account id of a member as the admin lists them.
func accountOf(t *testing.T, admin *portal.Firm, email string) int64 {
	t.Helper()
	ms, err := admin.Members(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Email == email {
			return m.AccountID
		}
	}
	t.Fatalf("no member %s", email)
	return 0
}

// signIn signs email in on p.
func signIn(t *testing.T, p *portaltest.Portal, email string) *portal.Firm {
	t.Helper()
	c := portal.NewOnboarding(p.HTTP.URL, nil)
	if _, err := c.SignIn(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	return c.Firm()
}

// readAll pages f's feed from cursor to its end, adding each client's
// identifier to got, and returns the cursor reached.
func readAll(t *testing.T, f *portal.Firm, cursor int64, got *[]string) int64 {
	t.Helper()
	for {
		page, err := f.Feed(t.Context(), cursor, api.MaxFeedPage, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Entries {
			if e.Client != nil && got != nil {
				*got = append(*got, e.Client.Fields[core.FieldIdentifier])
			}
		}
		cursor = page.Cursor
		if !page.More {
			return cursor
		}
	}
}

// bulk writes a client per identifier into the firm's file as the server
// does: its row at the firm's next position and its creation's audit.
func bulk(t *testing.T, path string, ids []string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, id := range ids {
		var pos int64
		if err := tx.QueryRow(`UPDATE firm SET position = position + 1 RETURNING position`).Scan(&pos); err != nil {
			t.Fatal(err)
		}
		var cid int64
		if err := tx.QueryRow(`INSERT INTO client (firm_id, identity, fields, revision, in_charge, updated_by, updated_at, position)
			SELECT id, ?, ?, 1, 0, 'ana@cabinet.example', 1796000000000, ? FROM firm RETURNING id`, "SIRET:"+id,
			fmt.Sprintf(`{"identifier":%q,"identifier_type":"SIRET"}`, id), pos).Scan(&cid); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO audit (firm_id, client_id, revision, at, author, action) SELECT id, ?, 1, 1796000000000,
			'ana@cabinet.example', 'created' FROM firm`, cid); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Fold the WAL in, so the file alone is the store the copy reads.
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
}

// fileSum is the SHA-256 of a file's bytes.
func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}
