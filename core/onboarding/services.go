package onboarding

import (
	"context"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/outbox"
)

// Stores are the roles of the store the services are built over, each
// handed only to the services that use it.
type Stores struct {
	Accounts   core.AccountStore
	Structures core.StructureStore
	Workspace  core.WorkspaceStore
	Reform     core.ReformStore
	Outbox     core.Outbox
	Settings   core.SettingsStore
	Firm       core.FirmStore
}

// Config is what the services are built from beside the store;
// cmd/chorus-onboard and onboardctl fill it.
type Config struct {
	// Connect, Secrets, NewChorus and Presets: see ConnectionConfig.
	Connect   func(TargetSpec) Target
	Secrets   func(core.Environment) core.Secrets
	NewChorus func(ChorusConfig) Chorus
	Presets   core.Presets
	// NewOpID returns a fresh idempotency key.
	NewOpID func() string
	// Backoff, Lease and Concurrency tune the worker (SyncConfig).
	Backoff     outbox.Backoff
	Lease       time.Duration
	Concurrency int
	// SpoolDir holds the files of an import's rejected rows until they
	// are saved (the data directory, readable by the user alone); the
	// system's temporary directory when empty.
	SpoolDir string
	// Clock gives the day the reform's bookkeeping counts from (tests fix
	// it); the system's when nil.
	Clock core.Clock
	// ConnectFirm reaches a firm's server (its sign-in and workspace);
	// nil leaves the desktop out of any firm.
	ConnectFirm func(url string) FirmConn
	// DataDir is where the changes a firm did not accept are saved when
	// the desktop leaves it (SpoolDir when empty).
	DataDir string
	// DeviceName names this computer in the firm's history.
	DeviceName string
}

// Services are the application layer's use cases, built together for a
// composition root (the app, onboardctl, tests): each is handed to the
// screens or commands that use it, and to nothing else.
type Services struct {
	Connection  *Connection
	Sync        *Sync
	Accounts    *Accounts
	Structures  *Structures
	Workspace   *Workspace
	Reform      *Reform
	Attachments *Attachments
	People      *People
	Handoff     *Handoff
	// Firm and FirmAdmin are nil when Config.ConnectFirm is.
	Firm      *Firm
	FirmAdmin *FirmAdmin
}

// New loads the settings, connects to the environment they name, and
// builds every service over the store's roles.
func New(ctx context.Context, st Stores, cfg Config) (Services, error) {
	if cfg.NewOpID == nil {
		panic("onboarding: Config.NewOpID is required")
	}
	conn, err := NewConnection(ctx, ConnectionConfig{Store: st.Settings, Presets: cfg.Presets, Connect: cfg.Connect,
		Secrets: cfg.Secrets, NewChorus: cfg.NewChorus})
	if err != nil {
		return Services{}, err
	}
	var firm *Firm
	if cfg.ConnectFirm != nil && st.Firm != nil && cfg.Secrets != nil {
		dir := cfg.DataDir
		if dir == "" {
			dir = cfg.SpoolDir
		}
		firm = NewFirm(FirmConfig{Store: st.Firm, Connect: cfg.ConnectFirm, Secrets: cfg.Secrets(FirmKeyring), NewOpID: cfg.NewOpID,
			Dir: dir, Device: cfg.DeviceName})
	}
	sc := SyncConfig{Backoff: cfg.Backoff, Lease: cfg.Lease, Concurrency: cfg.Concurrency}
	if firm != nil {
		sc.Claim = firm.Claim
	}
	sync := NewSync(SyncStore{Outbox: st.Outbox, Structures: st.Structures, Drafts: st.Workspace}, conn, sc)
	structures := NewStructures(st.Structures, conn, sync)
	return Services{
		Connection:  conn,
		Sync:        sync,
		Accounts:    NewAccounts(st.Accounts, st.Outbox, conn, cfg.NewOpID),
		Structures:  structures,
		Workspace:   NewWorkspace(st.Workspace, structures, conn, cfg.SpoolDir, cfg.Clock),
		Reform:      NewReform(st.Reform, conn, cfg.Clock),
		Attachments: NewAttachments(conn, cfg.NewOpID),
		People:      NewPeople(conn, cfg.NewOpID),
		Handoff:     NewHandoff(st.Structures, conn),
		Firm:        firm,
		FirmAdmin:   firmAdmin(firm),
	}, nil
}

// firmAdmin is the admin's service of f, nil when f is.
func firmAdmin(f *Firm) *FirmAdmin {
	if f == nil {
		return nil
	}
	return NewFirmAdmin(f)
}
