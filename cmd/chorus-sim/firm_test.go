package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/memsecrets"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// portalProcess is chorus-sim in a child process, on a fixed address so
// that it comes back where the desktops look for it.
type portalProcess struct {
	t    *testing.T
	dir  string
	addr string
	cmd  *exec.Cmd
}

// start starts (again) the portal on its data directory and address.
func (p *portalProcess) start() {
	p.t.Helper()
	cmd := exec.Command(os.Args[0], "--", "--addr", p.addr, "--data", p.dir, "--fault-rate", "0", "--second-factor", "off",
		"--seed-account", "ana@cabinet.example:"+firmPassword, "--seed-account", "bob@cabinet.example:"+firmPassword)
	cmd.Env = append(os.Environ(), "CHORUS_SIM_CHILD=1")
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		p.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.cmd = cmd
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on ") {
		p.t.Fatalf("first line %q, %v", line, err)
	}
}

// kill kills the portal with SIGKILL (TerminateProcess on Windows).
func (p *portalProcess) kill() {
	p.t.Helper()
	if err := testos.Kill(p.cmd.Process); err != nil {
		p.t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

const firmPassword = "Tr0ub4dor&3x-Lune"

// firmDesk is one accountant's desktop on its own store.
func firmDesk(t *testing.T, email string) (onboarding.Services, *sqlite.DB) {
	t.Helper()
	dir := testos.TempDir(t)
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keyring := &memsecrets.Store{}
	svc, err := onboarding.New(t.Context(), connect.Stores(st), onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: dir, DataDir: dir,
		Connect:     func(onboarding.TargetSpec) onboarding.Target { return onboarding.Target{} },
		Secrets:     func(core.Environment) core.Secrets { return keyring },
		ConnectFirm: connect.Firm(connect.Options{Getenv: func(string) string { return "" }}), DeviceName: email})
	if err != nil {
		t.Fatal(err)
	}
	return svc, st
}

// TestFirmSurvivesKilledServer: a desktop pushes 1,200 clients while the
// firm's server is killed with SIGKILL, and another reads them while it is
// killed again: once the server is back, each client is on the server
// once, every change acknowledged is there, none was applied twice, and
// the reader's cursor resumed where its last applied page left it.
func TestFirmSurvivesKilledServer(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a server twice")
	}
	ctx := t.Context()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &portalProcess{t: t, dir: testos.TempDir(t), addr: addr}
	p.start()
	defer func() { p.kill() }()
	url := "http://" + addr
	for _, args := range [][]string{
		{"firm", "create", "--data", p.dir, "--admin", "ana@cabinet.example", "Cabinet Martin"},
		{"firm", "add", "--data", p.dir, "--role", api.FirmEveryClient, "Cabinet Martin", "bob@cabinet.example"},
	} {
		if code := run(ctx, args, io.Discard, os.Stderr); code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
	}

	ana, anaStore := firmDesk(t, "ana@cabinet.example")
	if _, err := ana.Firm.SignIn(ctx, url, "ana@cabinet.example", firmPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.Firm.Join(ctx, true, nil); err != nil {
		t.Fatal(err)
	}
	const n = 1200
	ids := coretest.SIRETs(n)
	var batch []core.SaveStructure
	for i, id := range ids {
		batch = append(batch, core.SaveStructure{Checked: core.CheckStructure(core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: id,
			Kind: core.KindPrivate, CompanyName: fmt.Sprint("Client ", i), Address: "1 rue de la Paix", City: "Paris", PostalCode: "75002"})})
	}
	if _, err := anaStore.Structures.SaveStructures(ctx, batch); err != nil {
		t.Fatal(err)
	}

	// Ana pushes; the server dies under her after a while, comes back.
	pushed := make(chan error, 1)
	go func() {
		for {
			_, err := ana.Firm.Sync(ctx)
			if err == nil && ana.Firm.Status(ctx).Pending == 0 {
				pushed <- nil
				return
			}
			if ctx.Err() != nil {
				pushed <- ctx.Err()
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	// Killed once a part was sent, before the end.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if pending := ana.Firm.Status(ctx).Pending; pending < n-100 || time.Now().After(deadline) {
			t.Logf("the server killed with %d of %d changes still to send", pending, n)
			if pending == 0 {
				t.Fatal("every change was sent before the kill")
			}
			break
		}
	}
	p.kill()
	time.Sleep(200 * time.Millisecond)
	p.start()
	select {
	case err := <-pushed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("Ana's changes not sent in 3 minutes")
	}

	// Bob joins: the server dies after his first page.
	bob, bobStore := firmDesk(t, "bob@cabinet.example")
	if _, err := bob.Firm.SignIn(ctx, url, "bob@cabinet.example", firmPassword); err != nil {
		t.Fatal(err)
	}
	killed := false
	_, err = bob.Firm.Join(ctx, true, func(done, _ int) {
		if !killed && done > 0 {
			killed = true
			p.kill()
		}
	})
	if err == nil {
		t.Fatal("the join went on with the server killed")
	}
	l, _ := bobStore.Firm.FirmLink(ctx)
	if l.Cursor == 0 || l.Joined {
		t.Fatalf("after the first page: %+v", l)
	}
	p.start()
	if _, err := bob.Firm.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	// On the server: each client once.
	list := captureFirmList(t, p.dir)
	if !strings.Contains(list, fmt.Sprintf("Cabinet Martin  ana@cabinet.example  2        %d", n)) {
		t.Fatalf("the server's firms:\n%s", list)
	}
	for name, st := range map[string]*sqlite.DB{"Ana": anaStore, "Bob": bobStore} {
		count := 0
		if err := st.Structures.EachStructure(ctx, func(core.StructureRecord) error { count++; return nil }); err != nil {
			t.Fatal(err)
		}
		ps, err := st.Firm.FirmUnsent(ctx)
		if count != n || err != nil || len(ps) != 0 {
			t.Fatalf("%s's desktop: %d structures, %d unsent (%v)", name, count, len(ps), err)
		}
	}

}

// captureFirmList runs "chorus-sim firm list".
func captureFirmList(t *testing.T, dir string) string {
	t.Helper()
	var out strings.Builder
	if code := run(t.Context(), []string{"firm", "list", "--data", dir}, &out, os.Stderr); code != 0 {
		t.Fatalf("firm list: exit %d", code)
	}
	return out.String()
}
