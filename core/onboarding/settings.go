package onboarding

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
)

// Settings returns the settings in effect.
func (s *Service) Settings() core.Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// Effective returns the settings in effect with the source of each value
// (built in, admin default, the user's, admin policy) and the presets that
// were ignored, for the settings screen and `onboardctl policy`.
func (s *Service) Effective() core.Effective {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.effective
}

// SaveSettings validates and keeps the settings, then switches to the
// environment they name; the worker follows at once. Settings the app
// cannot work with are refused with KindInvalid (CheckSettings).
func (s *Service) SaveSettings(ctx context.Context, next core.Settings) error {
	if err := CheckSettings(next); err != nil {
		return err
	}
	if !s.cfg.Presets.Apply(nil).OfferSandbox && next.Env() == core.EnvLocal {
		return &core.E{Kind: core.KindInvalid, Code: "settings.sandbox_not_offered", Op: "save settings",
			Problems: core.Problems{{Field: core.SettingEnvironment, Code: "settings.sandbox_not_offered", Severity: core.Error}}}
	}
	// Presets never change while the app runs: no lock needed.
	stored := s.cfg.Presets.UserValues(next)
	if err := s.cfg.Store.SaveSettings(ctx, stored); err != nil {
		return err
	}
	// What is locked stays as the admin set it, whatever the screen sent.
	eff := s.cfg.Presets.Apply(stored)
	next = eff.Settings
	s.worker.SetConcurrency(next.ConcurrencyN())
	s.mu.Lock()
	changed := connectionOf(next) != connectionOf(s.settings)
	s.settings, s.effective = next, eff
	if changed {
		s.target = s.connect(next)
	}
	s.mu.Unlock()
	if changed {
		s.Notify()
	}
	return nil
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

// reconnect builds the target again (a secret it reads once, such as the
// proxy's password, changed).
func (s *Service) reconnect() {
	s.mu.Lock()
	s.target = s.connect(s.settings)
	s.mu.Unlock()
	s.Notify()
}

// SaveSecrets stores secrets (name → value) in the environment's keyring.
// KindUnavailable or KindTimeout when no keyring answers: the caller asks
// the user whether to keep them for this session only
// (KeepSecretsForSession); never a file.
func (s *Service) SaveSecrets(ctx context.Context, env core.Environment, secrets map[string]string) error {
	if s.cfg.Secrets == nil {
		return &core.E{Kind: core.KindUnavailable, Code: "keyring.unavailable", Op: "save secrets"}
	}
	kr := s.cfg.Secrets(env)
	for name, v := range secrets {
		if err := kr.Set(ctx, name, v); err != nil {
			return err
		}
	}
	if env == s.Env() {
		s.reconnect()
	}
	return nil
}

// KeepSecretsForSession keeps secrets in memory until the app quits, for a
// user whose computer has no keyring.
func (s *Service) KeepSecretsForSession(secrets map[string]string) error {
	for name, v := range secrets {
		if err := s.session.Set(context.Background(), name, v); err != nil {
			return err
		}
	}
	s.reconnect()
	return nil
}

// secret returns a secret of the environment in effect: from the keyring,
// else from the session.
func (s *Service) secret(name string) func(context.Context) (string, error) {
	return s.secretOf(s.Env(), name)
}

// secretOf returns a secret of env: from its keyring, else from the
// session.
func (s *Service) secretOf(env core.Environment, name string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		if s.cfg.Secrets != nil {
			v, err := s.cfg.Secrets(env).Get(ctx, name)
			if err == nil {
				return v, nil
			}
			if !errors.Is(err, core.ErrNotFound) && !errors.Is(err, core.ErrUnavailable) && !errors.Is(err, core.ErrTimeout) {
				return "", err
			}
		}
		v, err := s.session.Get(ctx, name)
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		return v, nil
	}
}
