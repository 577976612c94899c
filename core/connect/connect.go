// Package connect builds what each environment connects to, from the
// settings in effect: the HTTP client (the proxy, the extra certificates),
// the onboarding portal (the Local sandbox's, or a team's chorus-sim over
// HTTPS), the company registries, and the PISTE client. The desktop app and
// onboardctl wire the application layer with it, so both reach the same
// places the same way.
package connect

import (
	"net/http"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
)

// Options are what the composition root knows that settings do not.
type Options struct {
	// Sandbox is the Local sandbox's base URL (chorus-sim in the process,
	// on loopback), empty when it did not start.
	Sandbox string
	// SandboxStarting, when set, holds the sandbox's requests until it
	// serves (main starts it once the window is up).
	SandboxStarting *Starting
	// Getenv reads the proxy variables (os.Getenv when nil).
	Getenv func(string) string
}

// Targets returns the application layer's Connect: for each environment,
// what it talks to.
func Targets(o Options) func(onboarding.TargetSpec) onboarding.Target {
	return func(c onboarding.TargetSpec) onboarding.Target {
		set := c.Settings
		if c.Env == core.EnvLocal {
			return sandbox(o)
		}
		// Settings kept by an older version, or changed in the database
		// behind the app's back, are checked as if typed: a credential
		// is never sent in clear.
		if err := core.CheckSettingsURLs(set); err != nil {
			return onboarding.Target{Err: err}
		}
		hc, err := portal.NewClient(portal.ClientOptions{ProxyURL: set.ProxyURL, ProxyUser: set.ProxyUser,
			ProxyPassword: c.Secret(core.SecretProxyPassword), CAFile: set.CAFile, Getenv: o.Getenv})
		if err != nil {
			return onboarding.Target{Err: err}
		}
		t := onboarding.Target{HTTP: hc,
			Registry: portal.NewRegistry(set.RegistryBase(), set.INSEEBase(), c.Secret(core.SecretINSEEKey), hc)}
		if c.Env == core.EnvTeam {
			t = On(t, portal.NewOnboarding(set.PortalURL, hc))
			t.Pages = set.PortalURL
		}
		return t
	}
}

// sandbox is the Local sandbox: its portal and its registry, on loopback
// (never through a proxy).
func sandbox(o Options) onboarding.Target {
	t := onboarding.Target{Mailbox: true}
	if o.Sandbox != "" {
		var hc *http.Client // nil: the package portal's default
		if o.SandboxStarting != nil {
			hc = o.SandboxStarting.client()
		}
		t.HTTP = hc // its PISTE API too, when the settings point there
		t = On(t, portal.NewOnboarding(o.Sandbox, hc))
		t.Pages = o.Sandbox
		t.Registry = portal.NewRegistry(o.Sandbox+"/registry", o.Sandbox+"/insee/api-sirene/3.11", nil, hc)
	}
	return t
}

// On returns t reaching the onboarding API through c: its accounts and
// structures, and its people, on one session.
func On(t onboarding.Target, c *portal.Onboarding) onboarding.Target {
	t.Portal, t.People = c, c.People()
	return t
}

// NewChorus builds the PISTE client of the application layer.
func NewChorus(c onboarding.ChorusConfig) onboarding.Chorus {
	return portal.NewPISTE(portal.PISTEConfig{OAuthURL: c.OAuthURL, APIURL: c.APIURL, ClientID: c.ClientID,
		ClientSecret: c.ClientSecret, TechnicalLogin: c.TechnicalLogin, TechnicalPassword: c.TechnicalPassword, HTTP: c.HTTP})
}

// Stores hands the roles of the app's database to the services: each
// service gets only those it uses.
func Stores(db *sqlite.DB) onboarding.Stores {
	return onboarding.Stores{Accounts: db.Accounts, Structures: db.Structures, Workspace: db.Workspace,
		Reform: db.Reform, Outbox: db.Outbox, Settings: db.Settings, Firm: db.Firm}
}

// Firm reaches a firm's server at url (a team portal, whatever the
// environment structures go to): the portal's sign-in there and the firm's
// workspace, on one session, through the proxy the environment variables
// name (o.Getenv).
func Firm(o Options) func(url string) onboarding.FirmConn {
	return func(url string) onboarding.FirmConn {
		hc, err := portal.NewClient(portal.ClientOptions{Getenv: o.Getenv})
		if err != nil {
			hc = nil // the package's default client
		}
		c := portal.NewOnboarding(url, hc)
		return onboarding.FirmConn{Auth: c, API: c.Firm()}
	}
}
