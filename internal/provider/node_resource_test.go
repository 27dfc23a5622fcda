package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

func testNodeName() string { return "tf-acc-" + acctest.RandString(8) }

func TestAccNode_basic(t *testing.T) {
	name := testNodeName()
	ironicTest(t, []resource.TestStep{{
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_node" "test" {
  name           = %q
  driver         = "fake-hardware"
  resource_class = "baremetal"
  description    = "rack 4, unit 12"
  properties = {
    capabilities = "boot_mode:uefi"
    cpu_arch     = "x86_64"
  }
  extra = {}
}
`, name),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("id"), knownvalue.StringRegexp(uuidRE)),
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("name"), knownvalue.StringExact(name)),
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("provision_state"), knownvalue.StringExact("enroll")),
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("deploy_interface"), knownvalue.StringExact("fake")),
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("properties"), knownvalue.MapExact(map[string]knownvalue.Check{
				"capabilities": knownvalue.StringExact("boot_mode:uefi"), "cpu_arch": knownvalue.StringExact("x86_64"),
			})),
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("extra"), knownvalue.MapSizeExact(0)),
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("driver_info"), knownvalue.Null()),
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("owner"), ownerIronicRecords()),
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("last_error"), knownvalue.Null()),
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("created_at"), knownvalue.NotNull()),
		},
		Check: checkRemoteNode("baremetal_node.test", func(n *nodes.Node) error {
			if n.Name != name || n.ResourceClass != "baremetal" || n.Description != "rack 4, unit 12" || n.Properties["cpu_arch"] != "x86_64" {
				return fmt.Errorf("Ironic has %+v", n)
			}
			return nil
		}),
	}}...)
}

// The enrollment guide's node: driver ipmi with BMC credentials and deploy images.
func TestAccNode_enrollmentGuide(t *testing.T) {
	name := testNodeName()
	mac := randomMAC()
	cfg := providerBlock + fmt.Sprintf(`
resource "baremetal_node" "guide" {
  name   = %q
  driver = "ipmi"
  driver_info = {
    ipmi_address   = "ipmi.server.net"
    ipmi_username  = "user"
    ipmi_password  = "pass-Zq8x"
    deploy_kernel  = "file:///images/deploy.vmlinuz"
    deploy_ramdisk = "http://my.server.net/images/deploy.ramdisk"
  }
}

resource "baremetal_port" "nic" {
  address = %q
  node_id = baremetal_node.guide.id
}
`, name, mac)
	ironicTest(t, []resource.TestStep{{
		Config: cfg,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.guide", tfjsonpath.New("driver_info").AtMapKey("ipmi_password"), knownvalue.StringExact("pass-Zq8x")),
			statecheck.ExpectKnownValue("baremetal_node.guide", tfjsonpath.New("power_interface"), knownvalue.StringExact("ipmitool")),
			statecheck.ExpectKnownValue("baremetal_port.nic", tfjsonpath.New("pxe_enabled"), knownvalue.Bool(true)),
		},
		Check: resource.ComposeTestCheckFunc(
			checkRemoteNode("baremetal_node.guide", func(n *nodes.Node) error {
				if n.DriverInfo["ipmi_password"] != ironic.Masked || n.DriverInfo["ipmi_address"] != "ipmi.server.net" ||
					n.DriverInfo["deploy_ramdisk"] != "http://my.server.net/images/deploy.ramdisk" {
					return fmt.Errorf("driver_info in Ironic: %v", n.DriverInfo)
				}
				return nil
			}),
			checkWithBaremetalCLI("baremetal_node.guide", "baremetal_port.nic", mac),
		),
	}, {
		// A second plan is empty although Ironic masks the password.
		Config: cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
	}, {
		// Out-of-band change of a value Ironic does not mask is drift.
		PreConfig: func() {
			patchNode(t, name, nodes.UpdateOperation{Op: nodes.AddOp, Path: "/driver_info/ipmi_address", Value: "10.9.9.9"})
		},
		Config:             cfg,
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, {
		Config: cfg,
		Check: checkRemoteNode("baremetal_node.guide", func(n *nodes.Node) error {
			if n.DriverInfo["ipmi_address"] != "ipmi.server.net" {
				return fmt.Errorf("drift not corrected: %v", n.DriverInfo["ipmi_address"])
			}
			return nil
		}),
	}}...)
}

func TestAccNode_update(t *testing.T) {
	name := testNodeName()
	ironicTest(t, []resource.TestStep{{
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_node" "test" {
  name        = %q
  driver      = "fake-hardware"
  description = "before"
  owner       = "team-a"
  properties  = { cpu_arch = "x86_64" }
  extra       = { rack = "4" }
}
`, name),
	}, {
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_node" "test" {
  name             = "%s-renamed"
  driver           = "fake-hardware"
  lessee           = "team-b"
  deploy_interface = "direct"
  properties       = { cpu_arch = "aarch64", memory_mb = "65536" }
}
`, name),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("baremetal_node.test", plancheck.ResourceActionUpdate)},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("description"), knownvalue.Null()),
			// An owner left out of the configuration is Ironic's (under Keystone it records the
			// creating project): kept as it is, neither cleared nor drift.
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("owner"), knownvalue.StringExact("team-a")),
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("extra"), knownvalue.Null()),
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("deploy_interface"), knownvalue.StringExact("direct")),
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("boot_interface"), knownvalue.StringExact("fake")),
		},
		Check: checkRemoteNode("baremetal_node.test", func(n *nodes.Node) error {
			if n.Name != name+"-renamed" || n.Description != "" || n.Owner != "team-a" || n.Lessee != "team-b" ||
				len(n.Extra) != 0 || n.Properties["memory_mb"] != "65536" || n.DeployInterface != "direct" {
				return fmt.Errorf("Ironic has %+v", n)
			}
			return nil
		}),
	}, {
		// A new driver resets the interfaces that are not configured.
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_node" "test" {
  name   = "%s-renamed"
  driver = "ipmi"
}
`, name),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("power_interface"), knownvalue.StringExact("ipmitool")),
			statecheck.ExpectKnownValue("baremetal_node.test", tfjsonpath.New("driver"), knownvalue.StringExact("ipmi")),
		},
	}}...)
}

// driver_info left out of the configuration is not managed: Ironic keeps the BMC settings
// (what an adopted node with generated configuration relies on: the CLI writes this
// sensitive map as null). Only {} empties it.
func TestAccNode_driverInfoUnset(t *testing.T) {
	name := testNodeName()
	cfg := func(driverInfo string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "test" {
  name   = %q
  driver = "fake-hardware"
  %s
}
`, name, driverInfo)
	}
	driverInfo := func(want map[string]any) func(*terraform.State) error {
		return checkRemoteNode("baremetal_node.test", func(n *nodes.Node) error {
			if fmt.Sprint(n.DriverInfo) != fmt.Sprint(want) {
				return fmt.Errorf("Ironic's driver_info is %v, want %v", n.DriverInfo, want)
			}
			return nil
		})
	}
	kept := map[string]any{"ipmi_address": "10.0.0.5", "ipmi_password": "******"}
	ironicTest(t, []resource.TestStep{{
		Config: cfg(`driver_info = { ipmi_address = "10.0.0.5", ipmi_password = "bmc-pw" }`),
		Check:  driverInfo(kept),
	}, {
		Config: cfg(""),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("baremetal_node.test", plancheck.ResourceActionNoop)},
		},
		Check: driverInfo(kept),
	}, {
		Config: cfg(`driver_info = {}`),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("baremetal_node.test", plancheck.ResourceActionUpdate)},
		},
		Check: driverInfo(map[string]any{}),
	}}...)
}

func TestAccNode_import(t *testing.T) {
	name := testNodeName()
	ironicTest(t, []resource.TestStep{{
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_node" "test" {
  name        = %q
  driver      = "fake-hardware"
  driver_info = { ipmi_password = "x" }
  properties  = { cpu_arch = "x86_64" }
}
`, name),
	}, {
		ResourceName:            "baremetal_node.test",
		ImportState:             true,
		ImportStateVerify:       true,
		ImportStateVerifyIgnore: []string{"driver_info", "timeouts"},
	}, {
		ResourceName:            "baremetal_node.test",
		ImportState:             true,
		ImportStateId:           name,
		ImportStateVerify:       true,
		ImportStateVerifyIgnore: []string{"driver_info", "timeouts"},
	}, {
		ResourceName:  "baremetal_node.test",
		ImportState:   true,
		ImportStateId: "no-such-node-" + name,
		ExpectError:   regexp.MustCompile(`(?s)No node with UUID or name.*could not be found`),
	}}...)
}

func TestAccNode_disappears(t *testing.T) {
	name := testNodeName()
	cfg := providerBlock + fmt.Sprintf(`
resource "baremetal_node" "test" {
  name   = %q
  driver = "fake-hardware"
}
`, name)
	ironicTest(t, disappears(cfg, "baremetal_node.test", func(sc *gophercloud.ServiceClient, id string) error {
		return nodes.Delete(context.Background(), sc, id).ExtractErr()
	})...)
}

func TestAccNode_ironicErrors(t *testing.T) {
	name := testNodeName()
	ironicTest(t, []resource.TestStep{{
		Config: providerBlock + `
resource "baremetal_node" "bad" {
  driver = "no-such-driver"
}
`,
		ExpectError: regexp.MustCompile(`(?s)Unable to create bare metal node.*No valid host was found.*no-such-driver.*HTTP 400`),
	}, {
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_node" "a" {
  name   = %[1]q
  driver = "fake-hardware"
}
resource "baremetal_node" "b" {
  name       = %[1]q
  driver     = "fake-hardware"
  depends_on = [baremetal_node.a]
}
`, name),
		ExpectError: regexp.MustCompile(`(?s)Bare metal node already exists.*` + name + `.*already\s+exists\s+in\s+Ironic.*import\s+it`),
	}}...)
}

// An attribute newer than the Ironic under test is a plan-time error naming the
// attribute, the microversion and the Ironic release that bring it; where Ironic has
// it, it is set and read back.
func TestAccNode_featureGatedByMicroversion(t *testing.T) {
	name := testNodeName()
	cfg := providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name               = %q
  driver             = "fake-hardware"
  firmware_interface = "fake"
}
`, name)
	if mv := testNegotiated(t); !ironic.FeatureNamed("firmware_interface").Available(mv) {
		ironicTest(t, resource.TestStep{
			Config:      cfg,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Not supported by this Ironic.*firmware_interface.*needs\s+API\s+1\.86,\s+Ironic\s+22\.1\s+or\s+newer;\s+this\s+Ironic\s+offers\s+` + regexp.QuoteMeta(mv)),
		}, resource.TestStep{
			// An interface this Ironic does not report is null, not "": a configuration
			// generated from it (OpenTofu writes every attribute) stays valid.
			Config: providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name               = %q
  driver             = "fake-hardware"
}
`, name),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("firmware_interface"), knownvalue.Null()),
			},
		})
		return
	}
	ironicTest(t, resource.TestStep{
		Config: cfg,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("firmware_interface"), knownvalue.StringExact("fake")),
		},
	})
}
