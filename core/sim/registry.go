package sim

import (
	"crypto/sha256"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/registry"
)

// Company is one entry of the simulator's company registry, which answers
// in the shapes of recherche-entreprises and INSEE's API Sirene.
type Company struct {
	SIRET string
	Name  string
	// Number, StreetType and Street are address line 1 as the registries
	// split it ("12", "RUE", "DE LA PAIX").
	Number, StreetType, Street string
	Complement                 string
	PostalCode, City           string
	// Commune is INSEE's code of the commune.
	Commune string
	// Diffusible is false for a company that asked INSEE not to publish
	// its details: both registries mask them.
	Diffusible bool
	// Individual is a sole trader: INSEE gives first and last name.
	Individual bool
	// Closed is an establishment that has ceased trading.
	Closed bool
	// Activity is the main activity's NAF code (62.01Z).
	Activity string
	// Category is INSEE's categorie_entreprise (PME, ETI, GE; "" for none).
	Category string
}

// builtinCompanies is a small, fictitious data set with real-looking
// SIRETs: a company, La Poste's head office, an overseas one, and a
// non-diffusible sole trader whose name and address INSEE masks.
var builtinCompanies = []Company{
	{"73282932000074", "ATELIERS DUPONT ET FILS", "12", "RUE", "DE LA PAIX", "BATIMENT A", "75002", "PARIS", "75102", true, false, false, "25.62B", "PME"},
	{"35600000000048", "LA POSTE", "9", "RUE", "DU COLONEL PIERRE AVIA", "", "75015", "PARIS", "75115", true, false, false, "53.10Z", "GE"},
	{"77984790400033", "BOULANGERIE MARTIN", "4", "AVENUE", "JEAN JAURES", "", "69007", "LYON", "69387", true, false, false, "10.71C", "PME"},
	{"52524288900042", "CARAIBES SERVICES", "27", "RUE", "VICTOR HUGO", "", "97200", "FORT-DE-FRANCE", "97209", true, false, false, "82.99Z", "ETI"},
	{"44126652500019", "CABINET COMPTABLE BERNARD", "3", "PLACE", "BELLECOUR", "2E ETAGE", "69002", "LYON", "69382", true, false, false, "69.20Z", "PME"},
	{"79068156300017", "MARIE DURAND", "8", "IMPASSE", "DES LILAS", "", "33000", "BORDEAUX", "33063", false, true, false, "96.02A", ""},
}

// The registries' published limits, which the simulator enforces so that
// clients are tested against them: recherche-entreprises 7 requests a
// second per client address, INSEE's free plan 30 a minute per key.
const (
	RechercheLimit  = 7
	RechercheWindow = time.Second
	INSEELimit      = 30
	INSEEWindow     = time.Minute
)

// registryData is the registry the server answers from: the built-in
// companies and Config.Companies, by SIRET, and in order for searches by
// name.
type registryData struct {
	bySIRET map[string]Company
	all     []Company
}

func newRegistryData(extra []Company) registryData {
	d := registryData{bySIRET: make(map[string]Company, len(builtinCompanies)+len(extra))}
	for _, c := range append(slices.Clone(builtinCompanies), extra...) {
		if _, dup := d.bySIRET[c.SIRET]; !dup {
			d.all = append(d.all, c)
		}
		d.bySIRET[c.SIRET] = c
	}
	return d
}

// registryAPI serves the company registries (recherche-entreprises and
// INSEE's API Sirene) from the built-in data set, at their published rates.
type registryAPI struct {
	data registryData
	now  func() time.Time
	// rechercheLimit and inseeLimit enforce the registries' published rates.
	rechercheLimit, inseeLimit *limiter
	inseeKeys                  map[[32]byte]bool // SHA-256 of Config.INSEEKeys
	throttled                  atomic.Int64
}

func newRegistryAPI(cfg Config) *registryAPI {
	ra := &registryAPI{data: newRegistryData(cfg.Companies), now: cfg.Now,
		rechercheLimit: newLimiter(RechercheWindow, RechercheLimit), inseeLimit: newLimiter(INSEEWindow, INSEELimit),
		inseeKeys: make(map[[32]byte]bool, len(cfg.INSEEKeys))}
	for _, k := range cfg.INSEEKeys {
		ra.inseeKeys[sha256.Sum256([]byte(k))] = true
	}
	return ra
}

func (ra *registryAPI) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /registry"+registry.PathSearch, ra.search)
	mux.HandleFunc("GET /insee/api-sirene/3.11"+registry.PathSiret+"{siret}", ra.inseeSiret)
	mux.HandleFunc("GET /insee/api-sirene/3.11"+registry.PathSiren+"{siren}", ra.inseeSiren)
	mux.HandleFunc("GET "+PathDirectoryPage, ra.directoryPage)
	mux.HandleFunc("GET "+PathDirectorySearch, ra.directorySearch)
}

