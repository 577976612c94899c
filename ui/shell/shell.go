// Package shell is the window every area of Chorus Onboard's interface
// lives in, and what they share: the header and status bar, the texts in
// the user's language, navigation between steps, dialogs, and background
// work reaching widgets back through fyne.Do. It imports no area: each area
// (ui/wizard, ui/workspace, ui/requests, ui/settings) registers its
// screens with a Shell (ui.New does, for the app) and asks for another
// area's screen only by its Step, with an argument the shell's types name
// (OpenStructure, WorkspaceView, AttachTo).
//
// Conventions: a screen is a struct keeping pointers to the widgets a test
// types into or taps; every call to the application layer runs through
// Async, off the UI goroutine; every text comes from core/i18n in the
// user's language (Texts).
package shell

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// Preference keys. Preferences hold only navigation state and the look:
// drafts and settings live in the store and secrets in the keyring.
const (
	PrefLang = "lang"
	PrefStep = "wizard.step"
)

// Step is one screen of the window.
type Step string

// The screens, by area. The wizard's follow the portal's order.
const (
	StepHome       Step = "home"
	StepAccount    Step = "account"    // steps 1-2
	StepCaptcha    Step = "captcha"    // step 3
	StepActivation Step = "activation" // step 4
	StepDone       Step = "done"       // step 5
	StepStructure  Step = "structure"  // step 6
	StepAttach     Step = "attach"     // a request to be connected to a structure
	StepSignIn     Step = "signin"
	// StepSecondFactor asks for the second factor of a sign-in whose
	// password was right.
	StepSecondFactor Step = "second_factor"
	StepHandoff      Step = "handoff"
	StepSettings     Step = "settings"
	StepSync         Step = "sync"
	// The accountant's workspace and what opens from it.
	StepWorkspace    Step = "workspace"
	StepEditor       Step = "editor"        // the structure form on a stored record
	StepReview       Step = "review"        // the registry's differences after a pre-fill
	StepImportReport Step = "import_report" // what an import did
	StepApprovals    Step = "approvals"     // attachment requests, many at once
	// The firm's shared workspace: joining it, how the desktop stands
	// with it, and its members and deleted clients (the admin's).
	StepFirm        Step = "firm"
	StepFirmMembers Step = "firm_members"
	StepFirmDeleted Step = "firm_deleted"
)

// What one area hands another's screen when it opens it.
type (
	// OpenStructure opens the structure form on a stored record (ID 0: a
	// new one), the cursor in Focus (a field, or FocusFirstError).
	OpenStructure struct {
		ID    int64
		Focus string
	}
	// WorkspaceView opens the workspace with a message, on a row, or on
	// a filter (when Filter is set, the search is cleared).
	WorkspaceView struct {
		Message   string
		CurrentID int64
		Filter    core.StructureFilter
	}
	// AttachTo opens the attachment request on an identifier.
	AttachTo struct {
		Type       core.IdentifierType
		Identifier string
	}
)

// FocusFirstError puts the cursor on a form's first field with an error.
const FocusFirstError = "*"

// Screen builds a step's content; arg is what ShowWith handed over (nil
// for Show). It runs on the UI goroutine.
type Screen func(arg any) fyne.CanvasObject

// Deps is what the shell itself is built on: the connection its header
// and status line show, the counts the status line reads, and how work
// is run (a goroutine and fyne.Do in the app; inline in tests).
type Deps struct {
	Connection Connection
	Counts     Counts
	// After runs f on the UI goroutine once d has passed, and returns a
	// function that cancels it (debounced draft saves). Tests replace it.
	After func(d time.Duration, f func()) (stop func())
	// Async runs background work: a goroutine in the app; tests may run it
	// inline so that they see its effect when the tap returns.
	Async func(func())
	// Do hands a function to the UI goroutine: fyne.Do in the app; a test
	// that runs work on real goroutines pumps these itself.
	Do func(func())
	// Clock, when set, replaces the wall clock and shows times in UTC:
	// tests fix both, so that screens compare to their goldens.
	Clock func() time.Time
	// SystemLang is the language the operating system shows its own
	// interface in (i18n.System): the app's language until the user or an
	// admin chooses one. Empty means English.
	SystemLang i18n.Lang
}

