package shell

import "github.com/chorusonboard/chorus-onboard/core/onboarding"

// Session is who is signed in on the screens, and where their requests
// go: the environment in effect. Sessions live in memory only.
type Session struct {
	conn     Connection
	signedIn string
}

// SignedIn returns the session's e-mail, "" when nobody signed in.
func (s *Session) SignedIn() string { return s.signedIn }

// SetSignedIn records the session's e-mail.
func (s *Session) SetSignedIn(email string) { s.signedIn = email }

// Target returns the environment in effect and what it connects to.
func (s *Session) Target() onboarding.Target { return s.conn.Target() }

// HasPortal reports whether the environment in effect has an onboarding
// API; on Chorus Pro's own environments a person finishes on the portal's
// pages (hand-off).
func (s *Session) HasPortal() bool { return s.Target().Portal != nil }
