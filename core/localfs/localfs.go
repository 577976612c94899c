// Package localfs is where Chorus Onboard keeps its files on the user's
// computer, and how it keeps them to their owner: drafts hold personal data
// (names, phones, e-mail addresses), so the data directory, the database
// and every file of rejected rows are readable by their owner only. On
// Unix that is a mode (0700, 0600); on Windows, where a mode means nothing
// but the read-only bit, it is a protected ACL granting the user and
// SYSTEM alone, as %LOCALAPPDATA% would be if nothing inherited into it.
package localfs

import (
	"errors"
	"github.com/chorusonboard/chorus-onboard/core"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// DataDirEnv overrides the data directory (tests, portable installs, IT
// admins who keep profiles on another disk).
const DataDirEnv = "CHORUS_ONBOARD_DATA"

// DatabaseFile is the name of the database inside the data directory.
const DatabaseFile = "onboard.db"

// DataDir returns the per-user directory where the desktop app and
// onboardctl keep the database: $CHORUS_ONBOARD_DATA, else
// %LOCALAPPDATA%\ChorusOnboard on Windows, ~/Library/Application
// Support/ChorusOnboard on macOS, $XDG_DATA_HOME/chorus-onboard
// (~/.local/share/chorus-onboard) elsewhere. Both programs call this one
// function so they always share the same data.
func DataDir() (string, error) {
	if d := os.Getenv(DataDirEnv); d != "" {
		return d, nil
	}
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "ChorusOnboard"), nil
		}
		return "", errors.New("no %LOCALAPPDATA%: set " + DataDirEnv)
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Application Support", "ChorusOnboard"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "chorus-onboard"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("no home directory: set " + DataDirEnv)
	}
	return filepath.Join(home, ".local", "share", "chorus-onboard"), nil
}

// EnsureDataDir creates the data directory for its owner only, or
// tightens an existing one that others may read or enter; tightened says
// whether it did, so the caller tells the user once. Files created in it
// afterwards are private too (on Windows they inherit its ACL).
func EnsureDataDir(dir string) (tightened bool, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	return Protect(dir)
}

// Protect makes the file or directory at path accessible to its owner
// only (and on Windows to SYSTEM, which backs up and indexes files),
// unless it already is; tightened says whether it changed anything.
func Protect(path string) (tightened bool, err error) {
	ok, err := Private(path)
	if err != nil || ok {
		return false, err
	}
	if err := protect(path); err != nil {
		return false, err
	}
	return true, nil
}

// Private reports whether only the file's owner (and on Windows SYSTEM)
// may open the file or directory at path.
func Private(path string) (bool, error) { return private(path) }

// CreatePrivate creates a new file at path that only its owner may read,
// failing if one exists: on Unix with mode 0600, on Windows with the
// owner-only ACL set before anything is written into it.
func CreatePrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := Protect(path); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return f, nil
}

// CreateTemp is os.CreateTemp for a file only its owner may read: the
// spool of rejected rows, a file written before it is renamed into place.
func CreateTemp(dir, pattern string) (*os.File, error) {
	f, err := os.CreateTemp(dir, pattern) // 0600 on Unix
	if err != nil {
		return nil, err
	}
	if _, err := Protect(f.Name()); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// SandboxDir is the Local sandbox's own data directory inside the data
// directory: the portal the app runs in-process keeps its accounts there.
const SandboxDir = "sandbox"

// RemoveDatabase deletes a SQLite database and the files beside it (-wal,
// -shm, -journal); one that does not exist is no error. On Windows a file
// another program holds open cannot be deleted: the error is then
// KindUnavailable with CodeInUse, naming it.
func RemoveDatabase(path string) error {
	var errs []error
	for _, p := range []string{path + "-wal", path + "-shm", path + "-journal", path} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			if inUse(err) {
				err = &core.E{Kind: core.KindUnavailable, Code: CodeInUse, Op: "remove " + filepath.Base(p),
					Params: map[string]string{"file": p}, Err: err}
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
