package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/core/portal"
)

// from returns an HTTP client whose requests come from the loopback
// address ip (127.0.0.x): a second "client address" on one machine.
func from(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 100}}
}

// post sends a JSON body and returns the status, the Retry-After and the body.
func post(t *testing.T, c *http.Client, url, key string, body any) (int, string, []byte) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set(api.HeaderIdempotencyKey, key)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), out
}

// create solves a captcha and asks for an account.
func create(t *testing.T, e *env, c *portal.Onboarding, last func() string, email string) error {
	t.Helper()
	ch, err := c.Captcha(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return c.CreateAccount(t.Context(), "", api.CreateAccount{CaptchaID: ch.ID, CaptchaAnswer: last(), Account: account(email)})
}

func countRows(t *testing.T, e *env, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.srv.db.QueryRowContext(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUnactivatedAccountRecovers (issue 10, item 1): an address whose
// activation link expired is not locked for good. Creating the account
// again sends a fresh link (the old one dies) with the same answer as for a
// new address; "send the link again" does the same; an account never
// activated is purged after 7 days.
func TestUnactivatedAccountRecovers(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	last := answers(t)
	c := portal.NewOnboarding(e.http.URL, nil)
	if err := create(t, e, c, last, "squat@example.fr"); err != nil {
		t.Fatal(err)
	}
	mails, _ := c.Mailbox(ctx, "squat@example.fr")
	oldTok, _ := api.ActivationToken(mails[0].Link)
	e.clock.add(ActivationTTL + time.Minute)

	// Created again, after the link expired: a new link, not "sign in".
	if err := create(t, e, c, last, "squat@example.fr"); err != nil {
		t.Fatal(err)
	}
	mails, _ = c.Mailbox(ctx, "squat@example.fr")
	if len(mails) != 2 || mails[0].Link == "" {
		t.Fatalf("creating again sent %d mails, the newest with link %q: want a fresh activation link", len(mails), mails[0].Link)
	}
	newTok, _ := api.ActivationToken(mails[0].Link)
	if err := c.Activate(ctx, oldTok, goodPassword); code(err) != api.CodeTokenInvalid {
		t.Fatalf("the old link still works: %v", err)
	}

	// Send the link again (captcha-protected): the previous link dies.
	ch, _ := c.Captcha(ctx)
	if err := c.ResendActivation(ctx, "", api.ResendActivation{CaptchaID: ch.ID, CaptchaAnswer: last(), Email: "squat@example.fr"}); err != nil {
		t.Fatalf("send again: %v", err)
	}
	mails, _ = c.Mailbox(ctx, "squat@example.fr")
	resentTok, _ := api.ActivationToken(mails[0].Link)
	if err := c.Activate(ctx, newTok, goodPassword); code(err) != api.CodeTokenInvalid {
		t.Fatalf("the link before the resend still works: %v", err)
	}
	if err := c.Activate(ctx, resentTok, goodPassword); err != nil {
		t.Fatalf("the resent link: %v", err)
	}
	// Without a solved captcha, nothing is sent.
	if err := c.ResendActivation(ctx, "", api.ResendActivation{CaptchaID: "nope", CaptchaAnswer: "X", Email: "squat@example.fr"}); code(err) != api.CodeCaptchaWrong {
		t.Fatalf("resend without a captcha: %v", err)
	}

	// The same answer for a new, a pending, an active and an unknown address.
	answer := func(email string, resend bool) string {
		ch, _ := c.Captcha(ctx)
		url, body := e.http.URL+api.PathAccounts, any(api.CreateAccount{CaptchaID: ch.ID, CaptchaAnswer: last(), Account: account(email)})
		if resend {
			url, body = e.http.URL+api.PathActivationResend, api.ResendActivation{CaptchaID: ch.ID, CaptchaAnswer: last(), Email: email}
		}
		st, _, b := post(t, http.DefaultClient, url, "", body)
		return fmt.Sprintf("%d %s", st, b)
	}
	if err := create(t, e, c, last, "pending@example.fr"); err != nil {
		t.Fatal(err)
	}
	ref := answer("fresh@example.fr", false)
	for _, a := range []string{answer("pending@example.fr", false), answer("squat@example.fr", false),
		answer("fresh@example.fr", true), answer("squat@example.fr", true), answer("unknown@example.fr", true)} {
		if a != ref {
			t.Errorf("answers differ: %q vs %q", a, ref)
		}
	}

	// Never activated for 7 days: purged, and the address is free again.
	e.clock.add(UnactivatedTTL + time.Hour)
	if err := e.srv.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, e, `SELECT count(*) FROM account WHERE email = 'pending@example.fr'`); n != 0 {
		t.Fatalf("pending account kept after 7 days: %d", n)
	}
	if n := countRows(t, e, `SELECT count(*) FROM account WHERE email = 'squat@example.fr'`); n != 1 {
		t.Fatalf("an activated account was purged: %d", n)
	}
}

// TestThrottleHoldsUnderConcurrency (item 2): 300 parallel sign-ins for one
// account, then for 300 accounts from one client address: at most the
// limit are evaluated, the rest get 429 with Retry-After; ten failures from
// elsewhere do not lock the owner out.
func TestThrottleHoldsUnderConcurrency(t *testing.T) {
	e := start(t)
	onboard(t, e, "eve@example.fr")
	burst := func(emails func(i int) string, password func(i int) string, c *http.Client) map[int]int {
		var mu sync.Mutex
		out := map[int]int{}
		var wg sync.WaitGroup
		for i := range 300 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, ra, _ := post(t, c, e.http.URL+api.PathSession, "", api.SignIn{Email: emails(i), Password: password(i)})
				if st == http.StatusTooManyRequests && ra == "" {
					t.Errorf("429 without Retry-After")
				}
				mu.Lock()
				out[st]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return out
	}
	// One account, from one address, the right password at position 150.
	got := burst(func(int) string { return "eve@example.fr" }, func(i int) string {
		if i == 150 {
			return goodPassword
		}
		return "wrong"
	}, from("127.0.0.1"))
	evaluated := got[http.StatusUnauthorized] + got[http.StatusOK]
	t.Logf("300 parallel sign-ins for one account: %d evaluated (%d refused, %d accepted), %d throttled",
		evaluated, got[http.StatusUnauthorized], got[http.StatusOK], got[http.StatusTooManyRequests])
	// The right password, when it is evaluated, forgets this address's
	// failures (the owner got in from here): up to pairFailures more may
	// then be evaluated. Whether it is among the first evaluated depends
	// on the scheduler (under Wine it was: 19 refused and 1 accepted).
	limit := pairFailures
	if got[http.StatusOK] > 0 {
		limit = 2*pairFailures + 1
	}
	if got[http.StatusOK] > 1 || evaluated > limit || got[http.StatusTooManyRequests] < 300-limit {
		t.Fatalf("one account: %v", got)
	}
	// The owner, from another address, with the right password.
	if st, _, b := post(t, from("127.0.0.2"), e.http.URL+api.PathSession, "", api.SignIn{Email: "eve@example.fr", Password: goodPassword}); st != http.StatusOK {
		t.Fatalf("the owner from another address is locked out: %d %s", st, b)
	}
	// 300 accounts from one address.
	got = burst(func(i int) string { return fmt.Sprintf("guess%d@example.fr", i) }, func(int) string { return "x" }, from("127.0.0.3"))
	t.Logf("300 parallel sign-ins across accounts from one address: %d evaluated, %d throttled",
		got[http.StatusUnauthorized], got[http.StatusTooManyRequests])
	if got[http.StatusUnauthorized] > addressFailures || got[http.StatusTooManyRequests] < 300-addressFailures {
		t.Fatalf("one address: %v", got)
	}
}

// TestThrottleMemoryBounded (item 3): an e-mail longer than 254 characters
// is refused at once (400) and never becomes a key; the maps keep at most
// their cap of entries and forget idle ones.
func TestThrottleMemoryBounded(t *testing.T) {
	e := start(t)
	c := from("127.0.0.1")
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	huge := strings.Repeat("a", 900<<10) + "@example.fr"
	for range 150 {
		if st, _, _ := post(t, c, e.http.URL+api.PathSession, "", api.SignIn{Email: huge, Password: "x"}); st != http.StatusBadRequest {
			t.Fatalf("a 0.9 MB e-mail: %d, want 400", st)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("150 sign-ins with 0.9 MB e-mails: heap %d → %d MiB, %d throttle events",
		before.HeapAlloc>>20, after.HeapAlloc>>20, throttleEvents(t, e))
	if n := throttleEvents(t, e); n != 0 {
		t.Fatalf("%d throttle events after refused e-mails", n)
	}
	// The in-memory throttle of PISTE's emulation: a flood of distinct
	// keys stays under the cap, and idle keys go.
	th := newThrottle()
	th.max = 1000
	now := time.Now()
	for i := range 5000 {
		if tk, wait := th.reserve(now, fmt.Sprintf("k%d@example.fr", i), fmt.Sprintf("10.0.%d.%d", i/256, i%256)); wait == 0 {
			th.failed(tk)
		}
	}
	if n := th.size(); n > 3*th.max {
		t.Fatalf("%d entries for a cap of %d per map", n, th.max)
	}
	th.prune(now.Add(2 * time.Hour))
	if n := th.size(); n != 0 {
		t.Fatalf("%d entries left once idle", n)
	}
}

// TestFullLimitersStillServe (hardening, second round, item 5): junk
// sign-ins and registry requests from many client addresses fill every
// limiter map; a new client still gets its registry answer, and the owner
// of an account signs in with the right password (before: 429 for both,
// for as long as the maps stayed full).
func TestFullLimitersStillServe(t *testing.T) {
	e := start(t)
	const capacity = 200
	e.srv.registry.rechercheLimit.max = capacity
	if err := e.srv.SeedAccount(t.Context(), "owner@example.fr", goodPassword); err != nil {
		t.Fatal(err)
	}
	search := e.http.URL + "/registry/search?q=73282932000074"
	for i := range 300 {
		c := from(fmt.Sprintf("127.0.%d.%d", 1+i/250, 1+i%250))
		if st, _, _ := post(t, c, e.http.URL+api.PathSession, "", api.SignIn{Email: fmt.Sprintf("junk%d@example.fr", i), Password: "wrong"}); st != http.StatusUnauthorized {
			t.Fatalf("junk sign-in %d: %d", i, st)
		}
		res, err := c.Get(search)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	if n := e.srv.registry.rechercheLimit.size(); n > capacity {
		t.Fatalf("the registry's limiter holds %d keys for a cap of %d", n, capacity)
	}
	newcomer := from("127.0.3.1")
	res, err := newcomer.Get(search)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("a new client's registry request with the map full: %d", res.StatusCode)
	}
	if st, _, b := post(t, from("127.0.3.2"), e.http.URL+api.PathSession, "", api.SignIn{Email: "owner@example.fr", Password: goodPassword}); st != http.StatusOK {
		t.Fatalf("the owner's right password with the maps full: %d %s", st, b)
	}
	t.Logf("300 junk sign-ins and registry requests from 300 addresses (maps of %d): a new client and the owner served", capacity)
}

// TestClientNet: an IPv6 client is its /64 (it may change address within
// it at will), an IPv4 one its address.
func TestClientNet(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:fffe"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
	} {
		if netKey(tt.a) != netKey(tt.b) {
			t.Errorf("%s and %s are two clients: %s, %s", tt.a, tt.b, netKey(tt.a), netKey(tt.b))
		}
	}
	for _, tt := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:3::1"},
		{"192.0.2.1", "192.0.2.2"},
	} {
		if netKey(tt.a) == netKey(tt.b) {
			t.Errorf("%s and %s are one client: %s", tt.a, tt.b, netKey(tt.a))
		}
	}
}

// TestRecordsExpire (item 3): idempotency records, sessions, mail and
// activation rows are deleted once expired; anonymous calls are not
// recorded with their answers, and two anonymous clients never share a
// scope.
func TestRecordsExpire(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	c := onboard(t, e, "old@example.fr")
	if _, err := c.CreateStructure(ctx, "op-1", structure("73282932000074")); err != nil {
		t.Fatal(err)
	}
	// The captcha is never recorded, and never replayed to another client.
	st1, _, b1 := post(t, from("127.0.0.1"), e.http.URL+api.PathCaptcha, "same-key", nil)
	st2, _, b2 := post(t, from("127.0.0.2"), e.http.URL+api.PathCaptcha, "same-key", nil)
	if st1 != http.StatusCreated || st2 != http.StatusCreated || bytes.Equal(b1, b2) {
		t.Fatal("a captcha was replayed to another client")
	}
	if n := countRows(t, e, `SELECT count(*) FROM idempotency WHERE key = 'same-key'`); n != 0 {
		t.Fatalf("%d captcha answers recorded", n)
	}
	// The same key from two anonymous addresses, each asking for an
	// account with its own captcha: two scopes.
	last := answers(t)
	for i, ip := range []string{"127.0.0.1", "127.0.0.2"} {
		c := portal.NewOnboarding(e.http.URL, from(ip))
		ch, err := c.Captcha(ctx)
		if err != nil {
			t.Fatal(err)
		}
		body := api.CreateAccount{CaptchaID: ch.ID, CaptchaAnswer: strings.ToLower(last()), Account: account(fmt.Sprintf("z%d@example.fr", i))}
		if st, _, b := post(t, from(ip), e.http.URL+api.PathAccounts, "k-anon", body); st >= 300 {
			t.Fatalf("account from %s: %d %s", ip, st, b)
		}
	}
	if n := countRows(t, e, `SELECT count(DISTINCT scope) FROM idempotency WHERE key = 'k-anon'`); n != 2 {
		t.Fatalf("two anonymous clients share %d scope(s)", 3-n)
	}
	e.clock.add(25 * time.Hour)
	if err := e.srv.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string]int{"idempotency": 0, "session": 0, "activation": 0} {
		if n := countRows(t, e, `SELECT count(*) FROM `+table); n != want {
			t.Errorf("%s: %d rows after expiry", table, n)
		}
	}
	e.clock.add(MailTTL)
	if err := e.srv.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, e, `SELECT count(*) FROM mail`); n != 0 {
		t.Errorf("mail: %d rows after %v", n, MailTTL)
	}
}

