package sim

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/internal/simtest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// relay is the test's relay (simtest.Relay) with the authority that
// signed its certificate.
type relay struct {
	*simtest.Relay
	ca         *x509.CertPool
	user, pass string
}

// startRelay starts a relay on loopback with STARTTLS (a certificate of
// a test CA for 127.0.0.1) and, when user is set, a login.
func startRelay(t testing.TB, user, pass string) *relay {
	ca := coretest.NewTLS(t, "127.0.0.1")
	return &relay{Relay: simtest.StartRelay(t, user, pass, &ca.Server), ca: caPool(t, ca.CAFile), user: user, pass: pass}
}

// caPool reads a CA file.
func caPool(t testing.TB, file string) *x509.CertPool {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(b)
	return p
}

// settings are the portal's settings for r.
func (r *relay) settings() MailSettings {
	return MailSettings{Relay: r.Addr, TLS: MailStartTLS, Username: r.user, Password: r.pass, RootCAs: r.ca,
		From: "noreply@cabinet.example", FromName: "Portail du cabinet Bernard", RetryBase: 10 * time.Millisecond,
		RetryMax: 100 * time.Millisecond}
}

// waitFor polls cond until it holds, failing after a generous minute (no
// figure of time is asserted: the machines are shared).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(time.Minute); !cond(); {
		if time.Now().After(end) {
			t.Fatalf("still waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// queueState counts the queue's rows by state.
func queueState(t testing.TB, s *Server) map[string]int {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), `SELECT state, count(*) FROM mail_queue GROUP BY state`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			t.Fatal(err)
		}
		out[st] = n
	}
	return out
}

// TestMailThroughRelay: an activation e-mail leaves through a relay that
// wants STARTTLS and a login, from the configured sender, with a
// Message-ID, Auto-Submitted, valid MIME in quoted-printable UTF-8, French
// and English, and the link at the public URL; once sent, the queue no
// longer holds the link.
func TestMailThroughRelay(t *testing.T) {
	rl := startRelay(t, "portail@cabinet.example", "relay-secret")
	e := start(t, func(c *Config) { c.Mail, c.Sandbox = rl.settings(), false })
	e.srv.SetBaseURL("https://onboarding.cabinet.example")
	last := answers(t)
	c := portal.NewOnboarding(e.http.URL, nil)
	ch, err := c.Captcha(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateAccount(t.Context(), "", api.CreateAccount{CaptchaID: ch.ID, CaptchaAnswer: last(), Account: account("elodie@example.fr")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the activation mail at the relay", func() bool { return len(rl.Received()) == 1 })
	raw := rl.Received()[0]
	t.Logf("the message as the relay received it:\n%s", raw)
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	from, err := mail.ParseAddress(h.Get("From"))
	if err != nil || from.Address != "noreply@cabinet.example" || from.Name != "Portail du cabinet Bernard" {
		t.Errorf("From %q (%v)", h.Get("From"), err)
	}
	if id := h.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@cabinet.example>") {
		t.Errorf("Message-ID %q", id)
	}
	for k, want := range map[string]string{"Auto-Submitted": "auto-generated", "Mime-Version": "1.0",
		"Content-Transfer-Encoding": "quoted-printable"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s %q, want %q", k, got, want)
		}
	}
	if ct := h.Get("Content-Type"); !strings.Contains(strings.ToLower(ct), "charset=utf-8") || !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	if _, err := mail.ParseDate(h.Get("Date")); err != nil {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), "https://onboarding.cabinet.example"+api.PathActivate+"?token=") || !strings.Contains(string(body), "Bienvenue") || !strings.Contains(string(body), "Welcome") {
		t.Errorf("body:\n%s", body)
	}
	waitFor(t, "the message marked sent", func() bool { return queueState(t, e.srv)[MailSent] == 1 })
	var kept string
	if err := e.srv.db.QueryRowContext(context.Background(), `SELECT body FROM mail_queue`).Scan(&kept); err != nil || kept != "" {
		t.Errorf("the queue keeps %q after sending (%v)", kept, err)
	}
}

// TestCheckRelay: the start-up check says what is wrong: a refused login,
// a certificate of another authority, clear text to another computer, a
// sender that cannot be.
func TestCheckRelay(t *testing.T) {
	rl := startRelay(t, "portail@cabinet.example", "relay-secret")
	if err := CheckRelay(t.Context(), rl.settings()); err != nil {
		t.Fatalf("the right settings: %v", err)
	}
	for name, tc := range map[string]struct {
		mutate func(*MailSettings)
		want   string
	}{
		"wrong password":  {func(s *MailSettings) { s.Password = "nope" }, "535"},
		"another CA":      {func(s *MailSettings) { s.RootCAs = caPool(t, coretest.NewTLS(t, "127.0.0.1").CAFile) }, "certificate"},
		"clear to a host": {func(s *MailSettings) { s.Relay, s.TLS = "smtp.example.org:25", MailNoTLS }, "in clear"},
		"invalid domain":  {func(s *MailSettings) { s.From = "noreply@chorus-sim.invalid" }, "cannot exist"},
		"chorus pro name": {func(s *MailSettings) { s.FromName = "Chorus Pro (chorus-sim)" }, "Chorus Pro"},
		"no port":         {func(s *MailSettings) { s.Relay = "127.0.0.1" }, "HOST:PORT"},
		"unknown TLS":     {func(s *MailSettings) { s.TLS = "ssl" }, "TLS mode"},
	} {
		s := rl.settings()
		tc.mutate(&s)
		err := CheckRelay(t.Context(), s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want it to say %q", name, err, tc.want)
		}
	}
}

