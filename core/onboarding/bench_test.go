package onboarding_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
)

// countingTransport counts the answers by status a client receives.
type countingTransport struct {
	next     http.RoundTripper
	requests atomic.Int64
	throttle atomic.Int64 // 429
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	c.requests.Add(1)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		c.throttle.Add(1)
	}
	return resp, err
}

// BenchmarkPrefill500 pre-fills 500 structures from chorus-sim's registry,
// which enforces recherche-entreprises' published limit (7 requests a
// second): the figure is the time taken and the 429s received (goal: none);
// the anchors are the least time the limit allows and one look-up's own
// latency, measured on the same server.
func BenchmarkPrefill500(b *testing.B) {
	const n = 500
	companies := sim.SyntheticCompanies(coretest.SIRETs(n))
	f := newFixture(b, func(c *sim.Config) { c.Companies = companies })
	ctx := b.Context()
	counter := &countingTransport{next: http.DefaultTransport}
	reg := portal.NewRegistry(f.server.URL+"/registry", f.server.URL+"/insee/api-sirene/3.11", nil,
		&http.Client{Timeout: portal.DefaultTimeout, Transport: counter})
	svc, err := onboarding.New(ctx, connect.Stores(f.store), onboarding.Config{NewOpID: func() string { return fmt.Sprint(time.Now().UnixNano()) },
		Connect: func(onboarding.TargetSpec) onboarding.Target {
			return onboarding.Target{Portal: f.client, Registry: reg}
		}})
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for _, c := range companies {
		rec, _, err := svc.Structures.Save(ctx, 0, core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: c.SIRET, Kind: core.KindPrivate}, false)
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	// One look-up alone, on a registry client of its own (its own pace).
	one := portal.NewRegistry(f.server.URL+"/registry", "", nil, nil)
	start := time.Now()
	if _, err := one.Lookup(ctx, companies[0].SIRET); err != nil {
		b.Fatal(err)
	}
	single := time.Since(start)
	time.Sleep(sim.RechercheWindow) // the single look-up's second is over
	var took time.Duration
	var res onboarding.PrefillResult
	for b.Loop() {
		start = time.Now()
		res, err = svc.Workspace.PrefillStructures(ctx, ids, nil)
		took = time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
	}
	floor := time.Duration(n) * sim.RechercheWindow / sim.RechercheLimit
	fmt.Printf("%-62s %-22s  anchor: %s\n", fmt.Sprintf("registry pre-fill of %d rows against chorus-sim", n),
		fmt.Sprintf("%.1f s, %d × 429", took.Seconds(), counter.throttle.Load()),
		fmt.Sprintf("the 7/s limit allows no less than %.1f s; one look-up alone %.1f ms; %d requests, %d filled, server refused %d",
			floor.Seconds(), float64(single.Microseconds())/1000, counter.requests.Load(), res.Filled, f.sim.RegistryThrottled()))
}
