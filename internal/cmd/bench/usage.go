//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/metalform/terraform-provider-baremetal/internal/profiling"
)

// runUsage is one terraform command's cost: its wall time, the CPU of Terraform's
// process with everything it reaped, and what each provider process it started wrote
// about itself at exit ($BAREMETAL_RUSAGE, the -tags pprof build).
type runUsage struct {
	wall time.Duration
	// totalCPU is the terraform process's user+system CPU as wait4 reports it. On Linux
	// that is the process's own and that of every descendant it waited for (the kernel
	// adds a child's counts, with its own reaped children's, to the parent's when the
	// parent reaps it): Terraform waits for its providers, so their CPU is in here.
	totalCPU  float64
	providers []profiling.Usage
	// drift: Terraform reported objects changed outside of Terraform (a plan whose
	// refresh found the state out of date is not a plan that changes nothing).
	drift bool
}

// providerCPU is the CPU of all the provider processes of the run.
func (u runUsage) providerCPU() float64 {
	var s float64
	for _, p := range u.providers {
		s += p.CPUSeconds()
	}
	return s
}

// terraformCPU is Terraform's own CPU in the run: its process's and its reaped
// descendants' less the providers'.
func (u runUsage) terraformCPU() float64 { return u.totalCPU - u.providerCPU() }

// providerPeakRSS is the largest peak resident set of the run's provider processes.
func (u runUsage) providerPeakRSS() int64 {
	var m int64
	for _, p := range u.providers {
		m = max(m, p.MaxRSSBytes)
	}
	return m
}

// providerGC is the GC cycles and GC's share of the runtime's CPU over the providers.
func (u runUsage) providerGC() (cycles uint64, fraction float64) {
	var gc, all float64
	for _, p := range u.providers {
		cycles += p.GCCycles
		gc += p.GCCPUSeconds
		all += p.GoCPUSeconds
	}
	if all > 0 {
		fraction = gc / all
	}
	return cycles, fraction
}

// gogc is the providers' GC setting, as their runtime saw it.
func (u runUsage) gogc() string {
	p := u.providers[0]
	s := "GOGC=off"
	if p.GOGC >= 0 {
		s = fmt.Sprintf("GOGC=%d", p.GOGC)
	}
	if p.MemoryLimit != math.MaxInt64 {
		s += fmt.Sprintf(" GOMEMLIMIT=%s", mib(p.MemoryLimit))
	}
	return s
}

// terraformMeasured runs terraform in dir with extra environment and returns its
// usage; the providers it starts must be the -tags pprof build.
func (e *env) terraformMeasured(dir string, extraEnv []string, args ...string) (runUsage, error) {
	tmp, err := os.MkdirTemp(e.dir, "rusage-")
	if err != nil {
		return runUsage{}, err
	}
	defer os.RemoveAll(tmp)
	cmd := e.terraformCmd(dir, args...)
	cmd.Env = append(append(cmd.Env, "BAREMETAL_RUSAGE="+filepath.Join(tmp, "u")), extraEnv...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		return runUsage{}, fmt.Errorf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	u := runUsage{wall: wall, drift: strings.Contains(string(out), "changed outside of Terraform")}
	if u.drift {
		fmt.Fprintf(os.Stderr, "bench: terraform %s in %s reported objects changed outside of Terraform\n", strings.Join(args, " "), dir)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		u.totalCPU = tvSeconds(ru.Utime) + tvSeconds(ru.Stime)
	}
	files, err := filepath.Glob(filepath.Join(tmp, "u.*"))
	if err != nil {
		return runUsage{}, err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return runUsage{}, err
		}
		var p profiling.Usage
		if err := json.Unmarshal(data, &p); err != nil {
			return runUsage{}, fmt.Errorf("%s: %w", f, err)
		}
		u.providers = append(u.providers, p)
	}
	if len(u.providers) == 0 {
		return runUsage{}, fmt.Errorf("terraform %s: no provider wrote its usage (not the -tags pprof build?)", strings.Join(args, " "))
	}
	return u, nil
}

// bestMeasured runs f n times and keeps the run with the shortest wall time.
func bestMeasured(n int, f func() (runUsage, error)) (runUsage, error) {
	var b runUsage
	for range n {
		u, err := f()
		if err != nil {
			return runUsage{}, err
		}
		if b.wall == 0 || u.wall < b.wall {
			b = u
		}
	}
	return b, nil
}

// usageRows: the plan's split between Terraform's process and the provider's, and the
// provider's peak memory and GC; each row's label starts with label.
func usageRows(label string, u runUsage) []row {
	cycles, gcShare := u.providerGC()
	return []row{
		{what: label + " plan wall time vs Terraform's own CPU", ours: seconds(u.wall), theirs: cpuSeconds(u.terraformCPU()),
			ratio: fmt.Sprintf("%.2fx", u.wall.Seconds()/u.terraformCPU()), goal: "<= 1.3x"},
		{what: label + " provider CPU vs Terraform's own", ours: cpuSeconds(u.providerCPU()), theirs: cpuSeconds(u.terraformCPU()),
			ratio: fmt.Sprintf("%.2fx", u.providerCPU()/u.terraformCPU())},
		{what: fmt.Sprintf("%s provider's GC (%s): CPU share, cycles", label, u.gogc()), ours: fmt.Sprintf("%.0f %%", 100*gcShare),
			theirs: fmt.Sprintf("%d cycles", cycles)},
		{what: label + " provider peak memory (RSS)", ours: mib(u.providerPeakRSS()), goal: "< 1 GiB at 5,000"},
	}
}

func cpuSeconds(s float64) string { return fmt.Sprintf("%.2f s CPU", s) }

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func tvSeconds(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }
