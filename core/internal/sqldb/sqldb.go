// Package sqldb opens a SQLite database the way every Chorus Onboard
// database is opened, the app's store (core/sqlite) and the simulator's
// (core/sim): pragmas in the DSN with busy_timeout first, WAL checked after
// open, synchronous=FULL, foreign keys on, secure_delete, one writer
// connection that takes its lock at BEGIN (BEGIN IMMEDIATE) so that a busy
// database shows before any work is done, a read-only pool beside it, and
// numbered migrations embedded in the binary. It is internal so that the
// pools stay out of every public API.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" driver

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
)

// DB is an open database: one writer connection and a read-only pool.
type DB struct {
	path   string
	writer *sql.DB // one connection: SQLite has one writer anyway
	reader *sql.DB // read-only pool
	// group queues the calls of GroupTx.
	group group
	// writerStmts and readerStmts keep each pool's prepared statements.
	writerStmts, readerStmts stmtCache
	// tightened lists the files Open found readable by others and made
	// readable by their owner only.
	tightened []string
}

// Options changes how Open sets a database up.
type Options struct {
	// ReadOnly opens the file without writing to it: no migration, no
	// writer; Tx fails. For commands that only read (list, export,
	// status), so they work on a read-only file or directory.
	ReadOnly bool
	// MigrationHook, when set (crash tests), runs inside each migration's
	// transaction after its SQL and before COMMIT.
	MigrationHook func(version int)
}

// dsn builds the connection string. busy_timeout comes first so that the
// pragmas after it wait for a lock instead of failing.
func dsn(path string, write bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	if write {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "secure_delete(1)")
	if runtime.GOOS == "darwin" {
		// fsync on macOS does not flush the drive's cache.
		q.Add("_pragma", "fullfsync(1)")
		q.Add("_pragma", "checkpoint_fullfsync(1)")
	}
	if write {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + (&url.URL{Path: extendedPath(path)}).EscapedPath() + "?" + q.Encode()
}

// roDSN opens the file itself read-only, for a file the user may not
// write. immutable is for a directory nobody may write in: a WAL database
// needs its -shm file, which cannot be made there; and since no writer can
// work in such a directory either, reading without locks is safe.
func roDSN(path string, immutable bool) string {
	if immutable {
		return dsn(path, false) + "&mode=ro&immutable=1"
	}
	return dsn(path, false) + "&mode=ro"
}

// Open opens (creating if needed) the database at path, checks it runs in
// WAL mode and applies the migrations of migrations (files NNNN_name.sql,
// numbered from 1 without gaps). A database written by a newer version is
// refused with a KindInvalid error wrapping ErrNewerSchema rather than
// damaged.
func Open(ctx context.Context, path string, migrations fs.FS, opt Options) (*DB, error) {
	ms, err := loadMigrations(migrations)
	if err != nil {
		return nil, err
	}
	db := &DB{path: path}
	if opt.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, err
		}
		for _, immutable := range []bool{false, true} {
			if db.reader, err = sql.Open("sqlite", roDSN(path, immutable)); err != nil {
				return nil, err
			}
			db.reader.SetMaxOpenConns(max(2, runtime.NumCPU()))
			if err = db.checkVersion(ctx, db.reader, len(ms)); err == nil {
				db.readerStmts.pool = db.reader
				return db, nil
			}
			db.reader.Close()
			if !strings.Contains(err.Error(), "readonly") {
				break // not the directory: a real failure
			}
		}
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// Create the file ourselves so that it is readable by its owner only
	// (SQLite gives the -wal and -shm files the database's mode on Unix;
	// on Windows they inherit the directory's ACL and are checked once
	// they exist, below). An existing one that others may read is
	// tightened: drafts hold personal data.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	f.Close()
	if err := db.protect(path); err != nil {
		return nil, err
	}
	if db.writer, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		return nil, err
	}
	db.writer.SetMaxOpenConns(1)
	db.writer.SetConnMaxIdleTime(0)
	if err := db.setup(ctx, ms, opt.MigrationHook); err != nil {
		db.writer.Close()
		return nil, err
	}
	for _, p := range []string{path + "-wal", path + "-shm"} {
		if err := db.protect(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			db.writer.Close()
			return nil, err
		}
	}
	if db.reader, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		db.writer.Close()
		return nil, err
	}
	db.reader.SetMaxOpenConns(max(2, runtime.NumCPU()))
	db.writerStmts.pool, db.readerStmts.pool = db.writer, db.reader
	return db, nil
}

// protect makes a database file private (localfs.Protect: a mode on Unix,
// an ACL on Windows, where chmod would only touch the read-only bit) and
// records it when it was not.
func (db *DB) protect(p string) error {
	tightened, err := localfs.Protect(p)
	if err != nil {
		return fmt.Errorf("keep %s to its owner: %w", p, err)
	}
	if tightened {
		db.tightened = append(db.tightened, p)
	}
	return nil
}

func (db *DB) setup(ctx context.Context, ms []migration, hook func(int)) error {
	var mode string
	if err := db.writer.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, not WAL (a network or read-only file system?)", mode)
	}
	return db.migrate(ctx, ms, hook)
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Tightened lists the files Open found readable by other users and made
// readable by their owner only (to tell the user once).
func (db *DB) Tightened() []string { return db.tightened }

