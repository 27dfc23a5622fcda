package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/metalform/terraform-provider-baremetal/internal/image"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// captured is a known value check of a value a earlier step captured (a UUID Ironic
// chose), read when the check runs.
type captured struct{ value *string }

func (c captured) CheckValue(v any) error {
	if s, ok := v.(string); !ok || s != *c.value {
		return fmt.Errorf("expected %q, got %v", *c.value, v)
	}
	return nil
}

func (c captured) String() string { return *c.value }

// A small rack: two nodes of one resource class, a port and a port group on the first,
// an allocation, a deployment of the allocated node, a deploy template and an image.
// Every resource records its identity on create; a node and a deployment are imported
// by identity; and terraform query lists each type, filtered to this rack, with its
// identity, its display name and, with include_resource, what an import records.
func TestAccQuery_rack(t *testing.T) {
	name := testNodeName()
	class := "query-" + strings.ToLower(name)
	template := templateName()
	srv := newTestImageServer(t, []byte("query image "+name))
	mac, bondMAC := macFor(name), randomMAC()
	imageURL := srv.URL + "/images/os.qcow2"
	config := imageConfig(t.TempDir(), fmt.Sprintf(`
resource "baremetal_image" "os" {
  url = %[1]q
}
resource "baremetal_node" "n" {
  name                   = "%[2]s-0"
  driver                 = "fake-hardware"
  resource_class         = %[3]q
  target_provision_state = "available"
}
resource "baremetal_node" "m" {
  name                   = "%[2]s-1"
  driver                 = "fake-hardware"
  resource_class         = %[3]q
  target_provision_state = "available"
}
resource "baremetal_portgroup" "bond" {
  node_id = baremetal_node.n.id
  name    = "%[2]s-bond"
  address = %[4]q
}
resource "baremetal_port" "p" {
  node_id      = baremetal_node.n.id
  address      = %[5]q
  portgroup_id = baremetal_portgroup.bond.id
}
resource "baremetal_allocation" "a" {
  name           = "%[2]s-alloc"
  resource_class = %[3]q
  depends_on     = [baremetal_node.n, baremetal_node.m]
}
resource "baremetal_deployment" "d" {
  node_id       = baremetal_allocation.a.node_id
  instance_info = baremetal_image.os.instance_info
}
resource "baremetal_deploy_template" "t" {
  name  = %[6]q
  steps = jsonencode([{ interface = "bios", step = "apply_configuration", priority = 140, args = { settings = [] } }])
}
`, imageURL, name, class, bondMAC, mac, template))
	// Runbooks where the Ironic has them (26.1 or later).
	runbooks := ironic.FeatureNamed("runbooks").Available(testNegotiated(t))
	runbook := templateName()
	if runbooks {
		config += fmt.Sprintf(`
resource "baremetal_runbook" "r" {
  name  = %q
  steps = jsonencode([{ interface = "deploy", step = "erase_devices_metadata", order = 1 }])
}
`, runbook)
	}
	ids := map[string]*string{}
	for _, addr := range []string{"baremetal_node.n", "baremetal_port.p", "baremetal_portgroup.bond", "baremetal_allocation.a",
		"baremetal_deployment.d", "baremetal_deploy_template.t"} {
		ids[addr] = new(string)
	}
	if runbooks {
		ids["baremetal_runbook.r"] = new(string)
	}
	var identities []statecheck.StateCheck
	for addr := range ids {
		identities = append(identities, statecheck.ExpectIdentityValueMatchesState(addr, tfjsonpath.New("id")))
	}
	identities = append(identities, statecheck.ExpectIdentity("baremetal_image.os", map[string]knownvalue.Check{"url": knownvalue.StringExact(imageURL)}))
	id := func(addr string) knownvalue.Check { return captured{ids[addr]} }
	byID := func(addr string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": id(addr)})
	}
	query := fmt.Sprintf(queryRack, class, name+"-0")
	checks := []querycheck.QueryResultCheck{
		querycheck.ExpectLength("baremetal_node.rack", 2),
		querycheck.ExpectIdentity("baremetal_node.rack", map[string]knownvalue.Check{"id": id("baremetal_node.n")}),
		querycheck.ExpectResourceDisplayName("baremetal_node.rack", byID("baremetal_node.n"), knownvalue.StringExact(name+"-0")),
		querycheck.ExpectResourceKnownValues("baremetal_node.rack", byID("baremetal_node.n"), []querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact(name + "-0")},
			{Path: tfjsonpath.New("resource_class"), KnownValue: knownvalue.StringExact(class)},
			{Path: tfjsonpath.New("target_provision_state"), KnownValue: knownvalue.StringExact("available")},
			{Path: tfjsonpath.New("force_delete"), KnownValue: knownvalue.Bool(false)},
			{Path: tfjsonpath.New("bios_settings"), KnownValue: knownvalue.Null()},
		}),
		querycheck.ExpectLength("baremetal_node.first", 1),
		querycheck.ExpectLength("baremetal_deployment.rack", 1),
		querycheck.ExpectIdentity("baremetal_deployment.rack", map[string]knownvalue.Check{"id": id("baremetal_deployment.d")}),
		querycheck.ExpectResourceKnownValues("baremetal_deployment.rack", byID("baremetal_deployment.d"), []querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("node_id"), KnownValue: id("baremetal_deployment.d")},
			{Path: tfjsonpath.New("provision_state"), KnownValue: knownvalue.StringExact("active")},
			{Path: tfjsonpath.New("instance_info").AtMapKey("image_source"), KnownValue: knownvalue.StringExact(imageURL)},
			{Path: tfjsonpath.New("allow_rebuild"), KnownValue: knownvalue.Bool(true)},
		}),
		querycheck.ExpectLength("baremetal_port.rack", 1),
		querycheck.ExpectIdentity("baremetal_port.rack", map[string]knownvalue.Check{"id": id("baremetal_port.p")}),
		querycheck.ExpectResourceDisplayName("baremetal_port.rack", byID("baremetal_port.p"), knownvalue.StringExact(mac)),
		querycheck.ExpectResourceKnownValues("baremetal_port.rack", byID("baremetal_port.p"), []querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("address"), KnownValue: knownvalue.StringExact(mac)},
			{Path: tfjsonpath.New("node_id"), KnownValue: id("baremetal_node.n")},
			{Path: tfjsonpath.New("portgroup_id"), KnownValue: id("baremetal_portgroup.bond")},
		}),
		querycheck.ExpectLength("baremetal_portgroup.rack", 1),
		querycheck.ExpectResourceDisplayName("baremetal_portgroup.rack", byID("baremetal_portgroup.bond"), knownvalue.StringExact(name+"-bond")),
		querycheck.ExpectResourceDisplayName("baremetal_allocation.all", byID("baremetal_allocation.a"), knownvalue.StringExact(name+"-alloc")),
		querycheck.ExpectResourceDisplayName("baremetal_deploy_template.all", byID("baremetal_deploy_template.t"), knownvalue.StringExact(template)),
	}
	if runbooks {
		query += "list \"baremetal_runbook\" \"all\" {\n  provider = baremetal\n}\n"
		checks = append(checks, querycheck.ExpectResourceDisplayName("baremetal_runbook.all", byID("baremetal_runbook.r"), knownvalue.StringExact(runbook)))
	}
	acc.ParallelTest(t, acc.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}, // query
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodesDestroyed,
		Steps: []acc.TestStep{{
			Config:            config,
			ConfigStateChecks: identities,
			Check: func(s *terraform.State) error {
				for addr, p := range ids {
					var err error
					if *p, err = stateID(s, addr); err != nil {
						return err
					}
				}
				return nil
			},
		}, {
			// import { identity = { id = "..." } } plans an import and nothing else.
			ResourceName:    "baremetal_node.n",
			ImportState:     true,
			ImportStateKind: acc.ImportBlockWithResourceIdentity,
			Config:          config,
		}, {
			ResourceName:    "baremetal_deployment.d",
			ImportState:     true,
			ImportStateKind: acc.ImportBlockWithResourceIdentity,
			Config:          config,
		}, {
			Query:             true,
			Config:            query,
			QueryResultChecks: checks,
		}},
	})
}

