//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// The provider section (BENCH=provider): the provider-only Go benchmarks of
// internal/provider (provider_bench_test.go), which drive the provider's protocol 6
// server for one node and one port as Terraform does in a plan, with Ironic answered from
// recorded responses: no Terraform, no Ironic. Profile one with
//
//	go test ./internal/provider -run '^$' -bench ProviderPlan/node -cpuprofile cpu.out

// providerBenchtime: fixed, so runs compare (about a minute for the section).
const providerBenchtime = "2s"

// providerBefore is each benchmark's result on main before issue 30's work (main at
// e3a26a9), measured on 2026-12-06 around 11:50 UTC on this project's 2-core machine
// (AMD EPYC) while other engineers worked on it (a load average of 12 to 14), with
// `go test ./internal/provider -run '^$' -bench '^(BenchmarkProviderPlan|BenchmarkNode|BenchmarkPort)$' -benchmem -benchtime 2s -count 3`:
// the fastest of the three runs for the times. Under that load the wall times (ns/op)
// are inflated and noisy (up to 5x the CPU time); the process's CPU time per op
// (cpu-ns/op) much less so, and the allocations not at all.
var providerBefore = map[string]benchResult{
	"ProviderPlan/node":           {nsPerOp: 29098385, cpuNsPerOp: 19308586, bytesPerOp: 11950098, allocsPerOp: 75346},
	"ProviderPlan/port":           {nsPerOp: 4363765, cpuNsPerOp: 2047301, bytesPerOp: 880009, allocsPerOp: 12964},
	"Node/UpgradeResourceState":   {nsPerOp: 1534104, cpuNsPerOp: 1154763, bytesPerOp: 725958, allocsPerOp: 4363},
	"Node/ValidateResourceConfig": {nsPerOp: 3117219, cpuNsPerOp: 2012350, bytesPerOp: 1111870, allocsPerOp: 6881},
	"Node/ReadResource":           {nsPerOp: 10005961, cpuNsPerOp: 5463570, bytesPerOp: 2858710, allocsPerOp: 18551},
	"Node/PlanResourceChange":     {nsPerOp: 63864406, cpuNsPerOp: 13008039, bytesPerOp: 6139768, allocsPerOp: 38650},
	"Node/ApplyResourceChange":    {nsPerOp: 8297744, cpuNsPerOp: 7264439, bytesPerOp: 4314725, allocsPerOp: 26476},
	"Port/UpgradeResourceState":   {nsPerOp: 260938, cpuNsPerOp: 168664, bytesPerOp: 100790, allocsPerOp: 974},
	"Port/ValidateResourceConfig": {nsPerOp: 287848, cpuNsPerOp: 146807, bytesPerOp: 60165, allocsPerOp: 924},
	"Port/ReadResource":           {nsPerOp: 1192973, cpuNsPerOp: 693479, bytesPerOp: 283882, allocsPerOp: 4281},
	"Port/PlanResourceChange":     {nsPerOp: 1788453, cpuNsPerOp: 863365, bytesPerOp: 374826, allocsPerOp: 5860},
	"Port/ApplyResourceChange":    {nsPerOp: 1961614, cpuNsPerOp: 1279269, bytesPerOp: 409262, allocsPerOp: 6170},
}

// providerRows lists, in this order: the plan per object (time, then allocations), then
// each RPC alone.
var providerRowOrder = []struct{ name, what string }{
	{"ProviderPlan/node", "provider per node in a no-change plan (5 RPCs)"},
	{"ProviderPlan/port", "provider per port in a no-change plan (5 RPCs)"},
	{"Node/UpgradeResourceState", "  node UpgradeResourceState"},
	{"Node/ValidateResourceConfig", "  node ValidateResourceConfig (twice per plan)"},
	{"Node/ReadResource", "  node ReadResource (from the refresh's list)"},
	{"Node/PlanResourceChange", "  node PlanResourceChange (no change)"},
	{"Node/ApplyResourceChange", "  node ApplyResourceChange (an update)"},
	{"Port/UpgradeResourceState", "  port UpgradeResourceState"},
	{"Port/ValidateResourceConfig", "  port ValidateResourceConfig (twice per plan)"},
	{"Port/ReadResource", "  port ReadResource (from the refresh's list)"},
	{"Port/PlanResourceChange", "  port PlanResourceChange (no change)"},
	{"Port/ApplyResourceChange", "  port ApplyResourceChange (an update)"},
}

type benchResult struct {
	nsPerOp, cpuNsPerOp, bytesPerOp, allocsPerOp float64
}

var benchName = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?$`)

// parseBenchmarks reads `go test -bench -benchmem` output: name (without the Benchmark
// prefix and the GOMAXPROCS suffix) to result.
func parseBenchmarks(out []byte) map[string]benchResult {
	res := map[string]benchResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !benchName.MatchString(f[0]) {
			continue
		}
		var r benchResult
		for i := 2; i+1 < len(f); i += 2 { // after the name and the iteration count: value, unit
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				r.nsPerOp = v
			case "cpu-ns/op":
				r.cpuNsPerOp = v
			case "B/op":
				r.bytesPerOp = v
			case "allocs/op":
				r.allocsPerOp = v
			}
		}
		res[benchName.FindStringSubmatch(f[0])[1]] = r
	}
	return res
}

func providerRows() ([]row, error) {
	fmt.Fprintln(os.Stderr, "bench: provider-only benchmarks (go test -bench, -benchtime "+providerBenchtime+")")
	cmd := exec.Command("go", "test", "./internal/provider", "-count=1", "-run", "^$",
		"-bench", "^(BenchmarkProviderPlan|BenchmarkNode|BenchmarkPort)$", "-benchmem", "-benchtime", providerBenchtime)
	cmd.Env = append(os.Environ(), "TF_ACC=")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("provider benchmarks: %v\n%s", err, out)
	}
	got := parseBenchmarks(out)
	var rows []row
	for _, r := range providerRowOrder {
		after, ok := got[r.name]
		if !ok {
			return nil, fmt.Errorf("provider benchmarks: no result for %s in\n%s", r.name, out)
		}
		before := providerBefore[r.name]
		rows = append(rows,
			row{what: r.what + ", CPU", ours: millis(after.cpuNsPerOp), theirs: millis(before.cpuNsPerOp),
				ratio: ratio(after.cpuNsPerOp, before.cpuNsPerOp), goal: "<= 0.33x"},
		)
		if strings.HasPrefix(r.name, "ProviderPlan/") {
			rows = append(rows, row{what: r.what + ", wall", ours: millis(after.nsPerOp), theirs: millis(before.nsPerOp),
				ratio: ratio(after.nsPerOp, before.nsPerOp), goal: "<= 0.33x"})
		}
		rows = append(rows, row{what: r.what + ", allocs", ours: strconv.FormatFloat(after.allocsPerOp, 'f', 0, 64),
			theirs: strconv.FormatFloat(before.allocsPerOp, 'f', 0, 64),
			ratio:  ratio(after.allocsPerOp, before.allocsPerOp), goal: "<= 0.33x"})
	}
	return rows, nil
}

func millis(ns float64) string { return fmt.Sprintf("%.3f ms", ns/1e6) }

func ratio(after, before float64) string {
	if before == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", after/before)
}
