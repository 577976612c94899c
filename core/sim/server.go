// Package sim is chorus-sim: a portal server that plays Chorus Pro for
// Chorus Onboard. It serves three things on one HTTP server, each with its
// own paths:
//
//   - the onboarding API (core/api): captcha, account, activation, sign-in,
//     structure creation, attachment requests and their approval, the mail
//     the portal sends. The real Chorus Pro API cannot do these; the app's
//     Local sandbox and every end-to-end test use this one;
//   - the PISTE Chorus Pro read API (core/piste), with AIFE's paths and
//     field names, over the same records;
//   - the company registries (core/registry), from a small built-in data set.
//
// Its records live in its own SQLite database (opened like the app's store,
// through core/internal/sqldb), or on a PostgreSQL server that several
// instances share (Config.Database): the handlers run the same SQL on
// both, and whatever must hold across instances (sessions, idempotency
// records, the limits on guesses and mail, the mail queue's claims, the
// captcha key) is in the database, never in one process's memory. Every
// POST accepts an Idempotency-Key: the answer is recorded in the same
// transaction as the effect, so a replay returns the first answer and
// changes nothing, even after a lost response or on another instance.
package sim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	mrand "math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/firm"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// Config sets a simulator up.
type Config struct {
	// DataDir holds the simulator's database.
	DataDir string
	// Database, when set, is the PostgreSQL server's URL (or key=value
	// DSN) the portal keeps everything on, its records in the schema
	// Schema and the firms' shared workspace in firm.Schema, instead of
	// the SQLite files in DataDir: several instances of the portal can
	// then serve behind one load balancer.
	Database string
	// Sandbox exposes the mailbox endpoint, so the desktop app can show the
	// activation e-mail without a real mail server.
	Sandbox bool
	// SandboxPublic says others than this computer reach the sandbox (a
	// team's shared one): its mailbox then shows a recipient's mail only
	// to a session of that recipient, so nobody reads another person's
	// activation link or code.
	SandboxPublic bool
	// Mail says how mail leaves the portal: its sender and the relay that
	// takes it (none: the database's record only). With a relay, every
	// message is queued in its request's transaction and sent by a worker
	// with retries (mailqueue.go).
	Mail MailSettings
	// QueueMail queues mail without sending it: the operator's commands
	// (chorus-sim admin) beside a running portal, whose worker sends it.
	QueueMail bool
	// PISTEClients are the OAuth clients accepted (id → secret).
	PISTEClients map[string]string
	// TechnicalAccounts are the cpro-account logins accepted (login → password).
	TechnicalAccounts map[string]string
	// INSEEKeys are the INSEE API keys the registry accepts. Another key
	// is refused (401) before anything is counted or kept for it: a made-up
	// key gets no minute of its own.
	INSEEKeys []string
	// SecondFactorOff lets a password alone open a session, as before
	// 19 September 2024: for benchmarks and tests that measure something
	// else. chorus-sim accepts it only when it listens on loopback alone.
	// By default every sign-in asks for a second factor.
	SecondFactorOff bool
	// FaultRate is the fraction of requests that fail on purpose.
	FaultRate float64
	// Now is the server's clock (tests move it); time.Now by default.
	Now func() time.Time
	// PasswordIterations is the PBKDF2 cost; tests lower it.
	PasswordIterations int
	// Log receives one line per request and per fault; never personal data.
	Log *slog.Logger
	// Seed makes faults reproducible (0: random).
	Seed uint64
	// Rand, when set, replaces crypto/rand as the source of tokens,
	// challenge ids and e-mailed codes, so that screenshots of the sandbox
	// are the same at every run. Tests only: a predictable source makes
	// every token guessable. It need not be safe for concurrent use.
	Rand io.Reader
	// IdempotencyTTL is how long a recorded answer can be replayed (24 h
	// by default); the sweep deletes older records.
	IdempotencyTTL time.Duration
	// IdempotencyPerScope and IdempotencyTotal bound the recorded answers
	// kept, per client scope (an account, an anonymous address) and in
	// all: the sweep deletes the oldest beyond them
	// (DefaultIdempotencyPerScope, DefaultIdempotencyTotal when zero).
	// Only successes are recorded, so a flood of refusals keeps nothing.
	IdempotencyPerScope, IdempotencyTotal int
	// SweepInterval is how often expired records are deleted (10 minutes
	// by default); negative turns the periodic sweep off (tests call
	// Sweep themselves).
	SweepInterval time.Duration
	// Companies are added to the registry's built-in data set (a team
	// portal's own clients, a benchmark's thousands).
	Companies []Company
}

