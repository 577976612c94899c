package ui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/chorusonboard/chorus-onboard/core"
)

// failingKeyring answers like a machine without a Secret Service.
type failingKeyring struct{ calls int }

func (f *failingKeyring) Get(context.Context, string) (string, error) { return "", f.err() }
func (f *failingKeyring) Set(context.Context, string, string) error   { f.calls++; return f.err() }
func (f *failingKeyring) Delete(context.Context, string) error        { return f.err() }
func (f *failingKeyring) err() error {
	return &core.E{Kind: core.KindUnavailable, Code: "keyring.unavailable", Op: "set secret"}
}

func TestSecretsNeverOnDiskWithoutKeyring(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	h := newHarness(t, "en")
	kr := &failingKeyring{}
	h.ui.deps.SecretsFor = func(core.Environment) core.Secrets { return kr }
	test.Tap(h.ui.settingsButton)
	s := h.ui.settingsS
	canary := fmt.Sprintf("canary-%x", rand.Uint64()) // made now: in no binary
	s.clientID.SetText("my-app")
	test.Type(s.clientSecret, canary)
	test.Tap(s.save)
	if kr.calls == 0 || s.dialog == nil {
		t.Fatal("no keyring, and the user was not asked")
	}
	s.dialog.(interface{ Confirm() }).Confirm()
	if got, err := h.ui.sessionSecrets.Get(t.Context(), core.SecretPISTEClientSecret); err != nil || got != canary {
		t.Fatalf("session secret %q %v", got, err)
	}
	if s.clientSecret.Text != "" || !strings.Contains(s.message.Text, "this session only") {
		t.Fatalf("after saving: entry %q, message %q", s.clientSecret.Text, s.message.Text)
	}
	if h.app.Preferences().String(prefClientID) != "my-app" {
		t.Error("client ID not saved")
	}
	// Nothing on disk: the store's files and the preferences hold no trace.
	for _, dir := range []string{filepath.Dir(h.store.Path()), tmp} {
		_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && info.Size() < 64<<20 {
				if b, _ := os.ReadFile(p); strings.Contains(string(b), canary) {
					t.Errorf("secret found in %s", p)
				}
			}
			return nil
		})
	}
	for _, k := range []string{prefClientID, prefTechLogin, prefPortalURL} {
		if strings.Contains(h.app.Preferences().String(k), canary) {
			t.Errorf("secret in preference %s", k)
		}
	}
}

func TestEnvironmentSwitch(t *testing.T) {
	h := newHarness(t, "fr")
	test.Tap(h.ui.settingsButton)
	s := h.ui.settingsS
	s.env.SetSelected("Chorus Pro qualification")
	test.Tap(s.save)
	if h.ui.deps.Env != core.EnvQualification || h.ui.deps.Portal != nil || h.ui.envLabel.Text != "Chorus Pro qualification" {
		t.Fatalf("env %s, label %q", h.ui.deps.Env, h.ui.envLabel.Text)
	}
	if !strings.Contains(h.ui.status.Text, "pages du portail") {
		t.Errorf("status %q", h.ui.status.Text)
	}
	h.open() // restart: the choice is kept
	if h.ui.deps.Env != core.EnvQualification {
		t.Fatalf("after restart: %s", h.ui.deps.Env)
	}
	test.Tap(h.ui.settingsButton)
	h.ui.settingsS.env.SetSelected("Bac à sable local")
	test.Tap(h.ui.settingsS.save)
	if h.ui.deps.Portal == nil || !strings.HasPrefix(h.ui.status.Text, "En ligne") {
		t.Fatalf("back to the sandbox: %q", h.ui.status.Text)
	}
	// Theme choice.
	h.ui.settingsS.themeSel.SetSelectedIndex(1)
	if h.app.Preferences().String(prefTheme) != "light" {
		t.Error("theme not saved")
	}
}
