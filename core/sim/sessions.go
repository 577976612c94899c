package sim

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

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
func (ac *accountsAPI) signIn(w http.ResponseWriter, r *http.Request) {
	var req api.SignIn
	c := &call{r: r, now: ac.now(), ip: clientNet(r)}
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
	tk, wait := ac.throttle.reserve(c.now, email, c.ip)
	if wait > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		writeError(w, http.StatusTooManyRequests, api.CodeThrottled)
		return
	}
	var id int64
	var stored string
	var active bool
	err := ac.db.Reader().QueryRowContext(r.Context(), `SELECT id, password_hash, active FROM account WHERE email = ?`, email).
		Scan(&id, &stored, &active)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		ac.throttle.succeeded(tk) // not the caller's failure
		writeError(w, http.StatusServiceUnavailable, api.CodeUnavailable)
		return
	}
	if stored == "" {
		// An unknown address (or one never activated, which has no
		// password yet) costs one hash check too, so timing tells nothing
		// about which addresses exist.
		stored = ac.dummyHash
	}
	if !checkPassword(stored, req.Password) || id == 0 {
		ac.throttle.failed(tk)
		writeError(w, http.StatusUnauthorized, api.CodeBadCredentials)
		return
	}
	ac.throttle.succeeded(tk)
	if !active {
		writeError(w, http.StatusForbidden, api.CodeNotActive)
		return
	}
	var status int
	var out any
	err = ac.db.Tx(r.Context(), func(tx *sql.Tx) error {
		c.tx = ac.db.Cached(tx, true)
		if !ac.secondFactorOff {
			trusted, err := trustedDevice(tx, r, id, req.DeviceToken, c.now)
			if err != nil {
				return err
			}
			if !trusted {
				var method string
				if err := tx.QueryRowContext(r.Context(), `SELECT second_factor FROM account WHERE id = ?`, id).Scan(&method); err != nil {
					return err
				}
				ch, err := ac.challenge(c, id, email, method)
				status, out = http.StatusAccepted, ch
				return err
			}
		}
		tok, err := ac.openSession(r, tx, id, c.now)
		status, out = http.StatusOK, api.Session{Token: tok, ExpiresIn: int(SessionTTL.Seconds()), AccountID: id}
		return err
	})
	switch {
	case writeRefusal(w, err):
		return
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, api.CodeUnavailable)
		return
	}
	ac.mail.committed(c)
	writeJSON(w, status, out)
}

// openSession makes a session for the account and returns its token.
func (ac *accountsAPI) openSession(r *http.Request, tx querier, account int64, now time.Time) (string, error) {
	tok, hash := ac.rand.token(32)
	_, err := tx.ExecContext(r.Context(), `INSERT INTO session (token_hash, account_id, expires_at) VALUES (?, ?, ?)`,
		hash, account, now.Add(SessionTTL).UnixMilli())
	return tok, err
}

// signOut revokes the session it is called with.
func (ac *accountsAPI) signOut(c *call) (int, any, error) {
	tok, _ := strings.CutPrefix(c.r.Header.Get(api.HeaderAuthorization), "Bearer ")
	if _, err := c.tx.ExecContext(c.r.Context(), `DELETE FROM session WHERE token_hash = ?`, hashToken(tok)); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, api.Accepted{Status: "signed_out"}, nil
}

func (ac *accountsAPI) sessionAccount(c *call) (int64, error) {
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
