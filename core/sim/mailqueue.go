package sim

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

// The TLS modes of the mail relay.
const (
	// MailStartTLS submits on 587 (or the port given) and requires
	// STARTTLS before anything is sent: Microsoft 365, Google Workspace
	// and most relays.
	MailStartTLS = "starttls"
	// MailTLS speaks TLS from the first byte (port 465).
	MailTLS = "tls"
	// MailNoTLS sends in clear: only to a relay on loopback.
	MailNoTLS = "none"
)

// MailSettings say how the portal's mail leaves it: its sender and the
// relay that takes it.
type MailSettings struct {
	// Relay is the relay's host:port; empty keeps mail in the database
	// only (the sandbox mailbox).
	Relay string
	// TLS is MailStartTLS (when empty), MailTLS or MailNoTLS.
	TLS string
	// Username and Password log in to the relay (AUTH PLAIN, or LOGIN
	// where PLAIN is not offered); none when Username is empty.
	Username, Password string
	// RootCAs are the authorities the relay's certificate is checked
	// against; the system's when nil.
	RootCAs *x509.CertPool
	// From is the sender's address; FromName its display name
	// (DefaultFromName when empty): the portal's, never "Chorus Pro",
	// which a firm's users should learn to distrust in a mail.
	From, FromName string
	// RetryBase and RetryMax bound the wait between attempts of a
	// message the relay did not take (1 s doubling to 10 min by default);
	// MaxAge is how long one is tried before it is marked failed (24 h).
	RetryBase, RetryMax, MaxAge time.Duration
	// Timeout bounds one session with the relay (30 s).
	Timeout time.Duration
}

// DefaultFromName is the sender's display name when none is set.
const DefaultFromName = "Portail Chorus Onboard"

// Mail queue states.
const (
	MailPending = "pending"
	MailSent    = "sent"
	MailFailed  = "failed"
)

// withDefaults fills the zero fields.
func (s MailSettings) withDefaults() MailSettings {
	if s.TLS == "" {
		s.TLS = MailStartTLS
	}
	if s.FromName == "" {
		s.FromName = DefaultFromName
	}
	if s.RetryBase <= 0 {
		s.RetryBase = time.Second
	}
	if s.RetryMax <= 0 {
		s.RetryMax = 10 * time.Minute
	}
	if s.MaxAge <= 0 {
		s.MaxAge = 24 * time.Hour
	}
	if s.Timeout <= 0 {
		s.Timeout = 30 * time.Second
	}
	return s
}

// Check says what is wrong with the settings before anything is sent:
// a relay with a port, a known TLS mode, clear text only to loopback, a
// sender address that is one.
func (s MailSettings) Check() error {
	if s.Relay == "" {
		return nil
	}
	s = s.withDefaults()
	host, port, err := net.SplitHostPort(s.Relay)
	if err != nil || host == "" {
		return fmt.Errorf("the relay %q: HOST:PORT (smtp.example.org:587)", s.Relay)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("the relay %q: the port is a number from 1 to 65535", s.Relay)
	}
	switch s.TLS {
	case MailStartTLS, MailTLS:
	case MailNoTLS:
		if !loopbackHost(host) {
			return fmt.Errorf("the relay %s: TLS %q sends passwords and codes in clear: only to a relay on this computer (127.0.0.1, ::1, localhost)", s.Relay, MailNoTLS)
		}
	default:
		return fmt.Errorf("TLS mode %q: %s, %s or %s", s.TLS, MailStartTLS, MailTLS, MailNoTLS)
	}
	a, err := mail.ParseAddress(s.From)
	if err != nil || a.Name != "" || !strings.Contains(a.Address, "@") {
		return fmt.Errorf("the sender %q is not an e-mail address (noreply@example.org)", s.From)
	}
	if strings.HasSuffix(strings.ToLower(a.Address), ".invalid") {
		return fmt.Errorf("the sender %q is in a domain that cannot exist: relays and receivers refuse it", s.From)
	}
	if strings.Contains(strings.ToLower(s.FromName), "chorus pro") {
		return fmt.Errorf("the sender's name %q claims to be Chorus Pro: name the firm's portal instead", s.FromName)
	}
	return nil
}

