// Package wizard is the portal's onboarding steps as a person goes
// through them: the six steps of the portal's guide (personal information,
// captcha, activation link and password, then a structure or a request to
// be connected to one), signing in with the second factor, and on Chorus
// Pro's own environments the guided hand-off to the portal's pages. The
// structure form itself is the workspace's (ui/workspace): step 6 opens it
// by its step.
package wizard

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/validate"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

// What each screen asks of the application layer, and nothing more. Every
// method that takes a context may block on disk, keyring or network, so
// screens call them through shell.Async, off the UI goroutine.
type (
	// accountFlow saves the draft of steps 1-2 and queues it for creation.
	accountFlow interface {
		SaveAccount(ctx context.Context, id int64, d core.AccountDraft) (core.AccountRecord, error)
		Account(ctx context.Context, id int64) (core.AccountRecord, error)
		QueueAccount(ctx context.Context, id int64) error
	}
	// mailboxReader reads the e-mail the sandbox portal sent
	// (KindUnavailable elsewhere).
	mailboxReader interface {
		Mailbox(ctx context.Context, to string) ([]api.Mail, error)
	}
	// captchaFlow is step 3.
	captchaFlow interface {
		Captcha(ctx context.Context) (api.Captcha, error)
		CaptchaCode(ctx context.Context, challenge, email string) error
		SubmitAccount(ctx context.Context, accountID int64, challenge, answer string) error
		mailboxReader
	}
	// activationFlow is step 4, with "send the link again" (behind a new
	// captcha); the sign-in that follows may ask for a second factor.
	activationFlow interface {
		Activate(ctx context.Context, link, email, password string) (*api.SecondFactorChallenge, error)
		Captcha(ctx context.Context) (api.Captcha, error)
		CaptchaCode(ctx context.Context, challenge, email string) error
		ResendActivation(ctx context.Context, challenge, answer, email string) error
		mailboxReader
	}
	// signInFlow opens a session: the password (with this computer's
	// device token, if trusted), then the second factor when the portal
	// asks for it.
	signInFlow interface {
		StartSignIn(ctx context.Context, email, password string) (*api.SecondFactorChallenge, error)
		Enrol(ctx context.Context, challenge, method string) (api.Enrolment, error)
		FinishSignIn(ctx context.Context, email string, req api.SecondFactor) ([]string, error)
		mailboxReader
	}
	// attachFlow is the attachment request: search a structure, ask to be
	// connected to it.
	attachFlow interface {
		SearchStructure(ctx context.Context, t core.IdentifierType, identifier string) (api.SearchResult, error)
		RequestAttachment(ctx context.Context, t core.IdentifierType, identifier string) (api.Attachment, error)
	}
	// handoffFlow is the guided hand-off to Chorus Pro's own pages.
	handoffFlow interface {
		HandoffCandidates(ctx context.Context) ([]core.StructureRecord, error)
		CheckOnChorus(ctx context.Context, structureID int64) (onboarding.ReadBack, error)
	}
	// Accounts is onboarding.Accounts as the wizard sees it.
	Accounts interface {
		accountFlow
		captchaFlow
		activationFlow
		signInFlow
	}
	// Counts says how many structures the store holds: whoever has some
	// starts on the workspace.
	Counts interface {
		Counts(ctx context.Context) (map[core.SyncState]int, int, error)
	}
)

var (
	_ Accounts    = (*onboarding.Accounts)(nil)
	_ attachFlow  = (*onboarding.Attachments)(nil)
	_ handoffFlow = (*onboarding.Handoff)(nil)
)

// Deps are the services the wizard's screens use.
type Deps struct {
	Accounts    Accounts
	Attachments attachFlow
	Handoff     handoffFlow
	Counts      Counts
	// DeviceName names this computer in the account's trusted computers;
	// empty means onboarding.DeviceName("Chorus Onboard") (the program
	// and the computer's name). Tests fix it for their goldens.
	DeviceName string
}

// prefAccountID remembers whose account the wizard is creating.
const prefAccountID = "wizard.account_id"

// area is the wizard's screens on the shell, and what they share.
type area struct {
	*shell.Shell
	deps Deps
	// account is the account draft as last typed (the saver keeps the
	// store in step with it), with the id of its stored record.
	account core.AccountRecord
	// pending is a sign-in waiting for its second factor; notice is what
	// the next screen says of it (a computer that could not be trusted).
	pending *pendingSignIn
	notice  string

	home      *homeScreen
	accountS  *accountScreen
	captchaS  *captchaScreen
	activateS *activationScreen
	doneS     *doneScreen
	attachS   *attachScreen
	signInS   *signInScreen
	secondS   *secondFactorScreen
	handoffS  *handoffScreen
}

