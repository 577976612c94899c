package sqlite

import (
	"regexp"
	"testing"
	"time"
)

// TestNewOpID: a key is a UUID of version 7 and variant 10 (RFC 9562), its
// first 48 bits the millisecond it was made, so keys of later
// milliseconds sort after; keys of the same millisecond differ.
func TestNewOpID(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	at := time.Date(2026, 12, 5, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		at     time.Time
		prefix string
	}{
		{"a day of 2026", at, "01a24681-2b00-7"},
		{"the epoch", time.UnixMilli(0), "00000000-0000-7"},
		{"2^48-1 ms", time.UnixMilli(1<<48 - 1), "ffffffff-ffff-7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := newOpIDAt(tt.at), newOpIDAt(tt.at)
			for _, k := range []string{a, b} {
				if !shape.MatchString(k) || k[:len(tt.prefix)] != tt.prefix {
					t.Errorf("%q: not a version 7 UUID starting %q", k, tt.prefix)
				}
			}
			if a == b {
				t.Errorf("two keys of one millisecond are equal: %q", a)
			}
		})
	}
	if a, b := newOpIDAt(at), newOpIDAt(at.Add(time.Millisecond)); a >= b {
		t.Errorf("a later key sorts first: %q >= %q", a, b)
	}
	if k := NewOpID(); !shape.MatchString(k) {
		t.Errorf("NewOpID %q", k)
	}
}
