package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/chorusonboard/chorus-onboard/core"
)

// Engine names the engine a Store runs on.
type Engine string

// The engines.
const (
	// SQLite: one file, the default (nothing to install).
	SQLite Engine = "sqlite"
	// Postgres: a PostgreSQL server, shared by several instances.
	Postgres Engine = "postgres"
)

// Source says where a Store's data is: a SQLite file, or a PostgreSQL
// server's URL or key=value DSN.
type Source struct {
	File string
	DSN  string
	// Schema is the PostgreSQL schema the store's tables live in (created
	// if missing), so that the stores of one server share a database
	// without their tables or migration versions meeting; public when
	// empty.
	Schema string
	// OnMigration, when set, is told of each migration applied.
	OnMigration func(version int)
}

// Store is a database on either engine, for code that runs on both: its
// SQL is written once, with ? placeholders, in what both dialects share
// (Tx rebinds the placeholders for PostgreSQL). Its migrations are
// numbered alike for both engines, in the sub-directories sqlite/ and
// postgres/ of the migrations' tree.
//
// On SQLite it is a DB (one writer, so write transactions are serial). On
// PostgreSQL, write transactions run at READ COMMITTED: code that needs
// them serial on a row (a firm's changes) takes the row's lock with
// Tx.Lock first; a transaction that fails on a unique key, a deadlock or
// a serialization failure is run again (a few times, with jitter), so that
// a check-then-insert raced by another instance answers as if it had run
// second.
type Store struct {
	engine Engine
	lite   *DB
	pg     *sql.DB
	binds  rebinds
	schema string
}

// OpenStore opens (creating and migrating) the store of src: PostgreSQL
// when src.DSN is set, else the SQLite file src.File.
func OpenStore(ctx context.Context, src Source, migrations fs.FS) (*Store, error) {
	if src.DSN == "" {
		sub, err := fs.Sub(migrations, string(SQLite))
		if err != nil {
			return nil, err
		}
		db, err := Open(ctx, src.File, sub, Options{MigrationHook: src.OnMigration})
		if err != nil {
			return nil, err
		}
		return &Store{engine: SQLite, lite: db}, nil
	}
	sub, err := fs.Sub(migrations, string(Postgres))
	if err != nil {
		return nil, err
	}
	ms, err := loadMigrations(sub)
	if err != nil {
		return nil, err
	}
	pgCfg, err := pgx.ParseConfig(src.DSN)
	if err != nil {
		// pgx's message may quote the URL, password included: say what is
		// wrong without it.
		return nil, errors.New("postgres: the database URL cannot be read (postgres://USER@HOST/DB?sslmode=verify-full)")
	}
	boundPostgres(pgCfg)
	if src.Schema != "" {
		// Every connection looks in the store's schema first; public
		// holds the extensions (citext) the stores share.
		pgCfg.RuntimeParams["search_path"] = pgx.Identifier{src.Schema}.Sanitize() + ", public"
	}
	pg := stdlib.OpenDB(*pgCfg)
	pg.SetMaxOpenConns(PostgresConns)
	pg.SetMaxIdleConns(PostgresConns)
	pg.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{engine: Postgres, pg: pg, binds: rebinds{m: map[string]string{}}, schema: src.Schema}
	if err := s.migratePostgres(ctx, ms, src.OnMigration); err != nil {
		pg.Close()
		return nil, err
	}
	return s, nil
}

// Bounds on PostgreSQL's side, unless the URL sets its own: a server that
// does not answer is given up after postgresConnect; a statement, or a
// transaction left idle (a client gone mid-request), is ended by the
// server after postgresStatement.
const (
	postgresConnect   = 10 * time.Second
	postgresStatement = "60s"
)

// boundPostgres sets the bounds the URL leaves unset, and names the
// connections after the program (pg_stat_activity).
func boundPostgres(c *pgx.ConnConfig) {
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = postgresConnect
	}
	for _, p := range []string{"statement_timeout", "idle_in_transaction_session_timeout"} {
		if _, ok := c.RuntimeParams[p]; !ok {
			c.RuntimeParams[p] = postgresStatement
		}
	}
	if _, ok := c.RuntimeParams["application_name"]; !ok {
		c.RuntimeParams["application_name"] = "chorus-onboard"
	}
}

// PostgresConns bounds one instance's connections to PostgreSQL: with
// several instances, their sum stays under the server's max_connections.
const PostgresConns = 16

// Engine is the engine the store runs on.
func (s *Store) Engine() Engine { return s.engine }

