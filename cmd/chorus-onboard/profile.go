package main

import (
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"time"
)

// profileEnv names a directory where a start of the app is profiled, for
// the performance work on the first frame and the memory at rest: an
// execution trace of the first 3 seconds (go tool trace) and a heap
// profile 2 seconds in (go tool pprof). Nothing of the user's data goes in
// them but sizes and timings.
const profileEnv = "CHORUS_ONBOARD_PROFILE"

// profileStart starts what profileEnv asks for; a failure is logged and
// the app starts anyway.
func profileStart() {
	dir := os.Getenv(profileEnv)
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, "trace.out"))
	if err != nil {
		log.Printf("chorus-onboard: %s: %v", profileEnv, err)
		return
	}
	if err := trace.Start(f); err != nil {
		log.Printf("chorus-onboard: %s: %v", profileEnv, err)
		f.Close()
		return
	}
	time.AfterFunc(2*time.Second, func() {
		h, err := os.Create(filepath.Join(dir, "heap.pprof"))
		if err != nil {
			log.Printf("chorus-onboard: %s: %v", profileEnv, err)
			return
		}
		defer h.Close()
		runtime.GC()
		_ = pprof.WriteHeapProfile(h)
	})
	time.AfterFunc(3*time.Second, func() {
		trace.Stop()
		f.Close()
	})
}
