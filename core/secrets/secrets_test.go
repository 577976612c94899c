package secrets

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/chorusonboard/chorus-onboard/core"
)

// fakeBackend is a func-field backend: each test sets what it needs.
type fakeBackend struct {
	mu    sync.Mutex
	store map[string]string
	calls int
	err   error
	delay time.Duration
}

func (f *fakeBackend) do(key string, set *string, del bool) (string, error) {
	time.Sleep(f.delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return "", f.err
	}
	if f.store == nil {
		f.store = map[string]string{}
	}
	switch {
	case set != nil:
		f.store[key] = *set
	case del:
		if _, ok := f.store[key]; !ok {
			return "", keyring.ErrNotFound
		}
		delete(f.store, key)
	default:
		v, ok := f.store[key]
		if !ok {
			return "", keyring.ErrNotFound
		}
		return v, nil
	}
	return "", nil
}

func (f *fakeBackend) Get(s, u string) (string, error) { return f.do(s+"|"+u, nil, false) }
func (f *fakeBackend) Set(s, u, p string) error        { _, err := f.do(s+"|"+u, &p, false); return err }
func (f *fakeBackend) Delete(s, u string) error        { _, err := f.do(s+"|"+u, nil, true); return err }

func TestKeyringErrors(t *testing.T) {
	tests := []struct {
		name    string
		backend *fakeBackend
		call    func(*Keyring) error
		kind    core.Kind
		code    string
		calls   int
	}{
		{"not found", &fakeBackend{}, func(k *Keyring) error { _, err := k.Get(t.Context(), "x"); return err },
			core.KindNotFound, "keyring.not_found", 1},
		{"too large refused before calling", &fakeBackend{}, func(k *Keyring) error {
			return k.Set(t.Context(), "x", strings.Repeat("a", MaxSize+1))
		}, core.KindTooLarge, "keyring.too_large", 0},
		{"largest accepted", &fakeBackend{}, func(k *Keyring) error {
			return k.Set(t.Context(), "x", strings.Repeat("a", MaxSize))
		}, core.KindInternal, "", 1},
		{"platform says too big", &fakeBackend{err: keyring.ErrSetDataTooBig}, func(k *Keyring) error {
			return k.Set(t.Context(), "x", "v")
		}, core.KindTooLarge, "keyring.too_large", 1},
		{"no secret service", &fakeBackend{err: errors.New("The name org.freedesktop.secrets was not provided by any .service files")},
			func(k *Keyring) error { _, err := k.Get(t.Context(), "x"); return err }, core.KindUnavailable, "keyring.unavailable", 1},
		{"locked keyring times out", &fakeBackend{delay: time.Second}, func(k *Keyring) error {
			_, err := k.Get(t.Context(), "x")
			return err
		}, core.KindTimeout, "keyring.timeout", 0},
		{"delete missing is fine", &fakeBackend{}, func(k *Keyring) error { return k.Delete(t.Context(), "x") }, core.KindInternal, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := New("app.test", core.EnvLocal, WithBackend(tt.backend), WithTimeout(50*time.Millisecond))
			err := tt.call(k)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
			} else if core.KindOf(err) != tt.kind || core.CodeOf(err) != tt.code {
				t.Fatalf("error %v: kind %d code %q, want %d %q", err, core.KindOf(err), core.CodeOf(err), tt.kind, tt.code)
			}
			tt.backend.mu.Lock()
			calls := tt.backend.calls
			tt.backend.mu.Unlock()
			if tt.calls == 0 && calls != 0 && tt.code == "keyring.too_large" {
				t.Errorf("backend called %d times for a value refused up front", calls)
			}
		})
	}
}

func TestNoSessionBusFailsFast(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the session bus matters on Linux and BSD only")
	}
	k := New("app.test", core.EnvLocal)
	_, err := k.Get(t.Context(), "x")
	if core.KindOf(err) != core.KindUnavailable {
		t.Fatalf("without a session bus: %v", err)
	}
}

func TestServiceNamespacing(t *testing.T) {
	b := &fakeBackend{}
	local := New("fr.app", core.EnvLocal, WithBackend(b))
	prod := New("fr.app", core.EnvProduction, WithBackend(b))
	if err := local.Set(t.Context(), core.SecretTechnicalPassword, "sandbox"); err != nil {
		t.Fatal(err)
	}
	if _, err := prod.Get(t.Context(), core.SecretTechnicalPassword); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("production sees the sandbox's secret: %v", err)
	}
	if _, ok := b.store["fr.app:local|technical-account-password"]; !ok {
		t.Fatalf("service name: %v", b.store)
	}
}

// platformKeyring names the keyring the real test reaches here.
func platformKeyring() string {
	switch runtime.GOOS {
	case "windows":
		return "Windows Credential Manager"
	case "darwin":
		return "macOS Keychain"
	}
	return "Secret Service"
}

