// Command chorus-onboard is the Chorus Onboard desktop application. This
// package is the composition root: it opens the store, starts the Local
// sandbox (chorus-sim in-process on loopback), creates the Fyne app with its
// ID, icon and metadata, and hands everything to package ui. It is the only
// package that imports fyne.io/fyne/v2/app (and so the cgo drivers).
package main

import (
	"context"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/chorusonboard/chorus-onboard/assets"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/buildinfo"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/secrets"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	coresync "github.com/chorusonboard/chorus-onboard/core/sync"
	"github.com/chorusonboard/chorus-onboard/ui"
)

func main() {
	icon := fyne.NewStaticResource("icon.png", assets.Icon)
	// The binary is built by go build, so the metadata fyne package would
	// inject from FyneApp.toml is set here instead.
	app.SetMetadata(fyne.AppMetadata{
		ID: assets.AppID, Name: "Chorus Onboard", Version: buildinfo.Version(), Icon: icon,
		Release: true, Migrations: map[string]bool{"fyneDo": true},
	})
	a := app.NewWithID(assets.AppID)
	a.SetIcon(icon)
	w := a.NewWindow("Chorus Onboard")

	ctx := context.Background()
	var worker *coresync.Worker
	deps := ui.Deps{Env: core.EnvLocal, Sandbox: true, NewOpID: sqlite.NewOpID,
		SecretsFor: func(env core.Environment) core.Secrets { return secrets.New(assets.AppID, env) },
		NewChorus: func(c ui.ChorusConfig) ui.Chorus {
			return portal.NewPISTE(portal.PISTEConfig{OAuthURL: c.OAuthURL, APIURL: c.APIURL, ClientID: c.ClientID,
				ClientSecret: c.ClientSecret, TechnicalLogin: c.TechnicalLogin, TechnicalPassword: c.TechnicalPassword})
		}}
	if dir, err := core.DataDir(); err != nil {
		log.Printf("chorus-onboard: no data directory: %v", err)
	} else {
		if store, err := sqlite.Open(ctx, filepath.Join(dir, core.DatabaseFile)); err != nil {
			log.Printf("chorus-onboard: open store: %v", err)
		} else {
			defer store.Close()
			deps.Store = store
		}
		if base, stop, err := startSandbox(ctx, filepath.Join(dir, "sandbox")); err != nil {
			log.Printf("chorus-onboard: local sandbox: %v", err)
		} else {
			defer stop()
			client := portal.NewOnboarding(base, nil)
			deps.Portal = client
			deps.Registry = portal.NewRegistry(base+"/registry", base+"/insee/api-sirene/3.11", nil, nil)
			if deps.Store != nil {
				worker = coresync.New(deps.Store, client)
				deps.SyncNow = func(ctx context.Context) error { _, err := worker.RunOnce(ctx); return err }
			}
		}
	}
	u := ui.New(a, w, deps)
	if p, ok := deps.Portal.(*portal.Onboarding); ok && deps.Store != nil {
		// Refusals are stored in the user's language.
		worker.Lang = u.Lang()
		// The background worker: sends what is queued when the portal
		// answers, and keeps the status line current.
		bg := coresync.New(deps.Store, p)
		bg.Lang = u.Lang()
		runCtx, stop := context.WithCancel(ctx)
		defer stop()
		go bg.Run(runCtx, p, 30*time.Second, func(st coresync.Status) {
			fyne.Do(func() {
				u.ShowSyncStatus(st.Online, st.Pending, st.Failed)
				u.NotifyBatch(ui.SyncResult{Sent: st.Last.Sent, Created: st.Last.Created, Attachments: st.Last.Attachments, Failed: st.Last.Failed})
			})
		})
	}
	w.ShowAndRun()
}

// startSandbox runs chorus-sim in-process on a free loopback port: the Local
// sandbox, where a new user can go through the whole flow with no account
// anywhere.
func startSandbox(ctx context.Context, dir string) (base string, stop func(), err error) {
	srv, err := sim.New(ctx, sim.Config{DataDir: dir, Sandbox: true,
		PISTEClients:      map[string]string{"sandbox": "sandbox"},
		TechnicalAccounts: map[string]string{"TECH_1_SANDBOX@cpro.fr": "sandbox"}})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return "", nil, err
	}
	base = "http://" + ln.Addr().String()
	srv.SetBaseURL(base)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return base, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		srv.Close()
	}, nil
}
