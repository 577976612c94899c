// Package ui is Chorus Onboard's desktop interface, written with Fyne: the
// window (ui/shell) and its areas, each a package of its own, as the model
// Fyne apps cut theirs: ui/wizard (the portal's onboarding steps), ui/
// workspace (the accountant's table, files, the structure form, the sync
// panel), ui/requests (attachment requests and the people of a
// structure), ui/settings; shared widgets are in ui/widgets. New builds
// the shell and registers every area's screens with it; an area sees the
// shell and its own services, never another area's screens.
//
// No package of ui imports a driver, fyne/v2/app, the store, the keyring
// or the HTTP clients: cmd/chorus-onboard wires those in, which keeps
// every screen testable headless with fyne.io/fyne/v2/test (a test fences
// this).
package ui

import (
	"time"

	"fyne.io/fyne/v2"

	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/ui/firm"
	"github.com/chorusonboard/chorus-onboard/ui/requests"
	"github.com/chorusonboard/chorus-onboard/ui/settings"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/wizard"
	"github.com/chorusonboard/chorus-onboard/ui/workspace"
)

// Deps are what the interface is built on: the application layer's
// services, one per use case (each area gets the ones it uses), and how
// work is run.
type Deps struct {
	Connection  *onboarding.Connection
	Sync        *onboarding.Sync
	Accounts    *onboarding.Accounts
	Structures  *onboarding.Structures
	Workspace   *onboarding.Workspace
	Reform      *onboarding.Reform
	Attachments *onboarding.Attachments
	People      *onboarding.People
	Handoff     *onboarding.Handoff
	// Firm and FirmAdmin: the firm's shared workspace; nil when the app
	// runs without one.
	Firm      *onboarding.Firm
	FirmAdmin *onboarding.FirmAdmin
	// After, Async, Do and Clock: see shell.Deps; nil in the app.
	After func(d time.Duration, f func()) (stop func())
	Async func(func())
	Do    func(func())
	Clock func() time.Time
	// DeviceName names this computer in the account's trusted computers
	// (wizard.Deps).
	DeviceName string
	// SystemLang is the operating system's language (i18n.System).
	SystemLang i18n.Lang
}

// UI is the window with every area's screens.
type UI struct {
	shell     *shell.Shell
	wizard    *wizard.Wizard
	workspace *workspace.Workspace
}

// New builds the interface in w and opens the step the user left (the
// wizard reads it back, off the UI goroutine).
func New(a fyne.App, w fyne.Window, deps Deps) *UI {
	s := shell.New(a, w, shell.Deps{Connection: deps.Connection, Counts: deps.Sync, After: deps.After, Async: deps.Async,
		Do: deps.Do, Clock: deps.Clock, SystemLang: deps.SystemLang})
	u := &UI{shell: s}
	u.wizard = wizard.Register(s, wizard.Deps{Accounts: deps.Accounts, Attachments: deps.Attachments, Handoff: deps.Handoff,
		Counts: deps.Sync, DeviceName: deps.DeviceName})
	// An interface holding a nil pointer is not nil: the optional
	// services are handed over only when there are some.
	wd := workspace.Deps{Workspace: deps.Workspace, Structures: deps.Structures, Sync: deps.Sync}
	if deps.Reform != nil {
		wd.Reform = deps.Reform
	}
	if deps.People != nil {
		wd.People = deps.People
	}
	u.workspace = workspace.Register(s, wd)
	requests.Register(s, requests.Deps{Attachments: deps.Attachments, People: deps.People})
	sd := settings.Deps{Connection: deps.Connection, Devices: deps.Accounts}
	if deps.Firm != nil && deps.FirmAdmin != nil {
		sd.Firm = deps.Firm
		firm.Register(s, firm.Deps{Firm: deps.Firm, Members: deps.FirmAdmin, Deleted: deps.FirmAdmin, Effective: deps.Connection.Effective})
	}
	settings.Register(s, sd)
	u.wizard.Start()
	s.Status().Refresh()
	return u
}

// ShowFirm shows where the desktop stands with its firm on the status
// bar, and the workspace's rows again (a colleague's change arrived).
// Call it on the UI goroutine.
func (u *UI) ShowFirm(st onboarding.FirmStatus) {
	u.shell.Status().ShowFirm(firmText(u.shell.Text(), st))
	u.workspace.FirmChanged(st)
}

// firmText is the status bar's words for the firm.
func firmText(tx *shell.Texts, st onboarding.FirmStatus) string {
	l := st.Link
	if l.IsZero() {
		return ""
	}
	state := tx.T("firm.bar.offline")
	switch {
	case st.SignedOut:
		state = tx.T("firm.bar.signed_out")
	case st.Online:
		state = tx.T("firm.bar.online")
	}
	text := l.Name + " · " + state
	if st.Pending > 0 {
		text += " · " + tx.Plural("firm.to_send", st.Pending)
	}
	if st.Conflicts > 0 {
		text += " · " + tx.Plural("firm.conflicts", st.Conflicts)
	}
	return text
}

// Shell returns the window's shell (tests navigate through it).
func (u *UI) Shell() *shell.Shell { return u.shell }

// Status is the window's bottom line, which the background worker and the
// Local sandbox report to. Call its methods on the UI goroutine.
func (u *UI) Status() *shell.Status { return u.shell.Status() }

// SyncResult is what a batch of the background worker did.
type SyncResult = workspace.SyncResult

// NotifyBatch tells the user a batch finished (a system notification) and
// refreshes the sync panel if it is open. Call it on the UI goroutine.
func (u *UI) NotifyBatch(r SyncResult) { u.workspace.NotifyBatch(r) }

// ShowStartupError fills w with why the app cannot start (its data could
// not be opened), in the user's language, with what to do.
func ShowStartupError(a fyne.App, w fyne.Window, err error, dataDir string, system i18n.Lang) {
	shell.ShowStartupError(a, w, err, dataDir, system)
}
