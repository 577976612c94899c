package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/firm"
	"github.com/chorusonboard/chorus-onboard/core/memsecrets"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
)

// The firm's shared workspace (issue 31): joining a firm of 10,000
// clients, a change seen from one desktop on another, and 20 desktops
// changing one firm's clients at once. The firm's server runs in a child
// process (its memory is measured there), the desktops in this one or, to
// measure one desktop's memory, in a child of their own.

// Child processes of the firm's figures, by their environment.
const (
	firmServerEnv = "CHORUS_BENCH_FIRM_SERVER" // the data directory: serve chorus-sim there
	firmDeskEnv   = "CHORUS_BENCH_FIRM_DESK"   // "join URL" or "local N": one desktop, its memory said
	firmDBEnv     = "CHORUS_BENCH_FIRM_DB"     // the PostgreSQL URL the firms are kept on ("": the data directory)
)

const firmPassword = "Tr0ub4dor&3x-Lune"

// firmServerChild serves chorus-sim on dir until killed, its address on
// the first line.
func firmServerChild(dir string) error {
	defer childProfile("server")()
	srv, err := sim.New(context.Background(), sim.Config{DataDir: dir, Database: os.Getenv(firmDBEnv), SecondFactorOff: true, PasswordIterations: 1000})
	if err != nil {
		return err
	}
	hs := httptest.NewServer(srv.Handler())
	srv.SetBaseURL(hs.URL)
	fmt.Println(hs.URL)
	// Until the bench ends it: SIGTERM lets the profile be written.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	<-stop
	return nil
}

// childProfileEnv names a directory where each child process of the
// firm's figures (the server, each desktop) writes a CPU profile,
// ROLE-PID.prof, for go tool pprof: where a figure's time goes.
const childProfileEnv = "BENCH_CHILD_PROFILE"

// childProfile starts the child's CPU profile when childProfileEnv asks
// for it and returns what stops and writes it.
func childProfile(role string) (stop func()) {
	dir := os.Getenv(childProfileEnv)
	if dir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%d.prof", role, os.Getpid())))
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// firmServer is the firm's server: one child process, or several on one
// PostgreSQL database (instances behind a load balancer).
type firmServer struct {
	dir, url string
	urls     []string
	cmds     []*exec.Cmd
	ops      *firm.Server
	seed     *sim.Server
}

// startFirmServer starts the firm's server in a child process, with
// accounts for the emails given, and opens the operator's handle; the
// portal is kept on the PostgreSQL of firmDB when it is set, and then
// served by instances processes (1 on SQLite).
func startFirmServer(ctx context.Context, emails []string, firmDB string, instances ...int) (*firmServer, error) {
	n := 1
	if len(instances) > 0 && firmDB != "" {
		n = instances[0]
	}
	dir, err := os.MkdirTemp("", "bench-firm-*")
	if err != nil {
		return nil, err
	}
	seed, err := sim.New(ctx, sim.Config{DataDir: dir, Database: firmDB, SweepInterval: -1, PasswordIterations: 1000})
	if err != nil {
		return nil, err
	}
	for _, e := range emails {
		if err := seed.SeedPerson(ctx, e, firmPassword, strings.Split(e, "@")[0], "Bench"); err != nil {
			return nil, err
		}
	}
	s := &firmServer{dir: dir, ops: seed.Firm(), seed: seed}
	for range n {
		cmd := exec.CommandContext(ctx, os.Args[0])
		cmd.Env = append(os.Environ(), firmServerEnv+"="+dir, firmDBEnv+"="+firmDB)
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		s.cmds = append(s.cmds, cmd)
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			s.close()
			return nil, fmt.Errorf("firm server: %v", err)
		}
		s.urls = append(s.urls, strings.TrimSpace(line))
	}
	s.url = s.urls[0]
	return s, nil
}

// close stops the server and removes its data.
func (s *firmServer) close() {
	for _, c := range s.cmds {
		// SIGTERM first: a server asked for its profile writes it.
		_ = c.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = c.Process.Kill()
			}
		}()
		_ = c.Wait()
		close(done)
	}
	s.seed.Close()
	os.RemoveAll(s.dir)
}

