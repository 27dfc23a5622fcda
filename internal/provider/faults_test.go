package provider

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
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
	cfg := fleetConfig{Endpoint: proxy.URL, Count: n, Name: class, ResourceClass: class,
		PortAddress: fmt.Sprintf(`format("52:54:03:%%02x:%%02x:%%02x", %d, floor(count.index / 256), count.index %% 256)`, len(class)%256)}.String()
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
		if want := min(wantPorts, 1); len(list) != want {
			return fmt.Errorf("node %s has %d ports, want %d", node.Name, len(list), want)
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

// Through a load balancer that answers 502 to a share of the reads, six nodes are
// created and provisioned, none fails and none is created twice.
func TestAccFaults_loadBalancerFailingReads(t *testing.T) {
	testAccPreCheck(t)
	proxy := ironictest.NewFaultProxy(testEndpoint(), 0.15, faultSeed()).Only([]string{http.MethodGet}, ironictest.BadGateway)
	defer proxy.Close()
	class := strings.ReplaceAll(testNodeName(), "-", "_")
	const n = 6
	cfg := fleetConfig{Endpoint: proxy.URL, Count: n, Name: class, ResourceClass: class}.String()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             func(*terraform.State) error { return checkClassCount(class, 0, 0) },
		Steps: []resource.TestStep{{
			Config: cfg,
			Check:  func(*terraform.State) error { return checkClassCount(class, n, 0) },
		}},
	})
	t.Logf("faults injected: %s", proxy.Summary())
	if proxy.Counts[ironictest.BadGateway].Load() < 3 {
		t.Fatalf("the proxy injected too few 502s to prove anything: %s", proxy.Summary())
	}
}

// A proxy in front of Ironic fails every read of the node with 502 for 20 s in the
// middle of its deploy, longer than the client's own retries last: the wait rides it
// out and the deployment ends active, not failed and tainted.
func TestAccFaults_outageDuringDeploy(t *testing.T) {
	testAgent(t)
	name := testNodeName()
	deployRequest := func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/states/provision")
	}
	nodeRead := func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/nodes/")
	}
	proxy := ironictest.NewFaultProxy(testEndpoint(), 0, faultSeed())
	defer proxy.Close()
	srv := newTestImageServer(t, []byte("os image "+name))
	cache := t.TempDir()
	// The node is made without the proxy; the deployment goes through it.
	node := deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: agentNode(t)}
	deployed := node
	deployed.Endpoint, deployed.Deployed = proxy.URL, true
	ironicTest(t, []resource.TestStep{{
		Config: node.String(),
	}, {
		PreConfig:         func() { proxy.BurstAfter(deployRequest, nodeRead, 20*time.Second) },
		Config:            deployed.String(),
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active")},
	}}...)
	if proxy.Counts[ironictest.BadGateway].Load() < 10 {
		t.Fatalf("the outage did not happen: %s", proxy.Summary())
	}
}

// An update whose answer a load balancer loses after Ironic applied it (504) is sent
// again without the removals already done: the apply succeeds and Ironic holds exactly
// the configured keys.
func TestAccFaults_patchAnswerLost(t *testing.T) {
	testAccPreCheck(t)
	proxy := ironictest.NewFaultProxy(testEndpoint(), 1, faultSeed()).Only([]string{http.MethodPatch}, ironictest.TimeoutAfter)
	defer proxy.Close()
	name := testNodeName()
	cfg := func(endpoint, extra string) string {
		return fmt.Sprintf(`
provider "baremetal" {
  endpoint = %q
}
resource "baremetal_node" "n" {
  name        = %q
  driver      = "fake-hardware"
  driver_info = { %s }
}
`, endpoint, name, extra)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodesDestroyed,
		Steps: []resource.TestStep{{
			Config: cfg(testEndpoint(), `ipmi_address = "10.0.0.1", ipmi_port = "623"`),
		}, {
			// driver_info is patched key by key: the address replaced, the port removed.
			Config: cfg(proxy.URL, `ipmi_address = "10.0.0.2"`),
			Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
				if len(n.DriverInfo) != 1 || n.DriverInfo["ipmi_address"] != "10.0.0.2" {
					return fmt.Errorf("driver_info %v", n.DriverInfo)
				}
				return nil
			}),
		}},
	})
	if proxy.Counts[ironictest.TimeoutAfter].Load() == 0 {
		t.Fatalf("no answer was lost: %s", proxy.Summary())
	}
}
