package sqlite

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// The kill -9 harness: the test binary re-executes itself as a child that
// writes through the real store and prints "ACK" only after each commit
// returned; the parent kills it with SIGKILL at a random moment, reopens the
// database and checks that every acknowledged write is there, whole, with
// its outbox row, and that the file is sound. The database accumulates across
// trials, as a user's would.

const childEnv = "CHORUS_CRASH_CHILD"

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "writer":
		crashWriter(os.Getenv("CHORUS_CRASH_DB"), os.Getenv("CHORUS_CRASH_PREFIX"))
	case "migrate":
		crashMigrate(os.Getenv("CHORUS_CRASH_DB"))
	case "saves":
		n, _ := strconv.Atoi(os.Getenv("CHORUS_CRASH_N"))
		os.Exit(saveMany(os.Getenv("CHORUS_CRASH_DB"), os.Getenv("CHORUS_CRASH_PREFIX"), n))
	default:
		os.Exit(m.Run())
	}
}

// crashWriter saves queued structures forever, with payloads of 0.5 to 8.5
// KB, and drives outbox rows through claim, completion and rescheduling, as
// the sync worker will.
func crashWriter(path, prefix string) {
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(3)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		// Records of 0.3 to 2.3 KB: an address and its hash (a torn write
		// breaks the pair), and a note of the reform's of any length up
		// to its limit.
		d := sampleStructure(fmt.Sprintf("%s-%06d", prefix, i))
		d.Address = fmt.Sprintf("%d rue %s", i, strings.Repeat("x", 1+rand.IntN(80)))
		sum := sha256.Sum256([]byte(d.Address))
		d.Complement1 = hex.EncodeToString(sum[:])
		note := core.Reform{Note: strings.Repeat("n", rand.IntN(2000))}
		if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(d), Queue: true,
			Reform: note, ReformSet: core.ReformNote}); err != nil {
			fmt.Println("ERR", err)
			os.Exit(3)
		}
		fmt.Fprintf(out, "ACK %s %s\n", d.Identifier, d.Complement1)
		out.Flush()
		switch i % 4 {
		case 1:
			ops, err := db.Outbox.ClaimDue(ctx, core.TargetLocal, time.Now(), 3, time.Second)
			if err != nil {
				os.Exit(3)
			}
			for _, o := range ops {
				if rand.IntN(2) == 0 {
					_ = db.Outbox.Complete(ctx, o.OpID, core.Sync{State: core.StateCreated, PortalID: strconv.Itoa(i)}, nil)
				} else {
					_ = db.Outbox.Reschedule(ctx, o.OpID, time.Now().Add(time.Millisecond), "503")
				}
			}
		case 3:
			_, _ = db.db.Writer().ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

// crashMigrate applies the migrations to a fresh database, pausing inside
// each migration's transaction so that the kill lands there too.
func crashMigrate(path string) {
	migrationHook = func(v int) {
		fmt.Printf("IN %d\n", v)
		time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(3)
	}
	db.Close()
	fmt.Println("DONE")
	time.Sleep(time.Hour) // wait for the kill
}

func trials(t *testing.T, def int) int {
	if s := os.Getenv("CHORUS_CRASH_TRIALS"); s != "" {
		n, err := strconv.Atoi(s)
		if err == nil {
			return n
		}
	}
	if testing.Short() {
		return 20
	}
	return def
}

// startChild runs the test binary in child mode and returns its stdout.
func startChild(t *testing.T, mode string, env ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"="+mode), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(stdout)
}

// kill kills the child (SIGKILL, or TerminateProcess on Windows), hands
// every line it printed before dying to drain (Wait closes the pipe, so
// reading comes first) and reports whether it died of the kill (the proof
// that the crash happened rather than a clean exit).
func kill(t *testing.T, cmd *exec.Cmd, out *bufio.Scanner, drain func(string)) bool {
	t.Helper()
	_ = testos.Kill(cmd.Process)
	for out.Scan() {
		drain(out.Text())
	}
	err := cmd.Wait()
	return err != nil && testos.Killed(cmd.ProcessState)
}

func TestKill9Writer(t *testing.T) {
	if raceDetector {
		t.Skip("slow under -race: make test runs it without (test-heavy)")
	}
	n := trials(t, 200)
	path := filepath.Join(testos.TempDir(t), "onboard.db")
	acked := map[string]string{}
	killed, totalAcks := 0, 0
	for trial := range n {
		cmd, out := startChild(t, "writer", "CHORUS_CRASH_DB="+path, fmt.Sprintf("CHORUS_CRASH_PREFIX=T%03d", trial))
		// Handshake: kill only once the child has acknowledged a write, so
		// every trial tests a database with work in flight.
		if !out.Scan() || !strings.HasPrefix(out.Text(), "ACK ") {
			t.Fatalf("trial %d: child did not start: %q", trial, out.Text())
		}
		record(acked, out.Text())
		totalAcks++
		time.Sleep(time.Duration(rand.IntN(40_000)) * time.Microsecond)
		drain := func(line string) { // acknowledgements printed before the kill
			if strings.HasPrefix(line, "ACK ") {
				record(acked, line)
				totalAcks++
			}
		}
		if kill(t, cmd, out, drain) {
			killed++
		}
		verifyAfterCrash(t, trial, path, acked)
	}
	if killed != n {
		t.Fatalf("only %d of %d children died of the kill: the harness did not crash them", killed, n)
	}
	t.Logf("%d kill -9 trials, %d acknowledged drafts, 0 lost, 0 without outbox row, integrity ok %d/%d (95%% bound on the per-trial failure rate: %.1f%%)",
		n, totalAcks, n, n, 300/float64(n))
}