// Server is a running simulator. Create it with New. It routes requests
// to its parts, each with only what it uses: accounts, structures, PISTE,
// registries and the mailer; it keeps the idempotency records, the sweep
// and the faults itself.
type Server struct {
	cfg        Config
	db         *sqldb.Store
	rand       *entropy
	mail       *mailer
	accounts   *accountsAPI
	sessions   *sessionsAPI
	structures *structuresAPI
	people     *peopleAPI
	// firm is the firms' shared workspace (core/firm), on the portal's
	// accounts.
	firm     *firm.Server
	piste    *pisteAPI
	registry *registryAPI
	// faultMu guards rng, which draws the faults.
	faultMu   sync.Mutex
	rng       *mrand.Rand
	stopSweep context.CancelFunc
	sweepDone chan struct{}
}

// Lifetimes the portal uses.
const (
	CaptchaTTL    = 2 * time.Minute
	ActivationTTL = 60 * time.Minute
	SessionTTL    = 8 * time.Hour
	TokenTTL      = time.Hour // PISTE access tokens: expires_in 3600
	CaptchaLength = api.CaptchaLength
	// UnactivatedTTL: an account never activated is deleted after this
	// long, and its address is free again.
	UnactivatedTTL = 7 * 24 * time.Hour
	// MailTTL: the sandbox mailbox keeps a message this long.
	MailTTL = 7 * 24 * time.Hour
	// DefaultIdempotencyTTL: how long a recorded answer can be replayed.
	DefaultIdempotencyTTL = 24 * time.Hour
	// DefaultIdempotencyPerScope: the recorded answers kept per client, a
	// day of a busy firm's syncing; DefaultIdempotencyTotal in all.
	DefaultIdempotencyPerScope = 50_000
	DefaultIdempotencyTotal    = 1_000_000
)

// Limits on the e-mail anonymous requests make the portal send (a code, an
// activation link): per recipient and per client address, in an hour.
const (
	mailsPerAddress = 5
	mailsPerClient  = 20
	mailWindow      = time.Hour
	// signInCodesPerAddress: codes mailed for sign-ins to one address in
	// mailWindow, a budget of their own (only the password's holder asks
	// for them); past it a sign-in still gets a challenge that takes a
	// recovery code.
	signInCodesPerAddress = 10
)

// Schema is the PostgreSQL schema of the portal's own tables.
const Schema = "portal"

// DatabaseFile is the name of the simulator's database in its data
// directory.
const DatabaseFile = "chorus-sim.db"

