package sim

import (
	"net/http"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

// mailer is the portal's post office: it keeps every message in the
// database (the sandbox mailbox reads them), queues it for the relay in
// the same transaction when there is one, and limits what anonymous
// requests make it send.
type mailer struct {
	sandbox bool
	// queue is the relay's queue; nil without a relay.
	queue *mailQueue
	// to and from limit the e-mail anonymous requests make the portal
	// send, by recipient and by client address. signIn limits the codes a
	// sign-in mails (its own budget, by recipient: only someone with the
	// password asks for those, and anonymous requests spending the
	// address's budget must not keep the owner out).
	to, from, signIn rule
	// name is the portal's, the sender's display name: every subject
	// starts with it, so a message never claims to come from Chorus Pro.
	name string
}

func newMailer(cfg Config, db *sqldb.Store) *mailer {
	m := &mailer{sandbox: cfg.Sandbox, to: rule{"mail.to", mailWindow, mailsPerAddress},
		from: rule{"mail.from", mailWindow, mailsPerClient}, signIn: rule{"mail.sign_in", mailWindow, signInCodesPerAddress}, name: cfg.Mail.withDefaults().FromName}
	if cfg.Mail.Relay != "" || cfg.QueueMail {
		m.queue = newMailQueue(db, cfg)
		if cfg.Mail.Relay != "" {
			m.queue.start()
		}
	}
	return m
}

// close stops the relay's worker after the message it is sending; what
// is still queued stays for the next start.
func (m *mailer) close() {
	if m.queue != nil {
		m.queue.close()
	}
}

// outgoing marks a request that queued mail: once its transaction
// committed, the worker is woken.
type outgoing struct{}

// committed wakes the worker when the committed request queued mail.
func (m *mailer) committed(c *call) {
	if len(c.mail) > 0 && m.queue != nil {
		m.queue.wake()
	}
}

// send keeps the message in the database, in the request's transaction,
// and queues it for the relay in the same transaction: a request that
// rolls back sends nothing, and one that committed is sent even if the
// portal stops right after. secret is what the body carries that opens
// something (an activation token, a code): the sandbox mailbox shows it,
// so the record keeps it only with --sandbox; otherwise the record says a
// secret was sent, and only the queue holds it, until it is sent. The
// subject is prefixed with the portal's name.
func (m *mailer) send(c *call, to, subject, body, link, secret string) error {
	subject = m.name + " : " + subject
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
	if m.queue != nil {
		if err := m.queue.enqueue(c.r.Context(), c.tx, c.now, to, subject, body); err != nil {
			return err
		}
		c.mail = append(c.mail, outgoing{})
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

// limit counts an e-mail an anonymous request makes the portal send, to
// this recipient and from this client address (shared.go: in the
// database, for every instance); over either limit the request is
// refused (429, Retry-After), nothing is counted and nothing is sent.
func (m *mailer) limit(c *call, to string) error {
	_, wait, err := takeAll(c.r.Context(), c.tx, c.now, limitKey{m.to, strings.ToLower(to)}, limitKey{m.from, c.ip})
	if err != nil {
		return err
	}
	if wait > 0 {
		return &httpError{status: http.StatusTooManyRequests, body: apiErr(api.CodeMailThrottled), retryAfter: int(wait.Seconds()) + 1}
	}
	return nil
}

// limitSignIn counts a code mailed for a sign-in (or the enrolment of
// e-mailed codes) to this recipient, in the sign-in codes' own budget; it
// returns 0, or how long until one more may be sent (nothing is counted).
func (m *mailer) limitSignIn(c *call, to string) (time.Duration, error) {
	_, wait, err := takeAll(c.r.Context(), c.tx, c.now, limitKey{m.signIn, strings.ToLower(to)})
	return wait, err
}
