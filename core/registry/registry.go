// Package registry is the wire format of the two company registries the app
// pre-fills forms from, and the rule that turns their answers into what the
// portal's structure form wants: recherche-entreprises
// (GET /search, no key) and INSEE's API Sirene 3.11 (GET /siret/{siret},
// key in the keyring). chorus-sim serves both shapes; core/portal calls them.
package registry

import (
	"cmp"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
)

// Paths, relative to each service's base URL.
const (
	PathSearch = "/search"
	PathSiret  = "/siret/" // + 14 digits
	PathSiren  = "/siren/" // + 9 digits (INSEE)
)

// HeaderINSEEKey carries the INSEE API key.
const HeaderINSEEKey = "X-INSEE-Api-Key-Integration"

// Markers of data the company asked INSEE not to publish.
const (
	MaskRecherche = "[NON-DIFFUSIBLE]"
	MaskINSEE     = "[ND]"
)

// SearchAnswer is recherche-entreprises' answer.
type SearchAnswer struct {
	Results      []Result `json:"results"`
	TotalResults int      `json:"total_results"`
	Page         int      `json:"page"`
	PerPage      int      `json:"per_page"`
	TotalPages   int      `json:"total_pages"`
}

// Result is one company (unité légale).
type Result struct {
	Siren              string  `json:"siren"`
	NomComplet         string  `json:"nom_complet"`
	NomRaisonSociale   string  `json:"nom_raison_sociale"`
	Sigle              *string `json:"sigle"`
	NatureJuridique    string  `json:"nature_juridique"`
	EtatAdministratif  string  `json:"etat_administratif"`
	StatutDiffusion    string  `json:"statut_diffusion"`    // O or P
	ActivitePrincipale string  `json:"activite_principale"` // NAF code, e.g. 62.01Z
	// CategorieEntreprise is INSEE's size of the company: PME, ETI, GE,
	// or null for one too recent to be classed.
	CategorieEntreprise     *string         `json:"categorie_entreprise"`
	Siege                   Etablissement   `json:"siege"`
	MatchingEtablissements  []Etablissement `json:"matching_etablissements"`
	NombreEtablissements    int             `json:"nombre_etablissements"`
	NombreEtablissementsOuv int             `json:"nombre_etablissements_ouverts"`
}

// Etablissement is an establishment (the siege or a matching one).
type Etablissement struct {
	Siret                        string  `json:"siret"`
	Adresse                      string  `json:"adresse"`
	ComplementAdresse            *string `json:"complement_adresse,omitempty"`
	NumeroVoie                   *string `json:"numero_voie,omitempty"`
	IndiceRepetition             *string `json:"indice_repetition,omitempty"`
	TypeVoie                     *string `json:"type_voie,omitempty"`
	LibelleVoie                  *string `json:"libelle_voie,omitempty"`
	DistributionSpeciale         *string `json:"distribution_speciale,omitempty"`
	CodePostal                   string  `json:"code_postal"`
	LibelleCommune               string  `json:"libelle_commune"`
	Commune                      string  `json:"commune"`
	CodePaysEtranger             *string `json:"code_pays_etranger,omitempty"`
	LibellePaysEtranger          *string `json:"libelle_pays_etranger,omitempty"`
	EtatAdministratif            string  `json:"etat_administratif"`
	StatutDiffusionEtablissement string  `json:"statut_diffusion_etablissement"`
	EstSiege                     bool    `json:"est_siege"`
	ActivitePrincipale           string  `json:"activite_principale,omitempty"`
}

// SiretAnswer is INSEE's answer to /siret/{siret}.
type SiretAnswer struct {
	Header        Header              `json:"header"`
	Etablissement *EtablissementINSEE `json:"etablissement,omitempty"`
}

// Header is INSEE's status header.
type Header struct {
	Statut  int    `json:"statut"`
	Message string `json:"message"`
}

// EtablissementINSEE is an establishment in Sirene's shape.
type EtablissementINSEE struct {
	Siren                        string         `json:"siren"`
	Nic                          string         `json:"nic"`
	Siret                        string         `json:"siret"`
	StatutDiffusionEtablissement string         `json:"statutDiffusionEtablissement"`
	EtablissementSiege           bool           `json:"etablissementSiege"`
	UniteLegale                  UniteLegale    `json:"uniteLegale"`
	AdresseEtablissement         AdresseINSEE   `json:"adresseEtablissement"`
	PeriodesEtablissement        []PeriodeINSEE `json:"periodesEtablissement"`
}

