package sim

import (
	"sync"
	"time"
)

// Sign-in throttling (OWASP ASVS v5 V6.3 / NIST SP 800-63B §3.2.2).
//
// The rule: ten failures in 15 minutes are allowed per account *and client
// address*, so someone guessing from elsewhere cannot lock the owner out of
// their own address; across addresses an account takes at most 100 failures
// an hour (a distributed guess stops there: the owner is then blocked too,
// but only by an attack from several addresses at once); one address gets
// 30 failures a minute whatever the accounts.
//
// Attempts are reserved under the lock *before* the password is hashed and
// released on success, so a burst of parallel requests cannot slip between
// the check and the record: at most the limit are evaluated.
const (
	pairWindow      = 15 * time.Minute
	pairFailures    = 10
	accountWindow   = time.Hour
	accountFailures = 100
	addressWindow   = time.Minute
	addressFailures = 30
)

// maxKeyLen bounds a throttle key: an e-mail is at most 254 characters
// (RFC 5321); a longer one is refused before it becomes a key.
const maxKeyLen = 254

// defaultMaxEntries bounds each map of the throttle.
const defaultMaxEntries = 100_000

// window is the failures of one key, oldest first, and its limit.
type window struct{ times []time.Time }

// since drops the times older than d before now.
func (w *window) since(now time.Time, d time.Duration) {
	i := 0
	for i < len(w.times) && now.Sub(w.times[i]) >= d {
		i++
	}
	w.times = w.times[i:]
}

// wait is how long until the window holds fewer than limit failures.
func (w *window) wait(now time.Time, d time.Duration, limit int) time.Duration {
	w.since(now, d)
	if len(w.times) < limit {
		return 0
	}
	return d - now.Sub(w.times[len(w.times)-limit])
}

// remove forgets one reserved time (a success releases its reservation).
func (w *window) remove(t time.Time) {
	for i := len(w.times) - 1; i >= 0; i-- {
		if w.times[i].Equal(t) {
			w.times = append(w.times[:i], w.times[i+1:]...)
			return
		}
	}
}

type throttle struct {
	mu        sync.Mutex
	pairs     map[string]*window // account + "\x00" + address
	accounts  map[string]*window
	address   map[string]*window
	max       int // entries per map
	lastPrune time.Time
}

func newThrottle() *throttle {
	return &throttle{pairs: map[string]*window{}, accounts: map[string]*window{}, address: map[string]*window{},
		max: defaultMaxEntries}
}

// ticket is a reserved attempt: released on success, kept as a failure.
type ticket struct {
	account, address string
	at               time.Time
}

// reserve counts an attempt for account from address as a failure now, and
// returns its ticket; or, when a limit of these keys is reached, how long
// to wait and nothing is counted. A map that is full makes room
// (evictOldest): strangers' keys never refuse someone else.
func (t *throttle) reserve(now time.Time, account, address string) (ticket, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.lastPrune) > time.Minute {
		t.pruneLocked(now)
	}
	pair := account + "\x00" + address
	var wait time.Duration
	for _, c := range []struct {
		m     map[string]*window
		key   string
		d     time.Duration
		limit int
	}{{t.pairs, pair, pairWindow, pairFailures}, {t.accounts, account, accountWindow, accountFailures},
		{t.address, address, addressWindow, addressFailures}} {
		if w := c.m[c.key]; w != nil {
			wait = max(wait, w.wait(now, c.d, c.limit))
		}
	}
	if wait > 0 {
		return ticket{}, wait
	}
	for m, key := range map[*map[string]*window]string{&t.pairs: pair, &t.accounts: account, &t.address: address} {
		w := (*m)[key]
		if w == nil {
			// Full even after pruning: make room by forgetting the key
			// whose last failure is oldest, rather than refusing every
			// new key (strangers filling the map would then lock out a
			// new client, and the owner of an account with the right
			// password).
			evictOldest(*m, t.max)
			w = &window{}
			(*m)[key] = w
		}
		w.times = append(w.times, now)
	}
	return ticket{account, address, now}, 0
}

// failed keeps a reservation as a failure (nothing to do: it is counted).
func (t *throttle) failed(ticket) {}

// succeeded releases a reservation and forgets the failures of this
// account from this address: the owner got in from here.
func (t *throttle) succeeded(tk ticket) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.pairs, tk.account+"\x00"+tk.address)
	for _, w := range []*window{t.accounts[tk.account], t.address[tk.address]} {
		if w != nil {
			w.remove(tk.at)
		}
	}
}

// prune drops the windows with nothing left in them.
func (t *throttle) prune(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pruneLocked(now)
}

func (t *throttle) pruneLocked(now time.Time) {
	t.lastPrune = now
	for _, c := range []struct {
		m map[string]*window
		d time.Duration
	}{{t.pairs, pairWindow}, {t.accounts, accountWindow}, {t.address, addressWindow}} {
		for k, w := range c.m {
			if w.since(now, c.d); len(w.times) == 0 {
				delete(c.m, k)
			}
		}
	}
}

// size counts the entries of every map (tests, and the memory figure).
func (t *throttle) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.pairs) + len(t.accounts) + len(t.address)
}

// limiter counts events per key in a sliding window, bounded like the
// throttle: e-mail sent to one address or from one client address.
type limiter struct {
	mu    sync.Mutex
	keys  map[string]*window
	span  time.Duration
	limit int
	max   int
	last  time.Time
}

func newLimiter(span time.Duration, limit int) *limiter {
	return &limiter{keys: map[string]*window{}, span: span, limit: limit, max: defaultMaxEntries}
}

// wait returns how long until key may have one more event, 0 now.
func (l *limiter) wait(now time.Time, key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.keys[key]; w != nil {
		return w.wait(now, l.span, l.limit)
	}
	return 0
}

// take counts an event for each key and returns 0, or how long to wait
// when one of them is at its limit (then nothing is counted). A full map
// makes room (evictOldest).
func (l *limiter) take(now time.Time, keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.last) > time.Minute {
		l.last = now
		for k, w := range l.keys {
			if w.since(now, l.span); len(w.times) == 0 {
				delete(l.keys, k)
			}
		}
	}
	var wait time.Duration
	for _, k := range keys {
		if w := l.keys[k]; w != nil {
			wait = max(wait, w.wait(now, l.span, l.limit))
		}
	}
	if wait > 0 {
		return wait
	}
	for _, k := range keys {
		w := l.keys[k]
		if w == nil {
			evictOldest(l.keys, l.max) // as the throttle does: never refuse a newcomer for others' keys
			w = &window{}
			l.keys[k] = w
		}
		w.times = append(w.times, now)
	}
	return 0
}

// evictSample is how many entries evictOldest compares: the oldest of a
// random sample, as Redis evicts, in constant time.
const evictSample = 16

// evictOldest makes room for one key in m, bounded to max entries: of a
// random sample (Go's map order), the entry whose last event is oldest
// goes. Losing it forgets some events of the quietest key; the limits of
// the keys in use, and memory, hold.
func evictOldest(m map[string]*window, max int) {
	for len(m) >= max {
		var victim string
		var oldest time.Time
		n := 0
		for k, w := range m {
			last := time.Time{}
			if len(w.times) > 0 {
				last = w.times[len(w.times)-1]
			}
			if n == 0 || last.Before(oldest) {
				victim, oldest = k, last
			}
			if n++; n == evictSample {
				break
			}
		}
		delete(m, victim)
	}
}

// size counts the keys the limiter holds (tests).
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}
