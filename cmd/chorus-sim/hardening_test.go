package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/internal/simtest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

const siret = "73282932000074"

// signIn tries a password against the portal at base (TLS with certs).
func signIn(t *testing.T, base string, hc *http.Client, email, password string) error {
	t.Helper()
	// The right password answers a second-factor challenge: the password
	// is what these tests check.
	_, _, err := portal.NewOnboarding(base, hc).SignInWith(t.Context(), api.SignIn{Email: email, Password: password})
	return err
}

// TestSeededManagersOnATeamPortal (hardening, second round, item 6): a
// team portal (TLS) seeds a structure's principal manager with a random
// password shown once, never the one derived from the SIRET (before:
// Gestionnaire-<SIRET>! signed anyone in as the manager); a restart does
// not show it again; a manager an older version seeded with the derived
// password gets a random one; --seed-passwords-file names them.
func TestSeededManagersOnATeamPortal(t *testing.T) {
	certs := coretest.NewTLS(t, "127.0.0.1")
	hc, err := portal.NewClient(portal.ClientOptions{CAFile: certs.CAFile, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	tlsArgs := []string{"--tls-cert", certs.CertFile, "--tls-key", certs.KeyFile}
	shown := regexp.MustCompile(`principal manager (\S+), password (\S+) \(shown once`)

	dir := testos.TempDir(t)
	base, stderr := serveIn(t, dir, append(tlsArgs, "--seed-structure", siret+":ATELIERS")...)
	m := shown.FindStringSubmatch(stderr())
	if m == nil || m[1] != sim.ManagerEmail(siret) {
		t.Fatalf("no password shown: %q", stderr())
	}
	if err := signIn(t, base, hc, m[1], sim.ManagerPassword(siret)); core.CodeOf(err) != api.CodeBadCredentials {
		t.Fatalf("the derived password signs in: %v", err)
	}
	if err := signIn(t, base, hc, m[1], m[2]); err != nil {
		t.Fatalf("the password shown: %v", err)
	}

	// A second start on the same data shows nothing new.
	base2, stderr2 := serveIn(t, dir, append(tlsArgs, "--seed-structure", siret+":ATELIERS")...)
	if shown.MatchString(stderr2()) {
		t.Fatalf("a restart showed a password again: %q", stderr2())
	}
	if err := signIn(t, base2, hc, m[1], m[2]); err != nil {
		t.Fatalf("after a restart, the first password: %v", err)
	}

	// Seeded by an older version, with the derived password.
	old := testos.TempDir(t)
	srv, err := sim.New(context.Background(), sim.Config{DataDir: old, PasswordIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SeedStructure(t.Context(), siret, "ATELIERS"); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	base3, stderr3 := serveIn(t, old, append(tlsArgs, "--seed-structure", siret+":ATELIERS")...)
	m3 := shown.FindStringSubmatch(stderr3())
	if m3 == nil {
		t.Fatalf("the derived password of an older seed was not replaced: %q", stderr3())
	}
	if err := signIn(t, base3, hc, m3[1], sim.ManagerPassword(siret)); core.CodeOf(err) != api.CodeBadCredentials {
		t.Fatalf("the older seed's derived password still signs in: %v", err)
	}

	// Passwords from a file are used, and not shown.
	file := filepath.Join(testos.TempDir(t), "managers")
	if err := os.WriteFile(file, []byte("# managers\n732 829 320 00074:Choisi-par-l-admin-2026\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base4, stderr4 := serveIn(t, testos.TempDir(t), append(tlsArgs, "--seed-structure", siret+":ATELIERS", "--seed-passwords-file", file)...)
	if shown.MatchString(stderr4()) || strings.Contains(stderr4(), "Choisi") {
		t.Fatalf("a given password was shown: %q", stderr4())
	}
	if err := signIn(t, base4, hc, sim.ManagerEmail(siret), "Choisi-par-l-admin-2026"); err != nil {
		t.Fatalf("the file's password: %v", err)
	}
	// --help says so.
	var help strings.Builder
	run(t.Context(), []string{"--help"}, io.Discard, &help)
	if !strings.Contains(help.String(), "random password") || !strings.Contains(help.String(), "--sandbox-public") {
		t.Errorf("--help does not say how seeded managers sign in")
	}
}

// TestPublicSandbox (hardening, second round, item 9): --sandbox with TLS
// (or an address others reach) is refused without --sandbox-public; with
// it, the mailbox shows a person only their own mail, once signed in
// (before: anyone read anyone's activation link).
func TestPublicSandbox(t *testing.T) {
	certs := coretest.NewTLS(t, "127.0.0.1")
	tlsArgs := []string{"--tls-cert", certs.CertFile, "--tls-key", certs.KeyFile}
	var errOut strings.Builder
	if code := run(t.Context(), append([]string{"--addr", "127.0.0.1:0", "--data", testos.TempDir(t), "--sandbox"}, tlsArgs...), io.Discard, &errOut); code != 2 ||
		!strings.Contains(errOut.String(), "--sandbox-public") {
		t.Fatalf("--sandbox with TLS: exit %d %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run(t.Context(), []string{"--addr", "0.0.0.0:0", "--data", testos.TempDir(t), "--sandbox"}, io.Discard, &errOut); code != 2 {
		t.Fatalf("--sandbox on 0.0.0.0: exit %d %q", code, errOut.String())
	}
	hc, err := portal.NewClient(portal.ClientOptions{CAFile: certs.CAFile, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := serveIn(t, testos.TempDir(t), append(tlsArgs, "--sandbox", "--sandbox-public",
		"--seed-account", "ana@example.fr:Tr0ub4dor&3x-Lune", "--seed-account", "bob@example.fr:Tr0ub4dor&3x-Soleil")...)
	anon := portal.NewOnboarding(base, hc)
	if _, err := anon.Mailbox(t.Context(), "ana@example.fr"); core.KindOf(err) != core.KindUnauthorized {
		t.Fatalf("the public sandbox's mailbox without a session: %v", err)
	}
	bob := portal.NewOnboarding(base, hc)
	if _, err := new(simtest.Authenticator).SignIn(t.Context(), bob, "bob@example.fr", "Tr0ub4dor&3x-Soleil"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Mailbox(t.Context(), "ana@example.fr"); core.KindOf(err) != core.KindForbidden {
		t.Fatalf("bob reads ana's mailbox: %v", err)
	}
	if _, err := bob.Mailbox(t.Context(), "BOB@example.fr"); err != nil {
		t.Fatalf("bob's own mailbox: %v", err)
	}
}

// TestPublicURL (hardening, second round, item 19): the activation link
// names the portal's public address, not the one it listens on; an
// address in clear to another computer is refused.
func TestPublicURL(t *testing.T) {
	// A public URL on another host makes the portal public (issue 29): a
	// sandbox mailbox anyone reads is for a proxy on this computer only.
	base, _ := serveIn(t, testos.TempDir(t), "--sandbox", "--public-url", "https://localhost:8443")
	c := portal.NewOnboarding(base, nil)
	ctx := t.Context()
	ch, err := c.Captcha(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const email = "ana@example.fr"
	if err := c.CaptchaCode(ctx, ch.ID, email); err != nil {
		t.Fatal(err)
	}
	mails, err := c.Mailbox(ctx, email)
	if err != nil || len(mails) != 1 {
		t.Fatalf("the e-mailed code: %v %v", mails, err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(mails[0].Body)
	acct := api.AccountBody{LoginEmail: email, LoginEmailConfirm: email, FirstName: "Ana", LastName: "Lima", ConditionsAcceptedAt: time.Now()}
	if err := c.CreateAccount(ctx, "", api.CreateAccount{CaptchaID: ch.ID, CaptchaAnswer: code, Account: acct}); err != nil {
		t.Fatal(err)
	}
	mails, err = c.Mailbox(ctx, email)
	if err != nil || len(mails) != 2 || !strings.HasPrefix(mails[0].Link, "https://localhost:8443/") {
		t.Fatalf("the activation link: %+v %v", mails, err)
	}
	var errOut strings.Builder
	if code := run(t.Context(), []string{"--addr", "127.0.0.1:0", "--data", testos.TempDir(t), "--public-url", "http://onboarding.cabinet.example"}, io.Discard, &errOut); code != 2 ||
		!strings.Contains(errOut.String(), "not encrypted") {
		t.Fatalf("--public-url in clear: exit %d %q", code, errOut.String())
	}
}

// TestAdminTransfer: "chorus-sim admin transfer-structure" on the data
// directory of a running portal hands a structure over and audits it;
// "admin audit" lists it; mistakes are refused with why.
func TestAdminTransfer(t *testing.T) {
	dir := testos.TempDir(t)
	base, _ := serveIn(t, dir, "--sandbox", "--seed-structure", siret+":ATELIERS",
		"--seed-account", "dupont@ateliers.example:Tr0ub4dor&3x-Lune")
	admin := func(args ...string) (int, string, string) {
		var out, errOut strings.Builder
		code := run(t.Context(), append([]string{"admin"}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, _, errOut := admin("transfer-structure", "--data", dir, "--identifier", siret, "--to", "dupont@ateliers.example", "--reason", ""); code != 1 || !strings.Contains(errOut, "--reason") {
		t.Fatalf("without a reason: %d %q", code, errOut)
	}
	if code, _, errOut := admin("transfer-structure", "--data", dir, "--identifier", siret, "--to", "nobody@example.org", "--reason", "t1"); code != 1 || !strings.Contains(errOut, "no account") {
		t.Fatalf("to an unknown account: %d %q", code, errOut)
	}
	code, out, errOut := admin("transfer-structure", "--data", dir, "--identifier", "732 829 320 00074", "--to", "dupont@ateliers.example", "--reason", "ticket 4711")
	if code != 0 || !strings.Contains(out, "principal manager: dupont@ateliers.example") {
		t.Fatalf("transfer: %d %q %q", code, out, errOut)
	}
	code, out, _ = admin("audit", "--data", dir)
	if code != 0 || !strings.Contains(out, "transfer-structure") || !strings.Contains(out, "ticket 4711") || !strings.Contains(out, sim.ManagerEmail(siret)) {
		t.Fatalf("audit: %d %q", code, out)
	}
	// The running portal sees the new manager at once.
	c := portal.NewOnboarding(base, nil)
	if _, err := new(simtest.Authenticator).SignIn(t.Context(), c, "dupont@ateliers.example", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	res, err := c.SearchStructure(t.Context(), core.IDSIRET, siret)
	if err != nil || res.Structure == nil || !res.Structure.IsManager {
		t.Fatalf("the company is not manager on the running portal: %+v %v", res, err)
	}
	if code, _, _ := admin("frobnicate"); code != 2 {
		t.Errorf("an unknown admin command: exit %d", code)
	}
}

// TestSecondFactorFlag: the second factor is on by default, and off only
// on loopback.
func TestSecondFactorFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "0.0.0.0:0", "--second-factor", "off"}, "only for a portal on loopback"},
		{[]string{"--addr", "127.0.0.1:0", "--second-factor", "off", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, "only for a portal on loopback"},
		{[]string{"--addr", "127.0.0.1:0", "--second-factor", "sometimes"}, `"sometimes": required or off`},
		// Behind a reverse proxy (issue 29): every client seems to come
		// from loopback, the public URL says who reaches it.
		{[]string{"--addr", "127.0.0.1:0", "--second-factor", "off", "--public-url", "https://onboarding.cabinet.example"}, "only for a portal on loopback"},
		{[]string{"--addr", "127.0.0.1:0", "--sandbox", "--public-url", "https://onboarding.cabinet.example"}, "--sandbox-public"},
	} {
		var errOut strings.Builder
		if code := run(t.Context(), append(tc.args, "--data", testos.TempDir(t)), io.Discard, &errOut); code != 2 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, %q", tc.args, code, errOut.String())
		}
	}
	base, _ := serveIn(t, testos.TempDir(t), "--sandbox", "--seed-account", "ana@example.fr:Tr0ub4dor&3x-Lune")
	_, ch, err := portal.NewOnboarding(base, nil).SignInWith(t.Context(), api.SignIn{Email: "ana@example.fr", Password: "Tr0ub4dor&3x-Lune"})
	if err != nil || ch == nil || !ch.Enrol {
		t.Fatalf("by default a seeded account's first sign-in enrols a second factor: %+v %v", ch, err)
	}
	base, _ = serveIn(t, testos.TempDir(t), "--sandbox", "--second-factor", "off", "--seed-account", "ana@example.fr:Tr0ub4dor&3x-Lune")
	if _, err := portal.NewOnboarding(base, nil).SignIn(t.Context(), "ana@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatalf("--second-factor off: %v", err)
	}
}
