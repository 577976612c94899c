package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/internal/pgtest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// twoInstances starts two portals on one PostgreSQL database, as two
// instances behind a load balancer; mutate sets both up.
func twoInstances(t *testing.T, mutate ...func(*Config)) (a, b *env) {
	t.Helper()
	dsn := pgtest.Database(t)
	on := append([]func(*Config){func(c *Config) { c.Database, c.DataDir = dsn, testos.TempDir(t) }}, mutate...)
	return start(t, on...), start(t, on...)
}

// TestInstancesShareTheRecords: on two instances of one database, a
// captcha drawn by one is answered on the other, the activation link
// mailed by one opens the account on the other, a session opened on one
// serves on the other, and a create retried on the other instance with
// its Idempotency-Key is recognized (replayed, one structure).
func TestInstancesShareTheRecords(t *testing.T) {
	ctx := t.Context()
	a, b := twoInstances(t)
	last := answers(t)
	ca, cb := portal.NewOnboarding(a.http.URL, nil), portal.NewOnboarding(b.http.URL, nil)
	ch, err := ca.Captcha(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := cb.CreateAccount(ctx, "", api.CreateAccount{CaptchaID: ch.ID, CaptchaAnswer: strings.ToLower(last()),
		Account: account("lea@example.fr")}); err != nil {
		t.Fatalf("a captcha of instance A answered on B: %v", err)
	}
	mails, err := ca.Mailbox(ctx, "lea@example.fr")
	if err != nil || len(mails) != 1 {
		t.Fatalf("the mail B sent, read on A: %+v %v", mails, err)
	}
	token := mails[0].Link[strings.Index(mails[0].Link, "token=")+len("token="):]
	if err := ca.Activate(ctx, token, goodPassword); err != nil {
		t.Fatalf("B's activation link opened on A: %v", err)
	}
	s, err := ca.SignIn(ctx, "lea@example.fr", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	cb.SetSession(s.Token)
	first, err := cb.CreateStructure(ctx, "op-1", structure("73282932000074"))
	if err != nil {
		t.Fatalf("A's session on B: %v", err)
	}
	ca.SetSession(s.Token)
	again, err := ca.CreateStructure(ctx, "op-1", structure("73282932000074"))
	if err != nil || again.ID != first.ID {
		t.Fatalf("the create retried on A: %+v %v (first %+v)", again, err, first)
	}
	if n := countRows(t, a, `SELECT count(*) FROM structure`); n != 1 {
		t.Fatalf("%d structures after a retry on the other instance", n)
	}
	// Signed out on B: the session is gone on A as well.
	if err := cb.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ca.MyAttachments(ctx); code(err) != api.CodeUnauthorized {
		t.Fatalf("a session ended on B, used on A: %v", err)
	}
}

// TestInstancesShareTheThrottle: 300 parallel wrong passwords for one
// account from one address, spread over two instances, get the limit
// evaluated in all (pairFailures), not the limit on each; the rest wait
// (429).
func TestInstancesShareTheThrottle(t *testing.T) {
	a, b := twoInstances(t)
	onboard(t, a, "eve@example.fr")
	c := from("127.0.0.1")
	var mu sync.Mutex
	got := map[int]int{}
	var wg sync.WaitGroup
	for i := range 300 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			url := a.http.URL
			if i%2 == 1 {
				url = b.http.URL
			}
			st, _, _ := post(t, c, url+api.PathSession, "", api.SignIn{Email: "eve@example.fr", Password: "wrong"})
			mu.Lock()
			got[st]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	t.Logf("300 parallel wrong passwords over two instances: %d evaluated, %d throttled, others %v", got[http.StatusUnauthorized],
		got[http.StatusTooManyRequests], got)
	if got[http.StatusUnauthorized] != pairFailures || got[http.StatusTooManyRequests] != 300-pairFailures {
		t.Fatalf("%v: want %d evaluated in all", got, pairFailures)
	}
}

// TestInstancesSendEachMailOnce: 300 messages queued while both
// instances' workers run against one relay each reach it once (by
// Message-ID), and the queue holds them all as sent.
func TestInstancesSendEachMailOnce(t *testing.T) {
	rl := startRelay(t, "", "")
	a, b := twoInstances(t, func(c *Config) { c.Mail, c.Sandbox = rl.settings(), false })
	ctx := t.Context()
	const n = 300
	for i := range n {
		srv := a.srv
		if i%2 == 1 {
			srv = b.srv
		}
		if err := srv.db.Tx(ctx, func(tx *sqldb.Tx) error {
			return srv.mail.queue.enqueue(ctx, tx, srv.cfg.Now(), "lea@example.fr", "message", "body")
		}); err != nil {
			t.Fatal(err)
		}
		srv.mail.queue.wake()
	}
	waitFor(t, "every message at the relay", func() bool { return len(rl.TimesReceived()) == n })
	waitFor(t, "every message marked sent", func() bool { return queueState(t, a.srv)[MailSent] == n })
	for id, times := range rl.TimesReceived() {
		if times != 1 {
			t.Errorf("message %s reached the relay %d times", id, times)
		}
	}
	if got := len(rl.Received()); got != n {
		t.Fatalf("the relay received %d messages for %d queued", got, n)
	}
}

// TestDatabaseRestartUnderLoad: four desktops create structures through
// two instances while the PostgreSQL server is killed and started again.
// Requests that meet the outage get a coded 503 with Retry-After (never
// another answer); the desktops send them again with the same key, to
// either instance; at the end every structure is there once, and the
// instances answered again without being restarted.
func TestDatabaseRestartUnderLoad(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("PostgreSQL runs in the Linux tests only")
	}
	ctx := t.Context()
	pg, err := pgtest.StartServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Remove)
	dsn, err := pg.NewDatabase(ctx, "restart")
	if err != nil {
		t.Fatal(err)
	}
	on := func(c *Config) { c.Database, c.DataDir = dsn, testos.TempDir(t) }
	in := []*env{start(t, on), start(t, on)}
	const writers, each = 4, 40
	tokens := make([]string, writers)
	for w := range writers {
		c := onboard(t, in[0], fmt.Sprintf("desk%d@example.fr", w))
		s, err := c.SignIn(ctx, fmt.Sprintf("desk%d@example.fr", w), goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		tokens[w] = s.Token
	}
	sirets := coretest.SIRETs(writers * each)
	var (
		mu          sync.Mutex
		done        int
		unavailable int
		badAnswer   string
	)
	send := func(url, token, key string, body any) (int, string, []byte, error) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+api.PathStructures, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(api.HeaderAuthorization, "Bearer "+token)
		req.Header.Set(api.HeaderIdempotencyKey, key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, "", nil, err
		}
		defer res.Body.Close()
		out, err := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Retry-After"), out, err
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := fmt.Sprintf("desk%d-%d", w, i)
				body := api.StructureBody(structure(sirets[w*each+i]))
				for try := 0; ; try++ {
					if try > 600 {
						t.Errorf("desktop %d: structure %d never accepted", w, i)
						return
					}
					st, retry, b, err := send(in[(w+try)%2].http.URL, tokens[w], key, body)
					if err == nil && st == http.StatusCreated {
						break
					}
					mu.Lock()
					var e api.Error
					switch {
					case err != nil:
						badAnswer = fmt.Sprintf("no answer: %v", err)
					case st == http.StatusServiceUnavailable && json.Unmarshal(b, &e) == nil && e.Code == api.CodeUnavailable && retry != "":
						unavailable++
					default:
						badAnswer = fmt.Sprintf("%d (Retry-After %q) %s", st, retry, b)
					}
					mu.Unlock()
					time.Sleep(50 * time.Millisecond)
				}
				mu.Lock()
				done++
				mu.Unlock()
			}
		}()
	}
	waitFor(t, "a quarter of the structures", func() bool { mu.Lock(); defer mu.Unlock(); return done >= writers*each/4 })
	pg.Kill()
	time.Sleep(300 * time.Millisecond)
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	t.Logf("%d structures through two instances, the database killed and started once: %d answers were a coded 503", writers*each, unavailable)
	if badAnswer != "" {
		t.Fatalf("an answer other than a coded 503 with Retry-After during the outage: %s", badAnswer)
	}
	if unavailable == 0 {
		t.Fatal("no request met the outage: the test did not test it")
	}
	if n := countRows(t, in[1], `SELECT count(*) FROM structure`); n != writers*each {
		t.Fatalf("%d structures for %d acknowledged", n, writers*each)
	}
	if n := countRows(t, in[0], `SELECT count(*) FROM idempotency WHERE key LIKE 'desk%'`); n != writers*each {
		t.Fatalf("%d recorded answers for %d creates", n, writers*each)
	}
}

