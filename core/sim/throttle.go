package sim

import (
	"sync"
	"time"
)

// Sign-in throttling (OWASP ASVS 2.2.1, NIST SP 800-63B §3.2.2): after 10
// failures in 15 minutes an account waits until the oldest failure leaves
// the window; 100 failures in an hour is a hard ceiling. One client address
// gets 30 failures a minute whatever the accounts, against guessing across
// accounts.
const (
	accountWindow   = 15 * time.Minute
	accountFailures = 10
	hourlyCeiling   = 100
	ipWindow        = time.Minute
	ipFailures      = 30
)

type throttle struct {
	mu       sync.Mutex
	accounts map[string][]time.Time
	ips      map[string][]time.Time
}

func newThrottle() *throttle {
	return &throttle{accounts: map[string][]time.Time{}, ips: map[string][]time.Time{}}
}

// since keeps the times within window of now.
func since(ts []time.Time, now time.Time, window time.Duration) []time.Time {
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= window {
		i++
	}
	return ts[i:]
}

// blocked returns how long the account or the address must wait, or 0.
func (t *throttle) blocked(now time.Time, account, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	hour := since(t.accounts[account], now, time.Hour)
	t.accounts[account] = hour
	if recent := since(hour, now, accountWindow); len(recent) >= accountFailures {
		wait = max(wait, accountWindow-now.Sub(recent[len(recent)-accountFailures]))
	}
	if len(hour) >= hourlyCeiling {
		wait = max(wait, time.Hour-now.Sub(hour[len(hour)-hourlyCeiling]))
	}
	ips := since(t.ips[ip], now, ipWindow)
	t.ips[ip] = ips
	if len(ips) >= ipFailures {
		wait = max(wait, ipWindow-now.Sub(ips[len(ips)-ipFailures]))
	}
	return wait
}

func (t *throttle) fail(now time.Time, account, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.accounts[account] = append(t.accounts[account], now)
	t.ips[ip] = append(t.ips[ip], now)
}

// success forgets an account's failures: the owner got in.
func (t *throttle) success(account string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.accounts, account)
}
