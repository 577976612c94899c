package sim

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"net/http"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// The directory of electronic invoicing (annuaire de la facturation
// électronique) as the simulator serves it, for tests and demonstrations:
// the real one is a page of Chorus Pro's services portal, behind a
// captcha, with no API; what it shows for a SIREN is the company, whether
// an approved platform receives its invoices, and its active invoicing
// addresses. The simulator's lines are derived from its registry's
// companies, the same for a SIREN every time, so a test knows what a
// look-up finds.

// Paths of the directory: the page a person opens, and the same answer
// as JSON for tests and scripts.
const (
	PathDirectoryPage   = "/annuaire"
	PathDirectorySearch = "/annuaire/recherche"
)

// DirectoryPlatforms are the simulator's approved platforms: fictitious
// names, so that no demonstration passes for a real platform's answer.
var DirectoryPlatforms = []string{"Facturo (démo)", "PA Atlantique (démo)", "Dématéris (démo)", "Comptaflux (démo)"}

// DirectoryLine is one active invoicing address of a company.
type DirectoryLine struct {
	// Address is the invoicing address (SIREN, SIREN_SUFFIX, SIREN_SIRET
	// or SIREN_SIRET_ROUTINGCODE); Shape says which.
	Address string `json:"adresse_facturation"`
	Shape   string `json:"maille"`
	// Platform is the approved platform that receives the invoices sent
	// to it.
	Platform string `json:"plateforme"`
	// From is the first day the line is valid.
	From string `json:"date_debut"`
}

// DirectoryEntry is what the directory says of one SIREN.
type DirectoryEntry struct {
	SIREN string `json:"siren"`
	Name  string `json:"raison_sociale"`
	// Platform says whether an approved platform receives its invoices
	// (présence d'une plateforme agréée).
	Platform bool            `json:"plateforme_agreee"`
	Lines    []DirectoryLine `json:"adresses_facturation"`
}

// directoryOf derives the directory's entry of a company: one in five
// has chosen no platform yet; the others have their SIREN address, and
// some a suffix or an establishment's address too.
func directoryOf(c Company) DirectoryEntry {
	siren := c.SIRET[:9]
	e := DirectoryEntry{SIREN: siren, Name: c.Name, Lines: []DirectoryLine{}}
	if !c.Diffusible {
		e.Name = "[NON DIFFUSIBLE]"
	}
	h := fnv.New64a()
	h.Write([]byte(siren))
	n := h.Sum64()
	pick := func(k int) int { v := int(n % uint64(k)); n /= uint64(k); return v }
	if pick(5) == 0 {
		return e
	}
	platform := DirectoryPlatforms[pick(len(DirectoryPlatforms))]
	e.Platform = true
	from := fmt.Sprintf("2026-%02d-01", 1+pick(8))
	e.Lines = append(e.Lines, DirectoryLine{Address: siren, Shape: string(validate.ShapeSIREN), Platform: platform, From: from})
	switch pick(3) {
	case 1:
		e.Lines = append(e.Lines, DirectoryLine{Address: siren + "_FACTURES", Shape: string(validate.ShapeSIRENSuffix), Platform: platform, From: from})
	case 2:
		e.Lines = append(e.Lines, DirectoryLine{Address: siren + "_" + c.SIRET, Shape: string(validate.ShapeSIRENSIRET), Platform: platform, From: from})
	}
	return e
}

// directoryFind returns the entry of the SIREN (or SIRET) typed, false
// when the registry knows no company of it.
func (ra *registryAPI) directoryFind(q string) (DirectoryEntry, bool) {
	digits := validate.Compact(q)
	if len(digits) == 14 {
		digits = digits[:9]
	}
	if len(digits) != 9 {
		return DirectoryEntry{}, false
	}
	for _, c := range ra.data.all {
		if c.SIRET[:9] == digits {
			return directoryOf(c), true
		}
	}
	return DirectoryEntry{}, false
}

// directorySearch answers the JSON look-up: 400 without a SIREN or SIRET,
// 404 for a company the directory does not know; the registry's rate per
// client address.
func (ra *registryAPI) directorySearch(w http.ResponseWriter, r *http.Request) {
	if !ra.limit(w, ra.rechercheLimit, clientNet(r)) {
		return
	}
	q := r.URL.Query().Get("siren")
	if n := len(validate.Compact(q)); n != 9 && n != 14 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"erreur": "Indiquez un SIREN (9 chiffres) ou un SIRET (14 chiffres)."})
		return
	}
	e, ok := ra.directoryFind(q)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"erreur": "Aucune entreprise de l'annuaire ne correspond à ce SIREN."})
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// directoryTemplate is the page: a search by SIREN and what the directory
// says, in French as on the portal. html/template escapes every value.
var directoryTemplate = template.Must(template.New("annuaire").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Annuaire de la facturation électronique (chorus-sim)</title>
<style>body{font-family:sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3rem .6rem;text-align:left}.note{color:#555}</style>
</head><body>
<h1>Annuaire de la facturation électronique</h1>
<p class="note">Simulateur (chorus-sim) : les plateformes et adresses affichées sont fictives. Sur le portail Chorus Pro, cette page demande un captcha.</p>
<form method="get" action="{{.Path}}"><label>SIREN ou SIRET <input name="siren" value="{{.Query}}" maxlength="20" autofocus></label> <button>Rechercher</button></form>
{{if .Error}}<p><strong>{{.Error}}</strong></p>{{end}}
{{with .Entry}}
<h2>{{.Name}} — SIREN {{.SIREN}}</h2>
<p>Plateforme agréée : {{if .Platform}}oui{{else}}aucune à ce jour{{end}}</p>
{{if .Lines}}<table><tr><th>Adresse de facturation</th><th>Maille</th><th>Plateforme</th><th>Depuis le</th></tr>
{{range .Lines}}<tr><td>{{.Address}}</td><td>{{.Shape}}</td><td>{{.Platform}}</td><td>{{.From}}</td></tr>{{end}}
</table>{{else}}<p>Aucune adresse de facturation active.</p>{{end}}
{{end}}
</body></html>
`))

// directoryPage serves the page; a query over the rate is refused as the
// JSON look-up is.
func (ra *registryAPI) directoryPage(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("siren"))
	data := struct {
		Path, Query, Error string
		Entry              *DirectoryEntry
	}{Path: PathDirectoryPage, Query: q}
	if q != "" {
		if !ra.limit(w, ra.rechercheLimit, clientNet(r)) {
			return
		}
		if e, ok := ra.directoryFind(q); ok {
			data.Entry = &e
		} else {
			data.Error = "Aucune entreprise de l'annuaire ne correspond à « " + q + " »."
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	_ = directoryTemplate.Execute(w, data)
}
