package sim

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/core/piste/pistetest"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/internal/pgtest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// clock is a settable server clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	srv   *Server
	http  *httptest.Server
	clock *clock
	dir   string
}

// start runs a simulator on loopback (real HTTP), with a settable clock.
// A password alone signs in, as the tests of everything but the second
// factor need (secondfactor_test.go turns it on: withSecondFactor).
func start(t *testing.T, mutate ...func(*Config)) *env {
	t.Helper()
	clk := &clock{t: time.Now()}
	dir := testos.TempDir(t)
	cfg := Config{DataDir: dir, Database: testDatabase(t), Sandbox: true, Now: clk.now, PasswordIterations: 1000, SecondFactorOff: true,
		PISTEClients: map[string]string{"app": "s3cret"}, TechnicalAccounts: map[string]string{"TECH_1@cpro.fr": "tech-pass"},
		INSEEKeys: []string{"insee-key", "key-a", "key-b"}}
	if os.Getenv("CHORUS_SIM_LOG") != "" {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	for _, m := range mutate {
		m(&cfg)
	}
	srv, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	srv.SetBaseURL(hs.URL)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return &env{srv: srv, http: hs, clock: clk, dir: dir}
}

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// EngineEnv names the engine the package's tests run the portal on:
// "postgres" for a PostgreSQL database of pgtest's server (make test runs
// the package a second time so), else the data directory's SQLite files.
const EngineEnv = "CHORUS_TEST_ENGINE"

// testDatabase is the PostgreSQL database a test's portal keeps its
// records on, "" for SQLite (EngineEnv).
func testDatabase(t *testing.T) string {
	if os.Getenv(EngineEnv) != "postgres" {
		return ""
	}
	return pgtest.Database(t)
}

// onPostgres reports whether the tests run on PostgreSQL.
func onPostgres() bool { return os.Getenv(EngineEnv) == "postgres" }

// throttleEvents counts the events the portal's shared limits hold.
func throttleEvents(t *testing.T, e *env) int {
	t.Helper()
	var n int
	if err := e.srv.db.QueryRowContext(t.Context(), `SELECT count(*) FROM throttle_event`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// answers records each captcha answer drawn during the test.
func answers(t *testing.T) func() string {
	var mu sync.Mutex
	var last string
	captchaHook = func(s string) { mu.Lock(); last = s; mu.Unlock() }
	t.Cleanup(func() { captchaHook = nil })
	return func() string { mu.Lock(); defer mu.Unlock(); return last }
}

func account(email string) api.AccountBody {
	return api.AccountBody{LoginEmail: email, LoginEmailConfirm: email, FirstName: "Jeanne", LastName: "Martin",
		Phone: "06 12 45 78 98", ConditionsAcceptedAt: time.Now()}
}

const goodPassword = "Tr0ub4dor&3x-Lune"

// onboard runs steps 1 to 4 and signs in: captcha, account, activation link
// from the sandbox mailbox, password.
func onboard(t *testing.T, e *env, email string) *portal.Onboarding {
	t.Helper()
	c := activated(t, e, email)
	if _, err := c.SignIn(t.Context(), email, goodPassword); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	return c
}

// activated runs steps 1 to 4: captcha, account, activation link from the
// sandbox mailbox, password; it does not sign in.
func activated(t *testing.T, e *env, email string) *portal.Onboarding {
	t.Helper()
	ctx := t.Context()
	last := answers(t)
	c := portal.NewOnboarding(e.http.URL, nil)
	ch, err := c.Captcha(ctx)
	if err != nil || len(ch.PNG) < 100 || ch.Length != 5 || ch.ExpiresIn != 120 {
		t.Fatalf("captcha: %+v %v", ch.ID, err)
	}
	if err := c.CreateAccount(ctx, "", api.CreateAccount{CaptchaID: ch.ID, CaptchaAnswer: strings.ToLower(last()), Account: account(email)}); err != nil {
		t.Fatalf("create account: %v", err)
	}
	mails, err := c.Mailbox(ctx, email)
	if err != nil || len(mails) == 0 || mails[0].Link == "" {
		t.Fatalf("mailbox: %+v %v", mails, err)
	}
	tok, err := api.ActivationToken(mails[0].Link)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Activate(ctx, tok, goodPassword); err != nil {
		t.Fatalf("activate: %v", err)
	}
	return c
}

func code(err error) string {
	if c := core.CodeOf(err); c != "" {
		return c
	}
	return fmt.Sprint(err)
}

func structure(siret string) core.StructureDraft {
	return core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: siret, Kind: core.KindPrivate, CompanyName: "Société " + siret,
		Address: "1 rue de la Paix", City: "Paris", PostalCode: "75002"}
}

func TestWholeFlow(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	alice := onboard(t, e, "alice@example.fr")

	// Step 6: not on the portal, so create it; the creator manages it.
	res, err := alice.SearchStructure(ctx, core.IDSIRET, "732 829 320 00074")
	if err != nil || res.Found {
		t.Fatalf("search: %+v %v", res, err)
	}
	st, err := alice.CreateStructure(ctx, "op-1", structure("73282932000074"))
	if err != nil || st.ID == 0 || !st.IsManager || st.Draft.Identifier != "73282932000074" {
		t.Fatalf("create: %+v %v", st, err)
	}
	// It exists now: creating it again says to ask for attachment instead.
	_, err = alice.CreateStructure(ctx, "op-2", structure("732 829 320 00074"))
	if core.CodeOf(err) != api.CodeStructureExists || core.AsE(err).Param(portal.ParamStructureID) != fmt.Sprint(st.ID) || !errors.Is(err, core.ErrConflict) {
		t.Fatalf("duplicate: %v", err)
	}

	// Bob asks to be attached; Alice, the manager, approves; Bob is told.
	bob := onboard(t, e, "bob@example.fr")
	at, err := bob.RequestAttachment(ctx, "att-1", core.IDSIRET, "73282932000074")
	if err != nil || at.Status != api.AttachmentPending {
		t.Fatalf("request attachment: %+v %v", at, err)
	}
	if _, err := bob.DecideAttachment(ctx, "", at.ID, true); code(err) != api.CodeNotFound {
		t.Fatalf("requester approving own request: %v", err)
	}
	pending, err := alice.PendingAttachments(ctx)
	if err != nil || len(pending) != 1 || pending[0].Requester != "bob@example.fr" {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	if _, err := alice.DecideAttachment(ctx, "dec-1", pending[0].ID, true); err != nil {
		t.Fatal(err)
	}
	mine, _ := bob.MyAttachments(ctx)
	if len(mine) != 1 || mine[0].Status != api.AttachmentApproved {
		t.Fatalf("bob's attachments: %+v", mine)
	}
	mails, _ := bob.Mailbox(ctx, "bob@example.fr")
	if len(mails) != 2 || !strings.Contains(mails[0].Subject, "validée") {
		t.Fatalf("bob's mail: %+v", mails)
	}

	// A refused request, for a second structure created by Bob.
	if _, err := bob.CreateStructure(ctx, "op-3", structure("35600000049837")); err != nil {
		t.Fatal(err)
	}
	at2, _ := alice.RequestAttachment(ctx, "att-2", core.IDSIRET, "35600000049837")
	if _, err := bob.DecideAttachment(ctx, "", at2.ID, false); err != nil {
		t.Fatal(err)
	}
	mine, _ = alice.MyAttachments(ctx)
	if len(mine) != 1 || mine[0].Status != api.AttachmentRefused {
		t.Fatalf("alice's attachments: %+v", mine)
	}
}

// TestCreateAnswersAsSearchReads: create answers from what it wrote, not
// from a read-back (a firm sends thousands at once): the answer is what a
// search by its creator returns next, for a French company with or
// without a country, a European one, a non-diffusible one; a second
// create of one identifier, even typed otherwise, names the first.
func TestCreateAnswersAsSearchReads(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	alice := onboard(t, e, "alice@example.fr")
	for i, tc := range []struct {
		name string
		edit func(*core.StructureDraft)
	}{
		{"no country", func(d *core.StructureDraft) {}},
		{"France", func(d *core.StructureDraft) { d.Country, d.StructureName = "FR", "Siège" }},
		{"non-diffusible", func(d *core.StructureDraft) { d.NonDiffusible, d.Email, d.Phone = true, "a@b.fr", "01 23 45 67 89" }},
		{"Germany", func(d *core.StructureDraft) {
			d.IdentifierType, d.Identifier, d.Country, d.PostalCode, d.City = core.IDEUOutside, "DE 811 363 057", "DE", "10115", "Berlin"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := structure(coretest.SIRETs(i + 1)[i])
			tc.edit(&d)
			created, err := alice.CreateStructure(ctx, fmt.Sprint("create-", i), d)
			if err != nil {
				t.Fatal(err)
			}
			found, err := alice.SearchStructure(ctx, d.IdentifierType, d.Identifier)
			if err != nil || !found.Found {
				t.Fatalf("search: %+v %v", found, err)
			}
			if !reflect.DeepEqual(created, *found.Structure) {
				t.Fatalf("create answered\n%+v\nsearch reads\n%+v", created, *found.Structure)
			}
			if !created.IsManager || created.Status != "ACTIVE" || created.Draft.Country == "" {
				t.Fatalf("created %+v", created)
			}
			_, err = alice.CreateStructure(ctx, fmt.Sprint("again-", i), d)
			if core.CodeOf(err) != api.CodeStructureExists || core.AsE(err).Param(portal.ParamStructureID) != fmt.Sprint(created.ID) {
				t.Fatalf("second create: %v", err)
			}
		})
	}
}

func TestCaptchaRules(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	last := answers(t)
	c := portal.NewOnboarding(e.http.URL, nil)
	create := func(id, answer, email string) error {
		return c.CreateAccount(ctx, "", api.CreateAccount{CaptchaID: id, CaptchaAnswer: answer, Account: account(email)})
	}
	// One attempt: a wrong answer burns the challenge; the right one then fails.
	ch, _ := c.Captcha(ctx)
	right := last()
	if err := create(ch.ID, "WRONG", "a@example.fr"); code(err) != api.CodeCaptchaWrong {
		t.Fatalf("wrong answer: %v", err)
	}
	if err := create(ch.ID, right, "a@example.fr"); code(err) != api.CodeCaptchaWrong {
		t.Fatalf("second attempt: %v", err)
	}
	// Valid 2 minutes.
	ch, _ = c.Captcha(ctx)
	right = last()
	e.clock.add(CaptchaTTL + time.Second)
	if err := create(ch.ID, right, "a@example.fr"); code(err) != api.CodeCaptchaWrong {
		t.Fatalf("expired: %v", err)
	}
	// The non-visual alternative: a code mailed to the login address.
	ch, _ = c.Captcha(ctx)
	if err := c.CaptchaCode(ctx, ch.ID, "b@example.fr"); err != nil {
		t.Fatal(err)
	}
	mails, _ := c.Mailbox(ctx, "b@example.fr")
	if len(mails) != 1 {
		t.Fatalf("code mail: %+v", mails)
	}
	code6 := strings.Fields(strings.Split(mails[0].Body, "est ")[1])[0][:6]
	if err := create(ch.ID, code6, "other@example.fr"); code(err) != api.CodeCaptchaWrong {
		t.Fatalf("code used for another address: %v", err)
	}
	ch, _ = c.Captcha(ctx)
	if err := c.CaptchaCode(ctx, ch.ID, "b@example.fr"); err != nil {
		t.Fatal(err)
	}
	mails, _ = c.Mailbox(ctx, "b@example.fr")
	code6 = strings.Fields(strings.Split(mails[0].Body, "est ")[1])[0][:6]
	if err := create(ch.ID, code6, "b@example.fr"); err != nil {
		t.Fatalf("code answer: %v", err)
	}
	// The server re-validates the fields.
	ch, _ = c.Captcha(ctx)
	bad := account("x@example")
	err := c.CreateAccount(ctx, "", api.CreateAccount{CaptchaID: ch.ID, CaptchaAnswer: last(), Account: bad})
	pe := core.AsE(err)
	if pe == nil || pe.Code != api.CodeInvalid || len(pe.Problems) == 0 || i18n.Error(i18n.FR, err) == i18n.Error(i18n.EN, err) {
		t.Fatalf("invalid account: %+v", err)
	}
}

func TestSameAnswerForKnownAddress(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	onboard(t, e, "known@example.fr")
	last := answers(t)
	do := func(email string) (int, string) {
		c := portal.NewOnboarding(e.http.URL, nil)
		ch, _ := c.Captcha(ctx)
		b, _ := json.Marshal(api.CreateAccount{CaptchaID: ch.ID, CaptchaAnswer: last(), Account: account(email)})
		resp, err := http.Post(e.http.URL+api.PathAccounts, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	s1, b1 := do("known@example.fr")
	s2, b2 := do("new@example.fr")
	if s1 != s2 || b1 != b2 || s1 != http.StatusAccepted {
		t.Fatalf("known: %d %s / new: %d %s", s1, b1, s2, b2)
	}
}

func TestActivationRules(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	last := answers(t)
	c := portal.NewOnboarding(e.http.URL, nil)
	ch, _ := c.Captcha(ctx)
	if err := c.CreateAccount(ctx, "", api.CreateAccount{CaptchaID: ch.ID, CaptchaAnswer: last(), Account: account("carl@example.fr")}); err != nil {
		t.Fatal(err)
	}
	mails, _ := c.Mailbox(ctx, "carl@example.fr")
	tok, _ := api.ActivationToken(" " + mails[0].Link[:20] + "\n" + mails[0].Link[20:] + " ")
	if len(tok) != 32 {
		t.Fatalf("token %q: want 128 bits in hex", tok)
	}
	if _, err := c.SignIn(ctx, "carl@example.fr", goodPassword); code(err) != api.CodeBadCredentials {
		t.Fatalf("sign in before activation: %v", err)
	}
	err := c.Activate(ctx, tok, "Carl-Martin-2026")
	if pe := core.AsE(err); pe == nil || pe.Code != api.CodeInvalid || pe.Problems[0].Code != "password.context" {
		t.Fatalf("password with the name: %v", err)
	}
	// A 128-character password works end to end, and a difference at the
	// 73rd byte is not accepted (no truncation, unlike bcrypt).
	long := strings.Repeat("Ab1!", 18) + "x" + strings.Repeat("y", 55)
	if err := c.Activate(ctx, tok, long); err != nil {
		t.Fatalf("long password: %v", err)
	}
	if err := c.Activate(ctx, tok, goodPassword); code(err) != api.CodeTokenInvalid {
		t.Fatalf("second use of the link: %v", err)
	}
	if _, err := c.SignIn(ctx, "carl@example.fr", long[:72]+"z"+long[73:]); code(err) != api.CodeBadCredentials {
		t.Fatalf("73rd byte differs: %v", err)
	}
	if _, err := c.SignIn(ctx, "CARL@example.fr", long); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	// Links expire after 60 minutes.
	ch, _ = c.Captcha(ctx)
	if err := c.CreateAccount(ctx, "", api.CreateAccount{CaptchaID: ch.ID, CaptchaAnswer: last(), Account: account("dan@example.fr")}); err != nil {
		t.Fatal(err)
	}
	mails, _ = c.Mailbox(ctx, "dan@example.fr")
	tok, _ = api.ActivationToken(mails[0].Link)
	e.clock.add(ActivationTTL + time.Second)
	if err := c.Activate(ctx, tok, goodPassword); code(err) != api.CodeTokenInvalid {
		t.Fatalf("expired link: %v", err)
	}
}

func TestSignInThrottled(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	onboard(t, e, "eve@example.fr")
	c := portal.NewOnboarding(e.http.URL, nil)
	for i := range 10 {
		if _, err := c.SignIn(ctx, "eve@example.fr", "wrong"); code(err) != api.CodeBadCredentials {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	_, err := c.SignIn(ctx, "eve@example.fr", goodPassword)
	pe := core.AsE(err)
	if pe == nil || pe.Code != api.CodeThrottled || pe.RetryAfter <= 0 || !core.Retryable(err) {
		t.Fatalf("11th attempt within 15 minutes: %+v", err)
	}
	e.clock.add(15 * time.Minute)
	if _, err := c.SignIn(ctx, "eve@example.fr", goodPassword); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	// Per address: 30 failures a minute across accounts.
	for i := range 30 {
		_, _ = c.SignIn(ctx, fmt.Sprintf("nobody%d@example.fr", i), "x")
	}
	if _, err := c.SignIn(ctx, "eve@example.fr", goodPassword); code(err) != api.CodeThrottled {
		t.Fatalf("address throttling: %v", err)
	}
}

func TestIdempotency(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	c := onboard(t, e, "ida@example.fr")
	first, err := c.CreateStructure(ctx, "same-key", structure("73282932000074"))
	if err != nil {
		t.Fatal(err)
	}
	// The replay returns the first answer, not "already exists".
	again, err := c.CreateStructure(ctx, "same-key", structure("73282932000074"))
	if err != nil || again.ID != first.ID {
		t.Fatalf("replay: %+v %v", again, err)
	}
	// Same key, different body: refused, nothing created.
	_, err = c.CreateStructure(ctx, "same-key", structure("35600000049837"))
	if code(err) != api.CodeIdempotencyBody {
		t.Fatalf("other body: %v", err)
	}
	res, _ := c.SearchStructure(ctx, core.IDSIRET, "35600000049837")
	if res.Found {
		t.Fatal("a mismatched replay created a structure")
	}
	// 50 concurrent sends of one key: one effect.
	var wg sync.WaitGroup
	ids := make(chan int64, 100)
	for range 50 {
		wg.Go(func() {
			st, err := c.RequestAttachment(ctx, "", core.IDSIRET, "73282932000074")
			if err == nil {
				ids <- st.ID
			}
			st2, err := c.CreateStructure(ctx, "conc", structure("77984790400033"))
			if err == nil {
				ids <- st2.ID
			}
		})
	}
	wg.Wait()
	close(ids)
	var n int
	if err := e.srv.db.QueryRowContext(context.Background(), `SELECT count(*) FROM structure WHERE identifier = '77984790400033'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d structures after 50 concurrent sends of one key", n)
	}
}

// pisteClient returns a PISTE client of the simulator with a movable clock.
func pisteClient(e *env, now func() time.Time) *portal.PISTE {
	return portal.NewPISTE(portal.PISTEConfig{OAuthURL: e.http.URL, APIURL: e.http.URL, ClientID: "app",
		ClientSecret:   func(context.Context) (string, error) { return "s3cret", nil },
		TechnicalLogin: "TECH_1@cpro.fr", TechnicalPassword: func(context.Context) (string, error) { return "tech-pass", nil },
		Now: now})
}

func TestPISTE(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	if err := e.srv.SeedStructure(ctx, "79068156300017", "MARIE DURAND"); err != nil {
		t.Fatal(err)
	}
	c := onboard(t, e, "TECH_1@cpro.fr")
	created, err := c.CreateStructure(ctx, "", structure("73282932000074"))
	if err != nil {
		t.Fatal(err)
	}
	p := pisteClient(e, nil)
	// Structures created through the onboarding API are the PISTE records.
	hit, err := p.FindStructure(ctx, core.IDSIRET, "73282932000074")
	if err != nil || hit.IDStructureCPP != created.ID || hit.Statut != "ACTIVE" {
		t.Fatalf("find: %+v %v", hit, err)
	}
	if _, err := p.FindStructure(ctx, core.IDSIRET, "35600000049837"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("find missing: %v", err)
	}
	full, err := p.Consulter(ctx, hit.IDStructureCPP, "FR")
	if err != nil || full.InformationGenerales.RaisonSocialeStructure != "Société 73282932000074" || full.AdressePostaleDuSiege.Pays != "France" {
		t.Fatalf("consulter: %+v %v", full, err)
	}
	nd, _ := p.FindStructure(ctx, core.IDSIRET, "79068156300017")
	ndFull, _ := p.Consulter(ctx, nd.IDStructureCPP, "FR")
	if !ndFull.Parametres.NonDiffusibleInsee || ndFull.AdressePostaleDuSiege.Adresse != "" {
		t.Fatalf("non-diffusible: %+v", ndFull)
	}
	if _, err := p.Consulter(ctx, 99999, "FR"); err == nil {
		t.Fatal("unknown idStructureCPP accepted")
	}
	ratt, err := p.Rattachements(ctx)
	if err != nil || len(ratt) != 1 || ratt[0].RoleUtilisateur != "GESTIONNAIRE_PRINCIPAL" {
		t.Fatalf("rattachements: %+v %v", ratt, err)
	}
	types, _ := p.TypesIdentifiant(ctx)
	pays, _ := p.Pays(ctx, "fr")
	if len(types) != 7 || len(pays) != 249 {
		t.Fatalf("%d types, %d countries", len(types), len(pays))
	}
	if err := p.Health(ctx); err != nil {
		t.Fatal(err)
	}
	// Pagination: 25 structures, pages of 10.
	for i := range 25 {
		if _, err := c.CreateStructure(ctx, "", core.StructureDraft{IdentifierType: core.IDOther, Identifier: fmt.Sprintf("EN COURS %02d", i),
			Kind: core.KindPrivate, CompanyName: "Page", Address: "1 rue", City: "Paris", PostalCode: "75002"}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := p.SearchAll(ctx, piste.RechercherStructureInput{TypeIdentifiantStructure: "AUTRE"})
	if err != nil || len(all) != 25 {
		t.Fatalf("search all: %d %v", len(all), err)
	}
	// Criteria are values, never patterns: "%" and "_" match themselves.
	for _, in := range []piste.RechercherStructureInput{{RaisonSocialeStructure: "%"}, {RaisonSocialeStructure: "P_ge"},
		{AdresseVille: "%"}, {LibelleStructure: "%"}} {
		hits, err := p.SearchAll(ctx, in)
		if err != nil || len(hits) != 0 {
			t.Fatalf("search %+v: %d hits %v", in, len(hits), err)
		}
	}
	if byName, err := p.SearchAll(ctx, piste.RechercherStructureInput{RaisonSocialeStructure: "age"}); err != nil || len(byName) != 25 {
		t.Fatalf("search by part of the name: %d %v", len(byName), err)
	}
	desc, err := p.Rechercher(ctx, piste.RechercherStructureParam{Structure: &piste.RechercherStructureInput{TypeIdentifiantStructure: "AUTRE"},
		Parametres: &piste.ParametresRechercherStructure{NbResultatsParPage: 5, PageResultatDemandee: 1, TriColonne: "IdentifiantStructure", TriSens: "Descendant"}})
	if err != nil || len(desc.ListeStructures) != 5 || desc.ListeStructures[0].IdentifiantStructure != "EN COURS 24" || desc.ParametresRetour.Pages != 5 {
		t.Fatalf("sorted descending: %+v %v", desc, err)
	}
	if p.Renewals() != 1 {
		t.Errorf("%d tokens for one lifetime", p.Renewals())
	}
}

func TestPISTELayers(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	raw := func(path, bearer, account string) int {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+path, strings.NewReader("{}"))
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		if account != "" {
			req.Header.Set(piste.HeaderAccount, base64.StdEncoding.EncodeToString([]byte(account)))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := raw(piste.PathRechercher, "", "TECH_1@cpro.fr:tech-pass"); s != 401 {
		t.Errorf("no bearer: %d", s)
	}
	if s := raw(piste.PathRechercher, "forged", "TECH_1@cpro.fr:tech-pass"); s != 401 {
		t.Errorf("forged bearer: %d", s)
	}
	good := pisteClient(e, nil)
	if _, err := good.TypesIdentifiant(ctx); err != nil {
		t.Fatal(err)
	}
	bad := portal.NewPISTE(portal.PISTEConfig{OAuthURL: e.http.URL, APIURL: e.http.URL, ClientID: "app",
		ClientSecret:   func(context.Context) (string, error) { return "s3cret", nil },
		TechnicalLogin: "TECH_1@cpro.fr", TechnicalPassword: func(context.Context) (string, error) { return "wrong", nil }})
	if _, err := bad.TypesIdentifiant(ctx); core.CodeOf(err) != portal.CodePISTEAccount || core.AsE(err).Status != 403 {
		t.Fatalf("unknown technical account: %v", err)
	}
	badClient := portal.NewPISTE(portal.PISTEConfig{OAuthURL: e.http.URL, APIURL: e.http.URL, ClientID: "app",
		ClientSecret:   func(context.Context) (string, error) { return "nope", nil },
		TechnicalLogin: "TECH_1@cpro.fr", TechnicalPassword: func(context.Context) (string, error) { return "tech-pass", nil }})
	if _, err := badClient.TypesIdentifiant(ctx); core.CodeOf(err) != portal.CodePISTEOAuth || !errors.Is(err, core.ErrUnauthorized) {
		t.Fatalf("bad client secret: %v", err)
	}
}

// TestTokenExpiry: the client renews 60 s before expires_in; when the
// server expires a token the client still holds (clocks disagree), one 401
// makes it renew and retry once.
func TestTokenExpiry(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	client := &clock{t: time.Now()}
	p := pisteClient(e, client.now)
	for range 3 {
		if _, err := p.TypesIdentifiant(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if p.Renewals() != 1 {
		t.Fatalf("%d renewals within the lifetime", p.Renewals())
	}
	client.add(TokenTTL - RenewBeforeForTest + time.Second)
	e.clock.add(TokenTTL - RenewBeforeForTest + time.Second)
	if _, err := p.TypesIdentifiant(ctx); err != nil || p.Renewals() != 2 {
		t.Fatalf("renewal before expiry: %d %v", p.Renewals(), err)
	}
	// The server's clock runs 2 hours ahead: it sees the token as expired.
	e.clock.add(2 * time.Hour)
	if _, err := p.TypesIdentifiant(ctx); err != nil || p.Renewals() != 3 {
		t.Fatalf("renew on 401: %d %v", p.Renewals(), err)
	}
}

const RenewBeforeForTest = portal.RenewBefore

// TestAnswersMatchAIFESpec is the acceptance check: the simulator's own
// rechercher and consulter answers have 0 unknown keys and 0 type errors
// against AIFE's Structures.json.
func TestAnswersMatchAIFESpec(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	for _, s := range []string{"73282932000074", "79068156300017", "52524288900042"} {
		if err := e.srv.SeedStructure(ctx, s, "Structure "+s); err != nil {
			t.Fatal(err)
		}
	}
	spec := pistetest.Load()
	tok := pisteClient(e, nil)
	if _, err := tok.TypesIdentifiant(ctx); err != nil { // get a token
		t.Fatal(err)
	}
	post := func(path string, body string) any {
		// Through the real client's transport would hide the raw JSON: use
		// the raw answer.
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+path, strings.NewReader(body))
		form := strings.NewReader("grant_type=client_credentials&client_id=app&client_secret=s3cret")
		tr, _ := http.Post(e.http.URL+piste.PathToken, "application/x-www-form-urlencoded", form)
		var token piste.Token
		if err := json.NewDecoder(tr.Body).Decode(&token); err != nil {
			t.Fatal(err)
		}
		tr.Body.Close()
		req.Header.Set("Authorization", "Bearer "+token.AccessToken)
		req.Header.Set(piste.HeaderAccount, base64.StdEncoding.EncodeToString([]byte("TECH_1@cpro.fr:tech-pass")))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v", path, resp.StatusCode, err)
		}
		return v
	}
	checked := 0
	for _, body := range []string{`{}`, `{"structure":{"identifiantStructure":"73282932000074","typeIdentifiantStructure":"SIRET"}}`,
		`{"parametres":{"nbResultatsParPage":2,"pageResultatDemandee":2,"triColonne":"DesignationStructure","triSens":"Descendant"}}`} {
		for _, p := range spec.Check("WsRetourRechercherStructure", post(piste.PathRechercher, body)) {
			t.Error("rechercher:", p)
		}
		checked++
	}
	for id := 1; id <= 3; id++ {
		for _, lang := range []string{"FR", "EN"} {
			v := post(piste.PathConsulter, fmt.Sprintf(`{"idStructureCPP":%d,"codeLangue":"%s"}`, id, lang))
			for _, p := range spec.Check("WsRetourConsulterStructureTVAIntraCom", v) {
				t.Error("consulter:", p)
			}
			checked++
		}
	}
	t.Logf("%d answers checked against Structures.json: 0 unknown keys, 0 type errors", checked)
}

func TestRegistry(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	key := func(context.Context) (string, error) { return "insee-key", nil }
	r := portal.NewRegistry(e.http.URL+"/registry", e.http.URL+"/insee/api-sirene/3.11", key, nil)
	c, err := r.Lookup(ctx, "73282932000074")
	if err != nil || c.Name != "ATELIERS DUPONT ET FILS" || c.Address != "12 RUE DE LA PAIX" || c.Complement1 != "BATIMENT A" ||
		c.City != "PARIS" || c.PostalCode != "75002" || c.Country != "FR" || c.NonDiffusible || !c.Active {
		t.Fatalf("diffusible: %+v %v", c, err)
	}
	nd, err := r.Lookup(ctx, "79068156300017")
	if err != nil || !nd.NonDiffusible || nd.Name != "" || nd.Address != "" || nd.PostalCode != "" || nd.City != "BORDEAUX" {
		t.Fatalf("non-diffusible: %+v %v", nd, err)
	}
	if _, err := r.Lookup(ctx, "35600000049837"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	// INSEE, when recherche-entreprises does not know the company.
	insee := portal.NewRegistry(e.http.URL+"/nowhere", e.http.URL+"/insee/api-sirene/3.11", key, nil)
	nd2, err := insee.Lookup(ctx, "79068156300017")
	if err != nil || !nd2.NonDiffusible || nd2.Name != "" || nd2.Address != "" {
		t.Fatalf("INSEE fallback: %+v %v", nd2, err)
	}
	c2, err := insee.Lookup(ctx, "73282932000074")
	if err != nil || c2 != c {
		t.Fatalf("INSEE and recherche-entreprises disagree:\n%+v\n%+v %v", c2, c, err)
	}
	if _, err := portal.NewRegistry(e.http.URL+"/nowhere", e.http.URL+"/insee/api-sirene/3.11", nil, nil).Lookup(ctx, "73282932000074"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("without an INSEE key: %v", err)
	}
	resp, _ := http.Get(e.http.URL + "/insee/api-sirene/3.11/siret/79068156300017")
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("INSEE without key: %d", resp.StatusCode)
	}
}

// TestCaptchaAnswersNotStored: no answer is in the database files.
func TestCaptchaAnswersNotStored(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	last := answers(t)
	c := portal.NewOnboarding(e.http.URL, nil)
	var drawn []string
	for range 50 {
		if _, err := c.Captcha(ctx); err != nil {
			t.Fatal(err)
		}
		drawn = append(drawn, last())
	}
	e.http.Close()
	e.srv.Close()
	files, _ := filepath.Glob(filepath.Join(e.dir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, a := range drawn {
			if bytes.Contains(b, []byte(a)) {
				t.Errorf("answer %q in clear in %s", a, filepath.Base(f))
			}
		}
	}
}

// TestRegistryLimits: the registries' published rates hold (7 a second per
// client for recherche-entreprises, 30 a minute per key for INSEE): over
// them, 429 with Retry-After; companies a portal adds are found.
func TestRegistryLimits(t *testing.T) {
	closed := Company{SIRET: "44306184100047", Name: "ANCIENNE SCIERIE", Number: "1", StreetType: "CHEMIN", Street: "DU MOULIN",
		PostalCode: "88000", City: "EPINAL", Commune: "88160", Diffusible: true, Closed: true}
	e := start(t, func(c *Config) { c.Companies = []Company{closed} })
	get := func(path, key string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+path, nil)
		if key != "" {
			req.Header.Set("X-INSEE-Api-Key-Integration", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	tests := []struct {
		name, path, key string
		limit           int
		window          time.Duration
	}{
		{"recherche-entreprises", "/registry/search?q=44306184100047", "", RechercheLimit, RechercheWindow},
		{"INSEE", "/insee/api-sirene/3.11/siret/44306184100047", "key-a", INSEELimit, INSEEWindow},
	}
	for _, tt := range tests {
		for i := range tt.limit {
			if status, _ := get(tt.path, tt.key); status != http.StatusOK {
				t.Fatalf("%s: request %d of %d: %d", tt.name, i+1, tt.limit, status)
			}
		}
		status, retry := get(tt.path, tt.key)
		if status != http.StatusTooManyRequests || retry == "" || retry == "0" {
			t.Fatalf("%s: over the limit: %d, Retry-After %q", tt.name, status, retry)
		}
		e.clock.add(tt.window)
		if status, _ := get(tt.path, tt.key); status != http.StatusOK {
			t.Fatalf("%s: after the window: %d", tt.name, status)
		}
	}
	if got := e.srv.RegistryThrottled(); got != 2 {
		t.Errorf("RegistryThrottled = %d, want 2", got)
	}
	// Another key the registry knows has its own minute; a made-up one is
	// refused before anything is counted for it (hardening, second
	// round, item 4: 40 made-up keys had 40 minutes).
	if status, _ := get(tests[1].path, "key-b"); status != http.StatusOK {
		t.Errorf("another key: %d", status)
	}
	before := e.srv.registry.inseeLimit.size()
	for i := range 40 {
		if status, _ := get(tests[1].path, fmt.Sprintf("made-up-%d", i)); status != http.StatusUnauthorized {
			t.Fatalf("made-up key %d: %d, want 401", i, status)
		}
	}
	if after := e.srv.registry.inseeLimit.size(); after != before {
		t.Errorf("made-up keys took %d limiter entries", after-before)
	}
	e.clock.add(time.Minute)
	c, err := portal.NewRegistry(e.http.URL+"/registry", "", nil, nil).Lookup(t.Context(), closed.SIRET)
	if err != nil || c.Name != closed.Name || c.Active || c.Address != "1 CHEMIN DU MOULIN" {
		t.Errorf("added company: %+v %v", c, err)
	}
}
