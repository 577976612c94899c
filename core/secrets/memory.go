package secrets

import (
	"context"
	"sync"

	"github.com/chorusonboard/chorus-onboard/core"
)

// Memory is an in-memory core.Secrets for tests and for the "this session
// only" choice when no keyring is available: the secret lives in the
// process and is gone when it exits. Err, when set, is returned by every
// call instead (to test how callers handle a failing keyring).
type Memory struct {
	mu  sync.Mutex
	m   map[string]string
	Err error
}

var _ core.Secrets = (*Memory)(nil)

// Get returns name's value or a KindNotFound error.
func (s *Memory) Get(_ context.Context, name string) (string, error) {
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

// Set stores value, refusing values over MaxSize like the real keyring.
func (s *Memory) Set(_ context.Context, name, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	if len(value) > MaxSize {
		return &core.E{Kind: core.KindTooLarge, Code: "keyring.too_large", Op: "set secret " + name}
	}
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[name] = value
	return nil
}

// Delete removes name.
func (s *Memory) Delete(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	delete(s.m, name)
	return nil
}