// TestRefusalsAreNotRecorded (hardening, second round, item 3): refused
// anonymous POSTs under new Idempotency-Keys keep nothing (before: one
// record each for 24 h, 34 MB for 30,000 in 35 s); a refused request
// replayed is judged again, and a later success under the same key is
// recorded as usual.
func TestRefusalsAreNotRecorded(t *testing.T) {
	e := start(t)
	c := from("127.0.0.1")
	const n = 3000
	for i := range n {
		if st, _, _ := post(t, c, e.http.URL+api.PathActivation, fmt.Sprintf("junk-%d", i), map[string]string{}); st != http.StatusBadRequest {
			t.Fatalf("junk activation %d: status %d", i, st)
		}
	}
	if rows := countRows(t, e, `SELECT count(*) FROM idempotency`); rows != 0 {
		t.Fatalf("%d refused requests left %d idempotency records", n, rows)
	}
	t.Logf("%d refused anonymous POSTs under new keys: 0 idempotency records kept", n)
}

// TestIdempotencyBounded: the sweep keeps the newest recorded answers of
// each scope and in all, the oldest going first.
func TestIdempotencyBounded(t *testing.T) {
	e := start(t, func(c *Config) { c.IdempotencyPerScope, c.IdempotencyTotal = 5, 8 })
	ctx := t.Context()
	for i := range 12 {
		scope := fmt.Sprintf("a%d", i%2+1)
		if err := e.srv.db.Tx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO idempotency (scope, key, fingerprint, status, body, created_at)
			VALUES (?, ?, ?, 201, ?, ?)`, scope, fmt.Sprintf("k%02d", i), []byte{0}, []byte{}, e.clock.now().UnixMilli()-int64(100-i))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.srv.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	var kept []string
	rows, err := e.srv.db.QueryContext(ctx, `SELECT key FROM idempotency ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		kept = append(kept, k)
	}
	rows.Close()
	// 6 per scope, the oldest of each dropped to 5; then 10 in all, the
	// two oldest dropped to 8.
	if got := strings.Join(kept, " "); got != "k04 k05 k06 k07 k08 k09 k10 k11" {
		t.Fatalf("kept %s", got)
	}
}

