package sim

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// sessionsAPI serves the sessions of the onboarding API: sign-in with its
// second factor, trusted computers, sign-out and the password change.
type sessionsAPI struct {
	db   *sqldb.Store
	now  func() time.Time
	rand *entropy
	mail *mailer
	pw   *passwords
	// throttle limits guesses of sign-in passwords, codes those of
	// second-factor codes (each by account and client address).
	throttle, codes *sharedThrottle
	// secondFactorOff lets a password alone open a session (Config).
	secondFactorOff bool
}

// forgive takes back a sign-in's reservation in a transaction of its own
// (the sign-in judged the password outside any). Should the database
// fail here, the attempt keeps counting as a failure: the safe side.
func (ss *sessionsAPI) forgive(ctx context.Context, tk sharedTicket) {
	_ = ss.db.Tx(ctx, func(tx *sqldb.Tx) error { return ss.throttle.succeeded(ctx, tx, tk) })
}

func newSessionsAPI(cfg Config, db *sqldb.Store, rand *entropy, mail *mailer, pw *passwords) *sessionsAPI {
	return &sessionsAPI{db: db, now: cfg.Now, rand: rand, mail: mail, pw: pw, throttle: newSharedThrottle("password"), codes: newSharedThrottle("code"),
		secondFactorOff: cfg.SecondFactorOff}
}

// signIn checks the password; then, unless the second factor is off or a
// device token of this account stands in for it, it answers a challenge
// (202, see secondFactor) instead of a session. It is not idempotent on purpose: a session token
// is a secret and is never recorded for replay.
//
// The attempt is reserved in the throttle before the password is hashed
// and released only on success, so a burst of parallel attempts gets at
// most the limit evaluated. An e-mail longer than any address (254) is
// refused at once and never becomes a throttle key. An account with a
// password that is not active answers auth.not_active, but only after the
// right password, so the answer tells nothing of an address to a guesser.
func (ss *sessionsAPI) signIn(w http.ResponseWriter, r *http.Request) {
	var req api.SignIn
	c := &call{r: r, now: ss.now(), ip: clientNet(r)}
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
	if len(email) > maxKeyLen || len(req.Password) > 4*validate.PasswordMax {
		writeError(w, http.StatusBadRequest, api.CodeInvalid)
		return
	}
	var tk sharedTicket
	var wait time.Duration
	if err := ss.db.Tx(r.Context(), func(tx *sqldb.Tx) error {
		var err error
		tk, wait, err = ss.throttle.reserve(r.Context(), tx, c.now, email, c.ip)
		return err
	}); err != nil {
		writeUnavailable(w)
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		writeError(w, http.StatusTooManyRequests, api.CodeThrottled)
		return
	}
	var id int64
	var stored string
	var active bool
	err := ss.db.QueryRowContext(r.Context(), `SELECT id, password_hash, active FROM account WHERE email = ?`, email).
		Scan(&id, &stored, &active)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		ss.forgive(r.Context(), tk) // not the caller's failure
		writeUnavailable(w)
		return
	}
	if stored == "" {
		// An unknown address (or one never activated, which has no
		// password yet) costs one hash check too, so timing tells nothing
		// about which addresses exist.
		stored = ss.pw.dummyHash
	}
	if !checkPassword(stored, req.Password) || id == 0 {
		writeError(w, http.StatusUnauthorized, api.CodeBadCredentials)
		return
	}
	ss.forgive(r.Context(), tk)
	if !active {
		writeError(w, http.StatusForbidden, api.CodeNotActive)
		return
	}
	var status int
	var out any
	err = ss.db.Tx(r.Context(), func(tx *sqldb.Tx) error {
		c.tx = tx
		var device int64
		if !ss.secondFactorOff {
			var err error
			if device, err = trustedDevice(tx, r, id, req.DeviceToken, c.now); err != nil {
				return err
			}
			if device == 0 {
				var method string
				if err := tx.QueryRowContext(r.Context(), `SELECT second_factor FROM account WHERE id = ?`, id).Scan(&method); err != nil {
					return err
				}
				ch, err := ss.challenge(c, id, email, method)
				status, out = http.StatusAccepted, ch
				return err
			}
		}
		tok, err := ss.openSession(r, tx, id, device, c.now)
		status, out = http.StatusOK, api.Session{Token: tok, ExpiresIn: int(SessionTTL.Seconds()), AccountID: id}
		return err
	})
	switch {
	case writeRefusal(w, err):
		return
	case err != nil:
		writeUnavailable(w)
		return
	}
	ss.mail.committed(c)
	writeJSON(w, status, out)
}

