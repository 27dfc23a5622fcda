package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

func deployedConfig(cache, url, name, deploymentExtra string) string {
	return lifecycleConfig(cache, url, name, "available", "") + fmt.Sprintf(deploymentBlock, deploymentExtra)
}

func expectDeployment(state string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("provision_state"), knownvalue.StringExact(state))
}

// Deploy, an empty plan, a rebuild on image change (planned, warned, carried out), a
// forbidden rebuild refused at plan time, and destroy returning the node to available
// with its UUID and port.
func TestAccDeployment_lifecycle(t *testing.T) {
	srv := newTestImageServer(t, []byte("os image v1 "+testNodeName()))
	cache := t.TempDir()
	name := testNodeName()
	var nodeID, deployedAt string
	ironicTest(t, []resource.TestStep{{
		Config: deployedConfig(cache, srv.URL, name, ""),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("provision_state"), knownvalue.StringExact("active")),
			},
		},
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active")},
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			nodeID, deployedAt = n.UUID, n.ProvisionUpdatedAt.String()
			if n.ProvisionState != "active" || n.InstanceInfo["image_source"] != srv.URL+"/images/os.qcow2" {
				return fmt.Errorf("Ironic has %s with %v", n.ProvisionState, n.InstanceInfo)
			}
			return nil
		}),
	}, {
		PreConfig: func() {
			srv.mu.Lock()
			srv.body = []byte("os image v2 " + name)
			srv.lastModified = "Thu, 22 Oct 2026 07:28:00 GMT"
			srv.mu.Unlock()
		},
		Config: deployedConfig(cache, srv.URL, name, ""),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("baremetal_image.os", plancheck.ResourceActionReplace),
				plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction("baremetal_port.p", plancheck.ResourceActionNoop),
			},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			expectDeployment("active"),
			statecheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("instance_info").AtMapKey("image_checksum"),
				knownvalue.StringExact(hexMD5([]byte("os image v2 "+name)))),
		},
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.UUID != nodeID || n.ProvisionState != "active" || n.ProvisionUpdatedAt.String() == deployedAt {
				return fmt.Errorf("node not rebuilt in place: %s %s at %s (first deploy at %s)", n.UUID, n.ProvisionState, n.ProvisionUpdatedAt, deployedAt)
			}
			if n.InstanceInfo["image_checksum"] != hexMD5([]byte("os image v2 "+name)) {
				return fmt.Errorf("instance_info in Ironic: %v", n.InstanceInfo)
			}
			deployedAt = n.ProvisionUpdatedAt.String()
			return nil
		}),
	}, {
		// A known change with rebuilds forbidden: a plan-time error, nothing touched.
		Config: strings.Replace(deployedConfig(cache, srv.URL, name, "  allow_rebuild = false"),
			"image_os_hash_algo = baremetal_image.os.checksum_algorithm", "image_os_hash_algo = baremetal_image.os.checksum_algorithm\n    root_gb = \"10\"", 1),
		ExpectError: regexp.MustCompile(`(?s)Rebuild forbidden.*allow_rebuild = false`),
	}, {
		Config: deployedConfig(cache, srv.URL, name, "  allow_rebuild = false"),
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.ProvisionUpdatedAt.String() != deployedAt {
				return fmt.Errorf("the node was redeployed: %s", n.ProvisionUpdatedAt)
			}
			return nil
		}),
	}, {
		// Dropping the deployment undeploys: the same node, available again, port kept.
		Config: lifecycleConfig(cache, srv.URL, name, "available", ""),
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.UUID != nodeID || n.ProvisionState != "available" {
				return fmt.Errorf("node %s is %q", n.UUID, n.ProvisionState)
			}
			return nil
		}),
	}}...)
}

