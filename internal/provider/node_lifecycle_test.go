package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// lifecycleConfig is a fake-hardware node with a port and an image served by srv.
func lifecycleConfig(cache, url, name, target, extra string) string {
	return lifecycleConfigMAC(cache, url, name, target, extra, macFor(name))
}

// macFor gives each test node a MAC of its own that stays the same across steps.
func macFor(name string) string {
	h := hexMD5([]byte(name))
	return fmt.Sprintf("52:54:%s:%s:%s:%s", h[0:2], h[2:4], h[4:6], h[6:8])
}

func lifecycleConfigMAC(cache, url, name, target, extra, mac string) string {
	return imageConfig(cache, fmt.Sprintf(`
resource "baremetal_image" "os" {
  url = "%s/images/os.qcow2"
}

resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  target_provision_state = %q
  instance_info = {
    image_source       = baremetal_image.os.url
    image_checksum     = baremetal_image.os.checksum
    image_os_hash_algo = baremetal_image.os.checksum_algorithm
  }
%s
}

resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = "%s"
}
`, url, name, target, extra, mac))
}

func expectProvisionState(state string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("provision_state"), knownvalue.StringExact(state))
}

func expectRemoteState(state string) func(*terraformState) error {
	return checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
		if n.ProvisionState != state {
			return fmt.Errorf("Ironic says %q, want %q (last_error %q)", n.ProvisionState, state, n.LastError)
		}
		return nil
	})
}

// Every target, each transition up and down, deploy from a baremetal_image, and an
// empty plan after each apply (the test framework checks that after every step).
func TestAccNode_lifecycleTargets(t *testing.T) {
	srv := newTestImageServer(t, []byte("os image "+testNodeName()))
	cache := t.TempDir()
	name := testNodeName()
	step := func(target string) resource.TestStep {
		return resource.TestStep{
			Config: lifecycleConfig(cache, srv.URL, name, target, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("provision_state"), knownvalue.StringExact(target)),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{expectProvisionState(target)},
			Check:             expectRemoteState(target),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodesDestroyed,
		Steps: []resource.TestStep{
			step("manageable"), step("available"), step("active"), step("available"), step("manageable"), step("active"),
			step("manageable"),
			{
				// instance_info survives the undeploy that clears it in Ironic.
				Config: lifecycleConfig(cache, srv.URL, name, "available", ""),
				Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
					if n.InstanceInfo["image_source"] != srv.URL+"/images/os.qcow2" {
						return fmt.Errorf("instance_info in Ironic: %v", n.InstanceInfo)
					}
					return nil
				}),
			},
			{
				// Back to enroll is only possible as a new node.
				Config: lifecycleConfig(cache, srv.URL, name, "enroll", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{expectProvisionState("enroll")},
			},
		},
	})
}

// An out-of-band undeploy shows in the plan and the next apply deploys again.
func TestAccNode_driftInProvisionState(t *testing.T) {
	srv := newTestImageServer(t, []byte("os image "+testNodeName()))
	cache := t.TempDir()
	name := testNodeName()
	cfg := lifecycleConfig(cache, srv.URL, name, "active", "")
	ironicTest(t, []resource.TestStep{{
		Config: cfg,
	}, {
		PreConfig: func() {
			provisionOutOfBand(t, name, nodes.TargetDeleted)
		},
		Config: cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("provision_state"), knownvalue.StringExact("active")),
			},
		},
		ConfigStateChecks: []statecheck.StateCheck{expectProvisionState("active")},
		Check:             expectRemoteState("active"),
	}}...)
}

// A changed image rebuilds an active node: planned as an in-place update with a warning.
func TestAccNode_rebuildOnImageChange(t *testing.T) {
	srv := newTestImageServer(t, []byte("os image v1 "+testNodeName()))
	cache := t.TempDir()
	name := testNodeName()
	cfg := lifecycleConfig(cache, srv.URL, name, "active", "")
	var deployedAt string
	ironicTest(t, []resource.TestStep{{
		Config: cfg,
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			deployedAt = n.ProvisionUpdatedAt.String()
			return nil
		}),
	}, {
		PreConfig: func() {
			srv.mu.Lock()
			srv.body = []byte("os image v2 " + name)
			srv.lastModified = "Thu, 22 Oct 2026 07:28:00 GMT"
			srv.mu.Unlock()
		},
		Config: cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("baremetal_image.os", plancheck.ResourceActionReplace),
				plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionUpdate),
			},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			expectProvisionState("active"),
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("instance_info").AtMapKey("image_checksum"),
				knownvalue.StringExact(hexMD5([]byte("os image v2 "+name)))),
		},
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.ProvisionState != "active" || n.ProvisionUpdatedAt.String() == deployedAt {
				return fmt.Errorf("node not redeployed: %s at %s (first deploy at %s)", n.ProvisionState, n.ProvisionUpdatedAt, deployedAt)
			}
			if n.InstanceInfo["image_checksum"] != hexMD5([]byte("os image v2 "+name)) {
				return fmt.Errorf("instance_info in Ironic: %v", n.InstanceInfo)
			}
			return nil
		}),
	}}...)
}

