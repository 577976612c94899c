// Package ui is Chorus Onboard's desktop interface, written with Fyne. It
// builds screens on the application layer it is given (core/onboarding,
// through the narrow interfaces of services.go) and never imports a driver,
// fyne/v2/app, the store, the keyring or the HTTP clients: cmd/chorus-onboard
// wires those in, which keeps every screen testable headless with
// fyne.io/fyne/v2/test (a test fences this).
//
// The files say the screens' areas: window.go (the window, navigation),
// bars.go (header and status bar), texts.go (what is written in the user's
// language); wizard_*.go (the portal's six steps), workspace*.go (the
// accountant's table, bulk actions, files in and out, the registry's
// review), requests_*.go (attachment requests and approvals), sync_*.go
// (the sync panel and the hand-off to Chorus Pro), settings.go; shared
// widgets are in ui/widgets, which knows nothing of the screens.
//
// Conventions: a screen is a struct keeping pointers to the widgets a test
// types into or taps; every call to the application layer runs through
// async, off the UI goroutine, and reaches widgets back through Deps.Do
// (fyne.Do); every text comes from core/i18n in the user's language.
package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/validate"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// Preference keys. Preferences hold only navigation state and the look:
// drafts and settings live in the store and secrets in the keyring.
const (
	prefLang      = "lang"
	prefStep      = "wizard.step"
	prefAccountID = "wizard.account_id"
)

// step is one screen of the wizard.
type step string

// The wizard's screens, in the portal's order.
const (
	stepHome       step = "home"
	stepAccount    step = "account"    // steps 1-2
	stepCaptcha    step = "captcha"    // step 3
	stepActivation step = "activation" // step 4
	stepDone       step = "done"       // step 5
	stepStructure  step = "structure"  // step 6
	stepAttach     step = "attach"     // attachment requests and approvals
	stepSignIn     step = "signin"
	// stepSecondFactor asks for the second factor of a sign-in whose
	// password was right (UI.pending).
	stepSecondFactor step = "second_factor"
	stepSettings     step = "settings"
	stepSync         step = "sync"
	stepHandoff      step = "handoff"
	// The accountant's workspace and what opens from it.
	stepWorkspace    step = "workspace"
	stepEditor       step = "editor"        // the structure form on a stored record
	stepReview       step = "review"        // the registry's differences after a pre-fill
	stepImportReport step = "import_report" // what an import did
	stepApprovals    step = "approvals"     // attachment requests, many at once
)

// UI is the main window's content and the state its screens share.
type UI struct {
	app  fyne.App
	win  fyne.Window
	deps Deps
	// text writes in the user's language; setLang changes it.
	text *texts

	// account is the account draft as last typed (the saver keeps the
	// store in step with it), with the id of its stored record.
	account core.AccountRecord
	step    step
	// signedIn is the session's e-mail; sessions live in memory only.
	signedIn string
	// pending is a sign-in waiting for its second factor; notice is what
	// the next screen says of it (a computer that could not be trusted).
	pending *pendingSignIn
	notice  string
	// attachType and attachID open the attachment screen on a structure.
	attachType core.IdentifierType
	attachID   string
	// pageScroll is the current screen's scroller, which follows the
	// keyboard focus.
	pageScroll *container.Scroll
	// workspace is what the workspace shows (filter, sort, row), kept
	// while the user is on a form.
	workspace workspaceView
	// editing is the record the structure form is open on (stepEditor).
	editing *structureEdit
	// review is the last pre-fill's result, for its review screen.
	review *onboarding.PrefillResult
	// files imports, exports and keeps the last import's report.
	files *files
	// now is the clock (tests fix it, and the zone in text, so screens
	// compare to their goldens).
	now func() time.Time
	// head and bar are the window's top and bottom lines.
	head *header
	bar  *statusBar

	body       *fyne.Container
	home       *homeScreen
	accountS   *accountScreen
	captchaS   *captchaScreen
	activateS  *activationScreen
	doneS      *doneScreen
	structureS *structureScreen
	attachS    *attachScreen
	signInS    *signInScreen
	secondS    *secondFactorScreen
	settingsS  *settingsScreen
	syncS      *syncScreen
	handoffS   *handoffScreen
	workspaceS *workspaceScreen
	reviewS    *reviewScreen
	reportS    *importReportScreen
	approvalsS *approvalsScreen
}

