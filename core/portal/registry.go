package portal

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/registry"
)

// Published base URLs of the registries (configuration defaults, written
// once in core).
const (
	RechercheEntreprisesURL = core.RechercheEntreprisesURL
	INSEESireneURL          = core.INSEESireneURL
)

// Spacing of look-ups: the registries' published limits (recherche-
// entreprises 7 requests a second, INSEE's free plan 30 a minute) less 5 %,
// so that network jitter cannot bunch two requests into one of the
// server's windows: a bulk pre-fill keeps to the limit and never sees 429.
const (
	RechercheInterval = time.Second / 7 * 105 / 100
	INSEEInterval     = time.Minute / 30 * 105 / 100
)

// maxRegistryWait caps how long a 429's Retry-After makes a look-up wait
// before its one retry.
const maxRegistryWait = time.Minute

// limiter spaces calls at least interval apart, so the app never trips a
// registry's limit however fast the user types.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

// wait blocks until the next slot or ctx ends.
func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.interval)
	l.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Registry looks companies up to pre-fill the structure form.
type Registry struct {
	searchURL, inseeURL string
	inseeKey            func(context.Context) (string, error)
	hc                  *http.Client
	search, insee       limiter
}

// NewRegistry returns a client. inseeKey may be nil (no INSEE key): then
// only recherche-entreprises is asked. hc nil means NewHTTPClient(); any
// client gets the package's redirect policy (checkRedirect).
func NewRegistry(searchURL, inseeURL string, inseeKey func(context.Context) (string, error), hc *http.Client) *Registry {
	return &Registry{searchURL: strings.TrimSuffix(searchURL, "/"), inseeURL: strings.TrimSuffix(inseeURL, "/"),
		inseeKey: inseeKey, hc: withPolicy(hc), search: limiter{interval: RechercheInterval}, insee: limiter{interval: INSEEInterval}}
}

// Lookup returns the company of a SIRET: recherche-entreprises first, then
// INSEE when a key is set and the first had nothing. A KindNotFound error
// means neither knows it.
func (r *Registry) Lookup(ctx context.Context, siret string) (registry.Company, error) {
	c, err := r.lookupSearch(ctx, siret)
	if err == nil || r.inseeKey == nil {
		return c, err
	}
	key, kerr := r.inseeKey(ctx)
	if kerr != nil || key == "" {
		return c, err
	}
	return r.lookupINSEE(ctx, siret, key)
}

// get asks one registry, spaced by lim; a 429 (the quota is shared with
// other programs on the same address or key) is tried once more after
// the wait the registry asks for.
// LookupSIREN returns the head office of a company by its SIREN, as
// Lookup does for a SIRET.
func (r *Registry) LookupSIREN(ctx context.Context, siren string) (registry.Company, error) {
	c, err := r.searchSIREN(ctx, siren)
	if err == nil || r.inseeKey == nil {
		return c, err
	}
	key, kerr := r.inseeKey(ctx)
	if kerr != nil || key == "" {
		return c, err
	}
	var ans registry.SirenAnswer
	h := http.Header{}
	h.Set(registry.HeaderINSEEKey, key)
	status, ierr := r.get(ctx, &r.insee, r.inseeURL+registry.PathSiren+url.PathEscape(siren), h, &ans)
	if ierr != nil {
		return registry.Company{}, ierr
	}
	if status == http.StatusNotFound || ans.UniteLegale == nil || len(ans.UniteLegale.PeriodesUniteLegale) == 0 {
		return registry.Company{}, errUnknownCompany
	}
	return r.lookupINSEE(ctx, siren+ans.UniteLegale.PeriodesUniteLegale[0].NicSiegeUniteLegale, key)
}

// searchSIREN asks recherche-entreprises for a company's head office.
func (r *Registry) searchSIREN(ctx context.Context, siren string) (registry.Company, error) {
	results, err := r.searchQuery(ctx, siren)
	if err != nil {
		return registry.Company{}, err
	}
	for _, res := range results {
		if res.Siren == siren {
			return registry.FromSearch(res, res.Siege.Siret), nil
		}
	}
	return registry.Company{}, errUnknownCompany
}

func (r *Registry) get(ctx context.Context, lim *limiter, u string, header http.Header, out any) (int, error) {
	status, err := r.getOnce(ctx, lim, u, header, out)
	if status != http.StatusTooManyRequests {
		return status, err
	}
	wait := min(max(core.RetryAfterOf(err), lim.interval), maxRegistryWait)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return status, ctx.Err()
	}
	return r.getOnce(ctx, lim, u, header, out)
}

