//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"golang.org/x/sync/errgroup"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

const parallelism = 10

// nodeRow: N nodes, each with a port, to available, through `terraform apply` and
// through the same API calls made directly (same parallelism, 50 ms polling). The
// refresh rows for each count in refreshes (at most N) are then measured on those
// nodes, largest first, the fleet shrunk to each count in between.
func nodeRow(ctx context.Context, e *env, n int, refreshes []int) ([]row, float64, error) {
	// Both paths reach Ironic through a proxy that counts their requests.
	proxy, err := startCountingProxy(e.endpoint)
	if err != nil {
		return nil, 0, err
	}
	defer proxy.Close()
	endpoint := e.endpoint
	e.endpoint = proxy.URL()
	defer func() { e.endpoint = endpoint }() // also on failure
	sc, err := connect(ctx, ironic.Config{Endpoint: e.endpoint, Retry: ironic.DefaultRetryPolicy(nil)})
	if err != nil {
		return nil, 0, err
	}
	fmt.Fprintf(os.Stderr, "bench: %d nodes + ports to available, direct API calls\n", n)
	direct, err := directProvision(ctx, sc, n, proxy)
	if err != nil {
		return nil, 0, err
	}
	fmt.Fprintf(os.Stderr, "bench: %d nodes + ports to available, terraform apply\n", n)
	dir := filepath.Join(e.dir, fmt.Sprintf("nodes-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, 0, err
	}
	const prefix, mac, target = "bench-tf-", "52:54:01", "available"
	config := func(k int) string { return fleetConfig(k, prefix, mac, target) }
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config(n)), 0o644); err != nil {
		return nil, 0, err
	}
	start := time.Now()
	proxy.setPhase("ours")
	err = e.terraformRun(dir, "apply", "-auto-approve", "-input=false", fmt.Sprintf("-parallelism=%d", parallelism))
	proxy.setPhase("")
	e.endpoint = endpoint // the refresh rows below reach Ironic directly
	if err != nil {
		return nil, 0, err
	}
	tf := time.Since(start)
	fmt.Fprintf(os.Stderr, "bench: %d nodes + ports to available: terraform apply %s, direct %s\n", n, seconds(tf), seconds(direct))
	// Cleanup is not measured: the nodes go directly, not by terraform destroy.
	defer deleteFleet(ctx, sc, prefix, 0)
	var rows []row
	size := n
	for _, r := range slices.Backward(slices.Sorted(slices.Values(refreshes))) {
		if r < size {
			if err := shrinkFleet(ctx, e, sc, dir, prefix, config, size, r); err != nil {
				return nil, 0, err
			}
			size = r
		}
		got, err := refreshPlanRows(ctx, e, dir, prefix, mac, target, r)
		if err != nil {
			return nil, 0, err
		}
		rows = append(got, rows...) // smallest first
	}
	rows = append(rows, row{
		what:   fmt.Sprintf("N=%d nodes+ports to available: terraform apply vs direct API", n),
		ours:   seconds(tf),
		theirs: seconds(direct),
		ratio:  fmt.Sprintf("%.2fx", tf.Seconds()/direct.Seconds()),
		goal:   "<= 1.3x",
	})
	rows = append(rows, proxy.perNodeRows("ours", "direct", n)...)
	if len(refreshes) > 0 { // the largest apply row: the same with a module per machine
		states, err := startStateServer()
		if err != nil {
			return nil, 0, err
		}
		defer states.Close()
		e.endpoint = proxy.URL()
		defer func() { e.endpoint = endpoint }()
		for _, shape := range []moduleShape{
			{"a module per machine", "modules", "bench-tfm-", "52:54:06", ""},
			{"modules, http state backend", "modules-http", "bench-tfh-", "52:54:07", states.URL + "/state"},
		} {
			took, err := moduleApply(ctx, e, sc, proxy, n, shape)
			if err != nil {
				return nil, 0, err
			}
			rows = append(rows, row{
				what:   fmt.Sprintf("N=%d, %s: terraform apply vs direct API", n, shape.what),
				ours:   seconds(took),
				theirs: seconds(direct),
				ratio:  fmt.Sprintf("%.2fx", took.Seconds()/direct.Seconds()),
				goal:   "<= 1.3x",
			})
			counted := proxy.perNodeRows(shape.phase, "direct", n)
			all := counted[len(counted)-2] // requests per node, all kinds
			all.what = "  " + shape.what + ":" + strings.TrimPrefix(all.what, " ")
			rows = append(rows, all)
		}
	}
	return rows, tf.Seconds() / float64(n), nil
}