// loopbackHost reports whether host is this computer.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// client builds a go-mail client for the settings.
func (s MailSettings) client() (*gomail.Client, error) {
	host, port, _ := net.SplitHostPort(s.Relay)
	n, _ := strconv.Atoi(port)
	opts := []gomail.Option{gomail.WithPort(n), gomail.WithTimeout(s.Timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: host, RootCAs: s.RootCAs, MinVersion: tls.VersionTLS12})}
	switch s.TLS {
	case MailTLS:
		opts = append(opts, gomail.WithSSL())
	case MailNoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.Username != "" {
		// The strongest mechanism the relay offers over TLS; in clear
		// (a relay on loopback only, Check says) PLAIN, which go-mail
		// otherwise keeps for TLS.
		auth := gomail.SMTPAuthAutoDiscover
		if s.TLS == MailNoTLS {
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	return gomail.NewClient(host, opts...)
}

// CheckRelay connects to the relay as the worker will (TLS, login) and
// leaves without sending: chorus-sim starts only when its mail can leave,
// and says why not.
func CheckRelay(ctx context.Context, s MailSettings) error {
	if s.Relay == "" {
		return nil
	}
	if err := s.Check(); err != nil {
		return err
	}
	s = s.withDefaults()
	c, err := s.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	if err := c.DialWithContext(ctx); err != nil {
		return fmt.Errorf("the relay %s (TLS %s): %w", s.Relay, s.TLS, err)
	}
	return c.Close()
}

// mailQueue hands the queued messages to the relay: one worker per
// instance, one message in memory at a time, however long the queue; the
// instances' workers share the queue through their claims (claim).
type mailQueue struct {
	db      *sqldb.Store
	set     MailSettings
	sandbox bool
	now     func() time.Time
	log     interface{ Warn(string, ...any) }
	wakeCh  chan struct{}
	stop    context.CancelFunc
	done    chan struct{}
	// domain is the sender's, for Message-IDs.
	domain string
	// worker names this worker's claims (claimed_by), so that it gives
	// back only its own.
	worker string
	once   sync.Once
}

func newMailQueue(db *sqldb.Store, cfg Config) *mailQueue {
	set := cfg.Mail.withDefaults()
	_, domain, _ := strings.Cut(set.From, "@")
	var w [8]byte
	_, _ = rand.Read(w[:])
	return &mailQueue{db: db, set: set, sandbox: cfg.Sandbox, now: cfg.Now, log: cfg.Log, wakeCh: make(chan struct{}, 1), domain: domain,
		worker: hex.EncodeToString(w[:])}
}

// enqueue writes a message in the request's transaction.
func (q *mailQueue) enqueue(ctx context.Context, tx querier, now time.Time, to, subject, body string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO mail_queue (message_id, recipient, subject, body, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, newMessageID(q.domain), to, subject, body, now.UnixMilli(), now.UnixMilli())
	return err
}

// newMessageID is a Message-ID of 128 random bits at the sender's domain:
// kept with the message, so every attempt sends the same one and a
// receiver that got it twice can tell.
func newMessageID(domain string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	if domain == "" {
		domain = "chorus-onboard.localhost"
	}
	return "<" + hex.EncodeToString(b[:]) + "@" + domain + ">"
}

// wake tells the worker a message is waiting.
func (q *mailQueue) wake() {
	select {
	case q.wakeCh <- struct{}{}:
	default:
	}
}

// start runs the worker until close.
func (q *mailQueue) start() {
	ctx, stop := context.WithCancel(context.Background())
	q.stop, q.done = stop, make(chan struct{})
	go q.run(ctx)
}

// close stops the worker, after the message it is sending.
func (q *mailQueue) close() {
	q.once.Do(func() {
		if q.stop != nil {
			q.stop()
			<-q.done
		}
	})
}

// mailPoll is how often the worker looks at the queue when nothing woke
// it: a message queued by another process (chorus-sim admin, mail resend).
const mailPoll = 5 * time.Second

func (q *mailQueue) run(ctx context.Context) {
	defer close(q.done)
	for {
		next, err := q.drain(ctx)
		if err != nil && ctx.Err() == nil {
			q.log.Warn("mail queue", "err", err)
		}
		wait := mailPoll
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(q.now()), time.Millisecond))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-q.wakeCh:
		case <-t.C:
		}
		t.Stop()
	}
}