// Wizard is the wizard registered with its shell.
type Wizard struct{ a *area }

// Register builds the wizard's screens on s: home, the account's steps,
// sign-in and the second factor, the attachment request, the hand-off.
func Register(s *shell.Shell, deps Deps) *Wizard {
	a := &area{Shell: s, deps: deps}
	screen := func(step shell.Step, build func(arg any) fyne.CanvasObject) { s.Register(step, build) }
	screen(shell.StepHome, func(any) fyne.CanvasObject { a.home = newHomeScreen(a); return a.home.content })
	screen(shell.StepAccount, func(any) fyne.CanvasObject {
		a.accountS = newAccountScreen(a, deps.Accounts)
		return a.accountS.content
	})
	screen(shell.StepCaptcha, func(any) fyne.CanvasObject {
		if a.account.Draft.LoginEmail == "" {
			a.accountS = newAccountScreen(a, deps.Accounts) // nobody's account: step 1
			return a.accountS.content
		}
		a.captchaS = newCaptchaScreen(a, deps.Accounts)
		return a.captchaS.content
	})
	screen(shell.StepActivation, func(any) fyne.CanvasObject {
		if a.account.Draft.LoginEmail == "" {
			a.accountS = newAccountScreen(a, deps.Accounts)
			return a.accountS.content
		}
		a.activateS = newActivationScreen(a, deps.Accounts)
		return a.activateS.content
	})
	screen(shell.StepDone, func(any) fyne.CanvasObject { a.doneS = newDoneScreen(a); return a.doneS.content })
	screen(shell.StepAttach, func(arg any) fyne.CanvasObject {
		to, _ := arg.(shell.AttachTo)
		a.attachS = newAttachScreen(a, deps.Attachments, to.Type, to.Identifier)
		return a.attachS.content
	})
	screen(shell.StepSignIn, func(any) fyne.CanvasObject { a.signInS = newSignInScreen(a, deps.Accounts); return a.signInS.content })
	screen(shell.StepSecondFactor, func(any) fyne.CanvasObject {
		a.secondS = newSecondFactorScreen(a, deps.Accounts, a.pending)
		return a.secondS.content
	})
	screen(shell.StepHandoff, func(any) fyne.CanvasObject { a.handoffS = newHandoffScreen(a, deps.Handoff); return a.handoffS.content })
	s.OnLangChanging(func() {
		if a.accountS != nil && s.Step() == shell.StepAccount {
			a.accountS.keep()
		}
	})
	return &Wizard{a: a}
}

// Start reopens the step saved last time, with its account draft read
// back from the store first (off the UI goroutine); whoever has
// structures starts on the workspace.
func (w *Wizard) Start() {
	a := w.a
	s := shell.Step(a.App().Preferences().StringWithFallback(shell.PrefStep, string(shell.StepHome)))
	switch s {
	case shell.StepSettings, shell.StepSync, shell.StepHandoff:
		s = shell.StepHome
	case shell.StepHome, shell.StepAccount, shell.StepCaptcha, shell.StepActivation:
	case shell.StepWorkspace, shell.StepEditor, shell.StepReview, shell.StepImportReport:
		s = shell.StepWorkspace
	default:
		// Later steps need a session, and sessions are not kept on disk.
		s = shell.StepSignIn
	}
	id := int64(a.App().Preferences().Int(prefAccountID))
	type start struct {
		account    core.AccountRecord
		structures int
	}
	shell.Async(a.Shell, func(ctx context.Context) (start, error) {
		var st start
		if id != 0 {
			if rec, err := a.deps.Accounts.Account(ctx, id); err == nil {
				st.account = rec
			}
		}
		// One count from the index (no scan of the table): the workspace
		// is the start for whoever has structures.
		if a.deps.Counts != nil {
			if counts, _, err := a.deps.Counts.Counts(ctx); err == nil {
				for _, n := range counts {
					st.structures += n
				}
			}
		}
		return st, nil
	}, func(st start, _ error) {
		a.account = st.account
		switch {
		case s == shell.StepCaptcha || s == shell.StepActivation:
			// An account being created: the wizard where it was.
		case st.structures > 0 || s == shell.StepWorkspace:
			s = shell.StepWorkspace
		}
		if (s == shell.StepCaptcha || s == shell.StepActivation) && a.account.Draft.LoginEmail == "" {
			s = shell.StepAccount
		}
		a.Show(s)
	})
}

// loginEmail is the account's login address as the portal knows it: as
// validated, or as typed when it is not valid yet.
func (u *area) loginEmail() string {
	if e, err := validate.Email(u.account.Draft.LoginEmail); err == nil {
		return e
	}
	return u.account.Draft.LoginEmail
}
