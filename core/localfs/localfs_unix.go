//go:build !windows

package localfs

import (
	"os"
	"syscall"
)

func private(path string) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return fi.Mode().Perm()&0o077 == 0, nil
}

func protect(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return os.Chmod(path, 0o700)
	}
	return os.Chmod(path, 0o600)
}

// inUse is false on Unix: a file open elsewhere can be replaced.
func inUse(error) bool { return false }

// openNoBlock opens path for reading without waiting: a FIFO with no
// writer would block open(2) itself.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
