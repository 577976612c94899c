package core

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// DataDirEnv overrides the data directory (tests, portable installs, IT
// admins who keep profiles on another disk).
const DataDirEnv = "CHORUS_ONBOARD_DATA"

// DataDir returns the per-user directory where the desktop app and
// onboardctl keep the database: $CHORUS_ONBOARD_DATA, else
// $XDG_DATA_HOME/chorus-onboard (~/.local/share/chorus-onboard) on Linux and
// BSD, %LocalAppData%\ChorusOnboard on Windows, ~/Library/Application
// Support/ChorusOnboard on macOS. Both programs call this one function so they
// always share the same data.
func DataDir() (string, error) {
	if d := os.Getenv(DataDirEnv); d != "" {
		return d, nil
	}
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "ChorusOnboard"), nil
		}
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

// DatabaseFile is the name of the database inside DataDir.
const DatabaseFile = "onboard.db"

// EnsureDataDir creates the data directory readable by its owner only, or
// tightens an existing one that others may read or enter (it holds drafts
// with personal data); tightened says whether it did, so the caller tells
// the user once.
func EnsureDataDir(dir string) (tightened bool, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return false, err
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return false, nil
	}
	return true, os.Chmod(dir, 0o700)
}
