package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/chorusonboard/chorus-onboard/assets"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
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
		dir, err := core.DataDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, core.DatabaseFile), nil
	}
}

// signalContext is cancelled on Ctrl-C or SIGTERM, so a command stops
// between two commits instead of in the middle of nothing.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// openService opens the database at path and builds the application layer
// over it: the same flows the desktop app runs. connect, when not nil,
// gives the portal of a sync; other commands need none. closeDB releases
// the database.
func openService(ctx context.Context, path func() (string, error), connect func(core.Environment) onboarding.Target) (svc *onboarding.Service, closeDB func(), err error) {
	p, err := path()
	if err != nil {
		return nil, nil, err
	}
	store, err := sqlite.Open(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	svc, err = onboarding.New(ctx, onboarding.Config{Store: store, NewOpID: sqlite.NewOpID, Connect: connect,
		Backoff: cliBackoff, Lease: cliLease})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return svc, func() { store.Close() }, nil
}

// parseCommand parses flags and checks the positional argument count.
func parseCommand(fs *flag.FlagSet, args []string, minArgs, maxArgs int) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if n := fs.NArg(); n < minArgs || n > maxArgs {
		return fmt.Errorf("%w: %s takes %d to %d arguments, got %d", errUsage, fs.Name(), minArgs, maxArgs, n)
	}
	return nil
}

// cmdImport runs "import [--db PATH] FILE|-". invalid reports rejected rows.
func cmdImport(args []string, e env) (invalid bool, err error) {
	fs := newFlags("import", e)
	db := dbFlag(fs)
	lang := langFlag(fs, e)
	if err := parseCommand(fs, args, 1, 1); err != nil {
		return false, err
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
	svc, closeDB, err := openService(ctx, db, nil)
	if err != nil {
		return false, err
	}
	defer closeDB()
	st, rd, err := svc.Import(ctx, in, func(r csvio.Rejection) {
		fmt.Fprintf(e.stdout, "line %d: %s: %s: %s\n", r.Line, r.Field, r.Code, i18n.Format(l, r.Code, r.Params))
	})
	if rd != nil && len(rd.Ignored) > 0 {
		fmt.Fprintf(e.stderr, "onboardctl: ignored columns: %s\n", strings.Join(rd.Ignored, ", "))
	}
	if err != nil {
		return false, fmt.Errorf("import: %w", err)
	}
	fmt.Fprintf(e.stdout, "imported %d, updated %d, rejected %d\n", st.Imported, st.Updated, st.Rejected)
	return st.Rejected > 0, nil
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
	svc, closeDB, err := openService(ctx, db, nil)
	if err != nil {
		return err
	}
	defer closeDB()
	out, commit := e.stdout, func() error { return nil }
	if name := fs.Arg(0); name != "" && name != "-" {
		f, err := os.CreateTemp(filepath.Dir(name), ".export-*")
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer os.Remove(f.Name())
		defer f.Close()
		out = f
		commit = func() error {
			if err := f.Sync(); err != nil {
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			return os.Rename(f.Name(), name)
		}
	}
	if err := svc.Export(ctx, out, *format, l); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := commit(); err != nil {
		return fmt.Errorf("export: %w", err)
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
	svc, closeDB, err := openService(ctx, db, nil)
	if err != nil {
		return err
	}
	defer closeDB()
	return fn(ctx, svc, l)
}

// keyringOptions lets tests replace the OS keyring.
var keyringOptions []secrets.Option

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
		fmt.Fprintln(e.stdout, "database: every draft and personal datum deleted, files scrubbed")
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