// windowSize is the main window's size at start: wide enough for the
// structures table's columns side by side, low enough for a 768-pixel
// laptop screen.
var windowSize = fyne.NewSize(1120, 720)

// New builds the interface in w: the language is the one the user chose
// last time, else the system's; the wizard reopens where the user left it,
// once the draft it needs is read back (off the UI goroutine).
func New(a fyne.App, w fyne.Window, deps Deps) *UI {
	if deps.Async == nil {
		deps.Async = func(f func()) { go f() }
	}
	if deps.Do == nil {
		deps.Do = fyne.Do
	}
	if deps.After == nil {
		do := deps.Do
		deps.After = func(d time.Duration, f func()) func() {
			t := time.AfterFunc(d, func() { do(f) })
			return func() { t.Stop() }
		}
	}
	eff := deps.Connection.Effective()
	u := &UI{app: a, win: w, deps: deps, text: &texts{lang: initialLang(a, eff, deps.SystemLang), loc: time.Local}, now: time.Now}
	u.files = &files{u: u, frenchSheets: strings.HasPrefix(string(lang.SystemLocale()), "fr")}
	if deps.Clock != nil {
		u.now, u.text.loc = deps.Clock, time.UTC
	}
	widgets.ApplyTheme(a)
	u.head = newHeader(u, eff.Locked(core.PresetLanguage))
	u.bar = newStatusBar(u)
	u.body = container.NewStack()

	// The bars are opaque: whatever scrolls under them stays hidden, with
	// every painter (the software one used for screenshots replaces nested
	// clips instead of intersecting them).
	w.SetContent(container.NewBorder(
		opaque(container.NewVBox(u.head.content, widget.NewSeparator())),
		opaque(container.NewVBox(widget.NewSeparator(), u.bar.footer)),
		nil, nil, u.body))
	w.Resize(windowSize)
	// A CSV file dropped anywhere on the window is imported.
	w.SetOnDropped(u.files.dropped)
	u.head.refresh()
	u.bar.set(u.text.T("status.offline_ready"))
	u.restore()
	u.bar.refresh()
	return u
}

// opaque puts o on the window's background colour.
func opaque(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(widgets.NewBackground(), o)
}

// restore reopens the step saved last time, with its account draft read
// back from the store first.
func (u *UI) restore() {
	s := step(u.app.Preferences().StringWithFallback(prefStep, string(stepHome)))
	switch s {
	case stepSettings, stepSync, stepHandoff:
		s = stepHome
	case stepHome, stepAccount, stepCaptcha, stepActivation:
	case stepWorkspace, stepEditor, stepReview, stepImportReport:
		s = stepWorkspace
	default:
		// Later steps need a session, and sessions are not kept on disk.
		s = stepSignIn
	}
	id := int64(u.app.Preferences().Int(prefAccountID))
	type start struct {
		account    core.AccountRecord
		structures int
	}
	async(u, func(ctx context.Context) (start, error) {
		var st start
		if id != 0 {
			if rec, err := u.deps.Accounts.Account(ctx, id); err == nil {
				st.account = rec
			}
		}
		// One count from the index (no scan of the table): the workspace
		// is the start for whoever has structures.
		if counts, _, err := u.deps.Sync.Counts(ctx); err == nil {
			for _, n := range counts {
				st.structures += n
			}
		}
		return st, nil
	}, func(st start, _ error) {
		u.account = st.account
		switch {
		case s == stepCaptcha || s == stepActivation:
			// An account being created: the wizard where it was.
		case st.structures > 0 || s == stepWorkspace:
			s = stepWorkspace
		}
		u.show(u.needAccount(s))
	})
}

// needAccount sends steps 3 and 4 back to step 1 when no draft says whose
// account it is.
func (u *UI) needAccount(s step) step {
	if (s == stepCaptcha || s == stepActivation) && u.account.Draft.LoginEmail == "" {
		return stepAccount
	}
	return s
}

