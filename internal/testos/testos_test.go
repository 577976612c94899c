package testos

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

const childEnv = "TESTOS_CHILD"

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "sleep":
		time.Sleep(time.Hour)
	case "fail":
		os.Exit(1)
	case "killed-code":
		os.Exit(KilledExitCode - 1)
	}
	os.Exit(m.Run())
}

func child(t *testing.T, mode string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// TestKill: a killed child is recognised as killed; children that exit on
// their own with an error are not.
func TestKill(t *testing.T) {
	cmd := child(t, "sleep")
	if err := Kill(cmd.Process); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if !Killed(cmd.ProcessState) {
		t.Fatalf("a killed child is not reported killed: %v", cmd.ProcessState)
	}
	for _, mode := range []string{"fail", "killed-code"} {
		cmd := child(t, mode)
		_ = cmd.Wait()
		if Killed(cmd.ProcessState) {
			t.Errorf("%s: a child that exited on its own (%v) is reported killed", mode, cmd.ProcessState)
		}
	}
}

// TestTempDirRemovesEverything: files, a read-only one and nested
// directories are gone after the test.
func TestTempDirRemovesEverything(t *testing.T) {
	var dir string
	t.Run("inner", func(t *testing.T) {
		dir = TempDir(t)
		if err := os.MkdirAll(filepath.Join(dir, "a", "b é"), 0o700); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"x.db", "a/y", "a/b é/z"} {
			if err := os.WriteFile(filepath.Join(dir, p), []byte("data"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chmod(filepath.Join(dir, "a", "y"), 0o400); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s is still there: %v", dir, err)
	}
}

// TestOpenFileIsReported: on Windows a file still open cannot be deleted,
// and the clean-up says which one instead of leaving it silently.
func TestOpenFileIsReported(t *testing.T) {
	if runtime.GOOS != "windows" {
		t.Skip("Unix deletes open files: only Windows refuses")
	}
	dir := t.TempDir() // std TempDir: removeTree empties it before the clean-up runs
	f, err := os.Create(filepath.Join(dir, "held.db"))
	if err != nil {
		t.Fatal(err)
	}
	openFileWait = 100 * time.Millisecond
	err = removeTree(dir)
	if err == nil || !strings.Contains(err.Error(), "held.db") {
		t.Fatalf("an open file was not reported: %v", err)
	}
	f.Close()
	if err := removeTree(dir); err != nil {
		t.Fatal(err)
	}
}

// TestWine: under Wine the binary knows it (the Makefile's Wine run says
// so through CHORUS_UNDER_WINE), elsewhere it does not.
func TestWine(t *testing.T) {
	if want := os.Getenv("CHORUS_UNDER_WINE") == "1"; Wine() != want {
		t.Fatalf("Wine() = %v, want %v", Wine(), want)
	}
}

// TestNoStdTempDir: every test of the module takes its directory from
// TempDir, never the testing package's, whose clean-up fails under Wine
// (docs/windows.md, "RemoveAll") and so fails the Windows run only. The
// source is the same on every system: read where it is. A line that says
// "std TempDir:" and why is let through.
func TestNoStdTempDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("reads the module's source: checked on Linux, for every system at once")
	}
	root := filepath.Join("..", "..")
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "build" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		found++
		for i, line := range strings.Split(string(b), "\n") {
			if stdTempDir.MatchString(line) && !strings.Contains(line, "stdTempDir") && !strings.Contains(line, "std TempDir:") {
				t.Errorf("%s:%d: %s: use testos.TempDir", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil || found < 50 {
		t.Fatalf("walked %d test files: %v", found, err)
	}
}

// stdTempDir matches a call of the testing package's TempDir.
var stdTempDir = regexp.MustCompile(`\b(t|b|f|tb)\.TempDir\(\)`)
