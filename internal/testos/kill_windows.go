package testos

import (
	"os"

	"golang.org/x/sys/windows"
)

// kill calls TerminateProcess with KilledExitCode: the process stops
// wherever it is, its buffers unflushed, as after a power cut or an end
// task from the Task Manager.
func kill(p *os.Process) error {
	h, err := windows.OpenProcess(windows.PROCESS_TERMINATE, false, uint32(p.Pid))
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	return windows.TerminateProcess(h, KilledExitCode)
}

func killed(ps *os.ProcessState) bool { return ps.ExitCode() == KilledExitCode }
