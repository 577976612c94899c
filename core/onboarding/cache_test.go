package onboarding_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/memsecrets"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// countingSecrets counts the keyring's reads.
type countingSecrets struct {
	memsecrets.Store
	mu    sync.Mutex
	reads map[string]int
}

func (c *countingSecrets) Get(ctx context.Context, name string) (string, error) {
	c.mu.Lock()
	if c.reads == nil {
		c.reads = map[string]int{}
	}
	c.reads[name]++
	c.mu.Unlock()
	return c.Store.Get(ctx, name)
}

// TestPISTEClientAndSecretsKept (issue 29, item 7): the PISTE client is
// built once per target, so one OAuth token serves every look-up (before:
// a new client and a new token at each one), and a secret is read from
// the keyring once (before: at every use, 3 s each when the keyring does
// not answer).
func TestPISTEClientAndSecretsKept(t *testing.T) {
	srv, err := sim.New(t.Context(), sim.Config{SecondFactorOff: true, DataDir: testos.TempDir(t), Sandbox: true, PasswordIterations: 1000,
		PISTEClients: map[string]string{"app": "secret"}, TechnicalAccounts: map[string]string{"TECH_1@cpro.fr": "tech"}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	if err := srv.SeedStructure(t.Context(), "73282932000074", "ATELIERS DUPONT ET FILS"); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(testos.TempDir(t), "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keyring := &countingSecrets{}
	var mu sync.Mutex
	var built []*portal.PISTE
	svc, err := onboarding.New(t.Context(), connect.Stores(st), onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: testos.TempDir(t),
		Connect: func(c onboarding.TargetSpec) onboarding.Target {
			c.Settings.RegistryURL, c.Settings.INSEEURL = hs.URL+"/registry", hs.URL+"/insee/api-sirene/3.11"
			return connect.Targets(connect.Options{Getenv: func(string) string { return "" }})(c)
		},
		Secrets: func(core.Environment) core.Secrets { return keyring },
		NewChorus: func(c onboarding.ChorusConfig) onboarding.Chorus {
			p := connect.NewChorus(c).(*portal.PISTE)
			mu.Lock()
			built = append(built, p)
			mu.Unlock()
			return p
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := svc.Connection.SaveSettings(ctx, core.Settings{Environment: core.EnvQualification, PISTEOAuthURL: hs.URL, PISTEAPIURL: hs.URL,
		PISTEClientID: "app", TechnicalLogin: "TECH_1@cpro.fr"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Connection.SaveSecrets(ctx, core.EnvQualification, map[string]string{core.SecretPISTEClientSecret: "secret",
		core.SecretTechnicalPassword: "tech", core.SecretDeviceToken: "ana@example.fr\n7\ntoken"}); err != nil {
		t.Fatal(err)
	}
	for _, siret := range []string{"73282932000074", "35600000049837", "73282932000074"} {
		if got := svc.Structures.Lookup(ctx, siret); !got.Checked {
			t.Fatalf("%s: not checked on Chorus Pro: %v", siret, got.CheckErr)
		}
	}
	for range 3 {
		if !svc.Accounts.TrustedHere(ctx, "ana@example.fr") {
			t.Fatal("the device token is not seen")
		}
	}
	mu.Lock()
	tokens := 0
	for _, p := range built {
		tokens += p.Renewals()
	}
	mu.Unlock()
	if tokens != 1 {
		t.Errorf("%d PISTE clients fetched %d tokens for three look-ups, want one token", len(built), tokens)
	}
	keyring.mu.Lock()
	for _, name := range []string{core.SecretDeviceToken, core.SecretTechnicalPassword} {
		if keyring.reads[name] > 0 {
			t.Errorf("%s read %d times from the keyring after it was saved here, want 0 (kept in memory)", name, keyring.reads[name])
		}
	}
	keyring.mu.Unlock()
	if err := svc.Connection.SaveSettings(ctx, core.Settings{Environment: core.EnvQualification, PISTEOAuthURL: hs.URL, PISTEAPIURL: hs.URL,
		PISTEClientID: "app", TechnicalLogin: "TECH_1@cpro.fr", Concurrency: "4"}); err != nil {
		t.Fatal(err)
	}
	svc.Structures.Lookup(ctx, "73282932000074")
	mu.Lock()
	defer mu.Unlock()
	if len(built) != 1 {
		// Built on first use, after the secrets were saved; a change of
		// what it is not built from keeps it.
		t.Errorf("%d PISTE clients built, want 1", len(built))
	}
}
