//go:build !windows

package testos

import (
	"os"
	"syscall"
)

func kill(p *os.Process) error { return p.Signal(syscall.SIGKILL) }

func killed(ps *os.ProcessState) bool {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
