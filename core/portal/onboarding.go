package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
)

// Onboarding is the client of the onboarding API (core/api): one method
// per endpoint, over its transport.
type Onboarding struct {
	*transport
}

// transport carries the onboarding API's calls: the server's address, the
// HTTP client with the package's redirect policy, the session token every
// call sends once signed in, and the reading of answers and errors.
type transport struct {
	base string
	hc   *http.Client

	mu    sync.Mutex
	token string // session, set by SignIn
}

// NewOnboarding returns a client of the server at base (e.g.
// http://127.0.0.1:8080). hc nil means NewHTTPClient(); any client gets
// the package's redirect policy (checkRedirect).
func NewOnboarding(base string, hc *http.Client) *Onboarding {
	return &Onboarding{&transport{base: strings.TrimSuffix(base, "/"), hc: withPolicy(hc)}}
}

// BaseURL returns the server's address.
func (o *transport) BaseURL() string { return o.base }

// SetSession sets the session token (from a previous SignIn).
func (o *transport) SetSession(token string) {
	o.mu.Lock()
	o.token = token
	o.mu.Unlock()
}

// do sends one request. key, when not empty, is sent as Idempotency-Key.
// out receives the JSON answer of a 2xx.
func (o *transport) do(ctx context.Context, method, path, key string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, o.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set(api.HeaderIdempotencyKey, key)
	}
	o.mu.Lock()
	if o.token != "" {
		req.Header.Set(api.HeaderAuthorization, "Bearer "+o.token)
	}
	o.mu.Unlock()
	op := method + " " + path
	resp, err := o.hc.Do(req)
	if err != nil {
		return networkError(op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return networkError(op, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(b, out); err != nil {
			return &core.E{Kind: core.KindUnavailable, Code: api.CodeMalformed, Op: op, Status: resp.StatusCode,
				Err: fmt.Errorf("decode answer: %w", err)}
		}
		return nil
	}
	err = decodeError(op, resp, b)
	if resp.StatusCode == http.StatusConflict {
		// A firm's refused write carries the current version: kept for
		// the caller to merge with (Stale).
		err = &refusedBody{err: err, body: b}
	}
	return err
}

// refusedBody is a refusal with its body, for the callers that read more
// than its code.
type refusedBody struct {
	err  error
	body []byte
}

func (e *refusedBody) Error() string { return e.err.Error() }
func (e *refusedBody) Unwrap() error { return e.err }

// Codes of an answer that is not an onboarding portal's (foreignCode).
const (
	CodeForeignNotFound    = "portal.foreign_not_found"   // 404: no portal at this address
	CodeForeignRefused     = "portal.foreign_refused"     // 401, 403, 407: a proxy or firewall in the way
	CodeForeignUnavailable = "portal.foreign_unavailable" // 408, 429, 5xx: down or busy
	CodeForeignOther       = "portal.foreign_other"       // anything else
)

// foreignCode names an error answer that does not come from an onboarding
// portal by what its status says to do.
func foreignCode(status int) string {
	switch {
	case status == http.StatusNotFound:
		return CodeForeignNotFound
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusProxyAuthRequired:
		return CodeForeignRefused
	case kindOfStatus(status, "") == core.KindUnavailable:
		return CodeForeignUnavailable
	}
	return CodeForeignOther
}

// decodeError reads an error answer; a body that is not ours (a proxy's
// HTML page) still gives a usable error from the status.
func decodeError(op string, resp *http.Response, b []byte) error {
	var body struct {
		api.Error
		Problems    []api.Problem `json:"problems"`
		StructureID int64         `json:"structure_id"`
	}
	ours := json.Unmarshal(b, &body) == nil && body.Code != ""
	code := foreignCode(resp.StatusCode)
	if ours {
		code = body.Code
	}
	e := statusError(op, resp.StatusCode, code)
	e.RetryAfter = parseRetryAfter(resp.Header)
	if !ours {
		// Not an onboarding portal's answer (a web server's 404 page, a
		// proxy's or firewall's refusal): say where and what it was.
		e.Params = map[string]string{"status": strconv.Itoa(resp.StatusCode)}
		if resp.Request != nil && resp.Request.URL != nil {
			e.Params["url"] = origin(resp.Request.URL)
		}
	}
	if ours {
		e.Problems = api.CoreProblems(body.Problems)
		keepMessage(e, body.Message)
		if body.StructureID != 0 {
			e.Params = map[string]string{ParamStructureID: strconv.FormatInt(body.StructureID, 10)}
		}
	}
	return e
}

// Captcha asks for a new challenge.
func (o *Onboarding) Captcha(ctx context.Context) (api.Captcha, error) {
	var c api.Captcha
	return c, o.do(ctx, http.MethodPost, api.PathCaptcha, "", nil, &c)
}

// CaptchaCode asks for the non-visual alternative: a code mailed to email
// that answers challenge id.
func (o *Onboarding) CaptchaCode(ctx context.Context, id, email string) error {
	return o.do(ctx, http.MethodPost, strings.Replace(api.PathCaptchaCode, "{id}", url.PathEscape(id), 1), "",
		api.CaptchaCodeRequest{Email: email}, nil)
}

// CreateAccount sends steps 2-3. The answer is the same whether or not the
// address already had an account.
func (o *Onboarding) CreateAccount(ctx context.Context, key string, req api.CreateAccount) error {
	return o.do(ctx, http.MethodPost, api.PathAccounts, key, req, nil)
}

// ResendActivation asks for a fresh activation link for an account not
// activated yet (captcha-protected; the same answer for every address).
func (o *Onboarding) ResendActivation(ctx context.Context, key string, req api.ResendActivation) error {
	return o.do(ctx, http.MethodPost, api.PathActivationResend, key, req, nil)
}

// Activate sets the first password.
func (o *Onboarding) Activate(ctx context.Context, token, password string) error {
	return o.do(ctx, http.MethodPost, api.PathActivation, "", api.Activate{Token: token, Password: password}, nil)
}

// SignIn opens a session with a password alone and keeps its token for
// the following calls. A portal that asks for a second factor gives a
// *core.E with Kind core.KindUnauthorized and code
// api.CodeSecondFactorRequired: callers that can ask for a code use SignInWith.
func (o *Onboarding) SignIn(ctx context.Context, email, password string) (api.Session, error) {
	s, ch, err := o.SignInWith(ctx, api.SignIn{Email: email, Password: password})
	if err == nil && ch != nil {
		err = &core.E{Kind: core.KindUnauthorized, Code: api.CodeSecondFactorRequired, Op: "POST " + api.PathSession, Status: http.StatusAccepted}
	}
	return s, err
}

// SignInWith checks the password (and the device token, if any): the
// answer is a session, kept for the following calls, or, when the portal
// asks for a second factor, its challenge (answer it with Enrol and
// AnswerSecondFactor).
func (o *Onboarding) SignInWith(ctx context.Context, req api.SignIn) (api.Session, *api.SecondFactorChallenge, error) {
	var raw json.RawMessage
	var s api.Session
	if err := o.do(ctx, http.MethodPost, api.PathSession, "", req, &raw); err != nil {
		return s, nil, err
	}
	var probe struct {
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(raw, &probe); err == nil && probe.Challenge != "" {
		var ch api.SecondFactorChallenge
		if err := json.Unmarshal(raw, &ch); err != nil {
			return s, nil, malformedAnswer("POST "+api.PathSession, err)
		}
		return s, &ch, nil
	}
	if err := json.Unmarshal(raw, &s); err != nil || s.Token == "" {
		return s, nil, malformedAnswer("POST "+api.PathSession, err)
	}
	o.SetSession(s.Token)
	return s, nil, nil
}

// Enrol chooses the second factor of an account that has none yet: the
// answer holds the authenticator app's secret, or says a code was
// e-mailed.
func (o *Onboarding) Enrol(ctx context.Context, challenge, method string) (api.Enrolment, error) {
	var e api.Enrolment
	return e, o.do(ctx, http.MethodPost, api.PathEnrolment, "", api.Enrol{Challenge: challenge, Method: method}, &e)
}

// AnswerSecondFactor answers a challenge with a code or a recovery code;
// the session it opens is kept for the following calls. After an
// enrolment the answer holds the recovery codes; with TrustDevice, the
// device token.
func (o *Onboarding) AnswerSecondFactor(ctx context.Context, req api.SecondFactor) (api.Session, error) {
	var s api.Session
	if err := o.do(ctx, http.MethodPost, api.PathSecondFactor, "", req, &s); err != nil {
		return s, err
	}
	o.SetSession(s.Token)
	return s, nil
}

// Devices lists the signed-in account's trusted computers.
func (o *Onboarding) Devices(ctx context.Context) ([]api.Device, error) {
	var d []api.Device
	return d, o.do(ctx, http.MethodGet, api.PathDevices, "", nil, &d)
}

// RevokeDevice forgets one of the account's trusted computers: its device
// token no longer stands in for the second factor.
func (o *Onboarding) RevokeDevice(ctx context.Context, id int64) error {
	return o.do(ctx, http.MethodDelete, strings.Replace(api.PathDevice, "{id}", strconv.FormatInt(id, 10), 1), "", nil, nil)
}

// ChangePassword replaces the signed-in account's password; the portal
// ends every other session and every trusted computer (their device
// tokens then ask for the second factor again), and mails the owner.
func (o *Onboarding) ChangePassword(ctx context.Context, current, next string) error {
	return o.do(ctx, http.MethodPost, api.PathPassword, "", api.ChangePassword{Current: current, New: next}, nil)
}

// malformedAnswer is an answer of the right status that cannot be read.
func malformedAnswer(op string, err error) error {
	if err == nil {
		err = fmt.Errorf("no session token")
	}
	return &core.E{Kind: core.KindUnavailable, Code: api.CodeMalformed, Op: op, Err: fmt.Errorf("decode answer: %w", err)}
}

// SignOut revokes the session and forgets its token.
func (o *Onboarding) SignOut(ctx context.Context) error {
	if err := o.do(ctx, http.MethodDelete, api.PathSession, "", nil, nil); err != nil {
		return err
	}
	o.SetSession("")
	return nil
}

// SearchStructure looks a structure up by identifier.
func (o *Onboarding) SearchStructure(ctx context.Context, t core.IdentifierType, identifier string) (api.SearchResult, error) {
	var r api.SearchResult
	q := url.Values{"identifier_type": {string(t)}, "identifier": {identifier}}
	return r, o.do(ctx, http.MethodGet, api.PathStructures+"?"+q.Encode(), "", nil, &r)
}

// CreateStructure creates a structure; the caller becomes its principal
// manager. An existing identifier gives a *core.E with Kind
// core.KindConflict, code api.CodeStructureExists and the existing
// structure's id in Params[ParamStructureID]: file an attachment request.
func (o *Onboarding) CreateStructure(ctx context.Context, key string, d core.StructureDraft) (api.Structure, error) {
	var s api.Structure
	return s, o.do(ctx, http.MethodPost, api.PathStructures, key, api.StructureBody(d), &s)
}

// RequestAttachment files a request to be attached to a structure; filing
// it again returns the same request.
func (o *Onboarding) RequestAttachment(ctx context.Context, key string, t core.IdentifierType, identifier string) (api.Attachment, error) {
	var a api.Attachment
	return a, o.do(ctx, http.MethodPost, api.PathAttachments, key, api.AttachmentRequest{IdentifierType: t, Identifier: identifier}, &a)
}

// MyAttachments lists the caller's requests and their status.
func (o *Onboarding) MyAttachments(ctx context.Context) ([]api.Attachment, error) {
	var a []api.Attachment
	return a, o.do(ctx, http.MethodGet, api.PathAttachments, "", nil, &a)
}

// PendingAttachments lists the requests waiting for the caller as manager.
func (o *Onboarding) PendingAttachments(ctx context.Context) ([]api.Attachment, error) {
	var a []api.Attachment
	return a, o.do(ctx, http.MethodGet, api.PathAttachmentsQueue, "", nil, &a)
}

// DecideAttachment approves or refuses a request (managers only).
func (o *Onboarding) DecideAttachment(ctx context.Context, key string, id int64, approve bool) (api.Attachment, error) {
	decision := "refuse"
	if approve {
		decision = "approve"
	}
	path := strings.NewReplacer("{id}", fmt.Sprint(id), "{decision}", decision).Replace(api.PathAttachmentDecide)
	var a api.Attachment
	return a, o.do(ctx, http.MethodPost, path, key, nil, &a)
}

// ModifyStructure modifies a structure's information (its principal and
// the users who may modify it); its identifier stays.
func (o *Onboarding) ModifyStructure(ctx context.Context, structure int64, body api.StructureBody) (api.Structure, error) {
	var st api.Structure
	return st, o.do(ctx, http.MethodPut, strings.Replace(api.PathStructure, "{id}", fmt.Sprint(structure), 1), "", body, &st)
}

// Mailbox returns the mail the sandbox sent to an address, newest first.
func (o *Onboarding) Mailbox(ctx context.Context, to string) ([]api.Mail, error) {
	var m []api.Mail
	return m, o.do(ctx, http.MethodGet, api.PathMailbox+"?"+url.Values{"to": {to}}.Encode(), "", nil, &m)
}

// Health reports whether the server answers: how the app tells online from
// offline, by reaching the configured portal rather than guessing.
func (o *Onboarding) Health(ctx context.Context) error {
	return o.do(ctx, http.MethodGet, api.PathHealth, "", nil, nil)
}
