package sqlite

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
)

// joinedStore is a store in a firm whose join finished.
func joinedStore(t *testing.T) *DB {
	t.Helper()
	db := MustOpen(t)
	if err := db.Firm.StartFirm(t.Context(), core.FirmLink{URL: "https://firm.example", Email: "ana@cabinet.example"}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Firm.ApplyFirm(t.Context(), nil, nil, 0, true); err != nil {
		t.Fatal(err)
	}
	return db
}

// version is a client as the firm accepted it.
func version(id, rev int64, kv ...string) core.FirmVersion {
	f := core.ClientFields{core.FieldIdentifierType: "SIRET", core.FieldIdentifier: "73282932000074", core.FieldStructureKind: "PRIVEE",
		core.FieldCompanyName: "Ateliers Dupont", core.FieldCity: "Paris", core.FieldPostalCode: "75002", core.FieldAddress: "1 rue de la Paix",
		core.FieldState: "draft"}
	for i := 0; i+1 < len(kv); i += 2 {
		f[kv[i]] = kv[i+1]
	}
	return core.FirmVersion{ClientID: id, Revision: rev, Fields: f, UpdatedBy: "bob@cabinet.example", UpdatedAt: time.UnixMilli(1_796_000_000_000)}
}

// pendingOf returns the single pending change, failing otherwise.
func pendingOf(t *testing.T, db *DB) core.FirmPush {
	t.Helper()
	ps, err := db.Firm.FirmPending(t.Context(), time.Now(), 10)
	if err != nil || len(ps) != 1 {
		t.Fatalf("pending: %+v %v", ps, err)
	}
	return ps[0]
}

// TestFirmMerge: a client from the firm is added without being sent back;
// an edit here waits to be sent with its base; the firm's change of
// another field merges with it; a change of the same field is a conflict,
// both values kept and the field not sent until the user keeps one.
func TestFirmMerge(t *testing.T) {
	ctx := t.Context()
	db := joinedStore(t)
	got, err := db.Firm.ApplyFirm(ctx, []core.FirmVersion{version(7, 1)}, nil, 1, false)
	if err != nil || got.Added != 1 {
		t.Fatalf("apply: %+v %v", got, err)
	}
	if ps, _ := db.Firm.FirmPending(ctx, time.Now(), 10); len(ps) != 0 {
		t.Fatalf("the firm's own client waits to be sent back: %+v", ps)
	}
	rec, err := coreStructure(t, db, "73282932000074")
	if err != nil || rec.Draft.City != "Paris" {
		t.Fatal(rec, err)
	}

	// Edited here: city and note.
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{ID: rec.ID, Checked: core.CheckStructure(withCity(rec.Draft, "Lyon")),
		Note: "rappeler", SetNote: true}); err != nil {
		t.Fatal(err)
	}
	p := pendingOf(t, db)
	if d := p.Base.Diff(p.Local); len(d) != 2 || d[core.FieldCity] != "Lyon" || d[core.FieldClientNote] != "rappeler" || p.Revision != 1 {
		t.Fatalf("the change to send: %v (revision %d)", d, p.Revision)
	}

	// The firm changed the company name meanwhile: merged.
	got, err = db.Firm.ApplyFirm(ctx, []core.FirmVersion{version(7, 2, core.FieldCompanyName, "Ateliers Dupont et Fils")}, nil, 2, false)
	if err != nil || got.Merged != 1 || got.Conflicts != 0 {
		t.Fatalf("merge: %+v %v", got, err)
	}
	rec, _ = coreStructure(t, db, "73282932000074")
	if rec.Draft.CompanyName != "Ateliers Dupont et Fils" || rec.Draft.City != "Lyon" || rec.Note != "rappeler" {
		t.Fatalf("merged: %q %q %q", rec.Draft.CompanyName, rec.Draft.City, rec.Note)
	}
	p = pendingOf(t, db)
	if d := p.Base.Diff(p.Local); len(d) != 2 || p.Revision != 2 {
		t.Fatalf("after the merge, to send: %v from %d", d, p.Revision)
	}

	// The firm changed the city too: a conflict.
	got, err = db.Firm.ApplyFirm(ctx, []core.FirmVersion{version(7, 3, core.FieldCompanyName, "Ateliers Dupont et Fils", core.FieldCity, "Marseille")}, nil, 3, false)
	if err != nil || got.Conflicts != 1 {
		t.Fatalf("conflict: %+v %v", got, err)
	}
	cs, err := db.Firm.FirmConflicts(ctx, rec.ID, 10)
	if err != nil || len(cs) != 1 || cs[0].Field != core.FieldCity || cs[0].Mine != "Lyon" || cs[0].Theirs != "Marseille" || cs[0].TheirsBy != "bob@cabinet.example" {
		t.Fatalf("conflicts %+v %v", cs, err)
	}
	p = pendingOf(t, db)
	if d := p.Base.Diff(p.Local); len(d) != 1 || d[core.FieldClientNote] != "rappeler" {
		t.Fatalf("a field in conflict is sent: %v", d)
	}
	rec, _ = coreStructure(t, db, "73282932000074")
	if rec.Draft.City != "Lyon" {
		t.Fatalf("the value typed here was lost: %q", rec.Draft.City)
	}

	// The user keeps theirs: nothing of the city left to send.
	if err := db.Firm.ResolveFirmConflicts(ctx, rec.ID, core.ClientFields{core.FieldCity: "Marseille"}); err != nil {
		t.Fatal(err)
	}
	if cs, _ := db.Firm.FirmConflicts(ctx, 0, 10); len(cs) != 0 {
		t.Fatalf("conflicts left: %+v", cs)
	}
	p = pendingOf(t, db)
	if d := p.Base.Diff(p.Local); len(d) != 1 || d[core.FieldClientNote] != "rappeler" {
		t.Fatalf("after resolving, to send: %v", d)
	}

	// Accepted by the firm: done, unless changed here since.
	if err := db.Firm.FirmAccepted(ctx, p, version(7, 4, core.FieldCompanyName, "Ateliers Dupont et Fils", core.FieldCity, "Marseille",
		core.FieldClientNote, "rappeler")); err != nil {
		t.Fatal(err)
	}
	if ps, _ := db.Firm.FirmPending(ctx, time.Now(), 10); len(ps) != 0 {
		t.Fatalf("accepted, still pending: %+v", ps)
	}
}

