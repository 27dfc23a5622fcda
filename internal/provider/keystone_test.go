package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// These tests run in the keystone variant of the suite (make test runs both): the
// provider logs in to a real Keystone through clouds.yaml and finds Ironic, which
// checks every token with that Keystone, in the catalog.

func keystonePreCheck(t *testing.T) *ironictest.Keystone {
	t.Helper()
	testAccPreCheck(t)
	if testKeystone == nil {
		t.Skip("runs in the keystone variant of the suite: " + envTestAuth + "=keystone (make test runs it)")
	}
	return testKeystone
}

var (
	testCloudsMu sync.Mutex
	testClouds   = map[string]ironictest.Cloud{testCloud: {}}
)

// addTestClouds adds entries to the suite's clouds.yaml (rewritten whole, atomically),
// so that parallel tests can each log in their own way.
func addTestClouds(t *testing.T, clouds map[string]ironictest.Cloud) {
	t.Helper()
	testCloudsMu.Lock()
	defer testCloudsMu.Unlock()
	for name, c := range clouds {
		testClouds[name] = c
	}
	if err := testKeystone.WriteCloudsYAML(filepath.Join(testKeystone.Dir, "clouds.yaml"), testClouds); err != nil {
		t.Fatal(err)
	}
}

// words turns a message into a pattern that survives Terraform's line wrapping.
func words(msg string) *regexp.Regexp {
	return regexp.MustCompile(strings.Join(strings.Fields(regexp.QuoteMeta(msg)), `\s+`))
}

// Ironic records the creating project as the owner of a node given none: that is never
// an inconsistent result nor drift, and import reads the same.
func TestAccKeystone_ownerFromProject(t *testing.T) {
	ks := keystonePreCheck(t)
	name := testNodeName()
	config := providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name   = %q
  driver = "fake-hardware"
}
`, name)
	ironicTest(t, resource.TestStep{
		Config: config,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("owner"), knownvalue.StringExact(ks.AdminProjectID)),
		},
	}, resource.TestStep{
		Config: config, ResourceName: "baremetal_node.n", ImportState: true, ImportStateVerify: true,
		ImportStateVerifyIgnore: []string{"timeouts"},
	})
}

// ownerIronicRecords is the owner of a node created without one: none, or under
// Keystone the creating project.
func ownerIronicRecords() knownvalue.Check {
	if testKeystone != nil {
		return knownvalue.StringExact(testKeystone.AdminProjectID)
	}
	return knownvalue.Null()
}

// Logging in with an application credential: create, update, import and delete.
func TestAccKeystone_applicationCredential(t *testing.T) {
	ks := keystonePreCheck(t)
	cloud := "appcred-" + acctest.RandString(6)
	id, secret, err := ks.ApplicationCredential(context.Background(), cloud)
	if err != nil {
		t.Fatal(err)
	}
	addTestClouds(t, map[string]ironictest.Cloud{cloud: {AppCredentialID: id, AppCredentialSecret: secret}})
	name, mac := testNodeName(), randomMAC()
	config := func(description string) string {
		return fmt.Sprintf(`
