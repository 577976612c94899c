package firm

import (
	"testing"

	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

func TestMain(m *testing.M) { uitest.Main(m) }

// harness is the firm's screens on the real application layer and a real
// chorus-sim with its firms (uitest.Harness, Options.Firm).
type harness struct {
	*uitest.Harness
	a *area
}

func newHarness(t testing.TB, lang string) *harness {
	t.Helper()
	h := &harness{}
	h.Harness = uitest.New(t, lang, uitest.Options{Firm: true}, func(x *uitest.Harness) {
		h.a = register(x.Shell, Deps{Firm: x.Svc.Firm, Members: x.Svc.FirmAdmin, Deleted: x.Svc.FirmAdmin, Effective: x.Svc.Connection.Effective})
		x.Shell.Show(shell.StepFirm)
	})
	return h
}
