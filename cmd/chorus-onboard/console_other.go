//go:build !windows

package main

// attachParentConsole has nothing to do outside Windows: a program started
// from a terminal writes to it.
func attachParentConsole() {}
