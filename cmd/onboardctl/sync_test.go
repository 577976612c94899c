package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/simtest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

const syncPassword = "Tr0ub4dor&3x-Lune"

// startSim runs a simulator on loopback with an account and some existing
// structures.
func startSim(t *testing.T, faultRate float64, existing []string) string {
	t.Helper()
	srv, err := sim.New(t.Context(), sim.Config{SecondFactorOff: true, DataDir: testos.TempDir(t), FaultRate: faultRate, PasswordIterations: 1000,
		PISTEClients: map[string]string{"app": "s"}, TechnicalAccounts: map[string]string{"sync@example.fr": "p"}, INSEEKeys: []string{"insee-key"}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	if err := srv.SeedAccount(t.Context(), "sync@example.fr", syncPassword); err != nil {
		t.Fatal(err)
	}
	for _, s := range existing {
		if err := srv.SeedStructure(t.Context(), s, "EXISTING "+s); err != nil {
			t.Fatal(err)
		}
	}
	return hs.URL
}

func TestSyncCommand(t *testing.T) {
	ids := sirets(30)
	url := startSim(t, 0, ids[:5])
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	if code, out, _ := runCLI(t, csvRows(ids), nil, "import", "--db", db, "-"); code != 0 {
		t.Fatal(out)
	}
	code, out, errOut := runCLI(t, syncPassword+"\n", nil, "sync", "--db", db, "--portal", url, "--email", "sync@example.fr", "--password-stdin")
	if code != 0 || out != "sent 35, created 25, attachment requests 5, failed 0, pending 0\n" {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "", nil, "status", "--db", db)
	if code != 0 || !strings.Contains(out, "created\t25\n") || !strings.Contains(out, "attachment_requested\t5\n") {
		t.Fatalf("status: %s", out)
	}
	// Nothing left: a second run sends nothing.
	_, out, _ = runCLI(t, syncPassword+"\n", nil, "sync", "--db", db, "--portal", url, "--email", "sync@example.fr", "--password-stdin")
	if out != "sent 0, created 0, attachment requests 0, failed 0, pending 0\n" {
		t.Fatalf("second run: %s", out)
	}
	if code, _, _ := runCLI(t, "", nil, "sync", "--db", db, "--portal", url); code != 2 {
		t.Fatalf("usage: exit %d", code)
	}
	if code, out, _ := runCLI(t, "wrong\n", nil, "sync", "--db", db, "--portal", url, "--email", "sync@example.fr", "--password-stdin"); code != 2 || out != "" {
		t.Fatalf("bad password: exit %d %q", code, out)
	}
}

// syncUntilDone runs "onboardctl sync" as a child process against url,
// killing it with SIGKILL at a random moment (within maxDelay) the first
// kills times, then lets it finish. It returns the finishing run's output.
// direct is the portal without any proxy in between: when a run fails, both
// are asked, so a log tells a dead proxy from a dead portal. Three runs in a
// row that end in an error without a kill fail the test at once: each waits
// out sync's own 3-minute deadline, and more of them would only run into the
// test binary's timeout, which reports nothing useful.
func syncUntilDone(t *testing.T, db, url, direct string, kills int, maxDelay time.Duration, extra ...string) string {
	t.Helper()
	killed, failedInARow := 0, 0
	for round := 0; ; round++ {
		args, _ := json.Marshal(append([]string{"sync", "--db", db, "--portal", url, "--email", "sync@example.fr", "--password-stdin", "--timeout", "3m"}, extra...))
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+string(args))
		cmd.Stdin = strings.NewReader(syncPassword + "\n")
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		// A killed child's pipes are closed by the system; should one stay
		// open (a handle Wine keeps a moment longer), Wait gives up on the
		// copy instead of blocking the test.
		cmd.WaitDelay = 10 * time.Second
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if killed < kills {
			select {
			case <-done:
			case <-time.After(time.Duration(rand.Int64N(int64(maxDelay))) + 50*time.Millisecond):
				_ = testos.Kill(cmd.Process)
				<-done
			}
		} else {
			<-done
		}
		if testos.Killed(cmd.ProcessState) {
			killed++
			failedInARow = 0
			continue
		}
		if cmd.ProcessState.ExitCode() == 0 {
			if killed != kills {
				t.Fatalf("the work finished after %d kills of %d: the kills proved little", killed, kills)
			}
			return out.String()
		}
		t.Logf("round %d: exit %d without being killed (the portal, asked from here: %s; without the proxy: %s): %s%s",
			round, cmd.ProcessState.ExitCode(), health(url), health(direct), out.String(), errOut.String())
		if failedInARow++; failedInARow == 3 || round > 3*kills+10 {
			t.Fatalf("sync does not finish: %s%s", out.String(), errOut.String())
		}
	}
}

// onPortal reads back, through the PISTE endpoints as an outside check
// would (retrying the simulator's faults), how many times each SIRET is on
// the portal and how many attachment requests the account filed.
func onPortal(t *testing.T, url string) (seen map[string]int, structures, requests int) {
	t.Helper()
	p := portal.NewPISTE(portal.PISTEConfig{OAuthURL: url, APIURL: url, ClientID: "app",
		ClientSecret:   func(context.Context) (string, error) { return "s", nil },
		TechnicalLogin: "sync@example.fr", TechnicalPassword: func(context.Context) (string, error) { return "p", nil }})
	var all []piste.StructureAAfficher
	var err error
	for {
		if all, err = p.SearchAll(t.Context(), piste.RechercherStructureInput{TypeIdentifiantStructure: "SIRET"}); err == nil {
			break
		}
	}
	seen = map[string]int{}
	for _, s := range all {
		seen[s.IdentifiantStructure]++
	}
	var ratt []piste.StructureRattachement
	for {
		if ratt, err = p.Rattachements(t.Context()); err == nil {
			break
		}
	}
	for _, r := range ratt {
		if r.RoleUtilisateur != "GESTIONNAIRE_PRINCIPAL" {
			requests++
		}
	}
	return seen, len(all), requests
}

// localCounts returns the structures per state and the outbox rows not done.
func localCounts(t *testing.T, db string) (map[core.SyncState]int, int) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	counts, _ := st.Structures.CountStructures(t.Context())
	ops, _ := st.Outbox.Ops(t.Context())
	open := 0
	for _, o := range ops {
		if o.State != core.OpDone {
			open++
		}
	}
	return counts, open
}

