package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/sim"
)

const mailUsage = `chorus-sim mail - the portal's queue of outgoing mail

Usage:
  chorus-sim mail list --data DIR [--state pending|sent|failed] [--limit N]
  chorus-sim mail resend --data DIR ID

list shows the queue, newest first: each message's state, attempts, the
relay's last answer. resend queues a message again (one the relay refused,
once the cause is fixed): the running portal sends it within seconds. A
message's code or link is kept only until it is sent (on a sandbox, as
long as the mailbox keeps it), so a message sent cannot be sent again: the
user asks for a new one. Both work on the data directory while the
portal runs.
`

// runMail runs "chorus-sim mail ...": 0 done, 1 refused, 2 a usage error.
func runMail(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, p, code, done := subcommand("chorus-sim mail", mailUsage, args, stdout, stderr)
	if done {
		return code
	}
	data := p.data
	switch args[0] {
	case "list":
		state := fs.String("state", "", "only the messages in this state: pending, sent or failed")
		limit := fs.Int("limit", 100, "messages to list")
		if fs.Parse(args[1:]) != nil || *data == "" || fs.NArg() > 0 || *limit < 1 ||
			*state != "" && *state != sim.MailPending && *state != sim.MailSent && *state != sim.MailFailed {
			fmt.Fprint(stderr, mailUsage)
			return 2
		}
		return withPortal(ctx, "chorus-sim mail", p, stderr, func(srv *sim.Server) error {
			list, err := srv.MailQueue(ctx, *state, *limit)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tQUEUED (UTC)\tSTATE\tATTEMPTS\tTO\tSUBJECT\tRELAY'S LAST ANSWER")
			for _, m := range list {
				state := m.State
				if m.State == sim.MailPending && m.Attempts > 0 {
					state += " (next " + m.Next.UTC().Format(time.TimeOnly) + ")"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", m.ID, m.Created.UTC().Format(time.DateTime), state, m.Attempts,
					m.To, clip(m.Subject, 50), clip(m.LastError, 80))
			}
			return tw.Flush()
		})
	case "resend":
		if fs.Parse(args[1:]) != nil || *data == "" || fs.NArg() != 1 {
			fmt.Fprint(stderr, mailUsage)
			return 2
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || id < 1 {
			fmt.Fprintf(stderr, "chorus-sim mail resend: %q is not a message's ID (chorus-sim mail list shows them)\n", fs.Arg(0))
			return 2
		}
		return withPortal(ctx, "chorus-sim mail", p, stderr, func(srv *sim.Server) error {
			if err := srv.ResendMail(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "message %d queued again: the running portal sends it within seconds\n", id)
			return nil
		})
	}
	fmt.Fprintf(stderr, "chorus-sim mail: unknown command %q\n", args[0])
	fmt.Fprint(stderr, mailUsage)
	return 2
}

// clip cuts s to n runes for a table.
func clip(s string, n int) string {
	r := []rune(strings.ReplaceAll(s, "\n", " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

// mailSettings reads the mail flags: the relay's password from its file
// (never a flag), its authorities from theirs, the sender by default at
// the public URL's host.
func mailSettings(relay, tlsMode, user, passwordFile, caFile, from, fromName, publicURL string) (sim.MailSettings, error) {
	s := sim.MailSettings{Relay: relay, TLS: tlsMode, Username: user, From: from, FromName: fromName}
	if relay == "" {
		if user != "" || passwordFile != "" || caFile != "" {
			return s, errors.New("--smtp-user, --smtp-password-file and --smtp-ca-file need --smtp HOST:PORT")
		}
		return s, nil
	}
	if passwordFile != "" {
		b, err := os.ReadFile(passwordFile)
		if err != nil {
			return s, fmt.Errorf("--smtp-password-file: %w", err)
		}
		s.Password = strings.TrimRight(string(b), "\r\n")
		if s.Password == "" {
			return s, fmt.Errorf("--smtp-password-file %s is empty", passwordFile)
		}
	}
	if (user == "") != (s.Password == "") {
		return s, errors.New("--smtp-user and --smtp-password-file go together")
	}
	if caFile != "" {
		b, err := os.ReadFile(caFile)
		if err != nil {
			return s, fmt.Errorf("--smtp-ca-file: %w", err)
		}
		s.RootCAs = x509.NewCertPool()
		if !s.RootCAs.AppendCertsFromPEM(b) {
			return s, fmt.Errorf("--smtp-ca-file %s holds no PEM certificate", caFile)
		}
	}
	if s.From == "" {
		u, err := url.Parse(publicURL)
		if publicURL == "" || err != nil || u.Hostname() == "" || loopbackName(u.Hostname()) {
			return s, errors.New("--smtp needs --mail-from ADDRESS (or a --public-url whose host names the sender: noreply@ that host)")
		}
		s.From = "noreply@" + u.Hostname()
	}
	return s, s.Check()
}

// loopbackName reports whether host is this computer, by name or address.
func loopbackName(host string) bool {
	return host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
}
