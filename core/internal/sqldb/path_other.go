//go:build !windows

package sqldb

// extendedPath is the path itself: only Windows limits a plain path's
// length.
func extendedPath(p string) string { return p }
