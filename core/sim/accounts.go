package sim

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// accountsAPI serves the account's side of the onboarding API: captcha,
// account creation and activation.
type accountsAPI struct {
	db      *sqldb.Store
	now     func() time.Time
	key     []byte // HMAC key for captcha answers, the portal's (portalKey)
	baseURL string // the address clients reach the server at, for mailed links
	rand    *entropy
	mail    *mailer
	pw      *passwords
}

func newAccountsAPI(cfg Config, db *sqldb.Store, key []byte, rand *entropy, mail *mailer, pw *passwords) *accountsAPI {
	return &accountsAPI{db: db, now: cfg.Now, key: key, rand: rand, mail: mail, pw: pw}
}

// portalKey is the portal's key named name: drawn by the first instance
// that needs it, and kept in the database, so that every instance on one
// database checks what another issued (a captcha answered on another
// instance than the one that drew it). Never from Config.Rand: a test's
// source would make answers forgeable.
func portalKey(ctx context.Context, db *sqldb.Store, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := cryptorand.Read(fresh); err != nil {
		return nil, err
	}
	var key []byte
	err := db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO portal_key (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM portal_key WHERE name = ?`, name).Scan(&key)
	})
	return key, err
}

// passwords hashes and checks account passwords (PBKDF2-HMAC-SHA256),
// for the accounts' activation and the sessions' sign-in and change.
type passwords struct {
	iterations int    // PBKDF2 cost
	dummyHash  string // checked against when an address is unknown
}

func newPasswords(iterations int) *passwords {
	p := &passwords{iterations: iterations}
	key := make([]byte, 16)
	_, _ = cryptorand.Read(key)
	p.dummyHash = p.hash(fmt.Sprintf("%x", key))
	return p
}

// create is steps 2-3. The answer is the same whatever the address
// (new, waiting for activation, or active), so nobody can probe addresses:
// a new address gets an account and an activation link; one waiting for
// activation gets a fresh link (the old one dies), so an address cannot be
// squatted by whoever created it first; an active one gets a warning that
// someone tried.
func (ac *accountsAPI) create(c *call) (int, any, error) {
	var req api.CreateAccount
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if err := ac.checkCaptcha(c, req.CaptchaID, req.CaptchaAnswer, strings.TrimSpace(req.Account.LoginEmail)); err != nil {
		return 0, nil, err
	}
	a, problems := validate.Account(core.AccountDraft(req.Account))
	if problems.HasErrors() {
		return 0, nil, invalid(problems.Errors()...)
	}
	if err := ac.mail.limit(c, a.LoginEmail); err != nil {
		return 0, nil, err
	}
	ctx := c.r.Context()
	id, active, err := ac.accountState(c, a.LoginEmail)
	if err != nil {
		return 0, nil, err
	}
	accepted := api.Accepted{Status: "activation_sent"}
	switch {
	case id == 0:
		if err := c.tx.QueryRowContext(ctx, `INSERT INTO account (email, first_name, last_name, phone, contact_email, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, a.LoginEmail, a.FirstName, a.LastName, a.Phone, a.EffectiveContactEmail(), c.now.UnixMilli()).Scan(&id); err != nil {
			return 0, nil, err
		}
	case !active:
		// Whoever asks now has a solved captcha and the mailbox: they
		// get a fresh link, with their details.
		if _, err := c.tx.ExecContext(ctx, `UPDATE account SET first_name = ?, last_name = ?, phone = ?, contact_email = ?,
			created_at = ? WHERE id = ?`, a.FirstName, a.LastName, a.Phone, a.EffectiveContactEmail(), c.now.UnixMilli(), id); err != nil {
			return 0, nil, err
		}
	default:
		// The owner learns by mail.
		err := ac.mail.send(c, a.LoginEmail, "tentative de création de compte / account creation attempt",
			"Quelqu'un a demandé la création d'un compte avec votre adresse, qui a déjà un compte. Si c'est vous, connectez-vous.\n\n"+
				"Someone asked to create an account with your address, which already has one. If it was you, sign in.\n", "", "")
		return http.StatusAccepted, accepted, err
	}
	return http.StatusAccepted, accepted, ac.sendActivation(c, id, a.LoginEmail)
}

