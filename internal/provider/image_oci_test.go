package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// ociConfig is an image in a registry that asks for a pull secret, deployed through
// direct and the agent: both the image (for the fetch) and the deployment (for Ironic)
// get the secret write-only, from an ephemeral variable (ociSecret).
func ociConfig(cache, ref, name, node string) string {
	return fmt.Sprintf(`
provider "baremetal" {
  image_cache_dir = %[1]q
}

variable "pull_secret" {
  type      = string
  ephemeral = true
}

resource "baremetal_image" "os" {
  url            = %[2]q
  pull_secret_wo = var.pull_secret
}

resource "baremetal_node" "n" {
  name                   = %[3]q
  target_provision_state = "available"
  %[4]s
}

resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = %[5]q
}

resource "baremetal_deployment" "d" {
  node_id              = baremetal_node.n.id
  instance_info        = baremetal_image.os.instance_info
  image_pull_secret_wo = var.pull_secret
}
`, cache, ref, name, node, macFor(name))
}

// ociSecret gives the configuration its pull secret.
func ociSecret(secret string) config.Variables {
	return config.Variables{"pull_secret": config.StringVariable(secret)}
}

// testRegistry starts a registry that asks for a user and password, or skips where the
// package is missing.
func testRegistry(t *testing.T, mode ironictest.RegistryAuth) *ironictest.Registry {
	t.Helper()
	if why := ironictest.RegistryMissing(); why != "" {
		t.Skip(why)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := ironictest.StartRegistry(ctx, t.TempDir(), mode, "puller", "pull-Secr3t-"+testNodeName())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// secretNotInState fails when the secret is anywhere in the state.
func secretNotInState(secret string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), secret) {
			return fmt.Errorf("the pull secret is in the state")
		}
		return nil
	}
}

// secretNotInPlan fails when the secret is anywhere in the plan.
type secretNotInPlan string

func (s secretNotInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	b, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	if strings.Contains(string(b), string(s)) {
		resp.Error = fmt.Errorf("the pull secret is in the plan")
	}
}

// An oci:// image in a registry with a pull secret, on Ironic 29.0 or newer: fetched and
// verified (its checksum is the disk-image layer's sha256), deployed through direct and
// the agent, which downloads the layer with the authorization Ironic hands it and
// verifies it; the pull secret is in no state or plan, and Ironic holds it masked. A tag
// moved in the registry makes the next plan replace the image, and the apply rebuilds
// the node with the new disk. Both ways registries ask for the secret: basic auth, and
// a bearer token from the registry's token service (Docker Hub's, Quay's way).
func TestAccImageOCI_deployAndMovedTag(t *testing.T) {
	testAgent(t)
	skipUnlessCLIHas(t, cliWriteOnly)
	if !ironic.FeatureNamed(ociFeature).Available(testNegotiated(t)) {
		t.Skip("oci:// images need Ironic 29.0 or newer: BAREMETAL_TEST_IRONIC=current")
	}
	t.Run("basic", func(t *testing.T) { testOCIDeploy(t, ironictest.RegistryBasic) })
	t.Run("token", func(t *testing.T) { testOCIDeploy(t, ironictest.RegistryToken) })
}