// TestMailIsNotAWeapon (item 4): one e-mailed code per challenge; codes per
// address and per client address are limited; without --sandbox no token
// or code is kept in clear.
func TestMailIsNotAWeapon(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	c := portal.NewOnboarding(e.http.URL, nil)
	ch, _ := c.Captcha(ctx)
	if err := c.CaptchaCode(ctx, ch.ID, "victim@example.fr"); err != nil {
		t.Fatal(err)
	}
	if err := c.CaptchaCode(ctx, ch.ID, "victim@example.fr"); err == nil {
		t.Fatal("a second code for one challenge")
	}
	// Per address: the sixth code within an hour is refused.
	var last error
	for i := range mailsPerAddress {
		ch, _ := c.Captcha(ctx)
		last = c.CaptchaCode(ctx, ch.ID, "victim@example.fr")
		if i < mailsPerAddress-1 && last != nil {
			t.Fatalf("code %d: %v", i+2, last)
		}
	}
	if core.CodeOf(last) != api.CodeMailThrottled || core.RetryAfterOf(last) <= 0 {
		t.Fatalf("sixth code to one address within an hour: %v", last)
	}
	if n := countRows(t, e, `SELECT count(*) FROM mail WHERE recipient = 'victim@example.fr'`); n != mailsPerAddress {
		t.Fatalf("%d mails to one address, want %d", n, mailsPerAddress)
	}
	// Per client address, across recipients.
	other := from("127.0.0.5")
	var st int
	var ra string
	for i := range mailsPerClient + 1 {
		_, _, b := post(t, other, e.http.URL+api.PathCaptcha, "", nil)
		var chal api.Captcha
		if err := json.Unmarshal(b, &chal); err != nil {
			t.Fatal(err)
		}
		st, ra, _ = post(t, other, e.http.URL+strings.Replace(api.PathCaptchaCode, "{id}", chal.ID, 1), "",
			api.CaptchaCodeRequest{Email: fmt.Sprintf("r%d@example.fr", i)})
	}
	if st != http.StatusTooManyRequests || ra == "" {
		t.Fatalf("code %d from one client address: %d", mailsPerClient+1, st)
	}

	// Without --sandbox, the mail table keeps no token.
	prod := start(t, func(c *Config) { c.Sandbox = false })
	last2 := answers(t)
	pc := portal.NewOnboarding(prod.http.URL, nil)
	ch2, _ := pc.Captcha(ctx)
	if err := pc.CreateAccount(ctx, "", api.CreateAccount{CaptchaID: ch2.ID, CaptchaAnswer: last2(), Account: account("p@example.fr")}); err != nil {
		t.Fatal(err)
	}
	ch2, _ = pc.Captcha(ctx)
	if err := pc.CaptchaCode(ctx, ch2.ID, "p@example.fr"); err != nil {
		t.Fatal(err)
	}
	rows, err := prod.srv.db.QueryContext(ctx, `SELECT body, link FROM mail`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var body, link string
		if err := rows.Scan(&body, &link); err != nil {
			t.Fatal(err)
		}
		n++
		if link != "" || regexp.MustCompile(`token=[0-9a-f]{8}`).MatchString(body) || sixDigits.MatchString(body) {
			t.Errorf("a secret kept in clear: link %q body %q", link, body)
		}
	}
	if n != 2 {
		t.Fatalf("%d mails recorded", n)
	}
}

