package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/outbox"
	"github.com/chorusonboard/chorus-onboard/core/portal"
)

// cliBackoff retries sooner than the app's background policy: a person or
// a script is waiting for the command to finish.
var cliBackoff = outbox.Backoff{Base: 250 * time.Millisecond, Cap: 30 * time.Second, MaxRetryAfter: time.Minute}

// cliLease is how long a claimed row stays away from other workers: a
// killed run's rows come back after 5 s, since scripts restart at once.
const cliLease = 5 * time.Second

// syncer is what "sync" needs of the application layer.
type syncer struct {
	conn     *onboarding.Connection
	accounts interface {
		StartSignIn(ctx context.Context, email, password string) (*api.SecondFactorChallenge, error)
		FinishSignIn(ctx context.Context, email string, req api.SecondFactor) ([]string, error)
		TrustedHere(ctx context.Context, email string) bool
	}
	sync interface {
		Drain(ctx context.Context) (outbox.Stats, error)
		Counts(ctx context.Context) (map[core.SyncState]int, int, error)
		SetConcurrency(n int)
	}
	// firm exchanges with the firm's server, when the desktop is in a
	// firm (nil in tests that have none).
	firm interface {
		Link(ctx context.Context) (core.FirmLink, error)
		Sync(ctx context.Context) (onboarding.FirmRound, error)
	}
}

// syncOptions are "sync [--db PATH] [--portal URL] [--ca-file PEM]
// [--proxy URL] [--concurrency N] --email EMAIL --password-stdin
// [--code-stdin [--trust-computer]] [--timeout DURATION]".
type syncOptions struct {
	e                     env
	lang                  i18n.Lang
	base, email, password string
	// code is the second factor read from standard input (--code-stdin):
	// an authenticator app's or e-mailed code, or a recovery code; trust
	// asks the portal for a device token, kept in the keyring.
	code          string
	trust         bool
	caFile, proxy string
	concurrency   int
	open          func(ctx context.Context, connect func(onboarding.TargetSpec) onboarding.Target) (syncer, func(), error)
}

// cmdSync runs "sync". incomplete reports failed or pending work.
func cmdSync(args []string, e env) (incomplete bool, err error) {
	fs := newFlags("sync", e)
	db := dbFlag(fs)
	base := fs.String("portal", "", "the Local sandbox's address, where it runs (the team portal's is in the settings)")
	caFile := fs.String("ca-file", "", "a PEM file of certificates to trust besides the system's (an office proxy that re-signs TLS)")
	proxy := fs.String("proxy", "", "the HTTP proxy to go through, instead of HTTPS_PROXY and HTTP_PROXY")
	email := fs.String("email", "", "account to sign in with (required)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (required)")
	codeStdin := fs.Bool("code-stdin", false, "read the second factor from the next line of standard input (a code from the authenticator app or the e-mail, or a recovery code), for when this computer is not trusted")
	trust := fs.Bool("trust-computer", false, "with --code-stdin: trust this computer, so later runs sign in with its device token (kept in the keyring) instead of a code")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up waiting for rows still backing off after this long")
	concurrency := fs.Int("concurrency", 0, "requests in flight at most, fewer while the portal answers 429 or 503 (default: the settings', else 8)")
	lang := langFlag(fs, e)
	if err := parseCommand(fs, args, 0, 0); err != nil {
		return false, err
	}
	l, err := lang()
	if err != nil {
		return false, err
	}
	if *concurrency < 0 || *concurrency > core.MaxConcurrency {
		return false, fmt.Errorf("%w: --concurrency is between 1 and %d", errUsage, core.MaxConcurrency)
	}
	if *email == "" || !*pwStdin {
		return false, fmt.Errorf("%w: sync needs --email EMAIL and --password-stdin", errUsage)
	}
	if *trust && !*codeStdin {
		return false, fmt.Errorf("%w: --trust-computer goes with --code-stdin (a computer is trusted after a second factor)", errUsage)
	}
	if err := checkURLFlags(l, urlFlag{"--portal", core.SettingPortalURL, *base}, urlFlag{"--proxy", core.SettingProxyURL, *proxy}); err != nil {
		return false, err
	}
	path, err := db()
	if err != nil {
		return false, err
	}
	in := bufio.NewReader(e.stdin)
	line, err := in.ReadString('\n')
	if err != nil && line == "" {
		return false, fmt.Errorf("%w: no password on standard input", errUsage)
	}
	var code string
	if *codeStdin {
		// Never a flag: a code on the command line is in the process
		// list and the shell's history.
		c, err := in.ReadString('\n')
		if code = strings.TrimSpace(c); err != nil && code == "" {
			return false, fmt.Errorf("%w: --code-stdin: no code on the line after the password", errUsage)
		}
	}
	ctx, cancel := signalContext()
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, *timeout)
	defer cancelTimeout()
	return runSync(ctx, syncOptions{e: e, lang: l, base: *base, email: *email, password: strings.TrimRight(line, "\r\n"), code: code, trust: *trust,
		caFile: *caFile, proxy: *proxy, concurrency: *concurrency,
		open: func(ctx context.Context, connect func(onboarding.TargetSpec) onboarding.Target) (syncer, func(), error) {
			svc, closeDB, err := openServices(ctx, path, connect, readWrite, e)
			sy := syncer{conn: svc.Connection, accounts: svc.Accounts, sync: svc.Sync}
			if svc.Firm != nil {
				sy.firm = svc.Firm
			}
			return sy, closeDB, err
		}})
}

