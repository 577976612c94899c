// Package secrets keeps credentials in the operating system's keyring
// (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)
// through zalando/go-keyring, behind core.Secrets.
//
// go-keyring has no timeout and a locked Linux keyring can block forever on
// an unlock prompt nobody answers, so every call runs on its own goroutine
// and gives up after a timeout (3 s by default): the caller gets KindTimeout
// and the goroutine is left to finish on its own. A keyring that did not
// answer is remembered: until that call returns (or for StallMemory at
// most), further calls fail at once with KindTimeout instead of each
// waiting 3 s and leaving one more goroutine behind. There is no plaintext
// fallback: when no keyring answers, callers get KindUnavailable and the app
// asks the user for the secret for this session only.
package secrets

import (
	"context"
	"errors"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/chorusonboard/chorus-onboard/core"
)

// MaxSize is the largest secret accepted, in bytes: Windows' Credential
// Manager refuses more than 2,560, macOS about 3,000; refusing above the
// smallest limit everywhere keeps a value saved on Linux usable elsewhere.
const MaxSize = core.MaxSecretSize

// DefaultTimeout bounds every keyring call.
const DefaultTimeout = 3 * time.Second

// Backend is the keyring primitive; go-keyring's package functions satisfy it.
type Backend interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

type goKeyring struct{}

func (goKeyring) Get(s, u string) (string, error) { return keyring.Get(s, u) }
func (goKeyring) Set(s, u, p string) error        { return keyring.Set(s, u, p) }
func (goKeyring) Delete(s, u string) error        { return keyring.Delete(s, u) }

// StallMemory is how long a keyring that did not answer is taken not to
// answer, unless its stuck call returns first: then it is asked again.
const StallMemory = time.Minute

// stall remembers, for one backend (the process's keyring), a call that
// did not answer in time.
type stall struct {
	mu    sync.Mutex
	until time.Time // calls fail at once before this
	stuck int       // calls still running after their caller gave up
}

// stalls holds the stall of each backend: go-keyring's is one per process
// whatever the service, a test's fake its own.
var (
	stallsMu sync.Mutex
	stalls   = map[Backend]*stall{}
)

func stallOf(b Backend) *stall {
	stallsMu.Lock()
	defer stallsMu.Unlock()
	s := stalls[b]
	if s == nil {
		s = &stall{}
		stalls[b] = s
	}
	return s
}

// stalled reports whether the keyring is taken not to answer now.
func (s *stall) stalled(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stuck > 0 && now.Before(s.until)
}

// Keyring is core.Secrets on the OS keyring.
type Keyring struct {
	service string
	timeout time.Duration
	backend Backend
	stall   *stall
	// available says whether a keyring can answer at all; on Linux without a
	// session bus, go-keyring would try to autolaunch D-Bus.
	available func() bool
}

var _ core.Secrets = (*Keyring)(nil)

// Option configures a Keyring.
type Option func(*Keyring)

// WithTimeout changes the per-call timeout (up to 30 s makes sense when the
// user may be asked to unlock the keyring).
func WithTimeout(d time.Duration) Option { return func(k *Keyring) { k.timeout = d } }

// WithBackend replaces go-keyring (tests).
func WithBackend(b Backend) Option {
	return func(k *Keyring) { k.backend, k.available = b, func() bool { return true } }
}

// Service returns the keyring service name of an app and environment:
// "<app ID>:<environment>", so entries of the sandbox, qualification and
// production never mix, and other apps' entries are never touched.
func Service(appID string, env core.Environment) string { return appID + ":" + string(env) }

// New returns the keyring for one app and environment.
func New(appID string, env core.Environment, opts ...Option) *Keyring {
	k := &Keyring{service: Service(appID, env), timeout: DefaultTimeout, backend: goKeyring{}, available: sessionBus}
	for _, o := range opts {
		o(k)
	}
	k.stall = stallOf(k.backend)
	return k
}

// sessionBus reports whether the Secret Service can be reached: on Linux and
// BSD it needs a D-Bus session bus.
func sessionBus() bool {
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	}
	return os.Getenv("DBUS_SESSION_BUS_ADDRESS") != ""
}

func (k *Keyring) err(op string, kind core.Kind, code string, cause error) error {
	return &core.E{Kind: kind, Code: code, Op: op, Err: cause}
}

