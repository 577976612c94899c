package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/internal/portaltest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestFirmCommands: an admin joins the firm from the command line with
// the structures of this computer, a colleague deletes one of them on the
// firm, "firm deleted" lists it with who deleted it and "firm restore"
// brings it back for everyone; a wrong id is a usage error, and status
// tells the firm, the role and nothing waiting.
func TestFirmCommands(t *testing.T) {
	withFakeKeyring(t)
	p := portaltest.Start(t, sim.Config{Sandbox: true, SecondFactorOff: true})
	for _, email := range []string{"jeanne@cabinet.fr", "hugo@cabinet.fr"} {
		if err := p.Sim.SeedPerson(t.Context(), email, syncPassword, strings.Split(email, "@")[0], "Test"); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Sim.Firm().CreateFirm(t.Context(), "Cabinet", "jeanne@cabinet.fr"); err != nil {
		t.Fatal(err)
	}
	if err := p.Sim.Firm().AddMember(t.Context(), "Cabinet", "hugo@cabinet.fr", "admin"); err != nil {
		t.Fatal(err)
	}

	ids := sirets(3)
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	if code, out, errOut := runCLI(t, csvRows(ids), nil, "import", "--db", db, "-"); code != 0 {
		t.Fatal(out, errOut)
	}
	code, out, errOut := runCLI(t, syncPassword+"\n", nil, "firm", "join", "--db", db, "--email", "jeanne@cabinet.fr", "--password-stdin", p.HTTP.URL)
	if code != 0 || !strings.HasPrefix(out, "joined Cabinet as admin: ") {
		t.Fatalf("join: exit %d %q %q", code, out, errOut)
	}

	// The join queued this computer's structures for the firm; a sync
	// sends them (the firm first, then the portal).
	code, out, errOut = runCLI(t, syncPassword+"\n", nil, "sync", "--db", db, "--portal", p.HTTP.URL, "--email", "jeanne@cabinet.fr", "--password-stdin")
	if code != 0 || !strings.HasPrefix(out, "firm Cabinet: sent 3, ") {
		t.Fatalf("sync: exit %d %q %q", code, out, errOut)
	}

	hugo := portal.NewOnboarding(p.HTTP.URL, nil)
	if _, err := hugo.SignIn(t.Context(), "hugo@cabinet.fr", syncPassword); err != nil {
		t.Fatal(err)
	}
	page, err := hugo.Firm().Feed(t.Context(), 0, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	var victim int64
	for _, e := range page.Entries {
		if c := e.Client; c != nil && c.Fields["identifier"] == ids[1] {
			if _, err := hugo.Firm().Delete(t.Context(), "del-1", c.ID, c.Revision); err != nil {
				t.Fatal(err)
			}
			victim = c.ID
		}
	}
	if victim == 0 {
		t.Fatalf("the firm has not %s: %+v", ids[1], page.Entries)
	}

	code, out, errOut = runCLI(t, "", nil, "firm", "deleted", "--db", db)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "CLIENT") ||
		!strings.Contains(lines[1], fmt.Sprint(victim)) || !strings.Contains(lines[1], ids[1]) || !strings.Contains(lines[1], "hugo@cabinet.fr") {
		t.Fatalf("deleted: exit %d %q %q", code, out, errOut)
	}
	for _, bad := range []string{"abc", "0", "12x"} {
		if code, _, errOut := runCLI(t, "", nil, "firm", "restore", "--db", db, bad); code != 2 || !strings.Contains(errOut, "firm deleted prints") {
			t.Errorf("restore %q: exit %d %q", bad, code, errOut)
		}
	}
	code, out, errOut = runCLI(t, "", nil, "firm", "restore", "--db", db, fmt.Sprint(victim))
	if code != 0 || out != fmt.Sprintf("client %d restored\n", victim) {
		t.Fatalf("restore: exit %d %q %q", code, out, errOut)
	}
	if code, out, _ := runCLI(t, "", nil, "firm", "deleted", "--db", db); code != 0 || strings.Count(out, "\n") != 1 {
		t.Fatalf("after the restore, deleted lists %q", out)
	}
	page, err = hugo.Firm().Feed(t.Context(), page.Cursor, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	back := false
	for _, e := range page.Entries {
		back = back || (e.Client != nil && e.Client.ID == victim && !e.Client.Deleted)
	}
	if !back {
		t.Fatalf("the colleague does not see the client back: %+v", page)
	}
	code, out, _ = runCLI(t, "", nil, "firm", "status", "--db", db)
	if code != 0 || !strings.Contains(out, "firm\tCabinet\n") || !strings.Contains(out, "role\tadmin\n") {
		t.Fatalf("status: exit %d %q", code, out)
	}
}