// Connection says where the app sends: the header and the status line.
type Connection interface {
	Target() onboarding.Target
	Health(ctx context.Context) error
	Effective() core.Effective
}

// Counts gives the status line its counts.
type Counts interface {
	Counts(ctx context.Context) (map[core.SyncState]int, int, error)
	PendingElsewhere(ctx context.Context) (int, error)
}

// Shell is the main window and the state every area shares.
type Shell struct {
	app  fyne.App
	win  fyne.Window
	deps Deps
	text *Texts

	step    Step
	screens map[Step]Screen
	leaving map[Step]func()
	shown   map[Step]func()
	session *Session
	tasks   *Tasks
	// Keys are the window's shortcuts and Escape.
	Keys *Keys
	// pageScroll is the current screen's scroller, which follows the
	// keyboard focus.
	pageScroll *container.Scroll
	now        func() time.Time
	head       *header
	bar        *Status
	body       *fyne.Container
	// langChanging hears the screen about to be built again, for a new
	// language or theme (a form keeps what was typed).
	langChanging []func()
}

// WindowSize is the main window's size at start: wide enough for the
// structures table's columns side by side, low enough for a 768-pixel
// laptop screen.
var WindowSize = fyne.NewSize(1120, 720)

// New builds the window's frame in w: header, status line, an empty body
// the areas' screens fill. The language is the one the user chose last
// time, else the admin's or the system's.
func New(a fyne.App, w fyne.Window, deps Deps) *Shell {
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
	s := &Shell{app: a, win: w, deps: deps, text: &Texts{lang: InitialLang(a, eff, deps.SystemLang), loc: time.Local}, now: time.Now,
		screens: map[Step]Screen{}, leaving: map[Step]func(){}, shown: map[Step]func(){}}
	s.Keys = &Keys{s: s, shortcuts: map[string]func(){}}
	if deps.Clock != nil {
		s.now, s.text.loc = deps.Clock, time.UTC
	}
	widgets.ApplyTheme(a)
	s.session = &Session{conn: deps.Connection}
	s.tasks = &Tasks{s: s}
	s.head = newHeader(s, eff.Locked(core.PresetLanguage))
	s.bar = newStatusBar(s)
	s.body = container.NewStack()
	// The bars are opaque: whatever scrolls under them stays hidden, with
	// every painter (the software one used for screenshots replaces nested
	// clips instead of intersecting them).
	//
	// Tab follows the order of the objects: the header, the screen, then
	// the status bar (a border container would list the bars first, and a
	// keyboard user would cross the status bar before reaching the form).
	top := opaque(container.NewVBox(s.head.content, widget.NewSeparator()))
	bottom := opaque(container.NewVBox(widget.NewSeparator(), s.bar.footer))
	w.SetContent(widgets.WithTooltips(w.Canvas(), container.New(layout.NewBorderLayout(top, bottom, nil, nil), top, s.body, bottom)))
	w.Resize(WindowSize)
	s.head.refresh()
	s.bar.set(s.text.T("status.offline_ready"))
	// Escape closes the dialog on top, else goes back a step: with
	// nothing focused through the canvas, with one of our buttons or
	// fields focused through OnEscape (Fyne hands keys to the focused
	// widget only).
	widgets.OnEscape(w.Canvas(), s.Keys.Back)
	// A new theme (text size, contrast) builds the screen again, as a new
	// language does: Fyne sizes a form's hints and colours a few objects
	// when they are made, and the forms' labels go above their fields at
	// large sizes (Page), so a screen left as it was kept small hints.
	last, _ := a.Settings().Theme().(widgets.Theme)
	a.Settings().AddListener(func(st fyne.Settings) {
		s.deps.Do(func() {
			th, ok := st.Theme().(widgets.Theme)
			if !ok || th == last {
				return
			}
			last = th
			rebuild(s)
		})
	})
	w.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			s.Keys.Back()
		}
	})
	// Ctrl+Shift+S: what the status bar's Sync button does.
	s.bar.sync.Tooltip = widgets.ShortcutText(fyne.KeyS, true)
	s.Keys.Shortcut(fyne.KeyS, true, func() {
		if !s.bar.sync.Disabled() && s.bar.sync.OnTapped != nil {
			s.bar.sync.OnTapped()
		}
	})
	return s
}

