package onboarding

import (
	"context"
	"os"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// Completer closes an outbox row: the account's, once the portal took it.
type Completer interface {
	Complete(ctx context.Context, opID string, sync core.Sync, follow *core.Op) error
}

// Accounts is the wizard's first steps: the account draft, the captcha,
// the activation link, and signing in.
type Accounts struct {
	store   core.AccountStore
	outbox  Completer
	conn    *Connection
	newOpID func() string
}

// NewAccounts returns the service over the account drafts; outbox closes
// an account's row once the portal took it.
func NewAccounts(store core.AccountStore, outbox Completer, conn *Connection, newOpID func() string) *Accounts {
	return &Accounts{store: store, outbox: outbox, conn: conn, newOpID: newOpID}
}

// SaveAccount validates the draft of steps 1-2 and keeps it, creating the
// record when id is 0. The draft is stored as typed, with its problems:
// an incomplete draft is still worth keeping.
func (s *Accounts) SaveAccount(ctx context.Context, id int64, d core.AccountDraft) (core.AccountRecord, error) {
	return s.store.SaveAccount(ctx, id, core.CheckAccount(d))
}

// Account returns a stored account draft.
func (s *Accounts) Account(ctx context.Context, id int64) (core.AccountRecord, error) {
	return s.store.Account(ctx, id)
}

// QueueAccount puts a saved account in the outbox: the user asked for it
// to be created, and it waits there (offline too) until the captcha's
// answer sends it. Queueing it again changes nothing.
func (s *Accounts) QueueAccount(ctx context.Context, id int64) error {
	_, err := s.store.QueueAccount(ctx, id, s.conn.Target().Key)
	return err
}

// Captcha asks the portal for a new challenge (step 3).
func (s *Accounts) Captcha(ctx context.Context) (api.Captcha, error) {
	p, err := s.conn.portal()
	if err != nil {
		return api.Captcha{}, err
	}
	return p.Captcha(ctx)
}

// CaptchaCode asks for the non-visual alternative: a code mailed to the
// login address answers the challenge instead of the image.
func (s *Accounts) CaptchaCode(ctx context.Context, challenge, email string) error {
	p, err := s.conn.portal()
	if err != nil {
		return err
	}
	return p.CaptchaCode(ctx, challenge, email)
}

// SubmitAccount sends steps 2-3: the stored account with the captcha's
// answer. The account waits in the outbox until the portal took it; the
// row's operation id and the challenge make the Idempotency-Key, so the
// replay of an attempt is deduplicated and a new image is a new request.
// A refused answer burns the challenge: ask for a new one.
func (s *Accounts) SubmitAccount(ctx context.Context, accountID int64, challenge, answer string) error {
	p, err := s.conn.portal()
	if err != nil {
		return err
	}
	op, err := s.store.QueueAccount(ctx, accountID, s.conn.Target().Key)
	if err != nil {
		return err
	}
	// What is sent is the row's payload: the account as kept when it was
	// queued, or last edited while it waited (the store keeps both alike).
	d, err := core.DecodeAccountPayload(op.Payload)
	if err != nil {
		return err
	}
	canon, problems := validate.Account(d)
	if problems.HasErrors() {
		return &core.E{Kind: core.KindInvalid, Code: api.CodeInvalid, Op: "submit account", Problems: problems.Errors()}
	}
	req := api.CreateAccount{CaptchaID: challenge, CaptchaAnswer: answer, Account: api.AccountBody(canon)}
	if err := p.CreateAccount(ctx, op.OpID+"/"+challenge, req); err != nil {
		return err
	}
	return s.outbox.Complete(ctx, op.OpID, core.Sync{State: core.StateSent}, nil)
}

// Mailbox returns the e-mail the sandbox portal sent to an address, newest
// first; KindUnavailable where the portal keeps no mailbox (a real one
// sends real e-mail).
func (s *Accounts) Mailbox(ctx context.Context, to string) ([]api.Mail, error) {
	t := s.conn.Target()
	if t.Portal == nil || !t.Mailbox {
		return nil, errNoPortal
	}
	return t.Portal.Mailbox(ctx, to)
}

// ResendActivation asks for a fresh activation link, answering a new
// captcha: for a link that expired or never came. The previous link dies.
func (s *Accounts) ResendActivation(ctx context.Context, challenge, answer, email string) error {
	p, err := s.conn.portal()
	if err != nil {
		return err
	}
	return p.ResendActivation(ctx, s.newOpID(), api.ResendActivation{CaptchaID: challenge, CaptchaAnswer: answer, Email: email})
}

// Activate sets the first password with the activation link the user
// pasted (step 4), then signs in with it: nil means signed in; else the
// portal asks for a second factor, and the first sign-in enrols one (the
// challenge says so).
func (s *Accounts) Activate(ctx context.Context, link, email, password string) (*api.SecondFactorChallenge, error) {
	token, err := api.ActivationToken(link)
	if err != nil {
		return nil, err
	}
	p, err := s.conn.portal()
	if err != nil {
		return nil, err
	}
	if err := p.Activate(ctx, token, password); err != nil {
		return nil, err
	}
	return s.StartSignIn(ctx, email, password)
}

// SignIn opens a session on the portal with a password, and this
// computer's device token when the keyring holds one for this account; the
// worker and the screens use it until it expires. Sessions live in memory
// only. A portal that asks for a second factor gives an error with code
// api.CodeSecondFactorRequired: StartSignIn gives its challenge.
func (s *Accounts) SignIn(ctx context.Context, email, password string) error {
	ch, err := s.StartSignIn(ctx, email, password)
	if err == nil && ch != nil {
		err = &core.E{Kind: core.KindUnauthorized, Code: api.CodeSecondFactorRequired, Op: "sign in"}
	}
	return err
}

// StartSignIn checks the password, with this computer's device token for
// the account if the keyring holds one: nil means signed in; else the
// challenge to answer (Enrol first when it says so, then
// FinishSignIn).
func (s *Accounts) StartSignIn(ctx context.Context, email, password string) (*api.SecondFactorChallenge, error) {
	p, err := s.conn.portal()
	if err != nil {
		return nil, err
	}
	_, ch, err := p.SignInWith(ctx, api.SignIn{Email: email, Password: password, DeviceToken: s.conn.deviceToken(ctx, email)})
	return ch, err
}

// TrustedHere reports whether the keyring holds this computer's device
// token for email on the environment in effect.
func (s *Accounts) TrustedHere(ctx context.Context, email string) bool {
	return s.conn.deviceToken(ctx, email) != ""
}

// Enrol chooses the second factor at the account's first sign-in: the
// authenticator app's secret to show (as a QR code and as text), or an
// e-mailed code.
func (s *Accounts) Enrol(ctx context.Context, challenge, method string) (api.Enrolment, error) {
	p, err := s.conn.portal()
	if err != nil {
		return api.Enrolment{}, err
	}
	return p.Enrol(ctx, challenge, method)
}

// FinishSignIn answers the challenge with a code or a recovery code and
// opens the session. With TrustDevice the device token goes to the
// environment's keyring (never elsewhere): if no keyring answers, the
// session is open all the same and the error says the computer is not
// trusted. After an enrolment it returns the recovery codes, to show once.
func (s *Accounts) FinishSignIn(ctx context.Context, email string, req api.SecondFactor) (recoveryCodes []string, err error) {
	p, err := s.conn.portal()
	if err != nil {
		return nil, err
	}
	sess, err := p.AnswerSecondFactor(ctx, req)
	if err != nil {
		return nil, err
	}
	if sess.DeviceToken != "" {
		err = s.conn.saveDeviceToken(ctx, email, sess.DeviceID, sess.DeviceToken)
	}
	return sess.RecoveryCodes, err
}

// ThisDevice returns this computer's id among the trusted computers of
// the environment in effect (0: not trusted here), to mark it in the list.
func (s *Accounts) ThisDevice(ctx context.Context) int64 { return s.conn.ThisDevice(ctx) }

// DeviceName names this computer in the account's list of trusted
// computers, by the program and the computer's name: "Chorus Onboard
// (PC-COMPTA-03)", so the user knows which to revoke; in no language,
// since every language's screens show it.
func DeviceName(program string) string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return program + " (" + h + ")"
	}
	return program
}