// limit counts a request against a registry's limit; over it, it
// answers 429 with Retry-After, as the real services do, and reports false.
func (ra *registryAPI) limit(w http.ResponseWriter, l *limiter, key string) bool {
	wait := l.take(ra.now(), key)
	if wait <= 0 {
		return true
	}
	ra.throttled.Add(1)
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	writeJSON(w, http.StatusTooManyRequests, map[string]string{"erreur": "Trop de requêtes, veuillez réessayer plus tard."})
	return false
}

// inseeKey checks the request's INSEE key and counts it against the key's
// limit, answering 401 for a missing or unknown key (before anything is
// counted or kept for it) or 429 over the limit; false means answered.
// The limit is the key's hash's; the key itself is not kept.
func (ra *registryAPI) inseeKey(w http.ResponseWriter, r *http.Request) bool {
	key := r.Header.Get(registry.HeaderINSEEKey)
	sum := sha256.Sum256([]byte(key))
	switch {
	case key == "":
		writeJSON(w, http.StatusUnauthorized, registry.SiretAnswer{Header: registry.Header{Statut: 401, Message: "Clé d'API manquante"}})
		return false
	case !ra.inseeKeys[sum]:
		writeJSON(w, http.StatusUnauthorized, registry.SiretAnswer{Header: registry.Header{Statut: 401, Message: "Clé d'API invalide"}})
		return false
	}
	return ra.limit(w, ra.inseeLimit, string(sum[:8]))
}

// RegistryThrottled returns how many registry requests were refused with
// 429 since the server started: a client that keeps to the published rates
// gets none.
func (s *Server) RegistryThrottled() int64 { return s.registry.throttled.Load() }

// category is the company's categorie_entreprise as the registries
// write it: null when it has none.
func (c Company) category() *string {
	if c.Category == "" {
		return nil
	}
	return ptr(c.Category)
}

func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// masked returns v, or the marker when the company is not diffusible.
func (c Company) masked(v, marker string) string {
	if !c.Diffusible && v != "" {
		return marker
	}
	return v
}

// state is the administrative state the registries write: A active, F
// closed.
func (c Company) state() string {
	if c.Closed {
		return "F"
	}
	return "A"
}

func (c Company) etablissement() registry.Etablissement {
	m := registry.MaskRecherche
	adresse := strings.Join(strings.Fields(c.Number+" "+c.StreetType+" "+c.Street+" "+c.PostalCode+" "+c.City), " ")
	e := registry.Etablissement{
		Siret: c.SIRET, Adresse: c.masked(adresse, m), ComplementAdresse: ptr(c.masked(c.Complement, m)),
		NumeroVoie: ptr(c.masked(c.Number, m)), TypeVoie: ptr(c.masked(c.StreetType, m)), LibelleVoie: ptr(c.masked(c.Street, m)),
		CodePostal: c.masked(c.PostalCode, m), LibelleCommune: c.City, Commune: c.Commune, // commune stays public
		EtatAdministratif: c.state(), StatutDiffusionEtablissement: "O", EstSiege: true, ActivitePrincipale: c.Activity,
	}
	if !c.Diffusible {
		e.StatutDiffusionEtablissement = "P"
	}
	return e
}

// search answers like recherche-entreprises /search: q matches a
// SIREN, a SIRET or part of a name.
func (ra *registryAPI) search(w http.ResponseWriter, r *http.Request) {
	if !ra.limit(w, ra.rechercheLimit, clientNet(r)) {
		return
	}
	q := strings.ToUpper(strings.Join(strings.Fields(r.URL.Query().Get("q")), " "))
	digits := strings.NewReplacer(" ", "", ".", "").Replace(q)
	if len(q) < 3 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"erreur": "Veuillez indiquer au moins 3 caractères."})
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	page, perPage = max(page, 1), min(max(perPage, 1), 25)
	if r.URL.Query().Get("per_page") == "" {
		perPage = 10
	}
	out := registry.SearchAnswer{Results: []registry.Result{}, Page: page, PerPage: perPage}
	var found []Company
	if c, ok := ra.data.bySIRET[digits]; ok {
		found = append(found, c)
	} else {
		for _, c := range ra.data.all {
			if digits == c.SIRET[:9] || c.Diffusible && strings.Contains(c.Name, q) {
				found = append(found, c)
				if len(found) == 25*20 { // the real service stops at 20 pages too
					break
				}
			}
		}
	}
	for _, c := range found {
		e := c.etablissement()
		res := registry.Result{
			Siren: c.SIRET[:9], NomComplet: c.masked(c.Name, registry.MaskRecherche), NomRaisonSociale: c.masked(c.Name, registry.MaskRecherche),
			NatureJuridique: "5710", EtatAdministratif: "A", StatutDiffusion: "O", Siege: e, ActivitePrincipale: c.Activity,
			CategorieEntreprise:    c.category(),
			MatchingEtablissements: []registry.Etablissement{}, NombreEtablissements: 1, NombreEtablissementsOuv: 1,
		}
		if c.Individual {
			res.NatureJuridique = "1000"
		}
		if !c.Diffusible {
			res.StatutDiffusion = "P"
		}
		if digits == c.SIRET {
			res.MatchingEtablissements = append(res.MatchingEtablissements, registry.Etablissement{
				Siret: e.Siret, Adresse: e.Adresse, CodePostal: e.CodePostal, LibelleCommune: e.LibelleCommune, Commune: e.Commune,
				EtatAdministratif: c.state(), StatutDiffusionEtablissement: e.StatutDiffusionEtablissement, EstSiege: true,
			})
		}
		out.Results = append(out.Results, res)
	}
	out.TotalResults = len(out.Results)
	out.TotalPages = (out.TotalResults + perPage - 1) / perPage
	from := min((page-1)*perPage, len(out.Results))
	out.Results = out.Results[from:min(from+perPage, len(out.Results))]
	writeJSON(w, http.StatusOK, out)
}

