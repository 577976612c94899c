package sim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// captchaHook, set by tests only, sees each answer as it is drawn: a test
// cannot read the image.
var captchaHook func(text string)

// captchaChars leaves out look-alikes (0/O, 1/I/l) and compares without
// case, so a person who reads the image right is never refused.
const captchaChars = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func (ac *accountsAPI) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, ac.key)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return m.Sum(nil)
}

func normAnswer(a string) string { return strings.ToUpper(strings.Join(strings.Fields(a), "")) }

func (ac *accountsAPI) newCaptcha(c *call) (int, any, error) {
	// The answer comes from the server's entropy (crypto/rand), not the
	// library's math/rand, whose outputs can be predicted from others.
	var b [CaptchaLength]byte
	ac.rand.read(b[:])
	text := make([]byte, CaptchaLength)
	for i, x := range b {
		text[i] = captchaChars[int(x)%len(captchaChars)]
	}
	img, err := drawCaptcha(string(text), true)
	if err != nil {
		return 0, nil, err
	}
	if captchaHook != nil {
		captchaHook(string(text))
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return 0, nil, err
	}
	id, _ := ac.rand.token(16)
	if _, err := c.tx.ExecContext(c.r.Context(), `INSERT INTO captcha (id, answer_mac, expires_at) VALUES (?, ?, ?)`,
		id, ac.mac("image", id, normAnswer(string(text))), c.now.Add(CaptchaTTL).UnixMilli()); err != nil {
		return 0, nil, err
	}
	// Old challenges are useless: drop them as we go.
	_, _ = c.tx.ExecContext(c.r.Context(), `DELETE FROM captcha WHERE expires_at < ?`, c.now.UnixMilli())
	return http.StatusCreated, api.Captcha{ID: id, PNG: buf.Bytes(), Length: CaptchaLength, ExpiresIn: int(CaptchaTTL.Seconds())}, nil
}

// captchaCode is the non-visual alternative: a 6-digit code mailed to the
// login address answers the challenge instead of the image, for people who
// cannot read it. One challenge gives one code at most, and the codes sent
// to an address and from a client address are limited (limitMail): a
// solved-free endpoint must not become a way to flood someone's mailbox.
func (ac *accountsAPI) captchaCode(c *call) (int, any, error) {
	var req api.CaptchaCodeRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	email, err := validate.Email(req.Email)
	if err != nil {
		return 0, nil, invalid(core.Problem{Field: core.FieldLoginEmail, Code: validate.Code(err), Severity: core.Error})
	}
	id := c.r.PathValue("id")
	var sent []byte
	err = c.tx.QueryRowContext(c.r.Context(), `SELECT code_mac FROM captcha WHERE id = ? AND expires_at >= ?`, id, c.now.UnixMilli()).Scan(&sent)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil, fail(http.StatusBadRequest, api.CodeCaptchaWrong)
	case err != nil:
		return 0, nil, err
	case sent != nil:
		return 0, nil, fail(http.StatusBadRequest, api.CodeCodeAlreadySent)
	}
	if err := ac.mail.limit(c, email); err != nil {
		return 0, nil, err
	}
	var b [8]byte
	ac.rand.read(b[:])
	code := fmt.Sprintf("%06d", binary.BigEndian.Uint64(b[:])%1_000_000)
	if _, err := c.tx.ExecContext(c.r.Context(), `UPDATE captcha SET code_mac = ?, code_email = ? WHERE id = ?`,
		ac.mac("code", id, code, strings.ToLower(email)), strings.ToLower(email), id); err != nil {
		return 0, nil, err
	}
	err = ac.mail.send(c, email, "votre code de vérification / your verification code",
		fmt.Sprintf("Votre code de vérification est %s. Il remplace les caractères de l'image et reste valable 2 minutes.\n\n"+
			"Your verification code is %s. It replaces the characters of the image and is valid for 2 minutes.\n", code, code), "", code)
	return http.StatusAccepted, api.Accepted{Status: "code_sent"}, err
}

// checkCaptcha verifies an answer. The challenge is deleted first, so it
// gets exactly one attempt, right or wrong.
func (ac *accountsAPI) checkCaptcha(c *call, id, answer, email string) error {
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
	if hmac.Equal(answerMAC, ac.mac("image", id, normAnswer(answer))) {
		return nil
	}
	if codeMAC != nil && strings.EqualFold(codeEmail, email) && hmac.Equal(codeMAC, ac.mac("code", id, strings.TrimSpace(answer), strings.ToLower(email))) {
		return nil
	}
	return fail(http.StatusBadRequest, api.CodeCaptchaWrong)
}

func invalid(p ...core.Problem) error {
	return &httpError{status: http.StatusBadRequest, body: api.InvalidError{Error: apiErr(api.CodeInvalid), Problems: api.ProblemsOf(p)}}
}
