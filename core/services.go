package core

import (
	"context"
	"time"
)

// Secrets keeps credentials in the operating system's keyring and nowhere else.
//
// Every method returns within a bounded time (the adapter enforces a timeout)
// and must not be called on the UI goroutine. Errors carry a kind:
// KindNotFound when the entry does not exist, KindUnavailable when no keyring
// answers (no Secret Service, a locked collection, a refused D-Bus call),
// KindTimeout when it did not answer in time, KindTooLarge when a value is over
// the limit every platform accepts (2,560 bytes). There is no plaintext
// fallback: a caller that gets KindUnavailable asks the user instead.
type Secrets interface {
	// Get returns the secret stored under name.
	Get(ctx context.Context, name string) (string, error)
	// Set stores value under name, replacing any previous value.
	Set(ctx context.Context, name, value string) error
	// Delete removes name; deleting a missing entry is not an error.
	Delete(ctx context.Context, name string) error
}

// FirmKeyring names the keyring's part for the firm's shared workspace,
// beside the environments' (the firm's server is not an environment:
// structures go where the settings say, the firm's clients to its server).
const FirmKeyring Environment = "firm"

// Secret names used across the app. They name a keyring entry, never hold the
// secret.
const (
	SecretPISTEClientSecret = "piste-client-secret"
	SecretTechnicalPassword = "technical-account-password"
	SecretINSEEKey          = "insee-api-key"
	SecretProxyPassword     = "proxy-password"
	// SecretDeviceToken is this computer's device token on the
	// environment's portal, as "e-mail\nid\ntoken" (the account's e-mail
	// in lower case, the trusted computer's id on the portal, the token):
	// it stands in for the second factor of that account (never for its
	// password).
	SecretDeviceToken = "device-token"
	// SecretFirmSession heads the names of the sessions on the firm's
	// server (onboarding.SessionSecret: one per member), as "url\ntoken",
	// kept under FirmKeyring.
	SecretFirmSession = "firm-session"
)

// SecretNames lists every entry this app may create, so that "forget" can
// remove them all.
var SecretNames = []string{SecretPISTEClientSecret, SecretTechnicalPassword, SecretINSEEKey, SecretProxyPassword, SecretDeviceToken}

// Clock is the source of wall-clock time; tests inject a fixed or skewed one.
// Durations (token lifetimes, backoff) use the monotonic reading of time.Now,
// never differences between wall-clock values from different machines.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Environment is which portal the app talks to.
type Environment string

// The environments. Local is the default: the portal simulator runs inside
// the app on loopback, so a new user can go through the whole flow with no
// account anywhere. Team is a chorus-sim a team runs for itself, at the
// URL the settings give.
const (
	EnvLocal         Environment = "local"
	EnvTeam          Environment = "team"
	EnvQualification Environment = "qualification"
	EnvProduction    Environment = "production"
)

// Environments lists every environment.
var Environments = []Environment{EnvLocal, EnvTeam, EnvQualification, EnvProduction}

// MaxSecretSize is the largest secret any keyring accepts everywhere, in
// bytes: Windows' Credential Manager refuses more than 2,560.
const MaxSecretSize = 2560
