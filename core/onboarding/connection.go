package onboarding

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/memsecrets"
)

// ConnectionConfig is what the Connection service is built from.
type ConnectionConfig struct {
	// Store keeps the user's settings.
	Store core.SettingsStore
	// Presets are the admin's defaults and policies (core/preset reads
	// them): a policy's value is used whatever the user saved, a default
	// until the user changes it.
	Presets core.Presets
	// Connect returns the target of an environment. It is called when the
	// service starts and each time the environment or what it connects
	// through (addresses, proxy, certificates, their secrets) changes.
	Connect func(TargetSpec) Target
	// Secrets returns the keyring of an environment; nil means none.
	Secrets func(core.Environment) core.Secrets
	// NewChorus builds the PISTE client; nil disables read-back on Chorus
	// Pro.
	NewChorus func(ChorusConfig) Chorus
}

// Connection is the settings in effect, the secrets, and the target they
// connect to: the one place every other service asks where to send what.
//
// Readers never wait: the state is published whole through an atomic
// pointer (the screens' header reads it at every refresh, on the UI
// goroutine). A change (SaveSettings, a secret saved) builds the new
// target first, off any lock readers take, then publishes it.
type Connection struct {
	cfg   ConnectionConfig
	state atomic.Pointer[connState]
	// change serialises the writers, never the readers.
	change sync.Mutex
	// session holds the secrets the user chose to keep for this session
	// only, when no keyring answers. Nothing it holds reaches a file.
	session memsecrets.Store
	// read keeps the secrets read from the keyring, by environment and
	// name, in memory only: a keyring is asked once per secret (the
	// device token at every sign-in, the PISTE secrets at every token,
	// the INSEE key at every look-up would each cost a keyring call, 3 s
	// when it does not answer). Writes through this service update it.
	readMu sync.Mutex
	read   map[string]string

	listenMu  sync.Mutex
	listeners []func(core.Settings)
}

// connState is one published state: settings and target always agree.
type connState struct {
	settings core.Settings
	// effective is settings with where each value came from.
	effective core.Effective
	target    Target
	// chorus is the PISTE client of these settings and target, built on
	// first use and then kept (it keeps its OAuth token for its
	// lifetime); nil when the settings lack what it needs. chorusKey is
	// what it is built from.
	chorus    *lazyChorus
	chorusKey string
}

// lazyChorus builds a PISTE client once, when first asked for.
type lazyChorus struct {
	once  sync.Once
	build func() Chorus
	c     Chorus
}

func (l *lazyChorus) get() Chorus {
	l.once.Do(func() { l.c = l.build() })
	return l.c
}

// NewConnection loads the settings and connects to the environment they
// name.
func NewConnection(ctx context.Context, cfg ConnectionConfig) (*Connection, error) {
	c := &Connection{cfg: cfg}
	v, err := cfg.Store.Values(ctx)
	if err != nil {
		return nil, err
	}
	eff := cfg.Presets.Apply(v)
	c.state.Store(c.withChorus(&connState{settings: eff.Settings, effective: eff, target: c.build(eff.Settings)}, nil))
	return c, nil
}

// OnChange registers fn, called with the new settings after each change
// the user makes (the worker follows the environment and the requests in
// flight). It runs on the caller's goroutine of the change.
func (c *Connection) OnChange(fn func(core.Settings)) {
	c.listenMu.Lock()
	defer c.listenMu.Unlock()
	c.listeners = append(c.listeners, fn)
}

func (c *Connection) changed(set core.Settings) {
	c.listenMu.Lock()
	fns := append([]func(core.Settings){}, c.listeners...)
	c.listenMu.Unlock()
	for _, fn := range fns {
		fn(set)
	}
}

// build builds the target the settings name: HTTP clients, certificates,
// the proxy. It may read files (the extra certificates), so it never runs
// under a lock a reader takes.
func (c *Connection) build(set core.Settings) Target {
	env := set.Env()
	var t Target
	if c.cfg.Connect != nil {
		t = c.cfg.Connect(TargetSpec{Env: env, Settings: set, Secret: func(name string) func(context.Context) (string, error) {
			return c.secretOf(env, name)
		}})
	}
	t.Env, t.Key = env, set.TargetKey()
	return t
}

