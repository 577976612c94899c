package memsecrets

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
)

func TestStore(t *testing.T) {
	var m Store
	ctx := context.Background()
	if _, err := m.Get(ctx, "a"); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("the zero value: %v", err)
	}
	if err := m.Set(ctx, "a", "1"); err != nil {
		t.Fatal(err)
	}
	if v, err := m.Get(ctx, "a"); v != "1" || err != nil {
		t.Fatal(v, err)
	}
	if err := m.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get(ctx, "a"); core.KindOf(err) != core.KindNotFound {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		size int
		kind core.Kind
	}{{core.MaxSecretSize, 0}, {core.MaxSecretSize + 1, core.KindTooLarge}} {
		err := m.Set(ctx, "b", strings.Repeat("x", tt.size))
		if (tt.kind == 0) != (err == nil) || (err != nil && core.KindOf(err) != tt.kind) {
			t.Errorf("%d bytes: %v", tt.size, err)
		}
	}
	m.Err = errors.New("keyring locked")
	for name, err := range map[string]error{
		"get": func() error { _, err := m.Get(ctx, "b"); return err }(), "set": m.Set(ctx, "b", "x"), "delete": m.Delete(ctx, "b"),
	} {
		if err != m.Err {
			t.Errorf("%s: %v, want the failure set", name, err)
		}
	}
}