// TestSyncKilledAndRestarted: 150 structures (15 already on the portal)
// through a portal failing 30 % of requests; "onboardctl sync" is killed
// with SIGKILL 6 times at random moments and started again until it
// finishes. The portal then holds every structure exactly once and one
// attachment request per existing SIRET.
func TestSyncKilledAndRestarted(t *testing.T) {
	if raceDetector {
		t.Skip("slow under -race: make test runs it without (test-heavy)")
	}
	ids := sirets(150)
	url := startSim(t, 0.3, ids[:15])
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	if code, out, _ := runCLI(t, csvRows(ids), nil, "import", "--db", db, "-"); code != 0 {
		t.Fatal(out)
	}
	last := syncUntilDone(t, db, url, url, 6, 400*time.Millisecond)
	seen, _, requests := onPortal(t, url)
	for _, id := range ids {
		if seen[id] != 1 {
			t.Fatalf("%s is %d times on the portal", id, seen[id])
		}
	}
	counts, open := localCounts(t, db)
	if requests != 15 || counts[core.StateCreated] != 135 || counts[core.StateAttachmentRequested] != 15 || open != 0 {
		t.Fatalf("%d attachment requests, local states %v, %d open rows", requests, counts, open)
	}
	t.Logf("6 kill -9 of onboardctl sync at fault rate 0.3: %d structures once each on the portal, %d attachment requests; last run: %s",
		len(ids), requests, strings.TrimSpace(last))
}

