// Package piste is the wire format of the Chorus Pro API on AIFE's PISTE
// gateway, with the exact paths and JSON field names of AIFE's OpenAPI files
// (a copy is in core/piste/pistetest/Structures.json, and spec_test.go
// checks these types against it): codeRetour, libelle,
// listeStructures, idStructureCPP, parametresRetour... chorus-sim serves
// these and core/portal calls them, so both follow one definition.
//
// The API only reads: it cannot create accounts, structures or attachment
// requests (AIFE withdrew those services in 2020).
package piste

// Paths, relative to the gateway's base URL.
const (
	PathToken            = "/api/oauth/token"
	PathRechercher       = "/cpro/structures/v1/rechercher"
	PathConsulter        = "/cpro/structures/v1/consulter"
	PathRattachements    = "/cpro/utilisateurs/v1/monCompte/recuperer/rattachements"
	PathTypesIdentifiant = "/cpro/transverses/v1/recuperer/typeidentifiant/structure"
	PathPays             = "/cpro/transverses/v1/recuperer/pays"
	PathHealth           = "/cpro/transverses/v1/health-check"
)

// HeaderAccount carries the technical account: base64("login:password").
const HeaderAccount = "cpro-account"

// Libelle of a successful answer.
const LibelleOK = "TRA_MSG_00.000"

// Token is the OAuth2 client-credentials answer.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope,omitempty"`
}

// TokenError is OAuth2's error answer.
type TokenError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// Retour is the envelope every answer carries: codeRetour 0 is success.
type Retour struct {
	CodeRetour int32  `json:"codeRetour"`
	Libelle    string `json:"libelle"`
}

// RechercherStructureParam is the body of rechercher.
type RechercherStructureParam struct {
	Parametres                   *ParametresRechercherStructure `json:"parametres,omitempty"`
	RestreindreStructuresPrivees *bool                          `json:"restreindreStructuresPrivees,omitempty"`
	Structure                    *RechercherStructureInput      `json:"structure,omitempty"`
}

// ParametresRechercherStructure pages and sorts a search.
type ParametresRechercherStructure struct {
	NbResultatsParPage   int64  `json:"nbResultatsParPage,omitempty"`
	PageResultatDemandee int64  `json:"pageResultatDemandee,omitempty"`
	TriColonne           string `json:"triColonne,omitempty"` // IdentifiantStructure, DesignationStructure, TypeIdentifiantStructure, Statut
	TriSens              string `json:"triSens,omitempty"`    // Ascendant, Descendant
}

// RechercherStructureInput holds the search criteria.
type RechercherStructureInput struct {
	AdresseCodePays          string `json:"adresseCodePays,omitempty"`
	AdresseCodePostal        string `json:"adresseCodePostal,omitempty"`
	AdresseVille             string `json:"adresseVille,omitempty"`
	EstMOA                   *bool  `json:"estMOA,omitempty"`
	EstMOAUniquement         *bool  `json:"estMOAUniquement,omitempty"`
	IdentifiantStructure     string `json:"identifiantStructure,omitempty"`
	LibelleStructure         string `json:"libelleStructure,omitempty"`
	NomStructure             string `json:"nomStructure,omitempty"`
	PrenomStructure          string `json:"prenomStructure,omitempty"`
	RaisonSocialeStructure   string `json:"raisonSocialeStructure,omitempty"`
	StatutStructure          string `json:"statutStructure,omitempty"` // ACTIF, INACTIF
	TypeIdentifiantStructure string `json:"typeIdentifiantStructure,omitempty"`
	TypeStructure            string `json:"typeStructure,omitempty"` // PRIVEE, PUBLIQUE
}

// WsRetourRechercherStructure is the answer of rechercher.
type WsRetourRechercherStructure struct {
	CodeRetour       int32                `json:"codeRetour"`
	Libelle          string               `json:"libelle"`
	ListeStructures  []StructureAAfficher `json:"listeStructures"`
	ParametresRetour *ParametresRetour    `json:"parametresRetour,omitempty"`
}

// StructureAAfficher is one search hit.
type StructureAAfficher struct {
	DesignationStructure     string `json:"designationStructure"`
	IDStructureCPP           int64  `json:"idStructureCPP"`
	IdentifiantStructure     string `json:"identifiantStructure"`
	Statut                   string `json:"statut"` // ACTIVE, INACTIVE
	TypeIdentifiantStructure string `json:"typeIdentifiantStructure"`
}

// ParametresRetour describes the page returned.
type ParametresRetour struct {
	NbResultatsParPage int32 `json:"nbResultatsParPage"`
	PageCourante       int32 `json:"pageCourante"`
	Pages              int32 `json:"pages"`
	Total              int32 `json:"total"`
}

// ConsulterStructureParam is the body of consulter.
type ConsulterStructureParam struct {
	CodeLangue     string `json:"codeLangue,omitempty"`
	IDStructureCPP int64  `json:"idStructureCPP"`
}

// WsRetourConsulterStructure is the answer of consulter
// (WsRetourConsulterStructureTVAIntraCom in the spec).
type WsRetourConsulterStructure struct {
	AdressePostaleDuSiege *AdressePostale                 `json:"adressePostaleDuSiege,omitempty"`
	CodeRetour            int32                           `json:"codeRetour"`
	InformationGenerales  *InformationsGeneralesStructure `json:"informationGenerales,omitempty"`
	Libelle               string                          `json:"libelle"`
	Parametres            *ParamModifierStructure         `json:"parametres,omitempty"`
}

