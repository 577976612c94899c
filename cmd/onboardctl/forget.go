package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/chorusonboard/chorus-onboard/assets"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/firm"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/secrets"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
)

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
	for _, db := range []string{sim.DatabaseFile, firm.DatabaseFile} {
		if err := localfs.RemoveDatabase(filepath.Join(sandbox, db)); err != nil {
			return err
		}
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
	var member string // the firm's member of this desktop, whose session the keyring keeps
	if _, err := os.Stat(path); err == nil {
		store, err := sqlite.Open(ctx, path)
		if err != nil {
			return err
		}
		if l, lerr := store.Firm.FirmLink(ctx); lerr == nil {
			member = l.Email
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
	err = secrets.ForgetAll(ctx, assets.AppID, keyringOptions...)
	if member != "" && err == nil {
		err = secrets.New(assets.AppID, core.FirmKeyring, keyringOptions...).Delete(ctx, onboarding.SessionSecret(member))
	}
	if err != nil {
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
