package firm

import (
	"context"
	"errors"
	"fmt"
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

// CopyStore copies the firms' workspace from the SQLite file in dataDir
// (opened read only and left untouched; the server must be stopped, or
// its last changes are not in the copy) to the PostgreSQL server at dsn,
// migrating it first. Run again after an interruption, it goes on from
// its last batch; it refuses a target that holds data no copy wrote. The
// report's counts and checksums say whether the copy is faithful.
func CopyStore(ctx context.Context, dataDir, dsn string, progress func(table string, done, total int64)) (CopyReport, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return CopyReport{}, err
	}
	lite, err := fs.Sub(sub, string(sqldb.SQLite))
	if err != nil {
		return CopyReport{}, err
	}
	src, err := sqldb.Open(ctx, filepath.Join(dataDir, DatabaseFile), lite, sqldb.Options{ReadOnly: true})
	if err != nil {
		return CopyReport{}, fmt.Errorf("the firms' file in %s: %w", dataDir, err)
	}
	defer src.Close()
	if err := src.AtLatest(ctx, lite); err != nil {
		return CopyReport{}, fmt.Errorf("the firms' file in %s: %w: start this version's chorus-sim on it once first", dataDir, err)
	}
	if dsn == "" {
		return CopyReport{}, errors.New("no PostgreSQL server to copy to")
	}
	dst, err := sqldb.OpenStore(ctx, sqldb.Source{DSN: dsn}, sub)
	if err != nil {
		return CopyReport{}, err
	}
	defer dst.Close()
	return sqldb.CopyTo(ctx, src, dst, tables, progress)
}

// Faithful reports whether every table of rep has as many rows and the
// same checksum on both sides, and names the first that does not.
func Faithful(rep CopyReport) error {
	for _, t := range rep.Tables {
		if t.Source != t.Target || t.SourceSum != t.TargetSum {
			return fmt.Errorf("table %s: %d rows (checksum %.12s…) in the file, %d (%.12s…) in PostgreSQL", t.Name, t.Source, t.SourceSum,
				t.Target, t.TargetSum)
		}
	}
	return nil
}