// Close closes the store.
func (s *Store) Close() error {
	if s.lite != nil {
		return s.lite.Close()
	}
	return s.pg.Close()
}

// SQLite is the SQLite database under the store (nil on PostgreSQL), for
// what only a file has (its checks, its path).
func (s *Store) SQLite() *DB { return s.lite }

// Querier is what runs statements: a Store's transaction, or code's own
// wrapper of one.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a transaction of a Store. On SQLite its statements run through
// the database's statement cache (prepared once per connection); on
// PostgreSQL they are rebound to $n placeholders.
type Tx struct {
	tx   *sql.Tx
	lite *CachedTx
	s    *Store
}

// ExecContext runs a statement.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.lite != nil {
		return t.lite.ExecContext(ctx, query, args...)
	}
	return t.tx.ExecContext(ctx, t.s.bind(query), pgArgs(args)...)
}

// QueryContext runs a query.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if t.lite != nil {
		return t.lite.QueryContext(ctx, query, args...)
	}
	return t.tx.QueryContext(ctx, t.s.bind(query), pgArgs(args)...)
}

// QueryRowContext runs a query of one row.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if t.lite != nil {
		return t.lite.QueryRowContext(ctx, query, args...)
	}
	return t.tx.QueryRowContext(ctx, t.s.bind(query), pgArgs(args)...)
}

// Engine is the engine the transaction runs on, for the rare statement
// the two dialects cannot share (SKIP LOCKED).
func (t *Tx) Engine() Engine { return t.s.engine }

// Lock takes the lock of the row of table whose id is id until the
// transaction ends, and reports whether it had to (on SQLite the writer
// is alone, so it never has to). Statements after it see every change
// committed before the lock was granted.
func (t *Tx) Lock(ctx context.Context, table string, id int64) (bool, error) {
	if t.s.engine == SQLite {
		return false, nil
	}
	var one int
	err := t.tx.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE id = $1 FOR UPDATE", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return true, err
}

// Tx runs fn in a write transaction and commits it; any error rolls back.
// On PostgreSQL a transaction that failed only for another's (unique key,
// deadlock, serialization) runs again, up to retries times.
func (s *Store) Tx(ctx context.Context, fn func(*Tx) error) error {
	if s.lite != nil {
		return s.lite.Tx(ctx, func(tx *sql.Tx) error { return fn(&Tx{tx: tx, lite: s.lite.Cached(tx, true), s: s}) })
	}
	return s.pgRetry(ctx, func() error { return s.pgTx(ctx, nil, fn) })
}

// GroupTx runs fn in a write transaction. On SQLite it is shared with the
// calls that arrive meanwhile (DB.GroupTx: one fsync for all, each in its
// own savepoint; fn must use the ctx it is given); on PostgreSQL, whose
// server commits concurrent transactions together itself, it is Tx.
func (s *Store) GroupTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if s.lite != nil {
		return s.lite.GroupTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			return fn(ctx, &Tx{tx: tx, lite: s.lite.Cached(tx, true), s: s})
		})
	}
	return s.Tx(ctx, func(tx *Tx) error { return fn(ctx, tx) })
}

// pgRetry runs attempt again while it fails for another transaction's
// sake, with a growing random pause.
func (s *Store) pgRetry(ctx context.Context, attempt func() error) error {
	for n := 0; ; n++ {
		err := attempt()
		if err == nil || !Retryable(err) || n == retries || ctx.Err() != nil {
			return s.unavailable(err)
		}
		select {
		case <-time.After(time.Duration(1+rand.IntN(10<<n)) * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// QueryContext runs a query outside any transaction, on the read pool.
func (s *Store) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s.lite != nil {
		return s.lite.Reader().QueryContext(ctx, query, args...)
	}
	rows, err := s.pg.QueryContext(ctx, s.bind(query), pgArgs(args)...)
	return rows, s.unavailable(err)
}

// QueryRowContext runs a query of one row outside any transaction, on the
// read pool.
func (s *Store) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s.lite != nil {
		return s.lite.Reader().QueryRowContext(ctx, query, args...)
	}
	return s.pg.QueryRowContext(ctx, s.bind(query), pgArgs(args)...)
}

// retries is how many times a write transaction runs again after a
// conflict with another: each time it waits on what it conflicted with,
// so more than a few means contention the client should back off from.
const retries = 5

// ReadTx runs fn in a read transaction: every query of fn sees the same
// snapshot (REPEATABLE READ on PostgreSQL, as SQLite's read transaction).
func (s *Store) ReadTx(ctx context.Context, fn func(*Tx) error) error {
	if s.lite != nil {
		return s.lite.ReadTx(ctx, func(tx *sql.Tx) error { return fn(&Tx{tx: tx, lite: s.lite.Cached(tx, false), s: s}) })
	}
	return s.unavailable(s.pgTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}, fn))
}

