package onboarding

import (
	"context"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// SaveAccount validates the draft of steps 1-2 and keeps it, creating the
// record when id is 0. The draft is stored as typed, with its problems:
// an incomplete draft is still worth keeping.
func (s *Service) SaveAccount(ctx context.Context, id int64, d core.AccountDraft) (core.AccountRecord, error) {
	_, problems := validate.Account(d)
	return s.cfg.Store.SaveAccount(ctx, core.AccountRecord{ID: id, Draft: d, Problems: problems})
}

// Account returns a stored account draft.
func (s *Service) Account(ctx context.Context, id int64) (core.AccountRecord, error) {
	return s.cfg.Store.Account(ctx, id)
}

// QueueAccount puts a saved account in the outbox: the user asked for it
// to be created, and it waits there (offline too) until the captcha's
// answer sends it. Queueing it again changes nothing.
func (s *Service) QueueAccount(ctx context.Context, id int64) error {
	_, err := s.cfg.Store.QueueAccount(ctx, id, s.Target().Key)
	return err
}

// Captcha asks the portal for a new challenge (step 3).
func (s *Service) Captcha(ctx context.Context) (api.Captcha, error) {
	p, err := s.portal()
	if err != nil {
		return api.Captcha{}, err
	}
	return p.Captcha(ctx)
}

// CaptchaCode asks for the non-visual alternative: a code mailed to the
// login address answers the challenge instead of the image.
func (s *Service) CaptchaCode(ctx context.Context, challenge, email string) error {
	p, err := s.portal()
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
func (s *Service) SubmitAccount(ctx context.Context, accountID int64, challenge, answer string) error {
	p, err := s.portal()
	if err != nil {
		return err
	}
	rec, err := s.cfg.Store.Account(ctx, accountID)
	if err != nil {
		return err
	}
	canon, problems := validate.Account(rec.Draft)
	if problems.HasErrors() {
		return &core.E{Kind: core.KindInvalid, Code: api.CodeInvalid, Op: "submit account", Problems: problems.Errors()}
	}
	opID, err := s.cfg.Store.QueueAccount(ctx, accountID, s.Target().Key)
	if err != nil {
		return err
	}
	req := api.CreateAccount{CaptchaID: challenge, CaptchaAnswer: answer, Account: canon}
	if err := p.CreateAccount(ctx, opID+"/"+challenge, req); err != nil {
		return err
	}
	return s.cfg.Store.Complete(ctx, opID, core.Sync{State: core.StateSent}, nil)
}

// Mailbox returns the e-mail the sandbox portal sent to an address, newest
// first; KindUnavailable where the portal keeps no mailbox (a real one
// sends real e-mail).
func (s *Service) Mailbox(ctx context.Context, to string) ([]api.Mail, error) {
	t := s.Target()
	if t.Portal == nil || !t.Mailbox {
		return nil, errNoPortal
	}
	return t.Portal.Mailbox(ctx, to)
}

// ResendActivation asks for a fresh activation link, answering a new
// captcha: for a link that expired or never came. The previous link dies.
func (s *Service) ResendActivation(ctx context.Context, challenge, answer, email string) error {
	p, err := s.portal()
	if err != nil {
		return err
	}
	return p.ResendActivation(ctx, s.cfg.NewOpID(), api.ResendActivation{CaptchaID: challenge, CaptchaAnswer: answer, Email: email})
}

// Activate sets the first password with the activation link the user
// pasted (step 4), then signs in with it.
func (s *Service) Activate(ctx context.Context, link, email, password string) error {
	token, err := api.ActivationToken(link)
	if err != nil {
		return err
	}
	p, err := s.portal()
	if err != nil {
		return err
	}
	if err := p.Activate(ctx, token, password); err != nil {
		return err
	}
	_, err = p.SignIn(ctx, email, password)
	return err
}

// SignIn opens a session on the portal; the worker and the screens use it
// until it expires. Sessions live in memory only.
func (s *Service) SignIn(ctx context.Context, email, password string) error {
	p, err := s.portal()
	if err != nil {
		return err
	}
	_, err = p.SignIn(ctx, email, password)
	return err
}
