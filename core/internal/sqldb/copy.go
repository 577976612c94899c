package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// Table is a table a store copy moves: its name, its columns (the same on
// both engines) and the columns that order its rows (a key, so that the
// order is total and a resumed copy starts where the last one stopped).
// Identity names the column PostgreSQL numbers itself, if any, whose
// sequence is moved past the copied rows.
type Table struct {
	Name     string
	Columns  []string
	Key      []string
	Identity string
}

// CopyReport is what a copy moved and found, table by table.
type CopyReport struct {
	Tables []TableReport
}

// TableReport is one table's: the rows in the source, the rows in the
// target, and each side's checksum (equal when the copy is faithful).
type TableReport struct {
	Name                 string
	Source, Target       int64
	SourceSum, TargetSum string
	Resumed              int64 // rows a previous run had already copied
}

// copyBatch is how many rows each of the copy's transactions moves.
const copyBatch = 1000

// ErrTargetInUse refuses a copy into a PostgreSQL store that already holds
// data and no unfinished copy: a copy never merges into a live store.
var ErrTargetInUse = errors.New("the target database already holds data that no earlier copy wrote")

// CopyTo copies tables, in their order, from the SQLite database src
// (read only: the file is left untouched) into the PostgreSQL store dst,
// whose schema is already at src's version. Each batch of rows and the
// count copied so far commit together in dst (store_copy), so an
// interrupted copy run again goes on from its last batch. At the end it
// counts and checksums every table on both sides; progress, when set, is
// told of each batch.
func CopyTo(ctx context.Context, src *DB, dst *Store, tables []Table, progress func(table string, done, total int64)) (CopyReport, error) {
	if dst.engine != Postgres {
		return CopyReport{}, errors.New("store copy: the target is not PostgreSQL")
	}
	if _, err := dst.pg.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS store_copy (table_name TEXT PRIMARY KEY, rows BIGINT NOT NULL)`); err != nil {
		return CopyReport{}, dst.unavailable(err)
	}
	var started int
	if err := dst.pg.QueryRowContext(ctx, `SELECT count(*) FROM store_copy`).Scan(&started); err != nil {
		return CopyReport{}, dst.unavailable(err)
	}
	if started == 0 {
		for _, t := range tables {
			var any int
			if err := dst.pg.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+t.Name+` LIMIT 1) AS x`).Scan(&any); err != nil {
				return CopyReport{}, dst.unavailable(err)
			}
			if any > 0 {
				return CopyReport{}, fmt.Errorf("%w (table %s)", ErrTargetInUse, t.Name)
			}
		}
	}
	var rep CopyReport
	for _, t := range tables {
		tr, err := copyTable(ctx, src.Reader(), dst, t, progress)
		if err != nil {
			return rep, fmt.Errorf("store copy: %s: %w", t.Name, err)
		}
		rep.Tables = append(rep.Tables, tr)
	}
	return rep, nil
}

// CopyFile copies tables from the SQLite file path to the PostgreSQL
// store dst (migrating it first), both with the migrations of migrations
// (its sqlite/ and postgres/ trees). The file is opened read only and
// left untouched; it must be at the latest version (the server of this
// version started on it once). The server must be stopped, or its last
// changes are not in the copy. Run again after an interruption, it goes
// on from its last batch; it refuses a target that holds data no copy
// wrote. The report's counts and checksums say whether the copy is
// faithful (Faithful).
func CopyFile(ctx context.Context, path string, migrations fs.FS, dst Source, tables []Table, progress func(table string, done, total int64)) (CopyReport, error) {
	lite, err := fs.Sub(migrations, string(SQLite))
	if err != nil {
		return CopyReport{}, err
	}
	src, err := Open(ctx, path, lite, Options{ReadOnly: true})
	if err != nil {
		return CopyReport{}, fmt.Errorf("%s: %w", path, err)
	}
	defer src.Close()
	if err := src.AtLatest(ctx, lite); err != nil {
		return CopyReport{}, fmt.Errorf("%s: %w: start this version's server on it once first", path, err)
	}
	if dst.DSN == "" {
		return CopyReport{}, errors.New("no PostgreSQL server to copy to")
	}
	st, err := OpenStore(ctx, dst, migrations)
	if err != nil {
		return CopyReport{}, err
	}
	defer st.Close()
	return CopyTo(ctx, src, st, tables, progress)
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

// copyTable copies one table from where an earlier run stopped, then
// counts and checksums both sides.
func copyTable(ctx context.Context, src *sql.DB, dst *Store, t Table, progress func(string, int64, int64)) (TableReport, error) {
	tr := TableReport{Name: t.Name}
	if err := src.QueryRowContext(ctx, `SELECT count(*) FROM `+t.Name).Scan(&tr.Source); err != nil {
		return tr, err
	}
	err := dst.pg.QueryRowContext(ctx, `SELECT rows FROM store_copy WHERE table_name = $1`, t.Name).Scan(&tr.Resumed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return tr, dst.unavailable(err)
	}
	cols := strings.Join(t.Columns, ", ")
	marks := make([]string, len(t.Columns))
	for i := range marks {
		marks[i] = "?"
	}
	insert := `INSERT INTO ` + t.Name + ` (` + cols + `) VALUES (` + strings.Join(marks, ", ") + `)`
	done := tr.Resumed
	for done < tr.Source {
		rows, err := readBatch(ctx, src, `SELECT `+cols+` FROM `+t.Name+` ORDER BY `+strings.Join(t.Key, ", ")+` LIMIT ? OFFSET ?`,
			len(t.Columns), copyBatch, done)
		if err != nil {
			return tr, err
		}
		if len(rows) == 0 {
			break
		}
		err = dst.Tx(ctx, func(tx *Tx) error {
			for _, r := range rows {
				if _, err := tx.ExecContext(ctx, insert, r...); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO store_copy (table_name, rows) VALUES (?, ?)
				ON CONFLICT (table_name) DO UPDATE SET rows = excluded.rows`, t.Name, done+int64(len(rows)))
			return err
		})
		if err != nil {
			return tr, err
		}
		done += int64(len(rows))
		if progress != nil {
			progress(t.Name, done, tr.Source)
		}
	}
	if t.Identity != "" {
		if _, err := dst.pg.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(`+t.Identity+`), 0) + 1, false) FROM `+t.Name,
			t.Name, t.Identity); err != nil {
			return tr, dst.unavailable(err)
		}
	}
	var err2 error
	if tr.SourceSum, _, err2 = checksum(ctx, src, t); err2 != nil {
		return tr, err2
	}
	tr.TargetSum, tr.Target, err2 = checksum(ctx, dst.pg, t)
	return tr, dst.unavailable(err2)
}

// readBatch reads up to limit rows of n columns.
func readBatch(ctx context.Context, db *sql.DB, query string, n, limit int, offset int64) ([][]any, error) {
	rows, err := db.QueryContext(ctx, query, limit, offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// checksum sums the SHA-256 of each row's canonical text, lane by lane
// (four 64-bit sums): the same rows give the same sum whatever order
// each engine's collation lists them in. It returns the sum and the
// count.
func checksum(ctx context.Context, db *sql.DB, t Table) (string, int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+strings.Join(t.Columns, ", ")+` FROM `+t.Name)
	if err != nil {
		return "", 0, err
	}
	defer rows.Close()
	var lanes [4]uint64
	var n int64
	vals := make([]any, len(t.Columns))
	ptrs := make([]any, len(t.Columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b []byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", 0, err
		}
		b = b[:0]
		for _, v := range vals {
			b = appendCanonical(b, v)
		}
		h := sha256.Sum256(b)
		for i := range lanes {
			lanes[i] += binary.BigEndian.Uint64(h[i*8:])
		}
		n++
	}
	var out [32]byte
	for i, l := range lanes {
		binary.BigEndian.PutUint64(out[i*8:], l)
	}
	return hex.EncodeToString(out[:]), n, rows.Err()
}

// appendCanonical appends a column's value as text both engines agree on,
// and a separator no value holds unescaped.
func appendCanonical(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		b = append(b, 'N')
	case int64:
		b = append(b, 'i')
		b = strconv.AppendInt(b, x, 10)
	case int32:
		b = append(b, 'i')
		b = strconv.AppendInt(b, int64(x), 10)
	case bool:
		b = append(b, 'i')
		if x {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	case string:
		b = append(b, 'x')
		b = hex.AppendEncode(b, []byte(x))
	case []byte:
		b = append(b, 'x')
		b = hex.AppendEncode(b, x)
	default:
		b = append(b, 'v')
		b = fmt.Appendf(b, "%v", x)
	}
	return append(b, 0)
}
