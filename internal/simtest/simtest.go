// Package simtest signs test clients in to chorus-sim through its second
// factor, as a user with an authenticator app would: the first sign-in of
// an account enrols the app and trusts the computer, later ones send the
// device token. Tests that measure something else than sign-in use it
// where the portal must run as users meet it (a team portal, where the
// second factor cannot be turned off).
package simtest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/portal"
)

// Authenticator is the test's authenticator app and keyring: the TOTP
// secret and device token of each account it enrolled. The zero value is
// ready to use; it is safe for concurrent use.
type Authenticator struct {
	// Now is the portal's clock, which the app's codes follow (nil: the
	// wall clock).
	Now     func() time.Time
	mu      sync.Mutex
	secrets map[string]string // e-mail → TOTP secret
	devices map[string]string // e-mail → device token
}

// Code is the authenticator app's code for secret at t.
func Code(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// SignIn opens a session on c: with the device token when this
// authenticator has one for the account, else through the second factor
// (enrolling the app at the account's first sign-in), trusting the
// computer. A portal with the second factor off answers a session at once.
func (a *Authenticator) SignIn(ctx context.Context, c *portal.Onboarding, email, password string) (api.Session, error) {
	a.mu.Lock()
	device, secret := a.devices[email], a.secrets[email]
	a.mu.Unlock()
	s, ch, err := c.SignInWith(ctx, api.SignIn{Email: email, Password: password, DeviceToken: device})
	if err != nil || ch == nil {
		return s, err
	}
	if ch.Enrol {
		en, err := c.Enrol(ctx, ch.Challenge, api.MethodTOTP)
		if err != nil {
			return s, fmt.Errorf("enrol: %w", err)
		}
		secret = en.Secret
	} else if secret == "" {
		return s, fmt.Errorf("%s has a second factor this authenticator does not know", email)
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	code, err := Code(secret, now())
	if err != nil {
		return s, err
	}
	s, err = c.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: ch.Challenge, Code: code, TrustDevice: true, DeviceName: "test"})
	if err != nil {
		return s, fmt.Errorf("second factor: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.secrets == nil {
		a.secrets, a.devices = map[string]string{}, map[string]string{}
	}
	a.secrets[email], a.devices[email] = secret, s.DeviceToken
	return s, nil
}

// Secret returns the authenticator app's secret for email.
func (a *Authenticator) Secret(email string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.secrets[email]
}

// Device returns the device token this authenticator holds for email.
func (a *Authenticator) Device(email string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.devices[email]
}
