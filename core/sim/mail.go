package sim

import (
	"fmt"
	"mime"
	"net/smtp"
	"strings"
	"time"
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
