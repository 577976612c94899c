package firm

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

// maxBody bounds a request's body: the largest is an assignment of a
// thousand clients, or a client with every field at its limit.
const maxBody = 256 << 10

// IdempotencyTTL is how long a write's answer is kept for its retries.
const IdempotencyTTL = 7 * 24 * time.Hour

// call is one request: its caller, as a member of their firm, and its
// transaction.
type call struct {
	r    *http.Request
	body []byte
	tx   *sqldb.Tx
	now  time.Time
	who  Account
	// me is the caller's membership; zero when they are in no firm.
	me membership
	// changed is the firm whose feed waiters to wake once committed.
	changed int64
}

// membership is a member's place in their firm.
type membership struct {
	firm int64
	role string
}

// handler answers a call: a status and a body, or an error (*refusal
// for an answer that changes nothing).
type handler func(c *call) (int, any, error)

// refusal is an answer that changes nothing: a status and its coded body.
type refusal struct {
	status int
	body   any
}

func (e *refusal) Error() string { return "http " + strconv.Itoa(e.status) }

// refuse is a refusal with a coded error in French and English.
func refuse(status int, code string) error { return &refusal{status: status, body: errorBody(code)} }

// errorBody is an error's body, its message in both languages.
func errorBody(code string) api.Error {
	return api.Error{Code: code, Message: map[string]string{"fr": i18n.T(i18n.FR, code), "en": i18n.T(i18n.EN, code)}}
}

// serve runs h in a transaction of the caller (write for any method but
// GET), after reading the body (bounded) and the caller's session and
// membership; a write that carries an idempotency key gets, on a retry,
// the first answer it got.
func (s *Server) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeJSON(w, http.StatusRequestEntityTooLarge, errorBody(api.CodeMalformed))
			} else {
				writeJSON(w, http.StatusBadRequest, errorBody(api.CodeMalformed))
			}
			return
		}
		who, err := s.cfg.Accounts.Authenticate(r)
		if err != nil {
			writeJSON(w, http.StatusUnauthorized, errorBody(api.CodeUnauthorized))
			return
		}
		key := r.Header.Get(api.HeaderIdempotencyKey)
		if len(key) > 255 {
			writeJSON(w, http.StatusBadRequest, errorBody(api.CodeMalformed))
			return
		}
		c := &call{r: r, body: body, now: s.cfg.Now(), who: who}
		record := key != "" && r.Method != http.MethodGet
		var status int
		var out any
		var replay []byte
		run := s.db.Tx
		if r.Method == http.MethodGet {
			run = s.db.ReadTx
		}
		err = run(r.Context(), func(tx *sqldb.Tx) error {
			c.tx, c.changed, replay = tx, 0, nil // a run again starts afresh
			if err := c.loadMembership(); err != nil {
				return err
			}
			if r.Method != http.MethodGet && c.me.firm != 0 {
				// A firm's writes one after the other, whichever instance
				// takes them (on SQLite the writer is alone anyway): what
				// follows sees every change committed before, the member
				// removed a moment ago included.
				waited, err := tx.Lock(r.Context(), "firm", c.me.firm)
				if err != nil {
					return err
				}
				if waited {
					if err := c.loadMembership(); err != nil {
						return err
					}
				}
			}
			fp := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
			if record {
				var prevFP, prevBody []byte
				var prevStatus int
				err := tx.QueryRowContext(r.Context(), `SELECT fingerprint, status, body FROM idempotency WHERE account_id = ? AND op_key = ?`,
					who.ID, key).Scan(&prevFP, &prevStatus, &prevBody)
				switch {
				case err == nil && !hmac.Equal(prevFP, fp[:]):
					return refuse(http.StatusUnprocessableEntity, api.CodeIdempotencyBody)
				case err == nil:
					status, replay = prevStatus, prevBody
					return nil
				case !errors.Is(err, sql.ErrNoRows):
					return err
				}
			}
			var herr error
			status, out, herr = h(c)
			if herr != nil {
				return herr
			}
			if record {
				b, err := json.Marshal(out)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(r.Context(), `INSERT INTO idempotency (account_id, op_key, fingerprint, status, body, created_at)
					VALUES (?, ?, ?, ?, ?, ?)`, who.ID, key, fp[:], status, b, c.now.UnixMilli()); err != nil {
					return err
				}
			}
			return nil
		})
		var ref *refusal
		switch {
		case errors.As(err, &ref):
			writeJSON(w, ref.status, ref.body)
		case err != nil:
			s.cfg.Log.Error("firm request failed", "path", r.URL.Path, "err", err)
			w.Header().Set("Retry-After", "2")
			writeJSON(w, http.StatusServiceUnavailable, errorBody(api.CodeUnavailable))
		case replay != nil:
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(status)
			_, _ = w.Write(replay)
		default:
			if c.changed != 0 {
				s.wake(c.changed)
			}
			writeJSON(w, status, out)
		}
	})
}

// loadMembership reads the caller's firm and role, in the call's
// transaction: a member removed a moment ago is none.
func (c *call) loadMembership() error {
	err := c.tx.QueryRowContext(c.r.Context(), `SELECT firm_id, role FROM member WHERE account_id = ?`, c.who.ID).
		Scan(&c.me.firm, &c.me.role)
	if errors.Is(err, sql.ErrNoRows) {
		c.me = membership{}
		return nil
	}
	return err
}

// member refuses a caller in no firm.
func (c *call) member() error {
	if c.me.firm == 0 {
		return refuse(http.StatusNotFound, api.CodeFirmNone)
	}
	return nil
}

// admin refuses a caller who is not their firm's admin.
func (c *call) admin() error {
	if err := c.member(); err != nil {
		return err
	}
	if c.me.role != api.FirmAdmin {
		return refuse(http.StatusForbidden, api.CodeFirmAdminOnly)
	}
	return nil
}

// decode reads the JSON body into v: a JSON body, valid UTF-8, one value,
// no field v does not have.
func (c *call) decode(v any) error {
	if mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return refuse(http.StatusUnsupportedMediaType, api.CodeContentType)
	}
	if !utf8.Valid(c.body) {
		return refuse(http.StatusBadRequest, api.CodeMalformed)
	}
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return refuse(http.StatusBadRequest, api.CodeMalformed)
	}
	if dec.More() {
		return refuse(http.StatusBadRequest, api.CodeMalformed)
	}
	return nil
}

// pathID reads a numeric path value.
func (c *call) pathID(name string) (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, refuse(http.StatusNotFound, api.CodeNotFound)
	}
	return id, nil
}

// nextPosition takes the caller's firm's next position, holding its row
// until the transaction ends: positions follow commit order.
func (c *call) nextPosition() (int64, error) {
	var p int64
	err := c.tx.QueryRowContext(c.r.Context(), `UPDATE firm SET position = position + 1 WHERE id = ? RETURNING position`, c.me.firm).Scan(&p)
	c.changed = c.me.firm
	return p, err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
