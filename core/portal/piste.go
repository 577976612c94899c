package portal

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/piste"
)

// PISTEConfig configures the Chorus Pro client. Secrets are functions so
// they are read from the keyring at call time and never kept in the config.
type PISTEConfig struct {
	OAuthURL, APIURL  string
	ClientID          string
	ClientSecret      func(context.Context) (string, error)
	TechnicalLogin    string
	TechnicalPassword func(context.Context) (string, error)
	// Now is the clock for token expiry. Its readings must carry Go's
	// monotonic clock (time.Now does): a wrong or changed system clock then
	// does not make a valid token look expired or an expired one valid.
	Now  func() time.Time
	HTTP *http.Client
}

// RenewBefore is how long before expiry a token is renewed.
const RenewBefore = 60 * time.Second

// PISTE is the Chorus Pro API client.
type PISTE struct {
	cfg PISTEConfig

	mu      sync.Mutex
	token   string
	expires time.Time // a monotonic reading: Now() at receipt + expires_in
	// Renewals counts tokens fetched (tests check one per lifetime).
	renewals int
}

// NewPISTE returns a client; its HTTP client gets the package's redirect
// policy (checkRedirect).
func NewPISTE(cfg PISTEConfig) *PISTE {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.HTTP = withPolicy(cfg.HTTP) // a nil one is NewHTTPClient()
	cfg.OAuthURL, cfg.APIURL = strings.TrimSuffix(cfg.OAuthURL, "/"), strings.TrimSuffix(cfg.APIURL, "/")
	return &PISTE{cfg: cfg}
}

// Codes of PISTE failures: each names the layer that refused the call, so
// the user fixes the right credential (the PISTE application's client ID
// and secret, or the Chorus Pro technical account). Params hold
// ParamLibelle (the gateway's own words) and ParamCodeRetour when given.
const (
	CodePISTEOAuth       = "piste.oauth"       // the token endpoint refused the client (KindUnauthorized)
	CodePISTEBearer      = "piste.bearer"      // PISTE refused the bearer token (401, KindUnauthorized)
	CodePISTEAccount     = "piste.account"     // Chorus Pro refused the technical account (403, KindUnauthorized)
	CodePISTEChorus      = "piste.chorus"      // Chorus Pro answered with a codeRetour (KindInvalid)
	CodePISTEUnavailable = "piste.unavailable" // 429 or 5xx (KindUnavailable)
	CodePISTEHTTP        = "piste.http"        // another HTTP status (KindInvalid)
	CodePISTEMalformed   = "piste.malformed"   // an answer that could not be read (KindUnavailable)
)

// Parameters of PISTE errors.
const (
	ParamLibelle    = "libelle"
	ParamCodeRetour = "code_retour"
	ParamStatus     = "status"
)

// pisteError builds the error of a refused PISTE call.
func pisteError(kind core.Kind, code string, status int, codeRetour int32, libelle string) *core.E {
	e := &core.E{Kind: kind, Code: code, Op: "chorus pro", Status: status, Params: map[string]string{}}
	if libelle != "" {
		e.Params[ParamLibelle] = libelle
	}
	if codeRetour != 0 {
		e.Params[ParamCodeRetour] = strconv.Itoa(int(codeRetour))
	}
	if status != 0 {
		e.Params[ParamStatus] = strconv.Itoa(status)
	}
	return e
}

// statusPISTEError classifies a status without a Chorus Pro envelope.
func statusPISTEError(status int, codeRetour int32, libelle string) *core.E {
	if kindOfStatus(status, "") == core.KindUnavailable {
		return pisteError(core.KindUnavailable, CodePISTEUnavailable, status, codeRetour, libelle)
	}
	return pisteError(core.KindInvalid, CodePISTEHTTP, status, codeRetour, libelle)
}

// ErrAmbiguous: a search that must find one structure found several.
var ErrAmbiguous = errors.New("several structures match")