// runSync signs in and sends every queued structure, then prints the
// counts.
func runSync(ctx context.Context, o syncOptions) (incomplete bool, err error) {
	l := o.lang
	// The flags stand in for the settings of this run only; the sandbox,
	// which runs inside the app, is reached at --portal.
	targets := connect.Targets(connect.Options{})
	svc, closeDB, err := o.open(ctx, func(c onboarding.TargetSpec) onboarding.Target {
		if o.proxy != "" {
			c.Settings.ProxyURL, c.Settings.ProxyUser = o.proxy, ""
		}
		if o.caFile != "" {
			c.Settings.CAFile = o.caFile
		}
		if c.Env != core.EnvLocal {
			return targets(c)
		}
		hc, err := portal.NewClient(portal.ClientOptions{ProxyURL: c.Settings.ProxyURL, CAFile: c.Settings.CAFile})
		if err != nil {
			return onboarding.Target{Err: err}
		}
		return connect.On(onboarding.Target{}, portal.NewOnboarding(o.base, hc))
	})
	if err != nil {
		return false, err
	}
	defer closeDB()
	if o.concurrency > 0 {
		svc.sync.SetConcurrency(o.concurrency)
	}
	inFirm, firmFailed := false, false
	if svc.firm != nil {
		// The firm first: a colleague's claim or change is known before
		// anything is sent to the portal.
		l, err := svc.firm.Link(ctx)
		if err != nil {
			return false, err
		}
		if inFirm = !l.IsZero(); inFirm {
			r, err := svc.firm.Sync(ctx)
			if err != nil {
				fmt.Fprintf(o.e.stderr, "onboardctl: firm: %s\n", i18n.Error(o.lang, err))
				firmFailed = true
			} else {
				a := r.Applied
				fmt.Fprintf(o.e.stdout, "firm %s: sent %d, received %d, merged %d, conflicts %d, removed %d\n", l.Name, r.Sent,
					a.Added+a.Changed, a.Merged, a.Conflicts, a.Removed)
			}
		}
	}
	set := svc.conn.Settings()
	switch set.Env() {
	case core.EnvLocal:
		if o.base == "" {
			return false, fmt.Errorf("%w: the Local sandbox runs inside the app: say where with --portal URL", errUsage)
		}
	case core.EnvTeam:
		if o.base != "" && o.base != set.PortalURL {
			// Rows queued here are for the team portal of the settings.
			return false, fmt.Errorf("%w: --portal %s: the changes here are queued for %s", errUsage, o.base, set.PortalURL)
		}
	default:
		if inFirm {
			return firmFailed, nil // Chorus Pro's own: the firm was the exchange
		}
		return false, fmt.Errorf("%w: %s", errUsage, i18n.T(l, "bulk.handoff"))
	}
	if err := svc.conn.Target().Err; err != nil {
		return false, fmt.Errorf("sync: %s", i18n.Error(l, err))
	}
	if err := signIn(ctx, o, svc.accounts); err != nil {
		return false, fmt.Errorf("sign in: %s", i18n.Error(l, err))
	}
	total, err := svc.sync.Drain(ctx)
	if err != nil {
		return false, fmt.Errorf("sync: %w", err)
	}
	counts, pending, err := svc.sync.Counts(context.WithoutCancel(ctx))
	if err != nil {
		return false, err
	}
	failed := counts[core.StateFailed]
	fmt.Fprintf(o.e.stdout, "sent %d, created %d, attachment requests %d, failed %d, pending %d\n",
		total.Sent, total.Created, total.Attachments, failed, pending)
	return failed > 0 || pending > 0 || firmFailed, nil
}

