package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	coresync "github.com/chorusonboard/chorus-onboard/core/sync"
)

// cliBackoff retries sooner than the app's background policy: a person or
// a script is waiting for the command to finish.
var cliBackoff = coresync.Backoff{Base: 250 * time.Millisecond, Cap: 30 * time.Second, MaxRetryAfter: time.Minute}

// cmdSync runs "sync [--db PATH] --portal URL --email EMAIL --password-stdin
// [--timeout DURATION]". incomplete reports failed or pending work.
func cmdSync(args []string, e env) (incomplete bool, err error) {
	fs := newFlags("sync", e)
	db := dbFlag(fs)
	base := fs.String("portal", "", "onboarding portal URL (required)")
	email := fs.String("email", "", "account to sign in with (required)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (required)")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up waiting for rows still backing off after this long")
	lang := langFlag(fs, e)
	if err := parseCommand(fs, args, 0, 0); err != nil {
		return false, err
	}
	l, err := lang()
	if err != nil {
		return false, err
	}
	if *base == "" || *email == "" || !*pwStdin {
		return false, fmt.Errorf("%w: sync needs --portal URL, --email EMAIL and --password-stdin", errUsage)
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return false, fmt.Errorf("%w: no password on standard input", errUsage)
	}
	password := strings.TrimRight(line, "\r\n")

	ctx, cancel := signalContext()
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, *timeout)
	defer cancelTimeout()
	store, err := openStore(ctx, db)
	if err != nil {
		return false, err
	}
	defer store.Close()

	client := portal.NewOnboarding(*base, &http.Client{Timeout: 30 * time.Second})
	if err := signInRetrying(ctx, client, *email, password); err != nil {
		return false, fmt.Errorf("sign in: %s", describe(l, err))
	}
	w := coresync.New(store, client)
	// A killed run's rows come back after 5 s: scripts restart at once.
	w.Backoff, w.Lang, w.Lease = cliBackoff, l, 5*time.Second
	var total coresync.Stats
	for {
		st, err := w.RunOnce(ctx)
		total.Sent += st.Sent
		total.Created += st.Created
		total.Attachments += st.Attachments
		if err != nil && ctx.Err() == nil {
			return false, fmt.Errorf("sync: %w", err)
		}
		pending, next, perr := coresync.Pending(context.WithoutCancel(ctx), store)
		if perr != nil {
			return false, perr
		}
		if pending == 0 || ctx.Err() != nil {
			break
		}
		// Wait for the next row to be due, not longer than a second, so a
		// row scheduled by another process is not missed.
		wait := min(max(time.Until(next), 20*time.Millisecond), time.Second)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	counts, err := store.CountStructures(context.WithoutCancel(ctx))
	if err != nil {
		return false, err
	}
	pending, _, err := coresync.Pending(context.WithoutCancel(ctx), store)
	if err != nil {
		return false, err
	}
	failed := counts[core.StateFailed]
	fmt.Fprintf(e.stdout, "sent %d, created %d, attachment requests %d, failed %d, pending %d\n",
		total.Sent, total.Created, total.Attachments, failed, pending)
	return failed > 0 || pending > 0, nil
}

// signInRetrying signs in, retrying what the network or the portal's load
// refuses, until ctx ends.
func signInRetrying(ctx context.Context, c *portal.Onboarding, email, password string) error {
	for attempt := 1; ; attempt++ {
		_, err := c.SignIn(ctx, email, password)
		if err == nil || !portal.Retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(cliBackoff.Delay(min(attempt, 8), 0, nil)):
		}
	}
}

// describe turns a portal error into the user's language.
func describe(l i18n.Lang, err error) string {
	var pe *portal.Error
	if errors.As(err, &pe) {
		return pe.Text(string(l))
	}
	return err.Error()
}

// cmdStatus runs "status [--db PATH]": counts per state, then the failed
// structures with the portal's reasons.
func cmdStatus(args []string, e env) error {
	return withStore("status", args, e, func(ctx context.Context, store *sqlite.DB) error {
		return printStatus(ctx, store, e)
	})
}

func printStatus(ctx context.Context, store *sqlite.DB, e env) error {
	counts, err := store.CountStructures(ctx)
	if err != nil {
		return err
	}
	for _, s := range core.SyncStates {
		fmt.Fprintf(e.stdout, "%s\t%d\n", s, counts[s])
	}
	pending, _, err := coresync.Pending(ctx, store)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "outbox pending\t%d\n", pending)
	return store.EachStructure(ctx, func(r core.StructureRecord) error {
		if r.Sync.State == core.StateFailed {
			fmt.Fprintf(e.stdout, "failed\t%s\t%s\t%s\n", r.Draft.IdentifierType, r.Draft.Identifier, r.Sync.Message)
		}
		return nil
	})
}