// UniteLegale is the company of an establishment.
type UniteLegale struct {
	DenominationUniteLegale       *string `json:"denominationUniteLegale"`
	NomUniteLegale                *string `json:"nomUniteLegale"`
	Prenom1UniteLegale            *string `json:"prenom1UniteLegale"`
	CategorieJuridiqueUniteLegale string  `json:"categorieJuridiqueUniteLegale"`
	// CategorieEntreprise is the company's size (PME, ETI, GE), null when
	// not classed.
	CategorieEntreprise           *string `json:"categorieEntreprise"`
	StatutDiffusionUniteLegale    string  `json:"statutDiffusionUniteLegale"`
	EtatAdministratifUniteLegale  string  `json:"etatAdministratifUniteLegale"`
	ActivitePrincipaleUniteLegale string  `json:"activitePrincipaleUniteLegale,omitempty"`
}

// SirenAnswer is INSEE's answer to /siren/{siren}: the company, whose
// current period names its head office.
type SirenAnswer struct {
	Header      Header           `json:"header"`
	UniteLegale *UniteLegaleFull `json:"uniteLegale,omitempty"`
}

// UniteLegaleFull is a company as /siren/ describes it.
type UniteLegaleFull struct {
	Siren                      string               `json:"siren"`
	StatutDiffusionUniteLegale string               `json:"statutDiffusionUniteLegale"`
	PeriodesUniteLegale        []PeriodeUniteLegale `json:"periodesUniteLegale"`
}

// PeriodeUniteLegale is one period of a company's history, the current
// one first.
type PeriodeUniteLegale struct {
	NicSiegeUniteLegale           string  `json:"nicSiegeUniteLegale"`
	DenominationUniteLegale       *string `json:"denominationUniteLegale"`
	ActivitePrincipaleUniteLegale string  `json:"activitePrincipaleUniteLegale"`
	EtatAdministratifUniteLegale  string  `json:"etatAdministratifUniteLegale"`
}

// AdresseINSEE is Sirene's address of an establishment.
type AdresseINSEE struct {
	ComplementAdresseEtablissement    *string `json:"complementAdresseEtablissement"`
	NumeroVoieEtablissement           *string `json:"numeroVoieEtablissement"`
	IndiceRepetitionEtablissement     *string `json:"indiceRepetitionEtablissement"`
	TypeVoieEtablissement             *string `json:"typeVoieEtablissement"`
	LibelleVoieEtablissement          *string `json:"libelleVoieEtablissement"`
	CodePostalEtablissement           *string `json:"codePostalEtablissement"`
	LibelleCommuneEtablissement       *string `json:"libelleCommuneEtablissement"`
	CodeCommuneEtablissement          *string `json:"codeCommuneEtablissement"`
	DistributionSpecialeEtablissement *string `json:"distributionSpecialeEtablissement"`
	CodeCedexEtablissement            *string `json:"codeCedexEtablissement"`
	LibelleCedexEtablissement         *string `json:"libelleCedexEtablissement"`
	CodePaysEtrangerEtablissement     *string `json:"codePaysEtrangerEtablissement"`
	LibellePaysEtrangerEtablissement  *string `json:"libellePaysEtrangerEtablissement"`
}

// PeriodeINSEE is one period of an establishment's history.
type PeriodeINSEE struct {
	EtatAdministratifEtablissement  string `json:"etatAdministratifEtablissement"` // A or F
	ActivitePrincipaleEtablissement string `json:"activitePrincipaleEtablissement,omitempty"`
}

// Company is what the structure form is pre-filled with. Masked fields are
// empty and NonDiffusible is set: the user types what they know.
type Company struct {
	Siret         string
	Name          string
	Address       string
	Complement1   string
	Complement2   string
	City          string
	PostalCode    string
	Country       string // ISO alpha-2; FR unless the registry says otherwise
	NonDiffusible bool
	Active        bool
	// Activity is the main activity's NAF code (62.01Z), as the registry
	// gives it.
	Activity string
	// Category is INSEE's categorie_entreprise, from which the reform's
	// dates follow; unknown when the registry gives none.
	Category core.CompanyCategory
}

// category reads a registry's categorie_entreprise.
func category(p *string) core.CompanyCategory {
	if p == nil {
		return core.CategoryUnknown
	}
	return core.ParseCompanyCategory(*p)
}

