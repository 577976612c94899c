package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
	"github.com/chorusonboard/chorus-onboard/internal/sqlplan"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// workspaceFixture stores structures in every state the filters tell
// apart.
func workspaceFixture(t *testing.T) (*DB, map[string]int64) {
	t.Helper()
	db := MustOpen(t)
	ctx := t.Context()
	ids := map[string]int64{}
	ss := coretest.SIRETs(8)
	save := func(name string, d core.StructureDraft, queue bool) int64 {
		rec, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(d), Queue: queue})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = rec.ID
		return rec.ID
	}
	societe := sampleStructure(ss[0])
	societe.CompanyName, societe.City, societe.Email = "Société Générale", "Saint-Étienne", "compta@sg.example"
	save("ready", societe, false)
	bad := sampleStructure(ss[1])
	bad.CompanyName = "Boulangerie Dupont"
	bad.Phone, bad.PostalCode = "0612", "75100" // phone.length, an error; postal.unknown, a warning
	save("errors", bad, false)
	save("queued", sampleStructure(ss[2]), true)
	for name, state := range map[string]core.SyncState{"created": core.StateCreated, "pending": core.StateAttachmentRequested,
		"refused": core.StateAttachmentRefused, "failed": core.StateFailed, "approved": core.StateAttachmentApproved} {
		d := sampleStructure(ss[3+len(ids)-3])
		id := save(name, d, false)
		if err := db.Structures.SetSync(ctx, id, core.Sync{State: state}); err != nil {
			t.Fatal(err)
		}
	}
	return db, ids
}

func TestQueryStructuresFilters(t *testing.T) {
	db, ids := workspaceFixture(t)
	ctx := t.Context()
	all, err := db.Workspace.QueryStructures(ctx, core.StructureQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[core.StructureFilter]int{core.FilterAll: 8, core.FilterErrors: 1, core.FilterReady: 1, core.FilterQueued: 1,
		core.FilterOnPortal: 2, core.FilterPending: 1, core.FilterRefused: 1, core.FilterFailed: 1}
	for f, n := range want {
		if all.Counts[f] != n {
			t.Errorf("count %s = %d, want %d", f, all.Counts[f], n)
		}
	}
	if len(all.Rows) != 8 {
		t.Fatalf("%d rows", len(all.Rows))
	}
	for f, n := range want {
		got, err := db.Workspace.QueryStructures(ctx, core.StructureQuery{Filter: f})
		if err != nil || len(got.Rows) != n {
			t.Errorf("filter %s: %d rows, want %d (%v)", f, len(got.Rows), n, err)
		}
	}
	bad, _ := db.Workspace.QueryStructures(ctx, core.StructureQuery{Filter: core.FilterErrors})
	if r := bad.Rows[0]; r.ID != ids["errors"] || r.Errors != 1 || r.Warnings != 1 || r.CompanyName != "Boulangerie Dupont" {
		t.Errorf("row with errors %+v", r)
	}
}

func TestQueryStructuresText(t *testing.T) {
	db, ids := workspaceFixture(t)
	ctx := t.Context()
	ready, _ := db.Structures.Structure(ctx, ids["ready"])
	id := ready.Draft.Identifier
	spaced := id[:3] + " " + id[3:6] + " " + id[6:9] + " " + id[9:]
	tests := []struct {
		text string
		want []int64
	}{
		{"societe generale", []int64{ids["ready"]}},
		{"SOCIÉTÉ   Générale", []int64{ids["ready"]}},
		{"saint etienne", []int64{ids["ready"]}},
		{"compta@sg", []int64{ids["ready"]}},
		{id, []int64{ids["ready"]}},
		{spaced, []int64{ids["ready"]}},
		{"boulangerie dupont", []int64{ids["errors"]}},
		{"dupont generale", nil},
		{"zzz", nil},
	}
	for _, tt := range tests {
		got, err := db.Workspace.QueryStructures(ctx, core.StructureQuery{Text: tt.text})
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []int64
		for _, r := range got.Rows {
			gotIDs = append(gotIDs, r.ID)
		}
		if fmt.Sprint(gotIDs) != fmt.Sprint(tt.want) || got.Counts[core.FilterAll] != len(tt.want) {
			t.Errorf("%q: %v (all %d), want %v", tt.text, gotIDs, got.Counts[core.FilterAll], tt.want)
		}
	}
	// Counts follow the text: the chips say how many of the matches each
	// filter holds.
	got, _ := db.Workspace.QueryStructures(ctx, core.StructureQuery{Text: "paris", Filter: core.FilterQueued})
	if got.Counts[core.FilterAll] != 7 || got.Counts[core.FilterQueued] != 1 || len(got.Rows) != 1 {
		t.Errorf("paris, queued: %v, %d rows", got.Counts, len(got.Rows))
	}
	// A cancelled query stops.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.Workspace.QueryStructures(cancelled, core.StructureQuery{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled query: %v", err)
	}
}

