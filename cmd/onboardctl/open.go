package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/chorusonboard/chorus-onboard/assets"
	"github.com/chorusonboard/chorus-onboard/core"
	connectpkg "github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/secrets"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
)

// dbFlag registers --db; the default is the desktop app's database.
func dbFlag(fs *flag.FlagSet) func() (string, error) {
	p := fs.String("db", "", "database file (default: the desktop app's, in the per-user data directory)")
	return func() (string, error) {
		if *p != "" {
			return *p, nil
		}
		dir, err := localfs.DataDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, localfs.DatabaseFile), nil
	}
}

// signalGrace is how long a command may take to stop after Ctrl-C or
// SIGTERM before it is ended anyway.
var signalGrace = 10 * time.Second

// exitStopped is the exit code of a command ended by a signal it could
// not answer in time (128 + SIGTERM's 15, as a shell reports it).
const exitStopped = 143

// signalContext is cancelled on Ctrl-C or SIGTERM, so a command stops
// between two commits instead of in the middle of nothing. A command
// blocked where it cannot see the context (reading a pipe nobody writes,
// a slow disk) is ended by a second signal, or signalGrace after the
// first: the store is crash-safe, so ending there loses nothing that was
// committed, and a service manager's SIGTERM is never swallowed.
func signalContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
			return
		case <-sig:
			cancel()
		}
		t := time.NewTimer(signalGrace)
		defer t.Stop()
		select {
		case <-done:
			return
		case <-sig:
		case <-t.C:
		}
		fmt.Fprintln(os.Stderr, "onboardctl: stopped")
		os.Exit(exitStopped)
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(sig)
			close(done)
			cancel()
		})
	}
}

// dbAccess is how a command opens the database.
type dbAccess int

const (
	// readOnly: list, export and status never write, so they work on a
	// file or directory the user may only read.
	readOnly dbAccess = iota
	// readWrite: sync writes states.
	readWrite
	// checkedWrite: import refuses a damaged database (PRAGMA
	// quick_check) before writing anything into it.
	checkedWrite
)

// openServices opens the database at path and builds the application
// layer over it: the same services the desktop app runs. connect, when not
// nil, gives the portal of a sync; other commands need none. A command
// that writes first makes the data directory and the database readable by
// their owner only, and says so once on e.stderr. closeDB releases the
// database.
func openServices(ctx context.Context, p string, connect func(onboarding.TargetSpec) onboarding.Target,
	access dbAccess, e env) (svc onboarding.Services, closeDB func(), err error) {
	var opts []sqlite.Option
	switch access {
	case readOnly:
		if _, err := os.Stat(p); err != nil {
			return svc, nil, fmt.Errorf("no database at %s: %w", p, err)
		}
		opts = append(opts, sqlite.ReadOnly())
	case checkedWrite:
		if err := checkDatabase(ctx, p); err != nil {
			return svc, nil, err
		}
		fallthrough
	case readWrite:
		// Only the platform's own data directory is tightened: one an
		// admin named (CHORUS_ONBOARD_DATA) may be a team's shared folder,
		// whose other users would be locked out; the database files in it
		// are kept private all the same (sqlite.Open).
		if dir, derr := localfs.DataDir(); derr == nil && filepath.Dir(p) == dir && e.getenv(localfs.DataDirEnv) == "" {
			if tightened, err := localfs.EnsureDataDir(dir); err != nil {
				return svc, nil, err
			} else if tightened {
				fmt.Fprintf(e.stderr, "onboardctl: %s was open to other users: it is now readable by you only\n", dir)
			}
		}
	}
	store, err := sqlite.Open(ctx, p, opts...)
	if err != nil {
		return svc, nil, err
	}
	for _, f := range store.Tightened() {
		fmt.Fprintf(e.stderr, "onboardctl: %s was readable by other users: it is now readable by you only\n", f)
	}
	svc, err = onboarding.New(ctx, connectpkg.Stores(store), onboarding.Config{NewOpID: sqlite.NewOpID, Connect: connect,
		Secrets:   func(env core.Environment) core.Secrets { return secrets.New(assets.AppID, env, keyringOptions...) },
		NewChorus: connectpkg.NewChorus,
		Backoff:   cliBackoff, Lease: cliLease, SpoolDir: filepath.Dir(p), Presets: e.readPresets(),
		ConnectFirm: connectpkg.Firm(connectpkg.Options{Getenv: e.getenv}), DataDir: filepath.Dir(p), DeviceName: deviceName()})
	if err != nil {
		store.Close()
		return svc, nil, err
	}
	return svc, func() { store.Close() }, nil
}

// opener returns a function that opens the services on the database at
// path with access, for a command's options: tests replace it.
func opener(path string, access dbAccess, e env) func(ctx context.Context) (onboarding.Services, func(), error) {
	return func(ctx context.Context) (onboarding.Services, func(), error) {
		return openServices(ctx, path, nil, access, e)
	}
}

// checkDatabase runs PRAGMA quick_check on an existing database before a
// command writes into it: a damaged file is refused as it is, with what to
// do, rather than made worse.
func checkDatabase(ctx context.Context, p string) error {
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		return nil // a new database
	}
	ro, err := sqlite.Open(ctx, p, sqlite.ReadOnly())
	if err != nil {
		return fmt.Errorf("the database %s cannot be read (%v): nothing was changed; restore a copy, or move it aside to start a new one", p, err)
	}
	defer ro.Close()
	verdict, err := ro.QuickCheck(ctx)
	if err == nil && verdict != "ok" {
		err = errors.New(verdict)
	}
	if err != nil {
		return fmt.Errorf("the database %s is damaged (quick_check: %.200s): nothing was changed; restore a copy, or move it aside to start a new one", p, err)
	}
	return nil
}

// parseCommand parses flags and checks the positional argument count.
func parseCommand(fs *flag.FlagSet, args []string, minArgs, maxArgs int) error {
	// Flags may come after the arguments too ("lookup siret VALUE
	// --registry-url URL", as the help shows them): the flag package stops
	// at the first argument, so parse again after each one. "--" ends the
	// flags.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	// Reparse the arguments alone so fs.Arg and fs.NArg see them.
	if err := fs.Parse(append([]string{"--"}, positional...)); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if n := fs.NArg(); n < minArgs || n > maxArgs {
		return fmt.Errorf("%w: %s takes %d to %d arguments, got %d", errUsage, fs.Name(), minArgs, maxArgs, n)
	}
	return nil
}

// keyringOptions lets tests replace the OS keyring.
var keyringOptions []secrets.Option

// deviceName names this computer in the firm's history.
func deviceName() string {
	host, _ := os.Hostname()
	return "onboardctl (" + host + ")"
}
