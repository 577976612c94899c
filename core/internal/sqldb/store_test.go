package sqldb

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"
)

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE id = ? AND b > ?", "SELECT a FROM t WHERE id = $1 AND b > $2"},
		{"SELECT '?' || ? FROM t", "SELECT '?' || $1 FROM t"},
		{`SELECT "odd?name" FROM t WHERE x = ?`, `SELECT "odd?name" FROM t WHERE x = $1`},
		{"SELECT 1 -- why?\nFROM t WHERE x = ?", "SELECT 1 -- why?\nFROM t WHERE x = $1"},
		{"SELECT 'it''s?' , ?", "SELECT 'it''s?' , $1"},
		{"SELECT 'unterminated ?", "SELECT 'unterminated ?"},
		{"INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"},
	} {
		if got := Rebind(tc.in); got != tc.want {
			t.Errorf("Rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzRebind: Rebind never fails, leaves a query without ? as it is, and
// turns every ? into a numbered placeholder or keeps it quoted.
func FuzzRebind(f *testing.F) {
	for _, s := range []string{"SELECT ?", "'?' ?", `"?" -- ?` + "\n?", "", "?'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got := Rebind(q)
		if !strings.Contains(q, "?") && got != q {
			t.Fatalf("Rebind(%q) = %q: changed a query without placeholders", q, got)
		}
		if strings.Count(got, "?")+strings.Count(got, "$")-strings.Count(q, "$") != strings.Count(q, "?") {
			t.Fatalf("Rebind(%q) = %q: a placeholder lost", q, got)
		}
	})
}

// TestPostgresURL: a URL that cannot be read is refused without its
// password in the message; the bounds the URL leaves unset are set, and
// those it sets are kept.
func TestPostgresURL(t *testing.T) {
	migrations := fstest.MapFS{"postgres/0001_x.sql": {Data: []byte("SELECT 1")}, "sqlite/0001_x.sql": {Data: []byte("SELECT 1")}}
	_, err := OpenStore(t.Context(), Source{DSN: "postgres://chorus:hunter2@db.example:notaport/chorus"}, migrations)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("a bad URL: %v", err)
	}
	c, err := pgx.ParseConfig("postgres://chorus@db.example/chorus?statement_timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	boundPostgres(c)
	if c.ConnectTimeout != postgresConnect || c.RuntimeParams["statement_timeout"] != "5s" ||
		c.RuntimeParams["idle_in_transaction_session_timeout"] != postgresStatement || c.RuntimeParams["application_name"] == "" {
		t.Fatalf("bounds: %v %v", c.ConnectTimeout, c.RuntimeParams)
	}
}
