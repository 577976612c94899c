// Package sqlite is the core.Store on modernc.org/sqlite (pure Go, no cgo).
//
// Durability comes first: the database runs in WAL mode with
// synchronous=FULL (fullfsync on macOS), so a save that returned survives a
// crash or a power cut; secure_delete overwrites deleted content; one writer
// connection takes its lock at BEGIN (BEGIN IMMEDIATE) so that a busy
// database shows up before any work is done; readers use a separate pool.
// Every change the portal must see writes its outbox row in the same
// transaction as the change.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" driver

	"github.com/chorusonboard/chorus-onboard/core"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is the store. Create it with Open.
type DB struct {
	path   string
	writer *sql.DB // one connection: SQLite has one writer anyway
	reader *sql.DB // read-only pool
	clock  core.Clock
}

var _ core.Store = (*DB)(nil)

// Option changes how Open sets the store up.
type Option func(*DB)

// WithClock sets the clock used for created/updated times (tests).
func WithClock(c core.Clock) Option { return func(db *DB) { db.clock = c } }

// dsn builds the connection string. busy_timeout comes first so that the
// pragmas after it wait for a lock instead of failing.
func dsn(path string, write bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
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
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path, checks it runs in
// WAL mode and applies the pending migrations. A database written by a newer
// version of the app is refused with a clear error rather than damaged.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	// Create the file ourselves so that it (and the -wal and -shm files,
	// which SQLite creates with the same mode) is readable by its owner only.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
		f.Close()
	} else {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db := &DB{path: path, clock: core.SystemClock{}}
	for _, o := range opts {
		o(db)
	}
	var err error
	if db.writer, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.writer.SetMaxOpenConns(1)
	db.writer.SetConnMaxIdleTime(0)
	if err := db.setup(ctx); err != nil {
		db.writer.Close()
		return nil, err
	}
	if db.reader, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		db.writer.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.reader.SetMaxOpenConns(max(2, runtime.NumCPU()))
	return db, nil
}

func (db *DB) setup(ctx context.Context) error {
	var mode string
	if err := db.writer.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("open store: journal mode is %q, not WAL (a network or read-only file system?)", mode)
	}
	return db.migrate(ctx)
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Close closes both pools.
func (db *DB) Close() error {
	return errors.Join(db.reader.Close(), db.writer.Close())
}

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations sorted by number. Files are
// named NNNN_description.sql; numbers start at 1 and have no gaps.
func migrations() ([]migration, error) {
	entries, err := migrationFS.ReadDir("migrations")
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
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
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

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err)
	}
	return len(ms)
}

// ErrNewerSchema is returned by Open for a database from a newer version.
var ErrNewerSchema = errors.New("database created by a newer version of Chorus Onboard")

// migrationHook, when set (tests only), runs inside each migration's
// transaction after its SQL and before COMMIT.
var migrationHook func(version int)

// migrate applies every migration above PRAGMA user_version, each in its own
// transaction that also sets user_version, so a crash leaves the database at
// the old version or the new one, never in between.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := db.writer.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current > len(ms) {
		return &core.E{Kind: core.KindInvalid, Code: "store.newer_schema", Op: "open store",
			Err: fmt.Errorf("%w (schema %d, this version knows %d): install the latest version", ErrNewerSchema, current, len(ms))}
	}
	for _, m := range ms[current:] {
		err := db.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
				return err
			}
			if migrationHook != nil {
				migrationHook(m.version)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", m.name, err)
		}
	}
	return nil
}

// tx runs fn in a write transaction and commits it; any error rolls back.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
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

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict ("ok"
// when the file is sound).
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	rows, err := db.writer.QueryContext(ctx, "PRAGMA integrity_check")
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
