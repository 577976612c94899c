// Package sqlplan reads SQLite's plan for a query, for the tests that
// keep the store's queries on their indexes.
package sqlplan

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// Querier is what runs the EXPLAIN: a *sql.DB or a store's reader.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Of returns the plan of query with args, its steps joined by "; ", or
// fails the test.
func Of(t testing.TB, db Querier, query string, args ...any) string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}
