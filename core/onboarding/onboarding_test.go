package onboarding_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/memsecrets"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/outbox"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

const password = "Tr0ub4dor&3x-Lune"

// fixture is the application layer on a real store, talking to a real
// chorus-sim on loopback in the Local sandbox.
type fixture struct {
	svc    onboarding.Services
	store  *sqlite.DB
	sim    *sim.Server
	server *httptest.Server
	client *portal.Onboarding
	// secrets is every environment's keyring.
	secrets *memsecrets.Store
}

func newFixture(t testing.TB, mutate ...func(*sim.Config)) *fixture {
	t.Helper()
	cfg := sim.Config{SecondFactorOff: true, DataDir: testos.TempDir(t), Sandbox: true, PasswordIterations: 1000,
		PISTEClients: map[string]string{"app": "secret"}, TechnicalAccounts: map[string]string{"TECH_1@cpro.fr": "tech"},
		INSEEKeys: []string{"insee-key"}}
	for _, m := range mutate {
		m(&cfg)
	}
	srv, err := sim.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	srv.SetBaseURL(hs.URL)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	st, err := sqlite.Open(t.Context(), filepath.Join(testos.TempDir(t), "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{store: st, sim: srv, server: hs, client: portal.NewOnboarding(hs.URL, nil)}
	secrets := &memsecrets.Store{}
	f.secrets = secrets
	if err := secrets.Set(t.Context(), core.SecretPISTEClientSecret, "secret"); err != nil {
		t.Fatal(err)
	}
	if err := secrets.Set(t.Context(), core.SecretTechnicalPassword, "tech"); err != nil {
		t.Fatal(err)
	}
	f.svc, err = onboarding.New(t.Context(), connect.Stores(st), onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: testos.TempDir(t),
		Connect: func(c onboarding.TargetSpec) onboarding.Target {
			if c.Env == core.EnvLocal {
				return onboarding.Target{Portal: f.client, Mailbox: true, Pages: hs.URL,
					Registry: portal.NewRegistry(hs.URL+"/registry", hs.URL+"/insee/api-sirene/3.11", nil, nil)}
			}
			// Tests never reach the internet: the registries are the
			// simulator's unless a test says otherwise.
			if c.Settings.RegistryURL == "" {
				c.Settings.RegistryURL = hs.URL + "/registry"
			}
			if c.Settings.INSEEURL == "" {
				c.Settings.INSEEURL = hs.URL + "/insee/api-sirene/3.11"
			}
			return connect.Targets(connect.Options{Getenv: func(string) string { return "" }})(c)
		},
		Secrets:   func(core.Environment) core.Secrets { return secrets },
		NewChorus: connect.NewChorus,
		Backoff:   outbox.Backoff{Base: time.Millisecond, Cap: 10 * time.Millisecond, MaxRetryAfter: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) signedIn(t *testing.T, email string) {
	t.Helper()
	if err := f.sim.SeedAccount(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Accounts.SignIn(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
}

func draft(siret string) core.StructureDraft {
	return core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: siret, Kind: core.KindPrivate, CompanyName: "S " + siret,
		Address: "1 rue de la Paix", City: "Paris", PostalCode: "75002"}
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// TestAccountFlow: steps 1 to 4 through the application layer only. The
// account waits in the outbox from the moment it is queued; a wrong
// captcha answer leaves it there; the e-mailed code sends it.
func TestAccountFlow(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	d := core.AccountDraft{LoginEmail: "jeanne@example.fr", LoginEmailConfirm: "jeanne@example.fr", FirstName: "Jeanne",
		LastName: "Martin", ConditionsAcceptedAt: time.Now()}
	rec, err := f.svc.Accounts.SaveAccount(ctx, 0, d)
	if err != nil || rec.ID == 0 || rec.Problems.HasErrors() {
		t.Fatalf("save: %+v %v", rec, err)
	}
	if err := f.svc.Accounts.QueueAccount(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	ch, err := f.svc.Accounts.Captcha(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Accounts.SubmitAccount(ctx, rec.ID, ch.ID, "WRONG"); core.CodeOf(err) != api.CodeCaptchaWrong {
		t.Fatalf("wrong answer: %v", err)
	}
	if got, _ := f.store.Accounts.Account(ctx, rec.ID); got.Sync.State != core.StateQueued {
		t.Fatalf("after a wrong answer: %s", got.Sync.State)
	}
	ch, err = f.svc.Accounts.Captcha(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Accounts.CaptchaCode(ctx, ch.ID, "jeanne@example.fr"); err != nil {
		t.Fatal(err)
	}
	mails, err := f.svc.Accounts.Mailbox(ctx, "jeanne@example.fr")
	if err != nil || len(mails) == 0 {
		t.Fatalf("mailbox %v %v", mails, err)
	}
	code := sixDigits.FindString(mails[0].Body)
	if err := f.svc.Accounts.SubmitAccount(ctx, rec.ID, ch.ID, code); err != nil {
		t.Fatalf("right code: %v", err)
	}
	got, err := f.store.Accounts.Account(ctx, rec.ID)
	if err != nil || got.Sync.State != core.StateSent {
		t.Fatalf("after the right code: %s %v", got.Sync.State, err)
	}
	ops, err := f.store.Outbox.Ops(ctx)
	if err != nil || len(ops) != 1 || ops[0].State != core.OpDone {
		t.Fatalf("outbox %+v %v", ops, err)
	}
	mails, _ = f.svc.Accounts.Mailbox(ctx, "jeanne@example.fr")
	if _, err := f.svc.Accounts.Activate(ctx, mails[0].Link, "jeanne@example.fr", password); err != nil {
		t.Fatalf("activate: %v", err)
	}
	if _, err := f.svc.Accounts.Activate(ctx, "not a link", "jeanne@example.fr", password); core.CodeOf(err) != "activation.link_invalid" {
		t.Fatalf("bad link: %v", err)
	}
}

// TestSubmitStructure: what becomes of a submitted structure in each case
// the structure form meets.
func TestSubmitStructure(t *testing.T) {
	tests := []struct {
		name  string
		siret string
		setup func(t *testing.T, f *fixture)
		want  core.SyncState
		queue int // outbox rows left pending
	}{
		{"new on the portal", "35600000049837", nil, core.StateCreated, 0},
		{"exists: attachment request", "73282932000074", func(t *testing.T, f *fixture) {
			if err := f.sim.SeedStructure(t.Context(), "73282932000074", "ATELIERS"); err != nil {
				t.Fatal(err)
			}
		}, core.StateAttachmentRequested, 0},
		{"offline: kept queued", "35600000049837", func(t *testing.T, f *fixture) { f.server.Close() }, core.StateQueued, 1},
		{"Chorus Pro: kept as a draft for the hand-off", "35600000049837", func(t *testing.T, f *fixture) {
			if err := f.svc.Connection.SaveSettings(t.Context(), core.Settings{Environment: core.EnvQualification}); err != nil {
				t.Fatal(err)
			}
		}, core.StateDraft, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.signedIn(t, "owner@example.fr")
			if tt.setup != nil {
				tt.setup(t, f)
			}
			rec, err := f.svc.Structures.Submit(t.Context(), draft(tt.siret))
			if err != nil || rec.Sync.State != tt.want {
				t.Fatalf("state %s, %v; want %s", rec.Sync.State, err, tt.want)
			}
			if n, _, err := f.store.Outbox.Pending(t.Context(), core.TargetLocal); err != nil || n != tt.queue {
				t.Fatalf("%d rows pending, want %d (%v)", n, tt.queue, err)
			}
		})
	}
}

// TestSubmitRefusesInvalid: nothing is stored for a draft with errors, and
// the refusal names the fields.
func TestSubmitRefusesInvalid(t *testing.T) {
	f := newFixture(t)
	d := draft("73282932000079") // wrong check digit
	_, err := f.svc.Structures.Submit(t.Context(), d)
	e := core.AsE(err)
	if !errors.Is(err, core.ErrInvalid) || e == nil || len(e.Problems) == 0 || e.Problems[0].Field != core.FieldIdentifier {
		t.Fatalf("invalid draft: %v", err)
	}
	if c, _, _ := f.svc.Sync.Counts(t.Context()); len(c) != 0 {
		t.Fatalf("stored: %v", c)
	}
}

// TestQueueingWakesTheWorker: the worker runs with an hour between passes;
// a structure queued through the application layer is sent at once,
// because queueing notifies it.
func TestQueueingWakesTheWorker(t *testing.T) {
	f := newFixture(t)
	f.signedIn(t, "owner@example.fr")
	reports := make(chan outbox.Status, 8)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go f.svc.Sync.Run(ctx, time.Hour, func(s outbox.Status) { reports <- s })
	if first := <-reports; !first.Online {
		t.Fatalf("first report %+v", first)
	}
	if _, res, err := f.svc.Structures.Save(t.Context(), 0, draft("35600000049837"), true); err != nil || !res.Queued {
		t.Fatalf("save and queue: %+v %v", res, err)
	}
	select {
	case r := <-reports:
		if r.Last.Created != 1 || r.Pending != 0 {
			t.Fatalf("after queueing: %+v", r)
		}
	case <-t.Context().Done():
		t.Fatal("the worker was not woken")
	}
}

// TestDrain sends every queued structure and stops when nothing is
// pending. (Faults and kills are the chaos test's, in cmd/onboardctl.)
func TestDrain(t *testing.T) {
	f := newFixture(t)
	f.signedIn(t, "owner@example.fr")
	var reqs []core.SaveStructure
	for _, s := range coretest.SIRETs(40) {
		reqs = append(reqs, core.SaveStructure{Checked: core.CheckStructure(draft(s)), Queue: true})
	}
	if _, err := f.store.Structures.SaveStructures(t.Context(), reqs); err != nil {
		t.Fatal(err)
	}
	st, err := f.svc.Sync.Drain(t.Context())
	if err != nil || st.Created != 40 {
		t.Fatalf("drain: %+v %v", st, err)
	}
	counts, pending, err := f.svc.Sync.Counts(t.Context())
	if err != nil || counts[core.StateCreated] != 40 || pending != 0 {
		t.Fatalf("counts %v pending %d %v", counts, pending, err)
	}
}

// TestSettings: the environment decides the target; addresses that are
// not http(s) are refused; what was saved is what a new service reads.
func TestSettings(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if f.svc.Connection.Env() != core.EnvLocal || f.svc.Connection.Health(ctx) != nil {
		t.Fatal("the Local sandbox is the default and answers")
	}
	for _, bad := range []string{"ftp://x", "htp://x", "file:///etc/passwd", "https://user:pw@host", "/relative"} {
		err := f.svc.Connection.SaveSettings(ctx, core.Settings{Environment: core.EnvProduction, PISTEOAuthURL: bad})
		if e := core.AsE(err); e == nil || e.Code != "settings.url" || len(e.Problems) != 1 {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// A team portal in clear (item 2 of the second hardening round): the
	// password would cross the network unencrypted.
	err := f.svc.Connection.SaveSettings(ctx, core.Settings{Environment: core.EnvTeam, PortalURL: "http://portal.example.org"})
	if e := core.AsE(err); e == nil || e.Code != core.CodeURLInClear || e.Problems[0].Field != core.SettingPortalURL {
		t.Errorf("http team portal: %v", err)
	}
	if f.svc.Connection.Env() != core.EnvLocal {
		t.Fatal("a refused setting switched the environment")
	}
	// One stored by an older version is not used either: the target says
	// why.
	if err := f.store.Settings.SaveValues(ctx, map[string]string{core.SettingEnvironment: string(core.EnvTeam), core.SettingPortalURL: "http://portal.example.org"}); err != nil {
		t.Fatal(err)
	}
	old, err := onboarding.New(ctx, connect.Stores(f.store), onboarding.Config{NewOpID: sqlite.NewOpID,
		Connect: connect.Targets(connect.Options{Getenv: func(string) string { return "" }})})
	if err != nil {
		t.Fatal(err)
	}
	if tg := old.Connection.Target(); tg.Portal != nil || core.CodeOf(tg.Err) != core.CodeURLInClear {
		t.Fatalf("a stored http portal: target %+v", tg)
	}
	if err := f.svc.Connection.SaveSettings(ctx, core.Settings{Environment: core.EnvProduction, PISTEClientID: "app"}); err != nil {
		t.Fatal(err)
	}
	if f.svc.Connection.Target().Portal != nil || !errors.Is(f.svc.Connection.Health(ctx), core.ErrUnavailable) {
		t.Fatal("Chorus Pro production has no onboarding API")
	}
	if got := f.svc.Connection.Settings().OAuthURL(); got != "https://oauth.piste.gouv.fr" {
		t.Errorf("production's gateway by default: %q", got)
	}
	again, err := onboarding.New(ctx, connect.Stores(f.store), onboarding.Config{NewOpID: sqlite.NewOpID})
	if err != nil || again.Connection.Env() != core.EnvProduction || again.Connection.Settings().PISTEClientID != "app" {
		t.Fatalf("read back: %+v %v", again.Connection.Settings(), err)
	}
}

// TestCheckOnChorus reads a handed-off structure back through the PISTE
// client, against chorus-sim's PISTE endpoints.
func TestCheckOnChorus(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if err := f.sim.SeedStructure(ctx, "73282932000074", "ATELIERS"); err != nil {
		t.Fatal(err)
	}
	rec, _, err := f.svc.Structures.Save(ctx, 0, draft("73282932000074"), false)
	if err != nil {
		t.Fatal(err)
	}
	missing, _, err := f.svc.Structures.Save(ctx, 0, draft("35600000049837"), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Handoff.CheckOnChorus(ctx, rec.ID); core.CodeOf(err) != "handoff.no_credentials" {
		t.Fatalf("without settings: %v", err)
	}
	if err := f.svc.Connection.SaveSettings(ctx, core.Settings{Environment: core.EnvQualification, PISTEOAuthURL: f.server.URL,
		PISTEAPIURL: f.server.URL, PISTEClientID: "app", TechnicalLogin: "TECH_1@cpro.fr"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Handoff.CheckOnChorus(ctx, missing.ID); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("not on Chorus Pro: %v", err)
	}
	got, err := f.svc.Handoff.CheckOnChorus(ctx, rec.ID)
	if err != nil || got.PortalID == 0 || got.State != core.StateCreated {
		t.Fatalf("read back: %+v %v", got, err)
	}
	if after, _ := f.store.Structures.Structure(ctx, rec.ID); after.Sync.State != core.StateCreated || after.Sync.PortalID == "" {
		t.Fatalf("recorded: %+v", after.Sync)
	}
}
