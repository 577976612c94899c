package sim

import (
	"bufio"
	"net"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/portal"
)

// fakeSMTP accepts messages on loopback and hands each DATA section to got.
func fakeSMTP(t *testing.T, got chan<- string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				reply := func(s string) { _, _ = c.Write([]byte(s + "\r\n")) }
				reply("220 fake ESMTP")
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					cmd := strings.ToUpper(strings.TrimSpace(line))
					switch {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						reply("250 fake")
					case cmd == "DATA":
						reply("354 go on")
						var msg strings.Builder
						for {
							l, err := r.ReadString('\n')
							if err != nil || l == ".\r\n" {
								break
							}
							msg.WriteString(l)
						}
						got <- msg.String()
						reply("250 queued")
					case cmd == "QUIT":
						reply("221 bye")
						return
					default:
						reply("250 ok")
					}
				}
			}(conn)
		}
	}()
	return ln.Addr().String()
}

func TestSMTP(t *testing.T) {
	got := make(chan string, 4)
	addr := fakeSMTP(t, got)
	e := start(t, func(c *Config) { c.SMTPAddr = addr })
	last := answers(t)
	c := portal.NewOnboarding(e.http.URL, nil)
	ch, _ := c.Captcha(t.Context())
	if err := c.CreateAccount(t.Context(), "", api.CreateAccount{CaptchaID: ch.ID, CaptchaAnswer: last(), Account: account("smtp@example.fr")}); err != nil {
		t.Fatal(err)
	}
	e.srv.mail.wait()
	msg := <-got
	if !strings.Contains(msg, "To: smtp@example.fr") || !strings.Contains(msg, api.PathActivate+"?token=") || !strings.Contains(msg, "charset=utf-8") {
		t.Fatalf("message sent:\n%s", msg)
	}
	// The database copy is kept as well (the sandbox mailbox).
	mails, _ := c.Mailbox(t.Context(), "smtp@example.fr")
	if len(mails) != 1 {
		t.Fatalf("%d mails kept", len(mails))
	}
}
