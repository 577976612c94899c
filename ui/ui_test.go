package ui

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/memsecrets"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// harness is a UI on the real application layer, a real on-disk store and
// a real chorus-sim on loopback, with background work run inline.
type harness struct {
	t        testing.TB
	app      fyne.App
	win      fyne.Window
	ui       *UI
	svc      onboarding.Services
	store    *sqlite.DB
	portal   *portal.Onboarding
	registry *portal.Registry
	sim      *sim.Server
	server   *httptest.Server
	clock    *tickClock
	spool    string // the application layer's spool directory
	pending  func() // debounced work waiting for its timer
	// keyring is every environment's keyring (memory by default).
	keyring core.Secrets
	// chorus answers for the PISTE client, when set.
	chorus func(onboarding.ChorusConfig) onboarding.Chorus
	opt    harnessOptions
	// uiQueue holds what background goroutines hand to the UI goroutine
	// (opt.goroutines); pump runs it on the test's goroutine.
	uiQueue chan func()
}

// TestMain runs the tests with Fyne's renderer cache kept for an hour:
// Capture destroys the renderers of widgets not drawn for a minute (the
// default), and a slow run (-race on a busy machine) would otherwise draw
// some widgets without their layout. Fyne reads FYNE_CACHE when it loads,
// so the tests run again in a child process that has it.
func TestMain(m *testing.M) {
	if os.Getenv("FYNE_CACHE") == "" {
		cmd := exec.Command(os.Args[0], os.Args[1:]...)
		cmd.Env = append(os.Environ(), "FYNE_CACHE=1h")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				os.Exit(exit.ExitCode())
			}
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// onlyEnv names the one test a child process of inOwnProcess runs.
const onlyEnv = "CHORUS_UI_TEST_ONLY"

// inOwnProcess runs the calling test in a child process of its own, in
// parallel with the other tests that do so: Fyne's test app is global, so
// the screens' tests cannot share a process and run at once, but the
// heaviest ones (every screen's golden image, 10,000-row workspaces) need
// not wait for each other. It returns true in the parent, whose test is
// then the child's verdict; the child (and a Windows binary under Wine,
// where processes are dear) gets false and runs the test's body itself.
func inOwnProcess(t *testing.T) bool {
	t.Helper()
	if os.Getenv(onlyEnv) != "" || runtime.GOOS == "windows" {
		return false
	}
	t.Parallel()
	var run []string
	for _, part := range strings.Split(t.Name(), "/") {
		run = append(run, "^"+regexp.QuoteMeta(part)+"$")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run="+strings.Join(run, "/"), "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), onlyEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil:
		t.Errorf("%s in its own process: %v\n%s", t.Name(), err, out)
	case !strings.Contains(string(out), "--- PASS: "+t.Name()):
		t.Errorf("%s in its own process did not run:\n%s", t.Name(), out)
	}
	return true
}

func newHarness(t *testing.T, lang string) *harness {
	t.Helper()
	return newHarnessWith(t, lang, harnessOptions{})
}

// harnessOptions change what a harness is built on.
type harnessOptions struct {
	// wrapAccounts wraps the account drafts' store the application layer
	// uses (a slow one).
	wrapAccounts func(core.AccountStore) core.AccountStore
	// goroutines runs background work on real goroutines; what they hand
	// back to the UI goroutine waits in uiQueue until the test pumps it.
	goroutines bool
	// companies are added to the simulator's registry.
	companies []sim.Company
	// dbPath opens this store instead of a new one.
	dbPath string
	// presets are an admin's defaults and policies.
	presets core.Presets
	// secondFactor has the portal ask for a second factor at sign-in, as
	// chorus-sim does by default (the golden walk-through); the other
	// tests sign in with a password alone.
	secondFactor bool
}

// tickClock is the store's and the screens' clock in tests: it starts on a
// fixed day (in the past, so that outbox rows are due at once) and moves a
// millisecond at each reading, so that times are distinct, ordered and the
// same at every run. The portal's clock (simNow) starts on the same day
// and runs at the real pace: its throttles and expiries need real time.
type tickClock struct {
	mu    sync.Mutex
	t     time.Time
	start time.Time
}

func newTickClock() *tickClock {
	return &tickClock{t: time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC), start: time.Now()}
}

// Now returns the clock's time and moves it on.
func (c *tickClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func (c *tickClock) simNow() time.Time {
	return time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC).Add(time.Since(c.start))
}