// TestMailClaims: a worker's claim keeps the others off its messages
// until it lapses; then another worker takes them, the first can no
// longer load them, and giving back its old claim does not undo the new
// one. Runs on the engine of the package's run (both in make test).
func TestMailClaims(t *testing.T) {
	e := start(t, func(c *Config) { c.QueueMail = true })
	ctx := t.Context()
	qa := e.srv.mail.queue
	qb := newMailQueue(e.srv.db, e.srv.cfg)
	for range 3 {
		if err := e.srv.db.Tx(ctx, func(tx *sqldb.Tx) error {
			return qa.enqueue(ctx, tx, e.clock.now(), "lea@example.fr", "message", "body")
		}); err != nil {
			t.Fatal(err)
		}
	}
	mine, _, err := qa.claim(ctx)
	if err != nil || len(mine) != 3 {
		t.Fatalf("the first worker claimed %v (%v)", mine, err)
	}
	if theirs, next, err := qb.claim(ctx); err != nil || len(theirs) != 0 || !next.Equal(time.UnixMilli(e.clock.now().Add(mailLease).UnixMilli())) {
		t.Fatalf("the second worker, during the claim: %v, next %v (%v)", theirs, next, err)
	}
	e.clock.add(mailLease + time.Second)
	theirs, _, err := qb.claim(ctx)
	if err != nil || len(theirs) != 3 {
		t.Fatalf("the second worker, once the claim lapsed: %v (%v)", theirs, err)
	}
	if m, err := qa.load(ctx, mine[0]); err != nil || m != nil {
		t.Fatalf("the first worker loads a message no longer its own: %+v %v", m, err)
	}
	if err := qa.release(ctx, mine); err != nil {
		t.Fatal(err)
	}
	if m, err := qb.load(ctx, theirs[0]); err != nil || m == nil {
		t.Fatalf("the first worker's release undid the second's claim: %+v %v", m, err)
	}
}
