package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/chorusonboard/chorus-onboard/assets"
	"github.com/chorusonboard/chorus-onboard/core"
	connectpkg "github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/secrets"
	"github.com/chorusonboard/chorus-onboard/core/sim"
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

// openService opens the database at path and builds the application layer
// over it: the same flows the desktop app runs. connect, when not nil,
// gives the portal of a sync; other commands need none. A command that
// writes first makes the data directory and the database readable by
// their owner only, and says so once on e.stderr. closeDB releases the
// database.
func openService(ctx context.Context, path func() (string, error), connect func(onboarding.Connection) onboarding.Target,
	access dbAccess, e env) (svc *onboarding.Service, closeDB func(), err error) {
	p, err := path()
	if err != nil {
		return nil, nil, err
	}
	var opts []sqlite.Option
	switch access {
	case readOnly:
		if _, err := os.Stat(p); err != nil {
			return nil, nil, fmt.Errorf("no database at %s: %w", p, err)
		}
		opts = append(opts, sqlite.ReadOnly())
	case checkedWrite:
		if err := checkDatabase(ctx, p); err != nil {
			return nil, nil, err
		}
		fallthrough
	case readWrite:
		// Only the platform's own data directory is tightened: one an
		// admin named (CHORUS_ONBOARD_DATA) may be a team's shared folder,
		// whose other users would be locked out; the database files in it
		// are kept private all the same (sqlite.Open).
		if dir, derr := localfs.DataDir(); derr == nil && filepath.Dir(p) == dir && e.getenv(localfs.DataDirEnv) == "" {
			if tightened, err := localfs.EnsureDataDir(dir); err != nil {
				return nil, nil, err
			} else if tightened {
				fmt.Fprintf(e.stderr, "onboardctl: %s was open to other users: it is now readable by you only\n", dir)
			}
		}
	}
	store, err := sqlite.Open(ctx, p, opts...)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range store.Tightened() {
		fmt.Fprintf(e.stderr, "onboardctl: %s was readable by other users: it is now readable by you only\n", f)
	}
	svc, err = onboarding.New(ctx, onboarding.Config{Store: store, NewOpID: sqlite.NewOpID, Connect: connect,
		Secrets:   func(env core.Environment) core.Secrets { return secrets.New(assets.AppID, env, keyringOptions...) },
		NewChorus: connectpkg.NewChorus,
		Backoff:   cliBackoff, Lease: cliLease, SpoolDir: filepath.Dir(p), Presets: e.readPresets()})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return svc, func() { store.Close() }, nil
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

// cmdImport runs "import [--db PATH] [--rejected FILE] FILE|-". invalid
// reports rejected rows.
func cmdImport(args []string, e env) (invalid bool, err error) {
	fs := newFlags("import", e)
	db := dbFlag(fs)
	lang := langFlag(fs, e)
	rejected := fs.String("rejected", "", "write the rejected rows to this CSV file, with an error column, to fix and import again")
	if err := parseCommand(fs, args, 1, 1); err != nil {
		return false, err
	}
	if *rejected != "" {
		if err := notTheDatabase(*rejected, db); err != nil {
			return false, err
		}
	}
	l, err := lang()
	if err != nil {
		return false, err
	}
	var in io.Reader = e.stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return false, fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		in = f
	}
	ctx, cancel := signalContext()
	defer cancel()
	svc, closeDB, err := openService(ctx, db, nil, checkedWrite, e)
	if err != nil {
		return false, err
	}
	defer closeDB()
	rep, err := svc.ImportCSV(ctx, in, onboarding.ImportOptions{
		Report: func(r csvio.Rejection) {
			fmt.Fprintf(e.stdout, "line %d: %s: %s: %s\n", r.Line, r.Field, r.Code, i18n.Format(l, r.Code, r.Params))
		},
		Sheet: csvio.WriterOptions{Lang: l, BOM: true},
	})
	defer rep.Close()
	if len(rep.Ignored) > 0 {
		fmt.Fprintf(e.stderr, "onboardctl: ignored columns: %s\n", strings.Join(rep.Ignored, ", "))
	}
	if err != nil {
		return false, fmt.Errorf("import: %w", err)
	}
	st := rep.Stats
	summary := fmt.Sprintf("imported %d, updated %d, rejected %d", st.Imported, st.Updated, st.Rejected)
	if st.Duplicates > 0 {
		summary += fmt.Sprintf(", duplicates %d", st.Duplicates)
	}
	if st.Unread > 0 {
		// Never a success for rows that were not read.
		summary += fmt.Sprintf(", lines not read %d", st.Unread)
	}
	if rep.Cancelled {
		summary += ", interrupted: the rows above were imported, the rest of the file was not read"
	}
	fmt.Fprintln(e.stdout, summary)
	if *rejected != "" && rep.RejectedRows() > 0 {
		if err := localfs.WriteFileAtomic(*rejected, rep.SaveRejected); err != nil {
			return false, fmt.Errorf("import: rejected rows: %w", err)
		}
		fmt.Fprintf(e.stdout, "rejected rows written to %s\n", *rejected)
	}
	return st.Rejected > 0 || st.Unread > 0 || rep.Cancelled, nil
}