// enqueue queues n messages to recipients to(i), as requests do, in one
// transaction, and wakes the worker.
func enqueue(t testing.TB, s *Server, n int, to func(int) string) {
	t.Helper()
	err := s.db.Tx(context.Background(), func(tx *sqldb.Tx) error {
		for i := range n {
			if err := s.mail.queue.enqueue(context.Background(), tx, s.cfg.Now(), to(i), fmt.Sprintf("Code %d", i),
				fmt.Sprintf("Votre code : %06d\nYour code: %06d\n", i, i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mail.queue.wake()
}

// TestMailRelayDownThenBack: messages queued while the relay is down are
// delivered once it is back, each exactly once; one the relay refuses
// for good (550) is marked with its answer and not tried again.
func TestMailRelayDownThenBack(t *testing.T) {
	rl := startRelay(t, "", "")
	set := rl.settings()
	rl.Stop()
	// Not a sandbox: a message sent leaves no code behind.
	e := start(t, func(c *Config) { c.Mail, c.Now, c.Sandbox = set, time.Now, false })
	enqueue(t, e.srv, 20, func(i int) string {
		if i == 7 {
			return rl.Refuse
		}
		return fmt.Sprintf("client%d@example.fr", i)
	})
	waitFor(t, "attempts against the relay down", func() bool {
		var n int
		_ = e.srv.db.QueryRowContext(context.Background(), `SELECT count(*) FROM mail_queue WHERE attempts >= 2`).Scan(&n)
		return n > 0
	})
	if got := queueState(t, e.srv); got[MailPending] != 20 {
		t.Fatalf("while the relay is down: %v", got)
	}
	rl.Listen(rl.Addr)
	waitFor(t, "19 messages at the relay", func() bool { return len(rl.Received()) == 19 })
	waitFor(t, "the queue settled", func() bool { s := queueState(t, e.srv); return s[MailSent] == 19 && s[MailFailed] == 1 })
	for id, n := range rl.TimesReceived() {
		if n != 1 {
			t.Errorf("%s received %d times", id, n)
		}
	}
	var answer string
	var attempts int
	if err := e.srv.db.QueryRowContext(context.Background(), `SELECT last_error, attempts FROM mail_queue WHERE state = 'failed'`).Scan(&answer, &attempts); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(answer, "550 5.1.1") {
		t.Errorf("the relay's answer kept: %q", answer)
	}
	list, err := e.srv.MailQueue(t.Context(), MailFailed, 10)
	if err != nil || len(list) != 1 || !list[0].Resendable {
		t.Fatalf("the operator's list: %+v %v", list, err)
	}
	// Sent again by the operator: refused again, once.
	if err := e.srv.ResendMail(t.Context(), list[0].ID); err != nil {
		t.Fatal(err)
	}
	e.srv.mail.queue.wake()
	waitFor(t, "the resent message refused again", func() bool { return queueState(t, e.srv)[MailFailed] == 1 && queueState(t, e.srv)[MailPending] == 0 })
	sent, _ := e.srv.MailQueue(t.Context(), MailSent, 1)
	if err := e.srv.ResendMail(t.Context(), sent[0].ID); !errors.Is(err, ErrNotResendable) {
		t.Errorf("a sent message's body is gone, yet resend said %v", err)
	}
}

// TestMailQueueBounded: 10,000 messages queued at once go out one at a
// time: the live heap stays flat (measured, in the log).
func TestMailQueueBounded(t *testing.T) {
	rl := startRelay(t, "portail@cabinet.example", "relay-secret")
	set := rl.settings()
	rl.Stop() // queued first, all of them, then sent
	e := start(t, func(c *Config) { c.Mail, c.Now = set, time.Now })
	const n = 10_000
	heap := testos.WatchHeap(t)
	enqueue(t, e.srv, n, func(i int) string { return fmt.Sprintf("client%d@example.fr", i) })
	rl.Listen(rl.Addr)
	e.srv.mail.queue.wake()
	// Under Wine each SMTP command's round trip costs about a
	// millisecond: minutes, not seconds, there.
	start := time.Now()
	for end := start.Add(10 * time.Minute); len(rl.Received()) < n || queueState(t, e.srv)[MailSent] != n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("after 10 minutes: %d at the relay, queue %v", len(rl.Received()), queueState(t, e.srv))
		}
	}
	t.Logf("10,000 messages through the relay in %v", time.Since(start).Round(time.Millisecond))
	heap.Done()
	if got := len(rl.Received()); got != n {
		t.Fatalf("%d messages received", got)
	}
	logins := rl.Logins()
	t.Logf("%d messages: live heap peak %d KiB (with garbage %d KiB); %d sessions with the relay", n, heap.Live>>10, heap.Alloc>>10, logins)
	// The received messages (about 8 MB) are the relay's, in this test's
	// heap too; the queue itself holds one message at a time.
	if heap.Live > 64<<20 {
		t.Errorf("live heap peak %d MiB", heap.Live>>20)
	}
}
