//go:build pprof

package profiling

import (
	"encoding/json"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"syscall"
)

// Start, in a build with -tags pprof, writes a CPU profile of the provider's whole run to
// $BAREMETAL_CPUPROFILE and its resource usage (Usage, JSON) at the end to
// $BAREMETAL_RUSAGE, each where set and one file per process (the PID is appended), for
// the bench; the function it returns ends the profile and writes the usage.
func Start() (stop func()) {
	stopCPU := startCPUProfile(os.Getenv("BAREMETAL_CPUPROFILE"))
	return func() {
		stopCPU()
		if path := os.Getenv("BAREMETAL_RUSAGE"); path != "" {
			_ = writeUsage(path + "." + strconv.Itoa(os.Getpid()))
		}
	}
}

func startCPUProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path + "." + strconv.Itoa(os.Getpid()))
	if err != nil || pprof.StartCPUProfile(f) != nil {
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

func writeUsage(path string) error {
	u, err := current()
	if err != nil {
		return err
	}
	data, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// current is this process's Usage now.
func current() (Usage, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return Usage{}, err
	}
	u := Usage{
		PID:           os.Getpid(),
		UserSeconds:   tvSeconds(ru.Utime),
		SystemSeconds: tvSeconds(ru.Stime),
		MaxRSSBytes:   int64(ru.Maxrss) * 1024, // KiB on Linux
	}
	samples := []metrics.Sample{
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/cpu/classes/total:cpu-seconds"},
		{Name: "/cpu/classes/idle:cpu-seconds"},
		{Name: "/gc/gogc:percent"},
		{Name: "/gc/gomemlimit:bytes"},
		{Name: "/gc/heap/goal:bytes"},
		{Name: "/memory/classes/total:bytes"},
	}
	metrics.Read(samples)
	f := func(i int) float64 {
		if samples[i].Value.Kind() == metrics.KindFloat64 {
			return samples[i].Value.Float64()
		}
		return 0
	}
	n := func(i int) uint64 {
		if samples[i].Value.Kind() == metrics.KindUint64 {
			return samples[i].Value.Uint64()
		}
		return 0
	}
	u.GCCycles = n(0)
	u.GCCPUSeconds = f(1)
	u.GoCPUSeconds = f(2) - f(3)
	u.GOGC = int64(n(4))
	u.MemoryLimit = int64(n(5))
	u.HeapGoal = n(6)
	u.TotalMemory = n(7)
	return u, nil
}

func tvSeconds(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }
