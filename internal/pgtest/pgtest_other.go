//go:build !unix

package pgtest

import (
	"os"
	"os/exec"
)

// asUser leaves cmd as it is: only unix has a root PostgreSQL refuses.
func asUser(*exec.Cmd) {}

// prepareDir has nothing to do outside unix.
func prepareDir(string) error { return nil }

// stop ends the server's process.
func stop(p *os.Process, _ bool) { _ = p.Kill() }
