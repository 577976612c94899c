// Command chorus-onboard is the Chorus Onboard desktop application. This
// package is the composition root: it opens the store, starts the Local
// sandbox (chorus-sim in-process on loopback), builds the application layer
// with the clients of each environment, creates the Fyne app with its ID,
// icon and metadata, and hands everything to package ui. It is the only
// package that imports fyne.io/fyne/v2/app (and so the cgo drivers).
package main

import (
	"context"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/chorusonboard/chorus-onboard/assets"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/buildinfo"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/outbox"
	"github.com/chorusonboard/chorus-onboard/core/preset"
	"github.com/chorusonboard/chorus-onboard/core/secrets"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/memreport"
	"github.com/chorusonboard/chorus-onboard/ui"
)

// syncInterval is how often the worker looks again when nothing woke it:
// it is also how it notices that the portal is back.
const syncInterval = 30 * time.Second

func main() {
	if code, done := cli(os.Args[1:], os.Stdout, os.Stderr); done {
		os.Exit(code)
	}
	profileStart()
	memreport.StartFromEnv()
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
	system := i18n.System(os.Getenv)

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	starting := connect.NewStarting()
	svc, runSandbox, closeAll, err := build(ctx, starting)
	if err != nil {
		// Say it in the window: an app started from a menu has no terminal.
		log.Printf("chorus-onboard: %v", err)
		dir, _ := localfs.DataDir()
		ui.ShowStartupError(a, w, err, dir, system)
		w.ShowAndRun()
		return
	}
	u := ui.New(a, w, ui.Deps{Connection: svc.Connection, Sync: svc.Sync, Accounts: svc.Accounts, Structures: svc.Structures,
		Workspace: svc.Workspace, Reform: svc.Reform, Attachments: svc.Attachments, People: svc.People, Handoff: svc.Handoff, SystemLang: system,
		Firm: svc.Firm, FirmAdmin: svc.FirmAdmin})
	// The one outbox worker: it sends what is queued while the portal
	// answers, and keeps the status line current.
	stopWorker := svc.Sync.Start(ctx, syncInterval, func(st outbox.Status) {
		fyne.Do(func() {
			u.Status().ShowSync(st.Online, st.Pending)
			u.NotifyBatch(ui.SyncResult{Sent: st.Last.Sent, Created: st.Last.Created, Attachments: st.Last.Attachments, Failed: st.Last.Failed})
		})
	})
	// The firm's shared workspace, when the desktop is in a firm: the
	// colleagues' changes arrive as they commit, ours leave as they are
	// made; the status line and the workspace follow.
	watchCtx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		svc.Firm.Watch(watchCtx, func(st onboarding.FirmStatus) { fyne.Do(func() { u.ShowFirm(st) }) })
	}()
	showFirm := func() {
		st := svc.Firm.Status(watchCtx)
		fyne.Do(func() { u.ShowFirm(st) })
	}
	onStarted := []func(){func() { go showFirm() }}
	if runSandbox != nil {
		// After the first frame: the window is not kept waiting for the
		// sandbox's database. A request that comes first waits for it,
		// and the status line says the sandbox is starting.
		starting.Watch(func(waiting bool) { fyne.Do(func() { u.Status().ShowSandboxStarting(waiting) }) })
		onStarted = append(onStarted, func() { go runSandbox() })
	}
	// Once the first screen is drawn, the memory its building used and
	// let go (fonts parsed, the workspace's rows read) goes back to the
	// system at once rather than over minutes: a window left open all
	// day holds only what it uses.
	onStarted = append(onStarted, func() { time.AfterFunc(time.Second, debug.FreeOSMemory) })
	a.Lifecycle().SetOnStarted(func() {
		for _, f := range onStarted {
			f()
		}
	})
	w.ShowAndRun()
	// The window is closed. The worker stops first (and is waited for),
	// then the store and the sandbox it was writing to and sending to.
	stopWatch()
	<-watched
	stopWorker()
	closeAll()
}

