// Package ui is Chorus Onboard's desktop interface, written with Fyne. It
// builds screens from the services it is given and never imports a driver,
// fyne/v2/app, the store, the keyring or the HTTP clients: cmd/chorus-onboard
// wires those in, which keeps every screen testable headless with
// fyne.io/fyne/v2/test (a test fences this).
//
// Conventions: a screen is a struct keeping pointers to the widgets a test
// types into or taps; slow work (network, disk) runs through Deps.Async and
// reaches widgets only through fyne.Do; every text comes from core/i18n in
// the user's language.
package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
)

// Preference keys. Preferences hold only navigation state: drafts live in
// the store and secrets in the keyring.
const (
	prefLang      = "lang"
	prefStep      = "wizard.step"
	prefAccountID = "wizard.account_id"
	prefTheme     = "theme"
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
	stepSettings   step = "settings"
	stepSync       step = "sync"
	stepHandoff    step = "handoff"
)

// UI is the main window's content and the state its screens share.
type UI struct {
	app  fyne.App
	win  fyne.Window
	deps Deps
	lang i18n.Lang

	// Wizard state: the account draft as stored, and the current step.
	account  core.AccountRecord
	step     step
	signedIn string // the session's e-mail; sessions live in memory only
	// localPortal is the Local sandbox's portal, kept while another
	// environment is selected.
	localPortal   Portal
	localRegistry Registry
	localSync     func(context.Context) error
	// sessionSecrets holds secrets the user chose to keep for this session
	// only, when no keyring answers.
	sessionSecrets core.MemorySecrets
	settingsButton *widget.Button
	// attachType and attachID open the attachment screen on a structure.
	attachType core.IdentifierType
	attachID   string

	// Widgets that tests drive or read.
	langButton *widget.Button
	envLabel   *widget.Label
	status     *widget.Label
	body       *fyne.Container
	home       *homeScreen
	accountS   *accountScreen
	captchaS   *captchaScreen
	activateS  *activationScreen
	doneS      *doneScreen
	structureS *structureScreen
	attachS    *attachScreen
	signInS    *signInScreen
	settingsS  *settingsScreen
	syncS      *syncScreen
	syncButton *widget.Button
	handoffS   *handoffScreen
}

// New builds the interface in w: the language is the one the user chose
// last time, else the system's; the wizard reopens where the user left it.
func New(a fyne.App, w fyne.Window, deps Deps) *UI {
	if deps.Async == nil {
		deps.Async = func(f func()) { go f() }
	}
	if deps.After == nil {
		deps.After = func(d time.Duration, f func()) func() {
			t := time.AfterFunc(d, func() { fyne.Do(f) })
			return func() { t.Stop() }
		}
	}
	if deps.NewOpID == nil {
		deps.NewOpID = func() string { return fmt.Sprint(time.Now().UnixNano()) }
	}
	if deps.Env == "" {
		deps.Env = core.EnvLocal
	}
	u := &UI{app: a, win: w, deps: deps, lang: initialLang(a), localPortal: deps.Portal, localRegistry: deps.Registry, localSync: deps.SyncNow}
	applyTheme(a)
	u.langButton = widget.NewButton("", u.onToggleLang)
	u.settingsButton = widget.NewButtonWithIcon("", theme.SettingsIcon(), func() { u.show(stepSettings) })
	u.settingsButton.Importance = widget.LowImportance
	u.syncButton = widget.NewButtonWithIcon("", theme.UploadIcon(), func() {
		if u.deps.Env == core.EnvLocal {
			u.show(stepSync)
		} else {
			u.show(stepHandoff)
		}
	})
	u.syncButton.Importance = widget.LowImportance
	u.langButton.Importance = widget.LowImportance
	u.envLabel = widget.NewLabel("")
	u.envLabel.Importance = widget.HighImportance
	u.status = widget.NewLabel("")
	u.status.Truncation = fyne.TextTruncateEllipsis
	u.body = container.NewStack()

	logo := canvas.NewImageFromResource(a.Icon())
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSquareSize(32))
	name := widget.NewLabelWithStyle("Chorus Onboard", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	header := container.NewBorder(nil, nil, container.NewHBox(logo, name), container.NewHBox(u.envLabel, u.langButton, u.settingsButton))
	w.SetContent(container.NewBorder(
		container.NewVBox(header, widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, nil, u.syncButton, u.status)),
		nil, nil, u.body))
	w.Resize(fyne.NewSize(960, 720))
	u.restore()
	if env := core.Environment(a.Preferences().String(prefEnv)); env != "" && env != u.deps.Env {
		u.setEnv(env)
	}
	u.show(u.step)
	u.checkOnline()
	return u
}

