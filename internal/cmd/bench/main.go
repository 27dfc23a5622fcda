//go:build linux

// Command bench prints the project's performance claims as ratios measured side by side
// in one run on this machine (`make bench`). Machines here are shared and noisy, so it
// compares, it does not assert.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

func main() {
	var (
		nodeCounts    = flag.String("nodes", "20,1000", "node counts for the provisioning comparison")
		refreshCounts = flag.String("refresh", "300,1000", "node counts for the plan (refresh) comparison")
		queryCount    = flag.Int("query", 1000, "node (and port) count of the terraform query and adoption plan rows")
		deployCount   = flag.Int("deploys", 20, "deployments of the nodes section's deployment row (0: none)")
		memoryCount   = flag.Int("memory", 5000, "node (and port) count of the memory rows (section memory, run only when asked: BENCH=memory): one plan over nodes seeded into Ironic's database")
		gcCounts      = flag.String("gc", "1000,5000", "node counts of the GC comparison (section gc, run only when asked: BENCH=gc)")
		gcRounds      = flag.Int("gc-rounds", 2, "plans per GC setting and count")
		gcSettings    = flag.String("gc-settings", "", "GC settings to compare instead of the built-in list, comma-separated (e.g. 'GOGC=400,GOGC=400 GOMEMLIMIT=1GiB')")
		only          = flag.String("only", os.Getenv("BENCH"), "run only sections whose name contains this, or one of these comma-separated parts (nodes, hash, fetch, plan, refresh, query, provider; memory and gc only by name); default $BENCH")
		fetchChild    = flag.String("fetch-child", "", "internal: fetch this URL and exit")
		cacheDir      = flag.String("cache", "", "internal: cache directory of -fetch-child")
	)
	flag.Parse()
	if *fetchChild != "" {
		if err := runFetchChild(*fetchChild, *cacheDir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	o := options{nodeCounts: *nodeCounts, refreshCounts: *refreshCounts, queryCount: *queryCount, deployCount: *deployCount,
		memoryCount: *memoryCount, only: *only, gcCounts: *gcCounts, gcRounds: *gcRounds, gcSettings: *gcSettings}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type row struct{ what, ours, theirs, ratio, goal string }

// options are the bench's flags.
type options struct {
	nodeCounts, refreshCounts, only, gcCounts, gcSettings string
	queryCount, deployCount, memoryCount, gcRounds        int
}

func run(o options) error {
	ctx := context.Background()
	env, err := newEnv()
	if err != nil {
		return err
	}
	defer env.close()
	var rows []row
	want := func(section string) bool { return wanted(o.only, section) }

	if want("hash") {
		r, err := hashRows(env)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	if want("fetch") {
		r, err := fetchRows(env)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	if want("provider") {
		r, err := providerRows()
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	if want("plan") || want("nodes") || want("refresh") || want("query") || o.only == "memory" || o.only == "gc" {
		fmt.Fprintln(os.Stderr, "bench: starting a private Ironic")
		srv, err := ironictest.Start(ctx, ironictest.Options{})
		if err != nil {
			return err
		}
		defer srv.Remove()
		env.endpoint = srv.Endpoint
		env.ironic = srv
		if want("plan") {
			r, err := planRows(env)
			if err != nil {
				return err
			}
			rows = append(rows, r...)
		}
		if want("query") {
			r, err := queryRows(ctx, env, o.queryCount)
			if err != nil {
				return err
			}
			rows = append(rows, r...)
		}
		refreshes, err := parseCounts(o.refreshCounts, "-refresh")
		if err != nil {
			return err
		}
		applies, err := parseCounts(o.nodeCounts, "-nodes")
		if err != nil {
			return err
		}
		// Refresh rows up to the largest apply are measured on the nodes that apply
		// provisions (saves enrolling and deleting fleets of their own).
		onApply, standalone := map[int][]int{}, refreshes
		if want("nodes") && want("refresh") {
			largest := slices.Max(applies)
			standalone = nil
			for _, n := range refreshes {
				if n <= largest {
					onApply[largest] = append(onApply[largest], n)
				} else {
					standalone = append(standalone, n)
				}
			}
		}
		if want("refresh") {
			r, err := smallWorkspaceRows(ctx, env)
			if err != nil {
				return err
			}
			rows = append(rows, r...)
			for _, n := range standalone {
				r, err := refreshRows(ctx, env, n)
				if err != nil {
					return err
				}
				rows = append(rows, r...)
			}
		}
		if want("nodes") {
			var perNode []float64
			for _, n := range applies {
				r, tfPerNode, err := nodeRow(ctx, env, n, onApply[n])
				if err != nil {
					return err
				}
				rows = append(rows, r...)
				perNode = append(perNode, tfPerNode)
			}
			if o.deployCount > 0 {
				r, err := deployRow(ctx, env, o.deployCount)
				if err != nil {
					return err
				}
				rows = append(rows, r)
			}
			if len(perNode) > 1 {
				rows = append(rows, row{
					what: "  linear scaling: apply time per node, largest N vs smallest N",
					ours: fmt.Sprintf("%.0f ms", perNode[len(perNode)-1]*1000), theirs: fmt.Sprintf("%.0f ms", perNode[0]*1000),
					ratio: fmt.Sprintf("%.2fx", perNode[len(perNode)-1]/perNode[0]), goal: "~1x (linear)",
				})
			}
		}
		if o.only == "memory" {
			r, err := memoryRows(ctx, env, o.memoryCount)
			if err != nil {
				return err
			}
			rows = append(rows, r...)
		}
		if o.only == "gc" {
			counts, err := parseCounts(o.gcCounts, "-gc")
			if err != nil {
				return err
			}
			if err := gcTable(ctx, env, counts, o.gcRounds, o.gcSettings); err != nil {
				return err
			}
		}
	}
	printTable(rows)
	return nil
}

// wanted: the section is one only names (comma-separated parts, each matching the
// sections whose name contains it); every section when only is empty.
func wanted(only, section string) bool {
	if only == "" {
		return true
	}
	for _, part := range strings.Split(only, ",") {
		if part = strings.TrimSpace(part); part != "" && strings.Contains(section, part) {
			return true
		}
	}
	return false
}

func parseCounts(list, flagName string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flagName, err)
		}
		out = append(out, n)
	}
	return out, nil
}

func printTable(rows []row) {
	fmt.Println()
	fmt.Printf("%-64s %14s %14s %8s  %s\n", "measurement (ours vs reference, same run)", "ours", "reference", "ratio", "goal")
	fmt.Println(strings.Repeat("-", 120))
	for _, r := range rows {
		fmt.Printf("%-64s %14s %14s %8s  %s\n", r.what, r.ours, r.theirs, r.ratio, r.goal)
	}
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
