package sim

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"image/color"
	"math/big"
	"net/http"
	"strconv"
	"strings"

	"github.com/steambap/captcha"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/buildinfo"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

func (s *Server) onboardingRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+api.PathCaptcha, s.handle(false, s.newCaptcha))
	mux.HandleFunc("POST "+api.PathCaptchaCode, s.handle(false, s.captchaCode))
	mux.HandleFunc("POST "+api.PathAccounts, s.handle(false, s.createAccount))
	mux.HandleFunc("POST "+api.PathActivation, s.handle(false, s.activate))
	mux.HandleFunc("POST "+api.PathSession, s.signIn)
	mux.HandleFunc("GET "+api.PathStructures, s.handle(true, s.searchStructure))
	mux.HandleFunc("POST "+api.PathStructures, s.handle(true, s.createStructure))
	mux.HandleFunc("POST "+api.PathAttachments, s.handle(true, s.requestAttachment))
	mux.HandleFunc("GET "+api.PathAttachments, s.handle(true, s.myAttachments))
	mux.HandleFunc("GET "+api.PathAttachmentsQueue, s.handle(true, s.pendingAttachments))
	mux.HandleFunc("POST "+api.PathAttachmentDecide, s.handle(true, s.decideAttachment))
	mux.HandleFunc("GET "+api.PathHealth, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": buildinfo.Version()})
	})
	mux.HandleFunc("GET "+api.PathActivate, s.activatePage)
	if s.cfg.Sandbox {
		mux.HandleFunc("GET "+api.PathMailbox, s.handle(false, s.mailbox))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { writeError(w, http.StatusNotFound, api.CodeNotFound) })
}

// ---- captcha

// captchaHook, set by tests only, sees each answer as it is drawn: a test
// cannot read the image.
var captchaHook func(text string)

// captchaChars leaves out look-alikes (0/O, 1/I/l) and compares without
// case, so a person who reads the image right is never refused.
const captchaChars = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func (s *Server) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return m.Sum(nil)
}

func normAnswer(a string) string { return strings.ToUpper(strings.Join(strings.Fields(a), "")) }

func (s *Server) newCaptcha(c *call) (int, any, error) {
	data, err := captcha.New(240, 80, func(o *captcha.Options) {
		o.CharPreset = captchaChars
		o.TextLength = CaptchaLength
		o.BackgroundColor = color.White // readable on a dark theme too
		o.CurveNumber = 2
	})
	if err != nil {
		return 0, nil, err
	}
	if captchaHook != nil {
		captchaHook(data.Text)
	}
	var png bytes.Buffer
	if err := data.WriteImage(&png); err != nil {
		return 0, nil, err
	}
	id, _ := randomToken(16)
	if _, err := c.tx.ExecContext(c.r.Context(), `INSERT INTO captcha (id, answer_mac, expires_at) VALUES (?, ?, ?)`,
		id, s.mac("image", id, normAnswer(data.Text)), c.now.Add(CaptchaTTL).UnixMilli()); err != nil {
		return 0, nil, err
	}
	// Old challenges are useless: drop them as we go.
	_, _ = c.tx.ExecContext(c.r.Context(), `DELETE FROM captcha WHERE expires_at < ?`, c.now.UnixMilli())
	return http.StatusCreated, api.Captcha{ID: id, PNG: png.Bytes(), Length: CaptchaLength, ExpiresIn: int(CaptchaTTL.Seconds())}, nil
}

// captchaCode is the non-visual alternative: a 6-digit code mailed to the
// login address answers the challenge instead of the image, for people who
// cannot read it.
func (s *Server) captchaCode(c *call) (int, any, error) {
	var req api.CaptchaCodeRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	email, err := validate.Email(req.Email)
	if err != nil {
		return 0, nil, invalid(core.Problem{Field: core.FieldLoginEmail, Code: validate.Code(err), Severity: core.Error})
	}
	id := c.r.PathValue("id")
	n, _ := rand.Int(rand.Reader, bigMillion)
	code := fmt.Sprintf("%06d", n.Int64())
	res, err := c.tx.ExecContext(c.r.Context(), `UPDATE captcha SET code_mac = ?, code_email = ? WHERE id = ? AND expires_at >= ?`,
		s.mac("code", id, code, strings.ToLower(email)), strings.ToLower(email), id, c.now.UnixMilli())
	if err != nil {
		return 0, nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, nil, fail(http.StatusBadRequest, api.CodeCaptchaWrong)
	}
	err = s.sendMail(c, email, "Chorus Pro : votre code de vérification / your verification code",
		fmt.Sprintf("Votre code de vérification est %s. Il remplace les caractères de l'image et reste valable 2 minutes.\n\n"+
			"Your verification code is %s. It replaces the characters of the image and is valid for 2 minutes.\n", code, code), "")
	return http.StatusAccepted, api.Accepted{Status: "code_sent"}, err
}

