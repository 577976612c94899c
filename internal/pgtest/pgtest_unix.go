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

// asUser makes cmd run as the unprivileged user when we are root, in a
// process group of its own: the server's processes are its children, and
// a kill must reach them all.
func asUser(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if os.Geteuid() == 0 {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: unprivileged, Gid: unprivileged}
	}
}

// prepareDir gives dir to the unprivileged user when we are root.
func prepareDir(dir string) error {
	if os.Geteuid() == 0 {
		return os.Chown(dir, unprivileged, unprivileged)
	}
	return nil
}

// stop sends the server SIGINT (a fast shutdown), or SIGKILL to its whole
// process group: the postmaster and every backend at once, as a power cut
// would (a postmaster killed alone leaves its backends holding the shared
// memory, and a new server refuses to start beside them).
func stop(p *os.Process, kill bool) {
	if kill {
		_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
		return
	}
	_ = p.Signal(syscall.SIGINT)
}
