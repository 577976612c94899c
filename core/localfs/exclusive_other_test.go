//go:build !windows

package localfs

import "os"

// openExclusive has no Unix equivalent that stops a rename: it is only
// called on Windows.
func openExclusive(name string) (*os.File, error) { return os.Open(name) }