// opaque puts o on the window's background colour.
func opaque(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(widgets.NewBackground(), o)
}

// Register makes build the screen of step; an area calls it once for each
// of its steps.
func (s *Shell) Register(step Step, build Screen) { s.screens[step] = build }

// OnShown runs f each time step's screen is on the window (a field takes
// the focus only then).
func (s *Shell) OnShown(step Step, f func()) { s.shown[step] = f }

// OnLeave runs f each time the window leaves step for another.
func (s *Shell) OnLeave(step Step, f func()) { s.leaving[step] = f }

// OnLangChanging runs f before the screen is built again for a new
// language or theme (a form keeps what was typed).
func (s *Shell) OnLangChanging(f func()) { s.langChanging = append(s.langChanging, f) }

// Show builds the screen of step and remembers it as the step to reopen.
func (s *Shell) Show(step Step) { s.ShowWith(step, nil) }

// ShowWith builds the screen of step with arg, handed to its Screen.
func (s *Shell) ShowWith(step Step, arg any) {
	if f := s.leaving[s.step]; f != nil && s.step != step {
		f()
	}
	s.step = step
	s.app.Preferences().SetString(PrefStep, string(step))
	s.head.refresh()
	s.pageScroll = nil
	build := s.screens[step]
	if build == nil {
		build = s.screens[StepHome]
	}
	var content fyne.CanvasObject = widget.NewLabel(string(step))
	if build != nil {
		content = build(arg)
	}
	s.body.Objects = []fyne.CanvasObject{content}
	s.body.Refresh()
	s.head.heading = heading(content)
	s.head.setTitle(s.text.T("env." + string(s.deps.Connection.Target().Env)))
	if f := s.shown[step]; f != nil {
		f()
	} else {
		focusFirst(s.win.Canvas(), content)
	}
}

// Step returns the step shown.
func (s *Shell) Step() Step { return s.step }

// App returns the application (preferences, clipboard, notifications).
func (s *Shell) App() fyne.App { return s.app }

// Win returns the main window (dialogs, the canvas's focus).
func (s *Shell) Win() fyne.Window { return s.win }

// Text returns the texts in the user's language.
func (s *Shell) Text() *Texts { return s.text }

// Now returns the clock's time (tests fix it).
func (s *Shell) Now() time.Time { return s.now() }

// After runs f on the UI goroutine once d has passed; stop cancels it.
func (s *Shell) After(d time.Duration, f func()) (stop func()) { return s.deps.After(d, f) }

// Session is who is signed in and where: the environment in effect.
func (s *Shell) Session() *Session { return s.session }

// Status is the window's bottom line.
func (s *Shell) Status() *Status { return s.bar }

// Tasks runs the long actions and the files of the screens.
func (s *Shell) Tasks() *Tasks { return s.tasks }

// EnvChanged follows a change of environment: header, status line and a
// new look at whether the portal answers.
func (s *Shell) EnvChanged() {
	s.head.refresh()
	s.bar.refresh()
}

// SetLang switches every text to l and remembers the choice. The current
// screen is rebuilt from the state in memory, so nothing typed is lost;
// stored refusals are rendered again in l.
func (s *Shell) SetLang(l i18n.Lang) {
	s.text.lang = l
	s.app.Preferences().SetString(PrefLang, string(l))
	rebuild(s)
}

// rebuild builds the current screen again from the state in memory, once
// each screen has kept what was typed (OnLangChanging).
func rebuild(s *Shell) {
	for _, f := range s.langChanging {
		f()
	}
	s.Show(s.step)
}

// PageScroll returns the current screen's scroller (nil when it has
// none).
func (s *Shell) PageScroll() *container.Scroll { return s.pageScroll }

