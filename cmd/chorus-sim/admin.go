package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"text/tabwriter"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/sim"
)

const adminUsage = `chorus-sim admin - what the portal's operator does by hand, audited

Usage:
  chorus-sim admin transfer-structure --data DIR --identifier ID [--type SIRET] --to EMAIL --reason TEXT
  chorus-sim admin audit --data DIR [--limit N]

transfer-structure hands a structure to the company it belongs to, as the
real portal's support does when someone else created it first: the account
EMAIL becomes its principal manager, every other manager loses the role,
and both are told by e-mail. The change and an audit entry (who ran it,
when, what was before, the reason) are written together. It works on the
data directory while the portal runs.

audit lists those entries, newest first.
`

// subcommand starts a command of commands such as "chorus-sim admin": with
// no command or a request for help it prints usage and is done (exit 2 or
// 0); else it returns the command's flag set, with the --data flag every
// such command takes.
func subcommand(name, usage string, args []string, stdout, stderr io.Writer) (fs *flag.FlagSet, p *portalFlags, code int, done bool) {
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return nil, nil, 2, true
		}
		return nil, nil, 0, true
	}
	fs = flag.NewFlagSet(name+" "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs, &portalFlags{data: fs.String("data", "", "the portal's data directory (required)"), db: addDatabaseFlags(fs)}, 0, false
}

// portalFlags say where an operator's command finds the portal's
// records: its data directory, and its PostgreSQL server if it runs on
// one (as the portal was started).
type portalFlags struct {
	data *string
	db   *databaseFlags
}

// runAdmin runs "chorus-sim admin ..." and returns the exit code: 0 done,
// 1 refused (the message says why), 2 a usage error.
func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, p, code, done := subcommand("chorus-sim admin", adminUsage, args, stdout, stderr)
	if done {
		return code
	}
	data := p.data
	switch args[0] {
	case "transfer-structure":
		identifier := fs.String("identifier", "", "the structure's identifier (its SIRET)")
		typ := fs.String("type", string(core.IDSIRET), "the identifier's type")
		to := fs.String("to", "", "the e-mail address of the company's account that becomes principal manager")
		reason := fs.String("reason", "", "why (a support ticket): the audit keeps it")
		if fs.Parse(args[1:]) != nil || *data == "" || *identifier == "" || *to == "" || fs.NArg() > 0 {
			fmt.Fprint(stderr, adminUsage)
			return 2
		}
		return withPortal(ctx, "chorus-sim admin", p, stderr, func(srv *sim.Server) error {
			e, err := srv.TransferStructure(ctx, core.IdentifierType(*typ), *identifier, *to, *reason, operator())
			if err == nil {
				fmt.Fprintf(stdout, "%s: %s → %s (audited: %s, %q)\n", e.Subject, e.Before, e.After, e.Operator, e.Reason)
			}
			return err
		})
	case "audit":
		limit := fs.Int("limit", 100, "entries to list")
		if fs.Parse(args[1:]) != nil || *data == "" || fs.NArg() > 0 || *limit < 1 {
			fmt.Fprint(stderr, adminUsage)
			return 2
		}
		return withPortal(ctx, "chorus-sim admin", p, stderr, func(srv *sim.Server) error {
			list, err := srv.Audit(ctx, *limit)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "WHEN (UTC)\tWHO\tACTION\tSUBJECT\tBEFORE\tAFTER\tREASON")
			for _, e := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Format(time.DateTime), e.Operator, e.Action, e.Subject, e.Before, e.After, e.Reason)
			}
			return tw.Flush()
		})
	}
	fmt.Fprintf(stderr, "chorus-sim admin: unknown command %q\n", args[0])
	fmt.Fprint(stderr, adminUsage)
	return 2
}

// withPortal opens the portal's records where p says (beside a running
// portal: a SQLite database takes a second writer; mail is queued for the
// portal's worker) and runs fn; what goes wrong is said after cmd, the
// command's name.
func withPortal(ctx context.Context, cmd string, p *portalFlags, stderr io.Writer, fn func(*sim.Server) error) int {
	dir := *p.data
	if _, err := os.Stat(dir); err != nil {
		fmt.Fprintf(stderr, "%s: --data %s: %v\n", cmd, dir, err)
		return 2
	}
	dsn, err := p.db.dsn()
	if err != nil {
		fmt.Fprintln(stderr, cmd+":", err)
		return 2
	}
	srv, err := sim.New(ctx, sim.Config{DataDir: dir, Database: dsn, SweepInterval: -1, QueueMail: true})
	if err != nil {
		fmt.Fprintln(stderr, cmd+":", err)
		return 1
	}
	defer srv.Close()
	if err := fn(srv); err != nil {
		// sim.ErrAdmin and sim.ErrNotResendable say what to fix;
		// anything else is the database's.
		fmt.Fprintln(stderr, cmd+":", err)
		return 1
	}
	return 0
}

// operator names who runs an admin command, for the audit: the system
// user and the host.
func operator() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}