// New opens (or creates) the simulator's database in cfg.DataDir.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PasswordIterations == 0 {
		cfg.PasswordIterations = 210_000 // OWASP's PBKDF2-HMAC-SHA256 figure
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.IdempotencyTTL <= 0 {
		cfg.IdempotencyTTL = DefaultIdempotencyTTL
	}
	if cfg.IdempotencyPerScope <= 0 {
		cfg.IdempotencyPerScope = DefaultIdempotencyPerScope
	}
	if cfg.IdempotencyTotal <= 0 {
		cfg.IdempotencyTotal = DefaultIdempotencyTotal
	}
	if cfg.SweepInterval == 0 {
		cfg.SweepInterval = 10 * time.Minute
	}
	// The records hold personal data and secrets' hashes: a directory
	// made beforehand that others may enter is narrowed to its owner, as
	// the app and onboardctl do with theirs.
	if tightened, err := localfs.EnsureDataDir(cfg.DataDir); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	} else if tightened {
		cfg.Log.Warn("the data directory was open to other users: it is now its owner's only", "dir", cfg.DataDir)
	}
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var applied []int
	db, err := sqldb.OpenStore(ctx, sqldb.Source{File: filepath.Join(cfg.DataDir, DatabaseFile), DSN: cfg.Database, Schema: Schema,
		OnMigration: func(v int) { applied = append(applied, v) }}, sub)
	if err != nil {
		return nil, fmt.Errorf("open simulator database: %w", err)
	}
	if slices.Contains(applied, rolesMigration) {
		reportRolesMigration(ctx, db, cfg.Log)
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = mrand.Uint64()
	}
	rnd := &entropy{src: cfg.Rand}
	if err := cfg.Mail.Check(); err != nil {
		db.Close()
		return nil, fmt.Errorf("mail: %w", err)
	}
	captchaKey, err := portalKey(ctx, db, "captcha")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open simulator database: %w", err)
	}
	mail := newMailer(cfg, db)
	pw := newPasswords(cfg.PasswordIterations)
	s := &Server{
		cfg: cfg, db: db, rand: rnd, mail: mail, rng: mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		accounts: newAccountsAPI(cfg, db, captchaKey, rnd, mail, pw), sessions: newSessionsAPI(cfg, db, rnd, mail, pw), structures: &structuresAPI{mail: mail}, people: &peopleAPI{mail: mail},
		piste: newPisteAPI(cfg, db, rnd), registry: newRegistryAPI(cfg),
	}
	if s.firm, err = firm.New(ctx, firm.Config{DataDir: cfg.DataDir, Database: cfg.Database, Accounts: NewFirmAccounts(s), Now: cfg.Now, Log: cfg.Log}); err != nil {
		mail.close()
		db.Close()
		return nil, err
	}
	if cfg.SweepInterval > 0 {
		sweepCtx, stop := context.WithCancel(context.Background())
		s.stopSweep, s.sweepDone = stop, make(chan struct{})
		go s.sweepEvery(sweepCtx, cfg.SweepInterval)
	}
	return s, nil
}

// SetBaseURL tells the server the address clients reach it at, for the
// links it mails.
func (s *Server) SetBaseURL(u string) { s.accounts.baseURL = strings.TrimSuffix(u, "/") }

// Firm is the firms' shared workspace this portal serves, for the
// operator's commands (create a firm, add a member, list the firms).
func (s *Server) Firm() *firm.Server { return s.firm }

// Close stops the sweep, waits for mail being sent and closes the
// database.
func (s *Server) Close() error {
	if s.stopSweep != nil {
		s.stopSweep()
		<-s.sweepDone
	}
	s.mail.close()
	return errors.Join(s.firm.Close(), s.db.Close())
}

// sweepEvery runs Sweep every interval until ctx ends; a failed sweep is
// logged and tried again at the next tick.
func (s *Server) sweepEvery(ctx context.Context, interval time.Duration) {
	defer close(s.sweepDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
				s.cfg.Log.Warn("sweep failed", "err", err)
			}
		}
	}
}

