// Package memsecrets is a core.Secrets that keeps values in the process only:
// for the "this session only" choice a user makes when no keyring answers,
// and for tests. Nothing it holds reaches a file. It is apart from
// core/secrets so that what uses it does not link the keyring's client.
package memsecrets

import (
	"context"
	"sync"

	"github.com/chorusonboard/chorus-onboard/core"
)

// Store keeps secrets in memory, refusing what a keyring would refuse.
// Err, when set, is returned by every call instead (to test callers
// against a failing keyring). The zero value is ready to use.
type Store struct {
	mu  sync.Mutex
	m   map[string]string
	Err error
}

var _ core.Secrets = (*Store)(nil)

// Get returns name's value or a KindNotFound error.
func (s *Store) Get(_ context.Context, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return "", s.Err
	}
	v, ok := s.m[name]
	if !ok {
		return "", &core.E{Kind: core.KindNotFound, Code: "keyring.not_found", Op: "get secret " + name}
	}
	return v, nil
}

// Set stores value, refusing values over core.MaxSecretSize like a
// keyring.
func (s *Store) Set(_ context.Context, name, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	if len(value) > core.MaxSecretSize {
		return &core.E{Kind: core.KindTooLarge, Code: "keyring.too_large", Op: "set secret " + name}
	}
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[name] = value
	return nil
}

// Delete removes name.
func (s *Store) Delete(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	delete(s.m, name)
	return nil
}