// TestFirmAcceptedKeepsALaterEdit: an edit made while a change was being
// sent stays waiting.
func TestFirmAcceptedKeepsALaterEdit(t *testing.T) {
	ctx := t.Context()
	db := joinedStore(t)
	if _, err := db.Firm.ApplyFirm(ctx, []core.FirmVersion{version(7, 1)}, nil, 1, false); err != nil {
		t.Fatal(err)
	}
	rec, _ := coreStructure(t, db, "73282932000074")
	save := func(city string) {
		if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{ID: rec.ID, Checked: core.CheckStructure(withCity(rec.Draft, city))}); err != nil {
			t.Fatal(err)
		}
	}
	save("Lyon")
	p := pendingOf(t, db)
	save("Lille") // while p is on its way
	if err := db.Firm.FirmAccepted(ctx, p, version(7, 2, core.FieldCity, "Lyon")); err != nil {
		t.Fatal(err)
	}
	p = pendingOf(t, db)
	if d := p.Base.Diff(p.Local); d[core.FieldCity] != "Lille" || p.Revision != 2 {
		t.Fatalf("the later edit: %v from %d", d, p.Revision)
	}
}

// TestFirmGoneKeepsWhatWasTyped: a client the firm removes from the
// desktop is removed; what was typed here and not sent is handed back.
func TestFirmGoneKeepsWhatWasTyped(t *testing.T) {
	ctx := t.Context()
	db := joinedStore(t)
	if _, err := db.Firm.ApplyFirm(ctx, []core.FirmVersion{version(7, 1)}, nil, 1, false); err != nil {
		t.Fatal(err)
	}
	rec, _ := coreStructure(t, db, "73282932000074")
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{ID: rec.ID, Checked: core.CheckStructure(withCity(rec.Draft, "Lyon"))}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Firm.ApplyFirm(ctx, nil, []int64{7}, 2, false)
	if err != nil || got.Removed != 1 || len(got.Dropped) != 1 || got.Dropped[0].Local[core.FieldCity] != "Lyon" {
		t.Fatalf("gone: %+v %v", got, err)
	}
	if _, err := coreStructure(t, db, "73282932000074"); err == nil {
		t.Fatal("the client is still here")
	}
	if ps, _ := db.Firm.FirmPending(ctx, time.Now(), 10); len(ps) != 0 {
		t.Fatalf("a removal by the firm is sent back as a deletion: %+v", ps)
	}
}