// signIn signs in with the password and, when the portal asks for a
// second factor, the code read from standard input; it says on standard
// error which stood in for the second factor.
func signIn(ctx context.Context, o syncOptions, a interface {
	StartSignIn(ctx context.Context, email, password string) (*api.SecondFactorChallenge, error)
	FinishSignIn(ctx context.Context, email string, req api.SecondFactor) ([]string, error)
	TrustedHere(ctx context.Context, email string) bool
}) error {
	var ch *api.SecondFactorChallenge
	err := retrying(ctx, func() (err error) {
		ch, err = a.StartSignIn(ctx, o.email, o.password)
		return err
	})
	switch {
	case err != nil:
		return err
	case ch == nil:
		if a.TrustedHere(ctx, o.email) {
			fmt.Fprintln(o.e.stderr, "onboardctl: signed in with the password and this computer's device token (from the keyring): no code asked")
		}
		return nil
	case ch.Enrol:
		return &core.E{Kind: core.KindUnauthorized, Code: "second_factor.not_set_up", Op: "sign in"}
	case o.code == "":
		return &core.E{Kind: core.KindUnauthorized, Code: "second_factor.needs_code", Op: "sign in"}
	}
	req := api.SecondFactor{Challenge: ch.Challenge, TrustDevice: o.trust, DeviceName: onboarding.DeviceName("onboardctl")}
	if isRecoveryCode(o.code) {
		req.RecoveryCode = o.code
	} else {
		req.Code = o.code
	}
	// One try: a code is used once, and a retried request after the
	// portal took it would be refused as a replay.
	if _, err := a.FinishSignIn(ctx, o.email, req); err != nil {
		return err
	}
	what := "the code from standard input"
	if req.RecoveryCode != "" {
		what = "a recovery code from standard input (it is used up: keep the others)"
	}
	fmt.Fprintf(o.e.stderr, "onboardctl: signed in with %s", what)
	if o.trust {
		fmt.Fprint(o.e.stderr, "; this computer is trusted now: its device token is in the keyring")
	}
	fmt.Fprintln(o.e.stderr)
	return nil
}

// isRecoveryCode tells a recovery code (XXXXX-XXXXX, letters) from a
// six-digit code.
func isRecoveryCode(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r == '-' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') })
}

// retrying runs f, retrying what the network or the portal's load
// refuses, until ctx ends.
func retrying(ctx context.Context, f func() error) error {
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || !core.Retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(cliBackoff.Delay(min(attempt, 8), 0, nil)):
		}
	}
}
