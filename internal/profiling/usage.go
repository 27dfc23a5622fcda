package profiling

// Usage is what a provider process built with -tags pprof writes about itself at exit to
// $BAREMETAL_RUSAGE.<pid> (JSON), for the bench: the kernel's account of its CPU and
// peak memory, and the Go runtime's of its garbage collector.
type Usage struct {
	PID           int     `json:"pid"`
	UserSeconds   float64 `json:"user_seconds"`   // getrusage(RUSAGE_SELF) user CPU
	SystemSeconds float64 `json:"system_seconds"` // and system CPU
	MaxRSSBytes   int64   `json:"max_rss_bytes"`  // peak resident set

	GCCycles     uint64  `json:"gc_cycles"`      // /gc/cycles/total:gc-cycles
	GCCPUSeconds float64 `json:"gc_cpu_seconds"` // /cpu/classes/gc/total:cpu-seconds (estimate)
	// GoCPUSeconds is the runtime's estimate of all CPU time it spent (its
	// /cpu/classes/total minus /cpu/classes/idle): the base of GC's share.
	GoCPUSeconds float64 `json:"go_cpu_seconds"`
	GOGC         int64   `json:"gogc"`         // /gc/gogc:percent in effect at exit (-1: off)
	MemoryLimit  int64   `json:"memory_limit"` // /gc/gomemlimit:bytes in effect at exit
	HeapGoal     uint64  `json:"heap_goal"`    // /gc/heap/goal:bytes at exit
	TotalMemory  uint64  `json:"total_memory"` // /memory/classes/total:bytes at exit (mapped by the runtime)
}

// CPUSeconds is the process's user and system CPU time.
func (u Usage) CPUSeconds() float64 { return u.UserSeconds + u.SystemSeconds }

// GCFraction is the share of the runtime's CPU time that went to the garbage collector.
func (u Usage) GCFraction() float64 {
	if u.GoCPUSeconds == 0 {
		return 0
	}
	return u.GCCPUSeconds / u.GoCPUSeconds
}
