package provider

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// testAccNodeConfig_target is a fake-hardware node driven to target, with a port.
func testAccNodeConfig_target(name, target string) string {
	return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  target_provision_state = %q
  driver                 = "fake-hardware"
}

resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = %q
}
`, name, target, macFor(name))
}

// macFor gives each test node a MAC of its own that stays the same across steps.
func macFor(name string) string {
	h := hexMD5([]byte(name))
	return fmt.Sprintf("52:54:%s:%s:%s:%s", h[0:2], h[2:4], h[4:6], h[6:8])
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

// Every node target, each transition up and down, and an empty plan after each apply
// (the test framework checks that after every step).
func TestAccNode_lifecycleTargets(t *testing.T) {
	name := testNodeName()
	step := func(target string) resource.TestStep {
		return resource.TestStep{
			Config: testAccNodeConfig_target(name, target),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("provision_state"), knownvalue.StringExact(target)),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{expectProvisionState(target)},
			Check:             expectRemoteState(target),
		}
	}
	ironicTest(t, step("manageable"), step("available"), step("manageable"), step("available"), resource.TestStep{
		// enroll leaves the node where it is: no replacement, no move.
		Config: testAccNodeConfig_target(name, "enroll"),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionUpdate)},
		},
		ConfigStateChecks: []statecheck.StateCheck{expectProvisionState("available")},
		Check:             expectRemoteState("available"),
	})
}

// An out-of-band move shows in the plan and the next apply corrects it.
func TestAccNode_driftInProvisionState(t *testing.T) {
	name := testNodeName()
	cfg := testAccNodeConfig_target(name, "available")
	ironicTest(t, []resource.TestStep{{
		Config: cfg,
	}, {
		PreConfig: func() {
			provisionOutOfBand(t, name, nodes.TargetManage)
		},
		Config: cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("provision_state"), knownvalue.StringExact("available")),
			},
		},
		ConfigStateChecks: []statecheck.StateCheck{expectProvisionState("available")},
		Check:             expectRemoteState("available"),
	}}...)
}

// Inspected properties (the node's properties are not configured) survive an
// unrelated change: nothing sends properties = {}.
func TestAccNode_inspectedPropertiesKept(t *testing.T) {
	name := testNodeName()
	cfg := func(description string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  target_provision_state = "manageable"
  inspect                = true
  description            = %q
}
`, name, description)
	}
	ironicTest(t, []resource.TestStep{{
		Config: cfg("first"),
	}, {
		// What an inspection fills in (the fake inspect interface adds nothing itself).
		PreConfig: func() {
			patchNode(t, name, nodes.UpdateOperation{Op: nodes.AddOp, Path: "/properties",
				Value: map[string]any{"cpu_arch": "x86_64", "memory_mb": 65536, "capabilities": "boot_mode:uefi"}})
		},
		Config: cfg("second"),
		// The plan shows the properties as they are, not as "known after apply" (a wipe to
		// the eye): this apply does not inspect, the node stays manageable.
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("properties").AtMapKey("cpu_arch"), knownvalue.StringExact("x86_64")),
		}},
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.Description != "second" || n.Properties["cpu_arch"] != "x86_64" || fmt.Sprint(n.Properties["memory_mb"]) != "65536" {
				return fmt.Errorf("inspected properties lost: %v (description %q)", n.Properties, n.Description)
			}
			return nil
		}),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("properties").AtMapKey("cpu_arch"), knownvalue.StringExact("x86_64")),
		},
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
  maintenance            = false
}
`, name),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("maintenance"), knownvalue.Bool(false)),
			expectProvisionState("available"),
		},
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

// A node whose first manage fails (its BMC does not answer) is left out of the state
// instead of being recorded as tainted: once the cause is fixed the next apply continues
// with the same node, same UUID, and creates its port; nothing is enrolled anew.
func TestAccNode_failedEnrollmentContinues(t *testing.T) {
	name := testNodeName()
	bmc := silentUDPPort(t)
	cfg := func(driver string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = %q
  target_provision_state = "available"
  driver_info = {
    ipmi_address  = "127.0.0.1"
    ipmi_port     = "%d"
    ipmi_username = "admin"
    ipmi_password = "secret"
  }
}
resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = %q
}
`, name, driver, bmc, macFor(name))
	}
	want := ironic.EnrollmentUUID(name)
	ironicTest(t, []resource.TestStep{{
		Config:      cfg("ipmi"),
		ExpectError: regexp.MustCompile(`(?s)IPMI call failed.*enrolled, not yet ready.*stopped\s+in\s+provision\s+state\s+"enroll".*same\s+UUID`),
	}, {
		PreConfig: func() {
			n, err := nodes.Get(context.Background(), testIronic(t), want).Extract()
			if err != nil || n.Name != name || n.ProvisionState != "enroll" || n.LastError == "" {
				t.Fatalf("the failed enrollment left %+v (%v)", n, err)
			}
		},
		// The fix: here another driver (this machine has no BMC to answer ipmi).
		Config: cfg("fake-hardware"),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionCreate),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("id"), knownvalue.StringExact(want)),
			expectProvisionState("available"),
		},
		Check: expectRemoteState("available"),
	}}...)
}

