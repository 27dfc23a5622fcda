//go:build linux

package main

import (
	"context"
	"crypto/md5" //nolint:gosec // Ironic's default image checksum
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// benchImageSize is the image the bench deploys: written by the agent to each disk.
const benchImageSize = 8 << 20

// deployRow: N available nodes deployed to active through Ironic's direct deploy
// interface (the harness's agent downloads, verifies and writes an 8 MiB image) and
// undeployed again, through baremetal_deployment (terraform apply, then destroy of the
// deployments only) and through the same API calls made directly (same parallelism,
// 50 ms polling).
func deployRow(ctx context.Context, e *env, n int) (row, error) {
	sc, err := connect(ctx, ironic.Config{Endpoint: e.endpoint, Retry: ironic.DefaultRetryPolicy(nil)})
	if err != nil {
		return row{}, err
	}
	dir := filepath.Join(e.dir, fmt.Sprintf("deploy-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return row{}, err
	}
	img, err := serveBenchImage(dir)
	if err != nil {
		return row{}, err
	}
	defer img.close()
	machines := providerHeader + fmt.Sprintf(`
provider "baremetal" {}

resource "baremetal_node" "n" {
  count                  = %[1]d
  name                   = "bench-deploy-${count.index}"
  driver                 = "manual-management"
  target_provision_state = "available"
  driver_info = {
    deploy_kernel  = %[2]q
    deploy_ramdisk = %[3]q
  }
}

resource "baremetal_port" "p" {
  count   = %[1]d
  node_id = baremetal_node.n[count.index].id
  address = format("52:54:03:00:%%02x:%%02x", floor(count.index / 256), count.index %% 256)
}
`, n, e.ironic.DeployKernel, e.ironic.DeployRamdisk)
	deployments := fmt.Sprintf(`
resource "baremetal_deployment" "d" {
  count         = %d
  node_id       = baremetal_node.n[count.index].id
  instance_info = { image_source = %q, image_checksum = %q }
  depends_on    = [baremetal_port.p]
}
`, n, img.url, img.md5)
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
	direct, err := directDeploy(ctx, e, sc, n, img)
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
func directDeploy(ctx context.Context, e *env, sc *gophercloud.ServiceClient, n int, img *benchImage) (time.Duration, error) {
	ids := make([]string, n)
	machine := nodes.CreateOpts{Driver: "manual-management",
		DriverInfo: map[string]any{"deploy_kernel": e.ironic.DeployKernel, "deploy_ramdisk": e.ironic.DeployRamdisk}}
	for i := range n {
		id, err := provisionOne(ctx, sc, n+i, machine)
		ids[i] = id
		if err != nil {
			return 0, err
		}
	}
	defer func() { _ = deleteNodes(ctx, sc, ids) }()
	return timeParallel(len(ids), func(i int) error { return deployOne(ctx, sc, ids[i], img) })
}

func deployOne(ctx context.Context, sc *gophercloud.ServiceClient, id string, img *benchImage) error {
	if _, err := nodes.Update(ctx, sc, id, nodes.UpdateOpts{
		nodes.UpdateOperation{Op: nodes.AddOp, Path: "/instance_info", Value: map[string]any{"image_source": img.url, "image_checksum": img.md5}},
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
		if _, err := pollUntil(ctx, sc, id, st.want); err != nil {
			return err
		}
	}
	return nil
}

// pollUntil reads the node every 50 ms until it rests in want.
func pollUntil(ctx context.Context, sc *gophercloud.ServiceClient, id, want string) (*nodes.Node, error) {
	for {
		time.Sleep(50 * time.Millisecond)
		n, err := nodes.Get(ctx, sc, id).Extract()
		if err != nil {
			return nil, err
		}
		if n.ProvisionState == want && n.TargetProvisionState == "" {
			return n, nil
		}
		if n.ProvisionState != want && n.TargetProvisionState == "" {
			return nil, fmt.Errorf("node %s stopped in %q: %s", id, n.ProvisionState, n.LastError)
		}
	}
}

// benchImage is a random image on a local HTTP server.
type benchImage struct {
	url, md5 string
	srv      *http.Server
}

func serveBenchImage(dir string) (*benchImage, error) {
	b := make([]byte, benchImageSize)
	rand.Read(b)
	if err := os.WriteFile(filepath.Join(dir, "os.img"), b, 0o644); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	sum := md5.Sum(b) //nolint:gosec // Ironic's default image checksum
	img := &benchImage{url: "http://" + l.Addr().String() + "/os.img", md5: hex.EncodeToString(sum[:]),
		srv: &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = img.srv.Serve(l) }()
	return img, nil
}

func (i *benchImage) close() { _ = i.srv.Close() }