// queued is one row of the queue.
type queued struct {
	id            int64
	messageID, to string
	subject, body string
	attempts      int
	created       time.Time
}

// markBatch is how many sent messages are marked in one transaction:
// one fsync per message would make the database, not the relay, the
// limit (10,000 messages took 32 s so, most of it in fsync). A portal
// killed before the mark sends those again, with the same Message-ID,
// which a receiver can tell apart; a relay's own crash does the same.
const markBatch = 100

// mailLease is how long a worker's claim on a message keeps the other
// instances' workers off it, so that a message is sent once whichever
// instance claims it; a worker killed mid-batch leaves its messages to
// the others after it. A worker sends from a batch for half the lease at
// most, then gives the rest back and claims again: a send never starts
// on a claim that could lapse before it ends (one send takes Timeout at
// most, far less).
const mailLease = 5 * time.Minute

// drain sends every due message, one session with the relay for as many
// as it takes, and returns when the next one is due (zero: none waits).
// It claims the due messages markBatch at a time (claim), then loads and
// sends them one by one: one body in memory at a time.
func (q *mailQueue) drain(ctx context.Context) (next time.Time, err error) {
	var c *gomail.Client
	var sent, claimed []int64
	var claimedAt time.Time
	defer func() {
		if c != nil {
			_ = c.Close()
		}
		// What was sent is recorded even when the portal is stopping,
		// and what it claimed but did not try goes back to the queue.
		bg := context.WithoutCancel(ctx)
		if ferr := q.markSent(bg, sent); ferr != nil && err == nil {
			err = ferr
		}
		if ferr := q.release(bg, claimed); ferr != nil && err == nil {
			err = ferr
		}
	}()
	for ctx.Err() == nil {
		if len(claimed) > 0 && q.now().Sub(claimedAt) > mailLease/2 {
			if err := q.release(ctx, claimed); err != nil {
				return time.Time{}, err
			}
			claimed = nil
		}
		if len(claimed) == 0 {
			if claimed, next, err = q.claim(ctx); err != nil || len(claimed) == 0 {
				return next, err
			}
			claimedAt = q.now()
		}
		m, err := q.load(ctx, claimed[0])
		claimed = claimed[1:]
		if err != nil {
			return time.Time{}, err
		}
		if m == nil {
			continue // resent or swept meanwhile
		}
		if q.now().Sub(m.created) > q.set.MaxAge {
			if err := q.mark(ctx, m, MailFailed, "expired: the relay did not take it in "+q.set.MaxAge.String()); err != nil {
				return time.Time{}, err
			}
			continue
		}
		if c == nil {
			if c, err = q.set.client(); err == nil {
				dctx, cancel := context.WithTimeout(ctx, q.set.Timeout)
				err = c.DialWithContext(dctx)
				cancel()
			}
			if err != nil {
				c = nil
				if rerr := q.retry(ctx, m, err); rerr != nil {
					return time.Time{}, rerr
				}
				continue
			}
		}
		msg, err := q.message(m)
		if err == nil {
			err = c.Send(msg)
		}
		switch {
		case err == nil:
			sent = append(sent, m.id)
			if len(sent) == markBatch {
				if err := q.markSent(ctx, sent); err != nil {
					return time.Time{}, err
				}
				sent = sent[:0]
			}
		case permanent(err):
			if err := q.mark(ctx, m, MailFailed, relayAnswer(err)); err != nil {
				return time.Time{}, err
			}
			_ = c.Reset()
		default:
			// The session may be broken: a new one for the next.
			_ = c.Close()
			c = nil
			if err := q.retry(ctx, m, err); err != nil {
				return time.Time{}, err
			}
		}
	}
	return time.Time{}, ctx.Err()
}

