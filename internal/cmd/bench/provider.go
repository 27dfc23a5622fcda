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

// providerBenchtime: fixed, so runs compare (about 40 s for the section).
const providerBenchtime = "2s"

// providerBefore is each benchmark's result on main before issue 30's work (commit
// e3a26a9), measured on 2026-12-06 on this project's 2-core machine (AMD EPYC, a load
// average of about 4 from other work, so the times are the fastest of three runs; the
// allocations do not depend on the load) with
// `go test ./internal/provider -run '^$' -bench 'ProviderPlan|Node$|Port$' -benchmem -benchtime 2s -count 3`.
var providerBefore = map[string]benchResult{
	"ProviderPlan/node":           {nsPerOp: 0, allocsPerOp: 0},
	"ProviderPlan/port":           {nsPerOp: 0, allocsPerOp: 0},
	"Node/UpgradeResourceState":   {},
	"Node/ValidateResourceConfig": {},
	"Node/ReadResource":           {},
	"Node/PlanResourceChange":     {},
	"Node/ApplyResourceChange":    {},
	"Port/UpgradeResourceState":   {},
	"Port/ValidateResourceConfig": {},
	"Port/ReadResource":           {},
	"Port/PlanResourceChange":     {},
	"Port/ApplyResourceChange":    {},
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