// resendActivation sends a fresh activation link to an account not
// activated yet (the previous link dies), behind a solved captcha. The
// answer is the same for every address; nothing is sent to an address with
// no account waiting.
func (ac *accountsAPI) resendActivation(c *call) (int, any, error) {
	var req api.ResendActivation
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if err := ac.checkCaptcha(c, req.CaptchaID, req.CaptchaAnswer, strings.TrimSpace(req.Email)); err != nil {
		return 0, nil, err
	}
	email, err := validate.Email(req.Email)
	if err != nil {
		return 0, nil, invalid(core.Problem{Field: core.FieldLoginEmail, Code: validate.Code(err), Severity: core.Error})
	}
	if err := ac.mail.limit(c, email); err != nil {
		return 0, nil, err
	}
	accepted := api.Accepted{Status: "activation_sent"}
	id, active, err := ac.accountState(c, email)
	if err != nil || id == 0 || active {
		return http.StatusAccepted, accepted, err
	}
	return http.StatusAccepted, accepted, ac.sendActivation(c, id, email)
}

// accountState returns the id of the account of an address (0 for none)
// and whether it is active.
func (ac *accountsAPI) accountState(c *call, email string) (id int64, active bool, err error) {
	err = c.tx.QueryRowContext(c.r.Context(), `SELECT id, active FROM account WHERE email = ?`, email).Scan(&id, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, active, err
}

// sendActivation mails a fresh activation link; every earlier link of the
// account dies with it.
func (ac *accountsAPI) sendActivation(c *call, account int64, email string) error {
	if _, err := c.tx.ExecContext(c.r.Context(), `DELETE FROM activation WHERE account_id = ?`, account); err != nil {
		return err
	}
	tok, hash := ac.rand.token(16) // 128 bits
	if _, err := c.tx.ExecContext(c.r.Context(), `INSERT INTO activation (token_hash, account_id, expires_at) VALUES (?, ?, ?)`,
		hash, account, c.now.Add(ActivationTTL).UnixMilli()); err != nil {
		return err
	}
	link := ac.base(c.r) + api.PathActivate + "?token=" + tok
	return ac.mail.send(c, email, "activez votre compte / activate your account",
		"Bienvenue sur "+ac.mail.name+". Pour finaliser la création de votre compte, ouvrez ce lien "+
			"(valable 60 minutes) et choisissez votre mot de passe :\n"+link+"\n\n"+
			"Welcome to "+ac.mail.name+". To finish creating your account, open this link "+
			"(valid for 60 minutes) and choose your password:\n"+link+"\n", link, tok)
}

// base returns the server's address as clients see it.
func (ac *accountsAPI) base(r *http.Request) string {
	if ac.baseURL != "" {
		return ac.baseURL
	}
	return "http://" + r.Host
}

func (ac *accountsAPI) activate(c *call) (int, any, error) {
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
	if _, err := c.tx.ExecContext(ctx, `UPDATE account SET password_hash = ?, active = 1 WHERE id = ?`, ac.pw.hash(req.Password), account); err != nil {
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
func (ac *accountsAPI) activatePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><title>Chorus Onboard</title>
<p>Copiez ce lien dans Chorus Onboard (étape « Activer votre compte ») pour choisir votre mot de passe.</p>
<p>Paste this link into Chorus Onboard (step "Activate your account") to choose your password.</p>
<p><code>%s</code></p>`, html.EscapeString(ac.base(r)+r.URL.RequestURI()))
}

// hash returns the stored form of a password: its PBKDF2 with a fresh
// salt, and the cost, so that a later cost still checks it.
func (p *passwords) hash(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key, _ := pbkdf2.Key(sha256.New, pw, salt, p.iterations, 32)
	return fmt.Sprintf("pbkdf2-sha256$%d$%x$%x", p.iterations, salt, key)
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
