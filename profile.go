//go:build pprof

package main

import (
	"os"
	"runtime/pprof"
	"strconv"
)

// Built with -tags pprof, the provider writes a CPU profile of its whole run to
// $BAREMETAL_CPUPROFILE (one file per process: the PID is appended), for the bench.
func init() {
	path := os.Getenv("BAREMETAL_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path + "." + strconv.Itoa(os.Getpid()))
	if err != nil || pprof.StartCPUProfile(f) != nil {
		return
	}
	stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
}
