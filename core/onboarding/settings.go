package onboarding

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/chorusonboard/chorus-onboard/core"
)

// Settings returns the settings in effect.
func (s *Service) Settings() core.Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// SaveSettings validates and keeps the settings, then switches to the
// environment they name; the worker follows at once. A URL that is not http(s) is
// refused with KindInvalid ("settings.url").
func (s *Service) SaveSettings(ctx context.Context, next core.Settings) error {
	for field, u := range map[string]string{core.SettingPISTEOAuthURL: next.PISTEOAuthURL, core.SettingPISTEAPIURL: next.PISTEAPIURL} {
		if u == "" {
			continue
		}
		if err := CheckURL(u); err != nil {
			err.Problems = core.Problems{{Field: field, Code: err.Code, Severity: core.Error}}
			return err
		}
	}
	if next.Environment != "" && !next.Environment.Valid() {
		return &core.E{Kind: core.KindInvalid, Code: "settings.environment_unknown", Op: "save settings"}
	}
	if err := s.cfg.Store.SaveSettings(ctx, next.Values()); err != nil {
		return err
	}
	s.mu.Lock()
	changed := next.Env() != s.target.Env
	s.settings = next
	if changed {
		s.target = s.connect(next.Env())
	}
	s.mu.Unlock()
	if changed {
		s.Notify()
	}
	return nil
}

// CheckURL refuses an address the app cannot talk to: not absolute, or
// not http(s), or with credentials in it (they would be logged and kept in
// clear).
func CheckURL(raw string) *core.E {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return &core.E{Kind: core.KindInvalid, Code: "settings.url", Op: "check url"}
	}
	return nil
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
	return nil
}

// secret returns a secret of the environment in effect: from the keyring,
// else from the session.
func (s *Service) secret(name string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		if s.cfg.Secrets != nil {
			v, err := s.cfg.Secrets(s.Env()).Get(ctx, name)
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
