// Package testos gives tests what they need to behave alike on Linux and on
// Windows, where the same test binaries run under Wine in CI: a temporary
// directory whose clean-up names a file left open, and a hard kill that a
// crash harness can tell apart from a process that exited on its own.
//
// It is for tests only; nothing shipped imports it.
package testos

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// TempDir returns a new temporary directory removed when the test ends, as
// testing.TB.TempDir does. On Windows it first deletes the directory's
// files one by one with DeleteFile semantics, which refuse a file that is
// still open: the test then fails naming the file (the store or a child
// process did not close it), as it would fail on a user's PC. It also
// keeps the clean-up working under Wine 8, whose NtSetInformationFile lacks
// FileDispositionInformationEx, which os.RemoveAll uses since Go 1.23
// (docs/windows.md, "RemoveAll").
func TempDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if runtime.GOOS != "windows" {
		return dir
	}
	// Registered after TempDir's own clean-up, so it runs before it
	// (clean-ups run last in, first out) and leaves it nothing to do.
	tb.Cleanup(func() {
		if err := removeTree(dir); err != nil {
			tb.Errorf("temporary directory: %v", err)
		}
	})
	return dir
}

// removeTree deletes dir and everything under it, deepest first, with
// os.Remove. A file another handle still holds is retried for a while (a
// child process that was just terminated releases its handles when the
// kernel has torn it down), then reported.
func removeTree(dir string) error {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return err
	}
	slices.Reverse(paths) // children before their directory
	var errs []error
	for _, p := range paths {
		if err := removeOne(p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// openFileWait is how long removeOne retries a file another handle holds.
var openFileWait = 5 * time.Second

func removeOne(p string) error {
	deadline := time.Now().Add(openFileWait)
	for {
		err := os.Remove(p)
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if fi, serr := os.Lstat(p); serr == nil && fi.Mode().Perm()&0o200 == 0 {
			// A read-only file: Windows' DeleteFile refuses it.
			_ = os.Chmod(p, 0o600)
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
