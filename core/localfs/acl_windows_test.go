package localfs

import (
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// TestOnlyOwners judges DACLs written in SDDL the way Windows would store
// them: the descriptor protect sets is private, anything granting a third
// party is not. It runs under Wine too (it reads no file's ACL).
func TestOnlyOwners(t *testing.T) {
	user, system, err := owners()
	if err != nil {
		t.Fatal(err)
	}
	u := user.String()
	tests := []struct {
		sddl string
		want bool
	}{
		{"D:P(A;;FA;;;" + u + ")(A;;FA;;;SY)", true},
		{"D:P(A;OICI;FA;;;" + u + ")", true},
		{"D:(A;;FA;;;" + u + ")(A;;FA;;;SY)(A;;0x1200a9;;;WD)", false}, // Everyone may read
		{"D:(A;;FA;;;" + u + ")(A;;FA;;;SY)(A;;FA;;;BA)", false},       // Administrators: not the owner
		{"D:(A;;FA;;;" + u + ")(A;;FA;;;SY)(A;OICIIO;FA;;;CO)", true},  // CREATOR OWNER, inherit-only
		{"D:(A;;FA;;;" + u + ")(D;;FA;;;WD)", true},                    // a deny ACE grants nothing
	}
	for _, tt := range tests {
		sd, err := windows.SecurityDescriptorFromString(tt.sddl)
		if err != nil {
			t.Fatalf("%s: %v", tt.sddl, err)
		}
		if got, err := onlyOwners(sd, user, system); err != nil || got != tt.want {
			t.Errorf("%s: private %v (%v), want %v", strings.ReplaceAll(tt.sddl, u, "<user>"), got, err, tt.want)
		}
	}
	// A NULL DACL (not an empty one) lets everyone in.
	null, err := windows.NewSecurityDescriptor()
	if err != nil {
		t.Fatal(err)
	}
	if err := null.SetDACL(nil, true, false); err != nil {
		t.Fatal(err)
	}
	if ok, _ := onlyOwners(null, user, system); ok {
		t.Error("a NULL DACL is judged private")
	}
	for _, dir := range []bool{false, true} {
		sd, err := privateDescriptor(user, dir)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := onlyOwners(sd, user, system); !ok || err != nil {
			t.Errorf("the descriptor protect sets (dir %v) is not private: %v %v", dir, sd, err)
		}
		if c, _, _ := sd.Control(); c&windows.SE_DACL_PROTECTED == 0 {
			t.Errorf("the descriptor protect sets (dir %v) inherits from the parent: %v", dir, sd)
		}
	}
}
