package registry

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
)

// The answers below are in the registries' own shapes, as their OpenAPI
// documents and published examples write them (recherche-entreprises'
// /search, INSEE's Sirene 3.11 /siret): field names and masking markers
// are the contract these tests hold the mapping to.

const searchAnswer = `{"results":[{"siren":"732829320","nom_complet":"ATELIERS DUPONT ET FILS (ADF)","nom_raison_sociale":"ATELIERS DUPONT ET FILS",
"sigle":"ADF","nature_juridique":"5710","etat_administratif":"A","statut_diffusion":"O","activite_principale":"25.62B","categorie_entreprise":"PME",
"siege":{"siret":"73282932000074","adresse":"12 RUE DES LILAS 69003 LYON","numero_voie":"12","type_voie":"RUE","libelle_voie":"DES LILAS",
"complement_adresse":"BAT B","code_postal":"69003","libelle_commune":"LYON","commune":"69383","etat_administratif":"A",
"statut_diffusion_etablissement":"O","est_siege":true,"activite_principale":"25.62B"},
"matching_etablissements":[{"siret":"73282932000082","adresse":"4 AV FOCH 75016 PARIS","code_postal":"75016","libelle_commune":"PARIS",
"commune":"75116","etat_administratif":"F","statut_diffusion_etablissement":"O","est_siege":false}],
"nombre_etablissements":2,"nombre_etablissements_ouverts":1}],"total_results":1,"page":1,"per_page":10,"total_pages":1}`

const siretAnswer = `{"header":{"statut":200,"message":"OK"},"etablissement":{"siren":"790681563","nic":"00017","siret":"79068156300017",
"statutDiffusionEtablissement":"P","etablissementSiege":true,"uniteLegale":{"denominationUniteLegale":null,"nomUniteLegale":"[ND]",
"prenom1UniteLegale":"[ND]","categorieJuridiqueUniteLegale":"1000","categorieEntreprise":null,"statutDiffusionUniteLegale":"P",
"etatAdministratifUniteLegale":"A","activitePrincipaleUniteLegale":"62.01Z"},"adresseEtablissement":{"complementAdresseEtablissement":null,
"numeroVoieEtablissement":"[ND]","indiceRepetitionEtablissement":null,"typeVoieEtablissement":"[ND]","libelleVoieEtablissement":"[ND]",
"codePostalEtablissement":"[ND]","libelleCommuneEtablissement":"[ND]","codeCommuneEtablissement":"[ND]","distributionSpecialeEtablissement":null,
"codeCedexEtablissement":null,"libelleCedexEtablissement":null,"codePaysEtrangerEtablissement":null,"libellePaysEtrangerEtablissement":null},
"periodesEtablissement":[{"etatAdministratifEtablissement":"A","activitePrincipaleEtablissement":"62.01Z"}]}}`

