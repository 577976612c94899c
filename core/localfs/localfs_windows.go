package localfs

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// owners returns the SIDs that may open a private file: the user the
// process runs as, and SYSTEM.
func owners() (user, system *windows.SID, err error) {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, nil, fmt.Errorf("current user: %w", err)
	}
	system, err = windows.CreateWellKnownSid(windows.WinLocalSystemSid)
	if err != nil {
		return nil, nil, fmt.Errorf("SYSTEM: %w", err)
	}
	return tu.User.Sid, system, nil
}

// private reads the DACL of path and judges it with onlyOwners.
func private(path string) (bool, error) {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return false, &os.PathError{Op: "read ACL", Path: path, Err: err}
	}
	user, system, err := owners()
	if err != nil {
		return false, err
	}
	ok, err := onlyOwners(sd, user, system)
	if err != nil {
		return false, &os.PathError{Op: "read ACL", Path: path, Err: err}
	}
	return ok, nil
}

// onlyOwners reports whether every ACE of sd's DACL that grants access
// names user or system. ACEs that only pass down to children
// (inherit-only) grant nothing on the object itself and are judged on the
// children; a deny ACE only takes access away. No DACL at all means
// everyone may do anything.
func onlyOwners(sd *windows.SECURITY_DESCRIPTOR, user, system *windows.SID) (bool, error) {
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		return false, nil
	}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return false, err
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE || ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0 {
			continue
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		if !sid.Equals(user) && !sid.Equals(system) {
			return false, nil
		}
	}
	return true, nil
}

// privateDescriptor is the security descriptor protect gives: a protected
// DACL (nothing inherited from the parent) granting full control to user
// and SYSTEM; on a directory the two ACEs pass down to every file and
// directory created in it.
func privateDescriptor(user *windows.SID, dir bool) (*windows.SECURITY_DESCRIPTOR, error) {
	inherit := ""
	if dir {
		inherit = "OICI"
	}
	return windows.SecurityDescriptorFromString(fmt.Sprintf("D:P(A;%s;FA;;;%s)(A;%s;FA;;;SY)", inherit, user, inherit))
}

// protect gives path privateDescriptor's DACL.
func protect(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	user, _, err := owners()
	if err != nil {
		return err
	}
	sd, err := privateDescriptor(user, fi.IsDir())
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	err = windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
	if err != nil {
		return &os.PathError{Op: "set ACL", Path: path, Err: err}
	}
	return nil
}

// inUse reports whether a rename failed because the file it replaces is
// open in another program without sharing (Excel locks the workbooks and
// CSV files it shows) or is read-only: Windows refuses both, with a
// sharing violation or an access denied.
func inUse(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION) ||
		errors.Is(err, windows.ERROR_ACCESS_DENIED)
}

// openNoBlock opens path for reading; on Windows opening a file never
// waits for a writer (a named pipe is not a path in the file system).
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }
