package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
)

// --- the team portal under a firm's load ------------------------------------

// teamLoad is the team portal's figure: clients accountants, each with
// their own account and their own store of each structures, sync at once
// through the app's own code (import, sign-in, outbox drain) to one
// chorus-sim; against one raw sequential loop POSTing the same total on one
// connection. It prints structures a second, the creates' p50 and p99 as
// the clients saw them, and the errors (transport failures and rows the
// portal refused or left to retry: 0 expected).
func teamLoad(ctx context.Context, clients, each int, latency time.Duration) error {
	ids := coretest.SIRETs(clients * each)
	url, stop, err := portalUnderTest(ctx, latency, clients)
	if err != nil {
		return err
	}
	defer stop()
	type client struct {
		svc   onboarding.Services
		close func()
		rec   *latencies
	}
	cs := make([]client, clients)
	defer func() {
		for _, c := range cs {
			if c.close != nil {
				c.close()
			}
		}
	}()
	for i := range cs {
		dir, err := os.MkdirTemp("", "bench-team-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		st, err := sqlite.Open(ctx, filepath.Join(dir, "onboard.db"))
		if err != nil {
			return err
		}
		cs[i].close = func() { st.Close() }
		cs[i].rec = &latencies{}
		hc := portal.NewHTTPClient()
		hc.Transport = &timed{next: http.DefaultTransport.(*http.Transport).Clone(), rec: cs[i].rec}
		pc := portal.NewOnboarding(url, hc)
		svc, err := onboarding.New(ctx, connect.Stores(st), onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: dir,
			Connect: func(onboarding.TargetSpec) onboarding.Target { return onboarding.Target{Portal: pc} }})
		if err != nil {
			return err
		}
		cs[i].svc = svc
		file := csvRows(ids[i*each : (i+1)*each])
		if rep, err := svc.Workspace.ImportCSV(ctx, strings.NewReader(file), onboarding.ImportOptions{}); err != nil || rep.Imported != each {
			return fmt.Errorf("client %d: import: %+v %v", i, rep.ImportStats, err)
		}
		if err := svc.Accounts.SignIn(ctx, teamEmail(i), syncPassword); err != nil {
			return fmt.Errorf("client %d: sign in: %w", i, err)
		}
	}

	var wg sync.WaitGroup
	errs := make([]error, clients)
	refused := 0
	var mu sync.Mutex
	start := time.Now()
	for i := range cs {
		wg.Go(func() {
			stats, err := cs[i].svc.Sync.Drain(ctx)
			errs[i] = err
			mu.Lock()
			refused += stats.Failed + stats.Retried + (each - stats.Created)
			mu.Unlock()
		})
	}
	wg.Wait()
	ours := time.Since(start)
	all := &latencies{}
	for i, c := range cs {
		if errs[i] != nil {
			return fmt.Errorf("client %d: sync: %w", i, errs[i])
		}
		all.add(c.rec)
	}

	raw, rawLat, err := syncRawTimed(ctx, ids, latency)
	if err != nil {
		return err
	}
	n := float64(clients * each)
	name := fmt.Sprintf("team portal: %d clients × %d structures at once", clients, each)
	goal := "≥ 4× faster"
	if latency > 0 {
		name = fmt.Sprintf("team portal, %v added (toxiproxy): %d × %d", latency, clients, each)
		goal = "information"
	}
	line(name+" (structures/s)", n/ours.Seconds(), n/raw.Seconds(), "/s", goal)
	fmt.Printf("%-58s ours p50 %6.1f ms p99 %6.1f ms; anchor p50 %6.1f ms p99 %6.1f ms; errors %d (transport %d)\n",
		"  a create as the clients saw it", ms(all.quantile(0.50)), ms(all.quantile(0.99)),
		ms(rawLat.quantile(0.50)), ms(rawLat.quantile(0.99)), refused+all.failed, all.failed)
	return nil
}

func teamEmail(i int) string {
	if i == 0 {
		return syncEmail
	}
	return fmt.Sprintf("comptable%d@example.fr", i)
}

// latencies records how long each structure create took, bounded by the
// bench's own total.
type latencies struct {
	mu     sync.Mutex
	d      []time.Duration
	failed int
}

func (l *latencies) record(d time.Duration, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.failed++
		return
	}
	l.d = append(l.d, d)
}

func (l *latencies) add(o *latencies) {
	l.d = append(l.d, o.d...)
	l.failed += o.failed
}

func (l *latencies) quantile(q float64) time.Duration {
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// timed is a transport that records the duration of each structure
// create it carries.
type timed struct {
	next http.RoundTripper
	rec  *latencies
}

func (t *timed) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, api.PathStructures) {
		return t.next.RoundTrip(r)
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(r)
	t.rec.record(time.Since(start), err)
	return resp, err
}