// health says how the portal at url answers its health check, or why it
// does not.
func health(url string) string {
	c := http.Client{Timeout: 5 * time.Second}
	res, err := c.Get(url + api.PathHealth)
	if err != nil {
		return err.Error()
	}
	res.Body.Close()
	return res.Status
}

// TestSyncSecondFactor: against a portal that asks for the second factor
// (chorus-sim's default), sync without a code says what to do and sends
// nothing; with --code-stdin and --trust-computer it signs in, sends, and
// keeps a device token in the keyring (nowhere else); the next run signs in
// with that token and no code; once the computer is revoked, a code is
// asked again.
func TestSyncSecondFactor(t *testing.T) {
	kr := withFakeKeyring(t)
	srv, err := sim.New(t.Context(), sim.Config{DataDir: testos.TempDir(t), PasswordIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	if err := srv.SeedAccount(t.Context(), "sync@example.fr", syncPassword); err != nil {
		t.Fatal(err)
	}
	// The account enrols its authenticator app once (in the app).
	var app simtest.Authenticator
	c := portal.NewOnboarding(hs.URL, nil)
	if _, err := app.SignIn(t.Context(), c, "sync@example.fr", syncPassword); err != nil {
		t.Fatal(err)
	}
	secret := app.Secret("sync@example.fr")

	ids := sirets(4)
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	if code, out, _ := runCLI(t, csvRows(ids), nil, "import", "--db", db, "-"); code != 0 {
		t.Fatal(out)
	}
	syncArgs := []string{"sync", "--db", db, "--portal", hs.URL, "--email", "sync@example.fr", "--password-stdin"}
	code, out, errOut := runCLI(t, syncPassword+"\n", nil, syncArgs...)
	if code != 2 || out != "" || !strings.Contains(errOut, "--code-stdin") {
		t.Fatalf("no code: exit %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, syncPassword+"\n", nil, append(syncArgs, "--trust-computer")...); code != 2 || !strings.Contains(errOut, "goes with --code-stdin") {
		t.Fatalf("--trust-computer alone: exit %d %q", code, errOut)
	}
	// The next 30-second step's code: the enrolment used this one's.
	totp, err := simtest.Code(secret, time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, syncPassword+"\n"+totp+"\n", nil, append(syncArgs, "--code-stdin", "--trust-computer")...)
	if code != 0 || out != "sent 4, created 4, attachment requests 0, failed 0, pending 0\n" ||
		!strings.Contains(errOut, "signed in with the code from standard input") || !strings.Contains(errOut, "trusted now") {
		t.Fatalf("with a code: exit %d %q %q", code, out, errOut)
	}
	kept := kr.values()
	if len(kept) != 1 || !strings.HasPrefix(kept[0], "sync@example.fr\n") {
		t.Fatalf("the keyring holds %d entries: want this computer's device token only", len(kept))
	}
	tok := kept[0][strings.LastIndex(kept[0], "\n")+1:]
	for _, f := range []string{db, db + "-wal"} {
		if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), tok) {
			t.Fatalf("the device token is in %s", f)
		}
	}

	code, out, errOut = runCLI(t, syncPassword+"\n", nil, syncArgs...)
	if code != 0 || out != "sent 0, created 0, attachment requests 0, failed 0, pending 0\n" || !strings.Contains(errOut, "device token") {
		t.Fatalf("trusted: exit %d %q %q", code, out, errOut)
	}

	// Revoked from the account's list: a code again.
	devs, err := c.Devices(t.Context())
	if err != nil || len(devs) != 2 {
		t.Fatalf("devices: %+v %v", devs, err)
	}
	for _, d := range devs {
		if strings.HasPrefix(d.Name, "onboardctl") {
			if err := c.RevokeDevice(t.Context(), d.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	code, _, errOut = runCLI(t, syncPassword+"\n", nil, syncArgs...)
	if code != 2 || !strings.Contains(errOut, "--code-stdin") {
		t.Fatalf("after revoking: exit %d %q", code, errOut)
	}
}
