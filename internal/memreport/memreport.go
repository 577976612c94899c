// Package memreport writes what a process holds in memory at a given
// moment, for make bench: the Go heap in use beside the resident set the
// bench reads from outside, so that a ratio of resident memory can be
// told apart into the heap (ours to shrink) and the rest (GL buffers,
// fonts' glyph caches in C, shared libraries). It is used by chorus-onboard
// and by the bench's bare window alike, so both are measured the same way.
package memreport

import (
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/metrics"
	"time"
)

// Env names the file a process writes its figures to, after After.
const Env = "CHORUS_ONBOARD_MEMORY"

// After is when the figures are taken: the bench reads the resident set
// at the same moment.
const After = 2 * time.Second

// StartFromEnv writes the figures to the file Env names, After from now;
// nothing when it is unset. A failure is logged: the process goes on.
func StartFromEnv() {
	path := os.Getenv(Env)
	if path == "" {
		return
	}
	time.AfterFunc(After, func() {
		if err := write(path); err != nil {
			log.Printf("%s: %v", Env, err)
		}
	})
}

// write takes the figures after a collection, so that the heap is what
// is live, and writes them as "name bytes" lines.
func write(path string) error {
	runtime.GC()
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/total:bytes"},
	}
	metrics.Read(s)
	body := fmt.Sprintf("heap_live_bytes %d\ngo_total_bytes %d\n", s[0].Value.Uint64(), s[1].Value.Uint64())
	return os.WriteFile(path, []byte(body), 0o600)
}

// Read returns the live heap a process wrote to path.
func Read(path string) (heapLive uint64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	_, err = fmt.Sscanf(string(b), "heap_live_bytes %d\n", &heapLive)
	return heapLive, err
}