// TestNonDiffusibleMasked (item 5): searching a non-diffusible structure
// shows its address to its managers only.
func TestNonDiffusibleMasked(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	const nd = "79068156300017"
	if err := e.srv.SeedStructure(ctx, nd, "MARIE DURAND"); err != nil {
		t.Fatal(err)
	}
	stranger := onboard(t, e, "stranger@example.fr")
	res, err := stranger.SearchStructure(ctx, core.IDSIRET, nd)
	if err != nil || !res.Found {
		t.Fatalf("search: %+v %v", res, err)
	}
	if d := res.Structure.Draft; d.Address != "" || d.City != "" || d.PostalCode != "" || d.Complement1 != "" {
		t.Fatalf("a stranger sees the address of a non-diffusible structure: %+v", d)
	}
	manager := portal.NewOnboarding(e.http.URL, nil)
	if _, err := manager.SignIn(ctx, ManagerEmail(nd), ManagerPassword(nd)); err != nil {
		t.Fatal(err)
	}
	res, err = manager.SearchStructure(ctx, core.IDSIRET, nd)
	if err != nil || res.Structure.Draft.City == "" {
		t.Fatalf("the manager does not see the address: %+v %v", res, err)
	}
	// PISTE's consulter masks its e-mail too (hardening, second round,
	// item 8: it returned emailStructure).
	d := structure("44126652500019")
	d.NonDiffusible, d.Email = true, "contact@bernard.example"
	created, err := stranger.CreateStructure(ctx, "nd-1", d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pisteClient(e, nil).Consulter(ctx, created.ID, "FR")
	if err != nil || got.InformationGenerales == nil || got.InformationGenerales.EmailStructure != "" || got.AdressePostaleDuSiege.Adresse != "" {
		t.Fatalf("PISTE consulter of a non-diffusible structure: %+v %v", got.InformationGenerales, err)
	}
}

// TestSlowAndIdleClientsAreCut (item 6): a body that trickles in is cut at
// the read timeout, an idle keep-alive connection is closed, and every
// server the project starts has its timeouts and header limit.
func TestSlowAndIdleClientsAreCut(t *testing.T) {
	for name, hs := range map[string]*http.Server{"default": NewHTTPServer(http.NotFoundHandler(), HTTPLimits{})} {
		if hs.ReadHeaderTimeout == 0 || hs.ReadTimeout == 0 || hs.WriteTimeout == 0 || hs.IdleTimeout == 0 || hs.MaxHeaderBytes == 0 {
			t.Fatalf("%s server without a limit: %+v", name, hs)
		}
		if hs.ReadTimeout > 30*time.Second || hs.MaxHeaderBytes > 1<<20 {
			t.Fatalf("%s server too lenient: read %v, headers %d", name, hs.ReadTimeout, hs.MaxHeaderBytes)
		}
	}
	e := start(t)
	hs := NewHTTPServer(e.srv.Handler(), HTTPLimits{Read: 300 * time.Millisecond, Idle: 200 * time.Millisecond})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { hs.Close() })

	// A body announced as 40 bytes, sent one byte every 100 ms (4 s).
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n", api.PathSession)
	sent := make(chan int, 1)
	go func() {
		n := 0
		for range 40 {
			if _, err := conn.Write([]byte(" ")); err != nil {
				break
			}
			n++
			time.Sleep(100 * time.Millisecond)
		}
		sent <- n
	}()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	reply, _ := io.ReadAll(conn) // the server answers and closes, or just closes
	n := <-sent
	t.Logf("trickled body: %d of 40 bytes sent before the server cut; reply %q", n, firstLine(reply))
	if n >= 40 {
		t.Fatal("the server waited for the whole trickled body")
	}

	// An idle keep-alive connection is closed by the server.
	idle, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", api.PathHealth)
	_ = idle.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf, _ := io.ReadAll(idle)
	if !bytes.HasPrefix(buf, []byte("HTTP/1.1 200")) {
		t.Fatalf("idle connection: %q", firstLine(buf))
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\r\n")
	return s
}

// TestSmallerItems (item 7).
func TestSmallerItems(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	// Sign-in to an inactive account: 403 only with the right password.
	if err := e.srv.SeedAccount(ctx, "idle@example.fr", goodPassword); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.DeactivateAccount(ctx, "idle@example.fr"); err != nil {
		t.Fatal(err)
	}
	c := portal.NewOnboarding(e.http.URL, nil)
	if _, err := c.SignIn(ctx, "idle@example.fr", "wrong-password"); code(err) != api.CodeBadCredentials {
		t.Fatalf("inactive, wrong password: %v", err)
	}
	if _, err := c.SignIn(ctx, "idle@example.fr", goodPassword); code(err) != api.CodeNotActive {
		t.Fatalf("inactive, right password: %v", err)
	}

	// DELETE /api/v1/session revokes it.
	s := onboard(t, e, "bye@example.fr")
	if _, err := s.MyAttachments(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.SignOut(ctx); err != nil {
		t.Fatalf("sign out: %v", err)
	}
	if _, err := s.MyAttachments(ctx); code(err) != api.CodeUnauthorized {
		t.Fatalf("the session survived its revocation: %v", err)
	}

	// Invalid UTF-8 is refused, never stored as U+FFFD.
	tok := signInToken(t, e, "bye@example.fr")
	d := structure("35600000049837")
	raw, _ := json.Marshal(api.StructureBody(d))
	raw = bytes.Replace(raw, []byte(d.CompanyName), []byte("Soci\xe9t\xe9"), 1)
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+api.PathStructures, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), api.CodeInvalid) {
		t.Fatalf("invalid UTF-8: %d %s", resp.StatusCode, b)
	}
	for _, lone := range []string{`\ud800`, `\udfff`} {
		raw, _ = json.Marshal(api.StructureBody(d))
		raw = bytes.Replace(raw, []byte(d.CompanyName), []byte("Soci"+lone+"t"), 1)
		req, _ = http.NewRequest(http.MethodPost, e.http.URL+api.PathStructures, bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("a lone surrogate %s: %d", lone, resp.StatusCode)
		}
	}
	if n := countRows(t, e, `SELECT count(*) FROM structure WHERE company_name LIKE ?`, "%\uFFFD%"); n != 0 {
		t.Fatalf("%d names stored with U+FFFD", n)
	}

	// A page beyond the last: empty, with the right counters.
	s.SetSession(tok)
	for i := range 3 {
		if _, err := s.CreateStructure(ctx, "", structure([]string{"73282932000074", "35600000049837", "79068156300017"}[i])); err != nil {
			t.Fatal(err)
		}
	}
	p := pisteClient(e, nil)
	for _, page := range []int64{5, 1 << 40, 1<<62 + 7} {
		out, err := p.Rechercher(ctx, piste.RechercherStructureParam{
			Parametres: &piste.ParametresRechercherStructure{NbResultatsParPage: 2, PageResultatDemandee: page}})
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		r := out.ParametresRetour
		if len(out.ListeStructures) != 0 || r.Total != 3 || r.Pages != 2 || r.NbResultatsParPage != 2 {
			t.Fatalf("page %d beyond the last: %d hits, %+v", page, len(out.ListeStructures), r)
		}
	}
}