// restore reloads the account draft and the step saved last time.
func (u *UI) restore() {
	u.step = step(u.app.Preferences().StringWithFallback(prefStep, string(stepHome)))
	if id := int64(u.app.Preferences().Int(prefAccountID)); id != 0 && u.deps.Store != nil {
		if rec, err := u.deps.Store.Account(context.Background(), id); err == nil {
			u.account = rec
		}
	}
	switch u.step {
	case stepSettings, stepSync, stepHandoff:
		u.step = stepHome
	case stepHome, stepAccount, stepCaptcha, stepActivation:
		if u.step != stepHome && u.step != stepAccount && u.account.Draft.LoginEmail == "" {
			u.step = stepAccount
		}
	default:
		// Later steps need a session, and sessions are not kept on disk.
		u.step = stepSignIn
	}
}

// initialLang returns the saved language, else the system locale's, else
// English.
func initialLang(a fyne.App) i18n.Lang {
	if l, ok := i18n.Parse(a.Preferences().String(prefLang)); ok {
		return l
	}
	l, _ := i18n.Parse(lang.SystemLocale().LanguageString())
	return l
}

// T returns the text of key in the current language.
func (u *UI) T(key string) string { return i18n.T(u.lang, key) }

// Tf formats the text of key.
func (u *UI) Tf(key string, args ...any) string { return fmt.Sprintf(u.T(key), args...) }

// Lang returns the current language.
func (u *UI) Lang() i18n.Lang { return u.lang }

// SetLang switches every text to l and remembers the choice. The current
// screen is rebuilt from its saved state, so nothing typed is lost.
func (u *UI) SetLang(l i18n.Lang) {
	if u.accountS != nil && u.step == stepAccount {
		u.accountS.saveNow()
	}
	u.lang = l
	u.app.Preferences().SetString(prefLang, string(l))
	u.show(u.step)
}

func (u *UI) onToggleLang() {
	if u.lang == i18n.FR {
		u.SetLang(i18n.EN)
	} else {
		u.SetLang(i18n.FR)
	}
}

// show builds the screen of s and remembers it as the step to reopen.
func (u *UI) show(s step) {
	u.step = s
	u.app.Preferences().SetString(prefStep, string(s))
	u.win.SetTitle(u.T("app.name"))
	u.langButton.SetText(u.T("lang.switch"))
	u.refreshSyncButton()
	u.envLabel.SetText(u.T("env." + string(u.deps.Env)))
	var content fyne.CanvasObject
	switch s {
	case stepAccount:
		u.accountS = newAccountScreen(u)
		content = u.accountS.content
	case stepCaptcha:
		u.captchaS = newCaptchaScreen(u)
		content = u.captchaS.content
	case stepActivation:
		u.activateS = newActivationScreen(u)
		content = u.activateS.content
	case stepDone:
		u.doneS = newDoneScreen(u)
		content = u.doneS.content
	case stepStructure:
		u.structureS = newStructureScreen(u, core.StructureDraft{})
		content = u.structureS.content
	case stepAttach:
		u.attachS = newAttachScreen(u, u.attachType, u.attachID)
		u.attachType, u.attachID = "", ""
		content = u.attachS.content
	case stepSignIn:
		u.signInS = newSignInScreen(u)
		content = u.signInS.content
	case stepSettings:
		u.settingsS = newSettingsScreen(u)
		content = u.settingsS.content
	case stepSync:
		u.syncS = newSyncScreen(u)
		content = u.syncS.content
	case stepHandoff:
		u.handoffS = newHandoffScreen(u)
		content = u.handoffS.content
	default:
		u.home = newHomeScreen(u)
		content = u.home.content
	}
	u.body.Objects = []fyne.CanvasObject{content}
	u.body.Refresh()
	if u.status.Text == "" {
		u.setStatus(u.T("status.offline_ready"))
	}
}

// showAttach opens the attachment screen on an identifier.
func (u *UI) showAttach(t core.IdentifierType, identifier string) {
	u.attachType, u.attachID = t, identifier
	u.show(stepAttach)
}

// setEnv switches environment. The Local sandbox talks to the in-process
// portal; Chorus Pro qualification and production have no onboarding API,
// so there the screens keep and validate drafts, and the user finishes on
// the portal's own pages.
func (u *UI) setEnv(env core.Environment) {
	u.deps.Env = env
	if env == core.EnvLocal {
		u.deps.Portal, u.deps.Registry, u.deps.SyncNow = u.localPortal, u.localRegistry, u.localSync
	} else {
		// Nothing prepared for the real portal may reach the sandbox.
		u.deps.Portal, u.deps.Registry, u.deps.SyncNow = nil, nil, nil
	}
	u.envLabel.SetText(u.T("env." + string(env)))
	u.refreshSyncButton()
	// The header and status bar change width: lay the window out again.
	if c := u.win.Content(); c != nil {
		c.Refresh()
	}
	u.checkOnline()
	if env != core.EnvLocal {
		u.setStatus(u.T("env."+string(env)) + " · " + u.T("settings.real_env"))
	}
}

