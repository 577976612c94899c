package firm

import (
	"context"
	"io/fs"
	"path/filepath"

	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

// CopyReport is what a store copy moved and found, table by table: rows
// and checksums on each side.
type CopyReport = sqldb.CopyReport

// tables are the store's tables in the order a copy fills them (a row's
// firm before it), each with its key.
var tables = []sqldb.Table{
	{Name: "firm", Columns: []string{"id", "name", "position", "charge_floor", "created_at"}, Key: []string{"id"}, Identity: "id"},
	{Name: "member", Columns: []string{"firm_id", "account_id", "email", "name", "role", "added_at"}, Key: []string{"firm_id", "account_id"}},
	{Name: "invitation", Columns: []string{"firm_id", "email", "role", "invited_by", "created_at"}, Key: []string{"firm_id", "email"}},
	{Name: "client", Columns: []string{"id", "firm_id", "identity", "fields", "revision", "in_charge", "claimed_by", "updated_by",
		"updated_at", "updated_from", "deleted", "position"}, Key: []string{"id"}, Identity: "id"},
	{Name: "charge_change", Columns: []string{"firm_id", "position", "client_id", "was", "now", "at"}, Key: []string{"firm_id", "position"}},
	{Name: "audit", Columns: []string{"id", "firm_id", "client_id", "revision", "at", "author", "device", "action", "field", "old", "new"},
		Key: []string{"id"}, Identity: "id"},
	{Name: "idempotency", Columns: []string{"account_id", "op_key", "fingerprint", "status", "body", "created_at"}, Key: []string{"account_id", "op_key"}},
}

// CopyStore copies the firms' workspace from the SQLite file in dataDir to
// the PostgreSQL server at dsn, in the schema Schema (sqldb.CopyFile says
// how: read only, resumable, checked by counts and checksums).
func CopyStore(ctx context.Context, dataDir, dsn string, progress func(table string, done, total int64)) (CopyReport, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return CopyReport{}, err
	}
	return sqldb.CopyFile(ctx, filepath.Join(dataDir, DatabaseFile), sub, sqldb.Source{DSN: dsn, Schema: Schema}, tables, progress)
}

// Faithful reports whether every table of rep has as many rows and the
// same checksum on both sides, and names the first that does not.
func Faithful(rep CopyReport) error { return sqldb.Faithful(rep) }
