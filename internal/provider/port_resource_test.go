package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// testAccPortConfig_node is the node every port test's port belongs to; each case adds
// its port blocks.
func testAccPortConfig_node(name string) string {
	return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name   = %q
  driver = "fake-hardware"
}
`, name)
}

// testAccPortConfig_basic is a port with only its address, on a node of its own.
func testAccPortConfig_basic(name, mac string) string {
	return testAccPortConfig_node(name) + fmt.Sprintf(`
resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = %q
}
`, mac)
}

// testAccPortConfig_physicalNetwork is a port on a physical network, with extra.
func testAccPortConfig_physicalNetwork(name, mac string) string {
	return testAccPortConfig_node(name) + fmt.Sprintf(`
resource "baremetal_port" "p" {
  node_id          = baremetal_node.n.id
  address          = %q
  physical_network = "physnet1"
  extra            = { slot = "3" }
}
`, mac)
}

// testAccPortConfig_localLink is a port without PXE, with its switch port.
func testAccPortConfig_localLink(name, mac string) string {
	return testAccPortConfig_node(name) + fmt.Sprintf(`
resource "baremetal_port" "p" {
  node_id     = baremetal_node.n.id
  address     = %q
  pxe_enabled = false
  local_link_connection = {
    switch_id = "0a:1b:2c:3d:4e:5f"
    port_id   = "Ethernet1/3"
  }
}
`, mac)
}

// testAccPortConfig_duplicateMAC is two ports of one MAC, the second in upper case.
func testAccPortConfig_duplicateMAC(name, mac string) string {
	return testAccPortConfig_node(name) + fmt.Sprintf(`
resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = %q
}
resource "baremetal_port" "dup" {
  node_id    = baremetal_node.n.id
  address    = %q
  depends_on = [baremetal_port.p]
}
`, mac, strings.ToUpper(mac))
}

// testAccPortConfig_newerFields is a port with the newer fields (name, description,
// vendor, category), in category; category "" leaves them all out.
func testAccPortConfig_newerFields(name, mac, category string) string {
	if category == "" {
		return testAccPortConfig_basic(name, mac)
	}
	return testAccPortConfig_node(name) + fmt.Sprintf(`
