package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
)

// MustOpen opens a store in a fresh directory on disk (never :memory:, so WAL
// and file behaviour are the real ones) and closes it at the end of the test.
func MustOpen(tb testing.TB, opts ...Option) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "onboard.db"), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func sampleStructure(id string) core.StructureDraft {
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
		if err := db.writer.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != v {
			t.Errorf("writer %s = %q, %v; want %s", pragma, got, err, v)
		}
		if err := db.reader.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != v {
			t.Errorf("reader %s = %q, %v; want %s", pragma, got, err, v)
		}
	}
	var v int
	if err := db.writer.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion() {
		t.Errorf("user_version %d, want %d", v, SchemaVersion())
	}
	if _, err := db.reader.ExecContext(ctx, "DELETE FROM structure"); err == nil {
		t.Error("the reader pool can write")
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "onboard.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.writer.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(t.Context(), path)
	if !errors.Is(err, ErrNewerSchema) || core.KindOf(err) != core.KindInvalid {
		t.Fatalf("open newer schema: %v", err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "onboard.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SaveStructure(t.Context(), core.SaveStructure{Draft: sampleStructure("73282932000074")}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.StructureByKey(t.Context(), core.IDSIRET, "73282932000074"); err != nil {
		t.Fatal(err)
	}
}

func TestAccountRoundTrip(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	accepted := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	rec, err := db.SaveAccount(ctx, core.AccountRecord{Draft: core.AccountDraft{
		LoginEmail: "a@b.fr", LoginEmailConfirm: "a@b.fr", FirstName: "Ana", LastName: "Brun",
		ConditionsAcceptedAt: accepted,
	}, Problems: core.Problems{{Field: "phone", Code: "phone.invalid", Severity: core.Error}}})
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID == 0 || rec.Sync.State != core.StateDraft || !rec.Draft.ConditionsAcceptedAt.Equal(accepted) || len(rec.Problems) != 1 {
		t.Fatalf("saved %+v", rec)
	}
	rec.Draft.FirstName = "Anne"
	rec2, err := db.SaveAccount(ctx, rec)
	if err != nil || rec2.ID != rec.ID || rec2.Draft.FirstName != "Anne" {
		t.Fatalf("update: %+v %v", rec2, err)
	}
	all, err := db.Accounts(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("accounts %v %v", all, err)
	}
	if _, err := db.Account(ctx, 999); core.KindOf(err) != core.KindNotFound {
		t.Errorf("missing account: %v", err)
	}
	if _, err := db.SaveAccount(ctx, core.AccountRecord{ID: 999}); core.KindOf(err) != core.KindNotFound {
		t.Errorf("update missing account: %v", err)
	}
}

func TestStructureUpsertByKey(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	rec, res, err := db.SaveStructure(ctx, core.SaveStructure{Draft: sampleStructure("73282932000074")})
	if err != nil || !res.Created || res.Queued || rec.Sync.State != core.StateDraft {
		t.Fatalf("first save: %+v %+v %v", rec, res, err)
	}
	d := sampleStructure("73282932000074")
	d.City = "Lyon"
	rec2, res, err := db.SaveStructure(ctx, core.SaveStructure{Draft: d})
	if err != nil || res.Created || rec2.ID != rec.ID || rec2.Draft.City != "Lyon" {
		t.Fatalf("second save: %+v %+v %v", rec2, res, err)
	}
	// Giving another record this key is a conflict, not a silent merge.
	other, _, err := db.SaveStructure(ctx, core.SaveStructure{Draft: sampleStructure("35600000049837")})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = db.SaveStructure(ctx, core.SaveStructure{ID: other.ID, Draft: sampleStructure("73282932000074")})
	if core.KindOf(err) != core.KindConflict {
		t.Fatalf("key collision: %v", err)
	}
	// Drafts without an identifier yet do not collide with each other.
	for range 2 {
		if _, res, err := db.SaveStructure(ctx, core.SaveStructure{Draft: sampleStructure("")}); err != nil || !res.Created {
			t.Fatalf("empty identifier: %+v %v", res, err)
		}
	}
	counts, err := db.CountStructures(ctx)
	if err != nil || counts[core.StateDraft] != 4 {
		t.Fatalf("counts %v %v", counts, err)
	}
}

func TestQueueWritesOutboxInSameSave(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	_, _, err := db.SaveStructure(ctx, core.SaveStructure{Draft: sampleStructure("73282932000074"), Queue: true,
		Problems: core.Problems{{Field: "identifier", Code: "siret.checksum", Severity: core.Error}}})
	if core.KindOf(err) != core.KindInvalid {
		t.Fatalf("queueing a draft with errors: %v", err)
	}
	rec, res, err := db.SaveStructure(ctx, core.SaveStructure{Draft: sampleStructure("73282932000074"), Queue: true,
		Problems: core.Problems{{Field: "postal_code", Code: "postal.unknown", Severity: core.Warning}}})
	if err != nil || !res.Queued || rec.Sync.State != core.StateQueued {
		t.Fatalf("queue: %+v %+v %v", rec, res, err)
	}
	ops, _ := db.Ops(ctx)
	if len(ops) != 1 || ops[0].Kind != core.OpSubmitStructure || ops[0].EntityID != rec.ID || len(ops[0].OpID) != 36 {
		t.Fatalf("ops %+v", ops)
	}
	// Queueing again before any attempt refreshes the same row.
	d := sampleStructure("73282932000074")
	d.City = "Lille"
	if _, _, err := db.SaveStructure(ctx, core.SaveStructure{Draft: d, Queue: true}); err != nil {
		t.Fatal(err)
	}
	ops2, _ := db.Ops(ctx)
	if len(ops2) != 1 || ops2[0].OpID != ops[0].OpID || string(ops2[0].Payload) == string(ops[0].Payload) {
		t.Fatalf("requeue: %+v", ops2)
	}
	// Once attempted, the payload is frozen with its key.
	claimed, err := db.ClaimDue(ctx, time.Now(), 10, time.Minute)
	if err != nil || len(claimed) != 1 || claimed[0].Attempts != 1 {
		t.Fatalf("claim %+v %v", claimed, err)
	}
	d.City = "Nantes"
	if _, _, err := db.SaveStructure(ctx, core.SaveStructure{Draft: d, Queue: true}); err != nil {
		t.Fatal(err)
	}
	ops3, _ := db.Ops(ctx)
	if len(ops3) != 1 || string(ops3[0].Payload) != string(ops2[0].Payload) {
		t.Fatalf("payload changed after an attempt: %s", ops3[0].Payload)
	}
}

func TestEditingTakesOutOfQueue(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	if _, _, err := db.SaveStructure(ctx, core.SaveStructure{Draft: sampleStructure("73282932000074"), Queue: true}); err != nil {
		t.Fatal(err)
	}
	rec, _, err := db.SaveStructure(ctx, core.SaveStructure{Draft: sampleStructure("73282932000074")})
	if err != nil || rec.Sync.State != core.StateDraft {
		t.Fatalf("edit: %+v %v", rec, err)
	}
	if ops, _ := db.Ops(ctx); len(ops) != 0 {
		t.Fatalf("unsent row kept: %+v", ops)
	}
}

func TestOutboxLifecycle(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	now := time.Now()
	var ids []int64
	for _, siret := range []string{"73282932000074", "35600000049837", "77984790400033"} {
		rec, _, err := db.SaveStructure(ctx, core.SaveStructure{Draft: sampleStructure(siret), Queue: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	ops, err := db.ClaimDue(ctx, now.Add(time.Second), 2, time.Minute)
	if err != nil || len(ops) != 2 {
		t.Fatalf("claim: %+v %v", ops, err)
	}
	// Leased rows are not handed out twice.
	again, _ := db.ClaimDue(ctx, now.Add(time.Second), 10, time.Minute)
	if len(again) != 1 || again[0].EntityID != ids[2] {
		t.Fatalf("second claim: %+v", again)
	}
	// Done, with a follow-up row for the same entity.
	follow := &core.Op{OpID: "follow-1", Kind: core.OpRequestAttachment, Payload: []byte(`{}`)}
	if err := db.Complete(ctx, ops[0].OpID, core.Sync{State: core.StateSent}, follow); err != nil {
		t.Fatal(err)
	}
	if err := db.Complete(ctx, ops[0].OpID, core.Sync{State: core.StateSent}, follow); err != nil {
		t.Fatalf("replayed completion: %v", err)
	}
	// Failed with the portal's message.
	if err := db.Fail(ctx, ops[1].OpID, "Le SIRET est inconnu de l'INSEE"); err != nil {
		t.Fatal(err)
	}
	rec, _ := db.Structure(ctx, ops[1].EntityID)
	if rec.Sync.State != core.StateFailed || rec.Sync.Message != "Le SIRET est inconnu de l'INSEE" {
		t.Fatalf("failed entity %+v", rec.Sync)
	}
	// Rescheduled: not due before its time, due after.
	if err := db.Reschedule(ctx, again[0].OpID, now.Add(time.Hour), "503"); err != nil {
		t.Fatal(err)
	}
	due, _ := db.ClaimDue(ctx, now.Add(time.Minute), 10, time.Minute)
	if len(due) != 1 || due[0].OpID != "follow-1" {
		t.Fatalf("due before the retry time: %+v", due)
	}
	if err := db.Complete(ctx, "follow-1", core.Sync{State: core.StateAttachmentRequested}, nil); err != nil {
		t.Fatal(err)
	}
	due, _ = db.ClaimDue(ctx, now.Add(2*time.Hour), 10, time.Minute)
	if len(due) != 1 || due[0].OpID != again[0].OpID || due[0].Attempts != 2 || due[0].LastError != "503" {
		t.Fatalf("due after the retry time: %+v", due)
	}
	if err := db.Complete(ctx, due[0].OpID, core.Sync{State: core.StateCreated, PortalID: "663192"}, nil); err != nil {
		t.Fatal(err)
	}
	rec, _ = db.Structure(ctx, due[0].EntityID)
	if rec.Sync.State != core.StateCreated || rec.Sync.PortalID != "663192" {
		t.Fatalf("created entity %+v", rec.Sync)
	}
	if err := db.Reschedule(ctx, "no-such-op", now, ""); core.KindOf(err) != core.KindNotFound {
		t.Errorf("reschedule unknown: %v", err)
	}
}

// TestOneRowPerEntityInOrder: an entity's second row waits for its first.
func TestOneRowPerEntityInOrder(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	if _, _, err := db.SaveStructure(ctx, core.SaveStructure{Draft: sampleStructure("73282932000074"), Queue: true}); err != nil {
		t.Fatal(err)
	}
	first, _ := db.ClaimDue(ctx, time.Now().Add(time.Second), 10, time.Millisecond)
	if err := db.Complete(ctx, first[0].OpID, core.Sync{State: core.StateSent},
		&core.Op{OpID: "second", Kind: core.OpRequestAttachment, Payload: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'pending' WHERE op_id = ?`, first[0].OpID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	due, _ := db.ClaimDue(ctx, time.Now().Add(time.Second), 10, time.Minute)
	if len(due) != 1 || due[0].OpID != first[0].OpID {
		t.Fatalf("due %+v: want only the entity's first row", due)
	}
}

func TestQueueAccount(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	rec, err := db.SaveAccount(ctx, core.AccountRecord{Draft: core.AccountDraft{LoginEmail: "a@b.fr"}})
	if err != nil {
		t.Fatal(err)
	}
	op, err := db.QueueAccount(ctx, rec.ID)
	if err != nil || len(op) != 36 {
		t.Fatalf("queue: %q %v", op, err)
	}
	again, _ := db.QueueAccount(ctx, rec.ID)
	if again != op {
		t.Fatalf("queued twice: %s then %s", op, again)
	}
	if got, _ := db.Account(ctx, rec.ID); got.Sync.State != core.StateQueued {
		t.Fatalf("state %s", got.Sync.State)
	}
	// The worker leaves it: a person must answer the captcha.
	if due, _ := db.ClaimDue(ctx, time.Now().Add(time.Hour), 10, time.Minute); len(due) != 0 {
		t.Fatalf("claimed %+v", due)
	}
	if err := db.Complete(ctx, op, core.Sync{State: core.StateSent}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Account(ctx, rec.ID); got.Sync.State != core.StateSent {
		t.Fatalf("state %s", got.Sync.State)
	}
	if _, err := db.QueueAccount(ctx, 999); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("unknown account: %v", err)
	}
}