func record(acked map[string]string, line string) {
	f := strings.Fields(line)
	acked[f[1]] = f[2]
}

// verifyAfterCrash reopens the database the child was killed in and checks
// it.
func verifyAfterCrash(t *testing.T, trial int, path string, acked map[string]string) {
	t.Helper()
	ctx := t.Context()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("trial %d: reopen: %v", trial, err)
	}
	defer db.Close()
	if v, err := db.IntegrityCheck(ctx); err != nil || v != "ok" {
		t.Fatalf("trial %d: integrity_check = %q, %v", trial, v, err)
	}
	seen := 0
	err = db.Structures.EachStructure(ctx, func(r core.StructureRecord) error {
		sum := sha256.Sum256([]byte(r.Draft.Address))
		if hex.EncodeToString(sum[:]) != r.Draft.Complement1 {
			return fmt.Errorf("%s: torn payload", r.Draft.Identifier)
		}
		if want, ok := acked[r.Draft.Identifier]; ok {
			if want != r.Draft.Complement1 {
				return fmt.Errorf("%s: payload differs from the acknowledged one", r.Draft.Identifier)
			}
			seen++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("trial %d: %v", trial, err)
	}
	if seen != len(acked) {
		t.Fatalf("trial %d: %d acknowledged drafts lost", trial, len(acked)-seen)
	}
	var orphans int
	if err := db.db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM structure s
		WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.structure_id = s.id)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Fatalf("trial %d: %d drafts without their outbox row", trial, orphans)
	}
}

// TestKill9Migration kills the app while it creates its schema: the
// database must open at the old version or the new one, never in between,
// and open normally afterwards.
func TestKill9Migration(t *testing.T) {
	if raceDetector {
		t.Skip("slow under -race: make test runs it without (test-heavy)")
	}
	n := trials(t, 60)
	atOld, atStep, atNew := 0, 0, 0
	for trial := range n {
		path := filepath.Join(testos.TempDir(t), "onboard.db")
		cmd, out := startChild(t, "migrate", "CHORUS_CRASH_DB="+path)
		if !out.Scan() || !strings.HasPrefix(out.Text(), "IN ") {
			t.Fatalf("trial %d: child did not start migrating: %q", trial, out.Text())
		}
		// Up to 80 ms: past the three migrations (up to 20 ms each) often enough
		// that some trials end at the new version.
		time.Sleep(time.Duration(rand.IntN(80_000)) * time.Microsecond)
		kill(t, cmd, out, func(string) {})
		raw, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		var version, tables int
		if err := raw.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
			t.Fatal(err)
		}
		if err := raw.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('account','structure','outbox')`).Scan(&tables); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		// Each migration commits alone: a kill leaves the database at
		// version 0 (no table yet) or at one of the versions, whole.
		switch {
		case version == 0 && tables == 0:
			atOld++
		case version == SchemaVersion() && tables == 3:
			atNew++
		case version > 0 && version < SchemaVersion() && tables == 3:
			atStep++
		default:
			t.Fatalf("trial %d: user_version %d with %d tables: half-migrated", trial, version, tables)
		}
		db, err := Open(t.Context(), path)
		if err != nil {
			t.Fatalf("trial %d: reopen: %v", trial, err)
		}
		if v, err := db.IntegrityCheck(t.Context()); v != "ok" || err != nil {
			t.Fatalf("trial %d: integrity %q %v", trial, v, err)
		}
		db.Close()
	}
	t.Logf("%d kills during migration: %d left at the old version, %d at an intermediate one, %d at the new, 0 in between", n, atOld, atStep, atNew)
}

// saveMany opens the store at path and saves n queued structures named
// after prefix, one transaction each, as a second program beside the app
// would (onboardctl import while the app runs). It returns the exit code.
func saveMany(path, prefix string, n int) int {
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		fmt.Println("ERR", err)
		return 3
	}
	defer db.Close()
	for i := range n {
		if _, _, err := db.Structures.SaveStructure(ctx, core.SaveStructure{Checked: core.CheckStructure(sampleStructure(fmt.Sprintf("%s-%04d", prefix, i))), Queue: true}); err != nil {
			fmt.Println("ERR", err)
			return 3
		}
		if i%10 == 0 {
			if _, err := db.Workspace.QueryStructures(ctx, core.StructureQuery{Sort: core.SortUpdated}); err != nil {
				fmt.Println("ERR", err)
				return 3
			}
		}
	}
	return 0
}

// TestTwoProcesses: the app and onboardctl use one database at the same
// time. A child process and this one each open the store on the same file
// (on Windows the second open used to fail on the -shm file the first
// holds) and save 200 queued structures, interleaved; both finish, and the
// database holds the 400 with their 400 outbox rows.
func TestTwoProcesses(t *testing.T) {
	const n = 200
	path := filepath.Join(testos.TempDir(t), "onboard.db")
	app, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=saves", "CHORUS_CRASH_DB="+path, "CHORUS_CRASH_PREFIX=ctl", fmt.Sprintf("CHORUS_CRASH_N=%d", n))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if code := saveMany(path, "app", n); code != 0 {
		t.Fatalf("this process's saves failed")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the other process: %v: %s", err, out.String())
	}
	counts, err := app.Structures.CountStructures(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ops, err := app.Outbox.Ops(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	l, err := app.Workspace.QueryStructures(t.Context(), core.StructureQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if counts[core.StateQueued] != 2*n || len(ops) != 2*n || len(l.Rows) != 2*n {
		t.Fatalf("after two processes saved %d each: states %v, %d outbox rows, the workspace lists %d", n, counts, len(ops), len(l.Rows))
	}
	t.Logf("two processes, %d saves each on one database: %d structures, %d outbox rows, both seen by the workspace", n, 2*n, len(ops))
}