// checkCaptcha verifies an answer. The challenge is deleted first, so it
// gets exactly one attempt, right or wrong.
func (s *Server) checkCaptcha(c *call, id, answer, email string) error {
	var answerMAC, codeMAC []byte
	var codeEmail string
	var expires int64
	err := c.tx.QueryRowContext(c.r.Context(), `DELETE FROM captcha WHERE id = ? RETURNING answer_mac, code_mac, code_email, expires_at`, id).
		Scan(&answerMAC, &codeMAC, &codeEmail, &expires)
	if errors.Is(err, sql.ErrNoRows) || err == nil && expires < c.now.UnixMilli() {
		return fail(http.StatusBadRequest, api.CodeCaptchaWrong)
	}
	if err != nil {
		return err
	}
	if hmac.Equal(answerMAC, s.mac("image", id, normAnswer(answer))) {
		return nil
	}
	if codeMAC != nil && strings.EqualFold(codeEmail, email) && hmac.Equal(codeMAC, s.mac("code", id, strings.TrimSpace(answer), strings.ToLower(email))) {
		return nil
	}
	return fail(http.StatusBadRequest, api.CodeCaptchaWrong)
}

var bigMillion = big.NewInt(1_000_000)

func invalid(p ...core.Problem) error {
	return &httpError{status: http.StatusBadRequest, body: api.InvalidError{Error: apiErr(api.CodeInvalid), Problems: p}}
}

// ---- accounts