// Settings returns the settings in effect.
func (c *Connection) Settings() core.Settings { return c.state.Load().settings }

// Effective returns the settings in effect with the source of each value
// (built in, admin default, the user's, admin policy) and the presets that
// were ignored, for the settings screen and `onboardctl policy`.
func (c *Connection) Effective() core.Effective { return c.state.Load().effective }

// Target returns the environment in effect and what it connects to.
func (c *Connection) Target() Target { return c.state.Load().target }

// Env returns the environment in effect.
func (c *Connection) Env() core.Environment { return c.Target().Env }

// SaveSettings validates and keeps the settings, then switches to the
// environment they name; the worker follows at once. Settings the app
// cannot work with are refused with KindInvalid (CheckSettings).
func (c *Connection) SaveSettings(ctx context.Context, next core.Settings) error {
	if err := CheckSettings(next); err != nil {
		return err
	}
	if !c.cfg.Presets.Apply(nil).OfferSandbox && next.Env() == core.EnvLocal {
		return &core.E{Kind: core.KindInvalid, Code: "settings.sandbox_not_offered", Op: "save settings",
			Problems: core.Problems{{Field: core.SettingEnvironment, Code: "settings.sandbox_not_offered", Severity: core.Error}}}
	}
	c.change.Lock()
	defer c.change.Unlock()
	// Presets never change while the app runs.
	stored := c.cfg.Presets.UserValues(next)
	if err := c.cfg.Store.SaveValues(ctx, stored); err != nil {
		return err
	}
	// What is locked stays as the admin set it, whatever the screen sent.
	eff := c.cfg.Presets.Apply(stored)
	old := c.state.Load()
	st := &connState{settings: eff.Settings, effective: eff, target: old.target}
	keep := old
	if connectionOf(eff.Settings) != connectionOf(old.settings) {
		st.target, keep = c.build(eff.Settings), nil
	}
	c.state.Store(c.withChorus(st, keep))
	c.changed(eff.Settings)
	return nil
}

// reconnect builds the target again (a secret it reads once, such as the
// proxy's password, changed) and publishes it.
func (c *Connection) reconnect() {
	c.change.Lock()
	defer c.change.Unlock()
	old := c.state.Load()
	c.state.Store(c.withChorus(&connState{settings: old.settings, effective: old.effective, target: c.build(old.settings)}, nil))
	c.changed(old.settings)
}

// SaveSecrets stores secrets (name → value) in the environment's keyring.
// KindUnavailable or KindTimeout when no keyring answers: the caller asks
// the user whether to keep them for this session only
// (KeepSecretsForSession); never a file.
func (c *Connection) SaveSecrets(ctx context.Context, env core.Environment, secrets map[string]string) error {
	if c.cfg.Secrets == nil {
		return &core.E{Kind: core.KindUnavailable, Code: "keyring.unavailable", Op: "save secrets"}
	}
	kr := c.cfg.Secrets(env)
	for name, v := range secrets {
		c.remember(env, name, "")
		if err := kr.Set(ctx, name, v); err != nil {
			return err
		}
		c.remember(env, name, v)
	}
	if env == c.Env() {
		c.reconnect()
	}
	return nil
}

// KeepSecretsForSession keeps secrets in memory until the app quits, for a
// user whose computer has no keyring. It may block on building the target
// again (the proxy, the certificates): off the UI goroutine, as the rest.
func (c *Connection) KeepSecretsForSession(ctx context.Context, secrets map[string]string) error {
	for name, v := range secrets {
		if err := c.session.Set(ctx, name, v); err != nil {
			return err
		}
	}
	c.reconnect()
	return nil
}

// secret returns a secret of the environment in effect: from the keyring,
// else from the session.
func (c *Connection) secret(name string) func(context.Context) (string, error) {
	return c.secretOf(c.Env(), name)
}

// remember keeps a secret read from or written to env's keyring in
// memory; "" forgets it.
func (c *Connection) remember(env core.Environment, name, v string) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	key := string(env) + "\x00" + name
	if v == "" {
		delete(c.read, key)
		return
	}
	if c.read == nil {
		c.read = map[string]string{}
	}
	c.read[key] = v
}

