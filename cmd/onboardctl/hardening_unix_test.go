//go:build !windows

// SIGTERM and FIFOs are Unix's: on Windows a console's Ctrl-C is another
// route, and a named pipe is not a file a setting can name.

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/preset"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestSignalsEndABlockedCommand (hardening, second round, item 12): a
// command blocked where it cannot see its context (here reading a pipe
// nobody writes) ends after SIGTERM: at once on a second one, within the
// grace after the first (before: SIGTERM was swallowed and it hung). A
// FIFO given as a preset file or a CA file is refused, never read.
func TestSignalsEndABlockedCommand(t *testing.T) {
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	if code, out, _ := runCLI(t, csvRows(sirets(1)), nil, "import", "--db", db, "-"); code != 0 { // migrated before
		t.Fatal(out)
	}
	for _, second := range []bool{true, false} {
		// A -shm file left by the last command would read as this one's:
		// no process has the database open now, so it can go (SQLite
		// rebuilds it from the WAL), and the one awaited below is the
		// child's, made after it installed its signal handler. Before,
		// a child slow to start (a -race binary on a busy machine) was
		// signalled before that and died of SIGTERM.
		if err := os.Remove(db + "-shm"); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		args, _ := json.Marshal([]string{"import", "--db", db, "-"})
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+string(args), "CHORUS_TEST_SIGNAL_GRACE=500ms")
		stdin, err := cmd.StdinPipe() // never written: the import waits for its first line
		if err != nil {
			t.Fatal(err)
		}
		var errOut strings.Builder
		cmd.Stderr = &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// It holds the database open (its -shm file) just before it reads:
		// then signal.
		for i := 0; ; i++ {
			if _, err := os.Stat(db + "-shm"); err == nil {
				break
			}
			if i > 6000 {
				t.Fatal("the command never opened the database")
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if second {
			time.Sleep(50 * time.Millisecond)
			_ = cmd.Process.Signal(syscall.SIGTERM)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(time.Minute): // a hang, not a slow machine
			_ = cmd.Process.Kill()
			t.Fatalf("still running a minute after SIGTERM (second signal %v)", second)
		}
		stdin.Close()
		if code := cmd.ProcessState.ExitCode(); code != exitStopped || !strings.Contains(errOut.String(), "stopped") {
			t.Fatalf("second signal %v: exit %d %q", second, code, errOut.String())
		}
	}
	fifo := filepath.Join(testos.TempDir(t), "policy.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	p := preset.Files{Policy: fifo}.ReadPresets()
	if len(p.Problems) != 1 || !strings.Contains(p.Problems[0].Detail, "not a plain file") {
		t.Fatalf("a FIFO as the policy file: %+v", p.Problems)
	}
}