// inseeSiret answers like INSEE Sirene 3.11 /siret/{siret}.
func (ra *registryAPI) inseeSiret(w http.ResponseWriter, r *http.Request) {
	if !ra.inseeKey(w, r) {
		return
	}
	siret := r.PathValue("siret")
	c, ok := ra.data.bySIRET[siret]
	if !ok {
		writeJSON(w, http.StatusNotFound, registry.SiretAnswer{Header: registry.Header{Statut: 404, Message: "Aucun élément trouvé pour le siret " + siret}})
		return
	}
	m := registry.MaskINSEE
	ul := registry.UniteLegale{CategorieJuridiqueUniteLegale: "5710", StatutDiffusionUniteLegale: "O", EtatAdministratifUniteLegale: "A",
		ActivitePrincipaleUniteLegale: c.Activity, CategorieEntreprise: c.category()}
	if c.Individual {
		first, last, _ := strings.Cut(c.Name, " ")
		ul.CategorieJuridiqueUniteLegale = "1000"
		ul.Prenom1UniteLegale, ul.NomUniteLegale = ptr(c.masked(first, m)), ptr(c.masked(last, m))
	} else {
		ul.DenominationUniteLegale = ptr(c.masked(c.Name, m))
	}
	status := "O"
	if !c.Diffusible {
		status, ul.StatutDiffusionUniteLegale = "P", "P"
	}
	e := &registry.EtablissementINSEE{
		Siren: c.SIRET[:9], Nic: c.SIRET[9:], Siret: c.SIRET, StatutDiffusionEtablissement: status, EtablissementSiege: true,
		UniteLegale: ul,
		AdresseEtablissement: registry.AdresseINSEE{
			ComplementAdresseEtablissement: ptr(c.masked(c.Complement, m)), NumeroVoieEtablissement: ptr(c.masked(c.Number, m)),
			TypeVoieEtablissement: ptr(c.masked(c.StreetType, m)), LibelleVoieEtablissement: ptr(c.masked(c.Street, m)),
			CodePostalEtablissement: ptr(c.masked(c.PostalCode, m)), LibelleCommuneEtablissement: ptr(c.masked(c.City, m)),
			CodeCommuneEtablissement: ptr(c.Commune),
		},
		PeriodesEtablissement: []registry.PeriodeINSEE{{EtatAdministratifEtablissement: c.state(), ActivitePrincipaleEtablissement: c.Activity}},
	}
	writeJSON(w, http.StatusOK, registry.SiretAnswer{Header: registry.Header{Statut: 200, Message: "OK"}, Etablissement: e})
}

// inseeSiren answers like INSEE Sirene 3.11 /siren/{siren}: the company
// and, in its current period, its head office's NIC (here the first
// establishment known of that SIREN).
func (ra *registryAPI) inseeSiren(w http.ResponseWriter, r *http.Request) {
	if !ra.inseeKey(w, r) {
		return
	}
	siren := r.PathValue("siren")
	for _, c := range ra.data.all {
		if c.SIRET[:9] != siren {
			continue
		}
		status := "O"
		if !c.Diffusible {
			status = "P"
		}
		name := ptr(c.masked(c.Name, registry.MaskINSEE))
		if c.Individual {
			name = nil
		}
		writeJSON(w, http.StatusOK, registry.SirenAnswer{Header: registry.Header{Statut: 200, Message: "OK"},
			UniteLegale: &registry.UniteLegaleFull{Siren: siren, StatutDiffusionUniteLegale: status,
				PeriodesUniteLegale: []registry.PeriodeUniteLegale{{NicSiegeUniteLegale: c.SIRET[9:], DenominationUniteLegale: name,
					ActivitePrincipaleUniteLegale: c.Activity, EtatAdministratifUniteLegale: "A"}}}})
		return
	}
	writeJSON(w, http.StatusNotFound, registry.SirenAnswer{Header: registry.Header{Statut: 404, Message: "Aucun élément trouvé pour le siren " + siren}})
}

// registryCompany returns the registry's entry for a SIRET, if any.
func (ra *registryAPI) company(siret string) (Company, bool) {
	c, ok := ra.data.bySIRET[siret]
	return c, ok
}
