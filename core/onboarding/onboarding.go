// Package onboarding is Chorus Onboard's application layer: the flows the
// desktop app's screens and onboardctl's commands run, each in one place so
// that the GUI and the CLI cannot drift. It is cut into one service per use
// case, each taking only the store roles it uses (as benbjohnson/wtf has one
// service per aggregate): Connection (settings, secrets, the target they
// connect to), Sync (the one outbox worker), Accounts (the wizard's first
// steps and sign-in), Structures (the structure form, and the one place a
// draft is validated before it is kept), Workspace (the table, its bulk
// actions, import and export), Attachments, People (the people of the
// structures the user manages) and Handoff. New builds them
// together for a composition root.
//
// Every method that takes a context may block on disk, keyring or network:
// screens call them off the UI goroutine. Errors are *core.E with a stable
// code to render in the user's language.
package onboarding

import (
	"context"
	"net/http"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/core/registry"
)

// Portal is the onboarding API (core/portal's Onboarding client, talking to
// chorus-sim or a compatible server).
type Portal interface {
	Captcha(ctx context.Context) (api.Captcha, error)
	CaptchaCode(ctx context.Context, id, email string) error
	CreateAccount(ctx context.Context, key string, req api.CreateAccount) error
	ResendActivation(ctx context.Context, key string, req api.ResendActivation) error
	Activate(ctx context.Context, token, password string) error
	SignIn(ctx context.Context, email, password string) (api.Session, error)
	SignInWith(ctx context.Context, req api.SignIn) (api.Session, *api.SecondFactorChallenge, error)
	Enrol(ctx context.Context, challenge, method string) (api.Enrolment, error)
	AnswerSecondFactor(ctx context.Context, req api.SecondFactor) (api.Session, error)
	Devices(ctx context.Context) ([]api.Device, error)
	RevokeDevice(ctx context.Context, id int64) error
	ChangePassword(ctx context.Context, current, next string) error
	SearchStructure(ctx context.Context, t core.IdentifierType, identifier string) (api.SearchResult, error)
	CreateStructure(ctx context.Context, key string, d core.StructureDraft) (api.Structure, error)
	RequestAttachment(ctx context.Context, key string, t core.IdentifierType, identifier string) (api.Attachment, error)
	MyAttachments(ctx context.Context) ([]api.Attachment, error)
	PendingAttachments(ctx context.Context) ([]api.Attachment, error)
	DecideAttachment(ctx context.Context, key string, id int64, approve bool) (api.Attachment, error)
	ModifyStructure(ctx context.Context, structure int64, body api.StructureBody) (api.Structure, error)
	Mailbox(ctx context.Context, to string) ([]api.Mail, error)
	Health(ctx context.Context) error
}

// PeoplePortal is the onboarding API's side of a structure's people
// (core/portal.People): the principal manager and the users with their
// rights, the hand-over of the role, invitations.
type PeoplePortal interface {
	Managed(ctx context.Context) ([]api.Managed, error)
	Members(ctx context.Context, structure int64) ([]api.Member, error)
	SetRights(ctx context.Context, structure, account int64, r api.Rights) ([]api.Member, error)
	Detach(ctx context.Context, key string, structure, account int64) ([]api.Member, error)
	Leave(ctx context.Context, key string, structure int64) error
	OfferHandover(ctx context.Context, key string, structure, account int64) ([]api.Member, error)
	WithdrawHandover(ctx context.Context, structure int64) ([]api.Member, error)
	Handovers(ctx context.Context) ([]api.Handover, error)
	AnswerHandover(ctx context.Context, key string, structure int64, accept bool) error
	Invite(ctx context.Context, key string, structure int64, email string) error
	Invitations(ctx context.Context, structure int64) ([]api.PendingInvitation, error)
	WithdrawInvitation(ctx context.Context, structure int64, email string) ([]api.PendingInvitation, error)
}

// Registry looks a company up by SIRET to pre-fill a structure.
type Registry interface {
	Lookup(ctx context.Context, siret string) (registry.Company, error)
}

// Chorus is the read-only Chorus Pro API on PISTE, for reading a hand-off's
// result back.
type Chorus interface {
	FindStructure(ctx context.Context, t core.IdentifierType, identifier string) (piste.StructureAAfficher, error)
	Consulter(ctx context.Context, id int64, lang string) (piste.WsRetourConsulterStructure, error)
	Rattachements(ctx context.Context) ([]piste.StructureRattachement, error)
}

// ChorusConfig is what a Chorus client is built from; the secrets are read
// at call time, from the keyring or the session.
type ChorusConfig struct {
	OAuthURL, APIURL, ClientID, TechnicalLogin string
	ClientSecret, TechnicalPassword            func(context.Context) (string, error)
	// HTTP is the environment's client (its proxy, its extra
	// certificates); nil for a default one.
	HTTP *http.Client
}

// TargetSpec is what a Target is built from: the environment, the
// settings in effect, and its secrets, each read when a call needs it
// (the keyring, else what the user kept for this session).
type TargetSpec struct {
	Env      core.Environment
	Settings core.Settings
	Secret   func(name string) func(context.Context) (string, error)
}

// Target is what one environment connects to.
type Target struct {
	Env core.Environment
	// Key names where queued changes go (core.Settings.TargetKey): the
	// worker sends only the rows queued for it.
	Key string
	// Portal is the onboarding API; nil where there is none (Chorus Pro's
	// own environments, where a person finishes on the portal's pages).
	Portal Portal
	// People is the same portal's side of a structure's people, signed in
	// as Portal is; nil where Portal is.
	People PeoplePortal
	// Registry pre-fills structures; nil disables look-ups.
	Registry Registry
	// Pages is the portal's address for pages a person opens in a browser
	// (the sandbox's or team portal's directory page); empty on Chorus
	// Pro's own environments, whose pages EnvironmentInfo names.
	Pages string
	// Mailbox is true when the portal lets the app read the e-mails it
	// sends (the Local sandbox), so nobody needs a real mailbox there.
	Mailbox bool
	// HTTP is the client of the environment's outside connections (proxy,
	// extra certificates), for the PISTE client; nil for a default one.
	HTTP *http.Client
	// Err says why the environment could not be set up (its extra
	// certificates cannot be read, the team portal has no address): every
	// call that needs the network returns it.
	Err error
}