// remembered returns a secret of env kept in memory, if any.
func (c *Connection) remembered(env core.Environment, name string) (string, bool) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	v, ok := c.read[string(env)+"\x00"+name]
	return v, ok
}

// secretOf returns a secret of env: from memory once read, else from its
// keyring, else from the session.
func (c *Connection) secretOf(env core.Environment, name string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		if v, ok := c.remembered(env, name); ok {
			return v, nil
		}
		if c.cfg.Secrets != nil {
			v, err := c.cfg.Secrets(env).Get(ctx, name)
			if err == nil {
				c.remember(env, name, v)
				return v, nil
			}
			if !errors.Is(err, core.ErrNotFound) && !errors.Is(err, core.ErrUnavailable) && !errors.Is(err, core.ErrTimeout) {
				return "", err
			}
		}
		v, err := c.session.Get(ctx, name)
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		return v, nil
	}
}

// device is this computer's trusted-computer entry on a portal, as the
// keyring keeps it: "e-mail\nid\ntoken".
type device struct {
	email, token string
	id           int64
}

// device returns this computer's entry on the environment in effect; the
// zero device when the keyring holds none (or cannot be read: the portal
// then asks for the second factor).
func (c *Connection) device(ctx context.Context) device {
	v, err := c.secret(core.SecretDeviceToken)(ctx)
	if err != nil {
		return device{}
	}
	f := strings.SplitN(v, "\n", 3)
	if len(f) != 3 {
		return device{}
	}
	id, _ := strconv.ParseInt(f[1], 10, 64)
	return device{email: f[0], id: id, token: f[2]}
}

// deviceToken returns this computer's device token for email, or "".
func (c *Connection) deviceToken(ctx context.Context, email string) string {
	if d := c.device(ctx); strings.EqualFold(d.email, strings.TrimSpace(email)) {
		return d.token
	}
	return ""
}

// saveDeviceToken keeps this computer's device token for email in the
// environment's keyring, replacing another account's: only there, never
// in a file or in the session's memory.
func (c *Connection) saveDeviceToken(ctx context.Context, email string, id int64, token string) error {
	if c.cfg.Secrets == nil {
		return &core.E{Kind: core.KindUnavailable, Code: "keyring.unavailable", Op: "trust this computer"}
	}
	env, v := c.Env(), strings.ToLower(strings.TrimSpace(email))+"\n"+strconv.FormatInt(id, 10)+"\n"+token
	c.remember(env, core.SecretDeviceToken, "")
	if err := c.cfg.Secrets(env).Set(ctx, core.SecretDeviceToken, v); err != nil {
		return err
	}
	c.remember(env, core.SecretDeviceToken, v)
	return nil
}

// forgetDevice removes this computer's entry when it is the device id.
func (c *Connection) forgetDevice(ctx context.Context, id int64) error {
	if c.cfg.Secrets == nil || c.device(ctx).id != id {
		return nil
	}
	c.remember(c.Env(), core.SecretDeviceToken, "")
	return c.cfg.Secrets(c.Env()).Delete(ctx, core.SecretDeviceToken)
}

// ThisDevice returns the id of this computer among the trusted computers
// of the environment in effect's portal (0: not trusted), to mark it in
// the list.
func (c *Connection) ThisDevice(ctx context.Context) int64 { return c.device(ctx).id }

// portal returns the onboarding API of the environment in effect, or a
// KindUnavailable error where there is none.
func (c *Connection) portal() (Portal, error) {
	t := c.Target()
	switch {
	case t.Err != nil:
		return nil, t.Err
	case t.Portal != nil:
		return t.Portal, nil
	}
	return nil, errNoPortal
}

// people returns the environment's portal of a structure's people.
func (c *Connection) people() (PeoplePortal, error) {
	t := c.Target()
	switch {
	case t.Err != nil:
		return nil, t.Err
	case t.People != nil:
		return t.People, nil
	}
	return nil, errNoPortal
}