// Sweep deletes what has expired: idempotency records older than
// Config.IdempotencyTTL, or beyond the newest IdempotencyPerScope of their
// scope or IdempotencyTotal in all, sessions, activation links, captchas and
// second-factor challenges past their expiry, trusted computers unused for
// api.DeviceIdleTTL, mail older than MailTTL, accounts never activated within
// UnactivatedTTL (with their links), and PISTE tokens; and forgets idle
// throttle entries.
func (s *Server) Sweep(ctx context.Context) error {
	now := s.cfg.Now()
	ms := now.UnixMilli()
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		for _, q := range []struct {
			sql string
			arg int64
		}{
			{`DELETE FROM idempotency WHERE created_at < ?`, now.Add(-s.cfg.IdempotencyTTL).UnixMilli()},
			{`DELETE FROM session WHERE expires_at < ?`, ms},
			{`DELETE FROM activation WHERE expires_at < ? OR used = 1`, ms},
			{`DELETE FROM captcha WHERE expires_at < ?`, ms},
			{`DELETE FROM challenge WHERE expires_at < ?`, ms},
			{`DELETE FROM invitation WHERE created_at < ?`, ms - InvitationTTL},
			{`DELETE FROM device WHERE last_used_at < ?`, now.Add(-api.DeviceIdleTTL).UnixMilli()},
			{`DELETE FROM mail WHERE created_at < ?`, now.Add(-MailTTL).UnixMilli()},
			// The queue keeps what was sent or refused a week, for the
			// operator; a refused message's code or link no longer
			// opens anything after a day, and goes.
			{`DELETE FROM mail_queue WHERE created_at < ?`, now.Add(-MailTTL).UnixMilli()},
			{`UPDATE mail_queue SET body = '' WHERE state = 'failed' AND body <> '' AND created_at < ?`, now.Add(-24 * time.Hour).UnixMilli()},
			{`DELETE FROM account WHERE active = 0 AND password_hash = '' AND created_at < ?`, now.Add(-UnactivatedTTL).UnixMilli()},
			// The newest answers are the ones a client may still replay.
			// (scope, key) is the table's key, on both engines.
			{`DELETE FROM idempotency WHERE (scope, key) IN (SELECT scope, key FROM (SELECT scope, key, row_number()
				OVER (PARTITION BY scope ORDER BY created_at DESC, key DESC) AS n FROM idempotency) AS r WHERE n > ?)`, int64(s.cfg.IdempotencyPerScope)},
			{`DELETE FROM idempotency WHERE (scope, key) IN (SELECT scope, key FROM (SELECT scope, key, row_number()
				OVER (ORDER BY created_at DESC, scope DESC, key DESC) AS n FROM idempotency) AS r WHERE n > ?)`, int64(s.cfg.IdempotencyTotal)},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.arg); err != nil {
				return err
			}
		}
		return sweepThrottles(ctx, tx, now)
	})
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	// The people's timers: notices whose window ended are mailed (with
	// the rights as they are then), expired offers of the role go.
	var c *call
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		c = s.seedCall(ctx, tx)
		return s.people.sweepPeople(ctx, c)
	})
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	s.mail.committed(c)
	if err := s.firm.Sweep(ctx); err != nil {
		return err
	}
	s.piste.sweep(now)
	return nil
}

// HTTPLimits bound what one client may hold of a server; a zero field
// takes its default.
type HTTPLimits struct {
	// ReadHeader: the request line and headers (default 10 s).
	ReadHeader time.Duration
	// Read: the whole request, body included (default 30 s), so a body
	// sent a byte at a time is cut.
	Read time.Duration
	// Write: the answer (default 60 s).
	Write time.Duration
	// Idle: a keep-alive connection between requests (default 120 s).
	Idle time.Duration
	// MaxHeaderBytes: the request headers (default 64 KiB).
	MaxHeaderBytes int
}

// NewHTTPServer returns the HTTP server every server of the project runs
// (chorus-sim standalone, the app's Local sandbox): with its timeouts and
// header limit, so slow and idle clients are cut.
func NewHTTPServer(h http.Handler, lim HTTPLimits) *http.Server {
	def := func(d, v time.Duration) time.Duration {
		if d > 0 {
			return d
		}
		return v
	}
	if lim.MaxHeaderBytes <= 0 {
		lim.MaxHeaderBytes = 64 << 10
	}
	return &http.Server{Handler: h, ReadHeaderTimeout: def(lim.ReadHeader, 10*time.Second),
		ReadTimeout: def(lim.Read, 30*time.Second), WriteTimeout: def(lim.Write, 60*time.Second),
		IdleTimeout: def(lim.Idle, 120*time.Second), MaxHeaderBytes: lim.MaxHeaderBytes}
}