// loginEmail is the account's login address as the portal knows it: as
// validated, or as typed when it is not valid yet.
func (u *UI) loginEmail() string {
	if e, err := validate.Email(u.account.Draft.LoginEmail); err == nil {
		return e
	}
	return u.account.Draft.LoginEmail
}

// initialLang returns the admin's locked language, else the saved one,
// else the admin's default, else the system's, else English.
func initialLang(a fyne.App, eff core.Effective, system i18n.Lang) i18n.Lang {
	preset, ok := i18n.Parse(eff.Language)
	if ok && eff.Locked(core.PresetLanguage) {
		return preset
	}
	if l, ok := i18n.Parse(a.Preferences().String(prefLang)); ok {
		return l
	}
	if ok {
		return preset
	}
	l, _ := i18n.Parse(string(system))
	return l
}

// setLang switches every text to l and remembers the choice. The current
// screen is rebuilt from the state in memory, so nothing typed is lost;
// stored refusals are rendered again in l.
func (u *UI) setLang(l i18n.Lang) {
	if u.accountS != nil && u.step == stepAccount {
		u.accountS.keep()
	}
	u.text.lang = l
	u.app.Preferences().SetString(prefLang, string(l))
	u.show(u.step)
}

// show builds the screen of s and remembers it as the step to reopen.
func (u *UI) show(s step) {
	if u.step == stepImportReport && s != stepImportReport {
		u.files.closeReport()
	}
	u.step = s
	u.app.Preferences().SetString(prefStep, string(s))
	u.head.refresh()
	u.pageScroll = nil
	var content fyne.CanvasObject
	switch s {
	case stepWorkspace:
		u.workspaceS = newWorkspaceScreen(u, u.deps.Workspace, u.deps.People)
		content = u.workspaceS.content
	case stepEditor:
		if u.editing == nil {
			u.editing = &structureEdit{flow: u.deps.Structures}
		}
		u.structureS = newStructureEditor(u, u.editing)
		content = u.structureS.content
	case stepReview:
		u.reviewS = newReviewScreen(u, u.deps.Workspace, u.review)
		content = u.reviewS.content
	case stepImportReport:
		u.reportS = newImportReportScreen(u, u.files.report, u.files.reportName)
		content = u.reportS.content
	case stepApprovals:
		u.approvalsS = newApprovalsScreen(u, u.deps.Attachments, u.deps.People)
		content = u.approvalsS.content
	case stepAccount:
		u.accountS = newAccountScreen(u, u.deps.Accounts)
		content = u.accountS.content
	case stepCaptcha:
		u.captchaS = newCaptchaScreen(u, u.deps.Accounts)
		content = u.captchaS.content
	case stepActivation:
		u.activateS = newActivationScreen(u, u.deps.Accounts)
		content = u.activateS.content
	case stepDone:
		u.doneS = newDoneScreen(u)
		content = u.doneS.content
	case stepStructure:
		u.structureS = newStructureScreen(u, u.deps.Structures, core.StructureDraft{})
		content = u.structureS.content
	case stepAttach:
		u.attachS = newAttachScreen(u, u.deps.Attachments, u.attachType, u.attachID)
		u.attachType, u.attachID = "", ""
		content = u.attachS.content
	case stepSignIn:
		u.signInS = newSignInScreen(u, u.deps.Accounts)
		content = u.signInS.content
	case stepSecondFactor:
		u.secondS = newSecondFactorScreen(u, u.deps.Accounts, u.pending)
		content = u.secondS.content
	case stepSettings:
		u.settingsS = newSettingsScreen(u, u.deps.Connection, u.deps.Accounts)
		content = u.settingsS.content
	case stepSync:
		u.syncS = newSyncScreen(u, u.deps.Sync)
		content = u.syncS.content
	case stepHandoff:
		u.handoffS = newHandoffScreen(u, u.deps.Handoff)
		content = u.handoffS.content
	default:
		u.home = newHomeScreen(u)
		content = u.home.content
	}
	u.body.Objects = []fyne.CanvasObject{content}
	u.body.Refresh()
	if s == stepEditor {
		// A field takes the focus once it is on the window.
		u.structureS.focusField(u.editing.focus)
	}
}

