// Command run prints make bench's figures, each beside an anchor measured in
// the same run on the same machine, with the same Fyne and SQLite versions:
//
//   - start-up to a mapped window, and resident memory and live Go heap 2 s
//     after start (internal/memreport), of chorus-onboard with 10,000
//     structures in its store, against a bare one-label Fyne window
//     (bench/barewindow), under the X display given;
//   - importing 10,000 valid rows (the application layer, as onboardctl
//     import and the window do) against encoding/csv and one SQLite
//     transaction of the same rows (WAL, synchronous=FULL);
//   - importing the workbooks a careless or hostile client could send
//     (hostile.go), each in a process of its own, time and peak resident
//     memory against a valid workbook of 1,000 rows;
//   - the firm's shared workspace (firm.go): joining a firm of 10,000
//     clients against reading and inserting the same rows, the desktop's
//     memory after it against as many local clients, a change seen on
//     another desktop (p50, p95) against a round trip, and 20 desktops
//     changing 500 clients each of one firm at once (nothing lost, the
//     conflicts equal to the collisions, throughput, p99, the server's
//     memory);
//   - syncing 1,000 structures to chorus-sim on loopback against sequential
//     POSTs of the same bodies on one keep-alive connection, then the same
//     through a toxiproxy adding 50 ms of latency;
//   - the team portal under a firm's load (team.go): 20 accounts syncing 500
//     structures each at once through the app's own sync code, against one
//     sequential loop of the same 10,000 POSTs; the same with 50 ms added.
//
// Each figure is the median of -runs runs. It is never shipped.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	toxiclient "github.com/Shopify/toxiproxy/v2/client"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	_ "modernc.org/sqlite"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/outbox"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/core/xlsxio"
	"github.com/chorusonboard/chorus-onboard/internal/memreport"
	"github.com/chorusonboard/chorus-onboard/internal/pgtest"
)

