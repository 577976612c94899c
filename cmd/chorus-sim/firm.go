package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/firm"
	"github.com/chorusonboard/chorus-onboard/core/sim"
)

const firmUsage = `chorus-sim firm - the firms whose accountants share a workspace here

Usage:
  chorus-sim firm create --data DIR [--database-file FILE] --admin EMAIL NAME
  chorus-sim firm add --data DIR [--database-file FILE] --role admin|member|assigned NAME EMAIL
  chorus-sim firm list --data DIR [--database-file FILE]

create makes a firm named NAME whose admin is the account EMAIL of this
portal; add adds an account to a firm with a role: admin (members, roles,
assignment, every client), member (every client of the firm) or assigned
(the clients assigned to them only). An account belongs to one firm. The
firm's admin then invites, changes roles and removes members from the app.
list prints each firm, its admins, its members and its clients.
Each works on the data directory while the portal runs; a portal on
PostgreSQL is reached with the same --database-file (or --database) as it
was started with.
`

// runFirm runs "chorus-sim firm ..." and returns the exit code: 0 done, 1
// refused (the message says why), 2 a usage error.
func runFirm(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, p, code, done := subcommand("chorus-sim firm", firmUsage, args, stdout, stderr)
	if done {
		return code
	}
	data := p.data
	usage := func() int { fmt.Fprint(stderr, firmUsage); return 2 }
	withFirmServer := func(ctx context.Context, _ string, stderr io.Writer, fn func(*firm.Server) error) int {
		return withPortal(ctx, "chorus-sim firm", p, stderr, func(srv *sim.Server) error { return fn(srv.Firm()) })
	}
	switch args[0] {
	case "create":
		admin := fs.String("admin", "", "the e-mail address of the account that runs the firm (required)")
		if fs.Parse(args[1:]) != nil || *data == "" || *admin == "" || fs.NArg() != 1 {
			return usage()
		}
		return withFirmServer(ctx, *data, stderr, func(f *firm.Server) error {
			if err := f.CreateFirm(ctx, fs.Arg(0), *admin); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "firm %q created; its admin is %s\n", fs.Arg(0), *admin)
			return nil
		})
	case "add":
		role := fs.String("role", api.FirmEveryClient, "admin, member or assigned")
		if fs.Parse(args[1:]) != nil || *data == "" || fs.NArg() != 2 {
			return usage()
		}
		return withFirmServer(ctx, *data, stderr, func(f *firm.Server) error {
			if err := f.AddMember(ctx, fs.Arg(0), fs.Arg(1), *role); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s added to %q as %s\n", fs.Arg(1), fs.Arg(0), *role)
			return nil
		})
	case "list":
		if fs.Parse(args[1:]) != nil || *data == "" || fs.NArg() > 0 {
			return usage()
		}
		return withFirmServer(ctx, *data, stderr, func(f *firm.Server) error {
			list, err := f.Firms(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "FIRM\tADMINS\tMEMBERS\tCLIENTS")
			for _, s := range list {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", s.Name, strings.Join(s.Admins, " "), s.Members, s.Clients)
			}
			return tw.Flush()
		})
	}
	fmt.Fprintf(stderr, "chorus-sim firm: unknown command %q\n", args[0])
	return usage()
}
