package firm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/firm"
	"github.com/chorusonboard/chorus-onboard/internal/pgtest"
)

// headerAccounts stands for the portal's accounts in the tests of several
// instances: the account is named by a header (the session's checks are
// the portal's, tested with it); account n is mN@cabinet.example.
type headerAccounts struct{}

const accountHeader = "X-Test-Account"

func (headerAccounts) Authenticate(r *http.Request) (firm.Account, error) {
	n, err := strconv.ParseInt(r.Header.Get(accountHeader), 10, 64)
	if err != nil || n <= 0 {
		return firm.Account{}, errors.New("no account")
	}
	return firm.Account{ID: n, Email: fmt.Sprintf("m%d@cabinet.example", n), Name: fmt.Sprint("M", n)}, nil
}

func (headerAccounts) ByEmail(_ context.Context, email string) (firm.Account, error) {
	var n int64
	if _, err := fmt.Sscanf(email, "m%d@cabinet.example", &n); err != nil {
		return firm.Account{}, firm.ErrNoAccount
	}
	return firm.Account{ID: n, Email: email, Name: fmt.Sprint("M", n)}, nil
}

func (headerAccounts) Mail(context.Context, string, string, string) error { return nil }

// instance is one firm server on the shared database, on loopback.
type instance struct {
	srv *firm.Server
	url string
}

// instances starts n firm servers on one PostgreSQL database.
func instances(t *testing.T, n int) []instance {
	t.Helper()
	dsn := pgtest.Database(t)
	var out []instance
	for range n {
		s, err := firm.New(t.Context(), firm.Config{Database: dsn, Accounts: headerAccounts{}, PollEvery: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		s.Register(mux)
		hs := httptest.NewServer(mux)
		t.Cleanup(func() { hs.Close(); s.Close() })
		out = append(out, instance{srv: s, url: hs.URL})
	}
	return out
}

// do sends a request as account n and decodes the answer into out.
func do(ctx context.Context, method, url string, n int, in, out any) (int, error) {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return 0, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, url, &body)
	if err != nil {
		return 0, err
	}
	req.Header.Set(accountHeader, strconv.Itoa(n))
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		err = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode, err
}

// TestFeedOrderAcrossInstances: eight members create clients at once
// through two instances of the server on one PostgreSQL database, each
// client written once, while a reader pages the feed from its cursor
// through both instances in turn. Positions follow commit order (each
// change takes its firm's next position under the firm's row lock, held
// until commit), so the reader never steps past a change that commits
// later with a smaller position: it sees every client created, and the
// positions it was given have no gap.
func TestFeedOrderAcrossInstances(t *testing.T) {
	ctx := t.Context()
	in := instances(t, 2)
	if err := in[0].srv.CreateFirm(ctx, "Cabinet", "m1@cabinet.example"); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 60
	for n := 2; n <= writers; n++ {
		if err := in[n%2].srv.AddMember(ctx, "Cabinet", fmt.Sprintf("m%d@cabinet.example", n), api.FirmEveryClient); err != nil {
			t.Fatal(err)
		}
	}
	ids := coretest.SIRETs(writers * each)
	var mu sync.Mutex
	created := map[int64]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				var cl api.FirmClient
				st, err := do(ctx, http.MethodPost, in[(w+i)%2].url+api.PathFirmClients, w+1, api.FirmWrite{Fields: map[string]string{
					core.FieldIdentifierType: "SIRET", core.FieldIdentifier: ids[w*each+i], core.FieldCompanyName: "Client " + ids[w*each+i]}}, &cl)
				if err != nil || st != http.StatusCreated && st != http.StatusOK {
					errs <- fmt.Errorf("writer %d: %d %v", w, st, err)
					return
				}
				mu.Lock()
				created[cl.ID] = true
				mu.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	seen := map[int64]bool{}
	var positions []int64
	var cursor int64
	reads := 0
	for finished := false; ; reads++ {
		if reads > 50*writers*each {
			t.Fatalf("the feed never ends: %d pages for %d clients", reads, writers*each)
		}
		select {
		case <-done:
			finished = true
		default:
		}
		var page api.FeedPage
		st, err := do(ctx, http.MethodGet, fmt.Sprintf("%s%s?cursor=%d&limit=7", in[reads%2].url, api.PathFirmFeed, cursor), 1, nil, &page)
		if err != nil || st != http.StatusOK {
			t.Fatalf("feed: %d %v", st, err)
		}
		for _, e := range page.Entries {
			if e.Client != nil {
				seen[e.Client.ID] = true
				positions = append(positions, e.Position)
			}
		}
		cursor = page.Cursor
		if finished && !page.More && len(page.Entries) == 0 {
			break
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(created) != writers*each {
		t.Fatalf("%d clients created, want %d", len(created), writers*each)
	}
	var missed []int64
	for id := range created {
		if !seen[id] {
			missed = append(missed, id)
		}
	}
	if len(missed) > 0 {
		t.Fatalf("the reader stepped past %d clients committed after a later position: %v", len(missed), missed)
	}
	for i, p := range positions {
		if p != int64(i+1) {
			t.Fatalf("position %d read as the %dth: a gap or a repeat (%v)", p, i+1, positions[max(0, i-3):min(len(positions), i+3)])
		}
	}
	t.Logf("%d clients through 2 instances, read in %d pages", len(created), reads)
}

// doKey is do with an idempotency key, returning the answer's body and
// whether it was a replay.
func doKey(ctx context.Context, method, url string, n int, key string, in any) (int, []byte, bool, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return 0, nil, false, err
	}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(b))
	if err != nil {
		return 0, nil, false, err
	}
	req.Header.Set(accountHeader, strconv.Itoa(n))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(api.HeaderIdempotencyKey, key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, false, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, resp.Header.Get("Idempotent-Replayed") == "true", err
}

// TestIdempotencyAcrossInstances: a retry that lands on the other
// instance gets the first answer, and twenty copies of one write sent to
// both instances at once make one client, every answer the same.
func TestIdempotencyAcrossInstances(t *testing.T) {
	ctx := t.Context()
	in := instances(t, 2)
	if err := in[0].srv.CreateFirm(ctx, "Cabinet", "m1@cabinet.example"); err != nil {
		t.Fatal(err)
	}
	ids := coretest.SIRETs(2)
	w := api.FirmWrite{Fields: map[string]string{core.FieldIdentifierType: "SIRET", core.FieldIdentifier: ids[0]}}
	st, first, replayed, err := doKey(ctx, http.MethodPost, in[0].url+api.PathFirmClients, 1, "k-1", w)
	if err != nil || st != http.StatusCreated || replayed {
		t.Fatalf("first: %d %s %v", st, first, err)
	}
	st, again, replayed, err := doKey(ctx, http.MethodPost, in[1].url+api.PathFirmClients, 1, "k-1", w)
	if err != nil || st != http.StatusCreated || !replayed || !bytes.Equal(bytes.TrimSpace(again), bytes.TrimSpace(first)) {
		t.Fatalf("the retry on the other instance: %d replayed %v %s (first %s) %v", st, replayed, again, first, err)
	}

	w.Fields[core.FieldIdentifier] = ids[1]
	type answer struct {
		status int
		body   string
	}
	answers := make(chan answer, 20)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, body, _, err := doKey(ctx, http.MethodPost, in[i%2].url+api.PathFirmClients, 1, "k-2", w)
			if err != nil {
				t.Error(err)
			}
			answers <- answer{st, string(bytes.TrimSpace(body))}
		}()
	}
	wg.Wait()
	close(answers)
	var want answer
	for a := range answers {
		if want.status == 0 {
			want = a
		}
		if a != want || a.status != http.StatusCreated {
			t.Fatalf("copies answered differently: %+v and %+v", want, a)
		}
	}
	var page api.FeedPage
	if st, err := do(ctx, http.MethodGet, in[1].url+api.PathFirmFeed+"?cursor=0&limit=100", 1, nil, &page); err != nil || st != http.StatusOK || len(page.Entries) != 2 {
		t.Fatalf("the firm holds %d clients (%d %v), want 2", len(page.Entries), st, err)
	}
}

