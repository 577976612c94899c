package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test run the real command as a child process.
func TestMain(m *testing.M) {
	if os.Getenv("CHORUS_SIM_CHILD") == "1" {
		os.Exit(run(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestCommandLine starts chorus-sim with every flag the outside checks use
// and checks its first line and the seeds.
func TestCommandLine(t *testing.T) {
	cmd := exec.Command(os.Args[0], "--", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--sandbox",
		"--piste-client", "id:secret", "--technical-account", "TECH@cpro.fr:pw",
		"--seed-account", "ana@example.fr:Tr0ub4dor&3x-Lune", "--seed-structure", "73282932000074:ATELIERS",
		"--fault-rate", "0")
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
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"--data", "x", "--fault-rate", "2"}, {"--bogus"}, {"--data", "x", "--seed-structure", "nocolon"}} {
		if code := run(args, io.Discard, io.Discard); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
