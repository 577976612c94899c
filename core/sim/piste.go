package sim

import (
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

func (s *Server) pisteRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+piste.PathToken, s.token)
	mux.HandleFunc("POST "+piste.PathRechercher, s.cpro(s.rechercher))
	mux.HandleFunc("POST "+piste.PathConsulter, s.cpro(s.consulter))
	mux.HandleFunc("POST "+piste.PathRattachements, s.cpro(s.rattachements))
	mux.HandleFunc("POST "+piste.PathTypesIdentifiant, s.cpro(s.typesIdentifiant))
	mux.HandleFunc("POST "+piste.PathPays, s.cpro(s.pays))
	mux.HandleFunc("GET "+piste.PathHealth, s.cpro(func(_ *http.Request, _ string) (any, error) {
		return piste.Retour{CodeRetour: 0, Libelle: piste.LibelleOK}, nil
	}))
	mux.HandleFunc("/cpro/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, piste.Retour{CodeRetour: 404, Libelle: "API non trouvée"})
	})
}

// token is the OAuth2 client-credentials grant, credentials in the form or
// in HTTP Basic.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, piste.TokenError{Error: "unsupported_grant_type"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	want, known := s.cfg.PISTEClients[id]
	if !known || subtle.ConstantTimeCompare([]byte(want), []byte(secret)) != 1 {
		writeJSON(w, http.StatusUnauthorized, piste.TokenError{Error: "invalid_client", ErrorDescription: "Client authentication failed"})
		return
	}
	tok, _ := randomToken(32)
	now := s.cfg.Now()
	s.mu.Lock()
	for k, exp := range s.tokens {
		if now.After(exp) {
			delete(s.tokens, k)
		}
	}
	s.tokens[string(hashToken(tok))] = now.Add(TokenTTL)
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, piste.Token{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(TokenTTL.Seconds()), Scope: "openid"})
}