func (s *Server) createAccount(c *call) (int, any, error) {
	var req api.CreateAccount
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if err := s.checkCaptcha(c, req.CaptchaID, req.CaptchaAnswer, strings.TrimSpace(req.Account.LoginEmail)); err != nil {
		return 0, nil, err
	}
	a, problems := validate.Account(req.Account)
	if problems.HasErrors() {
		return 0, nil, invalid(problems.Errors()...)
	}
	ctx := c.r.Context()
	var existing int64
	err := c.tx.QueryRowContext(ctx, `SELECT id FROM account WHERE email = ?`, a.LoginEmail).Scan(&existing)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, nil, err
	}
	accepted := api.Accepted{Status: "activation_sent"}
	if existing != 0 {
		// Same answer as for a new address; the owner learns by mail.
		err := s.sendMail(c, a.LoginEmail, "Chorus Pro : tentative de création de compte / account creation attempt",
			"Quelqu'un a demandé la création d'un compte avec votre adresse, qui a déjà un compte. Si c'est vous, connectez-vous.\n\n"+
				"Someone asked to create an account with your address, which already has one. If it was you, sign in.\n", "")
		return http.StatusAccepted, accepted, err
	}
	res, err := c.tx.ExecContext(ctx, `INSERT INTO account (email, first_name, last_name, phone, contact_email, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, a.LoginEmail, a.FirstName, a.LastName, a.Phone, a.EffectiveContactEmail(), c.now.UnixMilli())
	if err != nil {
		return 0, nil, err
	}
	id, _ := res.LastInsertId()
	return http.StatusAccepted, accepted, s.sendActivation(c, id, a.LoginEmail)
}

func (s *Server) sendActivation(c *call, account int64, email string) error {
	tok, hash := randomToken(16) // 128 bits
	if _, err := c.tx.ExecContext(c.r.Context(), `INSERT INTO activation (token_hash, account_id, expires_at) VALUES (?, ?, ?)`,
		hash, account, c.now.Add(ActivationTTL).UnixMilli()); err != nil {
		return err
	}
	link := s.base(c.r) + api.PathActivate + "?token=" + tok
	return s.sendMail(c, email, "Chorus Pro : activez votre compte / activate your account",
		"Bienvenue sur le portail de services Chorus Pro. Pour finaliser la création de votre compte, ouvrez ce lien "+
			"(valable 60 minutes) et choisissez votre mot de passe :\n"+link+"\n\n"+
			"Welcome to the Chorus Pro services portal. To finish creating your account, open this link "+
			"(valid for 60 minutes) and choose your password:\n"+link+"\n", link)
}

// base returns the server's address as clients see it.
func (s *Server) base(r *http.Request) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	return "http://" + r.Host
}

func (s *Server) activate(c *call) (int, any, error) {
	var req api.Activate
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	ctx := c.r.Context()
	var account int64
	var email, first, last string
	err := c.tx.QueryRowContext(ctx, `SELECT a.id, a.email, a.first_name, a.last_name FROM activation t
		JOIN account a ON a.id = t.account_id WHERE t.token_hash = ? AND t.used = 0 AND t.expires_at >= ?`,
		hashToken(req.Token), c.now.UnixMilli()).Scan(&account, &email, &first, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, fail(http.StatusBadRequest, api.CodeTokenInvalid)
	}
	if err != nil {
		return 0, nil, err
	}
	if _, err := validate.Password(req.Password, email, first, last); err != nil {
		return 0, nil, invalid(core.Problem{Field: core.FieldPassword, Code: validate.Code(err), Severity: core.Error})
	}
	if _, err := c.tx.ExecContext(ctx, `UPDATE account SET password_hash = ?, active = 1 WHERE id = ?`, s.hashPassword(req.Password), account); err != nil {
		return 0, nil, err
	}
	// Single use: this link and any other still valid for the account.
	if _, err := c.tx.ExecContext(ctx, `UPDATE activation SET used = 1 WHERE account_id = ?`, account); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, api.Accepted{Status: "activated"}, nil
}

// activatePage is where an activation link lands in a browser: the app
// takes the token from the link; a person who opened it in a browser is told
// where to go.
func (s *Server) activatePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><title>Chorus Onboard</title>
<p>Copiez ce lien dans Chorus Onboard (étape « Activer votre compte ») pour choisir votre mot de passe.</p>
<p>Paste this link into Chorus Onboard (step "Activate your account") to choose your password.</p>
<p><code>%s</code></p>`, html.EscapeString(s.base(r)+r.URL.RequestURI()))
}

func (s *Server) hashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key, _ := pbkdf2.Key(sha256.New, pw, salt, s.cfg.PasswordIterations, 32)
	return fmt.Sprintf("pbkdf2-sha256$%d$%x$%x", s.cfg.PasswordIterations, salt, key)
}

// checkPassword compares the whole password, never a truncated one.
func checkPassword(stored, pw string) bool {
	f := strings.Split(stored, "$")
	if len(f) != 4 || f[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err1 := strconv.Atoi(f[1])
	salt, err2 := hex.DecodeString(f[2])
	want, err3 := hex.DecodeString(f[3])
	if err1 != nil || err2 != nil || err3 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pw, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// signIn opens a session. It is not idempotent on purpose: a session token
// is a secret and is never recorded for replay.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	var req api.SignIn
	c := &call{r: r, now: s.cfg.Now(), ip: clientIP(r)}
	b := make([]byte, 0, 512)
	buf := bytes.NewBuffer(b)
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxBody)); err != nil {
		writeError(w, http.StatusBadRequest, api.CodeMalformed)
		return
	}
	c.body = buf.Bytes()
	if err := c.decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, api.CodeMalformed)
		return
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if wait := s.throttle.blocked(c.now, email, c.ip); wait > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		writeError(w, http.StatusTooManyRequests, api.CodeThrottled)
		return
	}
	var id int64
	var stored string
	var active bool
	err := s.db.Reader().QueryRowContext(r.Context(), `SELECT id, password_hash, active FROM account WHERE email = ?`, email).
		Scan(&id, &stored, &active)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		writeError(w, http.StatusServiceUnavailable, api.CodeUnavailable)
		return
	}
	if stored == "" {
		// An unknown address (or one not yet activated) costs one hash
		// check too, so timing tells nothing about which addresses exist.
		stored = s.dummyHash
	}
	if !checkPassword(stored, req.Password) || id == 0 {
		s.throttle.fail(c.now, email, c.ip)
		writeError(w, http.StatusUnauthorized, api.CodeBadCredentials)
		return
	}
	if !active {
		writeError(w, http.StatusForbidden, api.CodeNotActive)
		return
	}
	s.throttle.success(email)
	tok, hash := randomToken(32)
	if err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(r.Context(), `INSERT INTO session (token_hash, account_id, expires_at) VALUES (?, ?, ?)`,
			hash, id, c.now.Add(SessionTTL).UnixMilli())
		return err
	}); err != nil {
		writeError(w, http.StatusServiceUnavailable, api.CodeUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, api.Session{Token: tok, ExpiresIn: int(SessionTTL.Seconds()), AccountID: id})
}

