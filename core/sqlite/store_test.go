package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// MustOpen opens a store in a fresh directory on disk (never :memory:, so WAL
// and file behaviour are the real ones) and closes it at the end of the test.
func MustOpen(tb testing.TB, opts ...Option) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(testos.TempDir(tb), "onboard.db"), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// sampleStructure is a structure validation passes: a French one for a
// SIRET, else one outside the EU (the crash tests' identifiers name
// their writer and row).
func sampleStructure(id string) core.StructureDraft {
	if len(id) != 14 || strings.Trim(id, "0123456789") != "" {
		return core.StructureDraft{IdentifierType: core.IDOutsideEU, Identifier: id, Kind: core.KindPrivate, CompanyName: "Company " + id,
			Address: "1 Main Street", City: "Boston", PostalCode: "02101", Country: "US"}
	}
	return core.StructureDraft{
		IdentifierType: core.IDSIRET, Identifier: id, Kind: core.KindPrivate, CompanyName: "Société " + id,
		Address: "1 rue de la Paix", City: "Paris", PostalCode: "75002", Country: "FR",
	}
}

func TestPragmas(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "secure_delete": "1", "busy_timeout": "10000"}
	for pragma, v := range want {
		var got string
		if err := db.db.Writer().QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != v {
			t.Errorf("writer %s = %q, %v; want %s", pragma, got, err, v)
		}
		if err := db.db.Reader().QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != v {
			t.Errorf("reader %s = %q, %v; want %s", pragma, got, err, v)
		}
	}
	var v int
	if err := db.db.Writer().QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion() {
		t.Errorf("user_version %d, want %d", v, SchemaVersion())
	}
	if _, err := db.db.Reader().ExecContext(ctx, "DELETE FROM structure"); err == nil {
		t.Error("the reader pool can write")
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(testos.TempDir(t), "onboard.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.Writer().Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(t.Context(), path)
	if !errors.Is(err, ErrNewerSchema) || core.KindOf(err) != core.KindInvalid {
		t.Fatalf("open newer schema: %v", err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(testos.TempDir(t), "onboard.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Structures.SaveStructure(t.Context(), core.SaveStructure{Checked: core.CheckStructure(sampleStructure("73282932000074"))}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := coretest.StructureByKey(t.Context(), db.Structures, core.IDSIRET, "73282932000074"); err != nil {
		t.Fatal(err)
	}
}

func TestAccountRoundTrip(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	accepted := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	rec, err := db.Accounts.SaveAccount(ctx, 0, core.CheckAccount(core.AccountDraft{
		LoginEmail: "a@b.fr", LoginEmailConfirm: "a@b.fr", FirstName: "Ana", LastName: "Brun", Phone: "0612",
		ConditionsAcceptedAt: accepted,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID == 0 || rec.Sync.State != core.StateDraft || !rec.Draft.ConditionsAcceptedAt.Equal(accepted) || len(rec.Problems) != 1 {
		t.Fatalf("saved %+v", rec)
	}
	rec.Draft.FirstName = "Anne"
	rec2, err := db.Accounts.SaveAccount(ctx, rec.ID, core.CheckAccount(rec.Draft))
	if err != nil || rec2.ID != rec.ID || rec2.Draft.FirstName != "Anne" {
		t.Fatalf("update: %+v %v", rec2, err)
	}
	var all int
	if err := db.db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM account").Scan(&all); err != nil || all != 1 {
		t.Fatalf("accounts %v %v", all, err)
	}
	if _, err := db.Accounts.Account(ctx, 999); core.KindOf(err) != core.KindNotFound {
		t.Errorf("missing account: %v", err)
	}
	if _, err := db.Accounts.SaveAccount(ctx, 999, core.CheckAccount(core.AccountDraft{})); core.KindOf(err) != core.KindNotFound {
		t.Errorf("update missing account: %v", err)
	}
	if _, err := db.Accounts.SaveAccount(ctx, rec.ID, core.Checked[core.AccountDraft]{}); core.CodeOf(err) != core.CodeUnchecked {
		t.Errorf("a draft validation never saw: %v", err)
	}
}

func TestStructureUpsertByKey(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	rec, res, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure("73282932000074"))})
	if err != nil || !res.Created || res.Queued || rec.Sync.State != core.StateDraft {
		t.Fatalf("first save: %+v %+v %v", rec, res, err)
	}
	d := sampleStructure("73282932000074")
	d.City = "Lyon"
	rec2, res, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(d)})
	if err != nil || res.Created || rec2.ID != rec.ID || rec2.Draft.City != "Lyon" {
		t.Fatalf("second save: %+v %+v %v", rec2, res, err)
	}
	// Giving another record this key is a conflict, not a silent merge.
	other, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure("35600000049837"))})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = db.Structures.SaveStructure(ctx, core.SaveStructure{ID: other.ID, Checked: core.CheckStructure(sampleStructure("73282932000074"))})
	if core.KindOf(err) != core.KindConflict {
		t.Fatalf("key collision: %v", err)
	}
	// Drafts without an identifier yet do not collide with each other.
	for range 2 {
		if _, res, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure(""))}); err != nil || !res.Created {
			t.Fatalf("empty identifier: %+v %v", res, err)
		}
	}
	counts, err := db.Structures.CountStructures(ctx)
	if err != nil || counts[core.StateDraft] != 4 {
		t.Fatalf("counts %v %v", counts, err)
	}
}

