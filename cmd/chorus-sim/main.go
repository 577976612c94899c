// Command chorus-sim serves the Chorus Pro portal simulator (core/sim): the
// onboarding API, the PISTE read API and the company registries, for a team
// that wants one shared sandbox, and for outside checks. Its first line on
// standard output is "listening on http://HOST:PORT".
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/buildinfo"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/sim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// simUsage heads --help (and the man page made from it).
const simUsage = `chorus-sim - the Chorus Onboard portal server

Usage:
  chorus-sim --data DIR [--addr HOST:PORT] [--tls-cert PEM --tls-key PEM] [options]
  chorus-sim admin transfer-structure|audit ...   (chorus-sim admin help)
  chorus-sim mail list|resend ...                 (chorus-sim mail help)
  chorus-sim firm create|add|list ...             (chorus-sim firm help)
  chorus-sim migrate-store --data DIR --to-file FILE  (chorus-sim migrate-store help)

chorus-sim serves the onboarding API (captcha, accounts, activation links,
sign-in, structures, attachment requests and their approval), the shared
workspace of the accounting firms whose accountants sign in here (their
clients, changes, history; chorus-sim firm creates them), the PISTE
Chorus Pro read API with AIFE's paths and field names, and the company
registries, each at its published rate. The desktop app runs it inside
itself as its Local sandbox; a team runs it as a shared portal, over HTTPS
with --tls-cert and --tls-key. Every POST is idempotent; sign-in attempts,
e-mails and every table are bounded. Every sign-in asks for a second
factor after the password (an authenticator app's code, an e-mailed code or
a recovery code; the first sign-in sets one up), unless the computer was
trusted; --second-factor off, on loopback only, lets a password alone in.

A team portal (another address than loopback, or TLS) seeds each
--seed-structure's principal manager with a random password, shown once on
standard error when it is set (or read from --seed-passwords-file); only
--sandbox keeps the derived password Gestionnaire-<SIRET>!, which anyone who
knows the SIRET can guess. --sandbox there also needs --sandbox-public: its
mailbox then shows each person only their own mail, once signed in.

Mail (activation links, codes) goes through the firm's relay with --smtp
HOST:PORT: STARTTLS by default (587), --smtp-tls tls for 465, none only to
a relay on loopback; --smtp-user and --smtp-password-file (a file, a
systemd credential: never a flag or a variable) log in; --smtp-ca-file
trusts the relay's own authority. Each message is queued in its request's
transaction and sent by one worker with retries; chorus-sim checks the
relay when it starts and says what is wrong. The sender is --mail-from
(default noreply@ the --public-url's host) named --mail-from-name.

Everything is kept in the data directory's SQLite files by default. A
firm that runs several instances behind a load balancer keeps it on a
PostgreSQL server instead: --database-file FILE names a file (a systemd
credential) holding the server's URL, such as
postgres://chorus@db.example.org/chorus?sslmode=verify-full&sslrootcert=/etc/chorus-sim/db-ca.pem
(--database URL takes it on the command line, refused with a password in
it). Every instance given the same URL shares the accounts, sessions,
structures, mail queue and the firms' workspace; the data directory then
keeps only what is the instance's own. chorus-sim migrate-store moves
existing files there.

Environment:
  CHORUS_SIM_PISTE_CLIENTS        PISTE clients, ID:SECRET comma-separated
  CHORUS_SIM_TECHNICAL_ACCOUNTS   technical accounts, LOGIN:PASSWORD comma-separated
  CHORUS_SIM_INSEE_KEYS           INSEE API keys the registry accepts, comma-separated

Options:
`

// pairs is a repeatable ID:SECRET flag.
type pairs []string

func (p *pairs) String() string { return strings.Join(*p, ",") }
func (p *pairs) Set(v string) error {
	if !strings.Contains(v, ":") {
		return errors.New("want A:B")
	}
	*p = append(*p, v)
	return nil
}

func split(v string) (string, string) { a, b, _ := strings.Cut(v, ":"); return a, b }

// The environment variables that carry secrets, so they stay out of the
// process list: comma-separated ID:SECRET pairs.
const (
	envClients   = "CHORUS_SIM_PISTE_CLIENTS"
	envTechs     = "CHORUS_SIM_TECHNICAL_ACCOUNTS"
	envINSEEKeys = "CHORUS_SIM_INSEE_KEYS"
)