// errStalled is the cause of a call refused at once: an earlier one has
// not returned.
var errStalled = errors.New("the keyring did not answer a moment ago (is it locked?)")

// call runs f off the caller's goroutine and waits at most the timeout. A
// call that times out marks the keyring stalled until it returns (or
// StallMemory passes): meanwhile calls fail at once.
func (k *Keyring) call(ctx context.Context, op string, f func() (string, error)) (string, error) {
	if !k.available() {
		return "", k.err(op, core.KindUnavailable, "keyring.unavailable", errors.New("no D-Bus session bus for the Secret Service"))
	}
	if k.stall.stalled(time.Now()) {
		return "", k.err(op, core.KindTimeout, "keyring.timeout", errStalled)
	}
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1) // buffered: the goroutine may finish after we gave up
	// done and abandoned are guarded by the stall's lock: the goroutine
	// that returns late, and only it, takes its call off the stuck ones.
	var done, abandoned bool
	go func() {
		v, err := f()
		k.stall.mu.Lock()
		if abandoned {
			k.stall.stuck-- // the keyring answered at last: ask it again from now on
		}
		done = true
		k.stall.mu.Unlock()
		ch <- result{v, err}
	}()
	timer := time.NewTimer(k.timeout)
	defer timer.Stop()
	giveUp := func(cause error) (string, error) {
		k.stall.mu.Lock()
		if done {
			k.stall.mu.Unlock()
			r := <-ch // it answered just now after all
			return k.result(op, r.v, r.err)
		}
		abandoned = true
		k.stall.stuck++
		k.stall.until = time.Now().Add(StallMemory)
		k.stall.mu.Unlock()
		return "", k.err(op, core.KindTimeout, "keyring.timeout", cause)
	}
	select {
	case r := <-ch:
		return k.result(op, r.v, r.err)
	case <-timer.C:
		return giveUp(errors.New("the keyring did not answer (is it locked?)"))
	case <-ctx.Done():
		return giveUp(ctx.Err())
	}
}

// result turns go-keyring's answer into the package's errors.
func (k *Keyring) result(op, v string, err error) (string, error) {
	switch {
	case err == nil:
		return v, nil
	case errors.Is(err, keyring.ErrNotFound):
		return "", k.err(op, core.KindNotFound, "keyring.not_found", nil)
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return "", k.err(op, core.KindTooLarge, "keyring.too_large", nil)
	}
	// go-keyring reports a missing Secret Service, a locked collection
	// or a refused D-Bus call as plain errors: all mean "no keyring".
	return "", k.err(op, core.KindUnavailable, "keyring.unavailable", err)
}

// Get returns the secret stored under name.
func (k *Keyring) Get(ctx context.Context, name string) (string, error) {
	return k.call(ctx, "get secret "+name, func() (string, error) { return k.backend.Get(k.service, name) })
}

// Set stores value under name; values over MaxSize are refused before the
// keyring is called.
func (k *Keyring) Set(ctx context.Context, name, value string) error {
	if len(value) > MaxSize {
		return k.err("set secret "+name, core.KindTooLarge, "keyring.too_large", nil)
	}
	_, err := k.call(ctx, "set secret "+name, func() (string, error) { return "", k.backend.Set(k.service, name, value) })
	return err
}

// Delete removes name; a missing entry is not an error.
func (k *Keyring) Delete(ctx context.Context, name string) error {
	_, err := k.call(ctx, "delete secret "+name, func() (string, error) { return "", k.backend.Delete(k.service, name) })
	if core.KindOf(err) == core.KindNotFound {
		return nil
	}
	return err
}

// ForgetAll deletes every entry this app may have created, in every
// environment. It tries them all and returns the errors together.
func ForgetAll(ctx context.Context, appID string, opts ...Option) error {
	var errs []error
	for _, env := range core.Environments {
		k := New(appID, env, opts...)
		for _, name := range core.SecretNames {
			if err := k.Delete(ctx, name); err != nil {
				errs = append(errs, err)
				if core.KindOf(err) == core.KindUnavailable {
					return errors.Join(errs...) // no keyring: the other calls would fail the same way
				}
			}
		}
	}
	return errors.Join(errs...)
}