// silentUDPPort is a UDP port nothing answers on: a BMC that is down.
func silentUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.LocalAddr().(*net.UDPAddr).Port
}

// Maintenance set outside Terraform (by an operator, or by Ironic itself after a power
// failure) on a node whose configuration does not mention it stays through an unrelated
// apply, reason and all; a move the node then needs fails saying why, and the plan
// warns; maintenance = false lifts it.
func TestAccNode_maintenanceSetOutsideStays(t *testing.T) {
	name := testNodeName()
	cfg := func(description, target, extra string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  description            = %q
  target_provision_state = %q
%s
}
`, name, description, target, extra)
	}
	inMaintenance := checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
		if !n.Maintenance || n.MaintenanceReason != "disk 3 failed" {
			return fmt.Errorf("Ironic has maintenance=%v %q", n.Maintenance, n.MaintenanceReason)
		}
		return nil
	})
	ironicTest(t, []resource.TestStep{{
		Config: cfg("rack 4", "manageable", ""),
	}, {
		PreConfig: func() {
			if err := nodes.SetMaintenance(context.Background(), testIronic(t), name, nodes.MaintenanceOpts{Reason: "disk 3 failed"}).ExtractErr(); err != nil {
				t.Fatal(err)
			}
		},
		Config: cfg("rack 4, unit 12", "manageable", ""),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("maintenance"), knownvalue.Bool(true)),
			plancheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("maintenance_reason"), knownvalue.StringExact("disk 3 failed")),
		}},
		Check: inMaintenance,
	}, {
		Config:      cfg("rack 4, unit 12", "available", ""),
		ExpectError: regexp.MustCompile(`(?s)in\s+maintenance\s+\("disk\s+3\s+failed"\),\s+set\s+by\s+Ironic\s+or\s+an\s+operator.*maintenance\s+=\s+false`),
	}, {
		Config:            cfg("rack 4, unit 12", "available", "  maintenance = false"),
		ConfigStateChecks: []statecheck.StateCheck{expectProvisionState("available")},
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.Maintenance || n.MaintenanceReason != "" {
				return fmt.Errorf("maintenance not lifted: %v %q", n.Maintenance, n.MaintenanceReason)
			}
			return nil
		}),
	}}...)
}

// A clean that outlives the create timeout (a full erase, minutes or hours on real
// disks) is waited on by the next apply, never aborted and started over: the agent
// erases once, and the node reaches available with its UUID.
func TestAccNode_longCleanWaitedOn(t *testing.T) {
	agent := testAgent(t)
	name := testNodeName()
	agent.SetFault(name, ironictest.AgentSlowErase)
	t.Cleanup(func() { agent.SetFault(name, ironictest.AgentHealthy) })
	cfg := func(timeout string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  target_provision_state = "available"
  automated_clean        = true
  %s
  timeouts = { create = %q }
}
resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = %q
}
`, name, agentNode(t), timeout, macFor(name))
	}
	want := ironic.EnrollmentUUID(name)
	ironicTest(t, []resource.TestStep{{
		Config:      cfg("6s"),
		ExpectError: regexp.MustCompile(`(?s)still\s+"clean\s+wait"\s+\(target\s+"available"\)\s+when\s+the\s+timeout\s+ran\s+out`),
	}, {
		Config: cfg("10m"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("id"), knownvalue.StringExact(want)),
			expectProvisionState("available"),
		},
		Check: func(*terraformState) error {
			log := strings.Join(agent.Log(want), "\n")
			if n := strings.Count(log, "erase_devices: shredding"); n != 1 {
				return fmt.Errorf("the erase ran %d times, want once (not aborted and restarted):\n%s", n, log)
			}
			return nil
		},
	}}...)
}

