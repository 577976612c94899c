// Package uitest is what the interface's tests share, whatever their
// area: a harness of the real application layer (a real on-disk store, a
// real chorus-sim on loopback) under a headless window and its shell; the
// golden images every screen is compared to, in one directory for every
// area (ui/testdata/screens, which the documentation shows); and the
// helpers that tap, type and read a window as a person does. Each area's
// tests register that area's screens on the harness's shell: this package
// imports no area, so it is imported by theirs.
package uitest

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
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
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/firm"
	"github.com/chorusonboard/chorus-onboard/core/memsecrets"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/simtest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// Main runs a package's tests with Fyne's renderer cache kept for an hour:
// Capture destroys the renderers of widgets not drawn for a minute (the
// default), and a slow run (-race on a busy machine) would otherwise draw
// some widgets without their layout. Fyne reads FYNE_CACHE when it loads,
// so the tests run again in a child process that has it.
func Main(m *testing.M) {
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

// OnlyEnv names the one test a child process of InOwnProcess runs.
const OnlyEnv = "CHORUS_UI_TEST_ONLY"

// InOwnProcess runs the calling test in a child process of its own, in
// parallel with the other tests that do so: Fyne's test app is global, so
// the screens' tests cannot share a process and run at once, but the
// heaviest ones (every screen's golden image, 10,000-row workspaces) need
// not wait for each other. It returns true in the parent, whose test is
// then the child's verdict; the child (and a Windows binary under Wine,
// where processes are dear) gets false and runs the test's body itself.
func InOwnProcess(t *testing.T) bool {
	t.Helper()
	if os.Getenv(OnlyEnv) != "" || runtime.GOOS == "windows" {
		return false
	}
	t.Parallel()
	var run []string
	for _, part := range strings.Split(t.Name(), "/") {
		run = append(run, "^"+regexp.QuoteMeta(part)+"$")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run="+strings.Join(run, "/"), "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), OnlyEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil:
		t.Errorf("%s in its own process: %v\n%s", t.Name(), err, out)
	case !strings.Contains(string(out), "--- PASS: "+t.Name()):
		t.Errorf("%s in its own process did not run:\n%s", t.Name(), out)
	}
	return true
}

// InEachLanguage runs f in French and in English, as subtests fr and en,
// each in a process of its own (InOwnProcess): a golden walk-through
// draws every screen of an area in both.
func InEachLanguage(t *testing.T, f func(t *testing.T, lang string)) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			if InOwnProcess(t) {
				return
			}
			f(t, lang)
		})
	}
}

// Options change what a harness is built on.
type Options struct {
	// WrapAccounts wraps the account drafts' store the application layer
	// uses (a slow one).
	WrapAccounts func(core.AccountStore) core.AccountStore
	// Goroutines runs background work on real goroutines; what they hand
	// back to the UI goroutine waits until the test pumps it (Pump).
	Goroutines bool
	// Companies are added to the simulator's registry.
	Companies []sim.Company
	// DBPath opens this store instead of a new one.
	DBPath string
	// Presets are an admin's defaults and policies.
	Presets core.Presets
	// SecondFactor has the portal ask for a second factor at sign-in, as
	// chorus-sim does by default (the golden walk-throughs); the other
	// tests sign in with a password alone.
	SecondFactor bool
	// OwnShell leaves the shell to register, which builds the window's
	// whole interface (ui.New) and sets Harness.Shell.
	OwnShell bool
	// Firm gives the application layer the firm's shared workspace, on
	// the harness's chorus-sim (FirmOps creates the firms).
	Firm bool
}

// Harness is a window on the real application layer, a real on-disk store
// and a real chorus-sim on loopback, with background work run inline
// (unless Options.Goroutines).
type Harness struct {
	T        testing.TB
	App      fyne.App
	Win      fyne.Window
	Shell    *shell.Shell
	Svc      onboarding.Services
	Store    *sqlite.DB
	Portal   *portal.Onboarding
	Registry *portal.Registry
	Sim      *sim.Server
	Server   *httptest.Server
	Clock    *TickClock
	// Spool is the application layer's spool directory.
	Spool string
	// Keyring is every environment's keyring (memory by default).
	Keyring core.Secrets
	// Chorus answers for the PISTE client, when set.
	Chorus func(onboarding.ChorusConfig) onboarding.Chorus
	// DeviceName names this computer in the screenshots.
	DeviceName string
	// FirmOps is the operator's handle on the sim's firms (Options.Firm).
	FirmOps *firm.Server

	opt      Options
	pending  func() // debounced work waiting for its timer
	uiQueue  chan func()
	register func(*Harness)
}

