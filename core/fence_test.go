package core_test

import (
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// deps returns every package pkgs depend on, with whether it is in the
// standard library, as the go command resolves them.
func deps(t *testing.T, pkgs ...string) map[string]bool {
	t.Helper()
	if runtime.GOOS == "windows" {
		// The fence is a property of the source, the same on every
		// system: checking it needs the go command, which a Windows test
		// binary run under Wine in CI does not have.
		t.Skip("needs the go command (go list): the import fence is checked on Linux, for every system at once")
	}
	args := append([]string{"list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}"}, pkgs...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	m := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		p, std, _ := strings.Cut(line, " ")
		m[p] = std == "true"
	}
	if len(m) == 0 {
		t.Fatal("go list returned nothing")
	}
	return m
}

const module = "github.com/chorusonboard/chorus-onboard"

// TestCoreImportsOnlyStdlib: the root package is the shared domain; anything
// beyond the standard library would drag a dependency into every binary.
func TestCoreImportsOnlyStdlib(t *testing.T) {
	for p, std := range deps(t, module+"/core") {
		if !std && p != module+"/core" {
			t.Errorf("core depends on %s", p)
		}
	}
}

// TestUIFence: ui gets its services through interfaces and never reaches a
// driver, the app package, storage, keyring or network adapters, so every
// screen tests headless.
func TestUIFence(t *testing.T) {
	forbidden := []string{
		"fyne.io/fyne/v2/app",
		"fyne.io/fyne/v2/internal/driver/glfw",
		"fyne.io/fyne/v2/internal/driver/mobile",
		"github.com/go-gl/",
		"modernc.org/sqlite",
		"database/sql",
		"github.com/zalando/go-keyring",
		module + "/core/sqlite",
		module + "/core/secrets",
		module + "/core/portal",
		module + "/core/sim",
		module + "/cmd/",
	}
	for p := range deps(t, module+"/ui/...") {
		for _, f := range forbidden {
			if p == f || strings.HasPrefix(p, f) {
				t.Errorf("ui depends on %s", p)
			}
		}
	}
}

// TestCoreIgnoresFyne: no core package, root or adapter, may import Fyne.
func TestCoreIgnoresFyne(t *testing.T) {
	for p := range deps(t, module+"/core/...") {
		if strings.HasPrefix(p, "fyne.io/") {
			t.Errorf("a core package depends on %s", p)
		}
	}
}

// TestUIAreasFence: the interface's areas (ui/wizard, ui/workspace,
// ui/requests, ui/settings) meet only through the shell: none imports
// another, and the shell and the shared widgets import no area. Only the
// root package ui, which composes them, sees them all.
func TestUIAreasFence(t *testing.T) {
	areas := []string{"wizard", "workspace", "requests", "settings"}
	for _, pkg := range append(areas, "shell", "widgets") {
		for p := range deps(t, module+"/ui/"+pkg) {
			for _, a := range areas {
				if a != pkg && p == module+"/ui/"+a {
					t.Errorf("ui/%s depends on ui/%s", pkg, a)
				}
			}
			if p == module+"/ui" {
				t.Errorf("ui/%s depends on ui, which composes it", pkg)
			}
		}
	}
}
