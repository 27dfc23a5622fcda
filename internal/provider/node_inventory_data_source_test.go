package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// testInventory is what an inspection of a two-SSD, one-HDD server would store.
func testInventory(mac string) map[string]any {
	return map[string]any{
		"cpu":           map[string]any{"architecture": "x86_64", "count": 32, "model_name": "Xeon Gold 6230"},
		"memory":        map[string]any{"physical_mb": 196608, "total": 201326592000},
		"bmc_address":   "10.4.0.20",
		"boot":          map[string]any{"current_boot_mode": "uefi"},
		"system_vendor": map[string]any{"manufacturer": "Dell Inc.", "product_name": "PowerEdge R640", "serial_number": "7XK2Q53"},
		"disks": []any{
			map[string]any{"name": "/dev/sda", "size": 480 << 30, "serial": "S3YJNX0K123456", "rotational": false, "wwn": "0x5002538e00000001", "model": "SSD 480"},
			map[string]any{"name": "/dev/sdb", "size": 480 << 30, "serial": "S3YJNX0K654321", "rotational": false, "model": "SSD 480"},
			map[string]any{"name": "/dev/sdc", "size": 4000 << 30, "serial": "ZC1234", "rotational": true, "model": "HDD 4T"},
		},
		"interfaces": []any{
			map[string]any{"name": "eno1", "mac_address": mac, "has_carrier": true, "speed_mbps": 25000},
		},
	}
}

// seedInventory stores an inventory for a node the test created (skips against an
// Ironic this test run did not start: it writes to its database).
func seedInventory(t *testing.T, node, mac string) {
	t.Helper()
	if testServer == nil {
		t.Skip("seeding an inventory needs the Ironic this test run started")
	}
	if err := testServer.SeedInventory(context.Background(), node, testInventory(mac), map[string]any{"all_interfaces": map[string]any{}}); err != nil {
		t.Fatal(err)
	}
}

// testAccNodeInventoryConfig_checked is a node whose root device hints and RAID layout
// (HCL objects) and port MAC the plan checks against its inventory, read beside it.
func testAccNodeInventoryConfig_checked(name, rootDevice, raid, mac string) string {
	return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "inv" {
  name        = %q
  driver      = "fake-hardware"
  root_device = %s
  raid_config = %s
}
data "baremetal_node_inventory" "inv" {
  node_id = baremetal_node.inv.id
}
resource "baremetal_port" "p" {
  node_id = baremetal_node.inv.id
  address = %q
}
`, name, rootDevice, raid, mac)
}

// The inventory as typed attributes; root device hints, RAID layouts and port MACs
// checked against it at plan time, with a matching and a non-matching configuration each.
func TestAccNodeInventory_dataSourceAndChecks(t *testing.T) {
	name := testNodeName()
	mac := randomMAC()
	const sda = `{ serial = "S3YJNX0K123456" }`
	const mirror = `{ logical_disks = [{ size_gb = "400", raid_level = "1", is_root_volume = true }] }`
	ironicTest(t, resource.TestStep{
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_node" "inv" {
  name   = %q
  driver = "fake-hardware"
}
`, name),
	}, resource.TestStep{
		PreConfig: func() { seedInventory(t, name, mac) },
		Config:    testAccNodeInventoryConfig_checked(name, sda, mirror, mac),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.baremetal_node_inventory.inv", tfjsonpath.New("has_inventory"), knownvalue.Bool(true)),
			statecheck.ExpectKnownValue("data.baremetal_node_inventory.inv", tfjsonpath.New("cpu_count"), knownvalue.Int64Exact(32)),
			statecheck.ExpectKnownValue("data.baremetal_node_inventory.inv", tfjsonpath.New("memory_mb"), knownvalue.Int64Exact(196608)),
			statecheck.ExpectKnownValue("data.baremetal_node_inventory.inv", tfjsonpath.New("disks").AtSliceIndex(2).AtMapKey("size_gb"), knownvalue.Int64Exact(4000)),
			statecheck.ExpectKnownValue("data.baremetal_node_inventory.inv", tfjsonpath.New("disks").AtSliceIndex(0).AtMapKey("serial"), knownvalue.StringExact("S3YJNX0K123456")),
			statecheck.ExpectKnownValue("data.baremetal_node_inventory.inv", tfjsonpath.New("interfaces").AtSliceIndex(0).AtMapKey("mac_address"), knownvalue.StringExact(mac)),
			statecheck.ExpectKnownValue("data.baremetal_node_inventory.inv", tfjsonpath.New("serial_number"), knownvalue.StringExact("7XK2Q53")),
			statecheck.ExpectKnownValue("data.baremetal_node_inventory.inv", tfjsonpath.New("plugin_data"), knownvalue.StringExact(`{"all_interfaces":{}}`)),
		},
	}, resource.TestStep{
		Config:      testAccNodeInventoryConfig_checked(name, `{ serial = "S3YJNX0K999999" }`, mirror, mac),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)No disk matches the root device hints.*serial\s+=\s+"S3YJNX0K999999".*/dev/sda\s+\(480\s+GiB,\s+serial\s+S3YJNX0K123456`),
	}, resource.TestStep{
		Config:      testAccNodeInventoryConfig_checked(name, sda, `{ logical_disks = [{ size_gb = "MAX", raid_level = "6" }] }`, mac),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)The RAID layout does not fit the node's disks.*needs\s+4\s+physical\s+disks;\s+the\s+inventory\s+has\s+3`),
	}, resource.TestStep{
		// A MAC not on the node is a warning only (the inventory may predate a NIC swap): the
		// plan goes through and the port is created.
		Config: testAccNodeInventoryConfig_checked(name, sda, mirror, randomMAC()),
	})
}
