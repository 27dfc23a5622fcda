package provider

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// A plan over many nodes and ports reads them from one list call per kind, asking only
// for the fields the schema needs, and still sees every change made behind Terraform's
// back: a changed node, a deleted port and a deleted node (confirmed with its own GET).
func TestAccRefresh_batchedFromLists(t *testing.T) {
	const n = 30 // well over batchAfter
	rec := ironictest.NewRecorder(testEndpoint())
	defer rec.Close()
	prefix := testNodeName()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "provider \"baremetal\" {\n  endpoint = %q\n}\n", rec.URL)
	macs := make([]string, n)
	for i := range n {
		macs[i] = randomMAC()
		// Many attributes set, so that a field the list leaves out shows as drift.
		fmt.Fprintf(&cfg, `
resource "baremetal_node" "n%[1]d" {
  name           = "%[2]s-%[1]d"
  driver         = "fake-hardware"
  resource_class = "rack-a"
  description    = "unit %[1]d"
  lessee         = "tenant-%[1]d"
  properties     = { cpu_arch = "x86_64" }
  extra          = { rack = "a" }
  traits         = ["CUSTOM_RACK_A"]
  root_device    = { serial = "S%[1]d" }
  automated_clean = false
  network_data   = jsonencode({ links = [], networks = [], services = [] })
}
resource "baremetal_port" "p%[1]d" {
  node_id     = baremetal_node.n%[1]d.id
  address     = %[3]q
  pxe_enabled = false
  extra       = { switch = "sw-%[1]d" }
}
`, i, prefix, macs[i])
	}
	config := cfg.String()
	ironicTest(t, resource.TestStep{
		Config: config, // the plan after the apply must be empty: the list holds every field read
	}, resource.TestStep{
		PreConfig: func() {
			sc := testIronic(t)
			patchNode(t, prefix+"-3", nodes.UpdateOperation{Op: nodes.ReplaceOp, Path: "/description", Value: "changed by hand"})
			found, err := testEngine(t).PortsByMAC(t.Context(), macs[5])
			if err != nil || len(found) != 1 {
				t.Fatalf("port %s: %v %v", macs[5], found, err)
			}
			if err := ports.Delete(t.Context(), sc, found[0]).ExtractErr(); err != nil {
				t.Fatal(err)
			}
			if err := nodes.Delete(t.Context(), sc, prefix+"-7").ExtractErr(); err != nil {
				t.Fatal(err)
			}
			rec.Reset()
		},
		Config:             config,
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, resource.TestStep{
		PreConfig: func() {
			// Four reads of missing objects: node 7 and ports 5 and 7 confirmed gone, and node
			// 7's enrollment UUID looked up once more by the plan of its create (a failed
			// enrollment to continue?).
			if err := checkBatchedReads(rec.Requests(), 4); err != nil {
				t.Error(err)
			}
		},
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_node.n3", plancheck.ResourceActionUpdate),
			plancheck.ExpectResourceAction("baremetal_port.p5", plancheck.ResourceActionCreate),
			plancheck.ExpectResourceAction("baremetal_node.n7", plancheck.ResourceActionCreate),
			plancheck.ExpectResourceAction("baremetal_port.p7", plancheck.ResourceActionCreate),
			plancheck.ExpectResourceAction("baremetal_node.n8", plancheck.ResourceActionNoop),
		}},
	})
}

// checkBatchedReads: each plan listed nodes and ports once (ports with fields), and read on
// their own only the first batchAfter objects of each kind and the missing ones (reads
// that come while the plan probes Ironic's size wait for its answer).
func checkBatchedReads(reqs []ironictest.Request, missing int) error {
	nodeLists, portLists, gets := 0, 0, 0
	var got []string
	for _, r := range reqs {
		if r.Method != "GET" || strings.Contains(r.Query, "marker=") {
			continue // a list's later pages (other tests' nodes may fill more than one)
		}
		if q, _ := url.ParseQuery(r.Query); q.Get("fields") == "uuid" {
			continue // a probe of how many objects Ironic holds
		}
		switch {
		case r.Path == "/v1/nodes/detail": // every field: Ironic lists no timestamps by field
			nodeLists++
		case r.Path == "/v1/ports" && strings.Contains(r.Query, "fields="):
			portLists++
		case r.Path == "/v1/ports/detail":
			return fmt.Errorf("the port list asked for every field: %s", r.Path)
		case (strings.HasPrefix(r.Path, "/v1/nodes/") || strings.HasPrefix(r.Path, "/v1/ports/")) && strings.Count(r.Path, "/") == 3:
			gets++
			got = append(got, r.Path)
		}
	}
	if nodeLists == 0 || portLists != nodeLists {
		return fmt.Errorf("%d node lists and %d port lists: want one of each per plan", nodeLists, portLists)
	}
	if limit := nodeLists * (2*batchAfter + missing); gets > limit {
		return fmt.Errorf("%d single-object GETs in %d plan(s), more than %d: %s", gets, nodeLists, limit, strings.Join(got, " "))
	}
	return nil
}

// A small workspace (12 nodes with ports) on an Ironic that holds 3,000 other nodes
// plans with reads of its own objects only: no list of the whole Ironic, whose cost
// would grow with everyone else's nodes.
func TestAccRefresh_smallWorkspaceBesideAFleet(t *testing.T) {
	testAccPreCheck(t)
	if testServer == nil {
		t.Skip("clones nodes in the test Ironic's database")
	}
	const n, others = 12, 3000
	sc := testIronic(t)
	template, prefix := testNodeName(), testNodeName()
	if _, err := nodes.Create(t.Context(), sc, nodes.CreateOpts{Name: template, Driver: "fake-hardware"}).Extract(); err != nil {
		t.Fatal(err)
	}
	defer nodes.Delete(context.Background(), sc, template)
	if err := testServer.CloneNodes(t.Context(), template, prefix, others-1); err != nil {
		t.Fatal(err)
	}
	defer testServer.DeleteClones(context.Background(), prefix)
	rec := ironictest.NewRecorder(testEndpoint())
	defer rec.Close()
	name := testNodeName()
	cfg := fleetConfig{Endpoint: rec.URL, Count: n, Name: name, PortAddress: fmt.Sprintf(`format("%s:%%02x", count.index)`, randomMAC()[:14])}.String()
	// Not in parallel: the clones are written and deleted straight in sqlite (see the
	// pagination test).
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodesDestroyed,
		Steps: []resource.TestStep{{
			Config: cfg,
		}, {
			PreConfig: rec.Reset,
			Config:    cfg,
			PlanOnly:  true,
			Check: func(*terraformState) error {
				gets, probes := 0, 0
				for _, r := range rec.Requests() {
					q, _ := url.ParseQuery(r.Query)
					switch {
					case r.Method != "GET":
					case q.Get("fields") == "uuid":
						probes++
					case r.Path == "/v1/nodes/detail" || (r.Path == "/v1/nodes" && q.Get("resource_class") == "") ||
						(r.Path == "/v1/ports" && q.Get("node_uuid") == "" && q.Get("node") == ""):
						return fmt.Errorf("the plan listed all of Ironic's %s: %s?%s", r.Path, r.Path, r.Query)
					default:
						gets++
					}
				}
				if gets > 2*n+4 || probes > 4 {
					return fmt.Errorf("%d reads and %d probes for %d nodes and %d ports", gets, probes, n, n)
				}
				return nil
			},
		}},
	})
}
