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

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// benchImage is what the fake deploy interface "deploys": it never reads it.
const benchImage = "file:///var/lib/bench/os.img"

// deployRow: N available nodes deployed to active and undeployed again, through
// baremetal_deployment (terraform apply, then destroy of the deployments only) and
// through the same API calls made directly (same parallelism, 50 ms polling).
func deployRow(ctx context.Context, e *env, n int) (row, error) {
	sc, err := ironic.Connect(ctx, ironic.Config{Endpoint: e.endpoint, Retry: ironic.DefaultRetryPolicy(nil)})
	if err != nil {
		return row{}, err
	}
	dir := filepath.Join(e.dir, fmt.Sprintf("deploy-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return row{}, err
	}
	machines := providerHeader + fmt.Sprintf(`
provider "baremetal" {}

resource "baremetal_node" "n" {
  count                  = %d
  name                   = "bench-deploy-${count.index}"
  driver                 = "fake-hardware"
  target_provision_state = "available"
}
`, n)
	deployments := fmt.Sprintf(`
resource "baremetal_deployment" "d" {
  count         = %d
  node_id       = baremetal_node.n[count.index].id
  instance_info = { image_source = %q }
}
`, n, benchImage)
	apply := func(cfg string) (time.Duration, error) {
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644); err != nil {
			return 0, err
		}
		start := time.Now()
		err := e.terraformRun(dir, "apply", "-auto-approve", "-input=false", fmt.Sprintf("-parallelism=%d", parallelism))
		return time.Since(start), err
	}
	fmt.Fprintf(os.Stderr, "bench: %d deployments to active and back, terraform apply\n", n)
	if _, err := apply(machines); err != nil { // the machines, untimed
		return row{}, err
	}
	up, err := apply(machines + deployments)
	if err != nil {
		return row{}, err
	}
	down, err := apply(machines)
	if err != nil {
		return row{}, err
	}
	if err := e.terraformRun(dir, "destroy", "-auto-approve", "-input=false", fmt.Sprintf("-parallelism=%d", parallelism)); err != nil {
		return row{}, err
	}
	fmt.Fprintf(os.Stderr, "bench: %d deployments to active and back, direct API calls\n", n)
	direct, err := directDeploy(ctx, sc, n)
	if err != nil {
		return row{}, err
	}
	tf := up + down
	return row{
		what:   fmt.Sprintf("N=%d deployments to active and undeployed: terraform apply vs direct API", n),
		ours:   seconds(tf),
		theirs: seconds(direct),
		ratio:  fmt.Sprintf("%.2fx", tf.Seconds()/direct.Seconds()),
		goal:   "<= 2x",
	}, nil
}

// directDeploy is what a hand-written script does with N available nodes (made
// beforehand, untimed): set instance_info, deploy, wait, undeploy, wait, ten at a time.
func directDeploy(ctx context.Context, sc *gophercloud.ServiceClient, n int) (time.Duration, error) {
	ids := make([]string, n)
	for i := range n {
		id, err := provisionOne(ctx, sc, n+i)
		ids[i] = id
		if err != nil {
			return 0, err
		}
	}
	defer func() { _ = deleteNodes(ctx, sc, ids) }()
	return timeParallel(len(ids), func(i int) error { return deployOne(ctx, sc, ids[i]) })
}

func deployOne(ctx context.Context, sc *gophercloud.ServiceClient, id string) error {
	if _, err := nodes.Update(ctx, sc, id, nodes.UpdateOpts{
		nodes.UpdateOperation{Op: nodes.AddOp, Path: "/instance_info", Value: map[string]any{"image_source": benchImage}},
	}).Extract(); err != nil {
		return err
	}
	for _, st := range []struct {
		action nodes.TargetProvisionState
		want   string
	}{{nodes.TargetActive, "active"}, {nodes.TargetDeleted, "available"}} {
		if err := nodes.ChangeProvisionState(ctx, sc, id, nodes.ProvisionStateOpts{Target: st.action}).ExtractErr(); err != nil {
			return err
		}
		if err := pollUntil(ctx, sc, id, st.want); err != nil {
			return err
		}
	}
	return nil
}

// pollUntil reads the node every 50 ms until it rests in want.
func pollUntil(ctx context.Context, sc *gophercloud.ServiceClient, id, want string) error {
	for {
		time.Sleep(50 * time.Millisecond)
		n, err := nodes.Get(ctx, sc, id).Extract()
		if err != nil {
			return err
		}
		if n.ProvisionState == want && n.TargetProvisionState == "" {
			return nil
		}
		if n.ProvisionState != want && n.TargetProvisionState == "" {
			return fmt.Errorf("node %s stopped in %q: %s", id, n.ProvisionState, n.LastError)
		}
	}
}
