package ui

import (
	"context"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/registry"
)

// Portal is what the screens need of the onboarding portal. The app wires
// core/portal's client; tests wire it to a chorus-sim on loopback.
type Portal interface {
	Captcha(ctx context.Context) (api.Captcha, error)
	CaptchaCode(ctx context.Context, id, email string) error
	CreateAccount(ctx context.Context, key string, req api.CreateAccount) error
	Activate(ctx context.Context, token, password string) error
	SignIn(ctx context.Context, email, password string) (api.Session, error)
	SearchStructure(ctx context.Context, t core.IdentifierType, identifier string) (api.SearchResult, error)
	CreateStructure(ctx context.Context, key string, d core.StructureDraft) (api.Structure, error)
	RequestAttachment(ctx context.Context, key string, t core.IdentifierType, identifier string) (api.Attachment, error)
	MyAttachments(ctx context.Context) ([]api.Attachment, error)
	PendingAttachments(ctx context.Context) ([]api.Attachment, error)
	DecideAttachment(ctx context.Context, key string, id int64, approve bool) (api.Attachment, error)
	Mailbox(ctx context.Context, to string) ([]api.Mail, error)
	Health(ctx context.Context) error
}

// Registry pre-fills a structure from its SIRET.
type Registry interface {
	Lookup(ctx context.Context, siret string) (registry.Company, error)
}

// Deps are the services the interface is built on. Nil Portal or Registry
// means the app runs with no portal (the screens then work offline).
type Deps struct {
	Store core.Store
	// SecretsFor returns the OS keyring (core/secrets) of an environment;
	// nil means none.
	SecretsFor func(core.Environment) core.Secrets
	Portal     Portal
	Registry   Registry
	// Env is the environment shown in the header.
	Env core.Environment
	// Sandbox enables the in-app mailbox (Local sandbox only).
	Sandbox bool
	// NewOpID returns an idempotency key for a portal request.
	NewOpID func() string
	// SyncNow sends what the outbox holds (core/sync's worker); nil leaves
	// queued work for later.
	SyncNow func(context.Context) error
	// NewChorus builds the Chorus Pro (PISTE) client of the hand-off; nil
	// disables the check.
	NewChorus func(ChorusConfig) Chorus
	// After runs f on the UI goroutine once d has passed, and returns a
	// function that cancels it (debounced draft saves). Tests replace it.
	After func(d time.Duration, f func()) (stop func())
	// Async runs background work: a goroutine in the app; tests run it
	// inline so that they see its effect when the tap returns.
	Async func(func())
}
