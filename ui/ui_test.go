package ui

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	coresync "github.com/chorusonboard/chorus-onboard/core/sync"
)

// harness is a UI on a real on-disk store and a real chorus-sim on
// loopback, with background work run inline.
type harness struct {
	t        *testing.T
	app      fyne.App
	win      fyne.Window
	ui       *UI
	store    *sqlite.DB
	portal   *portal.Onboarding
	registry *portal.Registry
	sim      *sim.Server
	pending  func() // debounced work waiting for its timer
}

func newHarness(t *testing.T, lang string) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	if lang != "" {
		a.Preferences().SetString(prefLang, lang)
	}
	h := &harness{t: t, app: a}
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.store = st
	srv, err := sim.New(t.Context(), sim.Config{DataDir: t.TempDir(), Sandbox: true, PasswordIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	srv.SetBaseURL(hs.URL)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	h.sim, h.portal = srv, portal.NewOnboarding(hs.URL, nil)
	h.registry = portal.NewRegistry(hs.URL+"/registry", hs.URL+"/insee/api-sirene/3.11", nil, nil)
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
	w := coresync.New(h.store, h.portal)
	h.ui = New(h.app, h.win, Deps{Store: h.store, Portal: h.portal, Registry: h.registry, Sandbox: true, NewOpID: sqlite.NewOpID,
		Async: func(f func()) { f() }, After: h.after, SyncNow: func(ctx context.Context) error { _, err := w.RunOnce(ctx); return err }})
}

func TestHomeShowsTheSixSteps(t *testing.T) {
	h := newHarness(t, "en")
	u := h.ui
	if got := u.win.Title(); got != "Chorus Onboard" {
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
	if u.envLabel.Text != "Local sandbox" || !strings.HasPrefix(u.status.Text, "Online") {
		t.Errorf("environment %q, status %q", u.envLabel.Text, u.status.Text)
	}
}

func TestLanguageSwitch(t *testing.T) {
	h := newHarness(t, "en")
	u := h.ui
	if u.langButton.Text != "Français" {
		t.Fatalf("switch shows %q, want the other language", u.langButton.Text)
	}
	test.Tap(u.langButton)
	if u.Lang() != i18n.FR {
		t.Fatalf("language %s after tap", u.Lang())
	}
	if got := u.home.steps[1].Text; got != "Informations personnelles" {
		t.Errorf("step 2 in French = %q", got)
	}
	if u.envLabel.Text != "Bac à sable local" || u.langButton.Text != "English" {
		t.Errorf("header %q / %q", u.envLabel.Text, u.langButton.Text)
	}
	if got := u.app.Preferences().String(prefLang); got != "fr" {
		t.Errorf("saved language %q", got)
	}
	test.Tap(u.langButton)
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