// A node deployed by hand, with a port written in upper case, is adopted with import
// blocks: the plan is a no-op for each, the apply touches nothing in Ironic, and the
// generated configuration plans clean too.
func TestAccDeployment_adoptRunningNode(t *testing.T) {
	sc := testIronic(t)
	ctx := context.Background()
	name := testNodeName()
	mac := randomMAC()
	node, err := nodes.Create(ctx, sc, nodes.CreateOpts{Name: name, Driver: "fake-hardware", ResourceClass: "adopt"}).Extract()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ports.Create(ctx, sc, ports.CreateOpts{NodeUUID: node.UUID, Address: mac}).Extract(); err != nil {
		t.Fatal(err)
	}
	prov := ironic.NewProvisioner(sc, nil)
	if _, err := prov.Reach(ctx, node.UUID, ironic.Goal{State: ironic.StateAvailable}); err != nil {
		t.Fatal(err)
	}
	if _, err := prov.Deploy(ctx, node.UUID, ironic.DeploySpec{InstanceInfo: map[string]string{
		"image_source": "http://images.example/os.qcow2", "image_checksum": "d41d8cd98f00b204e9800998ecf8427e", "root_gb": "10",
	}}); err != nil {
		t.Fatal(err)
	}
	// The conductor releases its lock on the node (a write, which stamps updated_at) just
	// after the node shows active: the baseline is taken once the lock is gone.
	before, err := waitUnlocked(ctx, sc, node.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if before.InstanceInfo["image_type"] == nil && before.InstanceInfo["image_url"] == nil {
		t.Logf("Ironic added no instance_info keys of its own here: %v", before.InstanceInfo)
	}
	cfg := providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %[1]q
  driver                 = "fake-hardware"
  resource_class         = "adopt"
  target_provision_state = "available"
}
resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = %[2]q
}
resource "baremetal_deployment" "d" {
  node_id = baremetal_node.n.id
  instance_info = {
    image_source   = "http://images.example/os.qcow2"
    image_checksum = "d41d8cd98f00b204e9800998ecf8427e"
    root_gb        = "10"
  }
}
import {
  to = baremetal_node.n
  id = %[1]q
}
import {
  to = baremetal_port.p
  id = %[2]q
}
import {
  to = baremetal_deployment.d
  id = %[1]q
}
`, name, strings.ToUpper(mac))
	noop := func(addrs ...string) []plancheck.PlanCheck {
		var checks []plancheck.PlanCheck
		for _, a := range addrs {
			checks = append(checks, plancheck.ExpectResourceAction(a, plancheck.ResourceActionNoop))
		}
		return checks
	}
	unchanged := checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
		if n.ProvisionState != "active" || !n.ProvisionUpdatedAt.Equal(before.ProvisionUpdatedAt) || !n.UpdatedAt.Equal(before.UpdatedAt) {
			return fmt.Errorf("the node was touched: %s, provision_updated_at %s (was %s), updated_at %s (was %s)",
				n.ProvisionState, n.ProvisionUpdatedAt, before.ProvisionUpdatedAt, n.UpdatedAt, before.UpdatedAt)
		}
		return nil
	})
	ironicTest(t, []resource.TestStep{{
		ResourceName:           "baremetal_deployment.d",
		ImportState:            true,
		ImportStateId:          name,
		ImportStateKind:        resource.ImportBlockWithID,
		ImportStateConfigExact: true,
		Config:                 cfg,
		ImportPlanChecks:       resource.ImportPlanChecks{PreApply: noop("baremetal_node.n", "baremetal_port.p", "baremetal_deployment.d")},
	}, {
		Config: cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: noop("baremetal_node.n", "baremetal_port.p", "baremetal_deployment.d"),
		},
		Check: unchanged,
	}, {
		ResourceName:    "baremetal_deployment.d",
		ImportState:     true,
		GenerateConfig:  true,
		ImportStateKind: resource.ImportBlockWithID,
	}, {
		ResourceName:    "baremetal_node.n",
		ImportState:     true,
		GenerateConfig:  true,
		ImportStateKind: resource.ImportBlockWithID,
	}, {
		Config: cfg,
		Check:  unchanged,
	}}...)
}

// A deploy Ironic refuses (the node is in maintenance) records nothing; a deploy that
// fails inside Ironic taints only the deployment. Each is fixed and applied again with
// the node's UUID and port unchanged.
func TestAccDeployment_failuresRecover(t *testing.T) {
	name := testNodeName()
	cfg := func(maintenance bool, deployIface string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  deploy_interface       = %q
  target_provision_state = "available"
  maintenance            = %t
  driver_info = {
    deploy_kernel  = "http://127.0.0.1:1/deploy.kernel"
    deploy_ramdisk = "http://127.0.0.1:1/deploy.ramdisk"
  }
}
resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = %q
}
resource "baremetal_deployment" "d" {
  node_id = baremetal_node.n.id
  instance_info = {
    image_source   = "http://127.0.0.1:1/unreachable.qcow2"
    image_checksum = "d41d8cd98f00b204e9800998ecf8427e"
  }
}
`, name, deployIface, maintenance, macFor(name))
	}
	var nodeID, portID string
	remember := func(s *terraformState) error {
		nodeID, _ = stateID(s, "baremetal_node.n")
		portID, _ = stateID(s, "baremetal_port.p")
		return nil
	}
	sameNode := func(s *terraformState) error {
		n, _ := stateID(s, "baremetal_node.n")
		p, _ := stateID(s, "baremetal_port.p")
		if n != nodeID || p != portID {
			return fmt.Errorf("node or port replaced: %s/%s, was %s/%s", n, p, nodeID, portID)
		}
		return expectRemoteState("active")(s)
	}
	ironicTest(t, []resource.TestStep{{
		Config:      cfg(true, "fake"),
		ExpectError: regexp.MustCompile(`(?s)Unable to deploy bare metal node.*maintenance.*No deployment was recorded`),
	}, {
		Config: cfg(true, "fake"),
		// The node and port exist; the deployment does not.
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, {
		Config: cfg(false, "fake"),
		Check:  resource.ComposeTestCheckFunc(remember, sameNode),
	}, {
		Config: cfg(false, "fake") + "\n# drop\n",
		PreConfig: func() {
			// Undeploy by hand; the next steps deploy with the direct interface, which fails.
			provisionOutOfBand(t, name, nodes.TargetDeleted)
		},
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionCreate)},
		},
		Check: sameNode,
	}, {
		PreConfig: func() { provisionOutOfBand(t, name, nodes.TargetDeleted) },
		Config:    cfg(false, "direct"),
		ExpectError: regexp.MustCompile(`(?s)Unable to deploy bare metal node.*"active"\s+stopped\s+in\s+state\s+"deploy\s+failed".*` +
			`Validation\s+of\s+image\s+href.*unreachable.qcow2.*recorded\s+as\s+tainted.*enrollment,\s+UUID\s+and\s+ports\s+are\s+untouched`),
	}, {
		// The fix: a deploy interface that works. The node is changed in place (Ironic
		// wants maintenance for that in deploy failed); only the tainted deployment is replaced.
		Config: cfg(false, "fake"),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionDestroyBeforeCreate),
				plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction("baremetal_port.p", plancheck.ResourceActionNoop),
			},
		},
		Check: sameNode,
	}}...)
}

