package testos

import "os"

// KilledExitCode is the exit code Kill gives a Windows process, so that
// Killed tells it from one that exited with an error of its own (Go's
// (*os.Process).Kill terminates with 1, which many programs use too). It
// is what a shell reports for a process killed by SIGKILL: 128 + 9.
const KilledExitCode = 137

// Kill ends p at once, without letting it run any code: SIGKILL on Unix,
// TerminateProcess on Windows. Crash harnesses use it to prove that what a
// program acknowledged survives its sudden death.
func Kill(p *os.Process) error { return kill(p) }

// Killed reports whether the process that ended with ps died of Kill
// rather than exiting on its own.
func Killed(ps *os.ProcessState) bool { return ps != nil && killed(ps) }