func TestQueryStructuresSort(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	names := []string{"Émile", "zèbre", "Alpha", "ébène", "Zoé"}
	for i, s := range coretest.SIRETs(len(names)) {
		d := sampleStructure(s)
		d.CompanyName = names[i]
		if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(d)}); err != nil {
			t.Fatal(err)
		}
	}
	order := func(desc bool) []string {
		got, err := db.Workspace.QueryStructures(ctx, core.StructureQuery{Sort: core.SortCompany, Desc: desc})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range got.Rows {
			out = append(out, r.CompanyName)
		}
		return out
	}
	if got := fmt.Sprint(order(false)); got != "[Alpha ébène Émile zèbre Zoé]" {
		t.Errorf("by name: %s", got)
	}
	if got := fmt.Sprint(order(true)); got != "[Zoé zèbre Émile ébène Alpha]" {
		t.Errorf("by name, reversed: %s", got)
	}
}

func TestBulkStoreOperations(t *testing.T) {
	db, ids := workspaceFixture(t)
	ctx := t.Context()
	all := []int64{}
	for _, id := range ids {
		all = append(all, id)
	}
	var seen []int64
	if err := db.Workspace.StructuresByID(ctx, append(all, 99999), func(r core.StructureRecord) error { seen = append(seen, r.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(all) {
		t.Fatalf("read %d of %d", len(seen), len(all))
	}
	// A record whose row the worker holds right now stays as it is.
	leased, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure(coretest.SIRETs(9)[8])), Queue: true})
	if err != nil {
		t.Fatal(err)
	}
	claimed, err := db.Outbox.ClaimDue(ctx, core.TargetLocal, time.Now().Add(time.Hour), 10, 24*time.Hour)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claimed %d rows: %v", len(claimed), err)
	}
	if err := db.Outbox.Reschedule(ctx, claimed[0].OpID, time.Now(), ""); err != nil { // the fixture's queued row goes back
		t.Fatal(err)
	}
	// Back to draft: only the queued and failed ones change.
	n, err := db.Workspace.DiscardMany(ctx, append(all, leased.ID))
	if err != nil || n != 2 {
		t.Fatalf("back to draft: %d %v", n, err)
	}
	if r, _ := db.Structures.Structure(ctx, leased.ID); r.Sync.State != core.StateQueued {
		t.Fatalf("a record being sent went back to draft: %s", r.Sync.State)
	}
	if pending, _, _ := db.Outbox.Pending(ctx, core.TargetLocal); pending != 1 {
		t.Fatalf("%d rows pending after going back to draft, want the one being sent", pending)
	}
	// Delete drafts the portal does not know: "ready", "errors", and
	// "queued" and "failed" now back to draft; not those the portal has
	// seen, nor the one being sent.
	n, err = db.Workspace.DeleteDrafts(ctx, append(all, leased.ID))
	if err != nil || n != 4 {
		t.Fatalf("deleted %d %v", n, err)
	}
	if _, err := db.Structures.Structure(ctx, ids["ready"]); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("a deleted draft is still there: %v", err)
	}
	for _, keep := range []string{"created", "pending", "refused", "approved"} {
		if _, err := db.Structures.Structure(ctx, ids[keep]); err != nil {
			t.Fatalf("%s was deleted: %v", keep, err)
		}
	}
	// New problems, same state and last change; a record changed since it
	// was validated is left as it is.
	before, _ := db.Structures.Structure(ctx, ids["created"])
	noCity := before.Draft
	noCity.City = "" // as a stricter rule would judge it: city required
	n, err = db.Workspace.SetProblems(ctx, []core.ProblemsUpdate{
		{ID: ids["created"], Updated: before.Updated, Checked: core.CheckStructure(noCity)},
		{ID: ids["pending"], Updated: before.Updated.Add(-time.Hour), Checked: core.CheckStructure(noCity)},
	})
	if err != nil || n != 1 {
		t.Fatalf("set problems: %d %v", n, err)
	}
	r, _ := db.Structures.Structure(ctx, ids["created"])
	if !r.Updated.Equal(before.Updated) {
		t.Errorf("re-validation changed the last change: %v → %v", before.Updated, r.Updated)
	}
	got, _ := db.Workspace.QueryStructures(ctx, core.StructureQuery{Filter: core.FilterErrors})
	if r.Sync.State != core.StateCreated || len(r.Problems) != 1 || len(got.Rows) != 1 || got.Rows[0].ID != ids["created"] {
		t.Fatalf("after new problems: %+v, %+v", r, got.Rows)
	}
}

