package sqldb

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// MaxCachedStatements bounds a pool's statement cache. The code's queries
// are a few hundred at most (a statement built from a set of columns is
// one per set); beyond the bound a query is prepared for its transaction
// only, as without a cache.
const MaxCachedStatements = 512

// stmtCache keeps each query prepared on a pool: database/sql prepares it
// once per connection and Tx.StmtContext reuses that connection's
// statement, so a query is parsed once per connection instead of once per
// call (parsing was 17 % of chorus-sim's CPU under a firm's creates and 46
// % of a 10,000-row import's).
//
// A query is never prepared on the pool from inside a transaction: the
// writer pool has one connection, which the transaction holds, so the
// prepare would wait for it forever. A query the cache does not have is
// prepared for its transaction only and noted as wanted; the pool prepares
// the wanted ones once the transaction has ended (prepareWanted).
type stmtCache struct {
	pool   *sql.DB
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	wanted map[string]struct{}
	// pending says wanted has queries, read without the lock after
	// every transaction.
	pending atomic.Bool
}

// get returns the pool's statement of query, or nil after noting it as
// wanted.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[query]; ok {
		return s
	}
	if len(c.stmts)+len(c.wanted) < MaxCachedStatements {
		if c.wanted == nil {
			c.wanted = map[string]struct{}{}
		}
		c.wanted[query] = struct{}{}
		c.pending.Store(true)
	}
	return nil
}

// prepareWanted prepares on the pool the queries transactions wanted. It
// runs after a transaction, holding no connection; a query that does not
// prepare is forgotten (its transactions prepare it themselves).
func (c *stmtCache) prepareWanted(ctx context.Context) {
	if !c.pending.Load() {
		return
	}
	c.mu.Lock()
	wanted, pool := c.wanted, c.pool
	c.wanted = nil
	c.pending.Store(false)
	c.mu.Unlock()
	if pool == nil {
		return // closed
	}
	for q := range wanted {
		s, err := pool.PrepareContext(context.WithoutCancel(ctx), q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, dup := c.stmts[q]; dup || c.pool == nil {
			s.Close()
		} else {
			if c.stmts == nil {
				c.stmts = map[string]*sql.Stmt{}
			}
			c.stmts[q] = s
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stmts {
		s.Close()
	}
	c.stmts, c.wanted, c.pool = nil, nil, nil
}

// CachedTx is a transaction whose ExecContext, QueryContext and
// QueryRowContext run on statements prepared once per connection and kept
// (the database's statement cache); everything else is the *sql.Tx's.
type CachedTx struct {
	*sql.Tx
	cache *stmtCache
	// stmts are this transaction's statements by query: they close with
	// it, the pool's stay.
	stmts map[string]*sql.Stmt
}

// Cached returns tx with the statement cache of the pool it runs on: write
// for a transaction of Tx or GroupTx, false for one of ReadTx (a statement
// prepared on one pool cannot run on the other's connection).
func (db *DB) Cached(tx *sql.Tx, write bool) *CachedTx {
	if write {
		return &CachedTx{Tx: tx, cache: &db.writerStmts}
	}
	return &CachedTx{Tx: tx, cache: &db.readerStmts}
}

// stmt returns query's statement for this transaction: the pool's made
// the transaction's, or prepared here; each query once per transaction.
func (t *CachedTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := t.stmts[query]; ok {
		return s, nil
	}
	var s *sql.Stmt
	if ps := t.cache.get(query); ps != nil {
		s = t.Tx.StmtContext(ctx, ps)
	} else {
		var err error
		if s, err = t.Tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = s
	return s, nil
}

// ExecContext runs query with args on its prepared statement.
func (t *CachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// QueryContext runs query with args on its prepared statement.
func (t *CachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// QueryRowContext runs query with args on its prepared statement; a
// statement that cannot be prepared reports through the row, as
// sql.Tx.QueryRowContext does.
func (t *CachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return t.Tx.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}
