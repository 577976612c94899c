package localfs

import (
	"errors"
	"fmt"
	"io"
)

// ErrNotRegular is returned by ReadRegular for a path that is not a plain
// file: a directory, a device such as /dev/zero, a named pipe (FIFO) whose
// open or read would wait for a writer for ever.
var ErrNotRegular = errors.New("not a plain file (a directory, a device or a pipe)")

// ErrTooLarge is returned by ReadRegular for a file over its limit.
var ErrTooLarge = errors.New("file too large")

// ReadRegular reads the whole of the plain file at path, at most max
// bytes: configuration an admin or a user points at (a preset, a bundle of
// certificates). It never waits on a FIFO (opened without blocking, then
// checked) and never reads a device or a directory (ErrNotRegular), nor
// more than max bytes (ErrTooLarge), whatever the file claims.
func ReadRegular(path string, max int64) ([]byte, error) {
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%s: %w (%d bytes, at most %d)", path, ErrTooLarge, fi.Size(), max)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: %w (at most %d bytes)", path, ErrTooLarge, max)
	}
	return b, nil
}
