package wizard

import (
	"regexp"
	"testing"

	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

func TestMain(m *testing.M) { uitest.Main(m) }

// harness is the wizard on the real application layer (uitest.Harness).
type harness struct {
	*uitest.Harness
	a *area
}

func newHarness(t testing.TB, lang string) *harness { return newHarnessWith(t, lang, uitest.Options{}) }

func newHarnessWith(t testing.TB, lang string, opt uitest.Options) *harness {
	t.Helper()
	h := &harness{}
	h.Harness = uitest.New(t, lang, opt, func(x *uitest.Harness) {
		w := Register(x.Shell, Deps{Accounts: x.Svc.Accounts, Attachments: x.Svc.Attachments, Handoff: x.Svc.Handoff,
			Counts: x.Svc.Sync, DeviceName: x.DeviceName})
		h.a = w.a
		w.Start()
		x.Shell.Status().Refresh()
	})
	return h
}

// newFakeArea builds the wizard on fakes of its services, in lang,
// everything run inline.
func newFakeArea(t *testing.T, lang string, f *uitest.Fakes) *area {
	t.Helper()
	s := uitest.FakeShell(t, lang, f)
	w := Register(s, Deps{Accounts: f.Accounts, Attachments: f.Attachments, Handoff: f.Handoff, Counts: f.Sync})
	s.Show(shell.StepHome)
	return w.a
}

// codeInMail finds a six-digit code in a mail.
var codeInMail = regexp.MustCompile(`\b\d{6}\b`)