// Handler returns the HTTP handler with every route, behind the fault
// injector when a fault rate is set.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.onboardingRoutes(mux)
	s.firm.Register(mux)
	s.piste.routes(mux)
	s.registry.routes(mux)
	var h http.Handler = mux
	h = s.recoverer(h)
	if s.cfg.FaultRate > 0 {
		h = s.faults(h)
	}
	return h
}

// recoverer turns a panic into a 500 and a log line instead of a dead
// connection: the fuzz test checks there are none.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.cfg.Log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
				writeError(w, http.StatusInternalServerError, "internal")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// ---- answers

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiErr builds the error body of code in both languages.
func apiErr(code string) api.Error {
	return api.Error{Code: code, Message: map[string]string{"fr": i18n.T(i18n.FR, code), "en": i18n.T(i18n.EN, code)}}
}

func writeError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, apiErr(code))
}

// writeUnavailable answers that the portal cannot serve the request now
// (its database away, restarting): 503, service.unavailable, and when to
// try again. Nothing was committed, so the same request may come again.
func writeUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "2")
	writeError(w, http.StatusServiceUnavailable, api.CodeUnavailable)
}

// httpError is an error a handler returns to answer with a status and body.
type httpError struct {
	status     int
	body       any
	retryAfter int
}

func (e *httpError) Error() string { return fmt.Sprintf("http %d", e.status) }

func fail(status int, code string) error { return &httpError{status: status, body: apiErr(code)} }

// writeRefusal writes err as its answer when it is an *httpError (with
// its Retry-After), and reports whether it was.
func writeRefusal(w http.ResponseWriter, err error) bool {
	var he *httpError
	if !errors.As(err, &he) {
		return false
	}
	if he.retryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(he.retryAfter))
	}
	writeJSON(w, he.status, he.body)
	return true
}

// querier is a transaction's statements, plain (*sql.Tx) or through the
// database's statement cache (*sqldb.CachedTx, a request's).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// call is one onboarding API request being handled inside its transaction.
type call struct {
	r       *http.Request
	tx      *sqldb.Tx
	account int64 // signed-in account, 0 if none
	body    []byte
	now     time.Time
	ip      string // the client's network (clientNet)
	// mail waits for the transaction to commit before it is sent.
	mail []outgoing
}

// decode reads the JSON body into v, refusing a body that does not say it
// is JSON (415: a form posted by a web page must not pass for an API
// call), trailing data, a key twice in one object (encoding/json keeps the
// last: a proxy or a log that reads the first would see another request),
// and a body that is not UTF-8 (request.invalid: encoding/json would store
// U+FFFD in its place). A lone surrogate escape decodes to U+FFFD, which
// the field rules refuse in turn (validate.Text).
func (c *call) decode(v any) error {
	if mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return fail(http.StatusUnsupportedMediaType, api.CodeContentType)
	}
	if !utf8.Valid(c.body) {
		return invalid()
	}
	if duplicateKeys(c.body) {
		return fail(http.StatusBadRequest, api.CodeMalformed)
	}
	dec := json.NewDecoder(strings.NewReader(string(c.body)))
	if err := dec.Decode(v); err != nil {
		return fail(http.StatusBadRequest, api.CodeMalformed)
	}
	if dec.More() {
		return fail(http.StatusBadRequest, api.CodeMalformed)
	}
	return nil
}

// maxJSONDepth bounds the nesting duplicateKeys follows: no request of
// the API nests deeper than a few levels.
const maxJSONDepth = 32