// queryRack lists the rack of TestAccQuery_rack (resource class %[1]s, first node %[2]s),
// beside the configuration of the steps before, whose provider block it uses.
const queryRack = `
list "baremetal_node" "rack" {
  provider         = baremetal
  include_resource = true
  config {
    resource_class = %[1]q
  }
}
list "baremetal_node" "first" {
  provider = baremetal
  limit    = 1
  config {
    resource_class = %[1]q
    maintenance    = false
  }
}
list "baremetal_deployment" "rack" {
  provider         = baremetal
  include_resource = true
  config {
    resource_class = %[1]q
  }
}
list "baremetal_port" "rack" {
  provider         = baremetal
  include_resource = true
  config {
    node_id = %[2]q
  }
}
list "baremetal_portgroup" "rack" {
  provider = baremetal
  config {
    node_id = %[2]q
  }
}
list "baremetal_allocation" "all" {
  provider = baremetal
}
list "baremetal_deploy_template" "all" {
  provider = baremetal
}
`

// A state written by a provider without identity (the previous release) gains the
// identity on the next refresh, and the plan stays empty.
func TestAccIdentity_addedOnRefresh(t *testing.T) {
	name := testNodeName()
	srv := newTestImageServer(t, []byte("image "+name))
	config := imageConfig(t.TempDir(), fmt.Sprintf(`
resource "baremetal_node" "n" {
  name   = %q
  driver = "fake-hardware"
}
resource "baremetal_image" "os" {
  url = "%s/images/os.qcow2"
}
`, name, srv.URL))
	acc.ParallelTest(t, acc.TestCase{
		PreCheck:               func() { testAccPreCheck(t) },
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}, // identity
		CheckDestroy:           checkNodesDestroyed,
		Steps: []acc.TestStep{{
			ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
				"baremetal": providerserver.NewProtocol6WithError(&providerBeforeIdentity{New("test")().(*baremetalProvider)}),
			},
			Config:            config,
			ConfigStateChecks: []statecheck.StateCheck{expectNoIdentity("baremetal_node.n"), expectNoIdentity("baremetal_image.os")},
		}, {
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Config:                   config,
			ConfigPlanChecks:         acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectIdentity("baremetal_node.n", map[string]knownvalue.Check{
					"id": knownvalue.StringExact(ironic.EnrollmentUUID(name)),
				}),
				statecheck.ExpectIdentity("baremetal_image.os", map[string]knownvalue.Check{
					"url": knownvalue.StringExact(srv.URL + "/images/os.qcow2"),
				}),
			},
		}},
	})
}

