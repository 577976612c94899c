package shell_test

import (
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
)

func TestMain(m *testing.M) { uitest.Main(m) }

// TestScreenStatusBar: the bar shows the counts that need a look and the
// rows queued for another environment, each from the services' answers.
func TestScreenStatusBar(t *testing.T) {
	f := uitest.NewFakes()
	f.Sync.ByState = map[core.SyncState]int{core.StateQueued: 2, core.StateFailed: 1, core.StateCreated: 9}
	f.Sync.Pending, f.Sync.Elsewhere = 2, 3
	u := uitest.FakeShell(t, "en", f)
	u.Status().Refresh()
	bars := u.Bars()
	if b := bars.Counts[core.FilterQueued]; !b.Visible() || b.Text != "2 queued" {
		t.Fatalf("queued: %q", b.Text)
	}
	if b := bars.Counts[core.FilterFailed]; !b.Visible() {
		t.Fatal("the failed count is hidden")
	}
	if b := bars.Counts[core.FilterRefused]; b.Visible() {
		t.Fatalf("a refused count with none refused: %q", b.Text)
	}
	if !strings.Contains(bars.Line.Text, "Online") || !strings.Contains(bars.Line.Text, "3") {
		t.Fatalf("line %q", bars.Line.Text)
	}
	f.Conn.HealthErr = &core.E{Kind: core.KindUnavailable, Code: "network.unreachable"}
	u.Status().Refresh()
	if !strings.HasPrefix(bars.Line.Text, "Offline") {
		t.Fatalf("offline: %q", bars.Line.Text)
	}
}

// TestScreenSandboxStarting: while a request waits for the Local sandbox,
// the line says it is starting (not offline), the worker's reports keep
// that word and add what waits; once none waits, the portal is asked
// again and the line says what it answers.
func TestScreenSandboxStarting(t *testing.T) {
	for _, tc := range []struct{ lang, starting, online string }{
		{"en", "Starting the Local sandbox…", "Online"},
		{"fr", "Démarrage du bac à sable local…", "En ligne"},
	} {
		f := uitest.NewFakes()
		u := uitest.FakeShell(t, tc.lang, f)
		line := u.Bars().Line
		u.Status().ShowSandboxStarting(true)
		if got := line.Text; got != tc.starting {
			t.Fatalf("%s: waiting: %q", tc.lang, got)
		}
		u.Status().ShowSync(false, 2)
		if got := line.Text; !strings.HasPrefix(got, tc.starting) || !strings.Contains(got, "2") {
			t.Fatalf("%s: a report while waiting: %q", tc.lang, got)
		}
		u.Status().ShowSandboxStarting(false)
		if got := line.Text; !strings.HasPrefix(got, tc.online) {
			t.Fatalf("%s: started: %q", tc.lang, got)
		}
	}
}
