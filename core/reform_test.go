package core

import (
	"testing"
	"time"
)

// TestObligationsOf: the reform's calendar by category (GE, ETI, PME,
// unknown).
func TestObligationsOf(t *testing.T) {
	sep26 := "2026-09-01"
	sep27 := "2027-09-01"
	for _, tt := range []struct {
		in           string
		issue        string
		categoryKnow bool
	}{
		{"GE", sep26, true},
		{"eti", sep26, true},
		{" PME ", sep27, true},
		{"", sep27, false},
		{"micro", sep27, false},
		{"TPE", sep27, false},
	} {
		o := ObligationsOf(ParseCompanyCategory(tt.in))
		if got := o.IssueFrom.Format(time.DateOnly); got != tt.issue || o.CategoryKnown != tt.categoryKnow ||
			o.ReceiveFrom.Format(time.DateOnly) != sep26 {
			t.Errorf("%q: issue %s (known %v), receive %s", tt.in, got, o.CategoryKnown, o.ReceiveFrom.Format(time.DateOnly))
		}
		if h, m, _ := o.IssueFrom.Clock(); h != 0 || m != 0 {
			t.Errorf("%q: not midnight in Paris: %v", tt.in, o.IssueFrom)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Date
		ok   bool
	}{
		{"", "", true},
		{" 2026-09-01 ", "2026-09-01", true},
		{"01/09/2026", "2026-09-01", true},
		{"1/9/2026", "2026-09-01", true},
		{"01.09.2026", "2026-09-01", true},
		{"01-09-2026", "2026-09-01", true},
		{"31/02/2026", "", false},
		{"2026-02-30", "", false},
		{"09/01/26", "", false},
		{"hier", "", false},
		{"46266", "", false},
	} {
		got, ok := ParseDate(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseDate(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if !Date("2026-09-01").Valid() || Date("2026-9-1").Valid() || !Date("").Valid() {
		t.Error("Valid")
	}
	if got := Date("2026-03-01").AddDays(-1); got != "2026-02-28" {
		t.Errorf("AddDays: %s", got)
	}
}

func TestCheckDue(t *testing.T) {
	today := Date("2026-12-05")
	for _, tc := range []struct {
		checked Date
		due     bool
	}{{"", true}, {"2026-09-05", true}, {"2026-09-06", false}, {"2026-12-05", false}} {
		if got := (Reform{CheckedOn: tc.checked}).CheckDue(today, RecheckDays); got != tc.due {
			t.Errorf("checked %q: due %v, want %v", tc.checked, got, tc.due)
		}
	}
}
