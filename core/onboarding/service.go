// Package onboarding is Chorus Onboard's application layer: the flows the
// desktop app's screens and onboardctl's commands run, each in one place so
// that the GUI and the CLI cannot drift. It validates with core/validate,
// keeps drafts and the outbox in the store, talks to the portal of the
// environment in effect, wakes the one outbox worker when something is
// queued, and reads results back.
//
// Every method may block on disk, keyring or network: screens call them off
// the UI goroutine. Errors are *core.E with a stable code to render in the
// user's language.
package onboarding

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/outbox"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/core/registry"
)

// Portal is the onboarding API (core/portal's Onboarding client, talking to
// chorus-sim or a compatible server).
type Portal interface {
	Captcha(ctx context.Context) (api.Captcha, error)
	CaptchaCode(ctx context.Context, id, email string) error
	CreateAccount(ctx context.Context, key string, req api.CreateAccount) error
	ResendActivation(ctx context.Context, key string, req api.ResendActivation) error
	Activate(ctx context.Context, token, password string) error
	SignIn(ctx context.Context, email, password string) (api.Session, error)
	SearchStructure(ctx context.Context, t core.IdentifierType, identifier string) (api.SearchResult, error)
	CreateStructure(ctx context.Context, key string, d core.StructureDraft) (api.Structure, error)
	RequestAttachment(ctx context.Context, key string, t core.IdentifierType, identifier string) (api.Attachment, error)
	MyAttachments(ctx context.Context) ([]api.Attachment, error)
	PendingAttachments(ctx context.Context) ([]api.Attachment, error)
	DecideAttachment(ctx context.Context, key string, id int64, approve bool) (api.Attachment, error)
	Mailbox(ctx context.Context, to string) ([]api.Mail, error)
	Health(ctx context.Context) error
}

// Registry looks a company up by SIRET to pre-fill a structure.
type Registry interface {
	Lookup(ctx context.Context, siret string) (registry.Company, error)
}

// Chorus is the read-only Chorus Pro API on PISTE, for reading a hand-off's
// result back.
type Chorus interface {
	FindStructure(ctx context.Context, t core.IdentifierType, identifier string) (piste.StructureAAfficher, error)
	Consulter(ctx context.Context, id int64, lang string) (piste.WsRetourConsulterStructure, error)
	Rattachements(ctx context.Context) ([]piste.StructureRattachement, error)
}

// ChorusConfig is what a Chorus client is built from; the secrets are read
// at call time, from the keyring or the session.
type ChorusConfig struct {
	OAuthURL, APIURL, ClientID, TechnicalLogin string
	ClientSecret, TechnicalPassword            func(context.Context) (string, error)
	// HTTP is the environment's client (its proxy, its extra
	// certificates); nil for a default one.
	HTTP *http.Client
}

// Connection is what a Target is built from: the environment, the
// settings in effect, and its secrets, each read when a call needs it
// (the keyring, else what the user kept for this session).
type Connection struct {
	Env      core.Environment
	Settings core.Settings
	Secret   func(name string) func(context.Context) (string, error)
}

// Target is what one environment connects to.
type Target struct {
	Env core.Environment
	// Key names where queued changes go (core.Settings.TargetKey): the
	// worker sends only the rows queued for it.
	Key string
	// Portal is the onboarding API; nil where there is none (Chorus Pro's
	// own environments, where a person finishes on the portal's pages).
	Portal Portal
	// Registry pre-fills structures; nil disables look-ups.
	Registry Registry
	// Mailbox is true when the portal lets the app read the e-mails it
	// sends (the Local sandbox), so nobody needs a real mailbox there.
	Mailbox bool
	// HTTP is the client of the environment's outside connections (proxy,
	// extra certificates), for the PISTE client; nil for a default one.
	HTTP *http.Client
	// Err says why the environment could not be set up (its extra
	// certificates cannot be read, the team portal has no address): every
	// call that needs the network returns it.
	Err error
}

// Config is what a Service is built from; cmd/chorus-onboard and
// onboardctl fill it.
type Config struct {
	Store core.Store
	// Connect returns the target of an environment. It is called when the
	// service starts and each time the environment or what it connects
	// through (addresses, proxy, certificates, their secrets) changes.
	Connect func(Connection) Target
	// Secrets returns the keyring of an environment; nil means none.
	Secrets func(core.Environment) core.Secrets
	// NewChorus builds the PISTE client; nil disables read-back on Chorus
	// Pro.
	NewChorus func(ChorusConfig) Chorus
	// NewOpID returns a fresh idempotency key.
	NewOpID func() string
	// Backoff and Lease tune the worker (zero: its defaults). A command
	// line retries sooner than the app in the background.
	Backoff outbox.Backoff
	Lease   time.Duration
	// Concurrency is how many rows the worker keeps in flight (0:
	// outbox.DefaultConcurrency).
	Concurrency int
	// Presets are the admin's defaults and policies (core/preset reads
	// them): a policy's value is used whatever the user saved, a default
	// until the user changes it.
	Presets core.Presets
	// SpoolDir holds the files of an import's rejected rows until they
	// are saved (the data directory, readable by the user alone); the
	// system's temporary directory when empty.
	SpoolDir string
}

// Service runs the flows. Create it with New; it is safe for concurrent
// use.
type Service struct {
	cfg    Config
	worker *outbox.Worker

	mu       sync.Mutex
	target   Target
	settings core.Settings
	// effective is settings with where each value came from.
	effective core.Effective
	// session holds secrets the user chose to keep for this session only,
	// when no keyring answers. Nothing it holds reaches a file.
	session core.MemorySecrets
}