provider "baremetal" {
  cloud = %q
}
resource "baremetal_node" "n" {
  name        = %q
  driver      = "fake-hardware"
  description = %q
}
resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = %q
}
`, cloud, name, description, mac)
	}
	ironicTest(t, resource.TestStep{
		Config: config("enrolled with an application credential"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("owner"), knownvalue.StringExact(ks.AdminProjectID)),
		},
	}, resource.TestStep{
		Config: config("and updated with it"),
		Check:  checkRemoteNode("baremetal_node.n", nodeDescriptionIs("and updated with it")),
	}, resource.TestStep{
		Config: config("and updated with it"), ResourceName: "baremetal_port.p", ImportState: true, ImportStateVerify: true,
		ImportStateVerifyIgnore: []string{"timeouts"},
	})
}

// clouds.yaml's region_name and interface choose the catalog entry: two proxies in
// front of the same Ironic stand for a region's public and internal networks.
func TestAccKeystone_catalogInterfaceAndRegion(t *testing.T) {
	ks := keystonePreCheck(t)
	ctx := context.Background()
	public, internal := ironictest.NewRecorder(testEndpoint()), ironictest.NewRecorder(testEndpoint())
	defer public.Close()
	defer internal.Close()
	region := "tf-acc-" + acctest.RandString(6)
	for iface, url := range map[gophercloud.Availability]string{gophercloud.AvailabilityPublic: public.URL, gophercloud.AvailabilityInternal: internal.URL} {
		if err := ks.AddBaremetalEndpoint(ctx, region, iface, url); err != nil {
			t.Fatal(err)
		}
	}
	suffix := acctest.RandString(6)
	addTestClouds(t, map[string]ironictest.Cloud{
		"public-" + suffix:   {Region: region},
		"internal-" + suffix: {Region: region, Interface: "internal"},
	})
	// One provider configuration per step: in-process test providers serve every alias
	// from one instance, so two aliases would share whichever configuration came last.
	viaPublic, viaInternal := testNodeName(), testNodeName()
	config := func(cloud string, names ...string) string {
		out := fmt.Sprintf("provider \"baremetal\" {\n  cloud = %q\n}\n", cloud)
		for i, name := range names {
			out += fmt.Sprintf("resource \"baremetal_node\" \"n%d\" {\n  name   = %q\n  driver = \"fake-hardware\"\n}\n", i, name)
		}
		return out
	}
	ironicTest(t, resource.TestStep{
		Config: config("public-"+suffix, viaPublic),
		Check:  checkCreatedThrough(public, internal, viaPublic),
	}, resource.TestStep{
		Config: config("internal-"+suffix, viaPublic, viaInternal),
		Check:  checkCreatedThrough(internal, public, viaInternal),
	})
}

// checkCreatedThrough: the node was created through one proxy, not the other.
func checkCreatedThrough(via, notVia *ironictest.Recorder, name string) func(*terraformState) error {
	return func(*terraformState) error {
		if !strings.Contains(createdNodes(via), name) || strings.Contains(createdNodes(notVia), name) {
			return fmt.Errorf("%s was not created through the catalog entry the cloud names", name)
		}
		return nil
	}
}

func createdNodes(rec *ironictest.Recorder) string {
	var names []string
	for _, r := range rec.Requests() {
		if r.Method == "POST" && r.Path == "/v1/nodes" {
			names = append(names, r.Body)
		}
	}
	return strings.Join(names, "\n")
}

// Wrong credentials, an unknown cloud and a catalog without Ironic each fail the plan
// with an error that says which.
func TestAccKeystone_clearErrors(t *testing.T) {
	ks := keystonePreCheck(t)
	empty := "tf-acc-empty-" + acctest.RandString(6)
	if err := ks.EnsureRegion(context.Background(), empty); err != nil {
		t.Fatal(err)
	}
	suffix := acctest.RandString(6)
	addTestClouds(t, map[string]ironictest.Cloud{
		"wrong-" + suffix: {Password: "not-the-password"},
		"empty-" + suffix: {Region: empty},
	})
	step := func(cloud, msg string) resource.TestStep {
		return resource.TestStep{
			Config:      fmt.Sprintf("provider \"baremetal\" {\n  cloud = %q\n}\ndata \"baremetal_nodes\" \"all\" {}\n", cloud),
			ExpectError: words(msg),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step("wrong-"+suffix, fmt.Sprintf(`Keystone at %s refused the credentials of cloud "wrong-%s" (HTTP 401)`, ks.URL, suffix)),
			step("empty-"+suffix, fmt.Sprintf(`the Keystone catalog of cloud "empty-%s" has no baremetal endpoint with interface "public" in region %q`, suffix, empty)),
			step("no-such-"+suffix, fmt.Sprintf(`cloud "no-such-%s" not found in clouds.yaml`, suffix)),
		},
	})
}

// A token that expires in the middle of an apply: Ironic answers 401, the provider logs
// in again and sends the request once more; the apply succeeds. Keystone's second
// process issues tokens that last 8 s, and the apply waits 12 s between two nodes.
func TestAccKeystone_tokenExpiresMidApply(t *testing.T) {
	ks := keystonePreCheck(t)
	shortLived, err := ks.StartInstance(context.Background(), 8*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	logins := ironictest.NewRecorder(strings.TrimSuffix(shortLived, "/v3"))
	defer logins.Close()
	api := ironictest.NewRecorder(testEndpoint())
	defer api.Close()
	cloud := "short-tokens-" + acctest.RandString(6)
	addTestClouds(t, map[string]ironictest.Cloud{cloud: {AuthURL: logins.URL + "/v3"}})
	before, after := testNodeName(), testNodeName()
	ironicTest(t, resource.TestStep{
		// The endpoint goes through a proxy that sees Ironic's 401; the login is Keystone's.
		Config: fmt.Sprintf(`
provider "baremetal" {
  cloud    = %q
  endpoint = %q
}
resource "baremetal_node" "before" {
  name   = %q
  driver = "fake-hardware"
}
resource "terraform_data" "wait_for_expiry" {
  depends_on = [baremetal_node.before]
  provisioner "local-exec" {
    command = "sleep 12"
  }
}
resource "baremetal_node" "after" {
  depends_on             = [terraform_data.wait_for_expiry]
  name                   = %q
  driver                 = "fake-hardware"
  target_provision_state = "manageable"
}
`, cloud, api.URL, before, after),
		Check: func(*terraformState) error {
			// The create of "after" starts by looking up the UUID its name gives (a failed
			// enrollment to continue), then POSTs: whichever meets the expired token first.
			var refused, created bool
			uuid := ironic.EnrollmentUUID(after)
			for _, r := range api.Requests() {
				lookup := r.Method == "GET" && r.Path == "/v1/nodes/"+uuid
				post := r.Method == "POST" && r.Path == "/v1/nodes" && strings.Contains(r.Body, after)
				refused = refused || ((lookup || post) && r.Status == 401)
				created = created || (post && refused && r.Status == 201)
			}
			if !refused || !created {
				return fmt.Errorf("want Ironic to refuse the expired token once, then create %s (refused %v, created %v)", after, refused, created)
			}
			n := 0
			for _, r := range logins.Requests() {
				if r.Method == "POST" && r.Path == "/v3/auth/tokens" && r.Status == 201 {
					n++
				}
			}
			if n < 2 {
				return fmt.Errorf("%d logins; want a second one after the token expired", n)
			}
			return nil
		},
	})
}

func nodeDescriptionIs(want string) func(*nodes.Node) error {
	return func(n *nodes.Node) error {
		if n.Description != want {
			return fmt.Errorf("description in Ironic: %q, want %q", n.Description, want)
		}
		return nil
	}
}