// ShowSyncStatus shows what the background sync worker reports: online or
// not, rows waiting, structures the portal refused. Call it on the UI
// goroutine (fyne.Do).
func (u *UI) ShowSyncStatus(online bool, pending, failed int) {
	line := u.T("status.offline")
	if online {
		line = u.T("status.online") + " · " + u.T("env."+string(u.deps.Env))
	}
	if pending > 0 {
		line += " · " + u.Tf("status.pending", pending)
	}
	if failed > 0 {
		line += " · " + u.Tf("status.failed", failed)
	}
	u.setStatus(line)
}

// refreshSyncButton names the status bar's button after what it opens: the
// sync panel in the sandbox, the hand-off on the real portal.
func (u *UI) refreshSyncButton() {
	if u.deps.Env == core.EnvLocal {
		u.syncButton.SetText(u.T("sync.button"))
	} else {
		u.syncButton.SetText(u.T("handoff.button"))
	}
}

// setStatus shows a line in the status bar.
func (u *UI) setStatus(s string) { u.status.SetText(s) }

// async runs work in the background and then apply on the UI goroutine.
func async[T any](u *UI, work func(context.Context) (T, error), apply func(T, error)) {
	u.deps.Async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
		defer cancel()
		v, err := work(ctx)
		fyne.Do(func() { apply(v, err) })
	})
}

// checkOnline asks the portal whether it answers: online/offline comes from
// reaching it, never from guessing.
func (u *UI) checkOnline() {
	if u.deps.Portal == nil {
		u.setStatus(u.T("status.offline"))
		return
	}
	async(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, u.deps.Portal.Health(ctx) },
		func(_ struct{}, err error) {
			line := u.T("status.online") + " · " + u.T("env."+string(u.deps.Env))
			if err != nil {
				line = u.T("status.offline")
			}
			if u.deps.Store != nil {
				if counts, err := u.deps.Store.CountStructures(context.Background()); err == nil && counts[core.StateQueued] > 0 {
					line += " · " + u.Tf("status.pending", counts[core.StateQueued])
				}
			}
			u.setStatus(line)
		})
}

// errorText turns an error into a sentence in the user's language that says
// what to do next; internal detail stays out of it.
func (u *UI) errorText(err error) string {
	if errors.Is(err, core.ErrUnavailable) {
		return u.T("error.offline")
	}
	code := core.CodeOf(err)
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) {
		code = coded.ErrorCode()
	}
	if code != "" && i18n.Has(u.lang, code) {
		return u.T(code)
	}
	return u.T("error.title")
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

// page lays a screen out: scrollable, padded.
func page(objs ...fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVScroll(container.NewPadded(container.NewVBox(objs...)))
}

// homeScreen presents the six steps of the portal.
type homeScreen struct {
	title   *widget.Label
	steps   []*widget.Label
	start   *widget.Button
	signIn  *widget.Button
	content fyne.CanvasObject
}

func newHomeScreen(u *UI) *homeScreen {
	h := &homeScreen{title: title(u.T("home.title"))}
	list := container.NewVBox()
	for i := range 6 {
		l := paragraph(u.T(fmt.Sprintf("home.step%d", i+1)))
		h.steps = append(h.steps, l)
		list.Add(container.NewBorder(nil, nil, stepBadge(i+1), nil, l))
	}
	h.start = widget.NewButtonWithIcon(u.T("home.start"), theme.NavigateNextIcon(), func() { u.show(stepAccount) })
	h.start.Importance = widget.HighImportance
	h.signIn = widget.NewButtonWithIcon(u.T("signin.title"), theme.LoginIcon(), func() { u.show(stepSignIn) })
	h.content = page(h.title, paragraph(u.T("home.intro")), widget.NewSeparator(), list,
		container.NewHBox(h.start, h.signIn), paragraph(u.T("signin.intro")))
	return h
}

// stepBadge draws a step number in a filled circle, as the portal's guide
// numbers its steps.
func stepBadge(n int) fyne.CanvasObject {
	c := canvas.NewCircle(theme.Color(theme.ColorNamePrimary))
	txt := canvas.NewText(fmt.Sprint(n), theme.Color(theme.ColorNameForegroundOnPrimary))
	txt.TextStyle.Bold = true
	txt.Alignment = fyne.TextAlignCenter
	box := container.NewStack(c, container.NewCenter(txt))
	return container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(28), box))
}
