package testos

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// HeapWatch samples the heap while something runs, for the tests that
// prove memory stays flat whatever the input.
type HeapWatch struct {
	stop chan struct{}
	wg   sync.WaitGroup
	// Live is the peak of the heap the last collection found reachable:
	// what the command holds. Alloc is the peak of HeapAlloc, which
	// counts garbage not yet collected too: logged, not asserted, since
	// how soon the collector runs depends on the machine (under Wine on
	// a busy 2-core runner it ran late enough to show 89 MiB where the
	// live heap was a few).
	Live, Alloc uint64
}

// WatchHeap collects once, then samples every 10 ms until Done.
func WatchHeap(t testing.TB) *HeapWatch {
	t.Helper()
	runtime.GC()
	h := &HeapWatch{stop: make(chan struct{})}
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
					h.Live = max(h.Live, sample[0].Value.Uint64())
				}
				runtime.ReadMemStats(&ms)
				h.Alloc = max(h.Alloc, ms.HeapAlloc)
			}
		}
	})
	return h
}

// Done stops sampling; the peaks are read after it.
func (h *HeapWatch) Done() {
	close(h.stop)
	h.wg.Wait()
}
