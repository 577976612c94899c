package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/internal/simtest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestMailFlags: a relay that refuses the login stops the start with
// what is wrong; the right password, from a file, lets the portal start;
// mail an operator's command queues beside the running portal leaves
// through the relay from the configured sender; "chorus-sim mail list"
// shows it sent.
func TestMailFlags(t *testing.T) {
	rl := simtest.StartRelay(t, "portail@cabinet.example", "relay-secret", nil) // in clear: loopback
	dir := testos.TempDir(t)
	secrets := testos.TempDir(t)
	good, bad := filepath.Join(secrets, "good"), filepath.Join(secrets, "bad")
	if err := os.WriteFile(good, []byte("relay-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("wrong\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	relay := []string{"--smtp", rl.Addr, "--smtp-tls", "none", "--smtp-user", "portail@cabinet.example", "--mail-from", "noreply@cabinet.example"}

	var errOut strings.Builder
	if code := run(t.Context(), append([]string{"--addr", "127.0.0.1:0", "--data", dir, "--smtp-password-file", bad}, relay...), io.Discard, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "does not take mail") || !strings.Contains(errOut.String(), "535") {
		t.Fatalf("a refused login: exit %d\n%s", code, errOut.String())
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--smtp-user", "x"}, "need --smtp"},
		{[]string{"--smtp", rl.Addr, "--smtp-tls", "none"}, "--mail-from"},
		{[]string{"--smtp", "smtp.example.org:25", "--smtp-tls", "none", "--mail-from", "a@b.example"}, "in clear"},
		{[]string{"--smtp", rl.Addr, "--smtp-tls", "none", "--mail-from", "a@b.example", "--mail-from-name", "Chorus Pro"}, "Chorus Pro"},
		{[]string{"--smtp", rl.Addr, "--smtp-tls", "none", "--mail-from", "a@b.example", "--smtp-user", "u"}, "go together"},
	} {
		errOut.Reset()
		if code := run(t.Context(), append([]string{"--addr", "127.0.0.1:0", "--data", testos.TempDir(t)}, tc.args...), io.Discard, &errOut); code != 2 ||
			!strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, %q", tc.args, code, errOut.String())
		}
	}

	serveIn(t, dir, append([]string{"--smtp-password-file", good, "--mail-from-name", "Portail du cabinet Bernard",
		"--seed-structure", siret + ":ATELIERS", "--seed-account", "dupont@ateliers.example:Tr0ub4dor&3x-Lune"}, relay...)...)
	var out strings.Builder
	if code := run(t.Context(), []string{"admin", "transfer-structure", "--data", dir, "--identifier", siret, "--to", "dupont@ateliers.example",
		"--reason", "ticket 4711"}, &out, &errOut); code != 0 {
		t.Fatalf("transfer: %d %s", code, errOut.String())
	}
	// The portal's worker looks at the queue every few seconds.
	for end := time.Now().Add(time.Minute); len(rl.Received()) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%d messages at the relay", len(rl.Received()))
		}
	}
	for _, m := range rl.Received() {
		if !strings.Contains(m, `From: "Portail du cabinet Bernard" <noreply@cabinet.example>`) || !strings.Contains(m, "Message-ID: <") {
			t.Errorf("message:\n%s", m)
		}
	}
	for end := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		out.Reset()
		if code := run(t.Context(), []string{"mail", "list", "--data", dir, "--state", "sent"}, &out, &errOut); code != 0 {
			t.Fatalf("mail list: %d %s", code, errOut.String())
		}
		if strings.Count(out.String(), "\n") == 3 { // the header and both
			break
		}
		if time.Now().After(end) {
			t.Fatalf("mail list:\n%s", out.String())
		}
	}
	if !strings.Contains(out.String(), "dupont@ateliers.example") || strings.Contains(out.String(), "relay-secret") {
		t.Errorf("mail list:\n%s", out.String())
	}
	errOut.Reset()
	if code := run(t.Context(), []string{"mail", "resend", "--data", dir, "1"}, io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), "no longer kept") {
		t.Errorf("resend of a sent message: %d %q", code, errOut.String())
	}
	if code := run(t.Context(), []string{"mail", "resend", "--data", dir, "x"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("resend x: exit %d", code)
	}
}
