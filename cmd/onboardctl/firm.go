package main

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

const firmUsage = `onboardctl firm - the firm's shared workspace

Usage:
  onboardctl firm join [--db PATH] [--keep-apart] --email EMAIL --password-stdin [--code-stdin] URL
  onboardctl firm status [--db PATH]
  onboardctl firm leave [--db PATH] --yes
  onboardctl firm deleted [--db PATH]
  onboardctl firm restore [--db PATH] CLIENT_ID
  onboardctl conflicts [--db PATH] [--lang fr|en]

join signs in to the firm's server at URL (a team portal) with the member's
account (password, then the second factor if asked, from standard input),
accepts the firm's invitation when the member has one, and reads every
client the member may see, merging those already here by identifier. The
structures already on this computer become the firm's, unless --keep-apart.
The session is kept in the keyring; "onboardctl sync" then exchanges with
the firm as well.
status prints the firm, the member's role, the changes waiting to be sent
and the fields in conflict.
leave saves the changes the firm did not accept to a file (its path is
printed), removes the firm's clients from this computer and tells the server.
deleted lists the firm's deleted clients, the most recently deleted first
(the admin): the client's id on the firm, its identifier, its name, who
deleted it and when (UTC). restore brings one back for every member (the
admin), by that id.
conflicts prints each field changed here and on the firm to different
values: the structure, the field, this computer's value, the firm's, who
made it and when.
`

// cmdFirm runs "firm join|status|leave|deleted|restore".
func cmdFirm(args []string, e env) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(e.stdout, firmUsage)
		if len(args) == 0 {
			return fmt.Errorf("%w: firm join, status, leave, deleted or restore", errUsage)
		}
		return nil
	}
	fs := newFlags("firm "+args[0], e)
	db := dbFlag(fs)
	switch args[0] {
	case "join":
		email := fs.String("email", "", "the member's account on the firm's server (required)")
		pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (required)")
		codeStdin := fs.Bool("code-stdin", false, "read the second factor from the next line of standard input")
		apart := fs.Bool("keep-apart", false, "keep the structures already on this computer out of the firm")
		if err := parseCommand(fs, args[1:], 1, 1); err != nil {
			return err
		}
		if *email == "" || !*pwStdin {
			return fmt.Errorf("%w: firm join needs --email EMAIL and --password-stdin", errUsage)
		}
		in := bufio.NewReader(e.stdin)
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("%w: no password on standard input", errUsage)
		}
		var code string
		if *codeStdin {
			c, err := in.ReadString('\n')
			if code = strings.TrimSpace(c); err != nil && code == "" {
				return fmt.Errorf("%w: --code-stdin: no code on the line after the password", errUsage)
			}
		}
		return withFirm(db, e, readWrite, func(ctx context.Context, f *onboarding.Firm) error {
			ch, err := f.SignIn(ctx, fs.Arg(0), *email, strings.TrimRight(line, "\r\n"))
			if err != nil {
				return err
			}
			if ch != nil {
				if code == "" {
					return fmt.Errorf("%w: the firm's server asks for a second factor: give it with --code-stdin", errUsage)
				}
				if err := f.SecondFactor(ctx, ch.Challenge, code); err != nil {
					return err
				}
			}
			start := time.Now()
			res, err := f.Join(ctx, !*apart, func(done, _ int) {
				fmt.Fprintf(e.stderr, "read %d clients\n", done)
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "joined %s as %s: %d clients added, %d merged, %d in conflict (%v)\n", res.Firm.Name, res.Firm.Role,
				res.Applied.Added, res.Applied.Changed+res.Applied.Merged, res.Applied.Conflicts, time.Since(start).Round(time.Millisecond))
			return nil
		})
	case "status":
		if err := parseCommand(fs, args[1:], 0, 0); err != nil {
			return err
		}
		return withFirm(db, e, readOnly, func(ctx context.Context, f *onboarding.Firm) error {
			st := f.Status(ctx)
			if st.Err != nil {
				return st.Err
			}
			if st.Link.IsZero() {
				fmt.Fprintln(e.stdout, "firm\tnone")
				return nil
			}
			fmt.Fprintf(e.stdout, "firm\t%s\nserver\t%s\nmember\t%s\nrole\t%s\njoined\t%v\nto send\t%d\nconflicts\t%d\n",
				st.Link.Name, st.Link.URL, st.Link.Email, st.Link.Role, st.Link.Joined, st.Pending, st.Conflicts)
			return nil
		})
	case "leave":
		yes := fs.Bool("yes", false, "confirm: the firm's clients leave this computer")
		if err := parseCommand(fs, args[1:], 0, 0); err != nil {
			return err
		}
		if !*yes {
			return fmt.Errorf("%w: firm leave removes the firm's clients from this computer: confirm with --yes", errUsage)
		}
		return withFirm(db, e, readWrite, func(ctx context.Context, f *onboarding.Firm) error {
			path, err := f.Leave(ctx)
			if err != nil {
				return err
			}
			if path != "" {
				fmt.Fprintf(e.stdout, "the changes the firm had not accepted are in %s\n", path)
			}
			fmt.Fprintln(e.stdout, "left the firm")
			return nil
		})
	case "deleted":
		if err := parseCommand(fs, args[1:], 0, 0); err != nil {
			return err
		}
		return withServices(db, e, readOnly, func(ctx context.Context, svc onboarding.Services) error {
			list, err := svc.FirmAdmin.Deleted(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CLIENT\tIDENTIFIER\tNAME\tDELETED BY\tAT (UTC)")
			for _, d := range list {
				c := d.Client
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", c.ID, strings.TrimSpace(c.Fields[core.FieldIdentifierType]+" "+c.Fields[core.FieldIdentifier]),
					c.Fields[core.FieldCompanyName], c.UpdatedBy, time.UnixMilli(c.UpdatedAt).UTC().Format(time.DateTime))
			}
			return tw.Flush()
		})
	case "restore":
		if err := parseCommand(fs, args[1:], 1, 1); err != nil {
			return err
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("%w: firm restore takes the client's id on the firm, as firm deleted prints it", errUsage)
		}
		return withServices(db, e, readWrite, func(ctx context.Context, svc onboarding.Services) error {
			if err := svc.FirmAdmin.Restore(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "client %d restored\n", id)
			return nil
		})
	}
	return fmt.Errorf("%w: unknown firm command %q", errUsage, args[0])
}

