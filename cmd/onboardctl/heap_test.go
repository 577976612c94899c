package main

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// heapWatch samples the heap while a command runs, for the tests that
// prove memory stays flat whatever the input.
type heapWatch struct {
	stop chan struct{}
	wg   sync.WaitGroup
	// live is the peak of the heap the last collection found reachable:
	// what the command holds. alloc is the peak of HeapAlloc, which
	// counts garbage not yet collected too: logged, not asserted, since
	// how soon the collector runs depends on the machine (under Wine on
	// a busy 2-core runner it ran late enough to show 89 MiB where the
	// live heap was a few).
	live, alloc uint64
}

// watchHeap collects once, then samples every 10 ms until done.
func watchHeap(t *testing.T) *heapWatch {
	t.Helper()
	runtime.GC()
	h := &heapWatch{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	h.wg.Go(func() {
		var ms runtime.MemStats
		for {
			select {
			case <-h.stop:
				return
			case <-time.After(10 * time.Millisecond):
				metrics.Read(sample)
				if sample[0].Value.Kind() == metrics.KindUint64 {
					h.live = max(h.live, sample[0].Value.Uint64())
				}
				runtime.ReadMemStats(&ms)
				h.alloc = max(h.alloc, ms.HeapAlloc)
			}
		}
	})
	return h
}

// done stops sampling; the peaks are read after it.
func (h *heapWatch) done() {
	close(h.stop)
	h.wg.Wait()
}