// Devices lists the trusted computers of the signed-in account.
func (s *Accounts) Devices(ctx context.Context) ([]api.Device, error) {
	p, err := s.conn.portal()
	if err != nil {
		return nil, err
	}
	return p.Devices(ctx)
}

// RevokeDevice revokes a trusted computer of the signed-in account; when
// it is this one, its keyring entry goes too, since the portal no longer
// takes it.
func (s *Accounts) RevokeDevice(ctx context.Context, id int64) error {
	p, err := s.conn.portal()
	if err != nil {
		return err
	}
	if err := p.RevokeDevice(ctx, id); err != nil {
		return err
	}
	return s.conn.forgetDevice(ctx, id)
}

// ChangePassword replaces the signed-in account's password on the portal,
// which then ends every other session and forgets every trusted computer
// (this one included: its device token, now refused, leaves the keyring).
// A new password is checked here first with the portal's own rule, so a
// weak one is refused without a round trip.
func (s *Accounts) ChangePassword(ctx context.Context, email, current, next string) error {
	if _, err := validate.Password(next, email, "", ""); err != nil {
		return &core.E{Kind: core.KindInvalid, Code: validate.Code(err), Op: "change password", Err: err,
			Problems: core.Problems{{Field: core.FieldPassword, Code: validate.Code(err), Severity: core.Error}}}
	}
	p, err := s.conn.portal()
	if err != nil {
		return err
	}
	this := s.conn.ThisDevice(ctx)
	if err := p.ChangePassword(ctx, current, next); err != nil {
		return err
	}
	if this != 0 {
		return s.conn.forgetDevice(ctx, this)
	}
	return nil
}