func newHarnessWith(t testing.TB, lang string, opt harnessOptions) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	if lang != "" {
		a.Preferences().SetString(prefLang, lang)
	}
	h := &harness{t: t, app: a, keyring: &memsecrets.Store{}, opt: opt, uiQueue: make(chan func(), 64)}
	h.clock = newTickClock()
	dbPath := opt.dbPath
	if dbPath == "" {
		dbPath = filepath.Join(testos.TempDir(t), "onboard.db")
	}
	st, err := sqlite.Open(t.Context(), dbPath, sqlite.WithClock(h.clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.store = st
	// A fixed token source and address: the links and codes the sandbox
	// mails are the same at every run, so screens compare to their goldens.
	srv, err := sim.New(t.Context(), sim.Config{SecondFactorOff: !opt.secondFactor, DataDir: testos.TempDir(t), Sandbox: true, PasswordIterations: 1000, Seed: 1,
		Rand: rand.NewChaCha8([32]byte{'c', 'h', 'o', 'r', 'u', 's'}), Companies: opt.companies,
		// The portal's clock starts on the same day at every run: the
		// dates it gives show the same on every screenshot.
		Now: h.clock.simNow})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	srv.SetBaseURL("http://chorus-sim.test")
	t.Cleanup(func() { hs.Close(); srv.Close() })
	h.sim, h.server, h.portal = srv, hs, portal.NewOnboarding(hs.URL, nil)
	h.registry = portal.NewRegistry(hs.URL+"/registry", hs.URL+"/insee/api-sirene/3.11", nil, nil)
	stores := connect.Stores(st)
	if opt.wrapAccounts != nil {
		stores.Accounts = opt.wrapAccounts(stores.Accounts)
	}
	h.spool = testos.TempDir(t)
	h.svc, err = onboarding.New(t.Context(), stores, onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: h.spool, Presets: opt.presets, Clock: h.clock,
		Connect: func(c onboarding.TargetSpec) onboarding.Target {
			if c.Env == core.EnvLocal {
				return onboarding.Target{Portal: h.portal, Registry: h.registry, Mailbox: true}
			}
			// Tests never reach the internet: the registries are the
			// simulator's unless a test says otherwise.
			if c.Settings.RegistryURL == "" {
				c.Settings.RegistryURL = hs.URL + "/registry"
			}
			if c.Settings.INSEEURL == "" {
				c.Settings.INSEEURL = hs.URL + "/insee/api-sirene/3.11"
			}
			return connect.Targets(connect.Options{Getenv: func(string) string { return "" }})(c)
		},
		Secrets: func(core.Environment) core.Secrets { return h.keyring },
		NewChorus: func(cfg onboarding.ChorusConfig) onboarding.Chorus {
			if h.chorus == nil {
				t.Fatal("no Chorus Pro in this test")
			}
			return h.chorus(cfg)
		}})
	if err != nil {
		t.Fatal(err)
	}
	h.open()
	return h
}

// after records debounced work instead of running it on a timer's
// goroutine; flush runs it, as the timer would have.
func (h *harness) after(_ time.Duration, f func()) func() {
	h.pending = f
	return func() { h.pending = nil }
}

// flush runs the debounced work now.
func (h *harness) flush() {
	if f := h.pending; f != nil {
		h.pending = nil
		f()
	}
}

// open builds the UI as the app does at start (again, for restart tests).
func (h *harness) open() {
	h.win = test.NewTempWindow(h.t, nil)
	inline := func(f func()) { f() }
	deps := Deps{Connection: h.svc.Connection, Sync: h.svc.Sync, Accounts: h.svc.Accounts, Structures: h.svc.Structures,
		Workspace: h.svc.Workspace, Reform: h.svc.Reform, Attachments: h.svc.Attachments, People: h.svc.People, Handoff: h.svc.Handoff,
		Async: inline, Do: inline, After: h.after, Clock: h.clock.Now, DeviceName: "Chorus Onboard (PC-COMPTA-03)"}
	if h.opt.goroutines {
		deps.Async = func(f func()) { go f() }
		deps.Do = func(f func()) { h.uiQueue <- f }
	}
	h.ui = New(h.app, h.win, deps)
}

// pump runs what background work handed to the UI goroutine until done
// reports true, on the test's goroutine (which plays the UI goroutine).
func (h *harness) pump(done func() bool) {
	h.t.Helper()
	for !done() {
		select {
		case f := <-h.uiQueue:
			f()
		case <-h.t.Context().Done():
			h.t.Fatal("gave up waiting for background work")
		}
	}
}

