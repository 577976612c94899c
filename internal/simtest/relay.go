package simtest

import (
	"crypto/tls"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Relay is a real SMTP server on loopback (github.com/emersion/go-smtp),
// standing in for a firm's mail relay in tests: STARTTLS when given a
// certificate, AUTH PLAIN when given a login (in clear too without one:
// loopback only), and one recipient it refuses for good (550 5.1.1).
type Relay struct {
	// Addr is where it listens (the same again after Stop and Listen).
	Addr string
	// Refuse is the recipient answered 550.
	Refuse string

	tb         testing.TB
	user, pass string
	tls        *tls.Config

	mu     sync.Mutex
	srv    *smtp.Server
	ln     net.Listener
	got    []string
	byID   map[string]int
	logins int
}

// StartRelay starts a relay on a free loopback port, wanting user and
// pass when user is set, offering STARTTLS with cert when it is not nil;
// it stops with the test.
func StartRelay(tb testing.TB, user, pass string, cert *tls.Certificate) *Relay {
	r := &Relay{tb: tb, user: user, pass: pass, byID: map[string]int{}, Refuse: "nobody@cabinet.example"}
	if cert != nil {
		r.tls = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	r.Listen("127.0.0.1:0")
	tb.Cleanup(r.Stop)
	return r
}

// Listen serves on addr: a relay back up after Stop.
func (r *Relay) Listen(addr string) {
	r.tb.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		r.tb.Fatal(err)
	}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }))
	s.Domain, s.TLSConfig, s.AllowInsecureAuth = "relay.test", r.tls, r.tls == nil
	s.ReadTimeout, s.WriteTimeout, s.MaxMessageBytes = 10*time.Second, 10*time.Second, 1<<20
	r.mu.Lock()
	r.srv, r.ln, r.Addr = s, ln, ln.Addr().String()
	r.mu.Unlock()
	go func() { _ = s.Serve(ln) }()
}

// Stop closes the relay: connections are refused until Listen.
func (r *Relay) Stop() {
	r.mu.Lock()
	s, ln := r.srv, r.ln
	r.srv, r.ln = nil, nil
	r.mu.Unlock()
	if s != nil {
		// The listener too: Serve may not have taken it yet, and Close
		// closes only those it took.
		_ = ln.Close()
		_ = s.Close()
	}
}

// Received returns the messages received, as sent (headers and body).
func (r *Relay) Received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

// TimesReceived counts the messages received by Message-ID.
func (r *Relay) TimesReceived() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.byID))
	for k, v := range r.byID {
		out[k] = v
	}
	return out
}

// Logins counts the successful logins: the sessions a client opened.
func (r *Relay) Logins() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logins
}

type relaySession struct {
	r      *Relay
	authed bool
}

func (s *relaySession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *relaySession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.r.user || pass != s.r.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication credentials invalid"}
		}
		s.authed = true
		s.r.mu.Lock()
		s.r.logins++
		s.r.mu.Unlock()
		return nil
	}), nil
}
func (s *relaySession) Mail(string, *smtp.MailOptions) error {
	if s.r.user != "" && !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	return nil
}
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.EqualFold(to, s.r.Refuse) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
	}
	return nil
}
func (s *relaySession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(b)))
	if err != nil {
		return err
	}
	s.r.mu.Lock()
	s.r.got = append(s.r.got, string(b))
	s.r.byID[msg.Header.Get("Message-ID")]++
	s.r.mu.Unlock()
	return nil
}
func (s *relaySession) Reset()        {}
func (s *relaySession) Logout() error { return nil }
