package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/internal/pgtest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// startChild runs chorus-sim with args as a child process and returns
// its address once it listens.
func startChild(t *testing.T, args ...string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "CHORUS_SIM_CHILD=1")
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on http://127.0.0.1:") {
		t.Fatalf("first line %q, %v", line, err)
	}
	return strings.TrimSpace(strings.TrimPrefix(line, "listening on ")), cmd
}

// TestInstanceKilled: two chorus-sim processes serve one PostgreSQL
// database (--database-file); desktops create structures through both,
// and one process is killed with SIGKILL mid-way. The desktops send what
// it did not answer to the other instance with the same key; at the end
// every structure either instance acknowledged is there, each once.
func TestInstanceKilled(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("PostgreSQL runs in the Linux tests only")
	}
	dsnFile := filepath.Join(testos.TempDir(t), "database")
	if err := os.WriteFile(dsnFile, []byte(pgtest.Database(t)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const password = "Tr0ub4dor&3x-Lune"
	const writers, each = 4, 40
	seeds := []string{"--data", testos.TempDir(t), "--database-file", dsnFile, "--second-factor", "off"}
	for w := range writers {
		seeds = append(seeds, "--seed-account", fmt.Sprintf("desk%d@example.fr:%s", w, password))
	}
	a, _ := startChild(t, seeds...)
	b, killed := startChild(t, "--data", testos.TempDir(t), "--database-file", dsnFile, "--second-factor", "off")
	c := &http.Client{Timeout: 10 * time.Second}
	call := func(method, url, token, key string, body any) (int, []byte, error) {
		var rd io.Reader
		if body != nil {
			j, _ := json.Marshal(body)
			rd = bytes.NewReader(j)
		}
		req, _ := http.NewRequest(method, url, rd)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set(api.HeaderAuthorization, "Bearer "+token)
		}
		if key != "" {
			req.Header.Set(api.HeaderIdempotencyKey, key)
		}
		res, err := c.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer res.Body.Close()
		out, err := io.ReadAll(res.Body)
		return res.StatusCode, out, err
	}
	tokens := make([]string, writers)
	for w := range writers {
		st, out, err := call(http.MethodPost, b+api.PathSession, "", "", api.SignIn{Email: fmt.Sprintf("desk%d@example.fr", w), Password: password})
		var s api.Session
		if err != nil || st != http.StatusOK || json.Unmarshal(out, &s) != nil {
			t.Fatalf("sign-in on the second instance: %d %s %v", st, out, err)
		}
		tokens[w] = s.Token
	}
	sirets := coretest.SIRETs(writers * each)
	var (
		mu          sync.Mutex
		done, byB   int
		acked       = map[string]bool{}
		badAnswer   string
		unreachable int
	)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				siret := sirets[w*each+i]
				body := api.StructureBody{IdentifierType: "SIRET", Identifier: siret, Kind: "PRIVEE", CompanyName: "Société " + siret,
					Address: "1 rue de la Paix", City: "Paris", PostalCode: "75002"}
				for try := 0; ; try++ {
					if try > 600 {
						t.Errorf("desktop %d: structure %d never accepted", w, i)
						return
					}
					base := []string{a, b}[(i+try)%2]
					st, out, err := call(http.MethodPost, base+api.PathStructures, tokens[w], fmt.Sprintf("desk%d-%d", w, i), body)
					mu.Lock()
					switch {
					case err == nil && st == http.StatusCreated:
						acked[siret] = true
						if base == b {
							byB++
						}
					case err != nil:
						unreachable++ // the killed instance: try the other
					case st != http.StatusServiceUnavailable:
						badAnswer = fmt.Sprintf("%d %s", st, out)
					}
					mu.Unlock()
					if err == nil && st == http.StatusCreated {
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
				mu.Lock()
				done++
				mu.Unlock()
			}
		}()
	}
	for {
		mu.Lock()
		n := done
		mu.Unlock()
		if n >= writers*each/3 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := killed.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	t.Logf("%d structures through two instances, one killed with SIGKILL: %d acknowledged by it, %d requests found it gone",
		writers*each, byB, unreachable)
	if badAnswer != "" {
		t.Fatalf("an answer other than 201 or a coded 503: %s", badAnswer)
	}
	if byB == 0 || unreachable == 0 {
		t.Fatal("the killed instance answered nothing, or nothing met its death: the test did not test it")
	}
	for _, siret := range sirets {
		if !acked[siret] {
			t.Fatalf("structure %s never acknowledged", siret)
		}
		st, out, err := call(http.MethodGet, a+api.PathStructures+"?identifier_type=SIRET&identifier="+siret, tokens[0], "", nil)
		if err != nil || st != http.StatusOK || !strings.Contains(string(out), `"found":true`) {
			t.Fatalf("structure %s, acknowledged, is not on the surviving instance: %d %s %v", siret, st, out, err)
		}
	}
	// Each once: a second create of any of them names the first (409).
	st, out, _ := call(http.MethodPost, a+api.PathStructures, tokens[0], "", api.StructureBody{IdentifierType: "SIRET",
		Identifier: sirets[0], Kind: "PRIVEE", CompanyName: "x", Address: "1 rue", City: "Paris", PostalCode: "75002"})
	if st != http.StatusConflict {
		t.Fatalf("a second create of an acknowledged structure: %d %s", st, out)
	}
}