func (s *Server) sessionAccount(c *call) (int64, error) {
	tok, ok := strings.CutPrefix(c.r.Header.Get(api.HeaderAuthorization), "Bearer ")
	if !ok || tok == "" {
		return 0, fail(http.StatusUnauthorized, api.CodeUnauthorized)
	}
	var id int64
	err := c.tx.QueryRowContext(c.r.Context(), `SELECT account_id FROM session WHERE token_hash = ? AND expires_at >= ?`,
		hashToken(tok), c.now.UnixMilli()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fail(http.StatusUnauthorized, api.CodeUnauthorized)
	}
	return id, err
}

// ---- structures

const structCols = `s.id, s.identifier_type, s.identifier, s.kind, s.company_name, s.structure_name, s.email, s.phone,
	s.address, s.address_complement_1, s.address_complement_2, s.city, s.postal_code, s.country, s.non_diffusible, s.status`

func scanStruct(row interface{ Scan(...any) error }) (api.Structure, error) {
	var st api.Structure
	d := &st.Draft
	var typ, kind string
	err := row.Scan(&st.ID, &typ, &d.Identifier, &kind, &d.CompanyName, &d.StructureName, &d.Email, &d.Phone, &d.Address,
		&d.Complement1, &d.Complement2, &d.City, &d.PostalCode, &d.Country, &d.NonDiffusible, &st.Status)
	d.IdentifierType, d.Kind = core.IdentifierType(typ), core.StructureKind(kind)
	st.NonDiffusible = d.NonDiffusible
	return st, err
}

// findStructure returns the structure with this identifier as the caller
// sees it (their manager role and attachment request included).
func (s *Server) findStructure(c *call, t core.IdentifierType, identifier string) (*api.Structure, error) {
	st, err := scanStruct(c.tx.QueryRowContext(c.r.Context(), `SELECT `+structCols+` FROM structure s
		WHERE s.identifier_type = ? AND s.identifier = ?`, string(t), identifier))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var n int
	_ = c.tx.QueryRowContext(c.r.Context(), `SELECT count(*) FROM manager WHERE structure_id = ? AND account_id = ?`, st.ID, c.account).Scan(&n)
	st.IsManager = n > 0
	_ = c.tx.QueryRowContext(c.r.Context(), `SELECT status FROM attachment WHERE structure_id = ? AND account_id = ?`, st.ID, c.account).Scan(&st.Attachment)
	return &st, nil
}