// Page lays a screen out: scrollable, padded; the scroller follows the
// keyboard focus (NewEntry). It scrolls sideways too when something is
// wider than the window: nothing is cut off.
func (s *Shell) Page(objs ...fyne.CanvasObject) fyne.CanvasObject {
	// Each form's inputs are named after their labels, for screen readers.
	var forms []*widget.Form
	for _, o := range objs {
		visit(o, func(o fyne.CanvasObject) bool {
			if f, ok := o.(*widget.Form); ok {
				widgets.NameFields(f)
				forms = append(forms, f)
			}
			return true
		})
	}
	orientForms(forms, s.app.Settings().Theme())
	s.pageScroll = container.NewScroll(container.NewPadded(container.NewVBox(objs...)))
	return s.pageScroll
}

// orientForms puts the labels of forms above their fields when the text
// is large (Settings › Text size, 150 % and more), beside them otherwise:
// at 200 % in a 1,120-pixel window, labels beside fields left the fields
// too narrow and the screen scrolled sideways (WCAG 1.4.10, reflow).
func orientForms(forms []*widget.Form, th fyne.Theme) {
	if widgets.LargeText(th) {
		for _, f := range forms {
			f.Orientation = widget.Vertical
		}
	}
}

// CallTimeout bounds one call of a screen to the application layer:
// longer than one portal request may take (core/portal's DefaultTimeout,
// 30 s), with room for the keyring and the store, so that the portal's own
// timeout speaks first and says what went wrong.
const CallTimeout = 45 * time.Second

// Async runs work off the UI goroutine, then apply on it.
func Async[T any](s *Shell, work func(context.Context) (T, error), apply func(T, error)) {
	do := s.deps.Do
	s.deps.Async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), CallTimeout)
		defer cancel()
		v, err := work(ctx)
		do(func() { apply(v, err) })
	})
}

// Go runs f off the UI goroutine (Deps.Async), without a deadline; f
// hands what it finds back through Do.
func (s *Shell) Go(f func()) { s.deps.Async(f) }

// Do runs f on the UI goroutine.
func (s *Shell) Do(f func()) { s.deps.Do(f) }

// InitialLang returns the admin's locked language, else the saved one,
// else the admin's default, else the system's, else English.
func InitialLang(a fyne.App, eff core.Effective, system i18n.Lang) i18n.Lang {
	preset, ok := i18n.Parse(eff.Language)
	if ok && eff.Locked(core.PresetLanguage) {
		return preset
	}
	if l, ok := i18n.Parse(a.Preferences().String(PrefLang)); ok {
		return l
	}
	if ok {
		return preset
	}
	l, _ := i18n.Parse(string(system))
	return l
}

// ShowStartupError fills w with why the app cannot start (its data could
// not be opened), in the user's language, with what to do; dataDir, when
// known, is where the data is; system is the operating system's language.
func ShowStartupError(a fyne.App, w fyne.Window, err error, dataDir string, system i18n.Lang) {
	l := InitialLang(a, core.Effective{}, system)
	text := i18n.T(l, "startup.failed")
	if core.CodeOf(err) != "" {
		text += "\n\n" + i18n.Error(l, err)
	}
	if dataDir != "" {
		text += "\n\n" + i18n.Format(l, "startup.data_dir", map[string]string{"dir": dataDir})
	}
	w.SetTitle(i18n.T(l, "app.name"))
	w.SetContent(container.NewPadded(container.NewVBox(widgets.Title(i18n.T(l, "error.title")), widgets.Paragraph(text))))
	w.Resize(fyne.NewSize(640, 320))
}

// Bars are the header's and the status bar's widgets, for tests that
// read and tap them as a person does.
type Bars struct {
	Lang, Settings, Workspace, Approvals, Sync *widgets.Button
	Env, Line                                  *widget.Label
	// Counts open the workspace on the states that need a look.
	Counts map[core.StructureFilter]*widgets.Button
}

// Bars returns the header's and the status bar's widgets.
func (s *Shell) Bars() Bars {
	return Bars{Lang: s.head.lang, Settings: s.head.settings, Workspace: s.head.workspace, Approvals: s.head.approvals,
		Sync: s.bar.sync, Env: s.head.env, Line: s.bar.line, Counts: s.bar.counts}
}