// setEnv switches environment as the settings screen does.
func (h *harness) setEnv(env core.Environment) {
	h.t.Helper()
	set := h.svc.Connection.Settings()
	set.Environment = env
	if err := h.svc.Connection.SaveSettings(h.t.Context(), set); err != nil {
		h.t.Fatal(err)
	}
	h.ui.envChanged()
}

// goOffline stops the portal: every request gets no answer from now on.
func (h *harness) goOffline() { h.server.Close() }

// structureByKey reads a structure back from the store.
func (h *harness) structureByKey(t core.IdentifierType, identifier string) core.StructureRecord {
	h.t.Helper()
	rec, err := coretest.StructureByKey(h.t.Context(), h.store.Structures, t, identifier)
	if err != nil {
		h.t.Fatalf("structure %s %s: %v", t, identifier, err)
	}
	return rec
}

func TestHomeShowsTheSixSteps(t *testing.T) {
	h := newHarness(t, "en")
	u := h.ui
	if got := u.win.Title(); got != "Chorus Onboard - Local sandbox" {
		t.Errorf("title %q", got)
	}
	if got := u.home.title.Text; got != "Create an account and a structure in a few steps" {
		t.Errorf("heading %q", got)
	}
	want := []string{"Create an account", "Personal information", "Validate the captcha", "Activate your account"}
	for i, w := range want {
		if u.home.steps[i].Text != w {
			t.Errorf("step %d = %q, want %q", i+1, u.home.steps[i].Text, w)
		}
	}
	if u.head.env.Text != "Local sandbox" || !strings.HasPrefix(u.bar.line.Text, "Online") {
		t.Errorf("environment %q, status %q", u.head.env.Text, u.bar.line.Text)
	}
}

func TestLanguageSwitch(t *testing.T) {
	h := newHarness(t, "en")
	u := h.ui
	if u.head.lang.Text != "Français" {
		t.Fatalf("switch shows %q, want the other language", u.head.lang.Text)
	}
	test.Tap(u.head.lang)
	if u.text.lang != i18n.FR {
		t.Fatalf("language %s after tap", u.text.lang)
	}
	if got := u.home.steps[1].Text; got != "Informations personnelles" {
		t.Errorf("step 2 in French = %q", got)
	}
	if u.head.env.Text != "Bac à sable local" || u.head.lang.Text != "English" {
		t.Errorf("header %q / %q", u.head.env.Text, u.head.lang.Text)
	}
	if got := u.app.Preferences().String(prefLang); got != "fr" {
		t.Errorf("saved language %q", got)
	}
	test.Tap(u.head.lang)
	if u.home.steps[1].Text != "Personal information" {
		t.Errorf("back to English: %q", u.home.steps[1].Text)
	}
}

func TestSavedLanguageWins(t *testing.T) {
	h := newHarness(t, "fr")
	if h.ui.home.title.Text != "Créer un compte et une structure en quelques étapes" {
		t.Errorf("heading %q", h.ui.home.title.Text)
	}
}

// objects returns every object under root that match accepts, walking
// containers and widgets' renderers as the driver draws them.
func objects(root fyne.CanvasObject, match func(fyne.CanvasObject) bool) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if match(o) {
			out = append(out, o)
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(root)
	return out
}

// tapDialogButton taps the button labelled text on the top dialog, as a
// person does.
func tapDialogButton(t *testing.T, h *harness, text string) {
	t.Helper()
	tapDialogIn(t, h.win, text)
}

// tapDialogIn taps the button of the dialog on top of win that says text.
func tapDialogIn(t *testing.T, win fyne.Window, text string) {
	t.Helper()
	top := win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog to tap %q on", text)
	}
	found := objects(top, func(o fyne.CanvasObject) bool { b, ok := o.(*widget.Button); return ok && b.Text == text })
	if len(found) == 0 {
		t.Fatalf("no %q button on the dialog", text)
	}
	test.Tap(found[0].(*widget.Button))
}

// visibleTexts returns the texts of the labels and canvas texts under
// root, each whole (a wrapped label's text is one entry).
func visibleTexts(root fyne.CanvasObject) []string {
	var out []string
	objects(root, func(o fyne.CanvasObject) bool {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *canvas.Text:
			out = append(out, x.Text)
		}
		return false
	})
	return out
}