// AdressePostale is a structure's postal address.
type AdressePostale struct {
	Adresse            string `json:"adresse"`
	CodePostal         string `json:"codePostal"`
	ComplementAdresse1 string `json:"complementAdresse1"`
	ComplementAdresse2 string `json:"complementAdresse2"`
	Fax                string `json:"fax"`
	IndicatifFax       string `json:"indicatifFax"`
	IndicatifTelephone string `json:"indicatifTelephone"`
	Pays               string `json:"pays"`
	Telephone          string `json:"telephone"`
	Ville              string `json:"ville"`
}

// InformationsGeneralesStructure is InformationsGeneralesStructureCompleteTVAIntraCom.
type InformationsGeneralesStructure struct {
	// DateExpirationMotPasseCompteTech is RFC 3339 (date-time); omitted when
	// the structure has no technical account.
	DateExpirationMotPasseCompteTech string               `json:"dateExpirationMotPasseCompteTech,omitempty"`
	EmailStructure                   string               `json:"emailStructure"`
	EstValideurDeleguee              bool                 `json:"estValideurDeleguee"`
	IDStructureCPP                   int64                `json:"idStructureCPP"`
	IDStructureOrigine               int64                `json:"idStructureOrigine"`
	IdentifiantStructure             string               `json:"identifiantStructure"`
	LibelleStructure                 string               `json:"libelleStructure"`
	ListeStructureDupliquees         []StructureDupliquee `json:"listeStructureDupliquees"`
	NomStructure                     string               `json:"nomStructure"`
	NumeroRcsStructure               string               `json:"numeroRcsStructure"`
	NumeroTVA                        string               `json:"numeroTVA"`
	PrenomStructure                  string               `json:"prenomStructure"`
	RaisonSocialeStructure           string               `json:"raisonSocialeStructure"`
	StructurePriveePublique          string               `json:"structurePriveePublique"`
	TypeIdentifiantStructure         string               `json:"typeIdentifiantStructure"`
}

// StructureDupliquee names a copy made by an identifier change.
type StructureDupliquee struct {
	StructureDupliquee int64 `json:"structureDupliquee"`
}

// ParamModifierStructure holds a structure's settings.
type ParamModifierStructure struct {
	CodeServiceDoitEtreRenseigne       bool `json:"codeServiceDoitEtreRenseigne"`
	ConnexionEDI                       bool `json:"connexionEDI"`
	EstMoaUniquement                   bool `json:"estMoaUniquement"`
	EstValideurDelegue                 bool `json:"estValideurDelegue"`
	GestionNumeroEJOuCodeService       bool `json:"gestionNumeroEJOuCodeService"`
	GetaMoa                            bool `json:"getaMoa"`
	NonDiffusibleInsee                 bool `json:"nonDiffusibleInsee"`
	NumeroEJDoitEtreRenseigne          bool `json:"numeroEJDoitEtreRenseigne"`
	RecevoirDonneesViaEDI              bool `json:"recevoirDonneesViaEDI"`
	StatutMiseEnPaiementNestPasRemonte bool `json:"statutMiseEnPaiementNestPasRemonte"`
}

// RattachementsParam is the body of monCompte/recuperer/rattachements.
type RattachementsParam struct {
	ParametresRecherche *ParametresRechercherStructure `json:"parametresRecherche,omitempty"`
}

// WsRetourRattachements is the answer of monCompte/recuperer/rattachements.
type WsRetourRattachements struct {
	CodeRetour                 int32                   `json:"codeRetour"`
	Libelle                    string                  `json:"libelle"`
	ListeStructureRattachement []StructureRattachement `json:"listeStructureRattachement"`
	ParametresRetour           *ParametresRetour       `json:"parametresRetour,omitempty"`
}

// Attachment statuses (statutRattachementStructure).
const (
	StatutEnCours   = "EN_COURS_DE_VALIDATION"
	StatutValidee   = "VALIDEE"
	StatutRefusee   = "REFUSEE"
	StatutDesactive = "DESACTIVEE"
)

// StructureRattachement is one of the account's attachments.
type StructureRattachement struct {
	IDStructure                 int64  `json:"idStructure"`
	IdentifiantStructure        string `json:"identifiantStructure"`
	TypeIdentifiantStructure    string `json:"typeIdentifiantStructure"`
	DesignationStructure        string `json:"designationStructure"`
	IDRattachementStructure     int64  `json:"idRattachementStructure"`
	RoleUtilisateur             string `json:"roleUtilisateur"`
	StatutRattachementStructure string `json:"statutRattachementStructure"`
	StatutUtilisateur           string `json:"statutUtilisateur"`
}

// WsRetourTypesIdentifiant lists the identifier types.
type WsRetourTypesIdentifiant struct {
	CodeRetour           int32             `json:"codeRetour"`
	Libelle              string            `json:"libelle"`
	ListeTypeIdentifiant []TypeIdentifiant `json:"listeTypeIdentifiant"`
}

// TypeIdentifiant is one identifier type.
type TypeIdentifiant struct {
	TypeIdentifiantStructure string `json:"typeIdentifiantStructure"`
}

// PaysParam is the body of recuperer/pays.
type PaysParam struct {
	CodeLangue string `json:"codeLangue,omitempty"`
}

// WsRetourPays lists countries.
type WsRetourPays struct {
	CodeRetour int32  `json:"codeRetour"`
	Libelle    string `json:"libelle"`
	ListePays  []Pays `json:"listePays"`
}

// Pays is one country.
type Pays struct {
	CodePays    string `json:"codePays"`
	LibellePays string `json:"libellePays"`
}
