// Package sqlite is the core.Store on modernc.org/sqlite (pure Go, no cgo).
//
// Durability comes first: the database runs in WAL mode with
// synchronous=FULL (fullfsync on macOS), so a save that returned survives a
// crash or a power cut; secure_delete overwrites deleted content; one writer
// connection takes its lock at BEGIN (BEGIN IMMEDIATE) so that a busy
// database shows up before any work is done; readers use a separate pool
// (core/internal/sqldb). Every change the portal must see writes its outbox
// row in the same transaction as the change. Every time is stored as Unix
// milliseconds.
package sqlite

import (
	"context"
	"crypto/rand"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

func migrations() fs.FS {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		panic(err) // the embedded directory exists: a build error otherwise
	}
	return sub
}

// store is what every role of the database shares: the pools, the clock,
// the workspace's index and the outbox's group commit.
type store struct {
	db       *sqldb.DB
	clock    core.Clock
	readOnly bool
	// list is the workspace's in-memory index (QueryStructures).
	list listIndex
}

// DB is the store: one database, so that a change and its outbox row commit
// together, seen through one value per role. A service gets only the
// roles it uses (core.AccountStore, core.StructureStore, …), never the
// whole. Create it with Open.
type DB struct {
	*store
	// Accounts keeps the account drafts (core.AccountStore).
	Accounts *Accounts
	// Structures keeps the structure drafts (core.StructureStore).
	Structures *Structures
	// Workspace answers the workspace's queries and bulk changes
	// (core.WorkspaceStore).
	Workspace *Workspace
	// Reform keeps the reform's bookkeeping (core.ReformStore).
	Reform *Reform
	// Outbox is the queue of changes for the portal (core.Outbox).
	Outbox *Outbox
	// Settings keeps the user's settings (core.SettingsStore).
	Settings *Settings
	// Firm keeps this desktop's copy of its firm's clients
	// (core.FirmStore).
	Firm *Firm
}

// The roles of the database, each a view on the shared store.
type (
	// Accounts is core.AccountStore.
	Accounts struct{ *store }
	// Structures is core.StructureStore.
	Structures struct{ *store }
	// Workspace is core.WorkspaceStore.
	Workspace struct{ *store }
	// Reform is core.ReformStore.
	Reform struct{ *store }
	// Outbox is core.Outbox.
	Outbox struct{ *store }
	// Settings is core.SettingsStore.
	Settings struct{ *store }
)

var (
	_ core.AccountStore   = (*Accounts)(nil)
	_ core.StructureStore = (*Structures)(nil)
	_ core.WorkspaceStore = (*Workspace)(nil)
	_ core.ReformStore    = (*Reform)(nil)
	_ core.Outbox         = (*Outbox)(nil)
	_ core.SettingsStore  = (*Settings)(nil)
)

// migrationHook, when set (crash tests only), runs inside each migration's
// transaction after its SQL and before COMMIT.
var migrationHook func(version int)

// Option changes how Open sets the store up.
type Option func(*store)

// WithClock sets the clock used for created/updated times (tests).
func WithClock(c core.Clock) Option { return func(st *store) { st.clock = c } }

// ReadOnly opens an existing database without writing to it (no
// migration, no write lock): for commands that only read, so they work on
// a read-only file or directory. Every write returns a KindInvalid error.
func ReadOnly() Option { return func(st *store) { st.readOnly = true } }

// Open opens (creating if needed) the database at path, checks it runs in
// WAL mode and applies the pending migrations. A database written by a newer
// version of the app is refused with a clear error rather than damaged.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	st := &store{clock: core.SystemClock{}}
	for _, o := range opts {
		o(st)
	}
	db := &DB{store: st, Accounts: &Accounts{st}, Structures: &Structures{st}, Workspace: &Workspace{st}, Reform: &Reform{st},
		Outbox: &Outbox{st}, Settings: &Settings{st}, Firm: &Firm{st}}
	p, err := sqldb.Open(ctx, path, migrations(), sqldb.Options{ReadOnly: db.readOnly, MigrationHook: migrationHook})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.db = p
	if !db.readOnly {
		if err := db.backfill(ctx); err != nil {
			p.Close()
			return nil, fmt.Errorf("open store: %w", err)
		}
		if err := db.pruneChanges(ctx); err != nil {
			p.Close()
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	return db, nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.db.Path() }

// Tightened lists the database files Open found readable by other users
// and made readable by their owner only: say it once.
func (db *DB) Tightened() []string { return db.db.Tightened() }

// Close releases the database.
func (db *DB) Close() error { return db.db.Close() }

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict ("ok"
// when the file is sound).
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) { return db.db.IntegrityCheck(ctx) }

// QuickCheck runs PRAGMA quick_check ("ok" when the file is sound): a
// command checks it before writing into a file it did not create.
func (db *DB) QuickCheck(ctx context.Context) (string, error) { return db.db.QuickCheck(ctx) }

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int {
	v, err := sqldb.Version(migrations())
	if err != nil {
		panic(err) // the embedded migrations are named by the build's own files
	}
	return v
}

// ErrNewerSchema is returned by Open for a database from a newer version.
var ErrNewerSchema = sqldb.ErrNewerSchema

// now is the current time as stored: Unix milliseconds.
func (db *store) now() int64 { return db.clock.Now().UnixMilli() }

// fromMillis reads a stored time; 0 is the zero time.
func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// toMillis stores a time; the zero time is 0.
func toMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// NewOpID returns a UUID of version 7 (RFC 9562: the Unix time in
// milliseconds, then 74 random bits), the idempotency key of an outbox
// row. Keys that grow with time are appended to the op_id index instead of
// landing on a random page of it: an import of thousands of rows dirties a
// few index pages per transaction, not all of them (version 4 keys did).
// 74 random bits a millisecond keep two keys apart as a random UUID does.
func NewOpID() string { return newOpIDAt(time.Now()) }

func newOpIDAt(t time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[6:]) // never fails (crypto/rand panics on failure)
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