// cpro checks both layers the real gateway checks, in its order: the PISTE
// bearer (401, with the reason in WWW-Authenticate as PISTE does) then the
// Chorus technical account (403), and answers with the envelope.
func (s *Server) cpro(fn func(r *http.Request, login string) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		exp, known := s.tokens[string(hashToken(tok))]
		s.mu.Unlock()
		if !ok || !known || s.cfg.Now().After(exp) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="PISTE", error="invalid_token"`)
			writeJSON(w, http.StatusUnauthorized, piste.Retour{CodeRetour: 401, Libelle: "Problème d'authentification : jeton absent, invalide ou expiré"})
			return
		}
		login, ok := s.technicalAccount(r.Header.Get(piste.HeaderAccount))
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
			s.cfg.Log.Error("piste request failed", "path", r.URL.Path, "err", err)
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

func (s *Server) technicalAccount(h string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h))
	if err != nil {
		return "", false
	}
	login, pw, ok := strings.Cut(string(b), ":")
	want, known := s.cfg.TechnicalAccounts[login]
	return login, ok && known && subtle.ConstantTimeCompare([]byte(want), []byte(pw)) == 1
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

func (s *Server) rechercher(r *http.Request, _ string) (any, error) {
	var p piste.RechercherStructureParam
	if err := decodeBody(r, &p); err != nil {
		return nil, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if in := p.Structure; in != nil {
		add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
		if in.IdentifiantStructure != "" {
			id := strings.TrimSpace(in.IdentifiantStructure)
			if t := core.IdentifierType(in.TypeIdentifiantStructure); t.Valid() {
				if c, err := validate.Identifier(t, id); !validate.Rejects(err) {
					id = c
				}
			}
			add("identifier = ?", id)
		}
		if in.TypeIdentifiantStructure != "" {
			add("identifier_type = ?", in.TypeIdentifiantStructure)
		}
		if in.RaisonSocialeStructure != "" {
			add("company_name LIKE '%' || ? || '%'", in.RaisonSocialeStructure)
		}
		if in.LibelleStructure != "" {
			add("structure_name LIKE '%' || ? || '%'", in.LibelleStructure)
		}
		if in.AdresseCodePostal != "" {
			add("postal_code = ?", in.AdresseCodePostal)
		}
		if in.AdresseVille != "" {
			add("city LIKE ? ", in.AdresseVille)
		}
		if in.AdresseCodePays != "" {
			add("country = ?", strings.ToUpper(in.AdresseCodePays))
		}
		if in.TypeStructure != "" {
			add("kind = ?", in.TypeStructure)
		}
		switch in.StatutStructure {
		case "ACTIF":
			add("status = ?", "ACTIVE")
		case "INACTIF":
			add("status = ?", "INACTIVE")
		}
	}
	if p.RestreindreStructuresPrivees != nil && *p.RestreindreStructuresPrivees {
		where = append(where, "kind = 'PRIVEE'")
	}
	perPage, page := int64(10), int64(1)
	order := "identifier"
	if pp := p.Parametres; pp != nil {
		if pp.NbResultatsParPage > 0 {
			perPage = min(pp.NbResultatsParPage, 1000)
		}
		if pp.PageResultatDemandee > 0 {
			page = pp.PageResultatDemandee
		}
		order = map[string]string{"IdentifiantStructure": "identifier", "DesignationStructure": "company_name",
			"TypeIdentifiantStructure": "identifier_type", "Statut": "status", "": "identifier"}[pp.TriColonne]
		if order == "" {
			return nil, errMalformed
		}
		if pp.TriSens == "Descendant" {
			order += " DESC"
		}
	}
	cond := strings.Join(where, " AND ")
	var total int64
	if err := s.db.Reader().QueryRowContext(r.Context(), "SELECT count(*) FROM structure WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().QueryContext(r.Context(), fmt.Sprintf(`SELECT id, identifier, company_name, status, identifier_type
		FROM structure WHERE %s ORDER BY %s, id LIMIT ? OFFSET ?`, cond, order), append(args, perPage, (page-1)*perPage)...)
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
	out.ParametresRetour = &piste.ParametresRetour{NbResultatsParPage: int32(perPage), PageCourante: int32(page),
		Pages: int32((total + perPage - 1) / perPage), Total: int32(total)}
	return out, rows.Err()
}

func (s *Server) consulter(r *http.Request, _ string) (any, error) {
	var p piste.ConsulterStructureParam
	if err := decodeBody(r, &p); err != nil {
		return nil, err
	}
	var d core.StructureDraft
	var typ, kind, status string
	err := s.db.Reader().QueryRowContext(r.Context(), `SELECT identifier_type, identifier, kind, company_name, structure_name, email,
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
		// INSEE's non-diffusible companies: the portal masks the address.
		addr = &piste.AdressePostale{}
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
func (s *Server) rattachements(r *http.Request, login string) (any, error) {
	var p piste.RattachementsParam
	if err := decodeBody(r, &p); err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().QueryContext(r.Context(), `
		SELECT s.id, s.identifier, s.identifier_type, s.company_name, t.id, 'UTILISATEUR', t.status
		FROM attachment t JOIN structure s ON s.id = t.structure_id JOIN account a ON a.id = t.account_id WHERE a.email = ?
		UNION ALL
		SELECT s.id, s.identifier, s.identifier_type, s.company_name, 0, 'GESTIONNAIRE_PRINCIPAL', 'VALIDEE'
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

func (s *Server) typesIdentifiant(r *http.Request, _ string) (any, error) {
	out := piste.WsRetourTypesIdentifiant{Libelle: piste.LibelleOK}
	for _, t := range core.IdentifierTypes {
		out.ListeTypeIdentifiant = append(out.ListeTypeIdentifiant, piste.TypeIdentifiant{TypeIdentifiantStructure: string(t.Type)})
	}
	return out, nil
}

func (s *Server) pays(r *http.Request, _ string) (any, error) {
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