// signInToken signs in over raw HTTP and returns the session token.
func signInToken(t *testing.T, e *env, email string) string {
	t.Helper()
	st, _, b := post(t, http.DefaultClient, e.http.URL+api.PathSession, "", api.SignIn{Email: email, Password: goodPassword})
	var s api.Session
	if st != http.StatusOK || json.Unmarshal(b, &s) != nil {
		t.Fatalf("sign in: %d %s", st, b)
	}
	return s.Token
}

// sixDigits finds an e-mailed code.
var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// TestSquattedStructure (hardening, second round, item 7): someone creates
// a company's structure first and refuses the company's request; the
// company may ask again after AskAgainAfter (before: the same REFUSEE for
// ever), and the portal's operator hands the structure to it, audited: the
// squatter can no longer decide anything there.
func TestSquattedStructure(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	const siret = "73282932000074"
	squatter := onboard(t, e, "squatter@example.org")
	if _, err := squatter.CreateStructure(ctx, "sq-1", structure(siret)); err != nil {
		t.Fatal(err)
	}
	company := onboard(t, e, "dupont@ateliers.example")
	at, err := company.RequestAttachment(ctx, "co-1", core.IDSIRET, siret)
	if err != nil || at.Status != api.AttachmentPending {
		t.Fatalf("the company's request: %+v %v", at, err)
	}
	if _, err := squatter.DecideAttachment(ctx, "sq-2", at.ID, false); err != nil {
		t.Fatal(err)
	}
	again, err := company.RequestAttachment(ctx, "co-2", core.IDSIRET, siret)
	if err != nil || again.Status != api.AttachmentRefused || again.AskAgainAt != e.clock.now().Add(AskAgainAfter).Unix() {
		t.Fatalf("asking again at once: %+v %v", again, err)
	}
	e.clock.add(AskAgainAfter)
	for email, c := range map[string]*portal.Onboarding{"dupont@ateliers.example": company, "squatter@example.org": squatter} {
		if _, err := c.SignIn(ctx, email, goodPassword); err != nil { // a week later: sessions expired
			t.Fatal(err)
		}
	}
	again, err = company.RequestAttachment(ctx, "co-3", core.IDSIRET, siret)
	if err != nil || again.Status != api.AttachmentPending || again.ID != at.ID {
		t.Fatalf("asking again after %v: %+v %v", AskAgainAfter, again, err)
	}
	// The operator hands it over; a reason is required.
	if _, err := e.srv.TransferStructure(ctx, core.IDSIRET, siret, "dupont@ateliers.example", " ", "ops@portal"); !errors.Is(err, ErrAdmin) {
		t.Fatalf("a transfer without a reason: %v", err)
	}
	entry, err := e.srv.TransferStructure(ctx, core.IDSIRET, siret, "dupont@ateliers.example", "ticket 4711: Kbis checked", "ops@portal")
	if err != nil || entry.Before != "managers: squatter@example.org" || entry.After != "principal manager: dupont@ateliers.example" {
		t.Fatalf("transfer: %+v %v", entry, err)
	}
	mine, err := company.MyAttachments(ctx)
	if err != nil || len(mine) != 1 || mine[0].Status != api.AttachmentApproved {
		t.Fatalf("the company's request after the transfer: %+v %v", mine, err)
	}
	// The squatter asks to be attached, and may not decide on it.
	sq, err := squatter.RequestAttachment(ctx, "sq-3", core.IDSIRET, siret)
	if err != nil || sq.Status != api.AttachmentPending {
		t.Fatalf("the squatter's request: %+v %v", sq, err)
	}
	if _, err := squatter.DecideAttachment(ctx, "sq-4", sq.ID, true); code(err) != api.CodeNotFound {
		t.Fatalf("the squatter approves itself: %v", err)
	}
	if _, err := company.DecideAttachment(ctx, "co-4", sq.ID, false); err != nil {
		t.Fatalf("the company decides: %v", err)
	}
	audit, err := e.srv.Audit(ctx, 10)
	if err != nil || len(audit) != 1 || audit[0].Reason != "ticket 4711: Kbis checked" || audit[0].Operator != "ops@portal" {
		t.Fatalf("audit: %+v %v", audit, err)
	}
	mails, _ := company.Mailbox(ctx, "squatter@example.org")
	told := false
	for _, m := range mails {
		told = told || strings.Contains(m.Subject, "confiée à son entreprise")
	}
	if !told {
		t.Fatalf("the squatter was not told: %+v", mails)
	}
}