// rss returns a process's resident memory and its peak, in bytes (Linux).
func rss(pid int) (now, peak int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			now = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return now, peak
}

// benchTransport times the writes of the desktops, for the p50 and p99,
// and counts the requests that failed (no answer, or a 5xx).
type benchTransport struct {
	mu     sync.Mutex
	times  []time.Duration
	errors int
	base   http.RoundTripper
}

func (t *benchTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	res, err := t.base.RoundTrip(r)
	t.mu.Lock()
	if r.Method != http.MethodGet {
		t.times = append(t.times, time.Since(start))
	}
	if err != nil || res.StatusCode >= 500 {
		t.errors++
	}
	t.mu.Unlock()
	return res, err
}

// firmDesk is one accountant's desktop on a store of its own.
type firmDesk struct {
	svc   onboarding.Services
	store *sqlite.DB
	dir   string
}

// newFirmDesk opens a desktop whose firm requests go through hc (nil: a
// default client).
func newFirmDesk(ctx context.Context, hc *http.Client) (*firmDesk, error) {
	dir, err := os.MkdirTemp("", "bench-desk-*")
	if err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "onboard.db"))
	if err != nil {
		return nil, err
	}
	keyring := &memsecrets.Store{}
	svc, err := onboarding.New(ctx, connect.Stores(st), onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: dir, DataDir: dir,
		Connect: func(onboarding.TargetSpec) onboarding.Target { return onboarding.Target{} },
		Secrets: func(core.Environment) core.Secrets { return keyring },
		ConnectFirm: func(url string) onboarding.FirmConn {
			c := portal.NewOnboarding(url, hc)
			return onboarding.FirmConn{Auth: c, API: c.Firm()}
		}})
	if err != nil {
		st.Close()
		return nil, err
	}
	return &firmDesk{svc: svc, store: st, dir: dir}, nil
}

func (d *firmDesk) close() { d.store.Close(); os.RemoveAll(d.dir) }

// join signs the desktop in as email and joins its firm.
func (d *firmDesk) join(ctx context.Context, url, email string) error {
	if _, err := d.svc.Firm.SignIn(ctx, url, email, firmPassword); err != nil {
		return err
	}
	_, err := d.svc.Firm.Join(ctx, true, nil)
	return err
}

// clientDrafts are n clients as an accountant's list holds them.
func clientDrafts(ids []string) []core.SaveStructure {
	out := make([]core.SaveStructure, len(ids))
	for i, id := range ids {
		out[i] = core.SaveStructure{Checked: core.CheckStructure(core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: id,
			Kind: core.KindPrivate, CompanyName: fmt.Sprintf("Société %d", i), Address: fmt.Sprintf("%d rue de la Paix", i%200+1),
			City: "Paris", PostalCode: "75002", Email: fmt.Sprintf("compta%d@client.example", i)})}
	}
	return out
}

// seedFirm creates a firm whose admin's desktop brings n clients into it.
func seedFirm(ctx context.Context, s *firmServer, admin string, members []string, n int) error {
	if err := s.ops.CreateFirm(ctx, "Cabinet Bench", admin); err != nil {
		return err
	}
	for _, m := range members {
		if err := s.ops.AddMember(ctx, "Cabinet Bench", m, api.FirmEveryClient); err != nil {
			return err
		}
	}
	d, err := newFirmDesk(ctx, &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}})
	if err != nil {
		return err
	}
	defer d.close()
	if _, err := d.store.Structures.SaveStructures(ctx, clientDrafts(coretest.SIRETs(n))); err != nil {
		return err
	}
	if err := d.join(ctx, s.url, admin); err != nil {
		return err
	}
	for d.svc.Firm.Status(ctx).Pending > 0 {
		if _, err := d.svc.Firm.Sync(ctx); err != nil {
			return err
		}
	}
	return nil
}