// errNoPortal: the environment has no onboarding API (the real Chorus Pro)
// or the Local sandbox could not start.
var errNoPortal = &core.E{Kind: core.KindUnavailable, Code: "portal.none", Op: "reach the onboarding portal"}

// Health reports whether the environment's portal answers: how the app
// tells online from offline, by reaching it rather than guessing.
func (c *Connection) Health(ctx context.Context) error {
	p, err := c.portal()
	if err != nil {
		return err
	}
	return p.Health(ctx)
}

// chorus returns the PISTE client of the settings in effect (built once
// with them: its OAuth token lasts its lifetime), or a KindUnauthorized
// error ("handoff.no_credentials") when they are incomplete.
func (c *Connection) chorus() (Chorus, error) {
	st := c.state.Load()
	if st.chorus == nil {
		return nil, &core.E{Kind: core.KindUnauthorized, Code: "handoff.no_credentials", Op: "read back from chorus pro"}
	}
	if st.target.Err != nil {
		return nil, st.target.Err
	}
	return st.chorus.get(), nil
}

// withChorus sets st's PISTE client: keep's when it is of the same
// settings and target (keep nil: a new target), else a new one, built
// when first used.
func (c *Connection) withChorus(st, keep *connState) *connState {
	set := st.settings
	if c.cfg.NewChorus == nil || set.OAuthURL() == "" || set.APIURL() == "" || set.PISTEClientID == "" || set.TechnicalLogin == "" {
		return st
	}
	st.chorusKey = strings.Join([]string{set.OAuthURL(), set.APIURL(), set.PISTEClientID, set.TechnicalLogin}, "\x00")
	if keep != nil && keep.chorus != nil && keep.chorusKey == st.chorusKey {
		st.chorus = keep.chorus
		return st
	}
	env, hc, newChorus := st.target.Env, st.target.HTTP, c.cfg.NewChorus
	st.chorus = &lazyChorus{build: func() Chorus {
		return newChorus(ChorusConfig{OAuthURL: set.OAuthURL(), APIURL: set.APIURL(), ClientID: set.PISTEClientID,
			TechnicalLogin: set.TechnicalLogin, ClientSecret: c.secretOf(env, core.SecretPISTEClientSecret),
			TechnicalPassword: c.secretOf(env, core.SecretTechnicalPassword), HTTP: hc})
	}}
	return st
}

// CheckSettings refuses settings the app cannot work with, each problem
// on its field: an address that is not a web address or that would carry
// a credential in clear (core.CheckSettingURL), an unknown environment, a
// team portal without its address. The error is KindInvalid.
func CheckSettings(set core.Settings) error {
	var problems core.Problems
	if e := core.AsE(core.CheckSettingsURLs(set)); e != nil {
		problems = e.Problems
	}
	if c := strings.TrimSpace(set.Concurrency); c != "" && set.ConcurrencyN() == 0 {
		problems = append(problems, core.Problem{Field: core.SettingConcurrency, Code: "settings.concurrency", Severity: core.Error})
	}
	if set.Environment == core.EnvTeam && set.PortalURL == "" {
		problems = append(problems, core.Problem{Field: core.SettingPortalURL, Code: "settings.portal_url_missing", Severity: core.Error})
	}
	if len(problems) > 0 {
		return &core.E{Kind: core.KindInvalid, Code: problems[0].Code, Params: problems[0].Params, Op: "save settings", Problems: problems}
	}
	if set.Environment != "" && !set.Environment.Valid() {
		return &core.E{Kind: core.KindInvalid, Code: "settings.environment_unknown", Op: "save settings"}
	}
	return nil
}

// connection is what of the settings a target is built from: a change to
// any of it builds the target again.
type connection struct {
	env                                                      core.Environment
	portal, registry, insee, proxy, proxyUser, caFile, piste string
}

func connectionOf(set core.Settings) connection {
	return connection{env: set.Env(), portal: set.PortalURL, registry: set.RegistryURL, insee: set.INSEEURL,
		proxy: set.ProxyURL, proxyUser: set.ProxyUser, caFile: set.CAFile, piste: set.OAuthURL() + " " + set.APIURL()}
}
