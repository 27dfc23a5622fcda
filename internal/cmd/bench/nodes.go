//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

const parallelism = 10

// nodeRow: N nodes, each with a port, to available, through `terraform apply` and
// through the same API calls made directly (same parallelism, 50 ms polling). With
// refresh, the refresh rows for N are measured on those nodes before they go.
func nodeRow(ctx context.Context, e *env, n int, refresh bool) ([]row, float64, error) {
	sc, err := ironic.Connect(ctx, ironic.Config{Endpoint: e.endpoint, Retry: ironic.DefaultRetryPolicy(nil)})
	if err != nil {
		return nil, 0, err
	}
	fmt.Fprintf(os.Stderr, "bench: %d nodes + ports to available, direct API calls\n", n)
	direct, err := directProvision(ctx, sc, n)
	if err != nil {
		return nil, 0, err
	}
	fmt.Fprintf(os.Stderr, "bench: %d nodes + ports to available, terraform apply\n", n)
	dir := filepath.Join(e.dir, fmt.Sprintf("nodes-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, 0, err
	}
	cfg := fleetConfig(n, "bench-tf-", "52:54:01", "available")
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644); err != nil {
		return nil, 0, err
	}
	start := time.Now()
	if err := e.terraformRun(dir, "apply", "-auto-approve", "-input=false", fmt.Sprintf("-parallelism=%d", parallelism)); err != nil {
		return nil, 0, err
	}
	tf := time.Since(start)
	var rows []row
	if refresh {
		if rows, err = refreshPlanRows(ctx, e, dir, "bench-tf-", n); err != nil {
			return nil, 0, err
		}
	}
	if err := e.terraformRun(dir, "destroy", "-auto-approve", "-input=false", fmt.Sprintf("-parallelism=%d", parallelism)); err != nil {
		return nil, 0, err
	}
	return append(rows, row{
		what:   fmt.Sprintf("N=%d nodes+ports to available: terraform apply vs direct API", n),
		ours:   seconds(tf),
		theirs: seconds(direct),
		ratio:  fmt.Sprintf("%.2fx", tf.Seconds()/direct.Seconds()),
		goal:   "<= 1.3x",
	}), tf.Seconds() / float64(n), nil
}

// directProvision is what a hand-written script does: create, port, manage, provide,
// polling every 50 ms, ten nodes at a time. The nodes are deleted afterwards, untimed.
func directProvision(ctx context.Context, sc *gophercloud.ServiceClient, n int) (time.Duration, error) {
	ids := make([]string, n)
	elapsed, err := timeParallel(n, func(i int) error {
		var err error
		ids[i], err = provisionOne(ctx, sc, i)
		return err
	})
	for _, id := range ids {
		if id != "" {
			_ = nodes.Delete(ctx, sc, id).ExtractErr()
		}
	}
	return elapsed, err
}

// timeParallel runs f(0..n-1), parallelism at a time, and returns how long they all
// took and the first error, if any.
func timeParallel(n int, f func(i int) error) (time.Duration, error) {
	errs := make(chan error, n)
	sem := make(chan struct{}, parallelism)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := f(i); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	return elapsed, <-errs
}

func provisionOne(ctx context.Context, sc *gophercloud.ServiceClient, i int) (string, error) {
	node, err := nodes.Create(ctx, sc, nodes.CreateOpts{Name: fmt.Sprintf("bench-direct-%d", i), Driver: "fake-hardware"}).Extract()
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
		if err := pollUntil(ctx, sc, node.UUID, st.want); err != nil {
			return node.UUID, err
		}
	}
	return node.UUID, nil
}
