package core

import (
	"context"
	"strconv"
	"strings"
)

// EnvironmentInfo is what Chorus Onboard knows of an environment before the
// user configures anything: the one place where the public Chorus Pro
// addresses are written.
type EnvironmentInfo struct {
	Env Environment
	// PISTEOAuthURL and PISTEAPIURL are the PISTE gateway's token and API
	// bases (qualification: AIFE's sandbox gateway).
	PISTEOAuthURL, PISTEAPIURL string
	// PortalPage is where a person finishes what the API cannot do.
	PortalPage string
	// Onboarding is true when the environment has an onboarding API that
	// creates accounts and structures (the Local sandbox); on Chorus Pro's
	// own environments a person finishes on the portal's pages (hand-off).
	Onboarding bool
}

// The public company registries' base URLs: the defaults of the registry
// settings in every environment.
const (
	RechercheEntreprisesURL = "https://recherche-entreprises.api.gouv.fr"
	INSEESireneURL          = "https://api.insee.fr/api-sirene/3.11"
)

// EnvironmentInfos lists every environment in the order the settings offer
// them.
var EnvironmentInfos = []EnvironmentInfo{
	{Env: EnvLocal, Onboarding: true},
	{Env: EnvTeam, Onboarding: true},
	{Env: EnvQualification, PISTEOAuthURL: "https://sandbox-oauth.piste.gouv.fr", PISTEAPIURL: "https://sandbox-api.piste.gouv.fr",
		PortalPage: "https://qualif.chorus-pro.gouv.fr/aife_qual"},
	{Env: EnvProduction, PISTEOAuthURL: "https://oauth.piste.gouv.fr", PISTEAPIURL: "https://api.piste.gouv.fr",
		PortalPage: "https://portail.chorus-pro.gouv.fr"},
}

// Info returns what is known of e; ok is false for an unknown environment.
func (e Environment) Info() (info EnvironmentInfo, ok bool) {
	for _, i := range EnvironmentInfos {
		if i.Env == e {
			return i, true
		}
	}
	return EnvironmentInfo{}, false
}

// Valid reports whether e is a known environment.
func (e Environment) Valid() bool {
	_, ok := e.Info()
	return ok
}

// Setting keys, stable: they name values in the database and in admin
// presets.
const (
	SettingEnvironment    = "environment"
	SettingPISTEOAuthURL  = "piste_oauth_url"
	SettingPISTEAPIURL    = "piste_api_url"
	SettingPISTEClientID  = "piste_client_id"
	SettingTechnicalLogin = "technical_login"
	SettingPortalURL      = "portal_url"
	SettingRegistryURL    = "registry_url"
	SettingINSEEURL       = "insee_url"
	SettingProxyURL       = "proxy_url"
	SettingProxyUser      = "proxy_user"
	SettingCAFile         = "ca_file"
	// SettingDirectoryURL is the page of the directory of electronic
	// invoicing the workspace opens (empty: the environment's portal).
	SettingDirectoryURL = "directory_url"
	// SettingConcurrency is how many requests the worker keeps in flight
	// (1 to MaxConcurrency; empty: the worker's default).
	SettingConcurrency = "sync_concurrency"
)

// DefaultConcurrency is how many requests the worker keeps in flight when
// nothing says otherwise: enough to hide a distant portal's latency, few
// enough not to look like an attack. Measured (make bench, issue 34): 1,000
// structures to chorus-sim went 1.9x / 2.4x / 3.4x the sequential loop
// with 8 / 16 / 32 in flight on loopback, and 7.8x / 15x / 28x with 50 ms
// added; 16 doubles what a distant portal gets from 8, and the portals
// that structures go to are the sandbox and a firm's own server, whose
// 429 and 503 halve it at once.
const DefaultConcurrency = 16

// MaxConcurrency bounds SettingConcurrency: more would look like an attack
// to a portal, and gains nothing over a few dozen.
const MaxConcurrency = 64

// URLSettings are the settings that hold a web address, each checked when
// typed (http or https, no credentials in it).
var URLSettings = []string{SettingPISTEOAuthURL, SettingPISTEAPIURL, SettingPortalURL, SettingRegistryURL, SettingINSEEURL, SettingProxyURL,
	SettingDirectoryURL}

// Settings are the user's choices that outlive a session. Secrets are never
// among them: they live in the keyring (Secrets).
type Settings struct {
	// Environment is the portal the app talks to; empty means the Local
	// sandbox.
	Environment Environment
	// PISTEOAuthURL and PISTEAPIURL override the environment's gateway;
	// empty means its default (EnvironmentInfo).
	PISTEOAuthURL, PISTEAPIURL string
	// PISTEClientID is the PISTE application's client id.
	PISTEClientID string
	// TechnicalLogin is the Chorus Pro technical account's login.
	TechnicalLogin string
	// PortalURL is the team portal's address (EnvTeam): a chorus-sim a
	// team runs, over HTTPS.
	PortalURL string
	// RegistryURL and INSEEURL override the company registries' public
	// addresses (tests, a team's own registry); empty means the public
	// ones.
	RegistryURL, INSEEURL string
	// ProxyURL, when set, is the HTTP proxy every connection goes through,
	// instead of HTTPS_PROXY/HTTP_PROXY/NO_PROXY; ProxyUser is its login,
	// whose password is in the keyring (SecretProxyPassword).
	ProxyURL, ProxyUser string
	// CAFile is a PEM file of certificates to trust besides the system's:
	// an office whose proxy re-signs TLS. Verification is never skipped.
	CAFile string
	// Concurrency is SettingConcurrency's text ("" for the default).
	Concurrency string
	// DirectoryURL overrides the page of the directory of electronic
	// invoicing (annuaire de la facturation électronique) the workspace
	// opens; empty means the environment's portal.
	DirectoryURL string
}

