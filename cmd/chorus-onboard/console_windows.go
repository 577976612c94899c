package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachParentConsole gives --help and --version somewhere to write. The
// app is a GUI program (linked with -H=windowsgui, so that starting it
// from the Start menu never flashes a console window), and Windows gives
// such a program no console: started from cmd or PowerShell it would print
// nothing. It borrows the console of the shell that started it, unless its
// output is already redirected to a file or a pipe.
func attachParentConsole() {
	if h, err := windows.GetStdHandle(windows.STD_OUTPUT_HANDLE); err == nil && h != 0 && h != windows.InvalidHandle {
		return
	}
	const attachParentProcess = ^uintptr(0) // ATTACH_PARENT_PROCESS, (DWORD)-1
	r, _, _ := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole").Call(attachParentProcess)
	if r == 0 {
		return // not started from a console
	}
	if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		os.Stdout, os.Stderr = f, f
	}
}
