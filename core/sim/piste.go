package sim

import (
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// maxTokens bounds the PISTE tokens alive at once.
const maxTokens = 100_000

// pisteAPI serves the PISTE Chorus Pro read API over the portal's
// records, behind its two layers of credentials.
type pisteAPI struct {
	db        *sqldb.Store
	now       func() time.Time
	log       *slog.Logger
	clients   map[string]string // OAuth client id → secret
	technical map[string]string // technical account login → password
	rand      *entropy
	mu        sync.Mutex
	tokens    map[string]time.Time // bearer tokens (hash) → expiry
	// credThrottle limits guesses of client secrets and technical
	// account passwords, as the accounts' throttle does those of sign-in
	// passwords.
	credThrottle *throttle
}

func newPisteAPI(cfg Config, db *sqldb.Store, rand *entropy) *pisteAPI {
	return &pisteAPI{db: db, now: cfg.Now, log: cfg.Log, clients: cfg.PISTEClients, technical: cfg.TechnicalAccounts,
		rand: rand, tokens: map[string]time.Time{}, credThrottle: newThrottle()}
}

// sweep forgets expired tokens and idle throttle entries.
func (pa *pisteAPI) sweep(now time.Time) {
	pa.mu.Lock()
	for k, exp := range pa.tokens {
		if now.After(exp) {
			delete(pa.tokens, k)
		}
	}
	pa.mu.Unlock()
	pa.credThrottle.prune(now)
}

func (pa *pisteAPI) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+piste.PathToken, pa.token)
	mux.HandleFunc("POST "+piste.PathRechercher, pa.cpro(pa.rechercher))
	mux.HandleFunc("POST "+piste.PathConsulter, pa.cpro(pa.consulter))
	mux.HandleFunc("POST "+piste.PathRattachements, pa.cpro(pa.rattachements))
	mux.HandleFunc("POST "+piste.PathTypesIdentifiant, pa.cpro(pa.typesIdentifiant))
	mux.HandleFunc("POST "+piste.PathPays, pa.cpro(pa.pays))
	mux.HandleFunc("GET "+piste.PathHealth, pa.cpro(func(_ *http.Request, _ string) (any, error) {
		return piste.Retour{CodeRetour: 0, Libelle: piste.LibelleOK}, nil
	}))
	mux.HandleFunc("/cpro/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, piste.Retour{CodeRetour: 404, Libelle: "API non trouvée"})
	})
}

