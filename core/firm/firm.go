// Package firm is the firm's shared workspace on the firm's server (the
// team portal, chorus-sim): an accounting firm's members, who are accounts
// of that portal and sign in as they do there, share one list of clients,
// with the person in charge of each, its history and the e-invoicing
// bookkeeping; the desktops keep a copy, work offline, and keep in step
// through the feed.
//
// Every accepted change of a firm takes the next position of that firm,
// under its row's lock, so positions follow the order changes commit in:
// a desktop that read up to a position never misses a change committed
// after it. A client's row holds its latest version and position, so the
// feed pages clients by position; a member who sees only their clients
// also learns from the changes of charge which ones left them. A write
// names the revision it starts from, and is refused with the current
// version when that is not the latest: nothing is overwritten silently.
// Every request is authorized here, against the caller's membership read
// in the same transaction: a removed member's next request is refused.
//
// The package has its own store (a SQLite file beside the portal's, its
// own numbered migrations) and routes; the portal lends it its accounts
// (Accounts).
package firm

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

// migrationFS holds the store's migrations, numbered alike for both
// engines: migrations/sqlite and migrations/postgres.
//
//go:embed migrations
var migrationFS embed.FS

// DatabaseFile is the firm's store, in the portal's data directory.
const DatabaseFile = "firm.db"

// Account is an account of the portal, as the firm knows its members.
type Account struct {
	ID    int64
	Email string
	Name  string
}

// Accounts is what the portal lends the firm: who signed in (the session
// of the request), the account of an address, and its mail.
type Accounts interface {
	// Authenticate returns the account whose session the request
	// carries, or an error the firm answers with (401).
	Authenticate(r *http.Request) (Account, error)
	// ByEmail returns the active account of an address, or ErrNoAccount.
	ByEmail(ctx context.Context, email string) (Account, error)
	// Mail sends a message as the portal does, in the portal's queue.
	Mail(ctx context.Context, to, subject, body string) error
}

// ErrNoAccount: no active account has this address.
var ErrNoAccount = errors.New("no such account")

// Config is how a firm server runs.
type Config struct {
	// DataDir holds DatabaseFile (the portal's data directory).
	DataDir string
	// Database, when set, is the PostgreSQL server's URL the store is
	// on instead of DatabaseFile: several instances of the server may
	// share it.
	Database string
	// Accounts are the portal's.
	Accounts Accounts
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Log receives failures; never personal data.
	Log *slog.Logger
	// PollEvery is how often a feed request waiting for a change looks
	// at the store for changes another instance wrote (default 1 s);
	// this instance's own wake it at once.
	PollEvery time.Duration
}

// Server serves the firm's API.
type Server struct {
	cfg Config
	db  *sqldb.Store

	// changed wakes the feed requests waiting on a firm: closed and
	// replaced at each accepted change of that firm.
	mu      sync.Mutex
	changed map[int64]chan struct{}
}

// New opens (creating, migrating) the firm's store: cfg.Database, or the
// file in cfg.DataDir.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Accounts == nil {
		return nil, errors.New("firm: no accounts")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = time.Second
	}
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	db, err := sqldb.OpenStore(ctx, sqldb.Source{File: filepath.Join(cfg.DataDir, DatabaseFile), DSN: cfg.Database, Schema: Schema}, sub)
	if err != nil {
		return nil, fmt.Errorf("open the firm's database: %w", err)
	}
	return &Server{cfg: cfg, db: db, changed: map[int64]chan struct{}{}}, nil
}

// Schema is the PostgreSQL schema of the firms' tables: the portal's own
// are in another of the same database.
const Schema = "firm"

// Close closes the store.
func (s *Server) Close() error { return s.db.Close() }

// membersAPI serves the firm's members and invitations; clientsAPI its
// clients, their history and the audit.
type (
	membersAPI struct{ s *Server }
	clientsAPI struct{ s *Server }
)

// Register adds the firm's routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	m, a := &membersAPI{s}, &clientsAPI{s}
	for _, r := range []struct {
		pattern string
		h       handler
	}{
		{"GET " + api.PathFirm, m.firm},
		{"POST " + api.PathFirmJoin, m.join},
		{"POST " + api.PathFirmLeave, m.leave},
		{"GET " + api.PathFirmMembers, m.members},
		{"PUT " + api.PathFirmMember, m.setRole},
		{"DELETE " + api.PathFirmMember, m.removeMember},
		{"POST " + api.PathFirmInvitations, m.invite},
		{"GET " + api.PathFirmInvitations, m.invitations},
		{"DELETE " + api.PathFirmInvitation, m.withdrawInvitation},
		{"POST " + api.PathFirmClients, a.create},
		{"PUT " + api.PathFirmClient, a.update},
		{"DELETE " + api.PathFirmClient, a.remove},
		{"POST " + api.PathFirmRestore, a.restore},
		{"GET " + api.PathFirmDeleted, a.deleted},
		{"POST " + api.PathFirmClaim, a.claim},
		{"POST " + api.PathFirmAssign, a.assign},
		{"GET " + api.PathFirmHistory, a.history},
		{"GET " + api.PathFirmAudit, a.audit},
	} {
		mux.Handle(r.pattern, s.serve(r.h))
	}
	mux.HandleFunc("GET "+api.PathFirmFeed, s.feed)
}

// wake tells the feed requests waiting on firm that a change committed.
func (s *Server) wake(firm int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.changed[firm]; ok {
		close(ch)
		delete(s.changed, firm)
	}
}

// waiter returns the channel the next change of firm closes.
func (s *Server) waiter(firm int64) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.changed[firm]
	if !ok {
		ch = make(chan struct{})
		s.changed[firm] = ch
	}
	return ch
}
