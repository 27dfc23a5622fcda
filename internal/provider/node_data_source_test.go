package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccNodeDataSource_byIDAndName(t *testing.T) {
	name := testNodeName()
	macs := []string{randomMAC(), randomMAC()}
	sorted := append([]string(nil), macs...)
	if sorted[0] > sorted[1] {
		sorted[0], sorted[1] = sorted[1], sorted[0]
	}
	ironicTest(t, []resource.TestStep{{
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name        = %q
  driver      = "fake-hardware"
  driver_info = { ipmi_password = "hunter2" }
  properties  = { cpu_arch = "x86_64" }
}
resource "baremetal_port" "p" {
  count   = 2
  node_id = baremetal_node.n.id
  address = upper([%q, %q][count.index])
}
data "baremetal_node" "by_id" {
  id         = baremetal_node.n.id
  depends_on = [baremetal_port.p]
}
data "baremetal_node" "by_name" {
  name       = baremetal_node.n.name
  depends_on = [baremetal_port.p]
}
`, name, macs[0], macs[1]),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.baremetal_node.by_id", tfjsonpath.New("name"), knownvalue.StringExact(name)),
			statecheck.ExpectKnownValue("data.baremetal_node.by_name", tfjsonpath.New("id"), knownvalue.StringRegexp(uuidRE)),
			statecheck.ExpectKnownValue("data.baremetal_node.by_name", tfjsonpath.New("provision_state"), knownvalue.StringExact("enroll")),
			statecheck.ExpectKnownValue("data.baremetal_node.by_name", tfjsonpath.New("maintenance"), knownvalue.Bool(false)),
			statecheck.ExpectKnownValue("data.baremetal_node.by_name", tfjsonpath.New("properties").AtMapKey("cpu_arch"), knownvalue.StringExact("x86_64")),
			statecheck.ExpectKnownValue("data.baremetal_node.by_name", tfjsonpath.New("driver_info").AtMapKey("ipmi_password"), knownvalue.StringExact("******")),
			statecheck.ExpectKnownValue("data.baremetal_node.by_id", tfjsonpath.New("port_addresses"), knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact(sorted[0]), knownvalue.StringExact(sorted[1]),
			})),
			statecheck.CompareValuePairs("data.baremetal_node.by_name", tfjsonpath.New("id"), "baremetal_node.n", tfjsonpath.New("id"), compareEqual),
			// Fields of newer Ironic releases: read where Ironic has them, null where not or unset.
			statecheck.ExpectKnownValue("data.baremetal_node.by_id", tfjsonpath.New("ports").AtSliceIndex(1).AtMapKey("address"), knownvalue.StringExact(sorted[1])),
			statecheck.ExpectKnownValue("data.baremetal_node.by_id", tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("name"), knownvalue.Null()),
			statecheck.ExpectKnownValue("data.baremetal_node.by_id", tfjsonpath.New("parent_node"), knownvalue.Null()),
			statecheck.ExpectKnownValue("data.baremetal_node.by_id", tfjsonpath.New("instance_name"), knownvalue.Null()),
			statecheck.ExpectKnownValue("data.baremetal_node.by_id", tfjsonpath.New("shard"), knownvalue.Null()),
		},
	}}...)
}

func TestAccNodeDataSource_errors(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      providerBlock + `data "baremetal_node" "x" { name = "no-such-node-xyz" }`,
			ExpectError: regexp.MustCompile(`(?s)Unable to read bare metal node.*No node with name "no-such-node-xyz".*could\s+not\s+be\s+found`),
		}},
	})
}
