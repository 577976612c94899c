package sqlite

import (
	"slices"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
)

// TestReformFields: a save writes the reform's fields it names and keeps
// the others; a bulk set changes a structure already on the portal without
// moving its state or last change; the workspace's reform filters, sort and
// search read them.
func TestReformFields(t *testing.T) {
	db := MustOpen(t)
	ctx := t.Context()
	ss := coretest.SIRETs(3)
	full := core.Reform{Platform: "Pennylane", MandateSigned: "2026-06-30", Addresses: []string{ss[0][:9], ss[0][:9] + "_FACTURES"},
		CheckedOn: "2026-11-20", Seen: "Pennylane, 2 addresses", Note: "call in March", Category: core.CategoryETI,
		CategorySource: core.CategoryFromRegistry}
	a, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure(ss[0])), Reform: full, ReformSet: core.ReformAll})
	if err != nil {
		t.Fatal(err)
	}
	if !reformEqual(a.Reform, full) {
		t.Fatalf("saved %+v, read %+v", full, a.Reform)
	}
	// A later save naming only the platform keeps the rest.
	a, _, err = db.Structures.SaveStructure(ctx, core.SaveStructure{ID: a.ID, Checked: core.CheckStructure(a.Draft), Reform: core.Reform{Platform: "Libeo"},
		ReformSet: core.ReformPlatform})
	if err != nil {
		t.Fatal(err)
	}
	want := full
	want.Platform = "Libeo"
	if !reformEqual(a.Reform, want) {
		t.Fatalf("after a platform-only save: %+v, want %+v", a.Reform, want)
	}
	// A save naming none (the form of the portal's fields) keeps them all.
	a, _, err = db.Structures.SaveStructure(ctx, core.SaveStructure{ID: a.ID, Checked: core.CheckStructure(a.Draft)})
	if err != nil || !reformEqual(a.Reform, want) {
		t.Fatalf("after a draft-only save: %+v, %v", a.Reform, err)
	}

	b, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure(ss[1]))})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Structures.SetSync(ctx, b.ID, core.Sync{State: core.StateCreated, PortalID: "42"}); err != nil {
		t.Fatal(err)
	}
	b, _ = db.Structures.Structure(ctx, b.ID)
	c, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure(ss[2])),
		Reform: core.Reform{Category: core.CategoryPME, CategorySource: core.CategoryFromUser}, ReformSet: core.ReformCategory})
	if err != nil {
		t.Fatal(err)
	}

	q := func(f core.StructureFilter, text string) []int64 {
		t.Helper()
		l, err := db.Workspace.QueryStructures(ctx, core.StructureQuery{Filter: f, Text: text, Today: "2026-12-05", Sort: core.SortIdentifier})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range l.Rows {
			ids = append(ids, r.ID)
		}
		return ids
	}
	for _, tc := range []struct {
		filter core.StructureFilter
		text   string
		want   []int64
	}{
		{core.FilterNoPlatform, "", []int64{b.ID, c.ID}},
		{core.FilterCheckDue, "", []int64{b.ID, c.ID}},
		{core.FilterIssueEarly, "", []int64{a.ID}},
		{core.FilterAll, "libeo", []int64{a.ID}},
		{core.FilterAll, "LIBÉO", []int64{a.ID}},
	} {
		if got := q(tc.filter, tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("%s %q: %v, want %v", tc.filter, tc.text, got, tc.want)
		}
	}

	// Bulk: mark checked today and set the platform, on a created structure
	// too; its state and last change stay.
	n, err := db.Reform.SetReform(ctx, []int64{b.ID, c.ID, 999}, core.Reform{Platform: "Sage", CheckedOn: "2026-12-05"},
		core.ReformPlatform|core.ReformCheckedOn)
	if err != nil || n != 2 {
		t.Fatalf("SetReform: %d, %v; want 2", n, err)
	}
	b2, _ := db.Structures.Structure(ctx, b.ID)
	if b2.Reform.Platform != "Sage" || b2.Reform.CheckedOn != "2026-12-05" || b2.Sync.State != core.StateCreated || !b2.Updated.Equal(b.Updated) {
		t.Fatalf("after SetReform: %+v %s %v (was %v)", b2.Reform, b2.Sync.State, b2.Updated, b.Updated)
	}
	if got := q(core.FilterNoPlatform, ""); len(got) != 0 {
		t.Errorf("no platform after the bulk set: %v", got)
	}
	// 90 days is the limit: checked 2026-09-06 is not due on 2026-12-05,
	// 2026-09-05 is.
	if _, err := db.Reform.SetReform(ctx, []int64{a.ID}, core.Reform{CheckedOn: "2026-09-05"}, core.ReformCheckedOn); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Reform.SetReform(ctx, []int64{b.ID}, core.Reform{CheckedOn: "2026-09-06"}, core.ReformCheckedOn); err != nil {
		t.Fatal(err)
	}
	if got := q(core.FilterCheckDue, ""); !slices.Equal(got, []int64{a.ID}) {
		t.Errorf("check due: %v, want %v", got, []int64{a.ID})
	}
	l, err := db.Workspace.QueryStructures(ctx, core.StructureQuery{Sort: core.SortPlatform, Today: "2026-12-05"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range l.Rows {
		names = append(names, r.Platform)
	}
	if !slices.Equal(names, []string{"Libeo", "Sage", "Sage"}) {
		t.Errorf("sorted by platform: %q", names)
	}
}

func reformEqual(a, b core.Reform) bool {
	return slices.Equal(a.Addresses, b.Addresses) && a.Platform == b.Platform && a.MandateSigned == b.MandateSigned &&
		a.CheckedOn == b.CheckedOn && a.Seen == b.Seen && a.Note == b.Note && a.Category == b.Category &&
		a.CategorySource == b.CategorySource
}
