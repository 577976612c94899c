package localfs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// makeShared leaves path open to other users: a mode on Unix; on Windows a
// DACL granting Everyone read access besides the user.
func makeShared(t *testing.T, path string) {
	t.Helper()
	testos.SkipUnderWine(t, "ACL")
	testos.Share(t, path)
	if ok, err := Private(path); err != nil || ok {
		t.Fatalf("%s shared, yet reported private (%v)", path, err)
	}
}

// TestEnsureDataDir: a shared data directory is tightened once and said;
// the files created in it afterwards are private without a word.
func TestEnsureDataDir(t *testing.T) {
	dir := filepath.Join(testos.TempDir(t), "Hélène Dupont", "ChorusOnboard")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	makeShared(t, dir)
	tightened, err := EnsureDataDir(dir)
	if err != nil || !tightened {
		t.Fatalf("EnsureDataDir of a shared directory: tightened %v, %v", tightened, err)
	}
	if tightened, err := EnsureDataDir(dir); err != nil || tightened {
		t.Fatalf("EnsureDataDir again: tightened %v, %v", tightened, err)
	}
	f, err := os.Create(filepath.Join(dir, "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if runtime.GOOS == "windows" {
		// os.Create asks for 0666: on Windows the ACL inherited from the
		// directory is what keeps the file private.
		if ok, err := Private(f.Name()); err != nil || !ok {
			t.Fatalf("a file created in the data directory is not private (%v)", err)
		}
	}
	if ok, err := Private(dir); err != nil || !ok {
		t.Fatalf("data directory not private (%v)", err)
	}
}

// TestCreatePrivate: a new file is private even in a shared directory, and
// an existing one is never overwritten.
func TestCreatePrivate(t *testing.T) {
	dir := testos.TempDir(t)
	makeShared(t, dir)
	p := filepath.Join(dir, "rejected rows.csv")
	f, err := CreatePrivate(p)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("x")
	f.Close()
	if ok, err := Private(p); err != nil || !ok {
		t.Fatalf("CreatePrivate made a file others may read (%v)", err)
	}
	if _, err := CreatePrivate(p); !os.IsExist(err) {
		t.Fatalf("CreatePrivate over an existing file: %v", err)
	}
	tmp, err := CreateTemp(dir, "spool-*.csv")
	if err != nil {
		t.Fatal(err)
	}
	tmp.Close()
	if ok, err := Private(tmp.Name()); err != nil || !ok {
		t.Fatalf("CreateTemp made a file others may read (%v)", err)
	}
}

// TestDataDir: the override, then the platform's place.
func TestDataDir(t *testing.T) {
	t.Setenv(DataDirEnv, "")
	d, err := DataDir()
	if err != nil {
		t.Fatal(err)
	}
	want := "chorus-onboard"
	if runtime.GOOS == "windows" {
		want = filepath.Join(os.Getenv("LOCALAPPDATA"), "ChorusOnboard")
	}
	if !strings.HasSuffix(d, want) {
		t.Fatalf("DataDir = %s, want …%s", d, want)
	}
	t.Setenv(DataDirEnv, filepath.Join("X:", "profiles", "ana"))
	if d, _ := DataDir(); d != filepath.Join("X:", "profiles", "ana") {
		t.Fatalf("override ignored: %s", d)
	}
}

// TestWriteFileAtomic: the file is replaced whole and private; on Windows,
// a file another program holds open is left as it was and the error says
// it is in use.
func TestWriteFileAtomic(t *testing.T) {
	dir := testos.TempDir(t)
	name := filepath.Join(dir, "export é.csv")
	if err := os.WriteFile(name, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }
	if err := WriteFileAtomic(name, write); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(name); string(b) != "new" {
		t.Fatalf("content %q", b)
	}
	if !testos.UnderWine(t, "ACL") {
		if ok, err := Private(name); !ok || err != nil {
			t.Errorf("the written file is not private (%v)", err)
		}
	}
	// A write that fails leaves the previous file and no temporary one.
	if err := WriteFileAtomic(name, func(io.Writer) error { return errors.New("disk full") }); err == nil {
		t.Fatal("a failed write returned nil")
	}
	if b, _ := os.ReadFile(name); string(b) != "new" {
		t.Fatalf("after a failed write: %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".chorus-onboard-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	if runtime.GOOS != "windows" {
		return
	}
	held, err := openExclusive(name)
	if err != nil {
		t.Fatal(err)
	}
	err = WriteFileAtomic(name, write)
	held.Close()
	if core.CodeOf(err) != CodeInUse || core.AsE(err).Param("file") != name {
		t.Fatalf("replacing a file open elsewhere: %v, want %s", err, CodeInUse)
	}
}
