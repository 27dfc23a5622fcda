package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// A bond of two ports: created, changed in place, imported by name.
func TestAccPortgroup_twoPorts(t *testing.T) {
	name := testNodeName()
	macs := []string{randomMAC(), randomMAC(), randomMAC()}
	cfg := func(mode, pgName string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name   = %[1]q
  driver = "fake-hardware"
}
resource "baremetal_portgroup" "bond" {
  node_id    = baremetal_node.n.id
  name       = %[2]q
  address    = %[3]q
  mode       = %[4]q
  properties = { miimon = "100" }
}
resource "baremetal_port" "eth" {
  count        = 2
  node_id      = baremetal_node.n.id
  address      = [%[5]q, %[6]q][count.index]
  portgroup_id = baremetal_portgroup.bond.id
}
`, name, pgName, strings.ToUpper(macs[0]), mode, macs[1], macs[2])
	}
	members := func(s *terraform.State) error {
		pg, _ := stateID(s, "baremetal_portgroup.bond")
		for i := range 2 {
			err := checkRemotePort(fmt.Sprintf("baremetal_port.eth.%d", i), func(p *ports.Port) error {
				if p.PortGroupUUID != pg {
					return fmt.Errorf("port %s in port group %q, want %s", p.Address, p.PortGroupUUID, pg)
				}
				return nil
			})(s)
			if err != nil {
				return err
			}
		}
		return nil
	}
	ironicTest(t, []resource.TestStep{{
		Config: cfg("active-backup", name+"-bond"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_portgroup.bond", tfjsonpath.New("standalone_ports_supported"), knownvalue.Bool(true)),
		},
		Check: members,
	}, {
		Config: cfg("802.3ad", name+"-bond0"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_portgroup.bond", tfjsonpath.New("mode"), knownvalue.StringExact("802.3ad")),
			statecheck.ExpectKnownValue("baremetal_portgroup.bond", tfjsonpath.New("name"), knownvalue.StringExact(name+"-bond0")),
		},
		Check: members,
	}, {
		ResourceName:            "baremetal_portgroup.bond",
		ImportState:             true,
		ImportStateId:           name + "-bond0",
		ImportStateVerify:       true,
		ImportStateVerifyIgnore: []string{"address"}, // the same MAC, in Ironic's lower case
	}}...)
}