// TestBackfillSearchKeys: rows written before the workspace existed get
// their search key and problem counts when the store opens.
func TestBackfillSearchKeys(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	d := sampleStructure(coretest.SIRETs(1)[0])
	d.CompanyName = "Crème Brûlée"
	d.Phone = "0612" // an error
	rec, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(d)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE structure SET search = '', search_version = 0, errors = 0`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	path := db.Path()
	db.Close()
	db2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	got, err := db2.Workspace.QueryStructures(ctx, core.StructureQuery{Text: "creme brulee"})
	if err != nil || len(got.Rows) != 1 || got.Rows[0].ID != rec.ID || got.Rows[0].Errors != 1 {
		t.Fatalf("after the backfill: %+v %v", got.Rows, err)
	}
}

// TestSaveUnchanged: a save that says what it read is refused once the
// record changed (its data or its state), and nothing is written.
func TestSaveUnchanged(t *testing.T) {
	clock := &manualClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	db := MustOpen(t, WithClock(clock))
	ctx := t.Context()
	d := sampleStructure(coretest.SIRETs(1)[0])
	rec, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(d)})
	if err != nil {
		t.Fatal(err)
	}
	seen := &core.Version{Updated: rec.Updated, State: rec.Sync.State}
	clock.t = clock.t.Add(time.Second)
	d.City = "Lyon"
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{ID: rec.ID, Checked: core.CheckStructure(d), Unchanged: seen}); err != nil {
		t.Fatalf("unchanged record: %v", err)
	}
	// Changed since (by the save above): refused.
	d.City = "Nantes"
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{ID: rec.ID, Checked: core.CheckStructure(d), Unchanged: seen}); core.CodeOf(err) != core.CodeChanged {
		t.Fatalf("changed record: %v", err)
	}
	got, _ := db.Structures.Structure(ctx, rec.ID)
	if got.Draft.City != "Lyon" {
		t.Fatalf("a refused save wrote %q", got.Draft.City)
	}
	// Same data, new state: refused too.
	if err := db.Structures.SetSync(ctx, rec.ID, core.Sync{State: core.StateCreated}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{ID: rec.ID, Checked: core.CheckStructure(d),
		Unchanged: &core.Version{Updated: got.Updated, State: core.StateDraft}}); core.KindOf(err) != core.KindConflict {
		t.Fatalf("record whose state changed: %v", err)
	}
}

// manualClock is a clock a test moves.
type manualClock struct{ t time.Time }

func (c *manualClock) Now() time.Time { return c.t }

// TestListFollowsOtherWriters: the in-memory list of one store sees what
// another process (here another store on the same file, as onboardctl
// beside the app) adds, changes and deletes, and reloads whole when the
// change log was pruned or cleared.
func TestListFollowsOtherWriters(t *testing.T) {
	app := MustOpen(t)
	ctx := t.Context()
	ctl, err := Open(ctx, app.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	names := func() string {
		t.Helper()
		l, err := app.Workspace.QueryStructures(ctx, core.StructureQuery{Sort: core.SortCompany})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range l.Rows {
			out = append(out, r.CompanyName+":"+string(r.State))
		}
		return fmt.Sprint(out)
	}
	ss := coretest.SIRETs(3)
	a := sampleStructure(ss[0])
	a.CompanyName = "Alpha"
	if _, _, err := app.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(a)}); err != nil {
		t.Fatal(err)
	}
	if got := names(); got != "[Alpha:draft]" {
		t.Fatalf("own write: %s", got)
	}
	b := sampleStructure(ss[1])
	b.CompanyName = "Bravo"
	rb, _, err := ctl.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(b), Queue: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(); got != "[Alpha:draft Bravo:queued]" {
		t.Fatalf("another writer's insert: %s", got)
	}
	if err := ctl.Structures.SetSync(ctx, rb.ID, core.Sync{State: core.StateCreated}); err != nil {
		t.Fatal(err)
	}
	n, err := ctl.Workspace.DeleteDrafts(ctx, []int64{1})
	if err != nil || n != 1 {
		t.Fatalf("delete: %d %v", n, err)
	}
	if got := names(); got != "[Bravo:created]" {
		t.Fatalf("another writer's update and delete: %s", got)
	}
	// A log pruned past where this list stands: reloaded whole.
	c := sampleStructure(ss[2])
	c.CompanyName = "Charlie"
	if _, _, err := ctl.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(c)}); err != nil {
		t.Fatal(err)
	}
	if err := ctl.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM structure_change WHERE seq < (SELECT max(seq) FROM structure_change)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := names(); got != "[Bravo:created Charlie:draft]" {
		t.Fatalf("after pruning: %s", got)
	}
	if err := ctl.Forget(ctx); err != nil {
		t.Fatal(err)
	}
	if got := names(); got != "[]" {
		t.Fatalf("after forget: %s", got)
	}
}

// TestListOrdersStayRight: after rounds of random changes by another
// writer, every sort of the long-lived list gives what a freshly opened
// store gives (its orders are moved row by row, not rebuilt).
func TestListOrdersStayRight(t *testing.T) {
	app := MustOpen(t)
	ctx := t.Context()
	other, err := Open(ctx, app.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	ss := coretest.SIRETs(60)
	cities := []string{"Paris", "Évry", "Lyon", "Arles", "Zuydcoote"}
	var ids []int64
	query := func(db *DB, sort core.StructureSort, desc bool) string {
		l, err := db.Workspace.QueryStructures(ctx, core.StructureQuery{Sort: sort, Desc: desc})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, r := range l.Rows {
			fmt.Fprintf(&b, "%d ", r.ID)
		}
		return b.String()
	}
	sorts := []core.StructureSort{core.SortIdentifier, core.SortIdentifierType, core.SortCompany, core.SortCity, core.SortPostalCode,
		core.SortState, core.SortProblems, core.SortUpdated}
	for round := range 8 {
		for range 10 {
			switch k := rng.IntN(4); {
			case k < 2 || len(ids) == 0:
				d := sampleStructure(ss[rng.IntN(len(ss))])
				d.CompanyName = fmt.Sprintf("Nom %d", rng.IntN(7))
				d.City = cities[rng.IntN(len(cities))]
				if rng.IntN(3) == 0 {
					d.Phone = "0612" // an error
				}
				rec, _, err := other.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(d)})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, rec.ID)
			case k == 2:
				id := ids[rng.IntN(len(ids))]
				_ = other.Structures.SetSync(ctx, id, core.Sync{State: core.SyncStates[rng.IntN(len(core.SyncStates))]})
			default:
				_, _ = other.Workspace.DeleteDrafts(ctx, []int64{ids[rng.IntN(len(ids))]})
			}
		}
		fresh, err := Open(ctx, app.Path())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sorts {
			for _, desc := range []bool{false, true} {
				if got, want := query(app, s, desc), query(fresh, s, desc); got != want {
					t.Fatalf("round %d, sort %s desc %v:\n got %s\nwant %s", round, s, desc, got, want)
				}
			}
		}
		fresh.Close()
	}
}

// TestMigrateOutboxTargets: a database of version 4 (before rows named
// their target) opens with its queued rows bound to the Local sandbox, and
// its structures searchable.
func TestMigrateOutboxTargets(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(testos.TempDir(t), "v4.db")
	all, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	upTo4 := fstest.MapFS{}
	for _, name := range []string{"0001_init.sql", "0002_one_time_format.sql", "0003_settings.sql", "0004_workspace.sql"} {
		b, err := fs.ReadFile(all, name)
		if err != nil {
			t.Fatal(err)
		}
		upTo4[name] = &fstest.MapFile{Data: b}
	}
	old, err := sqldb.Open(ctx, path, upTo4, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = old.Tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`INSERT INTO structure (id, identifier_type, identifier, company_name, state, created_at, updated_at)
				VALUES (7, 'SIRET', '73282932000074', 'Ateliers', 'queued', 1, 1)`,
			`INSERT INTO outbox (op_id, kind, structure_id, payload, next_attempt_at, created_at, updated_at)
				VALUES ('op-1', 'structure.submit', 7, X'7B7D', 5, 1, 1)`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	old.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	by, err := db.Outbox.PendingByTarget(ctx)
	if err != nil || len(by) != 1 || by[core.TargetLocal] != 1 {
		t.Fatalf("targets after the migration: %v %v", by, err)
	}
	if ops, err := db.Outbox.ClaimDue(ctx, "team https://elsewhere", time.Now(), 10, time.Minute); err != nil || len(ops) != 0 {
		t.Fatalf("another target claimed the row: %v %v", ops, err)
	}
	if ops, err := db.Outbox.ClaimDue(ctx, core.TargetLocal, time.Now(), 10, time.Minute); err != nil || len(ops) != 1 || ops[0].Target != core.TargetLocal {
		t.Fatalf("the sandbox's row: %+v %v", ops, err)
	}
	if l, _ := db.Workspace.QueryStructures(ctx, core.StructureQuery{Text: "ateliers"}); len(l.Rows) != 1 {
		t.Fatalf("not searchable: %+v", l)
	}
}

// TestStartupQueriesUseIndexes: what the app reads when it opens and at
// every pass of the worker goes through an index, never a scan of the
// structure or outbox table, however many thousands of rows they hold;
// the lighter indexes of migration 0008 (partial, or dropped for a wider
// one) still serve them. A build that raises searchVersion fails here
// until a migration recreates the partial index with its number.
func TestStartupQueriesUseIndexes(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(testos.TempDir(t), "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tests := []struct {
		name, query string
		args        []any
		want        string
	}{
		{"read-back of attachment requests", qStructuresInState, []any{"attachment_requested", 10}, "SEARCH structure USING INDEX structure_state"},
		{"counts per state", qCountByState, nil, "USING COVERING INDEX structure_state"},
		{"search keys to backfill", qBackfill, nil, "SCAN structure USING INDEX structure_search_stale"},
		{"due rows of a target", qClaimDue, []any{"", 0, 0, 10}, "SEARCH o USING INDEX outbox_target_due (target=? AND state=? AND next_attempt_at<?)"},
		// An entity's oldest pending row, one look-up each (migration 0009).
		{"a due structure row is its oldest", qClaimDue, []any{"", 0, 0, 10}, "SEARCH p USING COVERING INDEX outbox_structure (structure_id=? AND state=?)"},
		{"a due account row is its oldest", qClaimDue, []any{"", 0, 0, 10}, "SEARCH p USING COVERING INDEX outbox_account (account_id=? AND state=?)"},
		{"a structure's row, sent at once", qClaimStructure, []any{1, "", 0}, "SEARCH o USING INTEGER PRIMARY KEY (rowid=?)"},
		{"a structure's oldest row", qClaimStructure, []any{1, "", 0}, "SEARCH p USING COVERING INDEX outbox_structure (structure_id=? AND state=?)"},
		{"an account's pending row", qAccountPending, []any{1}, "SEARCH outbox USING INDEX outbox_account (account_id=? AND state=?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			joined := sqlplan.Of(t, db.db.Reader(), tt.query, tt.args...)
			if !strings.Contains(joined, tt.want) || strings.Contains(joined, "SCAN o") || strings.Contains(joined, "SCAN p") {
				t.Fatalf("plan %q, want %q", joined, tt.want)
			}
		})
	}
}