func TestQueueWritesOutboxInSameSave(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	_, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure("73282932000075")), Queue: true})
	if core.KindOf(err) != core.KindInvalid {
		t.Fatalf("queueing a draft with errors: %v", err)
	}
	// Only validation builds what the store takes.
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Queue: true}); core.CodeOf(err) != core.CodeUnchecked {
		t.Fatalf("a draft validation never saw: %v", err)
	}
	warned := sampleStructure("73282932000074")
	warned.PostalCode = "75100" // postal.unknown: a warning
	rec, res, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(warned), Queue: true})
	if err != nil || !res.Queued || rec.Sync.State != core.StateQueued {
		t.Fatalf("queue: %+v %+v %v", rec, res, err)
	}
	ops, _ := db.Outbox.Ops(ctx)
	if len(ops) != 1 || ops[0].Kind != core.OpSubmitStructure || ops[0].EntityID != rec.ID || len(ops[0].OpID) != 36 {
		t.Fatalf("ops %+v", ops)
	}
	// Queueing again before any attempt refreshes the same row.
	d := sampleStructure("73282932000074")
	d.City = "Lille"
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(d), Queue: true}); err != nil {
		t.Fatal(err)
	}
	ops2, _ := db.Outbox.Ops(ctx)
	if len(ops2) != 1 || ops2[0].OpID != ops[0].OpID || string(ops2[0].Payload) == string(ops[0].Payload) {
		t.Fatalf("requeue: %+v", ops2)
	}
	// Once attempted, the payload is frozen with its key.
	claimed, err := db.Outbox.ClaimDue(ctx, core.TargetLocal, time.Now(), 10, time.Minute)
	if err != nil || len(claimed) != 1 || claimed[0].Attempts != 1 {
		t.Fatalf("claim %+v %v", claimed, err)
	}
	d.City = "Nantes"
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(d), Queue: true}); err != nil {
		t.Fatal(err)
	}
	ops3, _ := db.Outbox.Ops(ctx)
	if len(ops3) != 1 || string(ops3[0].Payload) != string(ops2[0].Payload) {
		t.Fatalf("payload changed after an attempt: %s", ops3[0].Payload)
	}
}