// idList is ids as SQL's "(?, ?, …)" and its arguments, first the
// arguments of before.
func idList(ids []int64, before ...any) (string, []any) {
	args := append(before, make([]any, 0, len(ids))...)
	var b strings.Builder
	b.WriteByte('(')
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('?')
		args = append(args, id)
	}
	b.WriteByte(')')
	return b.String(), args
}

// markSent records messages sent, in one transaction: their bodies
// emptied (but on a sandbox, whose mailbox shows them anyway).
func (q *mailQueue) markSent(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	body := "body"
	if !q.sandbox {
		body = "''"
	}
	list, args := idList(ids, q.now().UnixMilli())
	return q.db.Tx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE mail_queue SET state = 'sent', last_error = '', attempts = attempts + 1, sent_at = ?,
			claimed_until = 0, body = `+body+` WHERE id IN `+list+` AND state = 'pending'`, args...)
		return err
	})
}

// release gives back claimed messages no attempt was made at.
func (q *mailQueue) release(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	list, args := idList(ids, q.worker)
	return q.db.Tx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE mail_queue SET claimed_until = 0 WHERE claimed_by = ? AND id IN `+list+` AND state = 'pending'`, args...)
		return err
	})
}

// claim takes up to markBatch messages due now for this worker for
// mailLease, oldest due first, and returns their ids; when none is due,
// it says when the next one will be. On PostgreSQL the rows another
// instance's worker is claiming are skipped (SKIP LOCKED), not waited
// for; on SQLite the writer is alone.
func (q *mailQueue) claim(ctx context.Context) ([]int64, time.Time, error) {
	now := q.now().UnixMilli()
	var ids []int64
	var next sql.NullInt64
	err := q.db.Tx(ctx, func(tx *sqldb.Tx) error {
		ids, next = ids[:0], sql.NullInt64{}
		skipLocked := ""
		if tx.Engine() == sqldb.Postgres {
			skipLocked = " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.QueryContext(ctx, `UPDATE mail_queue SET claimed_until = ?, claimed_by = ? WHERE id IN (SELECT id FROM mail_queue
			WHERE state = 'pending' AND next_attempt_at <= ? AND claimed_until <= ? ORDER BY next_attempt_at, id LIMIT ?`+skipLocked+`)
			RETURNING id`, now+mailLease.Milliseconds(), q.worker, now, now, markBatch)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil || len(ids) > 0 {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT min(CASE WHEN claimed_until > next_attempt_at THEN claimed_until ELSE next_attempt_at END)
			FROM mail_queue WHERE state = 'pending'`).Scan(&next)
	})
	if err != nil || len(ids) > 0 || !next.Valid {
		slices.Sort(ids)
		return ids, time.Time{}, err
	}
	return nil, time.UnixMilli(next.Int64), nil
}

// load reads a message this worker claimed; nil when it is no longer
// pending, or no longer this worker's.
func (q *mailQueue) load(ctx context.Context, id int64) (*queued, error) {
	m := queued{id: id}
	var created int64
	err := q.db.QueryRowContext(ctx, `SELECT message_id, recipient, subject, body, attempts, created_at FROM mail_queue
		WHERE id = ? AND state = 'pending' AND claimed_by = ?`, id, q.worker).Scan(&m.messageID, &m.to, &m.subject, &m.body, &m.attempts, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m.created = time.UnixMilli(created)
	return &m, nil
}

// message builds what the relay receives: the portal's sender, a
// Message-ID of its own, Auto-Submitted (no auto-reply comes back),
// UTF-8 text in quoted-printable, which every relay takes.
func (q *mailQueue) message(m *queued) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithEncoding(gomail.EncodingQP), gomail.WithCharset(gomail.CharsetUTF8))
	if err := msg.FromFormat(q.set.FromName, q.set.From); err != nil {
		return nil, err
	}
	if err := msg.To(m.to); err != nil {
		return nil, err
	}
	msg.Subject(m.subject)
	msg.SetMessageIDWithValue(strings.Trim(m.messageID, "<>"))
	msg.SetDateWithValue(m.created)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.body)
	return msg, nil
}

