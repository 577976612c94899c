package wizard

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

// slowStore is an account store whose saves take 200 ms, as a busy disk's
// fsync can, and wait first for the test to open a gate, so the test
// decides when a save is still in flight. It counts saves and the most
// that ran at once.
type slowStore struct {
	core.AccountStore
	gate     chan struct{}
	entered  chan struct{} // one value per save that reached the store
	inFlight atomic.Int32
	mu       sync.Mutex
	most     int32
	saved    []core.AccountDraft
}

func (s *slowStore) SaveAccount(ctx context.Context, id int64, c core.Checked[core.AccountDraft]) (core.AccountRecord, error) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	s.entered <- struct{}{}
	s.mu.Lock()
	s.most = max(s.most, n)
	s.mu.Unlock()
	<-s.gate
	time.Sleep(200 * time.Millisecond)
	out, err := s.AccountStore.SaveAccount(ctx, id, c)
	s.mu.Lock()
	s.saved = append(s.saved, c.Draft())
	s.mu.Unlock()
	return out, err
}

// TestSlowStoreKeepsTheWindowResponsive: while the store takes its time,
// the window keeps handling keystrokes; saves of the draft run one at a
// time, a newer one replacing those waiting; "saved" shows only once the
// store committed the latest draft.
func TestSlowStoreKeepsTheWindowResponsive(t *testing.T) {
	slow := &slowStore{gate: make(chan struct{}), entered: make(chan struct{}, 16)}
	h := newHarnessWith(t, "en", uitest.Options{Goroutines: true, WrapAccounts: func(st core.AccountStore) core.AccountStore {
		slow.AccountStore = st
		return slow
	}})
	h.Pump(func() bool { return h.a.home != nil && h.a.Step() == shell.StepHome })
	test.Tap(h.a.home.start)
	s := h.a.accountS
	test.Type(s.loginEmail, "slow@example.fr")
	h.Flush()      // the debounce timer fires: the first save starts and waits at the gate
	<-slow.entered // the save's goroutine reached the store
	// Type while it is in flight: every keystroke is handled at once (a
	// save on the UI goroutine would make each wait for the store), and
	// each pause asks for a save that must wait for the running one.
	for i, r := range "Jeanne" {
		test.Type(s.firstName, string(r))
		if got := s.firstName.Text; got != "Jeanne"[:i+1] {
			t.Fatalf("keystroke %d: entry holds %q", i, got)
		}
		if slow.inFlight.Load() != 1 {
			t.Fatalf("keystroke %d handled after the save returned: the save blocked the window", i)
		}
		h.Flush()
		if s.saved.Text == h.a.Text().T("saved") {
			t.Fatal(`"saved" shown before the store committed`)
		}
	}
	close(slow.gate)
	h.Pump(func() bool { return !s.saver.InFlight() })
	if s.saved.Text != h.a.Text().T("saved") {
		t.Fatalf("saved label %q", s.saved.Text)
	}
	slow.mu.Lock()
	defer slow.mu.Unlock()
	if slow.most != 1 {
		t.Errorf("%d saves of one draft ran at once", slow.most)
	}
	if n := len(slow.saved); n != 2 {
		t.Errorf("%d saves for 7 requests: the waiting ones were not replaced by the newest", n)
	}
	if last := slow.saved[len(slow.saved)-1]; last.FirstName != "Jeanne" || !strings.HasPrefix(last.LoginEmail, "slow@") {
		t.Errorf("last saved draft %+v", last)
	}
	rec, err := h.Store.Accounts.Account(t.Context(), h.a.account.ID)
	if err != nil || rec.Draft.FirstName != "Jeanne" {
		t.Fatalf("stored %+v %v", rec.Draft, err)
	}
}