// token is the OAuth2 client-credentials grant, credentials in the form or
// in HTTP Basic.
func (pa *pisteAPI) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, piste.TokenError{Error: "unsupported_grant_type"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	// Guesses of a client secret are throttled as passwords are: reserved
	// before the check, whatever the parallelism.
	if len(id) > maxKeyLen {
		writeJSON(w, http.StatusUnauthorized, piste.TokenError{Error: "invalid_client", ErrorDescription: "Client authentication failed"})
		return
	}
	tk, wait := pa.credThrottle.reserve(pa.now(), "client:"+id, clientNet(r))
	if wait > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		writeJSON(w, http.StatusTooManyRequests, piste.TokenError{Error: "temporarily_unavailable", ErrorDescription: "Too many failed attempts"})
		return
	}
	want, known := pa.clients[id]
	if !known || subtle.ConstantTimeCompare([]byte(want), []byte(secret)) != 1 {
		writeJSON(w, http.StatusUnauthorized, piste.TokenError{Error: "invalid_client", ErrorDescription: "Client authentication failed"})
		return
	}
	pa.credThrottle.succeeded(tk)
	tok, _ := pa.rand.token(32)
	now := pa.now()
	pa.mu.Lock()
	if len(pa.tokens) >= maxTokens {
		// Expired ones go first; live ones are kept (the sweep takes the
		// rest once they expire), and a client waits for room.
		for k, exp := range pa.tokens {
			if now.After(exp) {
				delete(pa.tokens, k)
			}
		}
	}
	full := len(pa.tokens) >= maxTokens
	if !full {
		pa.tokens[string(hashToken(tok))] = now.Add(TokenTTL)
	}
	pa.mu.Unlock()
	if full {
		w.Header().Set("Retry-After", "60")
		writeJSON(w, http.StatusTooManyRequests, piste.TokenError{Error: "temporarily_unavailable"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, piste.Token{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(TokenTTL.Seconds()), Scope: "openid"})
}

// cpro checks both layers the real gateway checks, in its order: the PISTE
// bearer (401, with the reason in WWW-Authenticate as PISTE does) then the
// Chorus technical account (403), and answers with the envelope.
func (pa *pisteAPI) cpro(fn func(r *http.Request, login string) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		pa.mu.Lock()
		exp, known := pa.tokens[string(hashToken(tok))]
		pa.mu.Unlock()
		if !ok || !known || pa.now().After(exp) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="PISTE", error="invalid_token"`)
			writeJSON(w, http.StatusUnauthorized, piste.Retour{CodeRetour: 401, Libelle: "Problème d'authentification : jeton absent, invalide ou expiré"})
			return
		}
		login, ok, wait := pa.technicalAccount(r.Header.Get(piste.HeaderAccount), clientNet(r))
		if wait > 0 {
			w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
			writeJSON(w, http.StatusTooManyRequests, piste.Retour{CodeRetour: 429, Libelle: "Trop de tentatives échouées : réessayez plus tard"})
			return
		}
		if !ok {
			writeJSON(w, http.StatusForbidden, piste.Retour{CodeRetour: 403, Libelle: "Accès refusé : compte technique inconnu ou mot de passe erroné"})
			return
		}
		out, err := fn(r, login)
		if err != nil {
			if re, ok := err.(*pisteErr); ok {
				writeJSON(w, re.status, piste.Retour{CodeRetour: re.code, Libelle: re.libelle})
				return
			}
			pa.log.Error("piste request failed", "path", r.URL.Path, "err", err)
			writeJSON(w, http.StatusInternalServerError, piste.Retour{CodeRetour: 500, Libelle: "Erreur technique"})
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

type pisteErr struct {
	status  int
	code    int32
	libelle string
}

func (e *pisteErr) Error() string { return e.libelle }

var errMalformed = &pisteErr{http.StatusBadRequest, 400, "Requête mal formulée"}

// technicalAccount checks the cpro-account header (base64 of
// login:password) from the client network from; a login whose guesses
// reached the throttle's limit gets wait instead of a check.
func (pa *pisteAPI) technicalAccount(h, from string) (login string, ok bool, wait time.Duration) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h))
	if err != nil || len(b) > 2*maxKeyLen {
		return "", false, 0
	}
	login, pw, ok := strings.Cut(string(b), ":")
	tk, wait := pa.credThrottle.reserve(pa.now(), "tech:"+login, from)
	if wait > 0 {
		return login, false, wait
	}
	want, known := pa.technical[login]
	if ok = ok && known && subtle.ConstantTimeCompare([]byte(want), []byte(pw)) == 1; ok {
		pa.credThrottle.succeeded(tk)
	}
	return login, ok, 0
}

func decodeBody(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return errMalformed
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil
	}
	if json.Unmarshal(b, v) != nil {
		return errMalformed
	}
	return nil
}

// rechercherWhere is the search's one condition: every criterion of
// RechercherStructureInput is a parameter that is empty when unused, so the
// statement never changes with the request (no SQL is built at run time).
// The parameters come in once, as the columns of p (rechercherParams), in
// the order of rechercherArgs, typed so that PostgreSQL knows them.
// LIKE patterns escape % and _ so a name with them matches itself only;
// both sides are lowered, as SQLite's LIKE ignores the case of ASCII
// letters and PostgreSQL's does not.
const rechercherWhere = ` WHERE (p.want_identifier = '' OR identifier = p.want_identifier)
	AND (p.want_type = '' OR identifier_type = p.want_type)
	AND (p.want_company = '' OR lower(company_name) LIKE lower('%' || p.want_company || '%') ESCAPE '\')
	AND (p.want_label = '' OR lower(structure_name) LIKE lower('%' || p.want_label || '%') ESCAPE '\')
	AND (p.want_postal = '' OR postal_code = p.want_postal)
	AND (p.want_city = '' OR lower(city) LIKE lower(p.want_city) ESCAPE '\')
	AND (p.want_country = '' OR country = p.want_country)
	AND (p.want_kind = '' OR kind = p.want_kind)
	AND (p.want_status = '' OR status = p.want_status)
	AND (p.want_private_only = 0 OR kind = 'PRIVEE')`

// rechercherParams are the search's parameters as one row.
const rechercherParams = `WITH p AS (SELECT CAST(? AS TEXT) AS want_identifier, CAST(? AS TEXT) AS want_type, CAST(? AS TEXT) AS want_company,
	CAST(? AS TEXT) AS want_label, CAST(? AS TEXT) AS want_postal, CAST(? AS TEXT) AS want_city, CAST(? AS TEXT) AS want_country,
	CAST(? AS TEXT) AS want_kind, CAST(? AS TEXT) AS want_status, CAST(? AS BIGINT) AS want_private_only, CAST(? AS TEXT) AS want_sort,
	CAST(? AS BIGINT) AS want_descending) `

// rechercherArgs is the order of rechercherParams' text criteria.
var rechercherArgs = []string{"identifier", "type", "company", "label", "postal", "city", "country", "kind", "status"}

// rechercherCount and rechercherPage count and read one page; the sort
// column and direction are parameters too.
const (
	rechercherCount = rechercherParams + `SELECT count(*) FROM structure, p` + rechercherWhere
	rechercherPage  = rechercherParams + `SELECT id, identifier, company_name, status, identifier_type FROM structure, p` + rechercherWhere + `
	ORDER BY
		CASE WHEN p.want_descending = 0 AND p.want_sort = 'identifier' THEN identifier END,
		CASE WHEN p.want_descending = 0 AND p.want_sort = 'company_name' THEN company_name END,
		CASE WHEN p.want_descending = 0 AND p.want_sort = 'identifier_type' THEN identifier_type END,
		CASE WHEN p.want_descending = 0 AND p.want_sort = 'status' THEN status END,
		CASE WHEN p.want_descending = 1 AND p.want_sort = 'identifier' THEN identifier END DESC,
		CASE WHEN p.want_descending = 1 AND p.want_sort = 'company_name' THEN company_name END DESC,
		CASE WHEN p.want_descending = 1 AND p.want_sort = 'identifier_type' THEN identifier_type END DESC,
		CASE WHEN p.want_descending = 1 AND p.want_sort = 'status' THEN status END DESC,
		id
	LIMIT ? OFFSET ?`
)

// boolInt is b as the 0 or 1 both engines store for a truth value.
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// likeEscape escapes LIKE's wildcards in a user's text.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (pa *pisteAPI) rechercher(r *http.Request, _ string) (any, error) {
	var p piste.RechercherStructureParam
	if err := decodeBody(r, &p); err != nil {
		return nil, err
	}
	crit := map[string]string{"identifier": "", "type": "", "company": "", "label": "", "postal": "", "city": "",
		"country": "", "kind": "", "status": ""}
	if in := p.Structure; in != nil {
		if in.IdentifiantStructure != "" {
			id := strings.TrimSpace(in.IdentifiantStructure)
			if t := core.IdentifierType(in.TypeIdentifiantStructure); t.Valid() {
				if c, err := validate.Identifier(t, id); !validate.Rejects(err) {
					id = c
				}
			}
			crit["identifier"] = id
		}
		crit["type"] = in.TypeIdentifiantStructure
		crit["company"] = likeEscape(in.RaisonSocialeStructure)
		crit["label"] = likeEscape(in.LibelleStructure)
		crit["postal"] = in.AdresseCodePostal
		crit["city"] = likeEscape(in.AdresseVille)
		crit["country"] = strings.ToUpper(in.AdresseCodePays)
		crit["kind"] = in.TypeStructure
		crit["status"] = map[string]string{"ACTIF": "ACTIVE", "INACTIF": "INACTIVE"}[in.StatutStructure]
	}
	privateOnly := p.RestreindreStructuresPrivees != nil && *p.RestreindreStructuresPrivees
	perPage, page := int64(10), int64(1)
	sort, desc := "identifier", false
	if pp := p.Parametres; pp != nil {
		if pp.NbResultatsParPage > 0 {
			perPage = min(pp.NbResultatsParPage, 1000)
		}
		if pp.PageResultatDemandee > 0 {
			page = pp.PageResultatDemandee
		}
		var ok bool
		sort, ok = map[string]string{"IdentifiantStructure": "identifier", "DesignationStructure": "company_name",
			"TypeIdentifiantStructure": "identifier_type", "Statut": "status", "": "identifier"}[pp.TriColonne]
		if !ok {
			return nil, errMalformed
		}
		desc = pp.TriSens == "Descendant"
	}
	args := make([]any, 0, len(rechercherArgs)+5)
	for _, k := range rechercherArgs {
		args = append(args, crit[k])
	}
	args = append(args, boolInt(privateOnly), sort, boolInt(desc))
	var total int64
	if err := pa.db.QueryRowContext(r.Context(), rechercherCount, args...).Scan(&total); err != nil {
		return nil, err
	}
	page = min(page, math.MaxInt64/perPage) // an absurd page number must not overflow the offset
	rows, err := pa.db.QueryContext(r.Context(), rechercherPage, append(args, perPage, (page-1)*perPage)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := piste.WsRetourRechercherStructure{Libelle: piste.LibelleOK, ListeStructures: []piste.StructureAAfficher{}}
	for rows.Next() {
		var h piste.StructureAAfficher
		if err := rows.Scan(&h.IDStructureCPP, &h.IdentifiantStructure, &h.DesignationStructure, &h.Statut, &h.TypeIdentifiantStructure); err != nil {
			return nil, err
		}
		out.ListeStructures = append(out.ListeStructures, h)
	}
	out.ParametresRetour = &piste.ParametresRetour{NbResultatsParPage: int32(perPage), PageCourante: int32(min(page, math.MaxInt32)),
		Pages: int32((total + perPage - 1) / perPage), Total: int32(total)}
	return out, rows.Err()
}

func (pa *pisteAPI) consulter(r *http.Request, _ string) (any, error) {
	var p piste.ConsulterStructureParam
	if err := decodeBody(r, &p); err != nil {
		return nil, err
	}
	var d core.StructureDraft
	var typ, kind, status string
	err := pa.db.QueryRowContext(r.Context(), `SELECT identifier_type, identifier, kind, company_name, structure_name, email,
		phone, address, address_complement_1, address_complement_2, city, postal_code, country, non_diffusible, status
		FROM structure WHERE id = ?`, p.IDStructureCPP).Scan(&typ, &d.Identifier, &kind, &d.CompanyName, &d.StructureName,
		&d.Email, &d.Phone, &d.Address, &d.Complement1, &d.Complement2, &d.City, &d.PostalCode, &d.Country, &d.NonDiffusible, &status)
	if err == sql.ErrNoRows {
		return nil, &pisteErr{http.StatusBadRequest, 20001, "GCU_MSG_01_003 : structure inconnue"}
	}
	if err != nil {
		return nil, err
	}
	country := d.Country
	if c, ok := validate.LookupCountry(d.Country); ok {
		country = c.NameFR
		if strings.EqualFold(p.CodeLangue, "EN") {
			country = c.NameEN
		}
	}
	indicatif, tel := "", ""
	if d.Phone != "" {
		indicatif, tel = splitE164(d.Phone)
	}
	vat := ""
	if typ == string(core.IDSIRET) {
		vat, _ = validate.VATFromSIREN(d.Identifier[:9])
	}
	addr := &piste.AdressePostale{Adresse: d.Address, CodePostal: d.PostalCode, ComplementAdresse1: d.Complement1,
		ComplementAdresse2: d.Complement2, Pays: country, Ville: d.City, IndicatifTelephone: indicatif, Telephone: tel}
	if d.NonDiffusible {
		// INSEE's non-diffusible companies: the portal masks the address
		// and the ways to reach the company, as the onboarding API and
		// the registries do.
		addr = &piste.AdressePostale{}
		d.Email = ""
	}
	return piste.WsRetourConsulterStructure{
		CodeRetour: 0, Libelle: "GCU_MSG_01_000", AdressePostaleDuSiege: addr,
		InformationGenerales: &piste.InformationsGeneralesStructure{
			EmailStructure: d.Email, IDStructureCPP: p.IDStructureCPP, IdentifiantStructure: d.Identifier,
			LibelleStructure: d.StructureName, ListeStructureDupliquees: []piste.StructureDupliquee{}, NumeroTVA: vat,
			RaisonSocialeStructure: d.CompanyName, StructurePriveePublique: kind, TypeIdentifiantStructure: typ,
		},
		Parametres: &piste.ParamModifierStructure{GestionNumeroEJOuCodeService: true, NonDiffusibleInsee: d.NonDiffusible},
	}, nil
}

// splitE164 splits +33123456789 into the indicatif and the national part.
func splitE164(p string) (string, string) {
	for _, cc := range []string{"+33", "+262", "+508", "+590", "+594", "+596", "+681", "+687", "+689", "+377"} {
		if strings.HasPrefix(p, cc) {
			return cc, p[len(cc):]
		}
	}
	if len(p) > 3 {
		return p[:3], p[3:]
	}
	return "", p
}

// rattachements lists the attachments of the account whose e-mail is the
// technical account's login, and the structures it manages.
func (pa *pisteAPI) rattachements(r *http.Request, login string) (any, error) {
	var p piste.RattachementsParam
	if err := decodeBody(r, &p); err != nil {
		return nil, err
	}
	rows, err := pa.db.QueryContext(r.Context(), `
		SELECT s.id, s.identifier, s.identifier_type, s.company_name, t.id, 'UTILISATEUR', t.status
		FROM attachment t JOIN structure s ON s.id = t.structure_id JOIN account a ON a.id = t.account_id WHERE a.email = ?
		AND t.structure_id NOT IN (SELECT structure_id FROM manager WHERE account_id = a.id)
		UNION ALL
		SELECT s.id, s.identifier, s.identifier_type, s.company_name, 0, m.role, 'VALIDEE'
		FROM manager m JOIN structure s ON s.id = m.structure_id JOIN account a ON a.id = m.account_id WHERE a.email = ?
		ORDER BY 1`, login, login)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := piste.WsRetourRattachements{Libelle: piste.LibelleOK, ListeStructureRattachement: []piste.StructureRattachement{}}
	for rows.Next() {
		var a piste.StructureRattachement
		if err := rows.Scan(&a.IDStructure, &a.IdentifiantStructure, &a.TypeIdentifiantStructure, &a.DesignationStructure,
			&a.IDRattachementStructure, &a.RoleUtilisateur, &a.StatutRattachementStructure); err != nil {
			return nil, err
		}
		a.StatutUtilisateur = "ACTIF"
		out.ListeStructureRattachement = append(out.ListeStructureRattachement, a)
	}
	n := int32(len(out.ListeStructureRattachement))
	out.ParametresRetour = &piste.ParametresRetour{NbResultatsParPage: max(n, 1), PageCourante: 1, Pages: min(n, 1), Total: n}
	return out, rows.Err()
}

func (pa *pisteAPI) typesIdentifiant(r *http.Request, _ string) (any, error) {
	out := piste.WsRetourTypesIdentifiant{Libelle: piste.LibelleOK}
	for _, t := range core.IdentifierTypes {
		out.ListeTypeIdentifiant = append(out.ListeTypeIdentifiant, piste.TypeIdentifiant{TypeIdentifiantStructure: string(t.Type)})
	}
	return out, nil
}

func (pa *pisteAPI) pays(r *http.Request, _ string) (any, error) {
	var p piste.PaysParam
	if err := decodeBody(r, &p); err != nil {
		return nil, err
	}
	out := piste.WsRetourPays{Libelle: piste.LibelleOK}
	for _, c := range validate.Countries() {
		name := c.NameFR
		if strings.EqualFold(p.CodeLangue, "en") {
			name = c.NameEN
		}
		out.ListePays = append(out.ListePays, piste.Pays{CodePays: c.Code, LibellePays: name})
	}
	slices.SortFunc(out.ListePays, func(a, b piste.Pays) int { return strings.Compare(a.LibellePays, b.LibellePays) })
	return out, nil
}