// openStructure opens the structure form on a stored record (id 0: a new
// one), read off the UI goroutine first; focus names the field for the
// cursor (fixFirst: the first with an error).
func (u *UI) openStructure(id int64, focus string) {
	if id == 0 {
		u.editing = &structureEdit{flow: u.deps.Structures, focus: focus}
		u.show(stepEditor)
		return
	}
	async(u, func(ctx context.Context) (core.StructureRecord, error) { return u.deps.Structures.Structure(ctx, id) },
		func(rec core.StructureRecord, err error) {
			if err != nil {
				u.workspace.message = u.text.errorText(err)
				u.show(stepWorkspace)
				return
			}
			u.editing = &structureEdit{flow: u.deps.Structures, rec: rec, focus: focus}
			u.show(stepEditor)
		})
}

// showFiltered opens the workspace on one filter (the status line's
// counts).
func (u *UI) showFiltered(f core.StructureFilter) {
	u.workspace.query.Filter, u.workspace.query.Text = f, ""
	u.show(stepWorkspace)
}

// showAttach opens the attachment screen on an identifier.
func (u *UI) showAttach(t core.IdentifierType, identifier string) {
	u.attachType, u.attachID = t, identifier
	u.show(stepAttach)
}

// hasPortal reports whether the environment in effect has an onboarding
// API; on Chorus Pro's own environments a person finishes on the portal's
// pages (hand-off).
func (u *UI) hasPortal() bool { return u.deps.Connection.Target().Portal != nil }

// envChanged follows a change of environment: header, status line and a
// new look at whether the portal answers.
func (u *UI) envChanged() {
	u.head.refresh()
	u.bar.refresh()
}

// ShowSyncStatus shows what the background worker reports: online or not,
// and outbox rows waiting. Call it on the UI goroutine.
func (u *UI) ShowSyncStatus(online bool, pending int) { u.bar.show(online, pending) }

// ShowSandboxStarting says whether a request waits for the Local sandbox,
// which the app starts once its window is up (connect.Starting tells).
// Call it on the UI goroutine.
func (u *UI) ShowSandboxStarting(waiting bool) { u.bar.showStarting(waiting) }

// callTimeout bounds one call of a screen to the application layer: longer
// than one portal request may take (core/portal's DefaultTimeout, 30 s),
// with room for the keyring and the store, so that the portal's own
// timeout speaks first and says what went wrong.
const callTimeout = 45 * time.Second

// async runs work off the UI goroutine (Deps.Async), then apply on it
// (Deps.Do).
func async[T any](u *UI, work func(context.Context) (T, error), apply func(T, error)) {
	do := u.deps.Do
	u.deps.Async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		v, err := work(ctx)
		do(func() { apply(v, err) })
	})
}

// title returns a heading label.
func title(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// paragraph returns a wrapped label.
func paragraph(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// page lays a screen out: scrollable, padded; the scroller follows the
// keyboard focus (see followFocus).
func (u *UI) page(objs ...fyne.CanvasObject) fyne.CanvasObject {
	u.pageScroll = container.NewVScroll(container.NewPadded(container.NewVBox(objs...)))
	return u.pageScroll
}

// ShowStartupError fills w with why the app cannot start (its data could
// not be opened), in the user's language, with what to do; dataDir, when
// known, is where the data is; system is the operating system's language.
func ShowStartupError(a fyne.App, w fyne.Window, err error, dataDir string, system i18n.Lang) {
	l := initialLang(a, core.Effective{}, system)
	text := i18n.T(l, "startup.failed")
	if core.CodeOf(err) != "" {
		text += "\n\n" + i18n.Error(l, err)
	}
	if dataDir != "" {
		text += "\n\n" + i18n.Format(l, "startup.data_dir", map[string]string{"dir": dataDir})
	}
	w.SetTitle(i18n.T(l, "app.name"))
	w.SetContent(container.NewPadded(container.NewVBox(title(i18n.T(l, "error.title")), paragraph(text))))
	w.Resize(fyne.NewSize(640, 320))
}
