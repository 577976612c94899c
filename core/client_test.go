package core_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
)

// TestMergeClient: each field takes the side that changed it; changed on
// both to different values it is named, mine kept.
func TestMergeClient(t *testing.T) {
	base := core.ClientFields{core.FieldCity: "Paris", core.FieldCompanyName: "Ateliers", core.FieldPhone: "01"}
	mine := base.With(core.ClientFields{core.FieldCity: "Lyon", core.FieldClientNote: "rappeler", core.FieldPhone: ""})
	theirs := base.With(core.ClientFields{core.FieldCompanyName: "Ateliers et Fils", core.FieldCity: "Marseille", core.FieldPhone: ""})
	merged, conflicts := core.MergeClient(base, mine, theirs)
	want := core.ClientFields{core.FieldCity: "Lyon", core.FieldCompanyName: "Ateliers et Fils", core.FieldClientNote: "rappeler"}
	if !merged.Equal(want) || !slices.Equal(conflicts, []string{core.FieldCity}) {
		t.Fatalf("merged %v, conflicts %v", merged, conflicts)
	}
}

// FuzzMergeClient: whatever the three versions, no value is lost: each
// field of the merge is mine or theirs, a field where they differ from
// each other and both from the base is named, and merging a version with
// itself changes nothing.
func FuzzMergeClient(f *testing.F) {
	f.Add("a", "b", "c", "x", "x", "y")
	f.Add("", "", "z", "q", "", "q")
	f.Fuzz(func(t *testing.T, b1, m1, t1, b2, m2, t2 string) {
		base := core.ClientFields{core.FieldCity: b1, core.FieldClientNote: b2}.With(nil)
		mine := core.ClientFields{core.FieldCity: m1, core.FieldClientNote: m2}.With(nil)
		theirs := core.ClientFields{core.FieldCity: t1, core.FieldClientNote: t2}.With(nil)
		merged, conflicts := core.MergeClient(base, mine, theirs)
		for _, k := range []string{core.FieldCity, core.FieldClientNote} {
			if merged[k] != mine[k] && merged[k] != theirs[k] {
				t.Fatalf("%s: %q is neither mine %q nor theirs %q", k, merged[k], mine[k], theirs[k])
			}
			both := mine[k] != base[k] && theirs[k] != base[k] && mine[k] != theirs[k]
			if both != slices.Contains(conflicts, k) {
				t.Fatalf("%s: conflict %v, listed %v", k, both, conflicts)
			}
			if !both && mine[k] != base[k] && merged[k] != mine[k] {
				t.Fatalf("%s: my change %q lost", k, mine[k])
			}
			if !both && theirs[k] != base[k] && merged[k] != theirs[k] {
				t.Fatalf("%s: their change %q lost", k, theirs[k])
			}
		}
		if m, c := core.MergeClient(mine, mine, mine); !m.Equal(mine) || len(c) != 0 {
			t.Fatalf("a version merged with itself: %v %v", m, c)
		}
	})
}

// TestClientFieldProblem: the server's checks of one field.
func TestClientFieldProblem(t *testing.T) {
	long := strings.Repeat("a", core.MaxClientField+1)
	for _, tt := range []struct{ name, value, want string }{
		{core.FieldCity, "Lyon", ""},
		{"salary", "1", core.CodeUnknownField},
		{core.FieldCity, "\x00", core.CodeInvalidValue},
		{core.FieldCity, "\xff", core.CodeInvalidValue},
		{core.FieldCompanyName, "Dupont\x1b[2J", core.CodeInvalidValue},
		{core.FieldCompanyName, "Dupont\nSARL", core.CodeInvalidValue},
		{core.FieldCompanyName, "\u202eLRAS tnopuD", core.CodeInvalidValue},
		{core.FieldCompanyName, "Dupont \u2067x\u2069", core.CodeInvalidValue},
		{core.FieldCompanyName, "Dupont\u0085", core.CodeInvalidValue},
		{core.FieldClientNote, "appeler lundi\n\tpuis mardi\r\n", ""},
		{core.FieldClientNote, "appeler\x1b[31m", core.CodeInvalidValue},
		{core.FieldCompanyName, "Société Générale — Île-de-France", ""},
		{core.FieldCity, long, core.CodeTooLong},
		{core.FieldState, "queued", ""},
		{core.FieldState, "stolen", core.CodeInvalidValue},
		{core.FieldNonDiffusible, "maybe", core.CodeInvalidValue},
		{core.FieldCategory, "PME", ""},
		{core.FieldCategory, "XL", core.CodeInvalidValue},
	} {
		if got := core.ClientFieldProblem(tt.name, tt.value); got != tt.want {
			t.Errorf("%s=%.10q: %q, want %q", tt.name, tt.value, got, tt.want)
		}
	}
}