func main() {
	appBin := flag.String("app", "build/chorus-onboard", "the app to start")
	bare := flag.String("bare", "build/barewindow", "the bare Fyne window to start")
	runs := flag.Int("runs", 5, "runs per figure (the median is printed)")
	rows := flag.Int("rows", 10_000, "rows to import, and structures in the app's store at start-up")
	syncN := flag.Int("sync", 1000, "structures to sync")
	xlsxN := flag.Int("xlsx", 100_000, "rows of the Excel workbook import, against the CSV import of the same rows")
	only := flag.String("only", "", "comma-separated figures to run: startup, import, xlsx, hostile, firm, firmload, firmload-pg, firmload-pg2, sync, latency, inflight, team, teamlatency (default all)")
	teamClients := flag.Int("team-clients", 20, "accountants syncing at once in the team portal's figure")
	teamEach := flag.Int("team-each", 500, "structures each accountant syncs (a tenth of it with latency added)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	flag.Parse()
	if name := os.Getenv(hostileChildEnv); name != "" {
		must(hostileChild(context.Background(), name))
		return
	}
	if dir := os.Getenv(firmServerEnv); dir != "" {
		must(firmServerChild(dir))
		return
	}
	if what := os.Getenv(firmDeskEnv); what != "" {
		must(firmDeskChild(context.Background(), what))
		return
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		must(err)
		must(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	want := func(name string) bool { return *only == "" || slices.Contains(strings.Split(*only, ","), name) }
	ctx := context.Background()
	if want("startup") {
		if os.Getenv("DISPLAY") == "" {
			fmt.Println("start-up: skipped (no DISPLAY: make bench runs this under Xvfb)")
		} else {
			must(startup(ctx, *appBin, *bare, *runs, *rows))
		}
	}
	if want("import") {
		must(importing(ctx, *runs, *rows))
	}
	if want("xlsx") {
		must(xlsxImporting(ctx, max(*runs/2, 1), *xlsxN))
	}
	if want("hostile") {
		must(hostileImports(ctx, max(*runs/2, 1)))
	}
	if want("firm") {
		must(firmJoin(ctx, max(*runs/2, 1), *rows))
		must(firmLatency(ctx, 40))
	}
	if want("firmload") {
		must(firmLoad(ctx, 20, 500, "", 1))
		must(firmLoad(ctx, 50, 200, "", 1))
	}
	for _, pg := range []struct {
		name      string
		instances int
	}{{"firmload-pg", 1}, {"firmload-pg2", 2}} {
		if !want(pg.name) {
			continue
		}
		// The same loads with the portal on PostgreSQL (a server of the
		// bench's own, from Debian's package, on loopback), served by one
		// instance or two.
		srv, err := pgtest.StartServer()
		must(err)
		for i, load := range [][2]int{{20, 500}, {50, 200}} {
			dsn, err := srv.NewDatabase(ctx, fmt.Sprintf("bench_firm_%d", i))
			if err == nil {
				err = firmLoad(ctx, load[0], load[1], dsn, pg.instances)
			}
			if err != nil {
				srv.Remove()
				must(err)
			}
		}
		srv.Remove()
	}
	if want("sync") {
		must(syncing(ctx, *runs, *syncN, 0))
	}
	if want("latency") {
		must(syncing(ctx, max(*runs/2, 1), *syncN, 50*time.Millisecond))
	}
	if want("inflight") {
		must(inflightSweep(ctx, max(*runs/2, 1), *syncN))
	}
	if want("team") {
		must(teamLoad(ctx, *teamClients, *teamEach, 0))
	}
	if want("teamlatency") {
		must(teamLoad(ctx, *teamClients, max(*teamEach/10, 1), 50*time.Millisecond))
	}
}

func must(err error) {
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func median(xs []time.Duration) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// line prints one figure: ours, the anchor's, their ratio and the goal.
func line(name string, ours, anchor float64, unit, goal string) {
	fmt.Printf("%-58s ours %9.1f %-3s anchor %9.1f %-3s ratio %5.2f×  (goal %s)\n", name, ours, unit, anchor, unit, ours/anchor, goal)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// --- start-up ----------------------------------------------------------------

// startup starts each binary runs times, alternating, and measures the time
// to its window in the X tree and its resident memory 2 s after start.
func startup(ctx context.Context, appBin, bare string, runs, rows int) error {
	data, err := os.MkdirTemp("", "bench-app-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	if err := fillStore(ctx, filepath.Join(data, localfs.DatabaseFile), rows); err != nil {
		return err
	}
	var appT, bareT []time.Duration
	// kB and bytes, kept as durations to reuse median.
	var appRSS, bareRSS, appHeap, bareHeap []time.Duration
	for range runs {
		for _, c := range []struct {
			bin, title   string
			t, rss, heap *[]time.Duration
		}{{bare, "Bare Fyne window", &bareT, &bareRSS, &bareHeap}, {appBin, "Chorus Onboard - ", &appT, &appRSS, &appHeap}} {
			t, rss, heap, err := startOne(ctx, c.bin, c.title, data)
			if err != nil {
				return err
			}
			*c.t, *c.rss, *c.heap = append(*c.t, t), append(*c.rss, time.Duration(rss)), append(*c.heap, time.Duration(heap))
		}
	}
	line(fmt.Sprintf("start to a mapped window, %d structures (Xvfb)", rows), ms(median(appT)), ms(median(bareT)), "ms", "≤ 1.10×")
	line(fmt.Sprintf("resident memory 2 s after start, %d structures", rows), float64(median(appRSS))/1024, float64(median(bareRSS))/1024, "MB", "≤ 1.30×")
	line("  of which the Go heap in use (live objects)", float64(median(appHeap))/(1<<20), float64(median(bareHeap))/(1<<20), "MB", "information")
	return nil
}

// startOne starts bin and returns the time to its window titled title,
// its resident set (kB) and its live Go heap (bytes, memreport) 2 s after
// start.
func startOne(ctx context.Context, bin, title, data string) (time.Duration, int64, uint64, error) {
	home, err := os.MkdirTemp("", "bench-home-*")
	if err != nil {
		return 0, 0, 0, err
	}
	defer os.RemoveAll(home)
	memFile := filepath.Join(home, "memory.txt")
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "LANG=en_US.UTF-8",
		localfs.DataDirEnv+"="+data, memreport.Env+"="+memFile)
	errLog, err := os.Create(filepath.Join(home, "stderr.log"))
	if err != nil {
		return 0, 0, 0, err
	}
	defer errLog.Close()
	cmd.Stdout, cmd.Stderr = errLog, errLog
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var mapped time.Duration
	for mapped == 0 {
		if time.Since(start) > time.Minute {
			b, _ := os.ReadFile(errLog.Name())
			return 0, 0, 0, fmt.Errorf("%s: no window after a minute; it wrote:\n%s", bin, b[max(0, len(b)-4096):])
		}
		out, _ := exec.Command("xwininfo", "-root", "-tree").Output()
		if bytes.Contains(out, []byte(title)) {
			mapped = time.Since(start)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(time.Until(start.Add(2 * time.Second)))
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		return 0, 0, 0, err
	}
	var rss int64
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			rss, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	// The process writes its heap at 2 s too: give it a moment.
	for i := 0; ; i++ {
		heap, err := memreport.Read(memFile)
		if err == nil {
			return mapped, rss, heap, nil
		}
		if i == 200 {
			return 0, 0, 0, fmt.Errorf("%s wrote no %s: %v", bin, memreport.Env, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fillStore puts n valid structures in a new store, as an import does.
func fillStore(ctx context.Context, path string, n int) error {
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	svc, err := onboarding.New(ctx, connect.Stores(st), onboarding.Config{NewOpID: sqlite.NewOpID})
	if err != nil {
		return err
	}
	_, err = svc.Workspace.ImportCSV(ctx, strings.NewReader(csvRows(coretest.SIRETs(n))), onboarding.ImportOptions{Drafts: true})
	return err
}

// --- import ------------------------------------------------------------------

const csvHeader = "identifier_type,identifier,structure_kind,company_name,structure_name,email,phone,address,address_complement_1,address_complement_2,city,postal_code,country,non_diffusible\n"

func csvRows(ids []string) string {
	var b strings.Builder
	b.WriteString(csvHeader)
	for i, id := range ids {
		fmt.Fprintf(&b, "SIRET,%s,PRIVEE,Société %d,,compta%d@example.fr,01 23 45 67 89,%d rue de la Paix,,,Paris,75002,FR,false\n", id, i, i, i)
	}
	return b.String()
}

// newStoreIn opens the application layer on a new store in a new
// temporary directory (named by pattern), as the app opens its own.
func newStoreIn(ctx context.Context, pattern string) (dir string, svc onboarding.Services, closeStore func(), err error) {
	if dir, err = os.MkdirTemp("", pattern); err != nil {
		return "", svc, nil, err
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "onboard.db"))
	if err != nil {
		return "", svc, nil, err
	}
	if svc, err = onboarding.New(ctx, connect.Stores(st), onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: dir}); err != nil {
		st.Close()
		return "", svc, nil, err
	}
	return dir, svc, func() { st.Close() }, nil
}

func importing(ctx context.Context, runs, rows int) error {
	file := csvRows(coretest.SIRETs(rows))
	var ours, raw []time.Duration
	for range runs {
		dir, svc, closeStore, err := newStoreIn(ctx, "bench-import-*")
		if err != nil {
			return err
		}
		start := time.Now()
		rep, err := svc.Workspace.ImportCSV(ctx, strings.NewReader(file), onboarding.ImportOptions{})
		ours = append(ours, time.Since(start))
		closeStore()
		if err != nil || rep.Imported != rows {
			return fmt.Errorf("import: %+v %v", rep.ImportStats, err)
		}
		d, err := rawInsert(filepath.Join(dir, "raw.db"), file)
		if err != nil {
			return err
		}
		raw = append(raw, d)
		os.RemoveAll(dir)
	}
	line(fmt.Sprintf("import %d valid rows", rows), ms(median(ours)), ms(median(raw)), "ms", "≤ 4×")
	return nil
}

// xlsxImporting measures importing rows from an Excel workbook against
// importing the same rows from CSV, both through the application layer
// into a new store; and the live heap's peak during the workbook's.
func xlsxImporting(ctx context.Context, runs, rows int) error {
	file := csvRows(coretest.SIRETs(rows))
	var book bytes.Buffer
	if err := xlsxio.FromCSV(&book, strings.NewReader(file), ','); err != nil {
		return err
	}
	var ours, anchor []time.Duration
	var peak uint64
	for range runs {
		for _, workbook := range []bool{true, false} {
			dir, svc, closeStore, err := newStoreIn(ctx, "bench-xlsx-*")
			if err != nil {
				return err
			}
			runtime.GC()
			stop := watchLiveHeap(&peak)
			start := time.Now()
			var rep *onboarding.ImportReport
			if workbook {
				rep, err = svc.Workspace.ImportXLSX(ctx, bytes.NewReader(book.Bytes()), "", onboarding.ImportOptions{})
				ours = append(ours, time.Since(start))
			} else {
				rep, err = svc.Workspace.ImportCSV(ctx, strings.NewReader(file), onboarding.ImportOptions{})
				anchor = append(anchor, time.Since(start))
			}
			stop()
			closeStore()
			os.RemoveAll(dir)
			if err != nil || rep.Imported != rows {
				return fmt.Errorf("import: %+v %v", rep.ImportStats, err)
			}
		}
	}
	line(fmt.Sprintf("import %d rows from an .xlsx (%d KiB) vs the same CSV", rows, book.Len()>>10), ms(median(ours)), ms(median(anchor)), "ms", "streams")
	fmt.Printf("%-58s %d MiB\n", "  live heap peak during these imports", peak>>20)
	return nil
}

// watchLiveHeap samples the live heap every 10 ms into peak until stop.
func watchLiveHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
				metrics.Read(sample)
				if sample[0].Value.Kind() == metrics.KindUint64 {
					*peak = max(*peak, sample[0].Value.Uint64())
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// rawInsert is the import's anchor: encoding/csv, then every row in one
// transaction, one prepared statement, in a database opened as the store
// opens its own (WAL, synchronous=FULL).
func rawInsert(path, file string) (time.Duration, error) {
	start := time.Now()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE structure (id INTEGER PRIMARY KEY, identifier_type TEXT, identifier TEXT UNIQUE, kind TEXT,
		company_name TEXT, structure_name TEXT, email TEXT, phone TEXT, address TEXT, complement1 TEXT, complement2 TEXT,
		city TEXT, postal_code TEXT, country TEXT, non_diffusible INTEGER)`); err != nil {
		return 0, err
	}
	r := csv.NewReader(strings.NewReader(file))
	if _, err := r.Read(); err != nil { // header
		return 0, err
	}
	tx, err := db.Begin()
	if err != nil {
		return 0, err
	}
	stmt, err := tx.Prepare(`INSERT INTO structure (identifier_type, identifier, kind, company_name, structure_name, email, phone,
		address, complement1, complement2, city, postal_code, country, non_diffusible) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return 0, err
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		args := make([]any, len(rec))
		for i, v := range rec {
			args[i] = v
		}
		if _, err := stmt.Exec(args...); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// --- sync --------------------------------------------------------------------

const (
	syncEmail    = "bench@example.fr"
	syncPassword = "Tr0ub4dor&3x-Lune"
)

// portalUnderTest starts a fresh chorus-sim on loopback, with latency in
// front of it through toxiproxy when asked; stop ends both.
func portalUnderTest(ctx context.Context, latency time.Duration, accounts int) (url string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "bench-sim-*")
	if err != nil {
		return "", nil, err
	}
	srv, err := sim.New(ctx, sim.Config{SecondFactorOff: true, DataDir: dir, PasswordIterations: 1000})
	if err != nil {
		return "", nil, err
	}
	hs := httptest.NewServer(srv.Handler())
	stops := []func(){func() { hs.Close(); srv.Close(); os.RemoveAll(dir) }}
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	for i := range max(accounts, 1) {
		if err := srv.SeedAccount(ctx, teamEmail(i), syncPassword); err != nil {
			stop()
			return "", nil, err
		}
	}
	if latency == 0 {
		return hs.URL, stop, nil
	}
	tp := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	apiAddr := "127.0.0.1:" + strconv.Itoa(freePort())
	go func() { _ = tp.Listen(apiAddr) }()
	stops = append(stops, func() { _ = tp.Shutdown() })
	client := toxiclient.NewClient(apiAddr)
	var proxy *toxiclient.Proxy
	for i := 0; ; i++ {
		proxy, err = client.CreateProxy("sim", "127.0.0.1:"+strconv.Itoa(freePort()), strings.TrimPrefix(hs.URL, "http://"))
		if err == nil {
			break
		}
		if i > 100 {
			stop()
			return "", nil, err
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := proxy.AddToxic("latency", "latency", "downstream", 1, toxiclient.Attributes{"latency": latency.Milliseconds()}); err != nil {
		stop()
		return "", nil, err
	}
	return "http://" + proxy.Listen, stop, nil
}

// freePort returns a loopback port nobody listens on now.
func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func syncing(ctx context.Context, runs, n int, latency time.Duration) error {
	ids := coretest.SIRETs(n)
	file := csvRows(ids)
	var ours, raw, ceiling []time.Duration
	for range runs {
		d, err := syncOurs(ctx, file, n, latency, 0)
		if err != nil {
			return err
		}
		ours = append(ours, d)
		if d, err = syncRaw(ctx, ids, latency, 1); err != nil {
			return err
		}
		raw = append(raw, d)
		if latency == 0 {
			// What the simulator can take at all: the same POSTs on as
			// many connections as the app keeps requests in flight.
			if d, err = syncRaw(ctx, ids, 0, outbox.DefaultConcurrency); err != nil {
				return err
			}
			ceiling = append(ceiling, d)
		}
	}
	name, goal := fmt.Sprintf("sync %d structures to chorus-sim on loopback", n), "≥ 2× faster"
	if latency > 0 {
		name, goal = fmt.Sprintf("sync %d structures, %v latency added (toxiproxy)", n, latency), "≥ 3× faster"
	}
	// Throughput: structures a second, so that a ratio above 1 is faster.
	line(name+" (structures/s)", float64(n)/median(ours).Seconds(), float64(n)/median(raw).Seconds(), "/s", goal)
	if len(ceiling) > 0 {
		line(fmt.Sprintf("  the same raw POSTs on %d connections (the simulator's ceiling)", outbox.DefaultConcurrency),
			float64(n)/median(ceiling).Seconds(), float64(n)/median(raw).Seconds(), "/s", "information")
	}
	return nil
}

// inflightSweep measures the sync with 1 to 32 requests in flight, on
// loopback and with 50 ms added, each beside the raw loop of its run: the
// count that gives the best figure is core.DefaultConcurrency's.
func inflightSweep(ctx context.Context, runs, n int) error {
	ids := coretest.SIRETs(n)
	file := csvRows(ids)
	for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
		count := n
		if latency > 0 {
			count = n / 4 // at 50 ms a request, the raw loop alone takes 12 s a thousand
			ids, file = ids[:count], csvRows(ids[:count])
		}
		for _, inflight := range []int{1, 2, 4, 8, 16, 32} {
			var ours, raw []time.Duration
			for range runs {
				d, err := syncOurs(ctx, file, count, latency, inflight)
				if err != nil {
					return err
				}
				ours = append(ours, d)
				if d, err = syncRaw(ctx, ids, latency, 1); err != nil {
					return err
				}
				raw = append(raw, d)
			}
			line(fmt.Sprintf("  sync %d structures, %v added, %d in flight (structures/s)", count, latency, inflight),
				float64(count)/median(ours).Seconds(), float64(count)/median(raw).Seconds(), "/s", "information")
		}
	}
	return nil
}

// syncOurs imports the rows queued and drains the outbox as onboardctl sync
// does, with inflight requests in flight (0: the default).
func syncOurs(ctx context.Context, file string, n int, latency time.Duration, inflight int) (time.Duration, error) {
	url, stop, err := portalUnderTest(ctx, latency, 1)
	if err != nil {
		return 0, err
	}
	defer stop()
	dir, err := os.MkdirTemp("", "bench-sync-*")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "onboard.db"))
	if err != nil {
		return 0, err
	}
	defer st.Close()
	client := portal.NewOnboarding(url, portal.NewHTTPClient())
	svc, err := onboarding.New(ctx, connect.Stores(st), onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: dir,
		Connect: func(onboarding.TargetSpec) onboarding.Target { return onboarding.Target{Portal: client} }})
	if err != nil {
		return 0, err
	}
	if rep, err := svc.Workspace.ImportCSV(ctx, strings.NewReader(file), onboarding.ImportOptions{}); err != nil || rep.Imported != n {
		return 0, fmt.Errorf("import: %+v %v", rep.ImportStats, err)
	}
	if err := svc.Accounts.SignIn(ctx, syncEmail, syncPassword); err != nil {
		return 0, err
	}
	if inflight > 0 {
		svc.Sync.SetConcurrency(inflight)
	}
	start := time.Now()
	stats, err := svc.Sync.Drain(ctx)
	d := time.Since(start)
	if err != nil || stats.Created != n {
		return 0, fmt.Errorf("sync: %+v %v", stats, err)
	}
	return d, nil
}

// syncRaw is the sync's anchor: the same bodies POSTed one after the other
// on one keep-alive connection, each with its Idempotency-Key (or on conns
// connections at once).
func syncRaw(ctx context.Context, ids []string, latency time.Duration, conns int) (time.Duration, error) {
	return syncRawRec(ctx, ids, latency, conns, nil)
}

// syncRawTimed is syncRaw on one connection, recording each POST's
// duration.
func syncRawTimed(ctx context.Context, ids []string, latency time.Duration) (time.Duration, *latencies, error) {
	rec := &latencies{}
	d, err := syncRawRec(ctx, ids, latency, 1, rec)
	return d, rec, err
}

func syncRawRec(ctx context.Context, ids []string, latency time.Duration, conns int, rec *latencies) (time.Duration, error) {
	url, stop, err := portalUnderTest(ctx, latency, 1)
	if err != nil {
		return 0, err
	}
	defer stop()
	c := portal.NewOnboarding(url, nil)
	s, err := c.SignIn(ctx, syncEmail, syncPassword)
	if err != nil {
		return 0, err
	}
	bodies := make([][]byte, len(ids))
	for i, id := range ids {
		d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: id, Kind: core.KindPrivate, CompanyName: fmt.Sprintf("Société %d", i),
			Email: fmt.Sprintf("compta%d@example.fr", i), Phone: "01 23 45 67 89", Address: fmt.Sprintf("%d rue de la Paix", i),
			City: "Paris", PostalCode: "75002", Country: "FR"}
		if bodies[i], err = json.Marshal(api.StructureBody(d)); err != nil {
			return 0, err
		}
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}, Timeout: 30 * time.Second}
	post := func(i int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+api.PathStructures, bytes.NewReader(bodies[i]))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(api.HeaderAuthorization, "Bearer "+s.Token)
		req.Header.Set(api.HeaderIdempotencyKey, fmt.Sprintf("raw-%d", i))
		t := time.Now()
		resp, err := hc.Do(req)
		if rec != nil {
			rec.record(time.Since(t), err)
		}
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
			return fmt.Errorf("raw POST %d: %s", i, resp.Status)
		}
		return nil
	}
	start := time.Now()
	errs := make(chan error, conns)
	for c := range conns {
		go func() {
			for i := c; i < len(bodies); i += conns {
				if err := post(i); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range conns {
		if err := <-errs; err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}
