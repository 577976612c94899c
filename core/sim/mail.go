package sim

import (
	"fmt"
	"mime"
	"net/http"
	"net/smtp"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/api"
)

// queueSMTP sends a message to the --smtp server in the background: the
// request does not wait for a mail server, and the database copy is the
// record either way.
func (s *Server) queueSMTP(to, subject, body string) {
	s.mailWG.Add(1)
	go func() {
		defer s.mailWG.Done()
		msg := fmt.Sprintf("From: Chorus Pro (chorus-sim) <noreply@chorus-sim.invalid>\r\nTo: %s\r\nSubject: %s\r\n"+
			"Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s",
			to, mime.QEncoding.Encode("utf-8", subject), time.Now().Format(time.RFC1123Z), strings.ReplaceAll(body, "\n", "\r\n"))
		if err := smtp.SendMail(s.cfg.SMTPAddr, nil, "noreply@chorus-sim.invalid", []string{to}, []byte(msg)); err != nil {
			s.cfg.Log.Warn("smtp send failed", "err", err)
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
func (s *Server) sendMail(c *call, to, subject, body, link, secret string) error {
	kept, keptLink := body, link
	if !s.cfg.Sandbox {
		keptLink = ""
		if secret != "" {
			kept = strings.ReplaceAll(body, secret, "[…]")
		}
	}
	if _, err := c.tx.ExecContext(c.r.Context(), `INSERT INTO mail (recipient, subject, body, link, created_at) VALUES (?, ?, ?, ?, ?)`,
		to, subject, kept, keptLink, c.now.UnixMilli()); err != nil {
		return err
	}
	if s.cfg.SMTPAddr != "" {
		c.mail = append(c.mail, outgoing{to, subject, body})
	}
	return nil
}

// mailbox lists the mail kept for ?to=, newest first. On a public sandbox
// the caller is signed in (the route says so) and only their own mail is
// shown: another address answers 403.
func (s *Server) mailbox(c *call) (int, any, error) {
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
		var m api.Mail
		if err := rows.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &m.Link, &m.Sent); err != nil {
			return 0, nil, err
		}
		m.Sent /= 1000
		out = append(out, m)
	}
	return http.StatusOK, out, rows.Err()
}
