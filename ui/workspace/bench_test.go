package workspace

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

// The workspace's figures (make bench). Each prints one line: the figure,
// and beside it an anchor measured in the same run, so that a slow machine
// shows as slow on both sides. Nothing here asserts a time: these machines
// are shared and noisy.

// benchLine prints a figure and its anchor on one line.
func benchLine(figure, value, anchor string) {
	fmt.Printf("%-62s %-22s  anchor: %s\n", figure, value, anchor)
}

// percentile returns the p-th percentile of durations (p in 0-100).
func percentile(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) + " ms"
}

// benchHarness is a UI on a store of n structures, with background work on
// real goroutines, as in the app.
func benchHarness(b *testing.B, n int, dbPath string) *harness {
	h := newHarnessWith(b, "en", uitest.Options{Goroutines: true, DBPath: dbPath})
	h.Pump(func() bool { return h.a.Step() != "" })
	if n > 0 {
		fillStore(b, h, n)
	}
	return h
}

// BenchmarkWorkspaceFilter: a keystroke in the search field until the
// table shows the new rows (the query off the UI goroutine, the answer on
// it, the visible cells redrawn), at 10,000 structures; the anchors are the
// store's query alone and the table's redraw alone.
func BenchmarkWorkspaceFilter(b *testing.B) {
	const n = 10_000
	h := benchHarness(b, n, "")
	h.a.Show(shell.StepWorkspace)
	ws := h.a.workspaceS
	h.Pump(func() bool { return ws.loaded })
	// What an accountant types: a city, a name, a SIRET with spaces, an
	// e-mail, each a letter at a time, then cleared.
	words := []string{"lyon", "boulangerie mar", "200 118 792", "compta12", "saint-denis", "atelier dur"}
	var keys, queries, redraws []time.Duration
	for b.Loop() {
		for _, w := range words {
			for i := 1; i <= len(w); i++ {
				start := time.Now()
				ws.search.SetText(w[:i])
				h.Pump(func() bool { return ws.shownSeq == ws.seq })
				keys = append(keys, time.Since(start))
				q := time.Now()
				if _, err := h.Store.Workspace.QueryStructures(b.Context(), core.StructureQuery{Text: w[:i]}); err != nil {
					b.Fatal(err)
				}
				queries = append(queries, time.Since(q))
				r := time.Now()
				ws.table.Refresh()
				redraws = append(redraws, time.Since(r))
			}
			ws.search.SetText("")
			h.Pump(func() bool { return ws.shownSeq == ws.seq })
		}
	}
	benchLine(fmt.Sprintf("filter keystroke → table refreshed, %s rows (%d keys)", h.a.Text().Count(n), len(keys)),
		"p95 "+ms(percentile(keys, 95)),
		fmt.Sprintf("store query alone p95 %s, table redraw alone p95 %s (goal: keystroke p95 < 30 ms)",
			ms(percentile(queries, 95)), ms(percentile(redraws, 95))))
}

// BenchmarkWorkspaceOpen: from the header's button to the table showing
// 10,000 rows, the store just opened (its list read from disk), then again
// (the list in memory); the anchor is opening the home screen, which reads
// nothing.
func BenchmarkWorkspaceOpen(b *testing.B) {
	const n = 10_000
	dir := testos.TempDir(b)
	db := filepath.Join(dir, "onboard.db")
	seed := benchHarness(b, n, db)
	seed.Store.Close()
	h := benchHarness(b, 0, db)
	var cold, warm, home time.Duration
	for b.Loop() {
		start := time.Now()
		h.a.Show(shell.StepWorkspace)
		ws := h.a.workspaceS
		h.Pump(func() bool { return ws.loaded })
		if cold == 0 {
			cold = time.Since(start)
		} else {
			warm = time.Since(start)
		}
		start = time.Now()
		h.a.Show(shell.StepHome)
		home = time.Since(start)
	}
	if warm == 0 {
		start := time.Now()
		h.a.Show(shell.StepWorkspace)
		ws := h.a.workspaceS
		h.Pump(func() bool { return ws.loaded })
		warm = time.Since(start)
	}
	benchLine(fmt.Sprintf("open the workspace, %s rows, store just opened", h.a.Text().Count(n)), ms(cold),
		fmt.Sprintf("open it again %s; open the home screen %s", ms(warm), ms(home)))
}

// rssChild is set in the child processes BenchmarkWorkspaceMemory starts:
// each opens one store in the workspace and prints its resident memory.
const rssChild = "CHORUS_BENCH_RSS_DB"

// BenchmarkWorkspaceMemory: the resident memory of a process showing
// 10,000 structures in the workspace, against one showing an empty store,
// each in a fresh process (so nothing else it did counts).
func BenchmarkWorkspaceMemory(b *testing.B) {
	if db := os.Getenv(rssChild); db != "" {
		h := benchHarness(b, 0, db)
		h.a.Show(shell.StepWorkspace)
		ws := h.a.workspaceS
		h.Pump(func() bool { return ws.loaded })
		runtime.GC()
		debug.FreeOSMemory()
		fmt.Printf("rss-kb %d rows %d\n", residentKB(b), ws.showingRows())
		return
	}
	dir := testos.TempDir(b)
	empty, full := filepath.Join(dir, "empty.db"), filepath.Join(dir, "full.db")
	e := benchHarness(b, 0, empty)
	e.Store.Close()
	f := benchHarness(b, 10_000, full)
	f.Store.Close()
	var emptyKB, fullKB int
	for b.Loop() {
		emptyKB, fullKB = childRSS(b, empty), childRSS(b, full)
	}
	benchLine("resident memory, workspace showing 10,000 rows",
		fmt.Sprintf("%d MB (+%d MB)", fullKB/1024, (fullKB-emptyKB)/1024),
		fmt.Sprintf("the same on an empty store %d MB (goal: at most +60 MB)", emptyKB/1024))
}

// childRSS runs this benchmark in a new process on db and returns the
// resident memory it reports.
func childRSS(b *testing.B, db string) int {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^BenchmarkWorkspaceMemory$", "-test.benchtime=1x")
	cmd.Env = append(os.Environ(), rssChild+"="+db)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("child: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "rss-kb "); ok {
			kb, _ := strconv.Atoi(strings.Fields(rest)[0])
			return kb
		}
	}
	b.Fatalf("child said nothing of its memory:\n%s", out)
	return 0
}

// residentKB reads this process's resident set size.
func residentKB(b *testing.B) int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skip("no /proc: resident memory is measured on Linux only")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.Fields(rest)[0])
			return kb
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}
