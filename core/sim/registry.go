package sim

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core/registry"
)

// company is one entry of the built-in registry data set.
type company struct {
	siret, name, number, streetType, street, complement, postal, city, commune string
	diffusible                                                                 bool
	individual                                                                 bool
}

// companies is a small, fictitious data set with real-looking SIRETs: a
// company, La Poste's head office, an overseas one, and a non-diffusible
// sole trader whose name and address INSEE masks.
var companies = []company{
	{"73282932000074", "ATELIERS DUPONT ET FILS", "12", "RUE", "DE LA PAIX", "BATIMENT A", "75002", "PARIS", "75102", true, false},
	{"35600000000048", "LA POSTE", "9", "RUE", "DU COLONEL PIERRE AVIA", "", "75015", "PARIS", "75115", true, false},
	{"77984790400033", "BOULANGERIE MARTIN", "4", "AVENUE", "JEAN JAURES", "", "69007", "LYON", "69387", true, false},
	{"52524288900042", "CARAIBES SERVICES", "27", "RUE", "VICTOR HUGO", "", "97200", "FORT-DE-FRANCE", "97209", true, false},
	{"44126652500019", "CABINET COMPTABLE BERNARD", "3", "PLACE", "BELLECOUR", "2E ETAGE", "69002", "LYON", "69382", true, false},
	{"79068156300017", "MARIE DURAND", "8", "IMPASSE", "DES LILAS", "", "33000", "BORDEAUX", "33063", false, true},
}

func (s *Server) registryRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /registry"+registry.PathSearch, s.registrySearch)
	mux.HandleFunc("GET /insee/api-sirene/3.11"+registry.PathSiret+"{siret}", s.inseeSiret)
}

func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// masked returns v, or the marker when the company is not diffusible.
func (c company) masked(v, marker string) string {
	if !c.diffusible && v != "" {
		return marker
	}
	return v
}

func (c company) etablissement() registry.Etablissement {
	m := registry.MaskRecherche
	adresse := strings.Join(strings.Fields(c.number+" "+c.streetType+" "+c.street+" "+c.postal+" "+c.city), " ")
	e := registry.Etablissement{
		Siret: c.siret, Adresse: c.masked(adresse, m), ComplementAdresse: ptr(c.masked(c.complement, m)),
		NumeroVoie: ptr(c.masked(c.number, m)), TypeVoie: ptr(c.masked(c.streetType, m)), LibelleVoie: ptr(c.masked(c.street, m)),
		CodePostal: c.masked(c.postal, m), LibelleCommune: c.city, Commune: c.commune, // commune stays public
		EtatAdministratif: "A", StatutDiffusionEtablissement: "O", EstSiege: true,
	}
	if !c.diffusible {
		e.StatutDiffusionEtablissement = "P"
	}
	return e
}

// registrySearch answers like recherche-entreprises /search: q matches a
// SIREN, a SIRET or part of a name.
func (s *Server) registrySearch(w http.ResponseWriter, r *http.Request) {
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
	for _, c := range companies {
		if digits != c.siret && digits != c.siret[:9] && !(c.diffusible && strings.Contains(c.name, q)) {
			continue
		}
		e := c.etablissement()
		res := registry.Result{
			Siren: c.siret[:9], NomComplet: c.masked(c.name, registry.MaskRecherche), NomRaisonSociale: c.masked(c.name, registry.MaskRecherche),
			NatureJuridique: "5710", EtatAdministratif: "A", StatutDiffusion: "O", Siege: e,
			MatchingEtablissements: []registry.Etablissement{}, NombreEtablissements: 1, NombreEtablissementsOuv: 1,
		}
		if c.individual {
			res.NatureJuridique = "1000"
		}
		if !c.diffusible {
			res.StatutDiffusion = "P"
		}
		if digits == c.siret {
			res.MatchingEtablissements = append(res.MatchingEtablissements, registry.Etablissement{
				Siret: e.Siret, Adresse: e.Adresse, CodePostal: e.CodePostal, LibelleCommune: e.LibelleCommune, Commune: e.Commune,
				EtatAdministratif: "A", StatutDiffusionEtablissement: e.StatutDiffusionEtablissement, EstSiege: true,
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
func (s *Server) inseeSiret(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(registry.HeaderINSEEKey) == "" {
		writeJSON(w, http.StatusUnauthorized, registry.SiretAnswer{Header: registry.Header{Statut: 401, Message: "Clé d'API manquante"}})
		return
	}
	siret := r.PathValue("siret")
	for _, c := range companies {
		if c.siret != siret {
			continue
		}
		m := registry.MaskINSEE
		ul := registry.UniteLegale{CategorieJuridiqueUniteLegale: "5710", StatutDiffusionUniteLegale: "O", EtatAdministratifUniteLegale: "A"}
		if c.individual {
			first, last, _ := strings.Cut(c.name, " ")
			ul.CategorieJuridiqueUniteLegale = "1000"
			ul.Prenom1UniteLegale, ul.NomUniteLegale = ptr(c.masked(first, m)), ptr(c.masked(last, m))
		} else {
			ul.DenominationUniteLegale = ptr(c.masked(c.name, m))
		}
		status := "O"
		if !c.diffusible {
			status, ul.StatutDiffusionUniteLegale = "P", "P"
		}
		e := &registry.EtablissementINSEE{
			Siren: c.siret[:9], Nic: c.siret[9:], Siret: c.siret, StatutDiffusionEtablissement: status, EtablissementSiege: true,
			UniteLegale: ul,
			AdresseEtablissement: registry.AdresseINSEE{
				ComplementAdresseEtablissement: ptr(c.masked(c.complement, m)), NumeroVoieEtablissement: ptr(c.masked(c.number, m)),
				TypeVoieEtablissement: ptr(c.masked(c.streetType, m)), LibelleVoieEtablissement: ptr(c.masked(c.street, m)),
				CodePostalEtablissement: ptr(c.masked(c.postal, m)), LibelleCommuneEtablissement: ptr(c.masked(c.city, m)),
				CodeCommuneEtablissement: ptr(c.commune),
			},
			PeriodesEtablissement: []registry.PeriodeINSEE{{EtatAdministratifEtablissement: "A"}},
		}
		writeJSON(w, http.StatusOK, registry.SiretAnswer{Header: registry.Header{Statut: 200, Message: "OK"}, Etablissement: e})
		return
	}
	writeJSON(w, http.StatusNotFound, registry.SiretAnswer{Header: registry.Header{Statut: 404, Message: "Aucun élément trouvé pour le siret " + siret}})
}

// registryCompany returns the data set's entry for a SIRET, if any.
func registryCompany(siret string) (company, bool) {
	for _, c := range companies {
		if c.siret == siret {
			return c, true
		}
	}
	return company{}, false
}
