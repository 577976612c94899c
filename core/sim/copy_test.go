package sim

import (
	"slices"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/internal/pgtest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestCopyTablesComplete: the store copy names every table of the
// portal's schema with every column (but the shared limits' events), so
// a migration that adds one cannot be left out of migrate-store.
func TestCopyTablesComplete(t *testing.T) {
	if onPostgres() {
		t.Skip("reads SQLite's catalogue: the SQLite run checks it")
	}
	e := start(t)
	db := e.srv.db.SQLite().Reader()
	rows, err := db.QueryContext(t.Context(), `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
		AND name NOT IN ('throttle_event') ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	var listed []string
	for _, tb := range copyTables {
		listed = append(listed, tb.Name)
		var cols []string
		r, err := db.QueryContext(t.Context(), `SELECT name FROM pragma_table_info(?) ORDER BY cid`, tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var c string
			if err := r.Scan(&c); err != nil {
				t.Fatal(err)
			}
			cols = append(cols, c)
		}
		r.Close()
		if !slices.Equal(cols, tb.Columns) {
			t.Errorf("table %s: the copy moves %v, the schema has %v", tb.Name, tb.Columns, cols)
		}
	}
	slices.Sort(listed)
	if !slices.Equal(listed, tables) {
		t.Errorf("the copy moves %v, the schema has %v", listed, tables)
	}
}

// TestCopyStoreWholePortal: a portal's files (accounts with passwords,
// a structure with its principal and an approved user, the mail, the
// idempotency records) move to PostgreSQL with every count and checksum
// equal; a portal started on PostgreSQL then signs the same people in,
// knows the structure and its people, and replays a create recorded
// before the move instead of making it twice.
func TestCopyStoreWholePortal(t *testing.T) {
	if onPostgres() {
		t.Skip("copies from SQLite: the SQLite run does it (to PostgreSQL)")
	}
	ctx := t.Context()
	e := start(t)
	alice := onboard(t, e, "alice@example.fr")
	if _, err := alice.CreateStructure(ctx, "op-1", structure("73282932000074")); err != nil {
		t.Fatal(err)
	}
	bob := onboard(t, e, "bob@example.fr")
	at, err := bob.RequestAttachment(ctx, "att-1", core.IDSIRET, "73282932000074")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.DecideAttachment(ctx, "dec-1", at.ID, true); err != nil {
		t.Fatal(err)
	}
	e.http.Close()
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}

	dsn := pgtest.Database(t)
	var batches int
	rep, err := CopyStore(ctx, e.dir, dsn, func(string, int64, int64) { batches++ })
	if err != nil {
		t.Fatal(err)
	}
	if err := Faithful(rep); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, tr := range rep.Tables {
		counts[tr.Name] = tr.Target
	}
	if counts["portal.account"] != 2 || counts["portal.structure"] != 1 || counts["portal.attachment"] != 1 || counts["portal.mail"] == 0 ||
		counts["portal.idempotency"] == 0 {
		t.Fatalf("copied %v", counts)
	}
	t.Logf("%d tables, %d batches; accounts %d, mail %d, idempotency records %d", len(rep.Tables), batches, counts["portal.account"],
		counts["portal.mail"], counts["portal.idempotency"])

	// The portal on PostgreSQL.
	pg := start(t, func(c *Config) { c.DataDir, c.Database = testos.TempDir(t), dsn })
	again := portal.NewOnboarding(pg.http.URL, nil)
	if _, err := again.SignIn(ctx, "alice@example.fr", goodPassword); err != nil {
		t.Fatalf("alice signs in after the move: %v", err)
	}
	replayed, err := again.CreateStructure(ctx, "op-1", structure("73282932000074"))
	if err != nil || replayed.ID != 1 || !replayed.IsManager {
		t.Fatalf("the create recorded before the move, replayed: %+v %v", replayed, err)
	}
	people, err := again.People().Members(ctx, replayed.ID)
	if err != nil || len(people) != 2 {
		t.Fatalf("the structure's people after the move: %+v %v", people, err)
	}
	if _, err := again.CreateStructure(ctx, "op-new", structure("44306184100047")); err != nil {
		t.Fatalf("a new structure after the move (the identity continues past the copied ids): %v", err)
	}
}