// unmask returns "" for a masked or missing value, the trimmed value
// otherwise, and whether it was masked.
func unmask(p *string) (string, bool) {
	if p == nil {
		return "", false
	}
	v := strings.TrimSpace(*p)
	if v == MaskRecherche || v == MaskINSEE {
		return "", true
	}
	return v, false
}

// street joins the parts of address line 1 as La Poste writes it: number,
// repetition index, street type, street name.
func street(parts ...*string) (string, bool) {
	var out []string
	masked := false
	for _, p := range parts {
		v, m := unmask(p)
		masked = masked || m
		if v != "" {
			out = append(out, v)
		}
	}
	return strings.Join(out, " "), masked
}

// FromSearch maps a recherche-entreprises result for one SIRET: the
// matching establishment when there is one, else the siege.
func FromSearch(r Result, siret string) Company {
	e := r.Siege
	for _, m := range r.MatchingEtablissements {
		if m.Siret == siret {
			e = m
			if e.NumeroVoie == nil && e.LibelleVoie == nil && r.Siege.Siret == siret {
				e = r.Siege // matching entries carry fewer address parts
			}
		}
	}
	name, m1 := unmask(&r.NomRaisonSociale)
	if name == "" && !m1 {
		name, m1 = unmask(&r.NomComplet)
	}
	line, m2 := street(e.NumeroVoie, e.IndiceRepetition, e.TypeVoie, e.LibelleVoie)
	if line == "" && !m2 {
		line, m2 = unmask(&e.Adresse)
	}
	c1, m3 := unmask(e.ComplementAdresse)
	c2, m4 := unmask(e.DistributionSpeciale)
	postal, m5 := unmask(&e.CodePostal)
	city, _ := unmask(&e.LibelleCommune)
	country := core.DefaultCountry // a French establishment, unless its address is abroad
	if cc, _ := unmask(e.CodePaysEtranger); cc != "" {
		country = cc
	}
	return Company{
		Siret: e.Siret, Name: name, Address: line, Complement1: c1, Complement2: c2, City: city,
		PostalCode: postal, Country: country, Active: e.EtatAdministratif == "A", Activity: cmp.Or(e.ActivitePrincipale, r.ActivitePrincipale),
		Category:      category(r.CategorieEntreprise),
		NonDiffusible: r.StatutDiffusion == "P" || e.StatutDiffusionEtablissement == "P" || m1 || m2 || m3 || m4 || m5,
	}
}

// FromINSEE maps an INSEE establishment.
func FromINSEE(e EtablissementINSEE) Company {
	a := e.AdresseEtablissement
	name, m1 := unmask(e.UniteLegale.DenominationUniteLegale)
	if name == "" && !m1 {
		first, _ := unmask(e.UniteLegale.Prenom1UniteLegale)
		last, m := unmask(e.UniteLegale.NomUniteLegale)
		m1 = m
		name = strings.TrimSpace(first + " " + last)
	}
	line, m2 := street(a.NumeroVoieEtablissement, a.IndiceRepetitionEtablissement, a.TypeVoieEtablissement, a.LibelleVoieEtablissement)
	c1, m3 := unmask(a.ComplementAdresseEtablissement)
	c2, _ := unmask(a.DistributionSpecialeEtablissement)
	postal, m4 := unmask(a.CodePostalEtablissement)
	city, m5 := unmask(a.LibelleCommuneEtablissement)
	country := core.DefaultCountry // a French establishment, unless its address is abroad
	if cc, _ := unmask(a.CodePaysEtrangerEtablissement); cc != "" {
		country = cc
	}
	active := len(e.PeriodesEtablissement) > 0 && e.PeriodesEtablissement[0].EtatAdministratifEtablissement == "A"
	activity := e.UniteLegale.ActivitePrincipaleUniteLegale
	if len(e.PeriodesEtablissement) > 0 && e.PeriodesEtablissement[0].ActivitePrincipaleEtablissement != "" {
		activity = e.PeriodesEtablissement[0].ActivitePrincipaleEtablissement
	}
	return Company{
		Siret: e.Siret, Name: name, Address: line, Complement1: c1, Complement2: c2, City: city, PostalCode: postal,
		Country: country, Active: active, Activity: activity, Category: category(e.UniteLegale.CategorieEntreprise),
		NonDiffusible: e.StatutDiffusionEtablissement == "P" || e.UniteLegale.StatutDiffusionUniteLegale == "P" || m1 || m2 || m3 || m4 || m5,
	}
}