// firmDeskChild is one desktop in a process of its own: it joins the firm
// at url ("join URL"), or imports n local clients ("local N"), then says
// how long it took and its resident memory once settled.
func firmDeskChild(ctx context.Context, what string) error {
	defer childProfile("desk")()
	f := strings.Fields(what)
	d, err := newFirmDesk(ctx, nil)
	if err != nil {
		return err
	}
	defer d.close()
	start := time.Now()
	switch f[0] {
	case "join":
		err = d.join(ctx, f[1], "reader@cabinet.example")
	case "local":
		n, _ := strconv.Atoi(f[1])
		_, err = d.store.Structures.SaveStructures(ctx, clientDrafts(coretest.SIRETs(n)))
	}
	if err != nil {
		return err
	}
	took := time.Since(start)
	// The workspace's list as the app would show it: every row read.
	if _, err := d.svc.Workspace.QueryStructures(ctx, core.StructureQuery{}); err != nil {
		return err
	}
	runtime.GC()
	now, _ := rss(os.Getpid())
	fmt.Printf("%d %d\n", took.Microseconds(), now)
	return nil
}

// runDeskChild runs firmDeskChild in a child process.
func runDeskChild(ctx context.Context, what string) (time.Duration, int64, error) {
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), firmDeskEnv+"="+what)
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, fmt.Errorf("desk %q: %v", what, err)
	}
	var us, mem int64
	if _, err := fmt.Sscan(string(out), &us, &mem); err != nil {
		return 0, 0, fmt.Errorf("desk %q said %q", what, out)
	}
	return time.Duration(us) * time.Microsecond, mem, nil
}

// firmJoin measures joining a firm of n clients against reading the same
// rows from the server's store and inserting them in one local
// transaction, and the desktop's memory afterwards against n local
// clients.
func firmJoin(ctx context.Context, runs, n int) error {
	s, err := startFirmServer(ctx, []string{"admin@cabinet.example", "reader@cabinet.example"}, "")
	if err != nil {
		return err
	}
	defer s.close()
	if err := seedFirm(ctx, s, "admin@cabinet.example", []string{"reader@cabinet.example"}, n); err != nil {
		return err
	}
	var joins, anchors []time.Duration
	var joinMem, localMem []int64
	for range runs {
		d, m, err := runDeskChild(ctx, "join "+s.url)
		if err != nil {
			return err
		}
		joins, joinMem = append(joins, d), append(joinMem, m)
		_, m, err = runDeskChild(ctx, fmt.Sprintf("local %d", n))
		if err != nil {
			return err
		}
		localMem = append(localMem, m)
		a, err := readAndInsert(ctx, filepath.Join(s.dir, firm.DatabaseFile))
		if err != nil {
			return err
		}
		anchors = append(anchors, a)
	}
	line(fmt.Sprintf("join a firm of %d clients", n), ms(median(joins)), ms(median(anchors)), "ms", "reads and merges")
	line(fmt.Sprintf("desktop memory after the join vs %d local", n), float64(medianInt(joinMem)>>20), float64(medianInt(localMem)>>20),
		"MiB", "≤ 1.10×")
	return nil
}