// moduleShape is one module-per-machine apply: its rows' words, the proxy's phase,
// its nodes' names and MACs, and the http backend that holds its state ("": the local
// backend, terraform.tfstate).
type moduleShape struct{ what, phase, prefix, mac, backend string }

// moduleApply brings n nodes with a port each, written as a module per machine, to
// available through terraform apply (requests counted as shape.phase), and deletes them.
func moduleApply(ctx context.Context, e *env, sc *gophercloud.ServiceClient, proxy *countingProxy, n int, shape moduleShape) (time.Duration, error) {
	dir := filepath.Join(e.dir, fmt.Sprintf("nodes-%s-%d", shape.phase, n))
	if err := writeModuleFleet(dir, n, shape.prefix, shape.mac, "available"); err != nil {
		return 0, err
	}
	setup := []string{"get"} // the local module; no provider to install (dev_overrides)
	if shape.backend != "" {
		backend := fmt.Sprintf("terraform {\n  backend \"http\" {\n    address = %q\n  }\n}\n", shape.backend)
		if err := os.WriteFile(filepath.Join(dir, "backend.tf"), []byte(backend), 0o644); err != nil {
			return 0, err
		}
		setup = []string{"init", "-input=false"}
	}
	if err := e.terraformRun(dir, setup...); err != nil {
		return 0, err
	}
	fmt.Fprintf(os.Stderr, "bench: %d nodes + ports to available, terraform apply, %s\n", n, shape.what)
	defer deleteFleet(ctx, sc, shape.prefix, 0)
	start := time.Now()
	proxy.setPhase(shape.phase)
	err := e.terraformRun(dir, "apply", "-auto-approve", "-input=false", fmt.Sprintf("-parallelism=%d", parallelism))
	proxy.setPhase("")
	return time.Since(start), err
}

// shrinkFleet turns the fleet of `size` nodes in dir (config(size), names prefix<i>)
// into one of n: the configuration and the state lose the rest, and Ironic too, so a
// plan there is a plan over n nodes in an Ironic that holds n.
func shrinkFleet(ctx context.Context, e *env, sc *gophercloud.ServiceClient, dir, prefix string, config func(int) string, size, n int) error {
	fmt.Fprintf(os.Stderr, "bench: shrinking the fleet from %d to %d nodes (untimed)\n", size, n)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config(n)), 0o644); err != nil {
		return err
	}
	args := []string{"state", "rm"}
	for i := n; i < size; i++ {
		args = append(args, fmt.Sprintf("baremetal_port.p[%d]", i), fmt.Sprintf("baremetal_node.n[%d]", i))
	}
	if err := e.terraformRun(dir, args...); err != nil {
		return err
	}
	return deleteFleet(ctx, sc, prefix, n)
}

// connect is ironic.Connect for the direct API calls the bench times against the provider.
func connect(ctx context.Context, cfg ironic.Config) (*gophercloud.ServiceClient, error) {
	ic, err := ironic.Connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return ic.SC, nil
}

// deleteFleet deletes the nodes named prefix<i> with i >= from (and so their ports),
// ten at a time.
func deleteFleet(ctx context.Context, sc *gophercloud.ServiceClient, prefix string, from int) error {
	all, err := ironic.NewClient(sc, nil, nil).ListAllNodes(ctx)
	if err != nil {
		return err
	}
	var ids []string
	for _, nd := range all {
		if i, err := strconv.Atoi(strings.TrimPrefix(nd.Name, prefix)); err == nil && strings.HasPrefix(nd.Name, prefix) && i >= from {
			ids = append(ids, nd.UUID)
		}
	}
	return deleteNodes(ctx, sc, ids)
}

