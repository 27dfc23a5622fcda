package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

func TestAccNodesDataSource_filters(t *testing.T) {
	// A resource class unique to this test keeps other tests' nodes out of the lists.
	class := strings.ReplaceAll(testNodeName(), "-", "_")
	a, b, mac := testNodeName(), testNodeName(), randomMAC()
	ironicTest(t, []resource.TestStep{{
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_node" "a" {
  name           = %[2]q
  driver         = "fake-hardware"
  resource_class = %[1]q
  lessee         = "tenant-x"
  traits         = ["CUSTOM_GPU", "CUSTOM_RACK_A"]
}
resource "baremetal_port" "a" {
  node_id = baremetal_node.a.id
  address = %[4]q
}
resource "baremetal_node" "b" {
  name           = %[3]q
  driver         = "ipmi"
  resource_class = %[1]q
  depends_on     = [baremetal_node.a]
}
data "baremetal_nodes" "all" {
  resource_class = %[1]q
  depends_on     = [baremetal_node.a, baremetal_node.b]
}
data "baremetal_nodes" "ipmi" {
  resource_class  = %[1]q
  driver          = "ipmi"
  provision_state = "enroll"
  maintenance     = false
  depends_on      = [baremetal_node.a, baremetal_node.b]
}
data "baremetal_nodes" "in_maintenance" {
  resource_class = %[1]q
  maintenance    = true
  depends_on     = [baremetal_node.a, baremetal_node.b]
}
data "baremetal_nodes" "gpu" {
  resource_class = %[1]q
  traits         = ["CUSTOM_GPU"]
  depends_on     = [baremetal_node.a, baremetal_node.b, baremetal_port.a]
}
data "baremetal_nodes" "leased" {
  resource_class = %[1]q
  lessee         = "tenant-x"
  associated     = false
  depends_on     = [baremetal_node.a, baremetal_node.b]
}
data "baremetal_nodes" "associated" {
  resource_class = %[1]q
  associated     = true
  depends_on     = [baremetal_node.a, baremetal_node.b]
}
`, class, a, b, mac),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.baremetal_nodes.all", tfjsonpath.New("names"), knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact(a), knownvalue.StringExact(b),
			})),
			statecheck.ExpectKnownValue("data.baremetal_nodes.ipmi", tfjsonpath.New("names"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(b)})),
			statecheck.ExpectKnownValue("data.baremetal_nodes.ipmi", tfjsonpath.New("ids"), knownvalue.ListSizeExact(1)),
			statecheck.ExpectKnownValue("data.baremetal_nodes.in_maintenance", tfjsonpath.New("ids"), knownvalue.ListSizeExact(0)),
			statecheck.ExpectKnownValue("data.baremetal_nodes.gpu", tfjsonpath.New("names"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(a)})),
			statecheck.ExpectKnownValue("data.baremetal_nodes.leased", tfjsonpath.New("names"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(a)})),
			statecheck.ExpectKnownValue("data.baremetal_nodes.associated", tfjsonpath.New("ids"), knownvalue.ListSizeExact(0)),
			statecheck.ExpectKnownValue("data.baremetal_nodes.gpu", tfjsonpath.New("nodes").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"name": knownvalue.StringExact(a), "lessee": knownvalue.StringExact("tenant-x"), "deployed": knownvalue.Bool(false),
				"provision_state": knownvalue.StringExact("enroll"), "driver": knownvalue.StringExact("fake-hardware"),
				"traits": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("CUSTOM_GPU"), knownvalue.StringExact("CUSTOM_RACK_A")}),
				"ports": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"address": knownvalue.StringExact(mac),
				})}),
			})),
		},
	}}...)
}

// Past Ironic's page limit (1000 per page): 2,500 nodes, listed in order of creation,
// asking only for the summary fields.
func TestAccNodesDataSource_pagination(t *testing.T) {
	testAccPreCheck(t)
	if testServer == nil {
		t.Skip("clones nodes in the test Ironic's database")
	}
	const n = 2500
	class := strings.ReplaceAll(testNodeName(), "-", "_")
	template, prefix := testNodeName(), testNodeName()
	sc := testIronic(t)
	if _, err := nodes.Create(t.Context(), sc, nodes.CreateOpts{Name: template, Driver: "fake-hardware", ResourceClass: class}).Extract(); err != nil {
		t.Fatal(err)
	}
	defer nodes.Delete(context.Background(), sc, template)
	if err := testServer.CloneNodes(t.Context(), template, prefix, n-1); err != nil {
		t.Fatal(err)
	}
	defer testServer.DeleteClones(context.Background(), prefix)
	rec := ironictest.NewRecorder(testEndpoint())
	defer rec.Close()
	// Not in parallel: the clones are written and deleted straight in sqlite, in one
	// transaction each, which would hold other tests' writes past Ironic's lock timeout
	// ("database is locked", seen once when the deletion overlapped another test's destroy).
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("provider \"baremetal\" {\n  endpoint = %q\n}\ndata \"baremetal_nodes\" \"fleet\" {\n  resource_class = %q\n}\n", rec.URL, class),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.baremetal_nodes.fleet", tfjsonpath.New("ids"), knownvalue.ListSizeExact(n)),
				statecheck.ExpectKnownValue("data.baremetal_nodes.fleet", tfjsonpath.New("names").AtSliceIndex(0), knownvalue.StringExact(template)),
				statecheck.ExpectKnownValue("data.baremetal_nodes.fleet", tfjsonpath.New("nodes").AtSliceIndex(n-1).AtMapKey("name"),
					knownvalue.StringExact(fmt.Sprintf("%s-%d", prefix, n-2))),
			},
			Check: func(*terraformState) error {
				pages := 0
				for _, r := range rec.Requests() {
					if r.Method == "GET" && r.Path == "/v1/nodes" && strings.Contains(r.Query, "resource_class="+class) {
						if !strings.Contains(r.Query, "fields=") {
							return fmt.Errorf("a page asked for every field: %s", r.Query)
						}
						pages++
					}
				}
				// Ironic's next-page links name its own address, so only the first page goes
				// through the proxy; 2,500 ids from pages of at most 1000 prove the rest.
				if pages == 0 {
					return fmt.Errorf("no node list went through the proxy")
				}
				return nil
			},
		}},
	})
}