// providerBeforeIdentity is the provider as it was before identity: its node and image
// resources have none, and there are no list resources (they need it).
type providerBeforeIdentity struct{ *baremetalProvider }

func (p *providerBeforeIdentity) Resources(ctx context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource { return nodeBeforeIdentity{NewNodeResource().(nodeInterfaces)} },
		func() resource.Resource { return imageBeforeIdentity{NewImageResource().(imageInterfaces)} },
	}
}

func (p *providerBeforeIdentity) ListResources(context.Context) []func() list.ListResource {
	return nil
}

// nodeInterfaces and imageInterfaces are those the resources implement, but identity.
type nodeInterfaces interface {
	resource.ResourceWithConfigure
	resource.ResourceWithImportState
	resource.ResourceWithValidateConfig
	resource.ResourceWithModifyPlan
	resource.ResourceWithUpgradeState
}

type imageInterfaces interface {
	resource.ResourceWithConfigure
	resource.ResourceWithValidateConfig
	resource.ResourceWithModifyPlan
	resource.ResourceWithUpgradeState
}

type imageBeforeIdentity struct{ imageInterfaces }

type nodeBeforeIdentity struct{ nodeInterfaces }

// expectNoIdentity checks that the state holds no identity for the resource at addr.
func expectNoIdentity(addr string) statecheck.StateCheck { return noIdentity(addr) }

type noIdentity string

func (a noIdentity) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address == string(a) && (r.IdentitySchemaVersion != nil || len(r.IdentityValues) > 0) {
			resp.Error = fmt.Errorf("%s has an identity: %v", a, r.IdentityValues)
		}
	}
}

// Every resource has an identity (the image its url, the others their id), every list
// resource lists a resource type, its configuration has no computed and no set
// attribute, and its page is not blank.
func TestListResourcesAndIdentities(t *testing.T) {
	ctx := context.Background()
	server, err := testAccProtoV6ProviderFactories["baremetal"]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("%v %v", err, schemas.Diagnostics)
	}
	identities, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil || len(identities.Diagnostics) > 0 {
		t.Fatalf("%v %v", err, identities.Diagnostics)
	}
	for name := range schemas.ResourceSchemas {
		want := "id"
		if name == "baremetal_image" {
			want = "url"
		}
		id := identities.IdentitySchemas[name]
		if id == nil || len(id.IdentityAttributes) != 1 || id.IdentityAttributes[0].Name != want || !id.IdentityAttributes[0].RequiredForImport {
			t.Errorf("%s: identity %+v, want %s", name, id, want)
		}
	}
	want := []string{"baremetal_allocation", "baremetal_deploy_template", "baremetal_deployment", "baremetal_node", "baremetal_port",
		"baremetal_portgroup", "baremetal_runbook"}
	var got []string
	for name, s := range schemas.ListResourceSchemas {
		got = append(got, name)
		if schemas.ResourceSchemas[name] == nil || s.Block.DescriptionKind != tfprotov6.StringKindMarkdown || s.Block.Description == "" {
			t.Errorf("%s: no resource of that type, or no description", name)
		}
		for _, a := range s.Block.Attributes {
			if a.Computed || a.Type.Is(tftypes.Set{}) || a.Description == "" {
				t.Errorf("%s.%s: computed, a set, or undocumented", name, a.Name)
			}
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("list resources %v, want %v", got, want)
	}
}

