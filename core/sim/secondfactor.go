package sim

import (
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/chorusonboard/chorus-onboard/core/api"
)

// Second factor at sign-in, as Chorus Pro asks it of every user since
// 19 September 2024: after the right password, a code from an
// authenticator app (TOTP, RFC 6238) or one e-mailed, or a recovery code;
// or, on a computer the user trusted, its device token.
//
// Guessing a code is bounded twice: each challenge takes at most
// api.MaxCodeAttempts codes, reserved in the database (one writer) before
// any is checked, so parallel requests cannot slip more through; and every
// code is reserved in the codes throttle by account and client address
// before it is checked, as passwords are, so signing in again for a fresh
// challenge does not give fresh guesses.

// totpOpts are the authenticator app's parameters: the RFC's defaults,
// which every app knows.
var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// issuer names the portal in the authenticator app.
const issuer = "Chorus Onboard (chorus-sim)"

// maxDevicesPerAccount bounds an account's trusted computers: beyond it the
// one unused longest is forgotten.
const maxDevicesPerAccount = 20

// maxChallengesPerAccount bounds the challenges waiting for one account:
// a new sign-in drops the oldest beyond it.
const maxChallengesPerAccount = 5

// challenge starts the second factor of a sign-in whose password was
// right, in tx: an enrolment when the account has none, else a challenge
// for its method (the e-mailed code is sent now, within the sign-in codes'
// own budget: past it the challenge comes without a code, says why, and
// still takes a recovery code). It returns the answer.
func (ss *sessionsAPI) challenge(c *call, account int64, email, method string) (*api.SecondFactorChallenge, error) {
	ctx := c.r.Context()
	if _, err := c.tx.ExecContext(ctx, `DELETE FROM challenge WHERE account_id = ? AND token_hash NOT IN
		(SELECT token_hash FROM challenge WHERE account_id = ? ORDER BY expires_at DESC LIMIT ?)`,
		account, account, maxChallengesPerAccount-1); err != nil {
		return nil, err
	}
	tok, hash := ss.rand.token(16)
	out := &api.SecondFactorChallenge{Challenge: tok, ExpiresIn: int(api.ChallengeTTL.Seconds())}
	var codeHash []byte
	switch method {
	case "":
		out.Enrol, out.Methods = true, []string{api.MethodTOTP, api.MethodEmail}
	case api.MethodTOTP:
		out.Methods = []string{api.MethodTOTP, api.MethodRecovery}
	case api.MethodEmail:
		out.Methods = []string{api.MethodEmail, api.MethodRecovery}
		wait, err := ss.mail.limitSignIn(c, email)
		if err != nil {
			return nil, err
		}
		if wait > 0 {
			out.EmailNotSent, out.RetryAfter = api.CodeMailThrottled, int(wait.Seconds())+1
			break
		}
		if codeHash, err = ss.mailCode(c, tok, email); err != nil {
			return nil, err
		}
	}
	_, err := c.tx.ExecContext(ctx, `INSERT INTO challenge (token_hash, account_id, enrol, method, code_hash, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, hash, account, out.Enrol, method, codeHash, c.now.Add(api.ChallengeTTL).UnixMilli())
	return out, err
}

// mailCode e-mails a fresh 6-digit code for the challenge tok (the caller
// counted it in a budget) and returns what the challenge keeps of it.
func (ss *sessionsAPI) mailCode(c *call, tok, email string) ([]byte, error) {
	var b [8]byte
	ss.rand.read(b[:])
	code := fmt.Sprintf("%06d", binary.BigEndian.Uint64(b[:])%1_000_000)
	err := ss.mail.send(c, email, "votre code de connexion / your sign-in code",
		fmt.Sprintf("Votre code de connexion est %s. Il est valable 10 minutes, une seule fois. "+
			"Si vous n'êtes pas en train de vous connecter, changez votre mot de passe : quelqu'un le connaît.\n\n"+
			"Your sign-in code is %s. It is valid for 10 minutes, once. "+
			"If you are not signing in, change your password: someone knows it.\n", code, code), "", code)
	return codeHashOf(tok, code), err
}

// codeHashOf is what a challenge keeps of its e-mailed code: without the
// challenge token (kept only hashed) it does not give the code back.
func codeHashOf(tok, code string) []byte {
	h := sha256.Sum256([]byte("email-code\x00" + tok + "\x00" + code))
	return h[:]
}

// enrol starts setting up the method an enrolment challenge chose: a new
// authenticator secret to scan, or an e-mailed code. Nothing is kept on
// the account until a code proves the method works (secondFactor).
func (ss *sessionsAPI) enrol(c *call) (int, any, error) {
	var req api.Enrol
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	ctx := c.r.Context()
	var account int64
	var email string
	// Only an account with no factor enrols: a challenge made before the
	// owner enrolled is dead (secondFactor deletes them all), and this
	// holds even if one were left.
	err := c.tx.QueryRowContext(ctx, `SELECT c.account_id, a.email FROM challenge c JOIN account a ON a.id = c.account_id
		WHERE c.token_hash = ? AND c.enrol = 1 AND c.expires_at >= ? AND c.attempts < ? AND a.second_factor = ''`,
		hashToken(req.Challenge), c.now.UnixMilli(), api.MaxCodeAttempts).Scan(&account, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, fail(http.StatusBadRequest, api.CodeChallengeInvalid)
	}
	if err != nil {
		return 0, nil, err
	}
	out := api.Enrolment{Method: req.Method}
	var secret string
	var codeHash []byte
	switch req.Method {
	case api.MethodTOTP:
		key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: email, Period: totpOpts.Period,
			Digits: totpOpts.Digits, Algorithm: totpOpts.Algorithm, SecretSize: 20, Rand: entropyReader{ss.rand}})
		if err != nil {
			return 0, nil, err
		}
		secret, out.Secret, out.OTPAuthURL, out.Status = key.Secret(), key.Secret(), key.URL(), "scan_and_confirm"
	case api.MethodEmail:
		wait, err := ss.mail.limitSignIn(c, email)
		if err != nil {
			return 0, nil, err
		}
		if wait > 0 {
			return 0, nil, &httpError{status: http.StatusTooManyRequests, body: apiErr(api.CodeMailThrottled), retryAfter: int(wait.Seconds()) + 1}
		}
		if codeHash, err = ss.mailCode(c, req.Challenge, email); err != nil {
			return 0, nil, err
		}
		out.Status = "code_sent"
	default:
		return 0, nil, invalid()
	}
	_, err = c.tx.ExecContext(ctx, `UPDATE challenge SET method = ?, totp_secret = ?, code_hash = ? WHERE token_hash = ?`,
		req.Method, secret, codeHash, hashToken(req.Challenge))
	return http.StatusOK, out, err
}

// entropyReader reads the server's entropy (crypto/rand, or a test's
// fixed source) as an io.Reader for the TOTP library.
type entropyReader struct{ e *entropy }

func (r entropyReader) Read(p []byte) (int, error) {
	r.e.read(p)
	return len(p), nil
}

// secondFactor answers a challenge with a code or a recovery code. The
// attempt is reserved first (the challenge's counter, in this write
// transaction, and the codes throttle), then the code is checked; a right
// one ends the challenge, finishes an enrolment (recovery codes), trusts
// the computer if asked, and opens the session.
func (ss *sessionsAPI) secondFactor(c *call) (int, any, error) {
	var req api.SecondFactor
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if len(req.Code) > 16 || len(req.RecoveryCode) > 32 || !utf8.ValidString(req.DeviceName) || utf8.RuneCountInString(req.DeviceName) > 100 {
		return 0, nil, invalid()
	}
	ctx := c.r.Context()
	hash := hashToken(req.Challenge)
	var account int64
	var enrol bool
	var method, pendingSecret, email, accountMethod, accountSecret string
	var codeHash []byte
	var lastStep int64
	err := c.tx.QueryRowContext(ctx, `UPDATE challenge SET attempts = attempts + 1
		WHERE token_hash = ? AND expires_at >= ? AND attempts < ?
		RETURNING account_id, enrol, method, totp_secret, code_hash`, hash, c.now.UnixMilli(), api.MaxCodeAttempts).
		Scan(&account, &enrol, &method, &pendingSecret, &codeHash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, fail(http.StatusBadRequest, api.CodeChallengeInvalid)
	}
	if err != nil {
		return 0, nil, err
	}
	if err := c.tx.QueryRowContext(ctx, `SELECT email, second_factor, totp_secret, totp_last_step FROM account WHERE id = ?`, account).
		Scan(&email, &accountMethod, &accountSecret, &lastStep); err != nil {
		return 0, nil, err
	}
	tk, wait, err := ss.codes.reserve(ctx, c.tx, c.now, strings.ToLower(email), c.ip)
	if err != nil {
		return 0, nil, err
	}
	if wait > 0 {
		return 0, nil, &httpError{status: http.StatusTooManyRequests, body: apiErr(api.CodeThrottled), retryAfter: int(wait.Seconds()) + 1}
	}
	code := strings.ReplaceAll(strings.TrimSpace(req.Code), " ", "")
	ok, step := false, int64(0)
	switch {
	case req.RecoveryCode != "" && !enrol:
		ok, err = ss.useRecoveryCode(c, account, req.RecoveryCode)
	case enrol && method == api.MethodTOTP:
		ok, step = checkTOTP(pendingSecret, code, c.now, 0)
	case enrol && method == api.MethodEmail, !enrol && accountMethod == api.MethodEmail:
		ok = codeHash != nil && len(code) == api.CodeDigits && subtle.ConstantTimeCompare(codeHashOf(req.Challenge, code), codeHash) == 1
	case !enrol && accountMethod == api.MethodTOTP:
		ok, step = checkTOTP(accountSecret, code, c.now, lastStep)
	}
	if err != nil {
		return 0, nil, err // rolled back with the reservation: not the caller's failure
	}
	if !ok {
		return 0, nil, fail(http.StatusUnauthorized, api.CodeSecondFactorWrong)
	}
	if err := ss.codes.succeeded(ctx, c.tx, tk); err != nil {
		return 0, nil, err
	}
	if _, err := c.tx.ExecContext(ctx, `DELETE FROM challenge WHERE token_hash = ?`, hash); err != nil {
		return 0, nil, err
	}
	var out api.Session
	if step > 0 {
		if _, err := c.tx.ExecContext(ctx, `UPDATE account SET totp_last_step = ? WHERE id = ?`, step, account); err != nil {
			return 0, nil, err
		}
	}
	if enrol {
		// A factor is set only on an account that has none, and setting
		// it voids the account's other challenges: one someone else got
		// with the password cannot replace the owner's factor later.
		res, err := c.tx.ExecContext(ctx, `UPDATE account SET second_factor = ?, totp_secret = ?, totp_last_step = ? WHERE id = ? AND second_factor = ''`,
			method, pendingSecret, step, account)
		if err != nil {
			return 0, nil, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, nil, err
		} else if n != 1 {
			return 0, nil, fail(http.StatusBadRequest, api.CodeChallengeInvalid)
		}
		if _, err := c.tx.ExecContext(ctx, `DELETE FROM challenge WHERE account_id = ?`, account); err != nil {
			return 0, nil, err
		}
		if out.RecoveryCodes, err = ss.newRecoveryCodes(c, account); err != nil {
			return 0, nil, err
		}
		if err := ss.mail.send(c, email, "double authentification activée / two-step sign-in set up",
			"La connexion à votre compte demande désormais un second facteur. Si ce n'est pas vous, contactez l'administrateur du portail.\n\n"+
				"Signing in to your account now asks for a second factor. If this was not you, contact the portal's administrator.\n", "", ""); err != nil {
			return 0, nil, err
		}
	}
	if req.TrustDevice {
		if out.DeviceToken, out.DeviceID, err = ss.trustDevice(c, account, req.DeviceName); err != nil {
			return 0, nil, err
		}
	}
	if out.Token, err = ss.openSession(c.r, c.tx, account, out.DeviceID, c.now); err != nil {
		return 0, nil, err
	}
	out.ExpiresIn, out.AccountID = int(SessionTTL.Seconds()), account
	return http.StatusOK, out, nil
}

// checkTOTP reports whether code is the app's code for the step of now,
// the one before or the one after (a clock a little off), and for a step
// later than last (a code is used once only); it returns that step.
func checkTOTP(secret, code string, now time.Time, last int64) (bool, int64) {
	if secret == "" || len(code) != api.CodeDigits {
		return false, 0
	}
	cur := now.Unix() / int64(totpOpts.Period)
	for _, s := range []int64{cur - 1, cur, cur + 1} {
		if s <= last {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*int64(totpOpts.Period), 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return true, s
		}
	}
	return false, 0
}

// recoveryAlphabet spells recovery codes without letters that read alike
// (0/O, 1/I/L).
const recoveryAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newRecoveryCodes replaces the account's recovery codes with
// api.RecoveryCodeCount new ones (10 characters each, about 50 bits, as
// XXXXX-XXXXX) and returns them: only their hashes are kept.
func (ss *sessionsAPI) newRecoveryCodes(c *call, account int64) ([]string, error) {
	if _, err := c.tx.ExecContext(c.r.Context(), `DELETE FROM recovery_code WHERE account_id = ?`, account); err != nil {
		return nil, err
	}
	codes := make([]string, api.RecoveryCodeCount)
	for i := range codes {
		var b [10]byte
		ss.rand.read(b[:])
		var sb strings.Builder
		for j, x := range b {
			if j == 5 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[int(x)%len(recoveryAlphabet)])
		}
		codes[i] = sb.String()
		if _, err := c.tx.ExecContext(c.r.Context(), `INSERT INTO recovery_code (account_id, code_hash) VALUES (?, ?) ON CONFLICT DO NOTHING`,
			account, hashToken(codes[i])); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// normalRecoveryCode reads a recovery code as typed: any case, with or
// without its dash or spaces.
func normalRecoveryCode(s string) string {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(s))
	if len(s) != 10 {
		return s
	}
	return s[:5] + "-" + s[5:]
}

// useRecoveryCode spends one of the account's recovery codes.
func (ss *sessionsAPI) useRecoveryCode(c *call, account int64, code string) (bool, error) {
	res, err := c.tx.ExecContext(c.r.Context(), `UPDATE recovery_code SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at = 0`,
		c.now.UnixMilli(), account, hashToken(normalRecoveryCode(code)))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// trustDevice makes a device token for this computer (256 bits, kept
// hashed); beyond maxDevicesPerAccount the one unused longest goes.
func (ss *sessionsAPI) trustDevice(c *call, account int64, name string) (string, int64, error) {
	ctx := c.r.Context()
	name = strings.TrimSpace(name)
	if name == "" {
		name = "?"
	}
	if _, err := c.tx.ExecContext(ctx, `DELETE FROM device WHERE account_id = ? AND id NOT IN
		(SELECT id FROM device WHERE account_id = ? ORDER BY last_used_at DESC LIMIT ?)`, account, account, maxDevicesPerAccount-1); err != nil {
		return "", 0, err
	}
	tok, hash := ss.rand.token(32)
	var id int64
	err := c.tx.QueryRowContext(ctx, `INSERT INTO device (token_hash, account_id, name, created_at, last_used_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		hash, account, name, c.now.UnixMilli(), c.now.UnixMilli()).Scan(&id)
	return tok, id, err
}

// trustedDevice returns the id of the trusted computer whose device
// token tok is, for the account, used within api.DeviceIdleTTL, and marks
// it used now; 0 when tok is none of those.
func trustedDevice(tx querier, r *http.Request, account int64, tok string, now time.Time) (int64, error) {
	if tok == "" || len(tok) > 128 {
		return 0, nil
	}
	var id int64
	err := tx.QueryRowContext(r.Context(), `UPDATE device SET last_used_at = ? WHERE token_hash = ? AND account_id = ? AND last_used_at >= ?
		RETURNING id`, now.UnixMilli(), hashToken(tok), account, now.Add(-api.DeviceIdleTTL).UnixMilli()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// devices lists the signed-in account's trusted computers, most recently
// used first.
func (ss *sessionsAPI) devices(c *call) (int, any, error) {
	rows, err := c.tx.QueryContext(c.r.Context(), `SELECT id, name, created_at, last_used_at FROM device
		WHERE account_id = ? AND last_used_at >= ? ORDER BY last_used_at DESC, id DESC`, c.account, c.now.Add(-api.DeviceIdleTTL).UnixMilli())
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	out := []api.Device{}
	for rows.Next() {
		var d api.Device
		if err := rows.Scan(&d.ID, &d.Name, &d.Created, &d.LastUsed); err != nil {
			return 0, nil, err
		}
		d.Expires = time.UnixMilli(d.LastUsed).Add(api.DeviceIdleTTL).Unix()
		d.Created, d.LastUsed = d.Created/1000, d.LastUsed/1000
		out = append(out, d)
	}
	return http.StatusOK, out, rows.Err()
}

// revokeDevice forgets one of the signed-in account's trusted computers:
// its token asks for the second factor again, and the sessions it opened
// end (the session table's foreign key). Another account's id is answered
// as an unknown one.
func (ss *sessionsAPI) revokeDevice(c *call) (int, any, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	res, err := c.tx.ExecContext(c.r.Context(), `DELETE FROM device WHERE id = ? AND account_id = ?`, id, c.account)
	if err != nil {
		return 0, nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, nil, fail(http.StatusNotFound, api.CodeNotFound)
	}
	return http.StatusOK, api.Accepted{Status: "revoked"}, nil
}