// TestPISTECredentialsThrottled (hardening, second round, item 10): 300
// parallel guesses of a PISTE client secret, then of a technical account's
// password, get at most 10 evaluated each (before: every one, about 1,000
// a second); the right secret from another address still works.
func TestPISTECredentialsThrottled(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	count := func(do func(c *http.Client) int) (evaluated, throttled int) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		c := from("127.0.0.9")
		for range 300 {
			wg.Go(func() {
				st := do(c)
				mu.Lock()
				defer mu.Unlock()
				if st == http.StatusTooManyRequests {
					throttled++
				} else {
					evaluated++
				}
			})
		}
		wg.Wait()
		return evaluated, throttled
	}
	ev, th := count(func(c *http.Client) int {
		res, err := c.PostForm(e.http.URL+piste.PathToken, url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"guess"}})
		if err != nil {
			t.Error(err)
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	})
	if ev > 10 || ev+th != 300 {
		t.Fatalf("client secret: %d guesses evaluated, %d throttled", ev, th)
	}
	t.Logf("300 parallel client-secret guesses: %d evaluated, %d throttled", ev, th)
	good := pisteClient(e, nil) // from 127.0.0.1
	if _, err := good.TypesIdentifiant(ctx); err != nil {
		t.Fatalf("the right secret from another address: %v", err)
	}
	tok := piste.Token{}
	res, err := http.PostForm(e.http.URL+piste.PathToken, url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"s3cret"}})
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	ev, th = count(func(c *http.Client) int {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+piste.PathTypesIdentifiant, strings.NewReader("{}"))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set(piste.HeaderAccount, base64.StdEncoding.EncodeToString([]byte("TECH_1@cpro.fr:guess")))
		res, err := c.Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	})
	if ev > 10 || ev+th != 300 {
		t.Fatalf("technical account password: %d guesses evaluated, %d throttled", ev, th)
	}
	t.Logf("300 parallel technical-account guesses: %d evaluated, %d throttled", ev, th)
	if _, err := good.TypesIdentifiant(ctx); err != nil {
		t.Fatalf("the right technical account from another address: %v", err)
	}
}