// cmdExport runs "export [--db PATH] [--format csv|json] [FILE|-]". A file
// is written to a temporary name and renamed, so a failed export never
// leaves half a file where the previous one was.
func cmdExport(args []string, e env) error {
	fs := newFlags("export", e)
	db := dbFlag(fs)
	format := fs.String("format", "csv", "csv or json")
	lang := langFlag(fs, e)
	if err := parseCommand(fs, args, 0, 1); err != nil {
		return err
	}
	if *format != "csv" && *format != "json" {
		return fmt.Errorf("%w: --format must be csv or json", errUsage)
	}
	l, err := lang()
	if err != nil {
		return err
	}
	ctx, cancel := signalContext()
	defer cancel()
	svc, closeDB, err := openService(ctx, db, nil, readOnly, e)
	if err != nil {
		return err
	}
	defer closeDB()
	write := func(w io.Writer) error { return svc.Export(ctx, w, *format, l) }
	if name := fs.Arg(0); name != "" && name != "-" {
		if err := notTheDatabase(name, db); err != nil {
			return err
		}
		err = localfs.WriteFileAtomic(name, write)
	} else {
		err = write(e.stdout)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// notTheDatabase refuses an output file that is the database or one of its
// companion files: writing an export there would replace every draft.
func notTheDatabase(name string, db func() (string, error)) error {
	p, err := db()
	if err != nil {
		return err
	}
	out, err := os.Stat(name)
	if err != nil {
		return nil // a new file cannot be the database
	}
	for _, f := range []string{p, p + "-wal", p + "-shm", p + "-journal"} {
		if fi, err := os.Stat(f); err == nil && os.SameFile(fi, out) {
			return fmt.Errorf("%w: %s is the database itself: writing there would replace every draft; name another file", errUsage, name)
		}
	}
	return nil
}

// cmdList runs "list [--db PATH]": one tab-separated line per structure.
func cmdList(args []string, e env) error {
	return withService("list", args, e, func(ctx context.Context, svc *onboarding.Service, _ i18n.Lang) error {
		return svc.EachStructure(ctx, func(r core.StructureRecord) error {
			_, err := fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\n", r.Draft.IdentifierType, r.Draft.Identifier, r.Draft.CompanyName, r.Sync.State)
			return err
		})
	})
}

// withService runs a command that takes only --db and --lang: it parses
// the flags, opens the store and hands the application layer to fn.
func withService(name string, args []string, e env, fn func(context.Context, *onboarding.Service, i18n.Lang) error) error {
	fs := newFlags(name, e)
	db := dbFlag(fs)
	lang := langFlag(fs, e)
	if err := parseCommand(fs, args, 0, 0); err != nil {
		return err
	}
	l, err := lang()
	if err != nil {
		return err
	}
	ctx, cancel := signalContext()
	defer cancel()
	svc, closeDB, err := openService(ctx, db, nil, readOnly, e)
	if err != nil {
		return err
	}
	defer closeDB()
	return fn(ctx, svc, l)
}

// keyringOptions lets tests replace the OS keyring.
var keyringOptions []secrets.Option

// forgetFiles deletes the database at path and its -wal and -shm files;
// when it is the desktop app's, in the data directory, also the Local
// sandbox's database (it holds the accounts a person created there) and
// the files of rejected rows an import left, then the directory if
// nothing else is in it.
func forgetFiles(path string) error {
	if err := localfs.RemoveDatabase(path); err != nil {
		return err
	}
	dir, err := localfs.DataDir()
	if err != nil || filepath.Clean(filepath.Dir(path)) != filepath.Clean(dir) {
		return nil // a database elsewhere: its directory is someone else's
	}
	sandbox := filepath.Join(dir, localfs.SandboxDir)
	if err := localfs.RemoveDatabase(filepath.Join(sandbox, sim.DatabaseFile)); err != nil {
		return err
	}
	_ = os.Remove(sandbox) // only when empty
	spooled, _ := filepath.Glob(filepath.Join(dir, onboarding.SpoolPattern))
	for _, f := range spooled {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	_ = os.Remove(dir) // only when empty
	return nil
}

// cmdForget runs "forget [--db PATH] --yes".
func cmdForget(args []string, e env) error {
	fs := newFlags("forget", e)
	db := dbFlag(fs)
	yes := fs.Bool("yes", false, "confirm: delete every draft, personal datum and keyring entry of this app")
	lang := langFlag(fs, e)
	if err := parseCommand(fs, args, 0, 0); err != nil {
		return err
	}
	l, err := lang()
	if err != nil {
		return err
	}
	if !*yes {
		return fmt.Errorf("%w: forget deletes every draft and saved secret for good; add --yes to confirm", errUsage)
	}
	ctx, cancel := signalContext()
	defer cancel()
	path, err := db()
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err == nil {
		store, err := sqlite.Open(ctx, path)
		if err != nil {
			return err
		}
		err = store.Forget(ctx)
		if cerr := store.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		// Scrubbed first, so that nothing can be read back even if a file
		// cannot be deleted now (the app still open on Windows).
		if err := forgetFiles(path); err != nil {
			return fmt.Errorf("database: every draft and personal datum deleted, but a file is left: %s", i18n.Error(l, err))
		}
		fmt.Fprintln(e.stdout, "database: every draft and personal datum deleted, files removed")
	} else {
		fmt.Fprintln(e.stdout, "database: none at", path)
	}
	if err := secrets.ForgetAll(ctx, assets.AppID, keyringOptions...); err != nil {
		if core.KindOf(err) == core.KindUnavailable {
			// Nothing can have been saved in a keyring that does not exist:
			// this app never writes secrets anywhere else.
			fmt.Fprintln(e.stdout, "keyring: none on this computer, nothing to delete")
			return nil
		}
		return fmt.Errorf("keyring: %s", i18n.T(l, core.CodeOf(err)))
	}
	fmt.Fprintln(e.stdout, "keyring: this app's entries deleted")
	return nil
}