// getenv reads the environment (tests replace it).
var getenv = os.Getenv

// secretPairs reads ID:SECRET pairs from an environment variable's value
// (comma-separated) and from a file (one a line, # comments, blank lines
// skipped). A pair without ":" is an error naming its line, never its
// value.
func secretPairs(env, file string) (pairs, error) {
	var out pairs
	for _, v := range strings.Split(env, ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		if err := out.Set(v); err != nil {
			return nil, errors.New("an entry of the environment variable has no ':'")
		}
	}
	if file == "" {
		return out, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := out.Set(line); err != nil {
			return nil, fmt.Errorf("line %d: want ID:SECRET", i+1)
		}
	}
	return out, nil
}

// secretLines reads secrets one per entry from an environment variable's
// value (comma-separated) and from a file (one a line, # comments, blank
// lines skipped).
func secretLines(env, file string) ([]string, error) {
	var out []string
	for _, v := range strings.Split(env, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	if file == "" {
		return out, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out, nil
}

// randomPassword is a seeded manager's password on a team portal: 20
// characters of four classes, nothing anyone can derive.
func randomPassword() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(out[:4]) + "-" + string(out[4:8]) + "-" + string(out[8:12]) + "-" + string(out[12:]) + "!"
}

// localOnly reports whether addr (HOST:PORT) can only be reached from this
// computer.
func localOnly(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && core.IsLoopbackHost(host)
}

// loopbackURL reports whether the URL u names this computer (a reverse
// proxy's address is the one its users reach).
func loopbackURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && core.IsLoopbackHost(p.Hostname())
}

