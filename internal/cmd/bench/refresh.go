//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// refreshRows enrolls N nodes with a port each for the refresh rows, and deletes them
// afterwards. A count up to the largest apply row is measured on that row's nodes.
func refreshRows(ctx context.Context, e *env, n int) ([]row, error) {
	dir := filepath.Join(e.dir, fmt.Sprintf("refresh-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	const prefix = "bench-refresh-"
	cfg := fleetConfig(n, prefix, "52:54:03", "")
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	sc, err := connect(ctx, ironic.Config{Endpoint: e.endpoint})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "bench: enrolling %d nodes + ports for the refresh rows (untimed)\n", n)
	defer deleteFleet(ctx, sc, prefix, 0)
	if err := e.terraformRun(dir, "apply", "-auto-approve", "-input=false", fmt.Sprintf("-parallelism=%d", parallelism)); err != nil {
		return nil, err
	}
	return refreshPlanRows(ctx, e, dir, prefix, "52:54:03", "", n)
}

// refreshPlanRows: a plan over the N nodes (named prefix-i) and N ports in dir
// (fleetConfig(N, prefix, macPrefix, target)), nothing changed, as it is and with a
// module per machine, against a plan over 2N terraform_data (what Terraform itself costs) and
// against reading the same 2N objects directly, one GET each, ten at a time.
func refreshPlanRows(ctx context.Context, e *env, dir, prefix, macPrefix, target string, n int) ([]row, error) {
	base := filepath.Join(e.dir, fmt.Sprintf("refresh-base-%d", n))
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, err
	}
	baseline := providerHeader + fmt.Sprintf(`
provider "baremetal" {}

resource "terraform_data" "d" {
  count = %d
  input = count.index
}
`, 2*n)
	if err := os.WriteFile(filepath.Join(base, "main.tf"), []byte(baseline), 0o644); err != nil {
		return nil, err
	}
	par := fmt.Sprintf("-parallelism=%d", parallelism)
	if err := e.terraformRun(base, "apply", "-auto-approve", "-input=false", par); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "bench: plan over %d nodes + ports, 2x%d terraform_data, and the direct reads\n", n, n)
	measured, err := bestMeasured(2, func() (runUsage, error) {
		return e.terraformMeasured(dir, nil, "plan", "-input=false", "-detailed-exitcode", par)
	})
	if err != nil {
		return nil, err
	}
	ours := measured.wall
	terraformOnly := best(2, func() error { return e.terraformRun(base, "plan", "-input=false", "-detailed-exitcode", par) })
	sc, err := connect(ctx, ironic.Config{Endpoint: e.endpoint})
	if err != nil {
		return nil, err
	}
	direct, err := directReads(ctx, sc, prefix)
	if err != nil {
		return nil, err
	}
	modules := filepath.Join(e.dir, fmt.Sprintf("refresh-modules-%d", n))
	if err := moduleWorkspace(e, dir, modules, prefix, macPrefix, target, n); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "bench: the same plan with a module per machine\n")
	asModules, err := bestMeasured(2, func() (runUsage, error) {
		return e.terraformMeasured(modules, nil, "plan", "-input=false", "-detailed-exitcode", par)
	})
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("plan N=%d nodes+ports", n)
	rows := []row{
		{what: what + ", counted, vs 2N terraform_data", ours: seconds(ours), theirs: seconds(terraformOnly),
			ratio: fmt.Sprintf("%.2fx", ours.Seconds()/terraformOnly.Seconds()), goal: "<= 3x"},
		{what: what + ", counted, vs one GET each", ours: seconds(ours), theirs: seconds(direct),
			ratio: fmt.Sprintf("%.2fx", ours.Seconds()/direct.Seconds())},
		{what: what + ", module per machine, vs one GET each", ours: seconds(asModules.wall), theirs: seconds(direct),
			ratio: fmt.Sprintf("%.2fx", asModules.wall.Seconds()/direct.Seconds()), goal: "<= 0.8x"},
	}
	rows = append(rows, usageRows(fmt.Sprintf("  N=%d counted:", n), measured)...)
	return append(rows, usageRows(fmt.Sprintf("  N=%d modules:", n), asModules)...), nil
}

// directReads reads every node named with prefix, and its ports, one GET each, ten at
// a time: the refresh a provider without list calls makes. The listing that finds
// them is not timed.
func directReads(ctx context.Context, sc *gophercloud.ServiceClient, prefix string) (time.Duration, error) {
	all, err := ironic.NewClient(sc, nil, nil).ListAllNodes(ctx)
	if err != nil {
		return 0, err
	}
	allPorts, err := ironic.NewClient(sc, nil, nil).ListAllPorts(ctx)
	if err != nil {
		return 0, err
	}
	mine := map[string]bool{}
	var reads []func() error
	for _, nd := range all {
		if len(nd.Name) >= len(prefix) && nd.Name[:len(prefix)] == prefix {
			mine[nd.UUID] = true
			id := nd.UUID
			reads = append(reads, func() error { return nodes.Get(ctx, sc, id).Err })
		}
	}
	for _, p := range allPorts {
		if mine[p.NodeUUID] {
			id := p.UUID
			reads = append(reads, func() error { return ports.Get(ctx, sc, id).Err })
		}
	}
	return timeParallel(len(reads), func(i int) error { return reads[i]() })
}

// smallWorkspaceRows: a 12-node workspace (nodes and ports) planned on an Ironic that
// holds only them, then beside 3,000 and 20,000 other nodes seeded straight into its
// database: the plan's cost must follow the workspace, not the shared Ironic.
func smallWorkspaceRows(ctx context.Context, e *env) ([]row, error) {
	const n = 12
	dir := filepath.Join(e.dir, "small-workspace")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	const prefix = "bench-small-"
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(fleetConfig(n, prefix, "52:54:04", "")), 0o644); err != nil {
		return nil, err
	}
	sc, err := connect(ctx, ironic.Config{Endpoint: e.endpoint})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "bench: a %d-node workspace, alone and beside 3,000 and 20,000 other nodes\n", n)
	defer deleteFleet(ctx, sc, prefix, 0)
	par := fmt.Sprintf("-parallelism=%d", parallelism)
	if err := e.terraformRun(dir, "apply", "-auto-approve", "-input=false", par); err != nil {
		return nil, err
	}
	plan := func() time.Duration {
		return best(3, func() error { return e.terraformRun(dir, "plan", "-input=false", "-detailed-exitcode", par) })
	}
	alone := plan()
	template, err := nodes.Create(ctx, sc, nodes.CreateOpts{Name: "bench-foreign-template", Driver: "fake-hardware"}).Extract()
	if err != nil {
		return nil, err
	}
	defer nodes.Delete(context.Background(), sc, template.UUID)
	defer e.ironic.DeleteClones(context.Background(), "bench-foreign")
	var rows []row
	seeded := 1
	for _, others := range []int{3000, 20000} {
		if err := e.ironic.CloneNodes(ctx, template.UUID, fmt.Sprintf("bench-foreign-%d", others), others-seeded); err != nil {
			return nil, err
		}
		seeded = others
		beside := plan()
		rows = append(rows, row{
			what: fmt.Sprintf("plan over %d nodes+ports beside %d other nodes vs alone", n, others), ours: seconds(beside),
			theirs: seconds(alone), ratio: fmt.Sprintf("%.2fx", beside.Seconds()/alone.Seconds()), goal: "<= 1.5x",
		})
	}
	return rows, nil
}
