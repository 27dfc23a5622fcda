package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The pool flow: three nodes of one class, two allocations and two deployments from a
// baremetal_image go active in one apply, through the direct interface and the agent
// (the two allocated disks hold the image), with no power target set (Ironic allocates
// only nodes whose power state it knows, which fake power has none of until asked);
// dropping them returns all three to available.
func TestAccAllocation_poolDeploy(t *testing.T) {
	img := []byte("pool image " + testNodeName())
	srv := newTestImageServer(t, img)
	cache := t.TempDir()
	class := "pool-" + strings.ToLower(testNodeName())
	prefix := testNodeName()
	pool := fmt.Sprintf(`
resource "baremetal_image" "os" {
  url = "%s/images/os.qcow2"
}
resource "baremetal_node" "pool" {
  count                  = 3
  name                   = "%s-${count.index}"
  resource_class         = %q
  target_provision_state = "available"
  %s
}
resource "baremetal_port" "pool" {
  count   = 3
  node_id = baremetal_node.pool[count.index].id
  address = format("%s:%%02x", count.index)
}
`, srv.URL, prefix, class, agentNode(t), randomMAC()[:14])
	deployed := func(role string) string {
		return pool + fmt.Sprintf(`
resource "baremetal_allocation" "web" {
  count          = 2
  name           = "%s-web-${count.index}"
  resource_class = %q
  extra          = { role = %q }
  depends_on     = [baremetal_node.pool]
}
resource "baremetal_deployment" "web" {
  count         = 2
  node_id       = baremetal_allocation.web[count.index].node_id
  instance_info = baremetal_image.os.instance_info
}
`, prefix, class, role)
	}
	ironicTest(t, []resource.TestStep{{
		Config: imageConfig(cache, deployed("web")),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_allocation.web[0]", tfjsonpath.New("state"), knownvalue.StringExact("active")),
			statecheck.ExpectKnownValue("baremetal_deployment.web[0]", tfjsonpath.New("provision_state"), knownvalue.StringExact("active")),
			statecheck.ExpectKnownValue("baremetal_deployment.web[1]", tfjsonpath.New("provision_state"), knownvalue.StringExact("active")),
		},
		Check: func(s *terraform.State) error {
			a, _ := stateAttr(s, "baremetal_allocation.web.0", "node_id")
			b, _ := stateAttr(s, "baremetal_allocation.web.1", "node_id")
			if a == "" || a == b {
				return fmt.Errorf("allocations picked %q and %q", a, b)
			}
			for i := range 2 {
				if err := checkDisk(fmt.Sprintf("baremetal_deployment.web.%d", i), img)(s); err != nil {
					return err
				}
			}
			return nil
		},
	}, {
		// Metadata changes in place.
		Config: imageConfig(cache, deployed("frontend")),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_allocation.web[1]", tfjsonpath.New("extra").AtMapKey("role"), knownvalue.StringExact("frontend")),
		},
	}, {
		Config: imageConfig(cache, pool),
		Check: func(s *terraform.State) error {
			for i := range 3 {
				if err := checkRemoteNode(fmt.Sprintf("baremetal_node.pool.%d", i), func(n *nodes.Node) error {
					if n.ProvisionState != "available" || n.AllocationUUID != "" {
						return fmt.Errorf("node %s: %q, allocation %q", n.UUID, n.ProvisionState, n.AllocationUUID)
					}
					return nil
				})(s); err != nil {
					return err
				}
			}
			return nil
		},
	}, {
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_allocation" "none" {
  resource_class = "%s-nothing"
}
`, class),
		ExpectError: regexp.MustCompile(`(?s)Unable to allocate a bare metal node.*resource\s+class\s+"` + class + `-nothing".*failed\s+allocation\s+was\s+deleted`),
	}}...)
}

func stateAttr(s *terraform.State, addr, attr string) (string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return "", fmt.Errorf("%s not in state", addr)
	}
	return rs.Primary.Attributes[attr], nil
}

// An allocation is imported by UUID and by name with nothing to change.
func TestAccAllocation_import(t *testing.T) {
	class := "imp-" + strings.ToLower(testNodeName())
	name := testNodeName()
	cfg := providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %[1]q
  driver                 = "fake-hardware"
  resource_class         = %[2]q
  target_provision_state = "available"
}
resource "baremetal_allocation" "a" {
  name           = "%[1]s-alloc"
  resource_class = %[2]q
  traits         = []
  extra          = { owner_team = "db" }
  depends_on     = [baremetal_node.n]
}
`, name, class)
	ironicTest(t, []resource.TestStep{{
		Config: cfg,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_allocation.a", tfjsonpath.New("state"), knownvalue.StringExact("active")),
		},
	}, {
		ResourceName:            "baremetal_allocation.a",
		ImportState:             true,
		ImportStateVerify:       true,
		ImportStateVerifyIgnore: []string{"timeouts", "traits"},
	}, {
		ResourceName:            "baremetal_allocation.a",
		ImportState:             true,
		ImportStateId:           name + "-alloc",
		ImportStateVerify:       true,
		ImportStateVerifyIgnore: []string{"timeouts", "traits"},
	}, {
		ResourceName:    "baremetal_allocation.a",
		ImportState:     true,
		ImportStateKind: resource.ImportBlockWithID,
		GenerateConfig:  true,
	}}...)
}