// TickClock is the store's and the screens' clock in tests: it starts on a
// fixed day (in the past, so that outbox rows are due at once) and moves a
// millisecond at each reading, so that times are distinct, ordered and the
// same at every run. The portal's clock (SimNow) starts on the same day
// and runs at the real pace: its throttles and expiries need real time.
type TickClock struct {
	mu    sync.Mutex
	t     time.Time
	start time.Time
}

// NewTickClock returns a clock on 30 November 2026, 09:30 UTC.
func NewTickClock() *TickClock {
	return &TickClock{t: time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC), start: time.Now()}
}

// Now returns the clock's time and moves it on.
func (c *TickClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// SimNow is the portal's clock: the same day, at the real pace.
func (c *TickClock) SimNow() time.Time {
	return time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC).Add(time.Since(c.start))
}

// New builds a harness in lang ("" for the system's) and opens its window,
// where register puts an area's screens (again at each Open).
func New(t testing.TB, lang string, opt Options, register func(*Harness)) *Harness {
	t.Helper()
	a := test.NewTempApp(t)
	if lang != "" {
		a.Preferences().SetString(shell.PrefLang, lang)
	}
	h := &Harness{T: t, App: a, Keyring: &memsecrets.Store{}, opt: opt, uiQueue: make(chan func(), 64), register: register,
		DeviceName: "Chorus Onboard (PC-COMPTA-03)"}
	h.Clock = NewTickClock()
	dbPath := opt.DBPath
	if dbPath == "" {
		dbPath = filepath.Join(testos.TempDir(t), "onboard.db")
	}
	st, err := sqlite.Open(t.Context(), dbPath, sqlite.WithClock(h.Clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.Store = st
	// A fixed token source and address: the links and codes the sandbox
	// mails are the same at every run, so screens compare to their goldens.
	simDir := testos.TempDir(t)
	srv, err := sim.New(t.Context(), sim.Config{SecondFactorOff: !opt.SecondFactor, DataDir: simDir, Sandbox: true,
		PasswordIterations: 1000, Seed: 1, Rand: rand.NewChaCha8([32]byte{'c', 'h', 'o', 'r', 'u', 's'}), Companies: opt.Companies,
		// The portal's clock starts on the same day at every run: the
		// dates it gives show the same on every screenshot.
		Now: h.Clock.SimNow})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	srv.SetBaseURL("http://chorus-sim.test")
	t.Cleanup(func() { hs.Close(); srv.Close() })
	h.Sim, h.Server, h.Portal = srv, hs, portal.NewOnboarding(hs.URL, nil)
	h.Registry = portal.NewRegistry(hs.URL+"/registry", hs.URL+"/insee/api-sirene/3.11", nil, nil)
	stores := connect.Stores(st)
	if opt.WrapAccounts != nil {
		stores.Accounts = opt.WrapAccounts(stores.Accounts)
	}
	h.Spool = testos.TempDir(t)
	var connectFirm func(string) onboarding.FirmConn
	if opt.Firm {
		connectFirm = h.connectFirm
		h.FirmOps = srv.Firm()
	}
	h.Svc, err = onboarding.New(t.Context(), stores, onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: h.Spool, Presets: opt.Presets,
		Clock: h.Clock, ConnectFirm: connectFirm, DataDir: h.Spool, DeviceName: h.DeviceName,
		Connect: func(c onboarding.TargetSpec) onboarding.Target {
			if c.Env == core.EnvLocal {
				return connect.On(onboarding.Target{Registry: h.Registry, Mailbox: true}, h.Portal)
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
		Secrets: func(core.Environment) core.Secrets { return h.Keyring },
		NewChorus: func(cfg onboarding.ChorusConfig) onboarding.Chorus {
			if h.Chorus == nil {
				t.Fatal("no Chorus Pro in this test")
			}
			return h.Chorus(cfg)
		}})
	if err != nil {
		t.Fatal(err)
	}
	h.Open()
	return h
}

// FirmURL is the firm's server as the screens show it; the harness
// reaches its chorus-sim there (the real address changes at every run,
// the screenshots must not).
const FirmURL = "https://onboarding.cabinet-martin.example"

// connectFirm reaches the harness's chorus-sim for FirmURL.
func (h *Harness) connectFirm(url string) onboarding.FirmConn {
	if url == FirmURL {
		url = h.Server.URL
	}
	return connect.Firm(connect.Options{Getenv: func(string) string { return "" }})(url)
}

// Desk is a colleague's desktop: the application layer on a store of its
// own, on the harness's firm server.
func (h *Harness) Desk(email string) onboarding.Services {
	t := h.T
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(testos.TempDir(t), "onboard.db"), sqlite.WithClock(h.Clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keyring := &memsecrets.Store{}
	dir := testos.TempDir(t)
	svc, err := onboarding.New(t.Context(), connect.Stores(st), onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: dir, DataDir: dir,
		Connect:     func(onboarding.TargetSpec) onboarding.Target { return onboarding.Target{} },
		Secrets:     func(core.Environment) core.Secrets { return keyring },
		ConnectFirm: h.connectFirm, DeviceName: "PC-" + strings.ToUpper(strings.Split(email, "@")[0])})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// JoinFirm signs svc in on the firm's server as email (an account of the
// sim, password Password) and joins its firm.
func (h *Harness) JoinFirm(svc onboarding.Services, email string) {
	t := h.T
	t.Helper()
	if _, err := svc.Firm.SignIn(t.Context(), FirmURL, email, Password); err != nil {
		t.Fatalf("%s signs in to the firm: %v", email, err)
	}
	if _, err := svc.Firm.Join(t.Context(), true, nil); err != nil {
		t.Fatalf("%s joins the firm: %v", email, err)
	}
}

// Password is the password of the accounts the harnesses seed.
const Password = "Tr0ub4dor&3x-Lune"

// ShellDeps is how the harness runs a shell: inline, or on goroutines
// pumped by the test, with the harness's clock and debounce.
func (h *Harness) ShellDeps(conn shell.Connection, counts shell.Counts) shell.Deps {
	inline := func(f func()) { f() }
	deps := shell.Deps{Connection: conn, Counts: counts, Async: inline, Do: inline, After: h.after, Clock: h.Clock.Now}
	if h.opt.Goroutines {
		deps.Async = func(f func()) { go f() }
		deps.Do = func(f func()) { h.uiQueue <- f }
	}
	return deps
}

// Open builds the window as the app does at start (again, for restart
// tests): a new window, its shell, and the area's screens.
func (h *Harness) Open() {
	h.Win = test.NewTempWindow(h.T, nil)
	h.Shell = nil
	if !h.opt.OwnShell {
		h.Shell = shell.New(h.App, h.Win, h.ShellDeps(h.Svc.Connection, h.Svc.Sync))
	}
	if h.register != nil {
		h.register(h)
	}
}

// after records debounced work instead of running it on a timer's
// goroutine; Flush runs it, as the timer would have.
func (h *Harness) after(_ time.Duration, f func()) func() {
	h.pending = f
	return func() { h.pending = nil }
}

// Flush runs the debounced work now.
func (h *Harness) Flush() {
	if f := h.pending; f != nil {
		h.pending = nil
		f()
	}
}

// Pump runs what background work handed to the UI goroutine until done
// reports true, on the test's goroutine (which plays the UI goroutine).
func (h *Harness) Pump(done func() bool) {
	h.T.Helper()
	for !done() {
		select {
		case f := <-h.uiQueue:
			f()
		case <-h.T.Context().Done():
			h.T.Fatal("gave up waiting for background work")
		}
	}
}

// SetEnv switches environment as the settings screen does.
func (h *Harness) SetEnv(env core.Environment) {
	h.T.Helper()
	set := h.Svc.Connection.Settings()
	set.Environment = env
	if err := h.Svc.Connection.SaveSettings(h.T.Context(), set); err != nil {
		h.T.Fatal(err)
	}
	h.Shell.EnvChanged()
}

// GoOffline stops the portal: every request gets no answer from now on.
func (h *Harness) GoOffline() { h.Server.Close() }

// StructureByKey reads a structure back from the store.
func (h *Harness) StructureByKey(t core.IdentifierType, identifier string) core.StructureRecord {
	h.T.Helper()
	rec, err := coretest.StructureByKey(h.T.Context(), h.Store.Structures, t, identifier)
	if err != nil {
		h.T.Fatalf("structure %s %s: %v", t, identifier, err)
	}
	return rec
}

// SignIn signs the application layer in as email (the screens' session
// too), with a password alone: the harness's portal asks for no second
// factor unless Options.SecondFactor.
func (h *Harness) SignIn(email, password string) {
	h.T.Helper()
	if err := h.Svc.Accounts.SignIn(h.T.Context(), email, password); err != nil {
		h.T.Fatalf("sign in %s: %v", email, err)
	}
	h.Shell.Session().SetSignedIn(email)
}

// CloseDialogs closes every dialog of the window.
func (h *Harness) CloseDialogs() { CloseDialogs(h.Win) }

// CloseDialogs closes every dialog of w.
func CloseDialogs(w fyne.Window) {
	for w.Canvas().Overlays().Top() != nil {
		w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	}
}

// ---- reading and tapping a window as a person does

// Objects returns every object under root that match accepts, walking
// containers and widgets' renderers as the driver draws them.
func Objects(root fyne.CanvasObject, match func(fyne.CanvasObject) bool) []fyne.CanvasObject {
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

// TapDialogIn taps the button of the dialog on top of win that says text.
func TapDialogIn(t testing.TB, win fyne.Window, text string) {
	t.Helper()
	top := win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog to tap %q on", text)
	}
	found := Objects(top, func(o fyne.CanvasObject) bool { b, ok := widgets.AsButton(o); return ok && b.Text == text })
	if len(found) == 0 {
		t.Fatalf("no %q button on the dialog", text)
	}
	b, _ := widgets.AsButton(found[0])
	test.Tap(b)
}

// VisibleTexts returns the texts of the labels and canvas texts under
// root, each whole (a wrapped label's text is one entry).
func VisibleTexts(root fyne.CanvasObject) []string {
	var out []string
	Objects(root, func(o fyne.CanvasObject) bool {
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

// ContainsText reports whether a label under o shows text.
func ContainsText(o fyne.CanvasObject, text string) bool {
	switch w := o.(type) {
	case *widget.Label:
		return strings.Contains(w.Text, text)
	case *fyne.Container:
		for _, c := range w.Objects {
			if ContainsText(c, text) {
				return true
			}
		}
	case *container.Scroll:
		return ContainsText(w.Content, text)
	case fyne.Widget:
		r := test.WidgetRenderer(w)
		for _, c := range r.Objects() {
			if ContainsText(c, text) {
				return true
			}
		}
	}
	return false
}

// Tapped taps b as a user does: only if it shows and is enabled.
func Tapped(t testing.TB, b interface {
	fyne.Tappable
	fyne.Disableable
	fyne.CanvasObject
}) {
	t.Helper()
	if !b.Visible() || b.Disabled() {
		t.Fatalf("%T is hidden or disabled", b)
	}
	test.Tap(b)
}

// Contains reports whether log holds s.
func Contains(log []string, s string) bool {
	for _, l := range log {
		if l == s {
			return true
		}
	}
	return false
}

// Count counts s in log.
func Count(log []string, s string) int {
	n := 0
	for _, l := range log {
		if l == s {
			n++
		}
	}
	return n
}

// Calls records what a fake was asked, in order.
type Calls struct {
	mu  sync.Mutex
	log []string
}

// Add records one call.
func (c *Calls) Add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = append(c.log, s)
}

// Got returns the calls so far.
func (c *Calls) Got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.log...)
}

// ---- golden images

// GoldenDir holds the golden image of every screen of every area, in both
// languages: the documentation shows them.
func GoldenDir() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", "ui", "testdata", "screens")
}

// Shots compares a window's screens with their goldens, or writes them:
// CHORUS_UPDATE_GOLDENS=1 (make goldens) writes the images as the new
// goldens instead, and fails for each one it changed, so that the mode can
// never pass for a comparison; CI refuses the mode (CI set).
// CHORUS_SCREENSHOTS=DIR (make screenshots) also writes them to DIR.
type Shots struct {
	t      *testing.T
	win    fyne.Window
	lang   string
	update bool
	docs   string
}

// NewShots returns the shots of win in lang.
func NewShots(t *testing.T, win fyne.Window, lang string) *Shots {
	update := os.Getenv("CHORUS_UPDATE_GOLDENS") != ""
	if update && os.Getenv("CI") != "" {
		t.Fatal("CHORUS_UPDATE_GOLDENS is set in CI: there the goldens are compared, never written")
	}
	return &Shots{t: t, win: win, lang: lang, update: update, docs: os.Getenv("CHORUS_SCREENSHOTS")}
}

// On moves the shots to another window.
func (s *Shots) On(win fyne.Window) { s.win = win }

// Shot captures the window as lang-name.png and compares it with its
// golden, pixel for pixel; a mismatch leaves the image drawn in
// ui/testdata/failed/screens to look at.
func (s *Shots) Shot(name string) {
	t := s.t
	t.Helper()
	// Every screen with a golden image is also checked by keyboard
	// (issue 33): Tab in reading order, each widget with a label.
	defer CheckKeyboard(t, s.win, s.lang+"/"+name)
	img := s.win.Canvas().Capture()
	file := s.lang + "-" + name + ".png"
	if s.docs != "" {
		WritePNG(t, filepath.Join(s.docs, file), img)
	}
	path := filepath.Join(GoldenDir(), file)
	var now bytes.Buffer
	if err := png.Encode(&now, img); err != nil {
		t.Fatal(err)
	}
	if s.update {
		if was, err := os.ReadFile(path); err == nil && bytes.Equal(was, now.Bytes()) {
			return
		}
		WritePNG(t, path, img)
		t.Errorf("%s written anew: look at it, then run the test without CHORUS_UPDATE_GOLDENS", path)
		return
	}
	was, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s: no golden image (make goldens writes it): %v", file, err)
		return
	}
	want, err := png.Decode(bytes.NewReader(was))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if diff := imageDiff(want, img); diff != "" {
		failed := filepath.Join(GoldenDir(), "..", "failed", "screens", file)
		WritePNG(t, failed, img)
		t.Errorf("%s does not match its golden image (%s): the image drawn is %s", file, diff, failed)
	}
}

// imageDiff says how two images differ ("" when they do not), pixel for
// pixel, as Fyne's test.AssertImageMatches compares them.
func imageDiff(a, b image.Image) string {
	if a.Bounds().Size() != b.Bounds().Size() {
		return fmt.Sprintf("size %v, drawn %v", a.Bounds().Size(), b.Bounds().Size())
	}
	pa, pb := nrgba(a), nrgba(b)
	if bytes.Equal(pa.Pix, pb.Pix) {
		return ""
	}
	n := 0
	for i := 0; i+3 < len(pa.Pix); i += 4 {
		if !bytes.Equal(pa.Pix[i:i+4], pb.Pix[i:i+4]) {
			n++
		}
	}
	return fmt.Sprintf("%d pixels differ", n)
}

// nrgba draws img as non-premultiplied RGBA from (0, 0).
func nrgba(img image.Image) *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

// WritePNG writes img to path, making its directory.
func WritePNG(t testing.TB, path string, img image.Image) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// FixedCaptcha is a stand-in for the portal's random challenge: dots
// and curves drawn from a fixed seed, so a screen's golden image holds.
func FixedCaptcha() image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, api.CaptchaWidth, api.CaptchaHeight))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	r := rand.New(rand.NewPCG(3, 5))
	for range 900 {
		img.Set(r.IntN(api.CaptchaWidth), r.IntN(api.CaptchaHeight), color.NRGBA{uint8(r.IntN(200)), uint8(r.IntN(200)), uint8(r.IntN(200)), 255})
	}
	for x := range api.CaptchaWidth {
		img.Set(x, 40+(x%40-20)/2, color.NRGBA{120, 40, 160, 255})
	}
	return img
}

// TinyPNG is a captcha image whose content does not matter (a fake's).
func TinyPNG() []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 24, 8)))
	return b.Bytes()
}

// TOTPAt is the authenticator app's code for secret at t.
func TOTPAt(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	code, err := simtest.Code(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// Pending reports whether debounced work waits for its timer.
func (h *Harness) Pending() bool { return h.pending != nil }
