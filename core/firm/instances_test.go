package firm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

