package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestKilledPortalKeepsAcknowledgedCreates: 16 clients create structures
// at once, so that chorus-sim writes them in shared transactions (group
// commit); the process is killed (SIGKILL, TerminateProcess on Windows)
// while they do; started again on the same data directory, it has every
// structure it acknowledged with a 201, and answers the rest.
func TestKilledPortalKeepsAcknowledgedCreates(t *testing.T) {
	const email, password = "ana@example.fr", "Tr0ub4dor&3x-Lune"
	dir := testos.TempDir(t)
	cmd := exec.Command(os.Args[0], "--", "--addr", "127.0.0.1:0", "--data", dir,
		"--seed-account", email+":"+password, "--fault-rate", "0", "--second-factor", "off")
	cmd.Env = append(os.Environ(), "CHORUS_SIM_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = testos.Kill(cmd.Process)
			_ = cmd.Wait()
		}
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on ") {
		t.Fatalf("first line %q, %v", line, err)
	}
	base := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	c := portal.NewOnboarding(base, hc)
	if _, err := c.SignIn(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}

	ids := coretest.SIRETs(100_000)
	var next atomic.Int64
	var mu sync.Mutex
	var acked []string
	enough := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ids) {
					return
				}
				d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: ids[i], Kind: core.KindPrivate,
					CompanyName: fmt.Sprintf("Société %d", i), Address: "1 rue de la Paix", City: "Paris", PostalCode: "75002", Country: "FR"}
				if _, err := c.CreateStructure(t.Context(), fmt.Sprintf("kill-%d", i), d); err != nil {
					return // the portal is gone: what it acknowledged is counted
				}
				mu.Lock()
				acked = append(acked, ids[i])
				if len(acked) == 300 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		})
	}
	select {
	case <-enough:
	case <-time.After(5 * time.Minute):
		t.Fatal("300 creates not acknowledged in 5 minutes")
	}
	if err := testos.Kill(cmd.Process); err != nil {
		t.Fatal(err)
	}
	killed = true
	ps, _ := cmd.Process.Wait()
	wg.Wait()
	if !testos.Killed(ps) {
		t.Fatalf("the portal was not killed: %v", ps)
	}

	base = serveAgain(t, dir)
	c = portal.NewOnboarding(base, &http.Client{Timeout: 30 * time.Second})
	if _, err := c.SignIn(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	lost := 0
	for _, id := range acked {
		r, err := c.SearchStructure(t.Context(), core.IDSIRET, id)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Found {
			lost++
		}
	}
	t.Logf("%d creates acknowledged before the kill, %d lost", len(acked), lost)
	if lost > 0 {
		t.Errorf("%d of %d acknowledged creates lost by the kill", lost, len(acked))
	}
}

// serveAgain starts the command again in this process on dir.
func serveAgain(t *testing.T, dir string) string {
	t.Helper()
	base, _ := serveIn(t, dir, "--fault-rate", "0", "--second-factor", "off")
	return base
}