resource "baremetal_port" "p" {
  node_id     = baremetal_node.n.id
  address     = %q
  name        = "%s-eth0"
  description = "uplink to tor-a"
  vendor      = "mellanox"
  category    = %q
}
`, mac, name, category)
}

func checkRemotePort(addr string, check func(*ports.Port) error) func(*terraform.State) error {
	return func(s *terraform.State) error {
		id, err := stateID(s, addr)
		if err != nil {
			return err
		}
		p, err := ports.Get(context.Background(), testIronicNoT(), id).Extract()
		if err != nil {
			return err
		}
		return check(p)
	}
}

func TestAccPort_basicUpperCaseMAC(t *testing.T) {
	name := testNodeName()
	mac := strings.ToUpper(randomMAC())
	cfg := testAccPortConfig_basic(name, mac)
	ironicTest(t, []resource.TestStep{{
		Config: cfg,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_port.p", tfjsonpath.New("address"), knownvalue.StringExact(mac)),
			statecheck.ExpectKnownValue("baremetal_port.p", tfjsonpath.New("pxe_enabled"), knownvalue.Bool(true)),
			statecheck.ExpectKnownValue("baremetal_port.p", tfjsonpath.New("is_smartnic"), knownvalue.Bool(false)),
			statecheck.ExpectKnownValue("baremetal_port.p", tfjsonpath.New("id"), knownvalue.StringRegexp(uuidRE)),
		},
		Check: checkRemotePort("baremetal_port.p", func(p *ports.Port) error {
			if p.Address != strings.ToLower(mac) || !p.PXEEnabled {
				return fmt.Errorf("Ironic has %+v", p)
			}
			return nil
		}),
	}, {
		Config: cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
	}, {
		// Import by UUID and by MAC address, in either case.
		// Imported, the address is Ironic's spelling (lower case), semantically equal.
		ResourceName:            "baremetal_port.p",
		ImportState:             true,
		ImportStateVerify:       true,
		ImportStateVerifyIgnore: []string{"address"},
		ImportStateCheck:        checkImportedAddress(strings.ToLower(mac)),
	}, {
		ResourceName:            "baremetal_port.p",
		ImportState:             true,
		ImportStateId:           mac,
		ImportStateVerify:       true,
		ImportStateVerifyIgnore: []string{"address"},
		ImportStateCheck:        checkImportedAddress(strings.ToLower(mac)),
	}, {
		ResourceName:  "baremetal_port.p",
		ImportState:   true,
		ImportStateId: "52:54:00:ff:ff:fe",
		ExpectError:   regexp.MustCompile(`No single port with MAC address 52:54:00:ff:ff:fe \(found 0\)`),
	}}...)
}

func TestAccPort_update(t *testing.T) {
	name := testNodeName()
	mac, mac2 := randomMAC(), randomMAC()
	ironicTest(t, []resource.TestStep{{
		Config: testAccPortConfig_physicalNetwork(name, mac),
	}, {
		Config: testAccPortConfig_localLink(name, mac2),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("baremetal_port.p", plancheck.ResourceActionUpdate)},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_port.p", tfjsonpath.New("physical_network"), knownvalue.Null()),
			statecheck.ExpectKnownValue("baremetal_port.p", tfjsonpath.New("extra"), knownvalue.Null()),
		},
		Check: checkRemotePort("baremetal_port.p", func(p *ports.Port) error {
			if p.Address != mac2 || p.PXEEnabled || p.PhysicalNetwork != "" || len(p.Extra) != 0 ||
				p.LocalLinkConnection["port_id"] != "Ethernet1/3" {
				return fmt.Errorf("Ironic has %+v", p)
			}
			return nil
		}),
	}}...)
}

func TestAccPort_disappears(t *testing.T) {
	name := testNodeName()
	cfg := testAccPortConfig_basic(name, randomMAC())
	ironicTest(t, disappears(cfg, "baremetal_port.p", func(sc *gophercloud.ServiceClient, id string) error {
		return ports.Delete(context.Background(), sc, id).ExtractErr()
	})...)
}

func TestAccPort_errors(t *testing.T) {
	name := testNodeName()
	mac := randomMAC()
	ironicTest(t, []resource.TestStep{{
		Config:      testAccPortConfig_duplicateMAC(name, mac),
		ExpectError: regexp.MustCompile(`(?s)Unable to create bare metal port.*MAC\s+address\s+` + mac + `\s+already\s+exists.*HTTP 409`),
	}}...)
}

func checkImportedAddress(want string) resource.ImportStateCheckFunc {
	return func(states []*terraform.InstanceState) error {
		if len(states) != 1 || states[0].Attributes["address"] != want {
			return fmt.Errorf("imported %v, want address %s", states, want)
		}
		return nil
	}
}

// The newer port fields: set, read back and kept when later left out of the
// configuration, where the Ironic has them; where it lacks one, a plan-time error
// naming the attribute and the version.
func TestAccPort_newerFields(t *testing.T) {
	name := testNodeName()
	mac := randomMAC()
	if mv := testNegotiated(t); !ironic.FeatureNamed("port category").Available(mv) {
		ironicTest(t, resource.TestStep{
			Config:      testAccPortConfig_newerFields(name, mac, "storage"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Not supported by this Ironic.*port category.*needs\s+API\s+1\.101,\s+Ironic\s+32\.0.*offers\s+` + regexp.QuoteMeta(mv)),
		})
		return
	}
	ironicTest(t, resource.TestStep{
		Config: testAccPortConfig_newerFields(name, mac, "storage"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_port.p", tfjsonpath.New("name"), knownvalue.StringExact(name+"-eth0")),
			statecheck.ExpectKnownValue("baremetal_port.p", tfjsonpath.New("category"), knownvalue.StringExact("storage")),
			statecheck.ExpectKnownValue("baremetal_port.p", tfjsonpath.New("vendor"), knownvalue.StringExact("mellanox")),
			statecheck.ExpectKnownValue("baremetal_port.p", tfjsonpath.New("description"), knownvalue.StringExact("uplink to tor-a")),
		},
	}, resource.TestStep{
		Config:   testAccPortConfig_newerFields(name, mac, ""), // unset: Ironic's to hold, not removed
		PlanOnly: true,
	}, resource.TestStep{
		Config: testAccPortConfig_newerFields(name, mac, "tenant"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_port.p", tfjsonpath.New("category"), knownvalue.StringExact("tenant")),
		},
	})
}