// deleteNodes deletes the nodes (and so their ports), ten at a time; an empty id is
// a node that was never created.
func deleteNodes(ctx context.Context, sc *gophercloud.ServiceClient, ids []string) error {
	return parallel(len(ids), func(i int) error {
		if ids[i] == "" {
			return nil
		}
		return nodes.Delete(ctx, sc, ids[i]).ExtractErr()
	})
}

// directProvision is what a hand-written script does: create, port, manage, provide,
// and power off a node that ends available with no known power state (Ironic's
// allocations skip those; the provider does the same), polling every 50 ms, ten nodes
// at a time. The nodes are deleted afterwards, untimed
// and uncounted.
func directProvision(ctx context.Context, sc *gophercloud.ServiceClient, n int, proxy *countingProxy) (time.Duration, error) {
	ids := make([]string, n)
	proxy.setPhase("direct")
	elapsed, err := timeParallel(n, func(i int) error {
		var err error
		ids[i], err = provisionOne(ctx, sc, i, nodes.CreateOpts{Driver: "fake-hardware"})
		return err
	})
	proxy.setPhase("")
	_ = deleteNodes(ctx, sc, ids)
	return elapsed, err
}

// timeParallel runs f(0..n-1), parallelism at a time, and returns how long they all
// took and the first error, if any.
func timeParallel(n int, f func(i int) error) (time.Duration, error) {
	start := time.Now()
	err := parallel(n, f)
	return time.Since(start), err
}

// parallel runs f(0..n-1), parallelism at a time, and returns the first error, if any,
// once all have finished.
func parallel(n int, f func(i int) error) error {
	var g errgroup.Group
	g.SetLimit(parallelism)
	for i := range n {
		g.Go(func() error { return f(i) })
	}
	return g.Wait()
}

func provisionOne(ctx context.Context, sc *gophercloud.ServiceClient, i int, opts nodes.CreateOpts) (string, error) {
	opts.Name = fmt.Sprintf("bench-direct-%d", i)
	node, err := nodes.Create(ctx, sc, opts).Extract()
	if err != nil {
		return "", err
	}
	if _, err := ports.Create(ctx, sc, ports.CreateOpts{NodeUUID: node.UUID, Address: fmt.Sprintf("52:54:02:%02x:%02x:00", i/256, i%256)}).Extract(); err != nil {
		return node.UUID, err
	}
	for _, st := range []struct {
		action nodes.TargetProvisionState
		want   string
	}{{nodes.TargetManage, "manageable"}, {nodes.TargetProvide, "available"}} {
		if err := nodes.ChangeProvisionState(ctx, sc, node.UUID, nodes.ProvisionStateOpts{Target: st.action}).ExtractErr(); err != nil {
			return node.UUID, err
		}
		id := node.UUID
		if node, err = pollUntil(ctx, sc, id, st.want); err != nil {
			return id, err
		}
	}
	return node.UUID, powerOffIfUnknown(ctx, sc, node)
}

// powerOffIfUnknown powers an available node off when Ironic knows no power state for it
// (fake power until the conductor's power sync), and polls until Ironic reports it.
func powerOffIfUnknown(ctx context.Context, sc *gophercloud.ServiceClient, node *nodes.Node) error {
	id := node.UUID
	if node.PowerState != "" {
		return nil
	}
	if err := nodes.ChangePowerState(ctx, sc, id, nodes.PowerStateOpts{Target: nodes.PowerOff}).ExtractErr(); err != nil {
		return err
	}
	for {
		time.Sleep(50 * time.Millisecond)
		n, err := nodes.Get(ctx, sc, id).Extract()
		if err != nil {
			return err
		}
		if n.TargetPowerState == "" {
			if n.PowerState != "power off" {
				return fmt.Errorf("node %s: power off ended in %q: %s", id, n.PowerState, n.LastError)
			}
			return nil
		}
	}
}