// permanent reports whether the relay refused the message for good (a 5xx
// reply to it): trying again would get the same answer.
func permanent(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return !se.IsTemp() && se.ErrorCode() >= 500
	}
	return false
}

// relayAnswer is what the relay said, for the operator.
func relayAnswer(err error) string {
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() != 0 {
		s := strconv.Itoa(se.ErrorCode())
		if e := se.EnhancedStatusCode(); e != "" {
			s += " " + e
		}
		return s + ": " + clipText(err.Error(), 400)
	}
	return clipText(err.Error(), 400)
}

// clipText cuts s to n bytes at a rune boundary.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// mark records a message's end other than sent: failed, with the
// relay's answer (its body kept a day, for a resend once the cause is
// fixed).
func (q *mailQueue) mark(ctx context.Context, m *queued, state, answer string) error {
	return q.db.Tx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE mail_queue SET state = ?, last_error = ?, attempts = attempts + 1, sent_at = ?,
			claimed_until = 0 WHERE id = ? AND state = 'pending'`, state, answer, q.now().UnixMilli(), m.id)
		return err
	})
}

// retry records a failed attempt and when to try again: RetryBase
// doubling with each attempt, at most RetryMax.
func (q *mailQueue) retry(ctx context.Context, m *queued, cause error) error {
	wait := q.set.RetryBase << min(m.attempts, 20)
	if wait <= 0 || wait > q.set.RetryMax {
		wait = q.set.RetryMax
	}
	return q.db.Tx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE mail_queue SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
			claimed_until = 0 WHERE id = ? AND state = 'pending'`, q.now().Add(wait).UnixMilli(), clipText(cause.Error(), 400), m.id)
		return err
	})
}

// QueuedMail is a message of the queue as the operator sees it: never its
// body, which may hold a code.
type QueuedMail struct {
	ID                  int64
	MessageID, To       string
	Subject, State      string
	Attempts            int
	Created, Next, Sent time.Time
	LastError           string
	// Resendable is false once the body is gone (sent on a portal that
	// is no sandbox, or refused more than a day ago).
	Resendable bool
}

// MailQueue lists the queue, newest first, at most limit; state filters
// ("" for all).
func (s *Server) MailQueue(ctx context.Context, state string, limit int) ([]QueuedMail, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, message_id, recipient, subject, state, attempts, created_at,
		next_attempt_at, sent_at, last_error, body <> '' FROM mail_queue WHERE ? = '' OR state = ? ORDER BY id DESC LIMIT ?`,
		state, state, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []QueuedMail
	for rows.Next() {
		var m QueuedMail
		var created, next, sent int64
		if err := rows.Scan(&m.ID, &m.MessageID, &m.To, &m.Subject, &m.State, &m.Attempts, &created, &next, &sent,
			&m.LastError, &m.Resendable); err != nil {
			return nil, err
		}
		m.Created, m.Next = time.UnixMilli(created), time.UnixMilli(next)
		if sent != 0 {
			m.Sent = time.UnixMilli(sent)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ErrNotResendable says a message cannot be sent again: no such message,
// or its body (its code, its link) is no longer kept.
var ErrNotResendable = errors.New("no such message, or its body is no longer kept (a message sent is emptied; ask the user to request a new code or link)")

// ResendMail queues a message again, due now, whatever its state; a
// running portal's worker sends it within mailPoll.
func (s *Server) ResendMail(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE mail_queue SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = '',
			claimed_until = 0, created_at = ? WHERE id = ? AND body <> ''`, s.cfg.Now().UnixMilli(), s.cfg.Now().UnixMilli(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotResendable
		}
		return nil
	})
}
