package provider

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// uuidRE matches random (version 4) UUIDs and name-derived (version 5) ones: a named
// node's UUID derives from its name.
var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[45][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func randomMAC() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("52:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4])
}

func stateID(s *terraform.State, addr string) (string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return "", fmt.Errorf("%s not in state", addr)
	}
	return rs.Primary.ID, nil
}

// checkRemoteNode fetches the node straight from Ironic and runs check on it.
func checkRemoteNode(addr string, check func(*nodes.Node) error) func(*terraform.State) error {
	return func(s *terraform.State) error {
		id, err := stateID(s, addr)
		if err != nil {
			return err
		}
		sc, err := testIronicClient()
		if err != nil {
			return err
		}
		n, err := nodes.Get(context.Background(), sc, id).Extract()
		if err != nil {
			return err
		}
		return check(n)
	}
}

// patchNode changes a node behind Terraform's back (by name: the state is not at hand).
func patchNode(t *testing.T, name string, ops ...nodes.UpdateOperation) {
	t.Helper()
	var opts nodes.UpdateOpts
	for _, op := range ops {
		opts = append(opts, op)
	}
	if _, err := nodes.Update(context.Background(), testIronic(t), name, opts).Extract(); err != nil {
		t.Fatal(err)
	}
}

// checkNodesDestroyed verifies every node and port in the final state is gone from Ironic.
func checkNodesDestroyed(s *terraform.State) error {
	sc, err := testIronicClient()
	if err != nil {
		return err
	}
	for addr, rs := range s.RootModule().Resources {
		var getErr error
		switch rs.Type {
		case "baremetal_node":
			_, getErr = nodes.Get(context.Background(), sc, rs.Primary.ID).Extract()
		case "baremetal_port":
			_, getErr = ports.Get(context.Background(), sc, rs.Primary.ID).Extract()
		case "baremetal_portgroup":
			_, getErr = ironic.Portgroups.Get(testEngineNoT(), context.Background(), rs.Primary.ID)
		case "baremetal_allocation":
			_, getErr = testEngineNoT().GetAllocation(context.Background(), rs.Primary.ID)
		default:
			continue
		}
		if !ironic.IsNotFound(getErr) {
			return fmt.Errorf("%s (%s) still exists after destroy (%v)", addr, rs.Primary.ID, getErr)
		}
	}
	return nil
}

// checkWithBaremetalCLI asks the enrollment guide's own CLI (python3-ironicclient) what
// Ironic holds, as a user following the guide would.
func checkWithBaremetalCLI(nodeAddr, portAddr, mac string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		if _, err := exec.LookPath("baremetal"); err != nil {
			return fmt.Errorf("the baremetal CLI is missing: make deps (internal/scripts/deps.sh) installs python3-ironicclient")
		}
		nodeID, err := stateID(s, nodeAddr)
		if err != nil {
			return err
		}
		portID, err := stateID(s, portAddr)
		if err != nil {
			return err
		}
		cli := func(args ...string) ([]byte, error) {
			// Under Keystone the CLI reads the same clouds.yaml (OS_CLOUD, OS_CLIENT_CONFIG_FILE).
			var base []string
			if testKeystone == nil {
				base = []string{"--os-endpoint", testEndpoint(), "--os-auth-type", "none"}
			}
			out, err := exec.Command("baremetal", append(base, args...)...).Output()
			if err != nil {
				return nil, fmt.Errorf("baremetal %s: %v", strings.Join(args, " "), err)
			}
			return out, nil
		}
		out, err := cli("node", "show", nodeID, "-f", "json")
		if err != nil {
			return err
		}
		var node struct {
			UUID       string         `json:"uuid"`
			Driver     string         `json:"driver"`
			DriverInfo map[string]any `json:"driver_info"`
		}
		if err := json.Unmarshal(out, &node); err != nil {
			return err
		}
		if node.UUID != nodeID || node.Driver != "ipmi" || node.DriverInfo["ipmi_password"] != ironic.Masked {
			return fmt.Errorf("baremetal node show: %s", out)
		}
		out, err = cli("port", "list", "--node", nodeID, "-f", "json")
		if err != nil {
			return err
		}
		var list []struct {
			UUID    string `json:"UUID"`
			Address string `json:"Address"`
		}
		if err := json.Unmarshal(out, &list); err != nil {
			return err
		}
		if len(list) != 1 || list[0].UUID != portID || list[0].Address != strings.ToLower(mac) {
			return fmt.Errorf("baremetal port list: %s", out)
		}
		return nil
	}
}

// testIronicNoT is testIronic for check functions, which have no *testing.T.
func testIronicNoT() *gophercloud.ServiceClient {
	sc, err := testIronicClient()
	if err != nil {
		panic(err)
	}
	return sc
}