// A deploy that waits forever for its agent ends at the create timeout, saying where it
// stopped; destroy aborts the wait and the node is deleted.
func TestAccDeployment_timeout(t *testing.T) {
	srv := newTestImageServer(t, []byte("image"))
	name := testNodeName()
	var start time.Time
	ironicTest(t, []resource.TestStep{{
		// Timed from the step itself: a parallel test first waits for the sequential ones.
		PreConfig: func() { start = time.Now() },
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  deploy_interface       = "direct"
  target_provision_state = "available"
  driver_info = {
    deploy_kernel  = "%[2]s/k"
    deploy_ramdisk = "%[2]s/r"
  }
}
resource "baremetal_deployment" "d" {
  node_id = baremetal_node.n.id
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
	if time.Since(start) > 5*time.Minute {
		t.Errorf("took %s", time.Since(start))
	}
}

// protected = true makes Ironic refuse to undeploy: a destroy fails naming the attribute
// and changes nothing; protected = false lets it go.
func TestAccDeployment_protected(t *testing.T) {
	srv := newTestImageServer(t, []byte("os image "+testNodeName()))
	cache := t.TempDir()
	name := testNodeName()
	ironicTest(t, resource.TestStep{
		Config: deployedConfig(cache, srv.URL, name, "protected = true\n  protected_reason = \"production database\""),
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if !n.Protected || n.ProtectedReason != "production database" || n.ProvisionState != "active" {
				return fmt.Errorf("Ironic has protected=%v (%q) in %s", n.Protected, n.ProtectedReason, n.ProvisionState)
			}
			return nil
		}),
	}, resource.TestStep{
		Config:      lifecycleConfig(cache, srv.URL, name, "available", ""), // the deployment removed
		ExpectError: regexp.MustCompile(`(?s)The node is protected.*protected = true:\s+Ironic\s+refuses\s+to\s+undeploy\s+it`),
	}, resource.TestStep{
		Config: deployedConfig(cache, srv.URL, name, "protected = false"),
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.Protected || n.ProvisionState != "active" {
				return fmt.Errorf("Ironic has protected=%v in %s", n.Protected, n.ProvisionState)
			}
			return nil
		}),
	})
}
