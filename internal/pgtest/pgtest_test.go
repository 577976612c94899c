package pgtest

import (
	"database/sql"
	"os"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestServer: a database of its own per test, that a killed and restarted
// server still has with what was committed.
func TestServer(t *testing.T) {
	dsn := Database(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), `CREATE TABLE x (n int); INSERT INTO x VALUES (42)`); err != nil {
		t.Fatal(err)
	}
	s := Shared(t)
	s.Kill()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT n FROM x`).Scan(&n); err != nil || n != 42 {
		t.Fatalf("after a restart: %d %v", n, err)
	}
	if other := Database(t); other == dsn {
		t.Fatal("two tests share a database")
	}
}