// testEngine is the engine's client over testIronic: what a test drives Ironic with
// behind Terraform's back.
func testEngine(t *testing.T) *ironic.Client {
	t.Helper()
	return ironic.NewClient(testIronic(t), nil, nil)
}

// testEngineNoT is testEngine for check functions, which have no *testing.T.
func testEngineNoT() *ironic.Client { return ironic.NewClient(testIronicNoT(), nil, nil) }

var compareEqual = compare.ValuesSame()

type terraformState = terraform.State

// provisionOutOfBand moves a node behind Terraform's back and waits for it to settle.
func provisionOutOfBand(t *testing.T, name string, target nodes.TargetProvisionState) {
	t.Helper()
	sc := testIronic(t)
	if err := nodes.ChangeProvisionState(context.Background(), sc, name, nodes.ProvisionStateOpts{Target: target}).ExtractErr(); err != nil {
		t.Fatal(err)
	}
	if _, err := testEngine(t).WaitStable(context.Background(), name); err != nil {
		t.Fatal(err)
	}
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// ironicTest runs acceptance steps against the test Ironic, in parallel with other tests,
// and checks that destroy leaves no node or port behind.
func ironicTest(t *testing.T, steps ...resource.TestStep) {
	t.Helper()
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodesDestroyed,
		Steps:                    steps,
	})
}

// waitUnlocked waits until the conductor has released the node, and returns it then:
// releasing it is a write that stamps updated_at, which would look like a change made
// by whatever runs next.
func waitUnlocked(ctx context.Context, sc *gophercloud.ServiceClient, id string) (*nodes.Node, error) {
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		n, err := nodes.Get(ctx, sc, id).Extract()
		if err != nil {
			return nil, err
		}
		if n.Reservation == "" {
			return n, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("node %s still locked by %s after 30 s", id, n.Reservation)
		}
	}
}

// expectNotReplaced fails a plan that destroys the resource at addr (a replace, or a
// delete): an update in place or no change passes.
func expectNotReplaced(addr string) plancheck.PlanCheck { return notReplaced(addr) }

type notReplaced string

func (a notReplaced) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address == string(a) && (rc.Change.Actions.Replace() || rc.Change.Actions.Delete()) {
			resp.Error = fmt.Errorf("%s is planned %v: it must stay (an update in place at most)", a, rc.Change.Actions)
		}
	}
}

// fleetConfig is the whole configuration of a fleet test: Count fake-hardware nodes n
// named <Name>-<index>, reached through Endpoint (a proxy or recorder in front of
// Ironic), and a port p on each when PortAddress is set. Its HCL is String's.
type fleetConfig struct {
	Endpoint      string
	Count         int
	Name          string
	ResourceClass string // with one, the nodes are also made available; without, they stay enrolled
	PortAddress   string // each port's address, an HCL expression of count.index; empty: no ports
}

func (c fleetConfig) String() string {
	class := ""
	if c.ResourceClass != "" {
		class = fmt.Sprintf(`resource_class         = %q
  target_provision_state = "available"`, c.ResourceClass)
	}
	hcl := fmt.Sprintf(`
provider "baremetal" {
  endpoint = %q
}

resource "baremetal_node" "n" {
  count                  = %d
  name                   = "%s-${count.index}"
  driver                 = "fake-hardware"
  %s
}
`, c.Endpoint, c.Count, c.Name, class)
	if c.PortAddress != "" {
		hcl += fmt.Sprintf(`
resource "baremetal_port" "p" {
  count   = %d
  node_id = baremetal_node.n[count.index].id
  address = %s
}
`, c.Count, c.PortAddress)
	}
	return hcl
}

// expectPlanError plans config alone, with nothing in the state, and expects an error
// matching want: a configuration refused before anything is made.
func expectPlanError(t *testing.T, config, want string) {
	t.Helper()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}},
	})
}

// disappears is the two steps of a _disappears test: cfg applied, then the object at
// addr deleted behind Terraform's back by remove (so the plan after the step is not
// empty), and the next apply planning to create it again.
func disappears(cfg, addr string, remove func(sc *gophercloud.ServiceClient, id string) error) []resource.TestStep {
	return []resource.TestStep{{
		Config: cfg,
		Check: func(s *terraform.State) error {
			id, err := stateID(s, addr)
			if err != nil {
				return err
			}
			return remove(testIronicNoT(), id)
		},
		ExpectNonEmptyPlan: true,
	}, {
		Config: cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
		},
	}}
}

// importedByNameAndID is the two import steps of the named object at addr, by its name
// and by its ID, each verified against the state but for the attributes in ignore.
func importedByNameAndID(addr, name string, ignore ...string) []resource.TestStep {
	return []resource.TestStep{{
		ResourceName: addr, ImportState: true, ImportStateId: name,
		ImportStateVerify: true, ImportStateVerifyIgnore: ignore,
	}, {
		ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: ignore,
	}}
}
