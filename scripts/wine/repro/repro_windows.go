// Command repro runs the minimal reproductions of docs/windows.md: for
// each way Wine 8 differs from Windows that a test of ours meets, it does
// the smallest thing that shows it and prints "deviation" (Wine behaves as
// documented, the test's skip still stands) or "as Windows" (Wine was
// fixed: the skip should go). make test-windows runs it in its prefix.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

func main() {
	results := []struct{ name, seen string }{
		{"RemoveAll", removeAll()},
		{"ACL", acl()},
		{"locale", locale()},
	}
	for _, r := range results {
		fmt.Printf("%-10s %s\n", r.name, r.seen)
	}
}

// removeAll: os.RemoveAll of a directory holding one closed file. Go 1.23+
// deletes with NtSetInformationFile(FileDispositionInformationEx), which
// Windows 10 1607+ has; Wine 8 answers STATUS_NOT_IMPLEMENTED, which Go
// reports as "Invalid function" (os.Remove, on DeleteFile, works).
func removeAll() string {
	dir, err := os.MkdirTemp("", "repro")
	if err != nil {
		return "setup: " + err.Error()
	}
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("x"), 0o600); err != nil {
		return "setup: " + err.Error()
	}
	err = os.RemoveAll(dir)
	if err == nil {
		return "as Windows: os.RemoveAll removed the directory"
	}
	_ = os.Remove(filepath.Join(dir, "a.txt"))
	_ = os.Remove(dir)
	return "deviation: os.RemoveAll: " + err.Error()
}

// acl: give a new directory a protected DACL granting its owner and SYSTEM
// only, then read it back. Windows keeps it as set; Wine 8 keeps no ACL
// (it maps the DACL onto the Unix mode and reports one made from the
// mode, with an Everyone entry).
func acl() string {
	dir, err := os.MkdirTemp("", "repro")
	if err != nil {
		return "setup: " + err.Error()
	}
	defer os.Remove(dir)
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "setup: " + err.Error()
	}
	sd, err := windows.SecurityDescriptorFromString("D:P(A;OICI;FA;;;" + tu.User.Sid.String() + ")(A;OICI;FA;;;SY)")
	if err != nil {
		return "setup: " + err.Error()
	}
	dacl, _, _ := sd.DACL()
	if err := windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil); err != nil {
		return "setup: " + err.Error()
	}
	got, err := windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return "setup: " + err.Error()
	}
	s := strings.ReplaceAll(got.String(), tu.User.Sid.String(), "<user>")
	if strings.Contains(s, ";WD)") {
		return "deviation: set D:P(A;OICI;FA;;;<user>)(A;OICI;FA;;;SY), read back " + s
	}
	return "as Windows: read back " + s
}

// locale: the display language a process sees. Windows keeps it in the
// user's profile; Wine 8 sets it from the Unix locale (LC_ALL) each time a
// process starts and rewrites HKCU\Control Panel\International to match.
func locale() string {
	buf := make([]uint16, 85)
	r, _, _ := windows.NewLazySystemDLL("kernel32.dll").NewProc("GetUserDefaultLocaleName").Call(uintptr(unsafe.Pointer(&buf[0])), 85)
	if r == 0 {
		return "setup: GetUserDefaultLocaleName failed"
	}
	names, _ := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
	return fmt.Sprintf("seen: user locale %s, display languages %v, Unix LC_ALL was %q (deviation when they follow it)",
		windows.UTF16ToString(buf), names, os.Getenv("LC_ALL"))
}