// duplicateKeys reports whether a JSON object in b, at any depth, has a key
// twice; a body nested deeper than maxJSONDepth or that does not parse
// counts as one (it is refused either way).
func duplicateKeys(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	type level struct {
		keys   map[string]bool
		object bool
		expect bool // the next token of an object is a key
	}
	var stack []level
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false
		}
		if err != nil || len(stack) > maxJSONDepth {
			return true
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			top := &stack[n-1]
			if top.expect {
				if k, ok := tok.(string); ok {
					if top.keys[k] {
						return true
					}
					top.keys[k] = true
					top.expect = false
					continue
				}
			} else {
				top.expect = true // this token is a value, or starts one
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, level{keys: map[string]bool{}, object: true, expect: true})
		case json.Delim('['):
			stack = append(stack, level{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

// maxBody bounds request bodies.
const maxBody = 1 << 20

// access says who may call an endpoint and whether its answers are
// recorded for Idempotency-Key replays.
type access int

const (
	// anonymous: anyone; a POST's answer is recorded in the caller's
	// address's scope.
	anonymous access = iota
	// signedIn: a session is required; answers are recorded in the
	// account's scope.
	signedIn
	// unrecorded: anyone, and the answer is never recorded (a captcha's
	// answer is in its image: replaying it would hand it to another).
	unrecorded
	// signedInUnrecorded: a session is required and nothing of the request
	// is recorded (its body holds passwords, whose hash must not sit in
	// the idempotency records).
	signedInUnrecorded
)

// handle wraps an onboarding API handler: it reads the body, checks the
// session when the endpoint needs one, and runs fn inside one transaction:
// a read transaction on the reader pool for a GET (it never waits for the
// write lock), a write transaction otherwise, where a POST with an
// Idempotency-Key records the answer in that same transaction (or replays
// the recorded one). Mail the handler sent goes out once it committed.
func (s *Server) handle(who access, fn func(*call) (int, any, error)) http.HandlerFunc {
	return s.serve(who, false, fn)
}

// handleGrouped is handle for the writes a firm sends many of at once (its
// accountants' syncs creating structures): the transaction is shared with
// the others that arrive while one is being written (sqldb's group
// commit: one fsync for them all), each in its own savepoint; the answer
// still leaves only once its own changes are durable.
func (s *Server) handleGrouped(who access, fn func(*call) (int, any, error)) http.HandlerFunc {
	return s.serve(who, true, fn)
}

// serve is handle and handleGrouped.
func (s *Server) serve(who access, grouped bool, fn func(*call) (int, any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeError(w, http.StatusRequestEntityTooLarge, api.CodeMalformed)
			} else {
				// The body broke off or came too slowly (the read timeout).
				writeError(w, http.StatusBadRequest, api.CodeMalformed)
			}
			return
		}
		key := r.Header.Get(api.HeaderIdempotencyKey)
		if len(key) > 255 {
			writeError(w, http.StatusBadRequest, api.CodeMalformed)
			return
		}
		c := &call{r: r, body: body, now: s.cfg.Now(), ip: clientNet(r)}
		record := key != "" && r.Method == http.MethodPost && who != unrecorded && who != signedInUnrecorded
		var status int
		var out any
		var replay []byte
		inTx := func(fn func(*sqldb.Tx) error) error { return s.db.Tx(r.Context(), fn) }
		switch {
		case r.Method == http.MethodGet:
			inTx = func(fn func(*sqldb.Tx) error) error { return s.db.ReadTx(r.Context(), fn) }
		case grouped:
			inTx = func(fn func(*sqldb.Tx) error) error {
				return s.db.GroupTx(r.Context(), func(ctx context.Context, tx *sqldb.Tx) error {
					// The shared transaction's statements must not be
					// interrupted by this client going away.
					c.r = r.WithContext(ctx)
					return fn(tx)
				})
			}
		}
		err = inTx(func(tx *sqldb.Tx) error {
			c.tx = tx
			// Two anonymous clients never share a scope: theirs is their
			// address's.
			scope := "ip:" + c.ip
			if who == signedIn || who == signedInUnrecorded {
				id, err := s.sessions.sessionAccount(c)
				if err != nil {
					return err
				}
				c.account = id
				scope = fmt.Sprintf("a%d", c.account)
			}
			fp := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
			if record {
				var prevFP, prevBody []byte
				var prevStatus int
				err := c.tx.QueryRowContext(c.r.Context(), `SELECT fingerprint, status, body FROM idempotency WHERE scope = ? AND key = ?`,
					scope, key).Scan(&prevFP, &prevStatus, &prevBody)
				switch {
				case err == nil && !hmac.Equal(prevFP, fp[:]):
					return &httpError{status: http.StatusUnprocessableEntity, body: apiErr(api.CodeIdempotencyBody)}
				case err == nil:
					status, replay = prevStatus, prevBody
					return nil
				case !errors.Is(err, sql.ErrNoRows):
					return err
				}
			}
			var ferr error
			status, out, ferr = fn(c)
			var he *httpError
			if errors.As(ferr, &he) && he.status < 500 && he.status != http.StatusTooManyRequests {
				// A refused request is an answer, but it changed nothing:
				// its replay is judged again (and refused again, unless
				// what made it fail changed), so it is not recorded. An
				// anonymous client would otherwise fill the disk with
				// refusals under new keys. A 429 is not an answer but a
				// "later": it rolls back too, so the retry is heard.
				status, out, ferr = he.status, he.body, nil
				return ferr
			}
			if ferr != nil {
				return ferr
			}
			if record {
				b, err := json.Marshal(out)
				if err != nil {
					return err
				}
				if _, err := c.tx.ExecContext(c.r.Context(), `INSERT INTO idempotency (scope, key, fingerprint, status, body, created_at)
					VALUES (?, ?, ?, ?, ?, ?)`, scope, key, fp[:], status, b, c.now.UnixMilli()); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			s.mail.committed(c)
		}
		switch {
		case writeRefusal(w, err):
		case err != nil:
			// The database away (restarting, a lost connection) or a
			// fault: nothing was committed, so the client may send the
			// same request again, soon.
			s.cfg.Log.Error("request failed", "path", r.URL.Path, "err", err)
			writeUnavailable(w)
		case replay != nil:
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(status)
			_, _ = w.Write(replay)
		default:
			writeJSON(w, status, out)
		}
	}
}

// clientNet names the client a request comes from, for limits and
// anonymous scopes: its IPv4 address, or the /64 network of an IPv6 one
// (one subscriber, one device even, is given a whole /64 and may change
// address within it at will).
func clientNet(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return netKey(host)
}

// netKey is clientNet of an address.
func netKey(host string) string {
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.Prefix(64)
	return p.String()
}

// entropy is the source of tokens, challenge ids and e-mailed codes:
// crypto/rand, or Config.Rand (tests), which need not be safe for
// concurrent use and so is read under mu.
type entropy struct {
	mu  sync.Mutex
	src io.Reader
}

// read fills b from the source.
func (e *entropy) read(b []byte) {
	if e.src == nil {
		_, _ = rand.Read(b) // never fails (crypto/rand panics on failure)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = io.ReadFull(e.src, b)
}

// token returns n random bytes as URL-safe text and their SHA-256.
func (e *entropy) token(n int) (string, []byte) {
	b := make([]byte, n)
	e.read(b)
	tok := fmt.Sprintf("%x", b)
	h := sha256.Sum256([]byte(tok))
	return tok, h[:]
}

func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// KeepAccepting wraps a listener so that a failed accept does not end the
// server: net/http retries only errors it knows to be temporary, and on
// Windows (Wine's too) hardly any is (WSAENOBUFS, WSAEMFILE, an aborted
// accept), so one bad moment would close the portal, or the app's Local
// sandbox, for good. Each failure is logged, and the next accept waits a
// little longer (5 ms doubling to 1 s), as net/http does; only closing the
// listener ends it.
func KeepAccepting(ln net.Listener, log *slog.Logger) net.Listener {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &keepAccepting{Listener: ln, log: log}
}

type keepAccepting struct {
	net.Listener
	log *slog.Logger
}

// Accept returns the next connection, or an error once the listener is
// closed.
func (l *keepAccepting) Accept() (net.Conn, error) {
	var delay time.Duration
	for {
		c, err := l.Listener.Accept()
		if err == nil || errors.Is(err, net.ErrClosed) {
			return c, err
		}
		delay = min(max(2*delay, 5*time.Millisecond), time.Second)
		l.log.Warn("accept failed; trying again", "err", err, "in", delay)
		time.Sleep(delay)
	}
}
