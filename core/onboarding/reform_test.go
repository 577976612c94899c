package onboarding_test

import (
	"slices"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
)

// TestReformService: the form's section saves canonical values and
// refuses errors without writing; the bulk actions change every selected
// structure, on the portal or not; the suggestions come most used first;
// the directory's page follows the environment and the setting.
func TestReformService(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ss := coretest.SIRETs(3)
	ids := save(t, f, draft(ss[0]), draft(ss[1]), draft(ss[2]))
	svc := f.svc.Reform

	got, p, err := svc.SaveReform(ctx, ids[0], core.Reform{Platform: " Pennylane ", Addresses: []string{"0225:" + ss[0][:9]},
		MandateSigned: "2026-06-30", Category: core.CategoryETI})
	if err != nil || len(p) != 0 || got.Platform != "Pennylane" || !slices.Equal(got.Addresses, []string{ss[0][:9]}) ||
		got.CategorySource != core.CategoryFromUser {
		t.Fatalf("save: %+v %v %v", got, p, err)
	}
	_, p, err = svc.SaveReform(ctx, ids[0], core.Reform{Platform: "Other", Addresses: []string{ss[1][:9]}})
	if core.CodeOf(err) != "reform.invalid" || len(p) != 1 || p[0].Code != "invoicing.other_siren" {
		t.Fatalf("another company's address: %v %v", p, err)
	}
	rec, _ := f.store.Structures.Structure(ctx, ids[0])
	if rec.Reform.Platform != "Pennylane" {
		t.Fatalf("a refused save wrote: %+v", rec.Reform)
	}

	if err := f.store.Structures.SetSync(ctx, ids[1], core.Sync{State: core.StateCreated}); err != nil {
		t.Fatal(err)
	}
	res, err := svc.SetPlatform(ctx, ids[1:], "Pennylane", nil)
	if err != nil || res.Done != 2 {
		t.Fatalf("set platform: %+v %v", res, err)
	}
	if _, err := svc.SetPlatform(ctx, ids, "bad\x07name", nil); core.CodeOf(err) != "text.format" {
		t.Fatalf("a bad name: %v", err)
	}
	var steps []int
	res, err = svc.MarkChecked(ctx, ids, func(done, total int) { steps = append(steps, done) })
	if err != nil || res.Done != 3 || !slices.Equal(steps, []int{3}) {
		t.Fatalf("mark checked: %+v %v %v", res, err, steps)
	}
	rec, _ = f.store.Structures.Structure(ctx, ids[1])
	if rec.Reform.CheckedOn == "" || rec.Reform.Platform != "Pennylane" || rec.Sync.State != core.StateCreated {
		t.Fatalf("after the bulk actions: %+v %s", rec.Reform, rec.Sync.State)
	}
	if _, err := svc.SetPlatform(ctx, ids[2:], "Libeo", nil); err != nil {
		t.Fatal(err)
	}
	names, err := svc.PlatformNames(ctx)
	if err != nil || !slices.Equal(names, []string{"Pennylane", "Libeo"}) {
		t.Fatalf("names: %q %v", names, err)
	}

	if got, want := svc.DirectoryPage(), f.server.URL+"/annuaire"; got != want {
		t.Errorf("sandbox directory page %q, want %q", got, want)
	}
	set := f.svc.Connection.Settings()
	set.Environment = core.EnvProduction
	if err := f.svc.Connection.SaveSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	if got := svc.DirectoryPage(); got != "https://portail.chorus-pro.gouv.fr" {
		t.Errorf("production directory page %q", got)
	}
	set.DirectoryURL = "https://annuaire.example.org/recherche"
	if err := f.svc.Connection.SaveSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	if got := svc.DirectoryPage(); got != set.DirectoryURL {
		t.Errorf("set directory page %q", got)
	}
}