func (s *Store) pgTx(ctx context.Context, opt *sql.TxOptions, fn func(*Tx) error) error {
	tx, err := s.pg.BeginTx(ctx, opt)
	if err != nil {
		return err
	}
	if err := fn(&Tx{tx: tx, s: s}); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Retryable reports whether err is PostgreSQL's word that the transaction
// lost to another (unique key taken meanwhile, deadlock, serialization):
// running it again gives the answer it would have had second.
func Retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "23505", "40001", "40P01":
		return true
	}
	return false
}

// ErrUnavailable marks a failure to reach the database (restarting,
// unreachable, shutting down): the request may be tried again soon.
var ErrUnavailable = &core.E{Kind: core.KindUnavailable, Code: "store.unavailable", Op: "database"}

// unavailable wraps in ErrUnavailable an error that says the database
// could not be reached or went away, and leaves others as they are.
func (s *Store) unavailable(err error) error {
	if err == nil || !lostConnection(err) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// lostConnection reports whether err is the database being away rather
// than refusing the statement: a connection that failed or broke, or the
// server shutting down or starting (SQLSTATE classes 08 and 57P).
func lostConnection(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || pgconn.SafeToRetry(err) || errors.Is(err, sql.ErrConnDone) ||
		strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "unexpected EOF") ||
		strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe") ||
		strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "bad connection")
}

// pgArgs passes a truth value as the 0 or 1 SQLite stores for it: the
// stores keep truth values in integer columns on both engines (SQLite has
// no other), and pgx will not write a Go bool into one.
func pgArgs(args []any) []any {
	copied := false
	for i, a := range args {
		if b, ok := a.(bool); ok {
			if !copied { // the caller's slice stays as it was
				args, copied = append([]any(nil), args...), true
			}
			if b {
				args[i] = int64(1)
			} else {
				args[i] = int64(0)
			}
		}
	}
	return args
}

// rebinds keeps the PostgreSQL form of each query text the code runs: a
// fixed set, since queries are constants (one built from a count is
// rebound each time once the cache holds maxRebinds).
type rebinds struct {
	mu sync.Mutex
	m  map[string]string
}

const maxRebinds = 1000

// bind turns query's ? placeholders into PostgreSQL's $1, $2, … (outside
// quoted text), and leaves a SQLite query as it is.
func (s *Store) bind(query string) string {
	if s.engine == SQLite {
		return query
	}
	s.binds.mu.Lock()
	q, ok := s.binds.m[query]
	s.binds.mu.Unlock()
	if ok {
		return q
	}
	q = Rebind(query)
	s.binds.mu.Lock()
	if len(s.binds.m) < maxRebinds {
		s.binds.m[query] = q
	}
	s.binds.mu.Unlock()
	return q
}

// Rebind numbers the ? placeholders of query as $1, $2, …, leaving those
// inside quoted strings, quoted identifiers and comments.
func Rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j])
			i += j - 1
		case c == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// migrationLock is the advisory lock the instances starting at once take
// to migrate one after the other.
const migrationLock = 0x43686f7275734f62 // "ChorusOb"

// migratePostgres applies every migration above the version schema_version
// holds, each in its own transaction with the version's update, under an
// advisory lock so that instances starting together migrate once.
func (s *Store) migratePostgres(ctx context.Context, ms []migration, hook func(int)) error {
	conn, err := s.pg.Conn(ctx)
	if err != nil {
		return s.unavailable(fmt.Errorf("postgres: %w", err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLock)); err != nil {
		return s.unavailable(fmt.Errorf("postgres: %w", err))
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLock))
	if s.schema != "" {
		if _, err := conn.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{s.schema}.Sanitize()); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	err = conn.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = conn.ExecContext(ctx, `INSERT INTO schema_version VALUES (0)`)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current > len(ms) {
		return newerSchema(current, len(ms))
	}
	return applyEach(ctx, conn, ms[current:], func(tx *sql.Tx, m migration) error {
		_, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = $1`, m.version)
		if err == nil && hook != nil {
			hook(m.version)
		}
		return err
	})
}
