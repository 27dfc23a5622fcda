package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The garbage collector's setting for the provider's process when the user chose none.
// Terraform starts a provider for one command and ends it afterwards, and a plan
// allocates about 12 MB of short-lived values per node (the framework's per-attribute
// conversions) over a live heap that grows by about a tenth of that per node and port:
// Go's default (GOGC=100) spent 39 % of the provider's CPU on them in a plan over 1,000
// nodes and ports. GOGC=400 collects about a quarter as often (the provider's CPU in that
// plan 44 % less, its peak 840 MiB instead of 230 MiB); the soft limit holds the peak of
// larger plans near gcSoftLimit instead of five times the live heap (5,000 nodes and
// ports: 1.0 GiB, where GOGC=100 peaked at 0.8 GiB or more and Terraform's own process at 1.1
// GiB); and once the live heap passes half the limit, where the limit would make the
// collector run more often than Go's default, the process falls back to that default
// (GOGC=100, no limit). The measurements are in the commit that set these values.
const (
	gcPercent   = 400
	gcSoftLimit = 1 << 30
)

// gcSetting says whether the provider sets its own GC (gcPercent, gcSoftLimit): only when
// the user set neither GOGC nor GOMEMLIMIT (getenv reads the environment); otherwise the
// runtime's reading of theirs stands.
func gcSetting(getenv func(string) string) bool {
	return getenv("GOGC") == "" && getenv("GOMEMLIMIT") == ""
}

// gcFallBack says whether, with this live heap after a collection, the soft limit would
// make the collector run more often than Go's default would (heap goal below twice the
// live heap).
func gcFallBack(liveHeap uint64) bool { return liveHeap > gcSoftLimit/2 }

// tuneGC applies the provider's GC setting to this process, if gcSetting allows, and
// watches the live heap after each collection for gcFallBack.
func tuneGC(getenv func(string) string) {
	if !gcSetting(getenv) {
		return
	}
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(gcSoftLimit)
	afterEachGC(func(live uint64) bool {
		if !gcFallBack(live) {
			return true
		}
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(100)
		return false
	})
}

// afterEachGC calls f with the live heap after each garbage collection (from a
// finalizer, which runs once per cycle in which its object became unreachable) until f
// returns false.
func afterEachGC(f func(live uint64) bool) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	type sentinel struct{ _ [16]byte } // not tiny-allocated: finalizers on tiny objects may never run
	var arm func()
	arm = func() {
		s := new(sentinel)
		runtime.SetFinalizer(s, func(*sentinel) {
			metrics.Read(sample)
			if f(sample[0].Value.Uint64()) {
				arm()
			}
		})
	}
	arm()
}
