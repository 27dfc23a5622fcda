package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// A node deployed by hand is imported in the same apply that creates the
// baremetal_image its instance_info names: the image's digest is known only at apply,
// so the first plan has the configured keys with an unknown value, and the final plan
// must agree with it (Terraform refuses "new element image_type" otherwise). The same
// image: the apply touches nothing in Ironic and the next plan is empty.
func TestAccDeployment_importWithNewImage(t *testing.T) {
	img := []byte("imported with a new image " + testNodeName())
	url := newTestImageServer(t, img).URL + "/os.img"
	cfg, unchanged := handDeployedForImport(t, url, img, url)
	ironicTest(t, resource.TestStep{Config: cfg, Check: unchanged}, resource.TestStep{Config: cfg, PlanOnly: true})
}

// Another image than the node runs, known only at apply: the final plan is the rebuild
// the existing rules make of it, refused (allow_rebuild = false) before the node is
// touched, not an inconsistent plan.
func TestAccDeployment_importWithOtherNewImage(t *testing.T) {
	img, other := []byte("runs now "+testNodeName()), []byte("another image "+testNodeName())
	url := newTestImageServer(t, img).URL + "/os.img"
	cfg, unchanged := handDeployedForImport(t, url, img, newTestImageServer(t, other).URL+"/new.img")
	ironicTest(t, resource.TestStep{Config: cfg, ExpectError: regexp.MustCompile(`Rebuild forbidden`)},
		resource.TestStep{Config: cfg, PlanOnly: true, ExpectError: regexp.MustCompile(`Rebuild forbidden`), PreConfig: func() {
			if err := unchanged(nil); err != nil {
				t.Error(err)
			}
		}})
}

// handDeployedForImport deploys a node by hand with the image at url (bytes img), and
// returns it with a configuration that imports its deployment in the apply that
// creates a baremetal_image of configured, and a check that Ironic's node is untouched.
func handDeployedForImport(t *testing.T, url string, img []byte, configured string) (string, func(*terraformState) error) {
	sc := testIronic(t)
	testAgent(t)
	ctx := context.Background()
	name := testNodeName()
	node, err := nodes.Create(ctx, sc, nodes.CreateOpts{Name: name, Driver: "manual-management", BootInterface: "pxe",
		DeployInterface: "direct",
		DriverInfo:      map[string]any{"deploy_kernel": testServer.DeployKernel, "deploy_ramdisk": testServer.DeployRamdisk}}).Extract()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		testEngine(t).Undeploy(context.Background(), node.UUID)
		nodes.Delete(context.Background(), sc, node.UUID)
	})
	if _, err := ports.Create(ctx, sc, ports.CreateOpts{NodeUUID: node.UUID, Address: macFor(name)}).Extract(); err != nil {
		t.Fatal(err)
	}
	prov := testEngine(t)
	if _, err := prov.Reach(ctx, node.UUID, ironic.Goal{State: ironic.StateAvailable}); err != nil {
		t.Fatal(err)
	}
	if _, err := prov.Deploy(ctx, node.UUID, ironic.DeploySpec{InstanceInfo: ironic.ImageInstanceInfo(url, "sha256", hexSHA256(img))}); err != nil {
		t.Fatalf("deploying by hand: %v", err)
	}
	before, err := waitUnlocked(ctx, sc, node.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if before.InstanceInfo["image_type"] == nil {
		t.Fatalf("Ironic added no key of its own, the test proves nothing: %v", before.InstanceInfo)
	}
	cfg := imageConfig(t.TempDir(), fmt.Sprintf(`
resource "baremetal_image" "os" {
  url                = %q
  checksum_algorithm = "sha256"
}

import {
  to = baremetal_deployment.d
  id = %q
}

resource "baremetal_deployment" "d" {
  node_id       = %q
  instance_info = baremetal_image.os.instance_info
  allow_rebuild = false
  on_destroy    = "undeploy"
}
`, configured, name, node.UUID))
	unchanged := func(*terraformState) error {
		n, err := nodes.Get(ctx, sc, node.UUID).Extract()
		if err != nil {
			return err
		}
		if n.ProvisionState != "active" || !n.ProvisionUpdatedAt.Equal(before.ProvisionUpdatedAt) {
			return fmt.Errorf("node touched: %s, provision_updated_at %s (was %s)", n.ProvisionState, n.ProvisionUpdatedAt, before.ProvisionUpdatedAt)
		}
		return nil
	}
	return cfg, unchanged
}