// build opens the store, reserves the Local sandbox's address and returns
// the application layer over them, with the function that starts the
// sandbox (nil when there is none: main runs it once the window is up)
// and the one that closes everything. The sandbox's requests wait for
// starting, which the sandbox says Done once it serves or failed.
func build(ctx context.Context, starting *connect.Starting) (svc onboarding.Services, startLater, closeAll func(), err error) {
	dir, err := localfs.DataDir()
	if err != nil {
		return onboarding.Services{}, nil, nil, err
	}
	if os.Getenv(localfs.DataDirEnv) == "" {
		// The platform's own data directory, to its user only (an ACL on
		// Windows); one an admin named may be shared and is left as it is.
		if tightened, err := localfs.EnsureDataDir(dir); err != nil {
			return onboarding.Services{}, nil, nil, err
		} else if tightened {
			log.Printf("chorus-onboard: %s was open to other users: it is now readable by you only", dir)
		}
	}
	store, err := sqlite.Open(ctx, filepath.Join(dir, localfs.DatabaseFile))
	if err != nil {
		return onboarding.Services{}, nil, nil, err
	}
	closers := []func(){func() { store.Close() }}
	closeAll = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	// The admin's presets, read once: a bad one is reported on the status
	// line and ignored, never a reason not to start.
	presets := preset.System().ReadPresets()
	var sandbox string
	if !presets.Apply(nil).OfferSandbox {
		// An admin removed the Local sandbox: nothing listens on loopback.
	} else if base, run, stopSandbox, err := startSandbox(ctx, filepath.Join(dir, localfs.SandboxDir), starting.Done); err != nil {
		// The app still works: drafts are kept, and the status line says
		// the portal cannot be reached.
		log.Printf("chorus-onboard: local sandbox: %v", err)
	} else {
		closers = append(closers, stopSandbox)
		sandbox, startLater = base, run
	}
	svc, err = onboarding.New(ctx, connect.Stores(store), onboarding.Config{
		NewOpID: sqlite.NewOpID, SpoolDir: dir, Presets: presets,
		Connect:   connect.Targets(connect.Options{Sandbox: sandbox, SandboxStarting: starting}),
		Secrets:   func(env core.Environment) core.Secrets { return secrets.New(assets.AppID, env) },
		NewChorus: connect.NewChorus,
		// The firm's server, reached through the proxy the environment
		// variables name; what it did not accept is saved beside the
		// database when the desktop leaves.
		ConnectFirm: connect.Firm(connect.Options{}), DataDir: dir, DeviceName: deviceName(),
	})
	if err != nil {
		closeAll()
		return svc, nil, nil, err
	}
	return svc, startLater, closeAll, nil
}

// startSandbox reserves the Local sandbox's loopback port, where a new
// user can go through the whole flow with no account anywhere, and
// returns its address at once; run starts chorus-sim in-process on it.
// main calls run once the window is up: opening the sandbox's database
// is not on the way to the first frame, and a client that asks before
// it is ready waits for done (connect.Starting), never refused. If it
// cannot start, the listener closes and clients see the sandbox
// unreachable, as any portal down. run calls done once the sandbox serves
// or never will, and so does stop.
func startSandbox(ctx context.Context, dir string, done func()) (base string, run, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, nil, err
	}
	base = "http://" + ln.Addr().String()
	var mu sync.Mutex
	var hs *http.Server
	var srv *sim.Server
	stopped := false
	run = func() {
		// As Chorus Pro and a team portal do, the sandbox asks for a
		// second factor at sign-in: a new user tries that step too.
		s, err := sim.New(ctx, sim.Config{DataDir: dir, Sandbox: true,
			PISTEClients:      map[string]string{"sandbox": "sandbox"},
			TechnicalAccounts: map[string]string{"TECH_1_SANDBOX@cpro.fr": "sandbox"}})
		mu.Lock()
		defer mu.Unlock()
		defer done() // after the listener closed or Serve began: never before
		switch {
		case err != nil:
			log.Printf("chorus-onboard: local sandbox: %v", err)
			_ = ln.Close()
			return
		case stopped:
			s.Close()
			return
		}
		s.SetBaseURL(base)
		srv, hs = s, sim.NewHTTPServer(s.Handler(), sim.HTTPLimits{})
		// Serve returns only once the listener is closed (stop): a failed
		// accept is logged and tried again (sim.KeepAccepting).
		go func() { _ = hs.Serve(sim.KeepAccepting(ln, slog.Default())) }()
	}
	stop = func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		defer done()
		if hs == nil {
			_ = ln.Close()
			return
		}
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		srv.Close()
	}
	return base, run, stop, nil
}

// deviceName names this computer in the firm's history.
func deviceName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		return "Chorus Onboard"
	}
	return "Chorus Onboard (" + host + ")"
}