// withFirm opens the services and runs fn on the firm's.
func withFirm(db func() (string, error), e env, access dbAccess, fn func(context.Context, *onboarding.Firm) error) error {
	return withServices(db, e, access, func(ctx context.Context, svc onboarding.Services) error { return fn(ctx, svc.Firm) })
}

// withServices opens the services and runs fn.
func withServices(db func() (string, error), e env, access dbAccess, fn func(context.Context, onboarding.Services) error) error {
	path, err := db()
	if err != nil {
		return err
	}
	ctx, cancel := signalContext()
	defer cancel()
	svc, closeDB, err := openServices(ctx, path, nil, access, e)
	if err != nil {
		return err
	}
	defer closeDB()
	return fn(ctx, svc)
}

// cmdConflicts runs "conflicts": one line per field in conflict.
func cmdConflicts(args []string, e env) error {
	fs := newFlags("conflicts", e)
	db := dbFlag(fs)
	lang := langFlag(fs, e)
	if err := parseCommand(fs, args, 0, 0); err != nil {
		return err
	}
	l, err := lang()
	if err != nil {
		return err
	}
	return withServices(db, e, readOnly, func(ctx context.Context, svc onboarding.Services) error {
		cs, err := svc.Firm.Conflicts(ctx, 0)
		if err != nil {
			return err
		}
		for _, c := range cs {
			who, err := svc.Structures.Structure(ctx, c.StructureID)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\tmine=%q\ttheirs=%q\t%s\t%s\n", who.Draft.IdentifierType, who.Draft.Identifier,
				i18n.T(l, "field."+c.Field), c.Mine, c.Theirs, c.TheirsBy, c.TheirsAt.UTC().Format(time.DateTime))
		}
		return nil
	})
}