func TestEditingTakesOutOfQueue(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure("73282932000074")), Queue: true}); err != nil {
		t.Fatal(err)
	}
	rec, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure("73282932000074"))})
	if err != nil || rec.Sync.State != core.StateDraft {
		t.Fatalf("edit: %+v %v", rec, err)
	}
	if ops, _ := db.Outbox.Ops(ctx); len(ops) != 0 {
		t.Fatalf("unsent row kept: %+v", ops)
	}
}

func TestOutboxLifecycle(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	now := time.Now()
	var ids []int64
	for _, siret := range []string{"73282932000074", "35600000049837", "77984790400033"} {
		rec, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure(siret)), Queue: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	ops, err := db.Outbox.ClaimDue(ctx, core.TargetLocal, now.Add(time.Second), 2, time.Minute)
	if err != nil || len(ops) != 2 {
		t.Fatalf("claim: %+v %v", ops, err)
	}
	// Leased rows are not handed out twice.
	again, _ := db.Outbox.ClaimDue(ctx, core.TargetLocal, now.Add(time.Second), 10, time.Minute)
	if len(again) != 1 || again[0].EntityID != ids[2] {
		t.Fatalf("second claim: %+v", again)
	}
	// Done, with a follow-up row for the same entity.
	follow := &core.Op{OpID: "follow-1", Kind: core.OpRequestAttachment, Payload: []byte(`{}`)}
	if err := db.Outbox.Complete(ctx, ops[0].OpID, core.Sync{State: core.StateSent}, follow); err != nil {
		t.Fatal(err)
	}
	if err := db.Outbox.Complete(ctx, ops[0].OpID, core.Sync{State: core.StateSent}, follow); err != nil {
		t.Fatalf("replayed completion: %v", err)
	}
	// Failed with the portal's notice, kept as a code and its parameters.
	refusal := core.Notice{Code: "piste.chorus", Params: map[string]string{"libelle": "Le SIRET est inconnu de l'INSEE"}}
	if err := db.Outbox.Fail(ctx, ops[1].OpID, refusal); err != nil {
		t.Fatal(err)
	}
	rec, _ := db.Structures.Structure(ctx, ops[1].EntityID)
	if rec.Sync.State != core.StateFailed || rec.Sync.Notice.Code != "piste.chorus" || rec.Sync.Notice.Params["libelle"] != "Le SIRET est inconnu de l'INSEE" {
		t.Fatalf("failed entity %+v", rec.Sync)
	}
	// Rescheduled: not due before its time, due after.
	if err := db.Outbox.Reschedule(ctx, again[0].OpID, now.Add(time.Hour), "503"); err != nil {
		t.Fatal(err)
	}
	due, _ := db.Outbox.ClaimDue(ctx, core.TargetLocal, now.Add(time.Minute), 10, time.Minute)
	if len(due) != 1 || due[0].OpID != "follow-1" {
		t.Fatalf("due before the retry time: %+v", due)
	}
	if err := db.Outbox.Complete(ctx, "follow-1", core.Sync{State: core.StateAttachmentRequested}, nil); err != nil {
		t.Fatal(err)
	}
	due, _ = db.Outbox.ClaimDue(ctx, core.TargetLocal, now.Add(2*time.Hour), 10, time.Minute)
	if len(due) != 1 || due[0].OpID != again[0].OpID || due[0].Attempts != 2 || due[0].LastError != "503" {
		t.Fatalf("due after the retry time: %+v", due)
	}
	if err := db.Outbox.Complete(ctx, due[0].OpID, core.Sync{State: core.StateCreated, PortalID: "663192"}, nil); err != nil {
		t.Fatal(err)
	}
	rec, _ = db.Structures.Structure(ctx, due[0].EntityID)
	if rec.Sync.State != core.StateCreated || rec.Sync.PortalID != "663192" {
		t.Fatalf("created entity %+v", rec.Sync)
	}
	if err := db.Outbox.Reschedule(ctx, "no-such-op", now, ""); core.KindOf(err) != core.KindNotFound {
		t.Errorf("reschedule unknown: %v", err)
	}
}

