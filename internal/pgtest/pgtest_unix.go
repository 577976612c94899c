//go:build unix

package pgtest

import (
	"os"
	"os/exec"
	"syscall"
)

// unprivileged is the user the server runs as when the tests run as root
// (PostgreSQL refuses to run as root): nobody.
const unprivileged = 65534

// asUser makes cmd run as the unprivileged user when we are root.
func asUser(cmd *exec.Cmd) {
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: unprivileged, Gid: unprivileged}}
	}
}

// prepareDir gives dir to the unprivileged user when we are root.
func prepareDir(dir string) error {
	if os.Geteuid() == 0 {
		return os.Chown(dir, unprivileged, unprivileged)
	}
	return nil
}

// stop sends the server SIGINT (a fast shutdown) or SIGKILL.
func stop(p *os.Process, kill bool) {
	if kill {
		_ = p.Signal(syscall.SIGKILL)
		return
	}
	_ = p.Signal(syscall.SIGINT)
}