func (s *Server) searchStructure(c *call) (int, any, error) {
	q := c.r.URL.Query()
	t := core.IdentifierType(q.Get("identifier_type"))
	if t == "" {
		t = core.IDSIRET
	}
	id, err := validate.Identifier(t, q.Get("identifier"))
	if validate.Rejects(err) {
		return 0, nil, invalid(core.Problem{Field: core.FieldIdentifier, Code: validate.Code(err), Severity: core.Error})
	}
	st, err := s.findStructure(c, t, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, api.SearchResult{Found: st != nil, Structure: st}, nil
}

func (s *Server) createStructure(c *call) (int, any, error) {
	var d core.StructureDraft
	if err := c.decode(&d); err != nil {
		return 0, nil, err
	}
	canon, problems := validate.Structure(d)
	if problems.HasErrors() {
		return 0, nil, invalid(problems.Errors()...)
	}
	existing, err := s.findStructure(c, canon.IdentifierType, canon.Identifier)
	if err != nil {
		return 0, nil, err
	}
	if existing != nil {
		return 0, nil, &httpError{status: http.StatusConflict,
			body: api.StructureExists{Error: apiErr(api.CodeStructureExists), StructureID: existing.ID}}
	}
	id, err := s.insertStructure(c, canon, c.account)
	if err != nil {
		return 0, nil, err
	}
	st, err := s.findStructure(c, canon.IdentifierType, canon.Identifier)
	if err != nil || st == nil {
		return 0, nil, fmt.Errorf("structure %d vanished: %v", id, err)
	}
	return http.StatusCreated, st, nil
}

// insertStructure creates a structure whose principal manager is manager.
func (s *Server) insertStructure(c *call, d core.StructureDraft, manager int64) (int64, error) {
	ctx := c.r.Context()
	res, err := c.tx.ExecContext(ctx, `INSERT INTO structure (identifier_type, identifier, kind, company_name, structure_name,
		email, phone, address, address_complement_1, address_complement_2, city, postal_code, country, non_diffusible, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(d.IdentifierType), d.Identifier, string(d.Kind), d.CompanyName, d.StructureName, d.Email, d.Phone, d.Address,
		d.Complement1, d.Complement2, d.City, d.PostalCode, d.EffectiveCountry(), d.NonDiffusible, c.now.UnixMilli())
	if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	_, err = c.tx.ExecContext(ctx, `INSERT INTO manager (structure_id, account_id) VALUES (?, ?)`, id, manager)
	return id, err
}

// ---- attachments

const attachmentCols = `t.id, t.structure_id, s.identifier_type, s.identifier, s.company_name, a.email,
	a.first_name || ' ' || a.last_name, t.status, t.created_at`

func scanAttachment(row interface{ Scan(...any) error }) (api.Attachment, error) {
	var at api.Attachment
	var typ string
	err := row.Scan(&at.ID, &at.StructureID, &typ, &at.Identifier, &at.CompanyName, &at.Requester, &at.RequesterName, &at.Status, &at.Created)
	at.IdentifierType = core.IdentifierType(typ)
	at.Created /= 1000
	return at, err
}

func (s *Server) attachments(c *call, where string, arg any) ([]api.Attachment, error) {
	rows, err := c.tx.QueryContext(c.r.Context(), `SELECT `+attachmentCols+` FROM attachment t
		JOIN structure s ON s.id = t.structure_id JOIN account a ON a.id = t.account_id WHERE `+where+` ORDER BY t.id`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.Attachment{}
	for rows.Next() {
		at, err := scanAttachment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, at)
	}
	return out, rows.Err()
}

func (s *Server) requestAttachment(c *call) (int, any, error) {
	var req api.AttachmentRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	id, err := validate.Identifier(req.IdentifierType, req.Identifier)
	if validate.Rejects(err) {
		return 0, nil, invalid(core.Problem{Field: core.FieldIdentifier, Code: validate.Code(err), Severity: core.Error})
	}
	st, err := s.findStructure(c, req.IdentifierType, id)
	if err != nil {
		return 0, nil, err
	}
	if st == nil {
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	status := http.StatusOK
	if st.Attachment == "" {
		initial := api.AttachmentPending
		if st.IsManager {
			initial = api.AttachmentApproved // a manager is attached already
		}
		if _, err := c.tx.ExecContext(c.r.Context(), `INSERT INTO attachment (structure_id, account_id, status, created_at)
			VALUES (?, ?, ?, ?)`, st.ID, c.account, initial, c.now.UnixMilli()); err != nil {
			return 0, nil, err
		}
		status = http.StatusCreated
		if err := s.mailManagers(c, st); err != nil {
			return 0, nil, err
		}
	}
	list, err := s.attachments(c, "t.structure_id = ? AND t.account_id = "+strconv.FormatInt(c.account, 10), st.ID)
	if err != nil || len(list) != 1 {
		return 0, nil, fmt.Errorf("attachment lookup: %v", err)
	}
	return status, list[0], nil
}

func (s *Server) mailManagers(c *call, st *api.Structure) error {
	rows, err := c.tx.QueryContext(c.r.Context(), `SELECT a.email FROM manager m JOIN account a ON a.id = m.account_id
		WHERE m.structure_id = ? AND m.account_id <> ?`, st.ID, c.account)
	if err != nil {
		return err
	}
	var to []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err == nil {
			to = append(to, e)
		}
	}
	rows.Close()
	for _, e := range to {
		if err := s.sendMail(c, e, "Chorus Pro : nouvelle demande de rattachement / new attachment request",
			fmt.Sprintf("Une demande de rattachement à la structure %s %s attend votre validation.\n\n"+
				"An attachment request to structure %s %s is waiting for your approval.\n",
				st.Draft.Identifier, st.Draft.CompanyName, st.Draft.Identifier, st.Draft.CompanyName), ""); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) myAttachments(c *call) (int, any, error) {
	list, err := s.attachments(c, "t.account_id = ?", c.account)
	return http.StatusOK, list, err
}

func (s *Server) pendingAttachments(c *call) (int, any, error) {
	list, err := s.attachments(c, "t.status = 'EN_COURS_DE_VALIDATION' AND t.structure_id IN (SELECT structure_id FROM manager WHERE account_id = ?)", c.account)
	return http.StatusOK, list, err
}

func (s *Server) decideAttachment(c *call) (int, any, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	decision := map[string]string{"approve": api.AttachmentApproved, "refuse": api.AttachmentRefused}[c.r.PathValue("decision")]
	if err != nil || decision == "" {
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	list, err := s.attachments(c, "t.id = ?", id)
	if err != nil {
		return 0, nil, err
	}
	if len(list) == 0 {
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	at := list[0]
	var n int
	if err := c.tx.QueryRowContext(c.r.Context(), `SELECT count(*) FROM manager WHERE structure_id = ? AND account_id = ?`,
		at.StructureID, c.account).Scan(&n); err != nil {
		return 0, nil, err
	}
	if n == 0 {
		return 0, nil, fail(http.StatusForbidden, api.CodeForbidden)
	}
	if at.Status != api.AttachmentPending {
		return http.StatusOK, at, nil // decided already: deciding again changes nothing
	}
	if _, err := c.tx.ExecContext(c.r.Context(), `UPDATE attachment SET status = ?, decided_at = ? WHERE id = ?`, decision, c.now.UnixMilli(), id); err != nil {
		return 0, nil, err
	}
	at.Status = decision
	fr, en := "validée", "approved"
	if decision == api.AttachmentRefused {
		fr, en = "refusée", "refused"
	}
	err = s.sendMail(c, at.Requester, "Chorus Pro : demande de rattachement "+fr+" / attachment request "+en,
		fmt.Sprintf("Votre demande de rattachement à la structure %s %s a été %s par son gestionnaire.\n\n"+
			"Your request to be connected to structure %s %s was %s by its manager.\n",
			at.Identifier, at.CompanyName, fr, at.Identifier, at.CompanyName, en), "")
	return http.StatusOK, at, err
}

// ---- mail

// sendMail keeps the message in the database (the sandbox mailbox reads it
// there) and, with --smtp, also sends it once the transaction committed.
func (s *Server) sendMail(c *call, to, subject, body, link string) error {
	if _, err := c.tx.ExecContext(c.r.Context(), `INSERT INTO mail (recipient, subject, body, link, created_at) VALUES (?, ?, ?, ?, ?)`,
		to, subject, body, link, c.now.UnixMilli()); err != nil {
		return err
	}
	if s.cfg.SMTPAddr != "" {
		s.queueSMTP(to, subject, body)
	}
	return nil
}

func (s *Server) mailbox(c *call) (int, any, error) {
	to := strings.TrimSpace(c.r.URL.Query().Get("to"))
	if to == "" {
		return 0, nil, fail(http.StatusBadRequest, api.CodeMalformed)
	}
	rows, err := c.tx.QueryContext(c.r.Context(), `SELECT id, recipient, subject, body, link, created_at FROM mail
		WHERE recipient = ? ORDER BY id DESC LIMIT 100`, to)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	out := []api.Mail{}
	for rows.Next() {
		var m api.Mail
		if err := rows.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &m.Link, &m.Sent); err != nil {
			return 0, nil, err
		}
		m.Sent /= 1000
		out = append(out, m)
	}
	return http.StatusOK, out, rows.Err()
}
