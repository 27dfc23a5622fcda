package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// Through a proxy that answers 409 NodeLocked and 503, resets connections before and
// after Ironic acted, and slows answers down, an apply of 20 nodes with ports still ends
// with exactly 20 nodes and 20 ports, each correct: no duplicate from a POST resent after
// its first attempt succeeded. Destroy then leaves nothing.
func TestAccFaults_ironicThroughFaultProxy(t *testing.T) {
	testAccPreCheck(t)
	proxy := ironictest.NewFaultProxy(testEndpoint(), 0.25, faultSeed())
	defer proxy.Close()
	class := strings.ReplaceAll(testNodeName(), "-", "_")
	const n = 20
	cfg := fmt.Sprintf(`
provider "baremetal" {
  endpoint = %q
}

resource "baremetal_node" "n" {
  count                  = %d
  name                   = "%s-${count.index}"
  driver                 = "fake-hardware"
  resource_class         = %q
  target_provision_state = "available"
}

resource "baremetal_port" "p" {
  count   = %d
  node_id = baremetal_node.n[count.index].id
  address = format("52:54:03:%%02x:%%02x:%%02x", %d, floor(count.index / 256), count.index %% 256)
}
`, proxy.URL, n, class, class, n, len(class)%256)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return checkClassCount(class, 0, 0)
		},
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: func(*terraform.State) error {
				return checkClassCount(class, n, n)
			},
		}},
	})
	t.Logf("faults injected: %s", proxy.Summary())
	if proxy.Counts[ironictest.ResetAfter].Load() == 0 || proxy.Counts[ironictest.Locked].Load() == 0 {
		t.Fatalf("the proxy injected too few faults to prove anything: %s", proxy.Summary())
	}
}

// checkClassCount counts, straight from Ironic, the nodes of a resource class, that each
// is available, and the ports on them.
func checkClassCount(class string, wantNodes, wantPorts int) error {
	sc := testIronicNoT()
	ctx := context.Background()
	pages, err := nodes.ListDetail(sc, nodes.ListOpts{ResourceClass: class}).AllPages(ctx)
	if err != nil {
		return err
	}
	found, err := nodes.ExtractNodes(pages)
	if err != nil {
		return err
	}
	if len(found) != wantNodes {
		return fmt.Errorf("Ironic has %d nodes of class %s, want %d", len(found), class, wantNodes)
	}
	portCount := 0
	names := map[string]bool{}
	for _, node := range found {
		if names[node.Name] {
			return fmt.Errorf("duplicate node %s", node.Name)
		}
		names[node.Name] = true
		if node.ProvisionState != "available" {
			return fmt.Errorf("node %s is %q, want available", node.Name, node.ProvisionState)
		}
		pp, err := ports.List(sc, ports.ListOpts{NodeUUID: node.UUID}).AllPages(ctx)
		if err != nil {
			return err
		}
		list, _ := ports.ExtractPorts(pp)
		if len(list) != 1 {
			return fmt.Errorf("node %s has %d ports, want 1", node.Name, len(list))
		}
		portCount += len(list)
	}
	if portCount != wantPorts {
		return fmt.Errorf("%d ports, want %d", portCount, wantPorts)
	}
	return nil
}

// faultSeed is 42 unless FAULT_SEED asks for another run of faults.
func faultSeed() uint64 {
	if s, err := strconv.ParseUint(os.Getenv("FAULT_SEED"), 10, 64); err == nil {
		return s
	}
	return 42
}
