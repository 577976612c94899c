package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestSandboxStartsAfterTheWindow: the Local sandbox's address is known at
// once, a request made before it runs waits (the status line is told)
// and is answered once it runs; one that cannot start, or is stopped
// before it ran, lets its waiting requests go on to a closed port rather
// than keep them waiting.
func TestSandboxStartsAfterTheWindow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		broken bool // the sandbox's data directory cannot be created
		stop   bool // the app closes before the sandbox ran
		answer bool
	}{
		{name: "starts", answer: true},
		{name: "cannot start", broken: true},
		{name: "stopped first", stop: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(testos.TempDir(t), "sandbox")
			if tc.broken {
				// A file where the directory should be.
				if err := os.WriteFile(dir, []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			starting := connect.NewStarting()
			base, run, stop, err := startSandbox(ctx, dir, starting.Done)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			told := make(chan bool, 4)
			starting.Watch(func(waiting bool) { told <- waiting })
			target := connect.Targets(connect.Options{Sandbox: base, SandboxStarting: starting})(
				onboarding.TargetSpec{Env: core.EnvLocal})
			errc := make(chan error, 1)
			go func() { errc <- target.Portal.Health(ctx) }()
			if !<-told {
				t.Fatal("the first request was not reported waiting")
			}
			if tc.stop {
				stop()
			} else {
				run()
			}
			err = <-errc
			if tc.answer != (err == nil) {
				t.Fatalf("health: %v", err)
			}
			if e := core.AsE(err); err != nil && (e == nil || e.Kind != core.KindUnavailable) {
				t.Fatalf("got %v, want the portal unavailable", err)
			}
			if <-told {
				t.Fatal("still reported waiting")
			}
		})
	}
}