func medianInt(xs []int64) int64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// readAndInsert is the join's anchor: the firm's clients read from the
// server's store and inserted into a new local table in one transaction.
func readAndInsert(ctx context.Context, firmDB string) (time.Duration, error) {
	start := time.Now()
	src, err := sql.Open("sqlite", "file:"+firmDB+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer src.Close()
	dir, err := os.MkdirTemp("", "bench-anchor-*")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	dst, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "a.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		return 0, err
	}
	defer dst.Close()
	if _, err := dst.ExecContext(ctx, `CREATE TABLE client (id INTEGER PRIMARY KEY, identifier TEXT UNIQUE, company_name TEXT, address TEXT,
		city TEXT, postal_code TEXT, email TEXT, revision INTEGER, fields TEXT)`); err != nil {
		return 0, err
	}
	rows, err := src.QueryContext(ctx, `SELECT id, fields, revision FROM client WHERE deleted = 0 ORDER BY position`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	tx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO client VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id, rev int64
		var fields string
		if err := rows.Scan(&id, &fields, &rev); err != nil {
			return 0, err
		}
		var f map[string]string
		if err := json.Unmarshal([]byte(fields), &f); err != nil {
			return 0, err
		}
		if _, err := stmt.ExecContext(ctx, id, f[core.FieldIdentifier], f[core.FieldCompanyName], f[core.FieldAddress], f[core.FieldCity],
			f[core.FieldPostalCode], f[core.FieldEmail], rev, fields); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return time.Since(start), tx.Commit()
}

// firmLatency measures how long a change made on one desktop takes to
// show on another, both online and keeping in step (Firm.Watch), against
// one request's round trip to the same server.
func firmLatency(ctx context.Context, samples int) error {
	s, err := startFirmServer(ctx, []string{"ana@cabinet.example", "bob@cabinet.example"}, "")
	if err != nil {
		return err
	}
	defer s.close()
	if err := seedFirm(ctx, s, "ana@cabinet.example", []string{"bob@cabinet.example"}, 100); err != nil {
		return err
	}
	var desks [2]*firmDesk
	for i, who := range []string{"ana@cabinet.example", "bob@cabinet.example"} {
		if desks[i], err = newFirmDesk(ctx, nil); err != nil {
			return err
		}
		defer desks[i].close()
		if err := desks[i].join(ctx, s.url, who); err != nil {
			return err
		}
	}
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, d := range desks {
		wg.Go(func() { d.svc.Firm.Watch(wctx, nil) })
	}
	defer func() { stop(); wg.Wait() }()
	time.Sleep(500 * time.Millisecond) // both watching
	ana, bob := desks[0], desks[1]
	ids := coretest.SIRETs(100)
	var lat, rtt []time.Duration
	for i := range samples {
		siret := ids[i%len(ids)]
		rec, err := byIdentifier(ctx, ana.svc, siret)
		if err != nil {
			return err
		}
		d := rec.Draft
		d.City = fmt.Sprintf("Ville %d", i)
		start := time.Now()
		if _, _, err := ana.svc.Structures.Save(ctx, rec.ID, d, false); err != nil {
			return err
		}
		for {
			got, err := byIdentifier(ctx, bob.svc, siret)
			if err != nil {
				return err
			}
			if got.Draft.City == d.City {
				lat = append(lat, time.Since(start))
				break
			}
			if time.Since(start) > 30*time.Second {
				return fmt.Errorf("change %d not seen in 30 s", i)
			}
			time.Sleep(5 * time.Millisecond)
		}
		t0 := time.Now()
		if _, err := http.Get(s.url + api.PathHealth); err != nil {
			return err
		}
		rtt = append(rtt, time.Since(t0))
	}
	slices.Sort(lat)
	line("a change seen on another desktop, p50", ms(lat[len(lat)/2]), ms(median(rtt)), "ms", "p95 ≤ 2000 ms")
	line("a change seen on another desktop, p95", ms(lat[len(lat)*95/100]), ms(median(rtt)), "ms", "≤ 2000 ms")
	return nil
}

// byIdentifier reads a desktop's structure of a SIRET.
func byIdentifier(ctx context.Context, svc onboarding.Services, siret string) (core.StructureRecord, error) {
	list, err := svc.Workspace.QueryStructures(ctx, core.StructureQuery{Text: siret})
	if err != nil || len(list.Rows) != 1 {
		return core.StructureRecord{}, fmt.Errorf("%s: %d rows, %v", siret, len(list.Rows), err)
	}
	return svc.Structures.Structure(ctx, list.Rows[0].ID)
}

// firmLoad is desktops desktops changing each changes clients of one firm
// at once, a tenth of them the same clients and field for all: it checks
// that no change is lost and that the conflicts equal the collisions, and
// says the server's throughput, the writes' p99 and its memory.
func firmLoad(ctx context.Context, desks, changes int, firmDB string, instances int) error {
	shared := changes / 10
	own := changes - shared
	emails := make([]string, desks)
	for i := range emails {
		emails[i] = fmt.Sprintf("desk%02d@cabinet.example", i)
	}
	s, err := startFirmServer(ctx, append([]string{"admin@cabinet.example"}, emails...), firmDB, instances)
	if err != nil {
		return err
	}
	defer s.close()
	engine := "SQLite"
	if firmDB != "" {
		engine = fmt.Sprintf("PostgreSQL, %d instance(s)", len(s.urls))
	}
	total := shared + own*desks
	if err := seedFirm(ctx, s, "admin@cabinet.example", emails, total); err != nil {
		return err
	}
	ids := coretest.SIRETs(total)
	tr := &benchTransport{base: &http.Transport{MaxIdleConnsPerHost: 4}}
	hc := &http.Client{Transport: tr, Timeout: time.Minute}
	ds := make([]*firmDesk, desks)
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for i := range ds {
		wg.Go(func() {
			d, err := newFirmDesk(ctx, hc)
			if err == nil {
				err = d.join(ctx, s.urls[i%len(s.urls)], emails[i])
			}
			if err != nil {
				firstErr.CompareAndSwap(nil, err)
			}
			ds[i] = d
		})
	}
	wg.Wait()
	if e, ok := firstErr.Load().(error); ok {
		return e
	}
	defer func() {
		for _, d := range ds {
			d.close()
		}
	}()
	// Each desktop changes its own clients' city and the shared ones' note,
	// all offline first, then sends at once.
	for i, d := range ds {
		var reqs []core.SaveStructure
		for _, siret := range append(slices.Clone(ids[:shared]), ids[shared+i*own:shared+(i+1)*own]...) {
			rec, err := byIdentifier(ctx, d.svc, siret)
			if err != nil {
				return err
			}
			dr := rec.Draft
			dr.City = fmt.Sprintf("Ville de %s", emails[i])
			reqs = append(reqs, core.SaveStructure{ID: rec.ID, Checked: core.CheckStructure(dr)})
		}
		if _, err := d.store.Structures.SaveStructures(ctx, reqs); err != nil {
			return err
		}
	}
	tr.mu.Lock()
	tr.times, tr.errors = nil, 0
	tr.mu.Unlock()
	start := time.Now()
	var conflicts atomic.Int64
	for _, d := range ds {
		wg.Go(func() {
			for d.svc.Firm.Status(ctx).Pending > 0 {
				r, err := d.svc.Firm.Sync(ctx)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				conflicts.Add(int64(r.Applied.Conflicts))
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	if e, ok := firstErr.Load().(error); ok {
		return e
	}
	// Lost: an own client of a desktop without its city on the server.
	lost := 0
	check, err := newFirmDesk(ctx, nil)
	if err != nil {
		return err
	}
	defer check.close()
	if err := check.join(ctx, s.url, "admin@cabinet.example"); err != nil {
		return err
	}
	for i := range ds {
		for _, siret := range ids[shared+i*own : shared+(i+1)*own] {
			rec, err := byIdentifier(ctx, check.svc, siret)
			if err != nil || rec.Draft.City != fmt.Sprintf("Ville de %s", emails[i]) {
				lost++
			}
		}
	}
	collisions := shared * (desks - 1)
	tr.mu.Lock()
	writes, errs := slices.Clone(tr.times), tr.errors
	tr.mu.Unlock()
	slices.Sort(writes)
	var peaks []string
	for _, c := range s.cmds {
		_, peak := rss(c.Process.Pid)
		peaks = append(peaks, fmt.Sprintf("%d", peak>>20))
	}
	raw, err := rawFirmWrites(ctx, s.urls, emails, ids, shared, own)
	if err != nil {
		return err
	}
	plainN := min(desks*changes, 5000)
	plain, err := plainLoop(ctx, firmDB, plainN)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%d desktops × %d changes, %s", desks, changes, engine)
	line(name+" (changes/s)", float64(desks*changes)/took.Seconds(),
		float64(desks*changes)/raw.Seconds(), "/s", fmt.Sprintf("0 lost; anchor: the same PUTs, raw, %d at once, same server", desks))
	line("  the same vs a plain loop of one-row commits", float64(desks*changes)/took.Seconds(), float64(plainN)/plain.Seconds(), "/s",
		"anchor: rows inserted one transaction each by one loop, same engine")
	fmt.Printf("%-58s %d lost (goal 0), %d errors (goal 0), %d conflicts for %d collisions, writes p50 %.0f ms p99 %.0f ms, server peak RSS %s MiB\n",
		"  firm load", lost, errs, conflicts.Load(), collisions, ms(writes[len(writes)/2]), ms(writes[len(writes)*99/100]), strings.Join(peaks, " + "))
	if lost > 0 || conflicts.Load() != int64(collisions) {
		return fmt.Errorf("firm load: %d lost, %d conflicts for %d collisions", lost, conflicts.Load(), collisions)
	}
	return nil
}

// plainLoop is the firm load's second anchor: n rows, each in its own
// transaction as the server commits each change, inserted by one loop
// into the same engine (a file of its own for SQLite, WAL and
// synchronous=FULL as the server's; a table of its own on PostgreSQL).
func plainLoop(ctx context.Context, firmDB string, n int) (time.Duration, error) {
	var db *sql.DB
	var err error
	if firmDB == "" {
		dir, derr := os.MkdirTemp("", "bench-plain-*")
		if derr != nil {
			return 0, derr
		}
		defer os.RemoveAll(dir)
		db, err = sql.Open("sqlite", "file:"+filepath.Join(dir, "p.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	} else {
		db, err = sql.Open("pgx", firmDB)
	}
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE bench_plain (id BIGINT PRIMARY KEY, fields TEXT NOT NULL, revision BIGINT NOT NULL)`); err != nil {
		return 0, err
	}
	defer db.ExecContext(context.WithoutCancel(ctx), `DROP TABLE bench_plain`)
	insert := `INSERT INTO bench_plain (id, fields, revision) VALUES (?, ?, 1)`
	if firmDB != "" {
		insert = `INSERT INTO bench_plain (id, fields, revision) VALUES ($1, $2, 1)`
	}
	fields := `{"city":"Ville de desk00@cabinet.example","company_name":"Société 1","identifier":"73282932000074"}`
	start := time.Now()
	for i := range n {
		if _, err := db.ExecContext(ctx, insert, i, fields); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// rawFirmWrites is the firm load's anchor: the same changes as PUTs made
// straight to the firm's server, one loop per member, all at once, with
// no desktop store, merge or outbox in between (a refused write of a
// shared client counts as made, as the desktop's merge would follow).
func rawFirmWrites(ctx context.Context, urls []string, emails, ids []string, shared, own int) (time.Duration, error) {
	clients := make([]*portal.Firm, len(emails))
	for i, e := range emails {
		o := portal.NewOnboarding(urls[i%len(urls)], &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: time.Minute})
		if _, err := o.SignIn(ctx, e, firmPassword); err != nil {
			return 0, err
		}
		clients[i] = o.Firm()
	}
	// The current version of every client, by identifier, read before the clock starts.
	current := map[string]api.FirmClient{}
	for cursor := int64(0); ; {
		page, err := clients[0].Feed(ctx, cursor, 500, 0)
		if err != nil {
			return 0, err
		}
		for _, e := range page.Entries {
			if e.Client != nil {
				current[e.Client.Fields[core.FieldIdentifier]] = *e.Client
			}
		}
		cursor = page.Cursor
		if !page.More {
			break
		}
	}
	var wg sync.WaitGroup
	var firstErr atomic.Value
	start := time.Now()
	for i, f := range clients {
		wg.Go(func() {
			for _, siret := range append(slices.Clone(ids[:shared]), ids[shared+i*own:shared+(i+1)*own]...) {
				c := current[siret]
				fields := maps.Clone(c.Fields)
				fields[core.FieldCity] = "Ville brute " + emails[i]
				_, err := f.Update(ctx, sqlite.NewOpID(), c.ID, api.FirmWrite{BaseRevision: c.Revision, Fields: fields})
				if _, stale := portal.StaleOf(err); err != nil && !stale {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if e, ok := firstErr.Load().(error); ok {
		return 0, e
	}
	return time.Since(start), nil
}