// TestFirmJoinMergesAsAnEdit: joining with a structure the firm has: one
// structure, the firm's version edited by what was typed here.
func TestFirmJoinMergesAsAnEdit(t *testing.T) {
	ctx := t.Context()
	db := MustOpen(t)
	d := version(0, 0).Fields.Draft()
	d.City, d.Email = "Lyon", "compta@dupont.example"
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(d)}); err != nil {
		t.Fatal(err)
	}
	if err := db.Firm.StartFirm(ctx, core.FirmLink{URL: "https://firm.example", Email: "ana@cabinet.example"}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Firm.ApplyFirm(ctx, []core.FirmVersion{version(7, 3, core.FieldPhone, "01 23 45 67 89")}, nil, 3, true); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.db.Reader().QueryRow(`SELECT count(*) FROM structure`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d structures", n)
	}
	p := pendingOf(t, db)
	// What was typed here, and the firm's phone in its canonical form
	// (validation writes it so here; the firm learns it).
	if d := p.Base.Diff(p.Local); p.ClientID != 7 || p.Revision != 3 || d[core.FieldCity] != "Lyon" || d[core.FieldEmail] != "compta@dupont.example" ||
		d[core.FieldPhone] != "+33123456789" || len(d) != 3 {
		t.Fatalf("to send after the join: %v (client %d at %d)", d, p.ClientID, p.Revision)
	}
}

// TestLeaveFirm: leaving removes the firm's clients and keeps the
// structures that stayed apart.
func TestLeaveFirm(t *testing.T) {
	ctx := t.Context()
	db := MustOpen(t)
	own := sampleStructure("44306184100047")
	if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(own)}); err != nil {
		t.Fatal(err)
	}
	if err := db.Firm.StartFirm(ctx, core.FirmLink{URL: "https://firm.example", Email: "ana@cabinet.example"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Firm.ApplyFirm(ctx, []core.FirmVersion{version(7, 1)}, nil, 1, true); err != nil {
		t.Fatal(err)
	}
	if err := db.Firm.LeaveFirm(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []string
	rows, _ := db.db.Reader().Query(`SELECT identifier FROM structure`)
	for rows.Next() {
		var s string
		rows.Scan(&s)
		ids = append(ids, s)
	}
	rows.Close()
	if !slices.Equal(ids, []string{"44306184100047"}) {
		t.Fatalf("after leaving: %v", ids)
	}
	if l, _ := db.Firm.FirmLink(ctx); !l.IsZero() {
		t.Fatalf("still linked: %+v", l)
	}
}

func withCity(d core.StructureDraft, city string) core.StructureDraft {
	d.City = city
	return d
}

// coreStructure reads a structure by SIRET.
func coreStructure(t *testing.T, db *DB, siret string) (core.StructureRecord, error) {
	t.Helper()
	var id int64
	if err := db.db.Reader().QueryRow(`SELECT id FROM structure WHERE identifier = ?`, siret).Scan(&id); err != nil {
		return core.StructureRecord{}, err
	}
	return db.Structures.Structure(t.Context(), id)
}

// TestFirmClientKeepsItsReform (issue 34): a client new to this desktop is
// written with its reform's fields in the one insert, every one of them
// as the firm has it.
func TestFirmClientKeepsItsReform(t *testing.T) {
	ctx := t.Context()
	db := joinedStore(t)
	v := version(9, 1, core.FieldPlatform, "Plateforme Alpha", core.FieldMandateSigned, "2026-10-01",
		core.FieldAddresses, "factures@dupont.fr\nsiège@dupont.fr", core.FieldCheckedOn, "2026-11-20",
		core.FieldSeen, "PA Alpha, 2026-11-20", core.FieldReformNote, "relancer en janvier",
		core.FieldCategory, string(core.CategoryPME), core.FieldCategorySource, string(core.CategoryFromUser))
	if got, err := db.Firm.ApplyFirm(ctx, []core.FirmVersion{v}, nil, 1, false); err != nil || got.Added != 1 {
		t.Fatalf("apply: %+v %v", got, err)
	}
	rec, err := coreStructure(t, db, "73282932000074")
	if err != nil {
		t.Fatal(err)
	}
	want := v.Fields.Reform()
	if !reflect.DeepEqual(rec.Reform, want) {
		t.Fatalf("reform %+v, want %+v", rec.Reform, want)
	}
}