// TestStrictJSON (hardening, second round, item 20): a key twice in one
// object is refused (before: the last won), at any depth; a body not sent
// as JSON is refused with 415 (before: any Content-Type was taken).
func TestStrictJSON(t *testing.T) {
	e := start(t)
	if err := e.srv.SeedAccount(t.Context(), "json@example.fr", goodPassword); err != nil {
		t.Fatal(err)
	}
	tok := signInToken(t, e, "json@example.fr")
	send := func(body, contentType string) int {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+api.PathStructures, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	good, _ := json.Marshal(api.StructureBody(structure("73282932000074")))
	dup := strings.Replace(string(good), `"company_name":`, `"company_name":"Ateliers","company_name":`, 1)
	for _, tt := range []struct {
		name, body, contentType string
		want                    int
	}{
		{"a key twice", dup, "application/json", http.StatusBadRequest},
		{"a key twice, nested", `{"a":{"b":1,"b":2}}`, "application/json", http.StatusBadRequest},
		{"the same key in two objects", `[{"a":1},{"a":2}]`, "application/json", http.StatusBadRequest}, // not a structure: malformed all the same
		{"a form", string(good), "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"text", string(good), "text/plain", http.StatusUnsupportedMediaType},
		{"no type", string(good), "", http.StatusUnsupportedMediaType},
		{"JSON with its charset", string(good), "application/json; charset=utf-8", http.StatusCreated},
	} {
		if got := send(tt.body, tt.contentType); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
	for _, tt := range []struct {
		body string
		dup  bool
	}{
		{`{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}`, false},
		{`{"a":1,"b":{"a":2,"a":3}}`, true},
		{`{"a":[1,{"x":1,"x":2}]}`, true},
		{`{"a":{},"a":[]}`, true},
		{strings.Repeat("[", 40) + strings.Repeat("]", 40), true},
	} {
		if got := duplicateKeys([]byte(tt.body)); got != tt.dup {
			t.Errorf("duplicateKeys(%s) = %v", tt.body, got)
		}
	}
}

func FuzzDuplicateKeys(f *testing.F) {
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Add([]byte(`{"a":{"b":[1,{"c":2}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dup := duplicateKeys(b)
		var v any
		if !dup && json.Unmarshal(b, &v) != nil && json.Valid(b) {
			t.Fatalf("valid JSON %q judged clean yet does not decode", b)
		}
	})
}

// TestGroupedRefusalsKeepTheirOrder: a grouped write (one savepoint of a
// shared transaction) judges a request in the order every write does: the
// session first, then the Idempotency-Key (a replay, or a key reused with
// another body), and only then the body's own refusal; a refused key is
// free for a good body after.
func TestGroupedRefusalsKeepTheirOrder(t *testing.T) {
	e := start(t)
	if err := e.srv.SeedAccount(t.Context(), "order@example.fr", goodPassword); err != nil {
		t.Fatal(err)
	}
	tok := signInToken(t, e, "order@example.fr")
	good, _ := json.Marshal(api.StructureBody(structure("73282932000074")))
	bad := strings.Replace(string(good), `"postal_code":"75002"`, `"postal_code":"7500"`, 1)
	attach := `{"identifier_type":"SIRET","identifier":"73282932000074"}`
	send := func(path, token, key, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if key != "" {
			req.Header.Set(api.HeaderIdempotencyKey, key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Idempotent-Replayed")
	}
	for _, tt := range []struct {
		name, path, token, key, body string
		want                         int
		replayed                     string
	}{
		{"no session, a bad body", api.PathStructures, "", "", bad, http.StatusUnauthorized, ""},
		{"no session, broken JSON", api.PathAttachments, "", "", "{", http.StatusUnauthorized, ""},
		{"a bad body", api.PathStructures, tok, "k1", bad, http.StatusBadRequest, ""},
		{"a good one", api.PathStructures, tok, "k2", string(good), http.StatusCreated, ""},
		{"its replay", api.PathStructures, tok, "k2", string(good), http.StatusCreated, "true"},
		{"its key with a bad body", api.PathStructures, tok, "k2", bad, http.StatusUnprocessableEntity, ""},
		{"its key with broken JSON", api.PathStructures, tok, "k2", "{", http.StatusUnprocessableEntity, ""},
		{"the refused key, now good", api.PathStructures, tok, "k1", string(good), http.StatusConflict, ""},
		{"attach, a bad identifier", api.PathAttachments, tok, "k3", `{"identifier_type":"SIRET","identifier":"1"}`, http.StatusBadRequest, ""},
		{"attach", api.PathAttachments, tok, "k4", attach, http.StatusCreated, ""},
		{"attach, its key with a bad identifier", api.PathAttachments, tok, "k4", `{"identifier_type":"SIRET","identifier":"1"}`, http.StatusUnprocessableEntity, ""},
	} {
		if got, replayed := send(tt.path, tt.token, tt.key, tt.body); got != tt.want || replayed != tt.replayed {
			t.Errorf("%s: %d (replayed %q), want %d (%q)", tt.name, got, replayed, tt.want, tt.replayed)
		}
	}
}
