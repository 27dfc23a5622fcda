package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// Shards set on nodes, listed by baremetal_shards and filtered by baremetal_nodes; shard
// left out of the configuration later keeps what Ironic holds. Where the Ironic has
// them, a child node names its parent and never powers off; where it lacks them, each
// is a plan-time error naming the attribute and the version.
func TestAccNode_shardsAndNewerFields(t *testing.T) {
	prefix := testNodeName()
	shardA, shardB := prefix+"-rack-a", prefix+"-rack-b"
	mv := testNegotiated(t)
	newer := ironic.FeatureNamed("parent_node").Available(mv) && ironic.FeatureNamed("disable_power_off").Available(mv)
	child := ""
	if newer {
		child = "parent_node       = baremetal_node.a.id\n  disable_power_off = true"
	}
	// Under Keystone the test's credentials are project-scoped, and Ironic's default
	// policy lists shards for system-scoped readers only: that is checked on its own.
	shardsBlock := `data "baremetal_shards" "all" {
  depends_on = [baremetal_node.a, baremetal_node.b]
}`
	withShards := shardsBlock
	if testKeystone != nil {
		shardsBlock = ""
	}
	cfg := func(shardOfA, childExtra string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "a" {
  name   = "%[1]s-a"
  driver = "fake-hardware"
  %[2]s
}
resource "baremetal_node" "b" {
  name   = "%[1]s-b"
  driver = "fake-hardware"
  shard  = %[3]q
  %[4]s
}
%[6]s
data "baremetal_nodes" "rack_a" {
  shard      = %[5]q
  depends_on = [baremetal_node.a, baremetal_node.b]
}
data "baremetal_node" "a" {
  id         = baremetal_node.a.id
  depends_on = [baremetal_node.b]
}
`, prefix, shardOfA, shardB, childExtra, shardA, shardsBlock)
	}
	withShard := fmt.Sprintf("shard  = %q", shardA)
	checks := []statecheck.StateCheck{}
	if testKeystone == nil {
		checks = append(checks, statecheck.ExpectKnownValue("data.baremetal_shards.all", tfjsonpath.New("shards"), knownvalue.SetPartial([]knownvalue.Check{
			knownvalue.ObjectExact(map[string]knownvalue.Check{"name": knownvalue.StringExact(shardA), "count": knownvalue.Int64Exact(1)}),
			knownvalue.ObjectExact(map[string]knownvalue.Check{"name": knownvalue.StringExact(shardB), "count": knownvalue.Int64Exact(1)}),
		})))
	}
	steps := []resource.TestStep{{
		Config: cfg(withShard, child),
		ConfigStateChecks: append([]statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.a", tfjsonpath.New("shard"), knownvalue.StringExact(shardA)),
			statecheck.ExpectKnownValue("data.baremetal_nodes.rack_a", tfjsonpath.New("names"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(prefix + "-a")})),
			statecheck.ExpectKnownValue("data.baremetal_nodes.rack_a", tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("shard"), knownvalue.StringExact(shardA)),
		}, checks...),
		Check: resource.ComposeTestCheckFunc(
			resource.TestCheckResourceAttrPair("baremetal_node.a", "id", "data.baremetal_nodes.rack_a", "ids.0"),
			func(s *terraformState) error {
				if !newer {
					return resource.TestCheckNoResourceAttr("data.baremetal_node.a", "children.#")(s)
				}
				return resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPair("baremetal_node.b", "parent_node", "baremetal_node.a", "id"),
					resource.TestCheckResourceAttr("data.baremetal_node.a", "children.#", "1"),
					resource.TestCheckResourceAttrPair("data.baremetal_node.a", "children.0", "baremetal_node.b", "id"),
					resource.TestCheckResourceAttr("baremetal_node.b", "disable_power_off", "true"))(s)
			}),
	}, {
		// Unset: Ironic's to hold, not removed.
		Config:   cfg("", child),
		PlanOnly: true,
	}}
	if !newer {
		for _, c := range []struct{ attr, value, version string }{
			{"parent_node", "baremetal_node.a.id", `1\.83,\s+Ironic\s+22\.0`},
			{"disable_power_off", "true", `1\.95,\s+Ironic\s+28\.0`},
		} {
			steps = append(steps, resource.TestStep{
				Config:      cfg(withShard, c.attr+" = "+c.value),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Not supported by this Ironic.*` + c.attr + `.*needs\s+API\s+` + c.version + `.*offers\s+` + regexp.QuoteMeta(mv)),
			})
		}
	}
	if testKeystone != nil {
		steps = append(steps, resource.TestStep{
			Config:      cfg(withShard, child) + withShards,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Unable to list shards.*HTTP 403.*baremetal:shards:get.*system-scoped`),
		})
	}
	// A parent named rather than given by id would come back as its UUID: refused.
	steps = append(steps, resource.TestStep{
		Config:      cfg("parent_node = \"host-1\"\n  "+withShard, ""),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Invalid node UUID.*parent_node.*not a node UUID`),
	}, resource.TestStep{
		Config:   cfg(withShard, child), // the destroy uses the last configuration
		PlanOnly: true,
	})
	ironicTest(t, steps...)
}