func testOCIDeploy(t *testing.T, mode ironictest.RegistryAuth) {
	reg := testRegistry(t, mode)
	name := testNodeName()
	v1 := []byte("oci disk image v1 " + name)
	v2 := []byte("oci disk image v2, moved tag " + name)
	ctx := context.Background()
	m1, l1, err := reg.PushDisk(ctx, "disks/os", "stable", v1)
	if err != nil {
		t.Fatal(err)
	}
	ref := reg.Ref("disks/os", "stable")
	secret := reg.PullSecret()
	cfg := ociConfig(t.TempDir(), ref, name, agentNode(t))
	vars := ociSecret(secret)
	pinned := func(m string) string { return "oci://" + reg.Host + "/disks/os@" + m }
	var m2 string
	ironicTest(t, []resource.TestStep{{
		Config: cfg, ConfigVariables: vars,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			secretNotInPlan(secret),
			plancheck.ExpectKnownValue("baremetal_image.os", tfjsonpath.New("checksum_algorithm"), knownvalue.StringExact("sha256")),
			plancheck.ExpectUnknownValue("baremetal_image.os", tfjsonpath.New("instance_info").AtMapKey("image_source")),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_image.os", tfjsonpath.New("checksum"), knownvalue.StringExact(strings.TrimPrefix(l1, "sha256:"))),
			statecheck.ExpectKnownValue("baremetal_image.os", tfjsonpath.New("checksum"), knownvalue.StringExact(hexSHA256(v1))),
			statecheck.ExpectKnownValue("baremetal_image.os", tfjsonpath.New("manifest_digest"), knownvalue.StringExact(m1)),
			statecheck.ExpectKnownValue("baremetal_image.os", tfjsonpath.New("pull_secret_wo"), knownvalue.Null()),
			statecheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("image_pull_secret_wo"), knownvalue.Null()),
			statecheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("instance_info"), knownvalue.MapExact(map[string]knownvalue.Check{
				"image_source":        knownvalue.StringExact(pinned(m1)),
				"image_os_hash_algo":  knownvalue.StringExact("sha256"),
				"image_os_hash_value": knownvalue.StringExact(hexSHA256(v1)),
			})),
			expectDeployment("active"),
		},
		Check: resource.ComposeTestCheckFunc(checkDisk("baremetal_node.n", v1), secretNotInState(secret),
			checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
				// Ironic holds the secret, masked, where it reads it; and chose the same layer.
				if n.InstanceInfo[ociPullSecretKey] != ironic.Masked || n.InstanceInfo["image_checksum"] != hexSHA256(v1) {
					return fmt.Errorf("Ironic's instance_info: %v", n.InstanceInfo)
				}
				return nil
			})),
	}, {
		// The same configuration, the registry unchanged: nothing to do.
		Config: cfg, ConfigVariables: vars,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectEmptyPlan(), secretNotInPlan(secret),
		}},
	}, {
		PreConfig: func() {
			var err error
			if m2, _, err = reg.PushDisk(ctx, "disks/os", "v2", v2); err != nil {
				t.Fatal(err)
			}
			if err := reg.Tag(ctx, "disks/os", "stable", m2); err != nil {
				t.Fatal(err)
			}
		},
		Config: cfg, ConfigVariables: vars,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_image.os", plancheck.ResourceActionReplace),
			plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionUpdate),
			plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionNoop),
			secretNotInPlan(secret),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_image.os", tfjsonpath.New("checksum"), knownvalue.StringExact(hexSHA256(v2))),
			expectDeployment("active"),
		},
		Check: resource.ComposeTestCheckFunc(checkDisk("baremetal_node.n", v2), secretNotInState(secret),
			func(s *terraform.State) error {
				if got := s.RootModule().Resources["baremetal_image.os"].Primary.Attributes["manifest_digest"]; got != m2 {
					return fmt.Errorf("manifest_digest %s, want the moved tag's %s", got, m2)
				}
				return nil
			}),
	}}...)
}

