package requests

import (
	"testing"

	"github.com/chorusonboard/chorus-onboard/internal/uitest"
)

func TestMain(m *testing.M) { uitest.Main(m) }

// harness is the requests' screen on the real application layer
// (uitest.Harness).
type harness struct {
	*uitest.Harness
	a *area
}

func newHarness(t testing.TB, lang string) *harness {
	t.Helper()
	h := &harness{}
	h.Harness = uitest.New(t, lang, uitest.Options{}, func(x *uitest.Harness) {
		h.a = register(x.Shell, Deps{Attachments: x.Svc.Attachments, People: x.Svc.People})
	})
	return h
}

// newFakeArea builds the requests' screen on fakes of its services.
func newFakeArea(t *testing.T, lang string, f *uitest.Fakes) *area {
	t.Helper()
	s := uitest.FakeShell(t, lang, f)
	return register(s, Deps{Attachments: f.Attachments, People: f.People})
}