func (r *Registry) getOnce(ctx context.Context, lim *limiter, u string, header http.Header, out any) (int, error) {
	if err := lim.wait(ctx); err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header = header
	req.Header.Set("Accept", "application/json")
	op := "look up company"
	resp, err := r.hc.Do(req)
	if err != nil {
		return 0, registryNetworkError(op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return resp.StatusCode, registryNetworkError(op, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return resp.StatusCode, nil
	case http.StatusUnauthorized, http.StatusForbidden:
		return resp.StatusCode, &core.E{Kind: core.KindUnauthorized, Code: CodeRegistryKey, Op: op, Status: resp.StatusCode}
	default:
		code := CodeRegistryRefused
		if kindOfStatus(resp.StatusCode, "") == core.KindUnavailable {
			code = CodeRegistryUnavailable
		}
		e := statusError(op, resp.StatusCode, code)
		e.RetryAfter = parseRetryAfter(resp.Header)
		e.Params = map[string]string{"status": strconv.Itoa(resp.StatusCode)}
		return resp.StatusCode, e
	}
	if err := json.Unmarshal(b, out); err != nil {
		// An HTML page (a captive portal, a proxy's login) or broken JSON.
		return resp.StatusCode, &core.E{Kind: core.KindUnavailable, Code: CodeRegistryMalformed, Op: op, Status: resp.StatusCode, Err: err}
	}
	return resp.StatusCode, nil
}

// registryNetworkError is networkError for the registry: a look-up that
// got no answer (or whose answer broke off, a timeout included) says the
// registry, not the portal, cannot be reached.
func registryNetworkError(op string, err error) *core.E {
	e := networkError(op, err)
	if e.Code == CodeNetwork {
		e.Code = CodeRegistryUnreachable
	}
	return e
}

// Codes of registry failures.
const (
	CodeRegistryUnreachable = "registry.unreachable" // no answer, or it broke off
	CodeRegistryUnavailable = "registry.unavailable" // 429 or 5xx: try again later
	CodeRegistryRefused     = "registry.refused"     // another status
	CodeRegistryKey         = "registry.key"         // the INSEE key was refused
	CodeRegistryMalformed   = "registry.malformed"   // the answer could not be read
	CodeRegistryNotFound    = "registry.not_found"   // no registry knows the company
)

var errUnknownCompany = &core.E{Kind: core.KindNotFound, Code: CodeRegistryNotFound, Op: "look up company"}

// searchQuery asks recherche-entreprises for q (a SIRET or a SIREN): the
// first page of results; errUnknownCompany on a 404.
func (r *Registry) searchQuery(ctx context.Context, q string) ([]registry.Result, error) {
	var ans registry.SearchAnswer
	v := url.Values{"q": {q}, "page": {"1"}, "per_page": {"5"}}
	status, err := r.get(ctx, &r.search, r.searchURL+registry.PathSearch+"?"+v.Encode(), http.Header{}, &ans)
	if err != nil {
		return nil, err
	}
	if status == http.StatusNotFound {
		return nil, errUnknownCompany
	}
	return ans.Results, nil
}

func (r *Registry) lookupSearch(ctx context.Context, siret string) (registry.Company, error) {
	results, err := r.searchQuery(ctx, siret)
	if err != nil {
		return registry.Company{}, err
	}
	for _, res := range results {
		if res.Siege.Siret == siret {
			return registry.FromSearch(res, siret), nil
		}
		for _, m := range res.MatchingEtablissements {
			if m.Siret == siret {
				return registry.FromSearch(res, siret), nil
			}
		}
	}
	return registry.Company{}, errUnknownCompany
}

func (r *Registry) lookupINSEE(ctx context.Context, siret, key string) (registry.Company, error) {
	var ans registry.SiretAnswer
	h := http.Header{}
	h.Set(registry.HeaderINSEEKey, key)
	status, err := r.get(ctx, &r.insee, r.inseeURL+registry.PathSiret+url.PathEscape(siret), h, &ans)
	if err != nil {
		return registry.Company{}, err
	}
	if status == http.StatusNotFound || ans.Etablissement == nil {
		return registry.Company{}, errUnknownCompany
	}
	return registry.FromINSEE(*ans.Etablissement), nil
}
