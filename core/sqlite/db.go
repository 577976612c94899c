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
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Pools is a database opened the way every Chorus Onboard database is
// (the app's store and the simulator's): pragmas in the DSN, WAL checked,
// one writer connection, a read-only pool, numbered migrations applied.
type Pools struct {
	path   string
	writer *sql.DB // one connection: SQLite has one writer anyway
	reader *sql.DB // read-only pool
}

// DB is the store. Create it with Open.
type DB struct {
	*Pools
	clock core.Clock
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
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	p, err := OpenPools(ctx, path, sub)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db := &DB{Pools: p, clock: core.SystemClock{}}
	for _, o := range opts {
		o(db)
	}
	return db, nil
}

// OpenPools opens (creating if needed) the database at path, checks it runs
// in WAL mode and applies the migrations of migrations (files
// NNNN_name.sql). A database written by a newer version is refused.
func OpenPools(ctx context.Context, path string, migrations fs.FS) (*Pools, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// Create the file ourselves so that it (and the -wal and -shm files,
	// which SQLite creates with the same mode) is readable by its owner only.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
		f.Close()
	} else {
		return nil, err
	}
	p := &Pools{path: path}
	var err error
	if p.writer, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		return nil, err
	}
	p.writer.SetMaxOpenConns(1)
	p.writer.SetConnMaxIdleTime(0)
	if err := p.setup(ctx, migrations); err != nil {
		p.writer.Close()
		return nil, err
	}
	if p.reader, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		p.writer.Close()
		return nil, err
	}
	p.reader.SetMaxOpenConns(max(2, runtime.NumCPU()))
	return p, nil
}

func (p *Pools) setup(ctx context.Context, migrations fs.FS) error {
	var mode string
	if err := p.writer.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, not WAL (a network or read-only file system?)", mode)
	}
	return p.migrate(ctx, migrations)
}

// Path returns the database file's path.
func (p *Pools) Path() string { return p.path }

// Writer returns the single-connection write pool.
func (p *Pools) Writer() *sql.DB { return p.writer }

// Reader returns the read-only pool.
func (p *Pools) Reader() *sql.DB { return p.reader }

// Close closes both pools.
func (p *Pools) Close() error {
	return errors.Join(p.reader.Close(), p.writer.Close())
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

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int {
	sub, _ := fs.Sub(migrationFS, "migrations")
	ms, err := loadMigrations(sub)
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
func (p *Pools) migrate(ctx context.Context, fsys fs.FS) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := p.writer.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current > len(ms) {
		return &core.E{Kind: core.KindInvalid, Code: "store.newer_schema", Op: "open store",
			Err: fmt.Errorf("%w (schema %d, this version knows %d): install the latest version", ErrNewerSchema, current, len(ms))}
	}
	for _, m := range ms[current:] {
		err := p.Tx(ctx, func(tx *sql.Tx) error {
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

// Tx runs fn in a write transaction (BEGIN IMMEDIATE) and commits it; any
// error rolls back.
func (p *Pools) Tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := p.writer.BeginTx(ctx, nil)
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
func (p *Pools) IntegrityCheck(ctx context.Context) (string, error) {
	rows, err := p.writer.QueryContext(ctx, "PRAGMA integrity_check")
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
