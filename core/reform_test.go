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