// run serves until ctx ends (Ctrl-C or SIGTERM in main) and returns the
// exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "admin" {
		return runAdmin(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "mail" {
		return runMail(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "firm" {
		return runFirm(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "migrate-store" {
		return runMigrateStore(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("chorus-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0: any free port)")
	data := fs.String("data", "", "directory of the simulator's database (required)")
	sandbox := fs.Bool("sandbox", false, "serve the mailbox endpoint, so mail can be read without a mail server; well-known PISTE, technical account and INSEE credentials; derived seeded passwords")
	sandboxPublic := fs.Bool("sandbox-public", false, "allow --sandbox on an address others reach, or with TLS: the mailbox then needs a session of the recipient")
	publicURL := fs.String("public-url", "", "the portal's address as its users reach it (https://onboarding.example.org), for the links it mails; default: the listening address")
	inseeFile := fs.String("insee-keys-file", "", "a file of the INSEE API keys the registry accepts, one a line (# comments)")
	seedPasswords := fs.String("seed-passwords-file", "", "passwords of the seeded structures' managers, one SIRET:PASSWORD a line (# comments); others get a random one")
	smtpAddr := fs.String("smtp", "", "send mail through this relay (HOST:PORT: smtp.office365.com:587)")
	smtpTLS := fs.String("smtp-tls", sim.MailStartTLS, "the relay's TLS: starttls (587), tls (465), or none (a relay on loopback only)")
	smtpUser := fs.String("smtp-user", "", "the relay's login")
	smtpPasswordFile := fs.String("smtp-password-file", "", "a file holding the relay's password (a systemd credential: %d/smtp-password)")
	smtpCAFile := fs.String("smtp-ca-file", "", "a PEM file of the authorities the relay's certificate is checked against (default: the system's)")
	mailFrom := fs.String("mail-from", "", "the sender's address (default: noreply@ the --public-url's host)")
	mailFromName := fs.String("mail-from-name", sim.DefaultFromName, "the sender's display name (never \"Chorus Pro\")")
	faultRate := fs.Float64("fault-rate", 0, "fraction of requests that fail on purpose (503, 429, resets before and after commit)")
	var clients, techs, accounts, structures pairs
	fs.Var(&clients, "piste-client", "PISTE OAuth client ID:SECRET (repeatable; visible in the process list: prefer "+envClients+" or --piste-clients-file)")
	fs.Var(&techs, "technical-account", "Chorus technical account LOGIN:PASSWORD for cpro-account (repeatable; visible in the process list: prefer "+envTechs+" or --technical-accounts-file)")
	clientsFile := fs.String("piste-clients-file", "", "a file of PISTE OAuth clients, one ID:SECRET a line (# comments)")
	techsFile := fs.String("technical-accounts-file", "", "a file of Chorus technical accounts, one LOGIN:PASSWORD a line (# comments)")
	fs.Var(&accounts, "seed-account", "an active account EMAIL:PASSWORD (repeatable)")
	fs.Var(&structures, "seed-structure", "an existing structure SIRET:NAME with a principal manager (repeatable)")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate (PEM; with --tls-key): a team portal")
	tlsKey := fs.String("tls-key", "", "the private key of --tls-cert (PEM)")
	registryFile := fs.String("registry-file", "", "a CSV of companies the registry knows besides its own few (onboardctl import's columns)")
	dbFlags := addDatabaseFlags(fs)
	secondFactor := fs.String("second-factor", "required", "required: every sign-in asks for a code (authenticator app or e-mail) after the password, as Chorus Pro does; off: a password alone (only on loopback: for benchmarks and tests)")
	version := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), simUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	if *version {
		fmt.Fprintln(stdout, "chorus-sim", buildinfo.Version())
		return 0
	}
	if *data == "" || fs.NArg() > 0 || *faultRate < 0 || *faultRate > 1 {
		fmt.Fprintln(stderr, "chorus-sim: --data DIR is required; --fault-rate is between 0 and 1")
		fs.Usage()
		return 2
	}
	// A portal others reach: on another address than loopback, over TLS,
	// or behind a reverse proxy whose public address (--public-url) names
	// another host: its clients then all seem to come from loopback.
	public := !localOnly(*addr) || *tlsCert != "" || *publicURL != "" && !loopbackURL(*publicURL)
	switch {
	case *secondFactor != "required" && *secondFactor != "off":
		fmt.Fprintf(stderr, "chorus-sim: --second-factor %q: required or off\n", *secondFactor)
		return 2
	case *secondFactor == "off" && public:
		fmt.Fprintln(stderr, "chorus-sim: --second-factor off lets a password alone open an account: it is only for a portal on loopback "+
			"(benchmarks, tests); a portal others reach (another address, TLS, or a --public-url on another host) asks for the second factor")
		return 2
	}
	if *sandbox && public && !*sandboxPublic {
		fmt.Fprintln(stderr, "chorus-sim: --sandbox on an address others reach (with TLS, or behind a --public-url on another host) shows every person's activation links and codes "+
			"to anyone, and seeds guessable passwords: add --sandbox-public to run it so anyway (the mailbox then needs a session of the recipient), "+
			"or drop --sandbox for a team portal")
		return 2
	}
	if *publicURL != "" {
		if err := core.CheckSettingURL(core.SettingPortalURL, *publicURL); err != nil {
			fmt.Fprintf(stderr, "chorus-sim: --public-url %s: %s\n", *publicURL, i18n.Error(i18n.EN, err))
			return 2
		}
	}
	if public && *smtpAddr == "" && !*sandbox {
		fmt.Fprintln(stderr, "chorus-sim: warning: no --smtp: activation links and e-mailed codes reach nobody, so nobody can create an account here")
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	mailSet, err := mailSettings(*smtpAddr, *smtpTLS, *smtpUser, *smtpPasswordFile, *smtpCAFile, *mailFrom, *mailFromName, *publicURL)
	if err != nil {
		fmt.Fprintln(stderr, "chorus-sim:", err)
		return 2
	}
	if err := sim.CheckRelay(ctx, mailSet); err != nil {
		fmt.Fprintln(stderr, "chorus-sim: the mail relay does not take mail:", err)
		fmt.Fprintln(stderr, "chorus-sim: check --smtp, --smtp-tls (587: starttls, 465: tls), --smtp-user, --smtp-password-file and --smtp-ca-file")
		return 1
	}
	dsn, err := dbFlags.dsn()
	if err != nil {
		fmt.Fprintln(stderr, "chorus-sim:", err)
		return 2
	}
	cfg := sim.Config{DataDir: *data, Database: dsn, Sandbox: *sandbox, SecondFactorOff: *secondFactor == "off", SandboxPublic: *sandbox && public, Mail: mailSet, FaultRate: *faultRate,
		PISTEClients: map[string]string{}, TechnicalAccounts: map[string]string{},
		Log: logger}
	for _, src := range []struct {
		list       *pairs
		env, file  string
		what, flag string
	}{{&clients, getenv(envClients), *clientsFile, "PISTE client", "--piste-clients-file"},
		{&techs, getenv(envTechs), *techsFile, "technical account", "--technical-accounts-file"}} {
		more, err := secretPairs(src.env, src.file)
		if err != nil {
			fmt.Fprintf(stderr, "chorus-sim: %s: %v\n", src.flag, err)
			return 2
		}
		*src.list = append(*src.list, more...)
	}
	inseeKeys, err := secretLines(getenv(envINSEEKeys), *inseeFile)
	if err != nil {
		fmt.Fprintf(stderr, "chorus-sim: --insee-keys-file: %v\n", err)
		return 2
	}
	if *sandbox {
		// Well-known credentials, for a sandbox only: a team portal
		// names its own.
		if len(clients) == 0 {
			clients = pairs{"sandbox:sandbox"}
		}
		if len(techs) == 0 {
			techs = pairs{"TECH_1_SANDBOX@cpro.fr:sandbox"}
		}
		if len(inseeKeys) == 0 {
			inseeKeys = []string{"sandbox"}
		}
	}
	cfg.INSEEKeys = inseeKeys
	managerPasswords := map[string]string{}
	if *seedPasswords != "" {
		list, err := secretPairs("", *seedPasswords)
		if err != nil {
			fmt.Fprintf(stderr, "chorus-sim: --seed-passwords-file: %v\n", err)
			return 2
		}
		for _, p := range list {
			siret, pw := split(p)
			managerPasswords[strings.Join(strings.Fields(siret), "")] = pw
		}
	}
	for _, c := range clients {
		id, secret := split(c)
		cfg.PISTEClients[id] = secret
	}
	for _, t := range techs {
		login, pw := split(t)
		cfg.TechnicalAccounts[login] = pw
	}
	if *registryFile != "" {
		f, err := os.Open(*registryFile)
		if err == nil {
			cfg.Companies, err = sim.ReadCompanies(f)
			f.Close()
		}
		if err != nil {
			fmt.Fprintf(stderr, "chorus-sim: --registry-file: %v\n", err)
			return 2
		}
	}
	srv, err := sim.New(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "chorus-sim:", err)
		return 1
	}
	defer srv.Close()
	for _, a := range accounts {
		email, pw := split(a)
		if err := srv.SeedAccount(ctx, email, pw); err != nil {
			fmt.Fprintln(stderr, "chorus-sim:", err)
			return 2
		}
	}
	for _, st := range structures {
		siret, name := split(st)
		siret = strings.Join(strings.Fields(siret), "")
		password, given := managerPasswords[siret]
		switch {
		case given:
		case *sandbox:
			password = sim.ManagerPassword(siret)
		default:
			password = randomPassword()
		}
		set, err := srv.SeedStructureWith(ctx, siret, name, password)
		if err != nil {
			fmt.Fprintln(stderr, "chorus-sim:", err)
			return 2
		}
		switch {
		case set && !given && !*sandbox:
			// Shown once, now: it is nowhere else.
			fmt.Fprintf(stderr, "chorus-sim: structure %s: principal manager %s, password %s (shown once: note it)\n", siret, sim.ManagerEmail(siret), password)
		default:
			fmt.Fprintf(stderr, "chorus-sim: structure %s: principal manager %s\n", siret, sim.ManagerEmail(siret))
		}
	}
	var tlsConfig *tls.Config
	if *tlsCert != "" || *tlsKey != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			fmt.Fprintln(stderr, "chorus-sim: --tls-cert and --tls-key:", err)
			return 2
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "chorus-sim:", err)
		return 1
	}
	listening := "http://" + ln.Addr().String()
	if tlsConfig != nil {
		listening = "https://" + ln.Addr().String()
		ln = tls.NewListener(ln, tlsConfig)
	}
	base := listening
	if *publicURL != "" {
		base = *publicURL
	}
	srv.SetBaseURL(base)
	hs := sim.NewHTTPServer(srv.Handler(), sim.HTTPLimits{})
	fmt.Fprintln(stdout, "listening on "+listening)
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(sim.KeepAccepting(ln, logger)) }()
	select {
	case err := <-errc:
		fmt.Fprintln(stderr, "chorus-sim:", err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(shutdown)
	return 0
}