// openSession makes a session for the account and returns its token;
// device is the trusted computer that opened it (0: none), whose
// revocation ends it.
func (ss *sessionsAPI) openSession(r *http.Request, tx querier, account, device int64, now time.Time) (string, error) {
	tok, hash := ss.rand.token(32)
	var dev any
	if device != 0 {
		dev = device
	}
	_, err := tx.ExecContext(r.Context(), `INSERT INTO session (token_hash, account_id, device_id, expires_at) VALUES (?, ?, ?, ?)`,
		hash, account, dev, now.Add(SessionTTL).UnixMilli())
	return tok, err
}

// signOut revokes the session it is called with.
func (ss *sessionsAPI) signOut(c *call) (int, any, error) {
	tok, _ := strings.CutPrefix(c.r.Header.Get(api.HeaderAuthorization), "Bearer ")
	if _, err := c.tx.ExecContext(c.r.Context(), `DELETE FROM session WHERE token_hash = ?`, hashToken(tok)); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, api.Accepted{Status: "signed_out"}, nil
}

func (ss *sessionsAPI) sessionAccount(c *call) (int64, error) {
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

// changePassword replaces the signed-in account's password. The current
// one is checked as a sign-in's is (the same throttle, reserved before it
// is hashed), the new one by the password policy and it must differ. Every
// other session ends, and every trusted computer is forgotten (with the
// sessions it opened): whoever knew the old password is out. The owner is
// mailed, so a change they did not make is seen.
func (ss *sessionsAPI) changePassword(c *call) (int, any, error) {
	var req api.ChangePassword
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if len(req.Current) > 4*validate.PasswordMax || len(req.New) > 4*validate.PasswordMax {
		return 0, nil, invalid()
	}
	ctx := c.r.Context()
	var email, first, last, stored string
	if err := c.tx.QueryRowContext(ctx, `SELECT email, first_name, last_name, password_hash FROM account WHERE id = ?`, c.account).
		Scan(&email, &first, &last, &stored); err != nil {
		return 0, nil, err
	}
	tk, wait, err := ss.throttle.reserve(ctx, c.tx, c.now, email, c.ip)
	if err != nil {
		return 0, nil, err
	}
	if wait > 0 {
		return 0, nil, &httpError{status: http.StatusTooManyRequests, body: apiErr(api.CodeThrottled), retryAfter: int(wait.Seconds()) + 1}
	}
	if !checkPassword(stored, req.Current) {
		return 0, nil, fail(http.StatusUnauthorized, api.CodeBadCredentials)
	}
	if err := ss.throttle.succeeded(ctx, c.tx, tk); err != nil {
		return 0, nil, err
	}
	if _, err := validate.Password(req.New, email, first, last); err != nil {
		return 0, nil, invalid(core.Problem{Field: core.FieldPassword, Code: validate.Code(err), Severity: core.Error})
	}
	if req.New == req.Current {
		return 0, nil, invalid(core.Problem{Field: core.FieldPassword, Code: api.CodePasswordUnchanged, Severity: core.Error})
	}
	if _, err := c.tx.ExecContext(ctx, `UPDATE account SET password_hash = ? WHERE id = ?`, ss.pw.hash(req.New), c.account); err != nil {
		return 0, nil, err
	}
	tok, _ := strings.CutPrefix(c.r.Header.Get(api.HeaderAuthorization), "Bearer ")
	if _, err := c.tx.ExecContext(ctx, `DELETE FROM device WHERE account_id = ?`, c.account); err != nil {
		return 0, nil, err
	}
	if _, err := c.tx.ExecContext(ctx, `DELETE FROM session WHERE account_id = ? AND token_hash <> ?`, c.account, hashToken(tok)); err != nil {
		return 0, nil, err
	}
	// This session stays, no longer tied to a computer now forgotten.
	if _, err := c.tx.ExecContext(ctx, `UPDATE session SET device_id = NULL WHERE token_hash = ?`, hashToken(tok)); err != nil {
		return 0, nil, err
	}
	if _, err := c.tx.ExecContext(ctx, `DELETE FROM challenge WHERE account_id = ?`, c.account); err != nil {
		return 0, nil, err
	}
	err = ss.mail.send(c, email, "mot de passe changé / password changed",
		"Le mot de passe de votre compte vient d'être changé ; vos autres sessions sont fermées et vos ordinateurs de confiance oubliés. "+
			"Si ce n'est pas vous, contactez l'administrateur du portail.\n\n"+
			"The password of your account was just changed; your other sessions are closed and your trusted computers forgotten. "+
			"If this was not you, contact the portal's administrator.\n", "", "")
	return http.StatusOK, api.Accepted{Status: "password_changed"}, err
}