// On an Ironic older than 29.0 an oci:// image, in baremetal_image or a deployment's
// image_source, is a plan-time error naming the attribute and what it needs.
func TestAccImageOCI_refusedBeforeIronic29(t *testing.T) {
	skipUnlessAcceptance(t)
	if ironic.FeatureNamed(ociFeature).Available(testNegotiated(t)) {
		t.Skip("the Ironic under test has oci:// images (29.0 or newer); this test is for Ironic 21.4")
	}
	ref := "oci://127.0.0.1:9/disks/os:stable"
	ironicTest(t, resource.TestStep{
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_image" "os" {
  url = %q
}
`, ref),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Not supported by this Ironic.*url = "oci://.*oci://\s+images` + "`" + `\s+needs\s+API\s+1\.96,\s+Ironic\s+29\.0`),
	}, resource.TestStep{
		Config: providerBlock + fmt.Sprintf(`
resource "baremetal_deployment" "d" {
  node_id       = "n-1"
  instance_info = { image_source = %q }
}
`, ref+"@sha256:"+strings.Repeat("a", 64)),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Not supported by this Ironic.*image_source.*needs\s+API\s+1\.96,\s+Ironic\s+29\.0`),
	})
}

// Refused at plan time: a pull secret written into instance_info (it would be stored in
// the state; image_pull_secret_wo is the place), and an oci:// image checksummed with
// another algorithm than its layer's digest.
func TestAccImageOCI_configErrors(t *testing.T) {
	skipUnlessAcceptance(t)
	ironicTest(t, resource.TestStep{
		Config: providerBlock + `
resource "baremetal_image" "os" {
  url                = "oci://127.0.0.1:9/disks/os:stable"
  checksum_algorithm = "md5"
}
`,
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Invalid checksum_algorithm.*sha256`),
	}, resource.TestStep{
		Config: providerBlock + `
resource "baremetal_deployment" "d" {
  node_id       = "n-1"
  instance_info = { image_source = "http://images/os.img", image_checksum = "` + strings.Repeat("a", 32) + `", image_pull_secret = "u:p" }
}
`,
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Pull secret in instance_info.*image_pull_secret_wo`),
	})
}

// A url known only at apply: checksum_algorithm is planned unknown (an oci:// url
// means sha256, not the md5 default), and the apply still refuses an oci:// image on an
// Ironic older than 29.0.
func TestAccImageOCI_urlKnownOnlyAtApply(t *testing.T) {
	skipUnlessAcceptance(t)
	reg := testRegistry(t, ironictest.RegistryAnonymous)
	disk := []byte("disk " + testNodeName())
	if _, _, err := reg.PushDisk(context.Background(), "disks/os", "stable", disk); err != nil {
		t.Fatal(err)
	}
	step := resource.TestStep{
		Config: imageConfig(t.TempDir(), fmt.Sprintf(`
resource "terraform_data" "ref" {
  input = %q
}
resource "baremetal_image" "os" {
  url = terraform_data.ref.output
}
`, reg.Ref("disks/os", "stable"))),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectUnknownValue("baremetal_image.os", tfjsonpath.New("checksum_algorithm")),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_image.os", tfjsonpath.New("checksum_algorithm"), knownvalue.StringExact("sha256")),
			statecheck.ExpectKnownValue("baremetal_image.os", tfjsonpath.New("checksum"), knownvalue.StringExact(hexSHA256(disk))),
		},
	}
	if !ironic.FeatureNamed(ociFeature).Available(testNegotiated(t)) {
		step.ConfigStateChecks = nil
		step.ExpectError = regexp.MustCompile(`(?s)Not supported by this Ironic.*needs\s+API\s+1\.96`)
	}
	ironicTest(t, step)
}

// A deployment of an oci:// image with a pull secret, imported: Ironic returns the
// secret masked in instance_info's image_pull_secret, which the import leaves out (the
// secret is image_pull_secret_wo's, write-only). So the configuration generated from the
// import plans no change and passes the "Pull secret in instance_info" check.
func TestAccImageOCI_importWithPullSecret(t *testing.T) {
	testAgent(t)
	skipUnlessCLIHas(t, cliWriteOnly)
	if !ironic.FeatureNamed(ociFeature).Available(testNegotiated(t)) {
		t.Skip("oci:// images need Ironic 29.0 or newer: BAREMETAL_TEST_IRONIC=current")
	}
	reg := testRegistry(t, ironictest.RegistryBasic)
	name := testNodeName()
	if _, _, err := reg.PushDisk(context.Background(), "disks/os", "stable", []byte("oci disk image "+name)); err != nil {
		t.Fatal(err)
	}
	cfg := ociConfig(t.TempDir(), reg.Ref("disks/os", "stable"), name, agentNode(t))
	vars := ociSecret(reg.PullSecret())
	ironicTest(t, []resource.TestStep{{
		Config: cfg, ConfigVariables: vars,
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active")},
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.InstanceInfo[ociPullSecretKey] != ironic.Masked {
				return fmt.Errorf("Ironic holds no masked pull secret: %v", n.InstanceInfo)
			}
			return nil
		}),
	}, {
		ResourceName:    "baremetal_deployment.d",
		ImportState:     true,
		ImportStateKind: resource.ImportCommandWithID,
		Config:          cfg, ConfigVariables: vars,
		ImportStateCheck: func(states []*terraform.InstanceState) error {
			for _, s := range states {
				for k, v := range s.Attributes {
					// (Ironic masks its own image_url too, an Ironic-owned key no plan compares.)
					if strings.Contains(k, ociPullSecretKey) || strings.Contains(k, "image_request_authorization_secret") {
						return fmt.Errorf("the import recorded %s = %q", k, v)
					}
				}
			}
			return nil
		},
	}, {
		// The configuration generated from the import plans no change.
		ResourceName:    "baremetal_deployment.d",
		ImportState:     true,
		GenerateConfig:  true,
		ImportStateKind: resource.ImportBlockWithID,
		ConfigVariables: vars,
	}}...)
}