// A destroy whose teardown fails (the disk refuses the erase that follows undeploying:
// clean failed) does not delete the node: it stays in Ironic and in the state, with
// Ironic's reason in the error, and the next destroy tries the teardown again rather
// than slipping through. force_delete decommissions it.
func TestAccNode_failedTeardownKeepsNode(t *testing.T) {
	agent := testAgent(t)
	name := testNodeName()
	t.Cleanup(func() { agent.SetFault(name, ironictest.AgentHealthy) })
	node := func(target, extra string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  target_provision_state = %q
  automated_clean        = true
  %s
  %s
}
resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = %q
}
`, name, target, agentNode(t), extra, macFor(name))
	}
	img := []byte("tenant system " + name)
	srv := newTestImageServer(t, img)
	stillThere := func(*terraformState) error {
		n, err := nodes.Get(context.Background(), testIronicNoT(), name).Extract()
		if err != nil {
			return fmt.Errorf("the node is gone: %v", err)
		}
		if n.ProvisionState != "clean failed" {
			return fmt.Errorf("node is %q", n.ProvisionState)
		}
		return nil
	}
	teardownFails := regexp.MustCompile(`(?s)Unable to delete bare metal node.*could\s+not\s+be\s+torn\s+down,\s+so\s+it\s+was\s+not\s+deleted.*refused\s+the\s+erase.*force_delete`)
	ironicTest(t, []resource.TestStep{{
		Config: node("available", ""),
	}, {
		// Deployed by hand (a tenant's system on it), then the destroy: undeploying cleans,
		// and the erase fails.
		PreConfig: func() {
			if _, err := testEngine(t).Deploy(context.Background(), name, ironic.DeploySpec{
				InstanceInfo: map[string]string{"image_source": srv.URL + "/os.img", "image_checksum": hexMD5(img)}}); err != nil {
				t.Fatal(err)
			}
			agent.SetFault(name, ironictest.AgentEraseFails)
		},
		Config:      providerBlock,
		ExpectError: teardownFails,
	}, {
		Config:             node("enroll", ""),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true, // still in the state: its provision state is news
		Check:              stillThere,
	}, {
		Config:      providerBlock, // a second destroy cleans again, and fails again
		ExpectError: teardownFails,
	}, {
		Config: node("enroll", "force_delete = true"),
		Check:  stillThere,
	}, {
		Config: providerBlock, // decommissioned: deleted without a teardown
	}}...)
}

// Taking a deployed machine out of service in one apply: retired = true and its
// deployment removed. Ironic undeploys it, cleans it (automated cleaning) and, as it is
// retired, ends the clean in manageable and refuses to provide it (API 1.61): the apply
// succeeds, the node rests in manageable with target_provision_state "available" (a
// retired node's available is manageable), and the plan is empty. Then the reverse:
// retired = false brings it back to available. Then the same in two applies (retired
// while deployed, the deployment removed later), which failed with "deleted" stopped in
// state "manageable".
func TestAccNode_retireDeployedNode(t *testing.T) {
	srv := newTestImageServer(t, []byte("os image "+testNodeName()))
	cache := t.TempDir()
	name := testNodeName()
	cfg := func(deployed bool, retired string) string {
		return deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Deployed: deployed,
			Node: agentNode(t) + "\n  automated_clean = true\n" + retired}.String()
	}
	rests := func(state string, retired bool) resource.TestCheckFunc {
		return checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.ProvisionState != state || n.Retired != retired {
				return fmt.Errorf("node is %q, retired %v; want %q, retired %v (last_error %q)", n.ProvisionState, n.Retired, state, retired, n.LastError)
			}
			return nil
		})
	}
	ironicTest(t, []resource.TestStep{{
		Config: cfg(true, ""),
		Check:  rests("active", false),
	}, {
		Config: cfg(false, `  retired = true
  retired_reason = "disk SMART errors"`),
		ConfigStateChecks: []statecheck.StateCheck{expectProvisionState("manageable")},
		Check:             rests("manageable", true),
	}, {
		Config:            cfg(false, ""),
		ConfigStateChecks: []statecheck.StateCheck{expectProvisionState("available")},
		Check:             rests("available", false),
	}, {
		Config: cfg(true, ""),
		Check:  rests("active", false),
	}, {
		Config:            cfg(true, "  retired = true"), // retired while deployed: it stays in service
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active")},
		Check:             rests("active", true),
	}, {
		// The node's own state is read again by the next refresh (it did not change here).
		Config: cfg(false, "  retired = true"),
		Check:  rests("manageable", true),
	}, {
		Config:            cfg(false, "  retired = true"),
		ConfigStateChecks: []statecheck.StateCheck{expectProvisionState("manageable")},
		Check:             rests("manageable", true),
	}}...)
}

// Power changed outside Terraform (an operator, the power action) on a node at rest is
// not fought: without target_power_state the plan is empty and the node stays as it
// was put; with it declared, the plan shows the change and the apply converges it.
func TestAccNode_powerChangedOutside(t *testing.T) {
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
	power := func(want string) resource.TestCheckFunc {
		return checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.PowerState != want {
				return fmt.Errorf("node is %q, want %q", n.PowerState, want)
			}
			return nil
		})
	}
	setPower := func(target string) func() {
		return func() {
			if _, err := testEngine(t).SetPower(context.Background(), name, target); err != nil {
				t.Fatal(err)
			}
		}
	}
	ironicTest(t, []resource.TestStep{{
		Config: cfg(""),
	}, {
		PreConfig: setPower("power on"),
		Config:    cfg(""),
		PlanOnly:  true, // not declared: an empty plan
	}, {
		Config: cfg(""),
		Check:  power("power on"),
	}, {
		Config: cfg(`  target_power_state = "power on"`),
		Check:  power("power on"),
	}, {
		PreConfig: setPower("power off"),
		Config:    cfg(`  target_power_state = "power on"`),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionUpdate),
			plancheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("power_state"), knownvalue.StringExact("power on")),
		}},
		Check: power("power on"), // declared: converged
	}}...)
}
