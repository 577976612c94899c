package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/internal/pgtest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestMain lets the test run the real command as a child process.
func TestMain(m *testing.M) {
	if os.Getenv("CHORUS_SIM_CHILD") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		code := run(ctx, os.Args[2:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(pgtest.Main(m))
}

// TestCommandLine starts chorus-sim with every flag the outside checks use
// and checks its first line and the seeds.
func TestCommandLine(t *testing.T) {
	registry := filepath.Join(testos.TempDir(t), "clients.csv")
	if err := os.WriteFile(registry, []byte("SIRET;Raison sociale;Adresse;Ville;Code postal\n44306184100047;Scierie Vosgienne;1 chemin du Moulin;Épinal;88000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "--", "--addr", "127.0.0.1:0", "--data", testos.TempDir(t), "--sandbox",
		"--piste-client", "id:secret", "--technical-account", "TECH@cpro.fr:pw",
		"--seed-account", "ana@example.fr:Tr0ub4dor&3x-Lune", "--seed-structure", "73282932000074:ATELIERS",
		"--fault-rate", "0", "--registry-file", registry, "--second-factor", "off")
	cmd.Env = append(os.Environ(), "CHORUS_SIM_CHILD=1")
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on http://127.0.0.1:") {
		t.Fatalf("first line %q, %v", line, err)
	}
	base := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Post(base+"/api/v1/session", "application/json", strings.NewReader(`{"email":"ana@example.fr","password":"Tr0ub4dor&3x-Lune"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("seeded account sign-in: %v %v", resp, err)
	}
	var s struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", base+"/api/v1/structures?identifier_type=SIRET&identifier=73282932000074", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"found":true`) {
		t.Fatalf("seeded structure: %s", b)
	}
	// The registry knows the companies of --registry-file.
	resp, err = c.Get(base + "/registry/search?q=44306184100047")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"nom_raison_sociale":"SCIERIE VOSGIENNE"`) || !strings.Contains(string(b), `"libelle_commune":"ÉPINAL"`) {
		t.Fatalf("registry file: %s", b)
	}
}

func TestUsage(t *testing.T) {
	bad := filepath.Join(testos.TempDir(t), "bad.csv")
	if err := os.WriteFile(bad, []byte("siret,company_name\n123,X\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{}, {"--data", "x", "--fault-rate", "2"}, {"--bogus"}, {"--data", "x", "--seed-structure", "nocolon"},
		{"--data", testos.TempDir(t), "--registry-file", bad}, {"--data", testos.TempDir(t), "--registry-file", "/nonexistent"}} {
		if code := run(t.Context(), args, io.Discard, io.Discard); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestSecretsOutOfTheProcessList: PISTE clients and technical accounts come
// from the environment or a file as well as from flags; without --sandbox
// there is no built-in client.
func TestSecretsOutOfTheProcessList(t *testing.T) {
	dir := testos.TempDir(t)
	file := dir + "/techs"
	if err := os.WriteFile(file, []byte("# team accounts\nTECH_A@cpro.fr:pa\n\nTECH_B@cpro.fr:pb\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := secretPairs("app1:s1, app2:s2", file)
	if err != nil || strings.Join(got, ",") != "app1:s1,app2:s2,TECH_A@cpro.fr:pa,TECH_B@cpro.fr:pb" {
		t.Fatalf("pairs %v %v", got, err)
	}
	if err := os.WriteFile(file, []byte("ok:1\nsecret-without-colon\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := secretPairs("", file); err == nil || strings.Contains(err.Error(), "secret-without") || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("a bad line: %v", err)
	}
	// The command: the client from the environment works, sandbox:sandbox
	// does not exist without --sandbox.
	getenv = func(k string) string {
		if k == envClients {
			return "team:t3am-secret"
		}
		return ""
	}
	defer func() { getenv = os.Getenv }()
	for _, tt := range []struct {
		args []string
		id   string
		want int
	}{
		{nil, "team", http.StatusOK},
		{nil, "sandbox", http.StatusUnauthorized},
		{[]string{"--sandbox"}, "sandbox", http.StatusUnauthorized}, // a named client replaces the built-in one
	} {
		base := serve(t, tt.args...)
		secret := map[string]string{"team": "t3am-secret", "sandbox": "sandbox"}[tt.id]
		resp, err := http.PostForm(base+"/api/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {tt.id}, "client_secret": {secret}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%v client %s: %d, want %d", tt.args, tt.id, resp.StatusCode, tt.want)
		}
	}
}

// serve runs the command in this process on a free port and returns its
// address; it stops with the test.
func serve(t *testing.T, args ...string) string {
	t.Helper()
	base, _ := serveIn(t, testos.TempDir(t), args...)
	return base
}

// serveIn is serve on the data directory dir; stderr returns what the
// command wrote there so far.
func serveIn(t *testing.T, dir string, args ...string) (base string, stderr func() string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var errOut strings.Builder
	done := make(chan int, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		done <- run(ctx, append([]string{"--addr", "127.0.0.1:0", "--data", dir}, args...), w, writerFunc(func(b []byte) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			return errOut.Write(b)
		}))
	}()
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		<-done
		w.Close()
		r.Close()
	})
	return strings.TrimSpace(strings.TrimPrefix(line, "listening on ")), func() string {
		mu.Lock()
		defer mu.Unlock()
		return errOut.String()
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// TestTLS: with --tls-cert and --tls-key, a team portal serves HTTPS, and a
// client that trusts the team's authority reaches it.
func TestTLS(t *testing.T) {
	certs := coretest.NewTLS(t, "127.0.0.1")
	cmd := exec.Command(os.Args[0], "--", "--addr", "127.0.0.1:0", "--data", testos.TempDir(t),
		"--tls-cert", certs.CertFile, "--tls-key", certs.KeyFile)
	cmd.Env = append(os.Environ(), "CHORUS_SIM_CHILD=1")
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on https://127.0.0.1:") {
		t.Fatalf("first line %q, %v", line, err)
	}
	base := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	c, err := portal.NewClient(portal.ClientOptions{CAFile: certs.CAFile, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if err := portal.NewOnboarding(base, c).Health(t.Context()); err != nil {
		t.Fatalf("health over TLS: %v", err)
	}
	plain, _ := portal.NewClient(portal.ClientOptions{Getenv: func(string) string { return "" }})
	if err := portal.NewOnboarding(base, plain).Health(t.Context()); core.CodeOf(err) != portal.CodeUntrusted {
		t.Fatalf("a client without the authority: %v", err)
	}
	if code := run(t.Context(), []string{"--data", testos.TempDir(t), "--tls-cert", certs.CertFile}, io.Discard, io.Discard); code != 2 {
		t.Errorf("--tls-cert without --tls-key: exit %d", code)
	}
}
