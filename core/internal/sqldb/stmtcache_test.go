package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
)

// TestStatementCache: a query run through CachedTx inside a write
// transaction is prepared there (never on the one-connection writer pool
// the transaction holds: that would wait forever), then kept by the pool
// once the transaction ended, and later transactions use the pool's; a
// read transaction's go to the reader pool's cache; past
// MaxCachedStatements a query is still answered, prepared for its
// transaction only; Close leaves nothing kept.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	db := openGroupDB(t)
	const insert = `INSERT INTO t VALUES (?, ?)`
	write := func(k string, v int) {
		t.Helper()
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := db.Cached(tx, true).ExecContext(ctx, insert, k, v)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	cached := func(c *stmtCache, q string) bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, ok := c.stmts[q]
		return ok
	}
	write("a", 1)
	if !cached(&db.writerStmts, insert) {
		t.Fatal("the insert is not kept by the writer pool after its transaction")
	}
	write("b", 2)
	var n int
	err := db.ReadTx(ctx, func(tx *sql.Tx) error {
		return db.Cached(tx, false).QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n)
	})
	if err != nil || n != 2 {
		t.Fatalf("read %d rows, %v", n, err)
	}
	if !cached(&db.readerStmts, `SELECT count(*) FROM t`) || cached(&db.writerStmts, `SELECT count(*) FROM t`) {
		t.Error("the read's statement is not kept by the reader pool alone")
	}

	// Fill the cache past its bound: every query still runs.
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		c := db.Cached(tx, true)
		for i := range MaxCachedStatements + 10 {
			var v int
			if err := c.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d`, i)).Scan(&v); err != nil || v != i {
				return fmt.Errorf("query %d: %d, %v", i, v, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.writerStmts.mu.Lock()
	kept := len(db.writerStmts.stmts)
	db.writerStmts.mu.Unlock()
	if kept != MaxCachedStatements {
		t.Errorf("%d statements kept, want the bound %d", kept, MaxCachedStatements)
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		var v int
		return db.Cached(tx, true).QueryRowContext(ctx, fmt.Sprintf(`SELECT %d`, MaxCachedStatements+5)).Scan(&v)
	})
	if err != nil {
		t.Fatalf("a query beyond the bound: %v", err)
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db.writerStmts.stmts != nil || db.readerStmts.stmts != nil {
		t.Error("statements kept after Close")
	}
}
