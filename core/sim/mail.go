package sim

import (
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/smtp"
	"strings"
	"sync"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/api"
)

// mailer is the portal's post office: it keeps every message in the
// database (the sandbox mailbox reads them), hands them to the --smtp
// server once their request committed, and limits what anonymous requests
// make it send.
type mailer struct {
	smtpAddr string
	sandbox  bool
	log      *slog.Logger
	wg       sync.WaitGroup
	// to and from limit the e-mail anonymous requests make the portal
	// send, by recipient and by client address.
	to, from *limiter
}

func newMailer(cfg Config) *mailer {
	return &mailer{smtpAddr: cfg.SMTPAddr, sandbox: cfg.Sandbox, log: cfg.Log,
		to: newLimiter(mailWindow, mailsPerAddress), from: newLimiter(mailWindow, mailsPerClient)}
}

// wait waits for the messages being handed to the --smtp server.
func (m *mailer) wait() { m.wg.Wait() }

// queueSMTP sends a message to the --smtp server in the background: the
// request does not wait for a mail server, and the database copy is the
// record either way.
func (m *mailer) queueSMTP(to, subject, body string) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		msg := fmt.Sprintf("From: Chorus Pro (chorus-sim) <noreply@chorus-sim.invalid>\r\nTo: %s\r\nSubject: %s\r\n"+
			"Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s",
			to, mime.QEncoding.Encode("utf-8", subject), time.Now().Format(time.RFC1123Z), strings.ReplaceAll(body, "\n", "\r\n"))
		if err := smtp.SendMail(m.smtpAddr, nil, "noreply@chorus-sim.invalid", []string{to}, []byte(msg)); err != nil {
			m.log.Warn("smtp send failed", "err", err)
		}
	}()
}

// outgoing is a message to hand to the --smtp server once its request's
// transaction committed.
type outgoing struct{ to, subject, body string }

// sendMail keeps the message in the database, in the request's
// transaction, and, with --smtp, has it sent once that transaction
// committed: a request that rolls back sends nothing. secret is what the
// body carries that opens something (an activation token, a code): the
// sandbox mailbox shows it, so the record keeps it only with --sandbox;
// otherwise the record says a secret was sent, and only the mail carries it.
func (m *mailer) send(c *call, to, subject, body, link, secret string) error {
	kept, keptLink := body, link
	if !m.sandbox {
		keptLink = ""
		if secret != "" {
			kept = strings.ReplaceAll(body, secret, "[…]")
		}
	}
	if _, err := c.tx.ExecContext(c.r.Context(), `INSERT INTO mail (recipient, subject, body, link, created_at) VALUES (?, ?, ?, ?, ?)`,
		to, subject, kept, keptLink, c.now.UnixMilli()); err != nil {
		return err
	}
	if m.smtpAddr != "" {
		c.mail = append(c.mail, outgoing{to, subject, body})
	}
	return nil
}

// mailbox lists the mail kept for ?to=, newest first. On a public sandbox
// the caller is signed in (the route says so) and only their own mail is
// shown: another address answers 403.
func (m *mailer) mailbox(c *call) (int, any, error) {
	to := strings.TrimSpace(c.r.URL.Query().Get("to"))
	if to == "" {
		return 0, nil, fail(http.StatusBadRequest, api.CodeMalformed)
	}
	if c.account != 0 {
		var own string
		if err := c.tx.QueryRowContext(c.r.Context(), `SELECT email FROM account WHERE id = ?`, c.account).Scan(&own); err != nil {
			return 0, nil, err
		}
		if !strings.EqualFold(own, to) {
			return 0, nil, fail(http.StatusForbidden, api.CodeForbidden)
		}
	}
	rows, err := c.tx.QueryContext(c.r.Context(), `SELECT id, recipient, subject, body, link, created_at FROM mail
		WHERE recipient = ? ORDER BY id DESC LIMIT 100`, to)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	out := []api.Mail{}
	for rows.Next() {
		var msg api.Mail
		if err := rows.Scan(&msg.ID, &msg.To, &msg.Subject, &msg.Body, &msg.Link, &msg.Sent); err != nil {
			return 0, nil, err
		}
		msg.Sent /= 1000
		out = append(out, msg)
	}
	return http.StatusOK, out, rows.Err()
}

// limitMail counts an e-mail an anonymous request makes the portal send,
// to this recipient and from this client address; over the limit the
// request is refused (429, Retry-After) and nothing is sent.
func (m *mailer) limit(c *call, to string) error {
	to = strings.ToLower(to)
	wait := max(m.to.wait(c.now, to), m.from.wait(c.now, c.ip))
	if wait == 0 {
		// Checked first, then taken: a refusal counts against neither.
		wait = max(m.to.take(c.now, to), m.from.take(c.now, c.ip))
	}
	if wait > 0 {
		return &httpError{status: http.StatusTooManyRequests, body: apiErr(api.CodeMailThrottled), retryAfter: int(wait.Seconds()) + 1}
	}
	return nil
}