// New loads the settings and connects to the environment they name.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.NewOpID == nil {
		panic("onboarding: Config.NewOpID is required")
	}
	s := &Service{cfg: cfg}
	s.cfg.Store = targeted{Store: cfg.Store, s: s}
	v, err := cfg.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	s.effective = cfg.Presets.Apply(v)
	s.settings = s.effective.Settings
	s.target = s.connect(s.settings)
	s.worker = outbox.NewRouted(s.cfg.Store, s.route)
	if cfg.Backoff != (outbox.Backoff{}) {
		s.worker.Backoff = cfg.Backoff
	}
	if cfg.Lease > 0 {
		s.worker.Lease = cfg.Lease
	}
	s.worker.SetConcurrency(cfg.Concurrency)
	if cfg.Concurrency == 0 {
		s.worker.SetConcurrency(s.settings.ConcurrencyN())
	}
	return s, nil
}

// SetConcurrency sets how many rows the worker keeps in flight from its
// next pass on (0: outbox.DefaultConcurrency).
func (s *Service) SetConcurrency(n int) { s.worker.SetConcurrency(n) }

// connect builds the target the settings name.
func (s *Service) connect(set core.Settings) Target {
	env := set.Env()
	var t Target
	if s.cfg.Connect != nil {
		t = s.cfg.Connect(Connection{Env: env, Settings: set, Secret: func(name string) func(context.Context) (string, error) {
			return s.secretOf(env, name)
		}})
	}
	t.Env, t.Key = env, set.TargetKey()
	return t
}

// route is the worker's: the target in effect and its portal, as one
// value, so that a pass sends its rows where they were queued for.
func (s *Service) route() (string, outbox.Portal) {
	t := s.Target()
	if t.Portal == nil || t.Err != nil {
		return t.Key, nil
	}
	return t.Key, t.Portal
}

// Target returns the environment in effect and what it connects to.
func (s *Service) Target() Target {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.target
}

// Env returns the environment in effect.
func (s *Service) Env() core.Environment { return s.Target().Env }

// portal returns the onboarding API of the environment in effect, or a
// KindUnavailable error where there is none.
func (s *Service) portal() (Portal, error) {
	t := s.Target()
	switch {
	case t.Err != nil:
		return nil, t.Err
	case t.Portal != nil:
		return t.Portal, nil
	}
	return nil, errNoPortal
}

// errNoPortal: the environment has no onboarding API (the real Chorus Pro)
// or the Local sandbox could not start.
var errNoPortal = &core.E{Kind: core.KindUnavailable, Code: "portal.none", Op: "reach the onboarding portal"}

// Health reports whether the environment's portal answers: how the app
// tells online from offline, by reaching it rather than guessing.
func (s *Service) Health(ctx context.Context) error {
	p, err := s.portal()
	if err != nil {
		return err
	}
	return p.Health(ctx)
}

// Run is the app's one outbox worker: it sends what is queued while the
// portal answers, until ctx ends, and reports after each pass (on its own
// goroutine: the report must hand over to the UI goroutine itself).
func (s *Service) Run(ctx context.Context, interval time.Duration, report func(outbox.Status)) {
	s.worker.Run(ctx, s, interval, report)
}

// Notify wakes the worker: something was queued or the user asked to send
// now. It never blocks.
func (s *Service) Notify() { s.worker.Notify() }

// SendNow runs one pass of the worker at once, for a screen whose user
// waits for the portal's answer. A row another pass holds is left to it.
func (s *Service) SendNow(ctx context.Context) (outbox.Stats, error) {
	if _, err := s.portal(); err != nil {
		return outbox.Stats{}, err
	}
	return s.worker.RunOnce(ctx)
}

// Drain sends until nothing is pending or ctx ends, waiting for backed-off
// rows to come due: onboardctl sync. It returns the totals of every pass;
// the rows still pending are the store's to count.
func (s *Service) Drain(ctx context.Context) (outbox.Stats, error) {
	var total outbox.Stats
	for {
		st, err := s.worker.RunOnce(ctx)
		total.Add(st)
		if err != nil && ctx.Err() == nil {
			return total, err
		}
		pending, next, perr := s.cfg.Store.Pending(context.WithoutCancel(ctx), s.Target().Key)
		if perr != nil {
			return total, perr
		}
		if pending == 0 || ctx.Err() != nil {
			return total, nil
		}
		// Wait for the next row to be due, not longer than a second, so a
		// row another process queued or released is not missed.
		wait := min(max(time.Until(next), 20*time.Millisecond), time.Second)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// targeted stamps the target in effect on every save that queues, so that
// each outbox row knows where it goes, whichever flow wrote it (the form,
// a bulk action, an import).
type targeted struct {
	core.Store
	s *Service
}

func (t targeted) stamp(req core.SaveStructure) core.SaveStructure {
	if req.Queue && req.Target == "" {
		req.Target = t.s.Target().Key
	}
	return req
}

// SaveStructure saves with the target stamped.
func (t targeted) SaveStructure(ctx context.Context, req core.SaveStructure) (core.StructureRecord, core.SaveResult, error) {
	return t.Store.SaveStructure(ctx, t.stamp(req))
}

// SaveStructures saves a batch with the target stamped on each.
func (t targeted) SaveStructures(ctx context.Context, reqs []core.SaveStructure) ([]core.SaveResult, error) {
	stamped := make([]core.SaveStructure, len(reqs))
	for i, r := range reqs {
		stamped[i] = t.stamp(r)
	}
	return t.Store.SaveStructures(ctx, stamped)
}
