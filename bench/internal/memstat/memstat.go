// Package memstat measures a benchmark's memory: the peak of the Go heap
// in use, sampled while it runs, and the process's peak resident size.
package memstat

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// HeapSampler reads the heap in use every 20 ms and keeps the peak.
type HeapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	wg   sync.WaitGroup
}

// StartHeap begins sampling.
func StartHeap() *HeapSampler {
	h := &HeapSampler{stop: make(chan struct{})}
	h.wg.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > h.peak.Load() {
				h.peak.Store(ms.HeapInuse)
			}
			select {
			case <-h.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	return h
}

// Peak is the largest heap in use seen so far, in bytes.
func (h *HeapSampler) Peak() uint64 { return h.peak.Load() }

// Stop ends sampling and returns the peak.
func (h *HeapSampler) Stop() uint64 {
	close(h.stop)
	h.wg.Wait()
	return h.peak.Load()
}

// PeakRSS is the process's peak resident set (VmHWM), as "12.3 MiB", or
// "?" where /proc does not say.
func PeakRSS() string {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(l)[1])
			return fmt.Sprintf("%.1f MiB", float64(kb)/1024)
		}
	}
	return "?"
}