// ConcurrencyN returns the requests to keep in flight, 0 for the worker's
// default (empty, or not a number from 1 to MaxConcurrency).
func (s Settings) ConcurrencyN() int {
	n, err := strconv.Atoi(strings.TrimSpace(s.Concurrency))
	if err != nil || n < 1 || n > MaxConcurrency {
		return 0
	}
	return n
}

// Env returns the environment, the Local sandbox when none is set or the
// stored one is unknown to this version.
func (s Settings) Env() Environment {
	if s.Environment.Valid() {
		return s.Environment
	}
	return EnvLocal
}

// OAuthURL returns the PISTE token endpoint's base in effect.
func (s Settings) OAuthURL() string {
	if s.PISTEOAuthURL != "" {
		return s.PISTEOAuthURL
	}
	info, _ := s.Env().Info()
	return info.PISTEOAuthURL
}

// APIURL returns the PISTE API's base in effect.
func (s Settings) APIURL() string {
	if s.PISTEAPIURL != "" {
		return s.PISTEAPIURL
	}
	info, _ := s.Env().Info()
	return info.PISTEAPIURL
}

// RegistryBase returns recherche-entreprises' base URL in effect.
func (s Settings) RegistryBase() string {
	if s.RegistryURL != "" {
		return s.RegistryURL
	}
	return RechercheEntreprisesURL
}

// INSEEBase returns INSEE Sirene's base URL in effect.
func (s Settings) INSEEBase() string {
	if s.INSEEURL != "" {
		return s.INSEEURL
	}
	return INSEESireneURL
}

// TargetKey names where queued changes go: the environment, and for the
// team portal its address, so that a change queued for one portal is
// never sent to another.
func (s Settings) TargetKey() string {
	if s.Env() == EnvTeam {
		return string(EnvTeam) + " " + s.PortalURL
	}
	return string(s.Env())
}

// field returns a pointer to the field a setting key names.
func (s *Settings) field(key string) *string {
	switch key {
	case SettingEnvironment:
		return (*string)(&s.Environment)
	case SettingPISTEOAuthURL:
		return &s.PISTEOAuthURL
	case SettingPISTEAPIURL:
		return &s.PISTEAPIURL
	case SettingPISTEClientID:
		return &s.PISTEClientID
	case SettingTechnicalLogin:
		return &s.TechnicalLogin
	case SettingPortalURL:
		return &s.PortalURL
	case SettingRegistryURL:
		return &s.RegistryURL
	case SettingINSEEURL:
		return &s.INSEEURL
	case SettingProxyURL:
		return &s.ProxyURL
	case SettingProxyUser:
		return &s.ProxyUser
	case SettingCAFile:
		return &s.CAFile
	case SettingConcurrency:
		return &s.Concurrency
	case SettingDirectoryURL:
		return &s.DirectoryURL
	}
	return nil
}

// SettingKeys lists every setting.
var SettingKeys = []string{SettingEnvironment, SettingPISTEOAuthURL, SettingPISTEAPIURL, SettingPISTEClientID,
	SettingTechnicalLogin, SettingPortalURL, SettingRegistryURL, SettingINSEEURL, SettingProxyURL, SettingProxyUser, SettingCAFile,
	SettingConcurrency, SettingDirectoryURL}

// Get returns the value of a setting by key ("" for an unknown key).
func (s Settings) Get(key string) string {
	if p := s.field(key); p != nil {
		return *p
	}
	return ""
}

// Set changes a setting by key; an unknown key is ignored.
func (s *Settings) Set(key, value string) {
	if p := s.field(key); p != nil {
		*p = value
	}
}

// Values returns the settings as stored: key → value, empty values left out.
func (s Settings) Values() map[string]string {
	out := map[string]string{}
	for _, k := range SettingKeys {
		if v := s.Get(k); v != "" {
			out[k] = v
		}
	}
	return out
}

// SettingsFromValues reads stored values; unknown keys are ignored (a newer
// version may have written them).
func SettingsFromValues(v map[string]string) Settings {
	var s Settings
	for _, k := range SettingKeys {
		s.Set(k, v[k])
	}
	return s
}

// SettingsStore keeps the user's settings on this computer, beside their
// drafts, so the desktop app and onboardctl read the same ones.
type SettingsStore interface {
	// Values returns every stored value by key.
	Values(ctx context.Context) (map[string]string, error)
	// SaveValues replaces the stored values with v, in one transaction;
	// a key absent from v is removed.
	SaveValues(ctx context.Context, v map[string]string) error
}