// TestRealKeyring runs against the platform's real keyring: the Secret
// Service (make test-keyring runs it under dbus-run-session with an
// unlocked gnome-keyring), or Windows' Credential Manager (make
// test-windows runs it under Wine). Elsewhere it is skipped. Besides 100
// round trips, the largest secret every platform accepts comes back whole,
// and one byte more is refused with KindTooLarge, leaving nothing stored:
// a secret is never truncated.
func TestRealKeyring(t *testing.T) {
	if os.Getenv("CHORUS_REAL_KEYRING") != "1" {
		t.Skip("set CHORUS_REAL_KEYRING=1 inside an unlocked keyring session (make test-keyring, make test-windows)")
	}
	ctx := t.Context()
	k := New("fr.chorusonboard.test", core.EnvLocal, WithTimeout(10*time.Second))
	want := map[string]string{}
	for i := range 100 {
		b := make([]byte, 1+i*12)
		_, _ = rand.Read(b)
		v := base64.StdEncoding.EncodeToString(b)
		if len(v) > MaxSize {
			v = v[:MaxSize]
		}
		name := fmt.Sprintf("roundtrip-%03d", i)
		want[name] = v
		if err := k.Set(ctx, name, v); err != nil {
			t.Fatalf("set %d: %v", i, err)
		}
	}
	// The largest accepted, in accented characters (2 bytes each in UTF-8).
	largest := strings.Repeat("é", MaxSize/2)
	want["largest"] = largest
	if err := k.Set(ctx, "largest", largest); err != nil {
		t.Fatalf("set %d bytes: %v", len(largest), err)
	}
	mismatches := 0
	for name, v := range want {
		got, err := k.Get(ctx, name)
		if err != nil || got != v {
			mismatches++
		}
		if err := k.Delete(ctx, name); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Get(ctx, name); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("after delete: %v", err)
		}
	}
	if mismatches != 0 {
		t.Fatalf("%d of %d secrets came back different", mismatches, len(want))
	}
	over := largest + "x"
	if err := k.Set(ctx, "over", over); core.KindOf(err) != core.KindTooLarge || core.CodeOf(err) != "keyring.too_large" {
		t.Fatalf("set %d bytes: %v, want keyring.too_large", len(over), err)
	}
	if v, err := k.Get(ctx, "over"); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("a refused secret was stored (%d bytes): %v", len(v), err)
	}
	t.Logf("real %s: %d secrets stored, read back and deleted, 0 mismatches; %d bytes whole, %d bytes refused (keyring.too_large), nothing stored",
		platformKeyring(), len(want), len(largest), len(over))
}

// blockingBackend never answers until released: a locked keyring whose
// unlock prompt nobody sees.
type blockingBackend struct {
	started chan struct{}
	release chan struct{}
}

func (b *blockingBackend) Get(string, string) (string, error) {
	b.started <- struct{}{}
	<-b.release
	return "", keyring.ErrNotFound
}
func (b *blockingBackend) Set(string, string, string) error { _, err := b.Get("", ""); return err }
func (b *blockingBackend) Delete(string, string) error      { _, err := b.Get("", ""); return err }

// TestStalledKeyringFailsFast (issue 29, item 7): once the keyring did not
// answer, the calls that follow fail at once, without asking it again
// (before: each waited the whole timeout and left one more goroutine
// stuck behind); once the stuck call returns, the keyring is asked again.
func TestStalledKeyringFailsFast(t *testing.T) {
	b := &blockingBackend{started: make(chan struct{}, 10), release: make(chan struct{})}
	k := New("app.test", core.EnvLocal, WithBackend(b), WithTimeout(50*time.Millisecond))
	if _, err := k.Get(t.Context(), "x"); core.CodeOf(err) != "keyring.timeout" {
		t.Fatalf("first call: %v", err)
	}
	<-b.started
	for i := range 5 {
		// Another Keyring of the same process (the app makes one per
		// call) knows it too.
		other := New("app.test", core.EnvQualification, WithBackend(b), WithTimeout(50*time.Millisecond))
		if _, err := other.Get(t.Context(), "x"); core.CodeOf(err) != "keyring.timeout" || !errors.Is(err, errStalled) {
			t.Fatalf("call %d while the first is stuck: %v", i+2, err)
		}
	}
	select {
	case <-b.started:
		t.Fatal("the stalled keyring was asked again")
	default:
	}
	close(b.release) // the prompt was answered
	deadline := time.Now().Add(10 * time.Second)
	for k.stall.stalled(time.Now()) && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if _, err := k.Get(t.Context(), "x"); core.CodeOf(err) != "keyring.not_found" {
		t.Fatalf("after the keyring answered: %v", err)
	}
}
