package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/internal/pgtest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestMigrateStoreCommand: the operator moves the portal's data directory
// (its accounts, and the firms) to PostgreSQL with migrate-store, whose
// table says every count and checksum is equal, then finds them there
// with firm list --database-file; the URL's file is refused when it holds
// no URL, and its text (a password) is never printed; a URL with a
// password on the command line is refused.
func TestMigrateStoreCommand(t *testing.T) {
	ctx := t.Context()
	dir := testos.TempDir(t)
	srv, err := sim.New(ctx, sim.Config{DataDir: dir, PasswordIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SeedAccount(ctx, "ana@cabinet.example", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	cmd := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, _, errOut := cmd("firm", "create", "--data", dir, "--admin", "ana@cabinet.example", "Cabinet Martin"); code != 0 {
		t.Fatal(errOut)
	}

	bad := filepath.Join(dir, "bad-url")
	if err := os.WriteFile(bad, []byte("hunter2-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cmd("migrate-store", "--from", dir, "--to-file", bad)
	if code != 2 || strings.Contains(out+errOut, "hunter2") || !strings.Contains(errOut, "does not hold a PostgreSQL URL") {
		t.Fatalf("a file without a URL: exit %d %q %q", code, out, errOut)
	}

	code, out, errOut = cmd("migrate-store", "--from", dir, "--to", "postgres://chorus:hunter2@127.0.0.1/chorus")
	if code != 2 || strings.Contains(out+errOut, "hunter2") || !strings.Contains(errOut, "--to holds a password") {
		t.Fatalf("a password on the command line: exit %d %q %q", code, out, errOut)
	}

	url := filepath.Join(dir, "database")
	if err := os.WriteFile(url, []byte(pgtest.Database(t)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = cmd("migrate-store", "--from", dir, "--to-file", url)
	if code != 0 || !strings.Contains(out, "counts and checksums equal") || !strings.Contains(out, "firm.firm ") ||
		!strings.Contains(out, "portal.account ") {
		t.Fatalf("migrate-store: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = cmd("firm", "list", "--data", dir, "--database-file", url)
	if code != 0 || !strings.Contains(out, "Cabinet Martin") || !strings.Contains(out, "ana@cabinet.example") {
		t.Fatalf("firm list on PostgreSQL: exit %d %q %q", code, out, errOut)
	}
	// Run again with nothing changed: it checks and says equal.
	if code, out, errOut = cmd("migrate-store", "--from", dir, "--to-file", url); code != 0 {
		t.Fatalf("migrate-store again: exit %d\n%s\n%s", code, out, errOut)
	}
	// A database the portal already keeps firms in, not by a copy: refused.
	live := filepath.Join(dir, "live-database")
	if err := os.WriteFile(live, []byte(pgtest.Database(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	onLive, err := sim.New(ctx, sim.Config{DataDir: testos.TempDir(t), Database: strings.TrimSpace(readFile(t, live)), PasswordIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if err := onLive.SeedAccount(ctx, "ana@cabinet.example", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	onLive.Close()
	if code, _, errOut := cmd("firm", "create", "--data", dir, "--database-file", live, "--admin", "ana@cabinet.example", "Autre"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut = cmd("migrate-store", "--from", dir, "--to-file", live); code != 1 || !strings.Contains(errOut, "already holds data") {
		t.Fatalf("a copy into a live database: exit %d %q", code, errOut)
	}
}

// readFile is a file's text.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
