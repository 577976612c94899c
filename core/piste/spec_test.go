package piste

import (
	"encoding/json"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core/piste/pistetest"
)

// TestOurTypesMatchTheSpec: a fully populated value of each of our types,
// encoded, has only keys and types the spec declares.
func TestOurTypesMatchTheSpec(t *testing.T) {
	spec := pistetest.Load()
	yes := true
	values := map[string]any{
		"WsRetourRechercherStructure": WsRetourRechercherStructure{CodeRetour: 0, Libelle: LibelleOK,
			ListeStructures:  []StructureAAfficher{{"X", 1, "73282932000074", "ACTIVE", "SIRET"}},
			ParametresRetour: &ParametresRetour{10, 1, 1, 1}},
		"WsRetourConsulterStructureTVAIntraCom": WsRetourConsulterStructure{AdressePostaleDuSiege: &AdressePostale{Adresse: "1 rue"},
			Libelle: "GCU_MSG_01_000", InformationGenerales: &InformationsGeneralesStructure{DateExpirationMotPasseCompteTech: "2027-01-01T00:00:00Z",
				ListeStructureDupliquees: []StructureDupliquee{{2}}, StructurePriveePublique: "PRIVEE", TypeIdentifiantStructure: "SIRET"},
			Parametres: &ParamModifierStructure{NonDiffusibleInsee: true}},
		"RechercherStructureParam": RechercherStructureParam{Parametres: &ParametresRechercherStructure{10, 1, "IdentifiantStructure", "Ascendant"},
			RestreindreStructuresPrivees: &yes, Structure: &RechercherStructureInput{EstMOA: &yes, EstMOAUniquement: &yes, IdentifiantStructure: "1",
				TypeIdentifiantStructure: "SIRET", TypeStructure: "PRIVEE", StatutStructure: "ACTIF", AdresseCodePays: "FR", AdresseCodePostal: "75001",
				AdresseVille: "Paris", LibelleStructure: "l", NomStructure: "n", PrenomStructure: "p", RaisonSocialeStructure: "r"}},
		"ConsulterStructureAvecTVAIntraComParam": ConsulterStructureParam{CodeLangue: "FR", IDStructureCPP: 1},
	}
	for def, v := range values {
		b, _ := json.Marshal(v)
		var generic any
		_ = json.Unmarshal(b, &generic)
		for _, p := range spec.Check(def, generic) {
			t.Errorf("%s", p)
		}
	}
}

// TestCheckerCatchesDrift proves the checker is not blind.
func TestCheckerCatchesDrift(t *testing.T) {
	spec := pistetest.Load()
	bad := map[string]any{"codeRetour": "0", "libelle": "x", "listeStructures": []any{map[string]any{"idStructure": 1.0, "statut": "OUVERTE"}}}
	if n := len(spec.Check("WsRetourRechercherStructure", bad)); n != 3 {
		t.Fatalf("found %d problems in a value with 3: %v", n, spec.Check("WsRetourRechercherStructure", bad))
	}
}
