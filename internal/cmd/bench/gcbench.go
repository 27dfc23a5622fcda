//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// gcCandidates are the garbage collector settings the gc section compares for the
// provider's process (the provider's own default, with neither GOGC nor GOMEMLIMIT, is
// what the memory row measures).
var gcCandidates = []struct{ name, env string }{
	{"GOGC=100", "GOGC=100"},
	{"GOGC=200", "GOGC=200"},
	{"GOGC=400", "GOGC=400"},
	{"GOGC=800", "GOGC=800"},
	{"GOGC=off GOMEMLIMIT=1GiB", "GOGC=off GOMEMLIMIT=1GiB"},
	{"GOGC=400 GOMEMLIMIT=1GiB", "GOGC=400 GOMEMLIMIT=1GiB"},
}

// gcTable compares the candidates on no-change plans over each count of seeded nodes
// and ports (largest first, the fleet shrunk in between), rounds times each, taking
// turns. Each candidate's provider is started by a wrapper that sets its environment
// (Terraform's own process keeps its defaults). It prints its own table, the best of
// the rounds for times and the largest peak.
func gcTable(ctx context.Context, e *env, counts []int, rounds int, settings string) error {
	if settings != "" {
		gcCandidates = gcCandidates[:0]
		for _, s := range strings.Split(settings, ",") {
			gcCandidates = append(gcCandidates, struct{ name, env string }{s, s})
		}
	}
	counts = slices.Sorted(slices.Values(counts))
	largest := counts[len(counts)-1]
	dir := filepath.Join(e.dir, "gc")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	configs := make([]string, len(gcCandidates))
	real := filepath.Join(e.dir, "bin", "terraform-provider-baremetal")
	for i, c := range gcCandidates {
		bin := filepath.Join(e.dir, fmt.Sprintf("gc-%d", i), "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			return err
		}
		script := "#!/bin/sh\nunset GOGC GOMEMLIMIT\n"
		if c.env != "" {
			script += "export " + c.env + "\n"
		}
		script += fmt.Sprintf("exec %q \"$@\"\n", real)
		if err := os.WriteFile(filepath.Join(bin, "terraform-provider-baremetal"), []byte(script), 0o755); err != nil {
			return err
		}
		configs[i] = filepath.Join(bin, "..", "terraform.rc")
		rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"metalform/baremetal\" = %q\n  }\n  direct {}\n}\n", bin)
		if err := os.WriteFile(configs[i], []byte(rc), 0o600); err != nil {
			return err
		}
	}
	const prefix, mac = "bench-gc-", "52:54:06"
	fmt.Fprintf(os.Stderr, "bench: seeding %d nodes + ports for the GC comparison (untimed)\n", largest)
	cleanup, err := seedFleet(ctx, e, dir, prefix, mac, largest)
	if cleanup != nil {
		defer cleanup()
	}
	if err != nil {
		return err
	}
	sc, err := connect(ctx, ironic.Config{Endpoint: e.endpoint})
	if err != nil {
		return err
	}
	type result struct {
		n    int
		best runUsage
		cpu  float64
		rss  int64
		gc   float64
	}
	var results []result
	size := largest
	for _, n := range slices.Backward(counts) {
		if n < size {
			if err := shrinkFleet(ctx, e, sc, dir, prefix, func(k int) string { return fleetConfig(k, prefix, mac, "") }, size, n); err != nil {
				return err
			}
			size = n
		}
		res := make([]result, len(gcCandidates))
		for r := range rounds {
			for i, c := range gcCandidates {
				fmt.Fprintf(os.Stderr, "bench: GC %s, plan over %d nodes + ports, round %d\n", c.name, n, r+1)
				u, err := e.terraformMeasured(dir, []string{"TF_CLI_CONFIG_FILE=" + configs[i]}, "plan", "-input=false", "-detailed-exitcode", fmt.Sprintf("-parallelism=%d", parallelism))
				if err != nil {
					return err
				}
				if u.drift {
					return fmt.Errorf("the plan over the seeded fleet found it changed: the seeded state is not what the provider writes")
				}
				_, share := u.providerGC()
				if res[i].best.wall == 0 || u.wall < res[i].best.wall {
					res[i].best = u
				}
				if res[i].cpu == 0 || u.providerCPU() < res[i].cpu {
					res[i].cpu, res[i].gc = u.providerCPU(), share
				}
				res[i].rss = max(res[i].rss, u.providerPeakRSS())
				res[i].n = n
				fmt.Fprintf(os.Stderr, "bench: GC %s, N=%d: provider %s (GC %.0f%%), RSS %s; plan %s, Terraform %s\n", c.name, n,
					cpuSeconds(u.providerCPU()), 100*share, mib(u.providerPeakRSS()), seconds(u.wall), cpuSeconds(u.terraformCPU()))
			}
		}
		results = append(results, res...)
	}
	fmt.Println()
	fmt.Printf("GC of the provider's process, no-change plans over seeded nodes + ports, best of %d (peak: largest)\n", rounds)
	fmt.Printf("%-26s %6s %14s %8s %10s %14s %12s\n", "setting", "N", "provider CPU", "GC CPU", "plan wall", "Terraform CPU", "provider RSS")
	fmt.Println(strings.Repeat("-", 98))
	for k, r := range results {
		fmt.Printf("%-26s %6d %14s %7.0f%% %10s %14s %12s\n", gcCandidates[k%len(gcCandidates)].name, r.n, cpuSeconds(r.cpu),
			100*r.gc, seconds(r.best.wall), cpuSeconds(r.best.terraformCPU()), mib(r.rss))
	}
	return nil
}