// TestOneRowPerEntityInOrder: an entity's second row waits for its first.
func TestOneRowPerEntityInOrder(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure("73282932000074")), Queue: true}); err != nil {
		t.Fatal(err)
	}
	first, _ := db.Outbox.ClaimDue(ctx, core.TargetLocal, time.Now().Add(time.Second), 10, time.Millisecond)
	if err := db.Outbox.Complete(ctx, first[0].OpID, core.Sync{State: core.StateSent},
		&core.Op{OpID: "second", Kind: core.OpRequestAttachment, Payload: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'pending' WHERE op_id = ?`, first[0].OpID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	due, _ := db.Outbox.ClaimDue(ctx, core.TargetLocal, time.Now().Add(time.Second), 10, time.Minute)
	if len(due) != 1 || due[0].OpID != first[0].OpID {
		t.Fatalf("due %+v: want only the entity's first row", due)
	}
}

func TestQueueAccount(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	rec, err := db.Accounts.SaveAccount(ctx, 0, core.CheckAccount(core.AccountDraft{LoginEmail: "a@b.fr"}))
	if err != nil {
		t.Fatal(err)
	}
	queued, err := db.Accounts.QueueAccount(ctx, rec.ID, core.TargetLocal)
	op := queued.OpID
	if err != nil || len(op) != 36 {
		t.Fatalf("queue: %q %v", op, err)
	}
	// An edit while it waits for its captcha is what will be sent (issue
	// 29, item 8: the row's payload was written once and never read, so
	// what was sent was the record, and the row said otherwise).
	edited := rec.Draft
	edited.FirstName = "Anne"
	if _, err := db.Accounts.SaveAccount(ctx, rec.ID, core.CheckAccount(edited)); err != nil {
		t.Fatal(err)
	}
	again, _ := db.Accounts.QueueAccount(ctx, rec.ID, core.TargetLocal)
	if again.OpID != op {
		t.Fatalf("queued twice: %s then %s", op, again.OpID)
	}
	if d, err := core.DecodeAccountPayload(again.Payload); err != nil || d.FirstName != "Anne" {
		t.Fatalf("the queued row after an edit sends %+v %v, want the edit", d, err)
	}
	if got, _ := db.Accounts.Account(ctx, rec.ID); got.Sync.State != core.StateQueued {
		t.Fatalf("state %s", got.Sync.State)
	}
	// The worker leaves it: a person must answer the captcha.
	if due, _ := db.Outbox.ClaimDue(ctx, core.TargetLocal, time.Now().Add(time.Hour), 10, time.Minute); len(due) != 0 {
		t.Fatalf("claimed %+v", due)
	}
	if err := db.Outbox.Complete(ctx, op, core.Sync{State: core.StateSent}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Accounts.Account(ctx, rec.ID); got.Sync.State != core.StateSent {
		t.Fatalf("state %s", got.Sync.State)
	}
	if _, err := db.Accounts.QueueAccount(ctx, 999, core.TargetLocal); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("unknown account: %v", err)
	}
}

// TestMigrateTimesAndNotices: a database of schema 1 (RFC 3339 text times,
// translated portal messages) opens at the current schema with its times
// as instants, its messages as notices, and its outbox rows still pointing
// at their records (the tables were rebuilt under them).
func TestMigrateTimesAndNotices(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(testos.TempDir(t), "old.db")
	first, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	only1 := fstest.MapFS{}
	b, err := fs.ReadFile(first, "0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	only1["0001_init.sql"] = &fstest.MapFile{Data: b}
	old, err := sqldb.Open(ctx, path, only1, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = old.Tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`INSERT INTO account (id, login_email, conditions_accepted_at, created_at, updated_at)
				VALUES (1, 'a@b.fr', '2026-11-25T09:30:00.25Z', '2026-11-25T09:00:00Z', '2026-11-25T09:31:00.123456789Z')`,
			`INSERT INTO structure (id, identifier_type, identifier, state, portal_message, created_at, updated_at)
				VALUES (7, 'SIRET', '73282932000074', 'failed', 'Le SIRET est inconnu', '2026-11-25T10:00:00+01:00', '2026-11-25T10:00:00Z')`,
			`INSERT INTO outbox (op_id, kind, structure_id, payload, state, next_attempt_at, created_at, updated_at)
				VALUES ('op-1', 'structure.submit', 7, X'7B7D', 'failed', 5, '2026-11-25T09:00:00Z', '2026-11-25T09:00:00Z')`,
			`INSERT INTO outbox (op_id, kind, account_id, payload, next_attempt_at, created_at, updated_at)
				VALUES ('op-2', 'account.create', 1, X'7B7D', 6, '2026-11-25T09:00:00Z', '2026-11-25T09:00:00Z')`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	old.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	acc, err := db.Accounts.Account(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 25, 9, 30, 0, 250e6, time.UTC); !acc.Draft.ConditionsAcceptedAt.Equal(want) {
		t.Errorf("conditions accepted at %v, want %v", acc.Draft.ConditionsAcceptedAt, want)
	}
	if want := time.Date(2026, 11, 25, 9, 31, 0, 123e6, time.UTC); !acc.Updated.Equal(want) {
		t.Errorf("updated %v, want %v (millisecond precision)", acc.Updated, want)
	}
	st, err := db.Structures.Structure(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC); !st.Created.Equal(want) {
		t.Errorf("created %v, want %v (offset applied)", st.Created, want)
	}
	if st.Sync.Notice.Code != "portal.text" || st.Sync.Notice.Params["text"] != "Le SIRET est inconnu" {
		t.Errorf("legacy message became %+v", st.Sync.Notice)
	}
	ops, err := db.Outbox.Ops(ctx)
	if err != nil || len(ops) != 2 || ops[0].EntityID != 7 || ops[1].EntityType != core.EntityAccount {
		t.Fatalf("outbox after the rebuild: %+v %v", ops, err)
	}
	if !ops[0].Created.Equal(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("outbox created %v", ops[0].Created)
	}
	// Foreign keys are back on: deleting the structure takes its rows along.
	if err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM structure WHERE id = 7")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if ops, _ := db.Outbox.Ops(ctx); len(ops) != 1 {
		t.Errorf("foreign keys off after the migration: %d rows left", len(ops))
	}
}

// TestReadOnly: a read-only open reads, refuses to write, and works on a
// file nobody may write.
func TestReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Log("running as root: file modes do not stop root, the query_only pragma still does")
	}
	ctx := t.Context()
	dir := testos.TempDir(t)
	path := filepath.Join(dir, "onboard.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure("73282932000074"))}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(ctx, path, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	n, err := ro.Structures.CountStructures(ctx)
	if err != nil || n[core.StateDraft] != 1 {
		t.Fatalf("read-only count %v %v", n, err)
	}
	if _, _, err := ro.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure("35600000049837"))}); err == nil {
		t.Fatal("a read-only store saved")
	}
}

// TestWindowsPaths: the store opens where Windows users' profiles are, in
// directories with spaces and accents (C:\Users\Hélène Dupont\AppData\…),
// and past the 260 characters of Windows' old MAX_PATH, and keeps what it
// saved there.
func TestWindowsPaths(t *testing.T) {
	base := testos.TempDir(t)
	deep := filepath.Join(base, "Users", "Hélène Dupont", "AppData", "Local", "ChorusOnboard")
	for len(deep) < 300 {
		deep = filepath.Join(deep, "sous-dossier très long")
	}
	for _, dir := range []string{filepath.Join(base, "Users", "Hélène Dupont", "AppData", "Local", "ChorusOnboard"), deep} {
		path := filepath.Join(dir, "onboard.db")
		db, err := Open(t.Context(), path)
		if err != nil {
			t.Fatalf("open a store at a path of %d characters: %v", len(path), err)
		}
		d := sampleStructure(coretest.SIRETs(1)[0])
		if _, _, err := db.Structures.SaveStructure(t.Context(), core.SaveStructure{Checked: core.CheckStructure(d), Queue: true}); err != nil {
			t.Fatalf("save at a path of %d characters: %v", len(path), err)
		}
		db.Close()
		db, err = Open(t.Context(), path)
		if err != nil {
			t.Fatalf("reopen at a path of %d characters: %v", len(path), err)
		}
		if counts, err := db.Structures.CountStructures(t.Context()); err != nil || counts[core.StateQueued] != 1 {
			t.Fatalf("at a path of %d characters: %v %v", len(path), counts, err)
		}
		db.Close()
	}
}

// TestPayloadsSurviveMigrations: rows queued by the first schema with the
// payloads of version 1 open at the current schema beside rows this
// version queues, and every payload reads as the draft it held.
func TestPayloadsSurviveMigrations(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(testos.TempDir(t), "old.db")
	all, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(all, "0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	old, err := sqldb.Open(ctx, path, fstest.MapFS{"0001_init.sql": &fstest.MapFile{Data: b}}, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]coretest.PayloadSample{}
	err = old.Tx(ctx, func(tx *sql.Tx) error {
		for i, s := range coretest.PayloadSamples() {
			if s.Version != 1 {
				continue
			}
			payload, err := s.Bytes()
			if err != nil {
				return err
			}
			opID := fmt.Sprintf("op-%d", i)
			want[opID] = s
			kind, entity := "structure.submit", "structure_id"
			if s.Account != nil {
				kind, entity = "account.create", "account_id"
				_, err = tx.ExecContext(ctx, `INSERT INTO account (id, login_email, created_at, updated_at) VALUES (?, 'a@b.fr', '2026-11-25T09:00:00Z', '2026-11-25T09:00:00Z')`, i+1)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO structure (id, identifier_type, identifier, state, created_at, updated_at)
					VALUES (?, 'SIRET', ?, 'queued', '2026-11-25T09:00:00Z', '2026-11-25T09:00:00Z')`, i+1, s.Structure.Identifier)
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (op_id, kind, `+entity+`, payload, next_attempt_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, 5, '2026-11-25T09:00:00Z', '2026-11-25T09:00:00Z')`, opID, kind, i+1, payload); err != nil {
				return err
			}
		}
		return nil
	})
	old.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 3 {
		t.Fatalf("%d samples of version 1", len(want))
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fresh := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: coretest.SIRETs(5)[4], Kind: core.KindPrivate, CompanyName: "Nouvelle",
		Address: "2 rue", City: "Nantes", PostalCode: "44000", Country: "FR"}
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(fresh), Queue: true}); err != nil {
		t.Fatal(err)
	}
	ops, err := db.Outbox.Ops(ctx)
	if err != nil || len(ops) != 4 {
		t.Fatalf("%d rows, %v", len(ops), err)
	}
	for _, op := range ops {
		s, old := want[op.OpID]
		switch {
		case !old:
			if d, err := core.DecodeStructurePayload(op.Payload); err != nil || d != fresh {
				t.Errorf("the row queued after the upgrade: %+v %v", d, err)
			}
			if !bytes.HasPrefix(op.Payload, []byte(`{"v":2,`)) {
				t.Errorf("written as %s, not as version 2", op.Payload)
			}
		case s.Structure != nil:
			if d, err := core.DecodeStructurePayload(op.Payload); err != nil || d != *s.Structure {
				t.Errorf("%s: %+v %v", s.File, d, err)
			}
		default:
			if a, err := core.DecodeAccountPayload(op.Payload); err != nil || !a.ConditionsAcceptedAt.Equal(s.Account.ConditionsAcceptedAt) || a.LoginEmail != s.Account.LoginEmail {
				t.Errorf("%s: %+v %v", s.File, a, err)
			}
		}
	}
}