// accessToken returns a valid token, fetching one when there is none or it
// expires within RenewBefore.
func (p *PISTE) accessToken(ctx context.Context, force bool) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !force && p.token != "" && p.cfg.Now().Add(RenewBefore).Before(p.expires) {
		return p.token, nil
	}
	secret, err := p.cfg.ClientSecret(ctx)
	if err != nil {
		return "", err
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {p.cfg.ClientID}, "client_secret": {secret}, "scope": {"openid"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.cfg.OAuthURL+piste.PathToken, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	received := p.cfg.Now()
	resp, err := p.cfg.HTTP.Do(req)
	if err != nil {
		return "", networkError("piste token", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		var te piste.TokenError
		_ = json.Unmarshal(b, &te)
		if kindOfStatus(resp.StatusCode, "") == core.KindUnavailable {
			return "", statusPISTEError(resp.StatusCode, 0, te.Error)
		}
		return "", pisteError(core.KindUnauthorized, CodePISTEOAuth, resp.StatusCode, 0, te.Error)
	}
	var t piste.Token
	if err := json.Unmarshal(b, &t); err != nil || t.AccessToken == "" || t.ExpiresIn <= 0 {
		return "", pisteError(core.KindUnavailable, CodePISTEMalformed, resp.StatusCode, 0, "")
	}
	p.token, p.expires = t.AccessToken, received.Add(time.Duration(t.ExpiresIn)*time.Second)
	p.renewals++
	return p.token, nil
}

// call posts in to path and decodes the answer into out. The bearer and the
// cpro-account header are set on every call (a known Go client forgets the
// bearer after the first); cpro-account is built now from the keyring and
// kept nowhere. A 401 renews the token once and retries once.
func (p *PISTE) call(ctx context.Context, method, path string, in, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := p.accessToken(ctx, attempt > 0)
		if err != nil {
			return err
		}
		pw, err := p.cfg.TechnicalPassword(ctx)
		if err != nil {
			return err
		}
		var body io.Reader
		if in != nil {
			b, err := json.Marshal(in)
			if err != nil {
				return err
			}
			body = bytes.NewReader(b)
		}
		req, err := http.NewRequestWithContext(ctx, method, p.cfg.APIURL+path, body)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set(piste.HeaderAccount, base64.StdEncoding.EncodeToString([]byte(p.cfg.TechnicalLogin+":"+pw)))
		req.Header.Set("Accept", "application/json;charset=utf-8")
		if in != nil {
			req.Header.Set("Content-Type", "application/json;charset=utf-8")
		}
		resp, err := p.cfg.HTTP.Do(req)
		if err != nil {
			return networkError("chorus pro", err)
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		resp.Body.Close()
		if err != nil {
			return networkError("chorus pro", err)
		}
		var ret piste.Retour
		_ = json.Unmarshal(b, &ret)
		switch {
		case resp.StatusCode == http.StatusUnauthorized && attempt == 0:
			continue // expired or revoked early: renew once
		case resp.StatusCode == http.StatusUnauthorized:
			return pisteError(core.KindUnauthorized, CodePISTEBearer, resp.StatusCode, 0, resp.Header.Get("WWW-Authenticate"))
		case resp.StatusCode == http.StatusForbidden:
			return pisteError(core.KindUnauthorized, CodePISTEAccount, resp.StatusCode, ret.CodeRetour, ret.Libelle)
		case resp.StatusCode != http.StatusOK && (ret.Libelle == "" || kindOfStatus(resp.StatusCode, "") == core.KindUnavailable):
			return statusPISTEError(resp.StatusCode, ret.CodeRetour, ret.Libelle)
		case resp.StatusCode != http.StatusOK, ret.CodeRetour != 0:
			return pisteError(core.KindInvalid, CodePISTEChorus, resp.StatusCode, ret.CodeRetour, ret.Libelle)
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(b, out); err != nil {
			e := pisteError(core.KindUnavailable, CodePISTEMalformed, resp.StatusCode, 0, "")
			e.Err = fmt.Errorf("decode answer: %w", err)
			return e
		}
		return nil
	}
}

// Rechercher runs one search page.
func (p *PISTE) Rechercher(ctx context.Context, param piste.RechercherStructureParam) (piste.WsRetourRechercherStructure, error) {
	var out piste.WsRetourRechercherStructure
	return out, p.call(ctx, http.MethodPost, piste.PathRechercher, param, &out)
}

// MaxSearchPages bounds SearchAll: 100 pages of 100, 10,000 structures,
// more than any search by identifier or by one account's attachments
// finds. A gateway that claims more (a fault, or a hostile answer that
// would have the app fetch until its memory runs out) is refused.
const MaxSearchPages = 100

// CodeSearchTooLarge is the code of a search whose answer claims more than
// MaxSearchPages pages.
const CodeSearchTooLarge = "piste.search_too_large"

// SearchAll runs a search through every page, at most MaxSearchPages.
func (p *PISTE) SearchAll(ctx context.Context, in piste.RechercherStructureInput) ([]piste.StructureAAfficher, error) {
	const perPage = 100
	var all []piste.StructureAAfficher
	for page := int64(1); ; page++ {
		r, err := p.Rechercher(ctx, piste.RechercherStructureParam{Structure: &in,
			Parametres: &piste.ParametresRechercherStructure{NbResultatsParPage: perPage, PageResultatDemandee: page}})
		if err != nil {
			return nil, err
		}
		if r.ParametresRetour != nil && (r.ParametresRetour.Pages > MaxSearchPages || len(r.ListeStructures) > perPage) {
			return nil, &core.E{Kind: core.KindUnavailable, Code: CodeSearchTooLarge, Op: "search structures",
				Params: map[string]string{"pages": strconv.Itoa(int(r.ParametresRetour.Pages)), "max": strconv.Itoa(MaxSearchPages)}}
		}
		all = append(all, r.ListeStructures...)
		if r.ParametresRetour == nil || int64(r.ParametresRetour.Pages) <= page || len(r.ListeStructures) == 0 {
			return all, nil
		}
	}
}

// FindStructure returns the one structure with this identifier: a
// KindNotFound error when there is none, ErrAmbiguous when several match.
func (p *PISTE) FindStructure(ctx context.Context, t core.IdentifierType, identifier string) (piste.StructureAAfficher, error) {
	hits, err := p.SearchAll(ctx, piste.RechercherStructureInput{TypeIdentifiantStructure: string(t), IdentifiantStructure: identifier})
	if err != nil {
		return piste.StructureAAfficher{}, err
	}
	var exact []piste.StructureAAfficher
	for _, h := range hits {
		if h.IdentifiantStructure == identifier && h.TypeIdentifiantStructure == string(t) {
			exact = append(exact, h)
		}
	}
	switch len(exact) {
	case 0:
		return piste.StructureAAfficher{}, &core.E{Kind: core.KindNotFound, Code: "piste.not_found", Op: "find structure"}
	case 1:
		return exact[0], nil
	}
	return piste.StructureAAfficher{}, fmt.Errorf("find structure: %w (%d)", ErrAmbiguous, len(exact))
}

// Consulter reads a structure.
func (p *PISTE) Consulter(ctx context.Context, id int64, lang string) (piste.WsRetourConsulterStructure, error) {
	var out piste.WsRetourConsulterStructure
	return out, p.call(ctx, http.MethodPost, piste.PathConsulter, piste.ConsulterStructureParam{IDStructureCPP: id, CodeLangue: lang}, &out)
}

// Rattachements lists the technical account's attachments (all pages).
func (p *PISTE) Rattachements(ctx context.Context) ([]piste.StructureRattachement, error) {
	var all []piste.StructureRattachement
	for page := int64(1); ; page++ {
		var out piste.WsRetourRattachements
		if err := p.call(ctx, http.MethodPost, piste.PathRattachements, piste.RattachementsParam{
			ParametresRecherche: &piste.ParametresRechercherStructure{NbResultatsParPage: 100, PageResultatDemandee: page}}, &out); err != nil {
			return nil, err
		}
		all = append(all, out.ListeStructureRattachement...)
		if out.ParametresRetour == nil || int64(out.ParametresRetour.Pages) <= page || len(out.ListeStructureRattachement) == 0 {
			return all, nil
		}
	}
}

// TypesIdentifiant lists the identifier types.
func (p *PISTE) TypesIdentifiant(ctx context.Context) ([]string, error) {
	var out piste.WsRetourTypesIdentifiant
	if err := p.call(ctx, http.MethodPost, piste.PathTypesIdentifiant, struct{}{}, &out); err != nil {
		return nil, err
	}
	var ts []string
	for _, t := range out.ListeTypeIdentifiant {
		ts = append(ts, t.TypeIdentifiantStructure)
	}
	return ts, nil
}

// Pays lists countries in a language ("fr" or "en").
func (p *PISTE) Pays(ctx context.Context, lang string) ([]piste.Pays, error) {
	var out piste.WsRetourPays
	return out.ListePays, p.call(ctx, http.MethodPost, piste.PathPays, piste.PaysParam{CodeLangue: lang}, &out)
}

// Health checks the gateway with both credentials, the cheapest full check.
func (p *PISTE) Health(ctx context.Context) error {
	return p.call(ctx, http.MethodGet, piste.PathHealth, nil, nil)
}

// Renewals returns how many tokens the client fetched.
func (p *PISTE) Renewals() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.renewals
}
