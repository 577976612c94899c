package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/xlsxio"
	"github.com/chorusonboard/chorus-onboard/internal/hostile"
)

// hostileChildEnv is the file of the workbook a child process of
// hostileImports imports; the child's peak resident memory is the figure
// (the workbook is built by the parent: building 20 million strings is no
// part of reading them).
const hostileChildEnv = "CHORUS_BENCH_HOSTILE"

// hostileBooks are the workbooks a client could send that cost minutes or
// gigabytes before issue 29, and the valid workbook they are measured
// against: each is imported through the application layer, as the window
// and onboardctl import do.
var hostileBooks = map[string]func() []byte{
	"valid, 1,000 rows":                        func() []byte { return validBook(1000) },
	"exponent of six hundred million":          hostile.Exponent,
	"1 GB of zeros in a part not read":         func() []byte { return hostile.ZeroPart(1_000_000_000) },
	"20 million shared strings":                func() []byte { return hostile.SharedStrings(20_000_000) },
	"3.5 million shared strings under the cap": func() []byte { return hostile.SharedStrings(3_500_000) },
	"a note in the last column of 20,000 rows": func() []byte { return hostile.FarCells(20_000) },
}

// hostileOrder is the order the figures are printed in.
var hostileOrder = []string{"exponent of six hundred million", "1 GB of zeros in a part not read", "20 million shared strings",
	"3.5 million shared strings under the cap", "a note in the last column of 20,000 rows"}

// validBook is a workbook of n valid rows.
func validBook(n int) []byte {
	var b bytes.Buffer
	if err := xlsxio.FromCSV(&b, strings.NewReader(csvRows(coretest.SIRETs(n))), ','); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// hostileChild imports the workbook file its environment names into a
// new store, as the window does a file the user picked, and reports how
// it ended; the parent reads its peak memory.
func hostileChild(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dir, svc, closeStore, err := newStoreIn(ctx, "bench-hostile-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	defer closeStore()
	rep, err := svc.Workspace.ImportXLSX(ctx, f, "", onboarding.ImportOptions{})
	switch {
	case err != nil:
		fmt.Printf("refused %s\n", core.CodeOf(err))
	default:
		fmt.Printf("imported %d, rejected %d\n", rep.Imported, rep.Rejected)
	}
	// The peak of this process's own memory: its rusage would count the
	// parent's, whose memory the child shares until it runs exec.
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return err
	}
	for _, l := range strings.Split(string(status), "\n") {
		if kb, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			fmt.Printf("%s\n", strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")))
		}
	}
	return nil
}

// hostileImports imports each hostile workbook in a process of its own,
// runs times, and prints the median time and the largest peak resident
// memory beside the valid workbook's, measured the same way.
func hostileImports(ctx context.Context, runs int) error {
	tmp, err := os.MkdirTemp("", "bench-hostile-books-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	measure := func(name string) (time.Duration, int64, string, error) {
		path := filepath.Join(tmp, "book.xlsx")
		if err := os.WriteFile(path, hostileBooks[name](), 0o600); err != nil {
			return 0, 0, "", err
		}
		runtime.GC() // the workbook built is garbage now
		var times []time.Duration
		var peak int64
		var said string
		for range runs {
			cmd := exec.CommandContext(ctx, os.Args[0])
			cmd.Env = append(os.Environ(), hostileChildEnv+"="+path)
			start := time.Now()
			out, err := cmd.Output()
			times = append(times, time.Since(start))
			if err != nil {
				return 0, 0, "", fmt.Errorf("%s: %v %s", name, err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != 2 {
				return 0, 0, "", fmt.Errorf("%s: the child said %q", name, out)
			}
			said = lines[0]
			kb, err := strconv.ParseInt(lines[1], 10, 64)
			if err != nil {
				return 0, 0, "", fmt.Errorf("%s: peak %q: %v", name, lines[1], err)
			}
			peak = max(peak, kb<<10)
		}
		return median(times), peak, said, nil
	}
	anchorTime, anchorRSS, _, err := measure("valid, 1,000 rows")
	if err != nil {
		return err
	}
	for _, name := range hostileOrder {
		d, rss, said, err := measure(name)
		if err != nil {
			return err
		}
		line("hostile .xlsx: "+name+" (time)", ms(d), ms(anchorTime), "ms", "bounded: "+said)
		line("hostile .xlsx: "+name+" (peak RSS)", float64(rss>>20), float64(anchorRSS>>20), "MiB", "≤ 256 MiB")
	}
	return nil
}