func TestAccNode_powerAndMaintenance(t *testing.T) {
	name := testNodeName()
	cfg := func(extra string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  target_provision_state = "manageable"
%s
}
`, name, extra)
	}
	ironicTest(t, []resource.TestStep{{
		Config: cfg(`  target_power_state = "power on"`),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("power_state"), knownvalue.StringExact("power on")),
		},
	}, {
		Config: cfg(`  target_power_state = "power off"
  maintenance        = true
  maintenance_reason = "replacing a DIMM"`),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("power_state"), knownvalue.StringExact("power off")),
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("maintenance"), knownvalue.Bool(true)),
		},
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if !n.Maintenance || n.MaintenanceReason != "replacing a DIMM" || n.PowerState != "power off" {
				return fmt.Errorf("Ironic has maintenance=%v %q, power %q", n.Maintenance, n.MaintenanceReason, n.PowerState)
			}
			return nil
		}),
	}, {
		// Leaving maintenance and provisioning in one apply: maintenance is lifted first.
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  target_provision_state = "available"
}
`, name),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("maintenance"), knownvalue.Bool(false)),
			expectProvisionState("available"),
		},
	}}...)
}

// A failed deploy reports Ironic's last_error, the node and the state it stopped in;
// the next apply continues from there.
func TestAccNode_deployFailureAndRecovery(t *testing.T) {
	name := testNodeName()
	cfg := func(target, deploy, source string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  deploy_interface       = %q
  target_provision_state = %q
  driver_info = {
    deploy_kernel  = "http://127.0.0.1:1/deploy.kernel"
    deploy_ramdisk = "http://127.0.0.1:1/deploy.ramdisk"
  }
  instance_info = {
    image_source   = %q
    image_checksum = "d41d8cd98f00b204e9800998ecf8427e"
  }
}
`, name, deploy, target, source)
	}
	unreachable := "http://127.0.0.1:1/unreachable.qcow2"
	ironicTest(t, []resource.TestStep{{
		Config: cfg("available", "direct", unreachable),
	}, {
		Config: cfg("active", "direct", unreachable),
		ExpectError: regexp.MustCompile(`(?s)Unable to provision bare metal node.*node\s+[0-9a-f-]{36}:\s+"active"\s+stopped\s+in\s+state\s+"deploy\s+failed".*` +
			`Validation\s+of\s+image\s+href\s+http://127.0.0.1:1/unreachable.qcow2\s+failed`),
	}, {
		// The failed state is recorded; going back to available recovers the node.
		Config:            cfg("available", "direct", unreachable),
		ConfigStateChecks: []statecheck.StateCheck{expectProvisionState("available")},
	}, {
		Config:            cfg("active", "fake", unreachable),
		ConfigStateChecks: []statecheck.StateCheck{expectProvisionState("active")},
	}}...)
}

// Manual cleaning with a step the node does not support ends in clean failed with
// Ironic's reason; without the step the next apply reaches the target.
func TestAccNode_cleanFailure(t *testing.T) {
	name := testNodeName()
	cfg := func(steps string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  target_provision_state = "manageable"
  inspect                = true
%s
}
`, name, steps)
	}
	ironicTest(t, []resource.TestStep{{
		Config:      cfg(`  clean_steps = jsonencode([{ interface = "deploy", step = "no_such_step" }])`),
		ExpectError: regexp.MustCompile(`(?s)"clean"\s+stopped\s+in\s+state\s+"clean\s+failed".*does\s+not\s+support\s+this\s+clean\s+step`),
	}, {
		Config:            cfg(""),
		ConfigStateChecks: []statecheck.StateCheck{expectProvisionState("manageable")},
	}}...)
}

// A deploy that waits forever for its agent ends at the create timeout, saying where it
// stopped; destroy aborts the wait and deletes the node.
func TestAccNode_timeout(t *testing.T) {
	srv := newTestImageServer(t, []byte("image"))
	name := testNodeName()
	ironicTest(t, []resource.TestStep{{
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  deploy_interface       = "direct"
  target_provision_state = "active"
  driver_info = {
    deploy_kernel  = "%[2]s/k"
    deploy_ramdisk = "%[2]s/r"
  }
  instance_info = {
    image_source   = "%[2]s/os.img"
    image_checksum = "d41d8cd98f00b204e9800998ecf8427e"
  }
  timeouts = {
    create = "6s"
  }
}
`, name, srv.URL),
		// Normally it waits in "wait call-back"; on a loaded machine it may still be on its way there.
		ExpectError: regexp.MustCompile(`(?s)still\s+"[a-z -]+"\s+\(target\s+"active"\)\s+when\s+the\s+timeout\s+ran\s+out`),
	}}...)
}