// Writer returns the single-connection write pool; nil when read-only.
func (db *DB) Writer() *sql.DB { return db.writer }

// Reader returns the read-only pool.
func (db *DB) Reader() *sql.DB { return db.reader }

// Close closes both pools.
func (db *DB) Close() error {
	db.writerStmts.close()
	db.readerStmts.close()
	var werr error
	if db.writer != nil {
		werr = db.writer.Close()
	}
	return errors.Join(db.reader.Close(), werr)
}

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations returns the migrations of fsys sorted by number. Files are
// named NNNN_description.sql; numbers start at 1 and have no gaps.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration file %q: want NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{v, e.Name(), string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return out, nil
}

// Version returns the schema version the migrations of fsys lead to.
func Version(fsys fs.FS) (int, error) {
	ms, err := loadMigrations(fsys)
	return len(ms), err
}

// ErrNewerSchema is returned by Open for a database from a newer version.
var ErrNewerSchema = errors.New("database created by a newer version of Chorus Onboard")

func (db *DB) checkVersion(ctx context.Context, q *sql.DB, known int) error {
	var current int
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current > known {
		return newerSchema(current, known)
	}
	return nil
}

// newerSchema refuses a database at schema current, written by a version
// that knows more migrations than the known of this one.
func newerSchema(current, known int) error {
	return &core.E{Kind: core.KindInvalid, Code: "store.newer_schema", Op: "open store",
		Err: fmt.Errorf("%w (schema %d, this version knows %d): install the latest version", ErrNewerSchema, current, known)}
}

// applyEach applies each of ms on conn, each in its own transaction with
// what finish records of it (the version reached, checks), so a crash
// leaves the database at one version or the next, never in between.
func applyEach(ctx context.Context, conn *sql.Conn, ms []migration, finish func(*sql.Tx, migration) error) error {
	for _, m := range ms {
		err := func() error {
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			if err := finish(tx, m); err != nil {
				return err
			}
			return tx.Commit()
		}()
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", m.name, err)
		}
	}
	return nil
}

// migrate applies every migration above PRAGMA user_version, each in its own
// transaction that also sets user_version, so a crash leaves the database at
// one version or the next, never in between.
//
// Foreign keys are off while a migration runs, as SQLite's procedure for
// rebuilding a table requires (dropping a parent table would otherwise
// cascade into its children), and PRAGMA foreign_key_check must find
// nothing before the migration commits. The pragma only takes effect
// outside a transaction, so the migration holds one connection throughout.
func (db *DB) migrate(ctx context.Context, ms []migration, hook func(int)) error {
	if err := db.checkVersion(ctx, db.writer, len(ms)); err != nil {
		return err
	}
	var current int
	if err := db.writer.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current == len(ms) {
		return nil
	}
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON")
	return applyEach(ctx, conn, ms[current:], func(tx *sql.Tx, m migration) error {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			return err
		}
		if err := noForeignKeyViolation(ctx, tx); err != nil {
			return err
		}
		if hook != nil {
			hook(m.version)
		}
		return nil
	})
}

func noForeignKeyViolation(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		return errors.New("the migration leaves rows pointing at nothing (foreign_key_check)")
	}
	return rows.Err()
}

// errReadOnly refuses a write to a database opened read-only.
var errReadOnly = &core.E{Kind: core.KindInvalid, Code: "store.read_only", Op: "write"}

// Tx runs fn in a write transaction (BEGIN IMMEDIATE) and commits it; any
// error rolls back.
func (db *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) error {
	if db.writer == nil {
		return errReadOnly
	}
	defer db.writerStmts.prepareWanted(ctx)
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// ReadTx runs fn in a read transaction on the reader pool: every query of
// fn sees the same snapshot, and none takes the write lock.
func (db *DB) ReadTx(ctx context.Context, fn func(*sql.Tx) error) error {
	defer db.readerStmts.prepareWanted(ctx)
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict ("ok"
// when the file is sound).
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	return db.pragmaCheck(ctx, "PRAGMA integrity_check")
}

// QuickCheck runs PRAGMA quick_check, the faster check a command makes
// before it writes ("ok" when the file is sound).
func (db *DB) QuickCheck(ctx context.Context) (string, error) {
	return db.pragmaCheck(ctx, "PRAGMA quick_check")
}

func (db *DB) pragmaCheck(ctx context.Context, q string) (string, error) {
	rows, err := db.reader.QueryContext(ctx, q)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		out = append(out, s)
	}
	return strings.Join(out, "; "), rows.Err()
}

// AtLatest reports an error unless the database is at the version the
// migrations of fsys lead to (a copy reads a file as this version writes
// it).
func (db *DB) AtLatest(ctx context.Context, fsys fs.FS) error {
	want, err := Version(fsys)
	if err != nil {
		return err
	}
	q := db.reader
	var current int
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return err
	}
	if current != want {
		return fmt.Errorf("schema %d, this version writes %d", current, want)
	}
	return nil
}