// TestDatabaseRestart: the PostgreSQL server is killed (SIGKILL) and
// started again while four members create clients through two instances.
// Requests that meet the outage get a coded 503 with Retry-After; the
// members retry with the same idempotency keys, as the desktops do; the
// instances reconnect by themselves; in the end every client is there
// once.
func TestDatabaseRestart(t *testing.T) {
	ctx := t.Context()
	in := instances(t, 2)
	if err := in[0].srv.CreateFirm(ctx, "Cabinet", "m1@cabinet.example"); err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 80
	for n := 2; n <= writers; n++ {
		if err := in[0].srv.AddMember(ctx, "Cabinet", fmt.Sprintf("m%d@cabinet.example", n), api.FirmEveryClient); err != nil {
			t.Fatal(err)
		}
	}
	ids := coretest.SIRETs(writers * each)
	var (
		mu          sync.Mutex
		done        int
		unavailable int
		badAnswer   string
	)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				body := api.FirmWrite{Fields: map[string]string{core.FieldIdentifierType: "SIRET", core.FieldIdentifier: ids[w*each+i]}}
				key := fmt.Sprintf("w%d-%d", w, i)
				for try := 0; ; try++ {
					if try > 600 {
						t.Errorf("writer %d: client %d never accepted", w, i)
						return
					}
					st, b, _, err := doKey(ctx, http.MethodPost, in[(w+try)%2].url+api.PathFirmClients, w+1, key, body)
					if err == nil && st == http.StatusCreated {
						break
					}
					mu.Lock()
					if st == http.StatusServiceUnavailable {
						var e api.Error
						if json.Unmarshal(b, &e) != nil || e.Code != api.CodeUnavailable {
							badAnswer = string(b)
						}
						unavailable++
					} else if badAnswer == "" {
						badAnswer = fmt.Sprintf("%d %s %v", st, b, err)
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
	for {
		mu.Lock()
		n := done
		mu.Unlock()
		if n >= writers*each/4 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	pg := pgtest.Shared(t)
	pg.Kill()
	time.Sleep(300 * time.Millisecond)
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if badAnswer != "" {
		t.Fatalf("an answer other than a coded 503 during the outage: %s", badAnswer)
	}
	if unavailable == 0 {
		t.Fatal("no request met the outage: the test did not test it")
	}
	got := map[string]int{}
	var cursor int64
	for {
		var page api.FeedPage
		if st, err := do(ctx, http.MethodGet, fmt.Sprintf("%s%s?cursor=%d&limit=500", in[0].url, api.PathFirmFeed, cursor), 1, nil, &page); err != nil || st != http.StatusOK {
			t.Fatalf("feed: %d %v", st, err)
		}
		for _, e := range page.Entries {
			got[e.Client.Fields[core.FieldIdentifier]]++
		}
		cursor = page.Cursor
		if !page.More {
			break
		}
	}
	if len(got) != writers*each {
		t.Fatalf("%d clients after the restart, want %d", len(got), writers*each)
	}
	for id, n := range got {
		if n != 1 {
			t.Fatalf("%s %d times", id, n)
		}
	}
	t.Logf("%d requests met the outage (503, Retry-After), all %d clients there once", unavailable, writers*each)
}
