package core

import "context"

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

// EnvironmentInfos lists every environment in the order the settings offer
// them.
var EnvironmentInfos = []EnvironmentInfo{
	{Env: EnvLocal, Onboarding: true},
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
)

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

// Values returns the settings as stored: key → value, empty values left out.
func (s Settings) Values() map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{
		SettingEnvironment: string(s.Environment), SettingPISTEOAuthURL: s.PISTEOAuthURL,
		SettingPISTEAPIURL: s.PISTEAPIURL, SettingPISTEClientID: s.PISTEClientID, SettingTechnicalLogin: s.TechnicalLogin,
	} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// SettingsFromValues reads stored values; unknown keys are ignored (a newer
// version may have written them).
func SettingsFromValues(v map[string]string) Settings {
	return Settings{
		Environment: Environment(v[SettingEnvironment]), PISTEOAuthURL: v[SettingPISTEOAuthURL],
		PISTEAPIURL: v[SettingPISTEAPIURL], PISTEClientID: v[SettingPISTEClientID], TechnicalLogin: v[SettingTechnicalLogin],
	}
}

// SettingsStore keeps the user's settings on this computer, beside their
// drafts, so the desktop app and onboardctl read the same ones.
type SettingsStore interface {
	// Settings returns every stored value by key.
	Settings(ctx context.Context) (map[string]string, error)
	// SaveSettings replaces the stored values with v, in one transaction;
	// a key absent from v is removed.
	SaveSettings(ctx context.Context, v map[string]string) error
}
