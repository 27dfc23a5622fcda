//go:build pprof

package profiling

import (
	"os"
	"runtime/pprof"
	"strconv"
)

// Start, in a build with -tags pprof, writes a CPU profile of the provider's whole run to
// $BAREMETAL_CPUPROFILE (one file per process: the PID is appended), for the bench; the
// function it returns ends the profile.
func Start() (stop func()) {
	path := os.Getenv("BAREMETAL_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path + "." + strconv.Itoa(os.Getpid()))
	if err != nil || pprof.StartCPUProfile(f) != nil {
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