func TestFromSearch(t *testing.T) {
	var ans SearchAnswer
	if err := json.Unmarshal([]byte(searchAnswer), &ans); err != nil {
		t.Fatal(err)
	}
	r := ans.Results[0]
	abroad := r
	country := "DE"
	abroad.Siege.CodePaysEtranger = &country
	masked := r
	masked.StatutDiffusion = "P"
	masked.NomRaisonSociale = MaskRecherche
	masked.Siege.CodePostal = MaskRecherche
	onlyFull := r
	onlyFull.NomRaisonSociale = ""
	for _, tt := range []struct {
		name  string
		r     Result
		siret string
		want  Company
	}{
		{"the siege", r, "73282932000074", Company{Siret: "73282932000074", Name: "ATELIERS DUPONT ET FILS", Address: "12 RUE DES LILAS",
			Complement1: "BAT B", City: "LYON", PostalCode: "69003", Country: core.DefaultCountry, Active: true, Activity: "25.62B",
			Category: core.CategoryPME}},
		{"a closed establishment that matched, its one-line address", r, "73282932000082", Company{Siret: "73282932000082",
			Name: "ATELIERS DUPONT ET FILS", Address: "4 AV FOCH 75016 PARIS", City: "PARIS", PostalCode: "75016", Country: core.DefaultCountry,
			Activity: "25.62B", Category: core.CategoryPME}},
		{"abroad", abroad, "73282932000074", Company{Siret: "73282932000074", Name: "ATELIERS DUPONT ET FILS", Address: "12 RUE DES LILAS",
			Complement1: "BAT B", City: "LYON", PostalCode: "69003", Country: "DE", Active: true, Activity: "25.62B", Category: core.CategoryPME}},
		{"non-diffusible: masked fields empty, and said", masked, "73282932000074", Company{Siret: "73282932000074", Address: "12 RUE DES LILAS",
			Complement1: "BAT B", City: "LYON", Country: core.DefaultCountry, Active: true, Activity: "25.62B", Category: core.CategoryPME,
			NonDiffusible: true}},
		{"no legal name: the full name", onlyFull, "73282932000074", Company{Siret: "73282932000074", Name: "ATELIERS DUPONT ET FILS (ADF)",
			Address: "12 RUE DES LILAS", Complement1: "BAT B", City: "LYON", PostalCode: "69003", Country: core.DefaultCountry, Active: true,
			Activity: "25.62B", Category: core.CategoryPME}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := FromSearch(tt.r, tt.siret); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFromINSEE(t *testing.T) {
	var ans SiretAnswer
	if err := json.Unmarshal([]byte(siretAnswer), &ans); err != nil {
		t.Fatal(err)
	}
	e := *ans.Etablissement
	// A person's company, non-diffusible: nothing published but its
	// activity; every masked field left for the user to type.
	want := Company{Siret: "79068156300017", Country: core.DefaultCountry, Active: true, Activity: "62.01Z", NonDiffusible: true}
	if got := FromINSEE(e); got != want {
		t.Errorf("non-diffusible:\ngot  %+v\nwant %+v", got, want)
	}
	// Published: a person's name, number, street, closed.
	s := func(v string) *string { return &v }
	e.StatutDiffusionEtablissement, e.UniteLegale.StatutDiffusionUniteLegale = "O", "O"
	e.UniteLegale.NomUniteLegale, e.UniteLegale.Prenom1UniteLegale = s("MARTIN"), s("Jeanne")
	e.UniteLegale.CategorieEntreprise = s("GE")
	a := &e.AdresseEtablissement
	a.NumeroVoieEtablissement, a.IndiceRepetitionEtablissement, a.TypeVoieEtablissement, a.LibelleVoieEtablissement = s("3"), s("B"), s("AV"), s(" DE LA GARE ")
	a.CodePostalEtablissement, a.LibelleCommuneEtablissement, a.DistributionSpecialeEtablissement = s("88000"), s("EPINAL"), s("BP 12")
	e.PeriodesEtablissement = []PeriodeINSEE{{EtatAdministratifEtablissement: "F"}}
	want = Company{Siret: "79068156300017", Name: "Jeanne MARTIN", Address: "3 B AV DE LA GARE", Complement2: "BP 12", City: "EPINAL",
		PostalCode: "88000", Country: core.DefaultCountry, Activity: "62.01Z", Category: core.CategoryGE}
	if got := FromINSEE(e); got != want {
		t.Errorf("published:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestUnmask(t *testing.T) {
	s := func(v string) *string { return &v }
	for _, tt := range []struct {
		in     *string
		want   string
		masked bool
	}{
		{nil, "", false},
		{s("  LYON "), "LYON", false},
		{s(MaskRecherche), "", true},
		{s(" " + MaskINSEE), "", true},
		{s(""), "", false},
	} {
		if got, m := unmask(tt.in); got != tt.want || m != tt.masked {
			t.Errorf("unmask(%v) = %q %v", tt.in, got, m)
		}
	}
	if got, m := street(s("12"), nil, s("RUE"), s(MaskINSEE)); got != "12 RUE" || !m {
		t.Errorf("street with a masked part: %q %v", got, m)
	}
}

// FuzzFromAnswers: whatever a registry (or a captive portal pretending to
// be one) answers, the mapping never panics, keeps a masked value out of
// every field, and names a country of two letters.
func FuzzFromAnswers(f *testing.F) {
	f.Add([]byte(searchAnswer), "73282932000074")
	f.Add([]byte(siretAnswer), "79068156300017")
	f.Add([]byte(`{"results":[{"siege":{"code_pays_etranger":"[ND]"}}]}`), "")
	f.Fuzz(func(t *testing.T, body []byte, siret string) {
		var out []Company
		var s SearchAnswer
		if json.Unmarshal(body, &s) == nil {
			for _, r := range s.Results {
				out = append(out, FromSearch(r, siret))
			}
		}
		var i SiretAnswer
		if json.Unmarshal(body, &i) == nil && i.Etablissement != nil {
			out = append(out, FromINSEE(*i.Etablissement))
		}
		for _, c := range out {
			for _, v := range []string{c.Name, c.Address, c.Complement1, c.Complement2, c.City, c.PostalCode, c.Country} {
				if v := strings.TrimSpace(v); v == MaskINSEE || v == MaskRecherche {
					t.Fatalf("a masked value kept: %+v", c)
				}
			}
			if c.Country == "" {
				t.Fatalf("no country: %+v", c)
			}
		}
	})
}