// The node list asks Ironic for Terraform's limit as its page size and reads no page
// after the result Terraform stopped at; without include_resource it asks for the
// fields that name a node only, with it for every field, and the result holds the node
// as an import records it.
func TestNodeListFollowsTerraform(t *testing.T) {
	var mu sync.Mutex
	var calls []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Write([]byte(`{"default_version":{"id":"v1","min_version":"1.1","status":"CURRENT","version":"1.82"},"versions":[]}`))
			return
		}
		mu.Lock()
		calls = append(calls, r.URL.Path+"?"+r.URL.RawQuery)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		// Ironic's page of two (its max_limit here), and a link to more.
		fmt.Fprintf(w, `{"nodes": [
  {"uuid": "11111111-1111-4111-8111-111111111111", "name": "rack1-a", "provision_state": "available", "driver": "fake-hardware"},
  {"uuid": "22222222-2222-4222-8222-222222222222", "name": "", "provision_state": "available", "driver": "fake-hardware"}],
  "next": "http://%s/v1/nodes?limit=2&marker=22222222-2222-4222-8222-222222222222"}`, r.Host)
	}))
	defer srv.Close()
	ctx := context.Background()
	l := NewNodeListResource().(*listResource[nodes.Node])
	l.clients = newClients(ironic.Config{Endpoint: srv.URL}, image.Options{CacheDir: t.TempDir()})
	var config list.ListResourceSchemaResponse
	l.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &config)
	var schema resource.SchemaResponse
	var identity resource.IdentitySchemaResponse
	NewNodeResource().Schema(ctx, resource.SchemaRequest{}, &schema)
	NewNodeResource().(resource.ResourceWithIdentity).IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &identity)
	typ := config.Schema.Type().TerraformType(ctx).(tftypes.Object)
	filters := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		filters[name] = tftypes.NewValue(at, nil)
	}
	filters["shard"] = tftypes.NewValue(tftypes.String, "rack1")
	run := func(limit int64, include bool, take int) []list.ListResult {
		calls = nil
		stream := &list.ListResultsStream{}
		l.List(ctx, list.ListRequest{
			Config:          tfsdk.Config{Schema: config.Schema, Raw: tftypes.NewValue(typ, filters)},
			Limit:           limit,
			IncludeResource: include,
			ResourceSchema:  schema.Schema, ResourceIdentitySchema: identity.IdentitySchema,
		}, stream)
		var got []list.ListResult
		for r := range stream.Results {
			if r.Diagnostics.HasError() {
				t.Fatal(r.Diagnostics)
			}
			if got = append(got, r); len(got) == take {
				break
			}
		}
		return got
	}
	got := run(5, false, 1)
	if len(got) != 1 || got[0].DisplayName != "rack1-a" || len(calls) != 1 ||
		calls[0] != "/v1/nodes?fields=uuid%2Cname%2Cprovision_state%2Ctraits&limit=5&sort_key=created_at&shard=rack1" {
		t.Fatalf("results %v, calls %v", got, calls)
	}
	var id string
	got[0].Identity.GetAttribute(ctx, path.Root("id"), &id)
	if id != "11111111-1111-4111-8111-111111111111" {
		t.Fatalf("identity %q", id)
	}
	// Unnamed: the UUID. Terraform reads three: the second page is read, not a third.
	got = run(100, true, 3)
	if len(got) != 3 || got[1].DisplayName != "22222222-2222-4222-8222-222222222222" || len(calls) != 2 ||
		!strings.HasPrefix(calls[0], "/v1/nodes/detail?limit=100&") || !strings.Contains(calls[1], "limit=98&marker=2222") {
		t.Fatalf("results %v, calls %v", got, calls)
	}
	var m nodeResourceModel
	if d := got[0].Resource.Get(ctx, &m); d.HasError() || m.Name.ValueString() != "rack1-a" ||
		m.TargetProvisionState.ValueString() != "available" || m.ForceDelete.ValueBool() {
		t.Fatalf("resource %+v %v", m, d)
	}
}

// An import that names nothing is refused before Ironic is asked (which would answer a
// read of "" with every node).
func TestImportNamingNothingIsRefused(t *testing.T) {
	var diags diag.Diagnostics
	importedID(context.Background(), resource.ImportStateRequest{ID: " "}, &diags)
	if !diags.HasError() || diags[0].Summary() != "Nothing to import" {
		t.Fatalf("got %v", diags)
	}
}
