package settings

import (
	"testing"

	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

func TestMain(m *testing.M) { uitest.Main(m) }

// harness is the settings screen on the real application layer
// (uitest.Harness).
type harness struct {
	*uitest.Harness
	a *area
}

func newHarness(t testing.TB, lang string) *harness { return newHarnessWith(t, lang, uitest.Options{}) }

func newHarnessWith(t testing.TB, lang string, opt uitest.Options) *harness {
	t.Helper()
	h := &harness{}
	h.Harness = uitest.New(t, lang, opt, func(x *uitest.Harness) {
		h.a = register(x.Shell, Deps{Connection: x.Svc.Connection, Devices: x.Svc.Accounts})
		x.Shell.Status().Refresh()
	})
	return h
}

// newFakeArea builds the settings screen on fakes of its services.
func newFakeArea(t *testing.T, lang string, f *uitest.Fakes) *area {
	t.Helper()
	s := uitest.FakeShell(t, lang, f)
	a := register(s, Deps{Connection: f.Conn, Devices: f.Accounts})
	s.Show(shell.StepSettings)
	return a
}
