package provider

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// A BMC password from an ephemeral variable, through driver_secrets_wo: Ironic gets it
// (seen through a recording proxy), the state never holds it, the next plan is empty,
// and bumping driver_secrets_wo_version sends the new one.
func TestAccNode_writeOnlySecrets(t *testing.T) {
	testAccPreCheck(t)
	rec := ironictest.NewRecorder(testEndpoint())
	defer rec.Close()
	name := testNodeName()
	const first, second = "wo-Secr3t-first-8c1", "wo-Secr3t-second-4d2"
	cfg := func(username, password string, version int) string {
		return fmt.Sprintf(`
provider "baremetal" {
  endpoint = %q
}
variable "bmc_password" {
  type      = string
  ephemeral = true
  default   = %q
}
resource "baremetal_node" "wo" {
  name   = %q
  driver = "ipmi"
  driver_info = {
    ipmi_address  = "10.0.0.9"
    ipmi_username = %q
  }
  driver_secrets_wo         = { ipmi_password = var.bmc_password }
  driver_secrets_wo_version = %d
}
`, rec.URL, password, name, username, version)
	}
	sent := func(secret string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			for _, r := range rec.Requests() {
				if strings.Contains(r.Body, secret) && strings.HasPrefix(r.Path, "/v1/nodes") {
					return nil
				}
			}
			return fmt.Errorf("%s never reached Ironic", secret)
		}
	}
	notInState := func(secrets ...string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			dump := fmt.Sprintf("%+v", s.RootModule().Resources["baremetal_node.wo"].Primary.Attributes)
			for _, secret := range secrets {
				if strings.Contains(dump, secret) {
					return fmt.Errorf("the state holds a write-only secret: %s", dump)
				}
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodesDestroyed,
		// Write-only attributes and ephemeral variables came with Terraform 1.11 and 1.10.
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config: cfg("root", first, 1),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("baremetal_node.wo", tfjsonpath.New("driver_secrets_wo"), knownvalue.Null()),
				statecheck.ExpectKnownValue("baremetal_node.wo", tfjsonpath.New("driver_info"), knownvalue.MapExact(map[string]knownvalue.Check{
					"ipmi_address": knownvalue.StringExact("10.0.0.9"), "ipmi_username": knownvalue.StringExact("root")})),
			},
			Check: resource.ComposeTestCheckFunc(sent(first), notInState(first), checkRemoteNode("baremetal_node.wo", func(n *nodes.Node) error {
				if n.DriverInfo["ipmi_password"] != ironic.Masked {
					return fmt.Errorf("Ironic's driver_info: %v", n.DriverInfo)
				}
				return nil
			})),
		}, {
			// A new value alone changes nothing (write-only values are not compared)...
			Config:           cfg("root", second, 1),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}, {
			// ...bumping the version rotates it; driver_info is patched key by key, so an
			// unrelated change never wipes the secret.
			Config: cfg("admin", second, 2),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("baremetal_node.wo", plancheck.ResourceActionUpdate),
			}},
			Check: resource.ComposeTestCheckFunc(sent(second), notInState(first, second), checkRemoteNode("baremetal_node.wo", func(n *nodes.Node) error {
				if n.DriverInfo["ipmi_password"] != ironic.Masked || n.DriverInfo["ipmi_username"] != "admin" {
					return fmt.Errorf("Ironic's driver_info: %v", n.DriverInfo)
				}
				return nil
			})),
		}},
	})
}

// Only the values Ironic itself masks are masked in logs: an auth type of "basic" or a
// port of "623" is not (masking them would blank those words in every log line), a
// password and a token are.
func TestSecretValuesFollowIronic(t *testing.T) {
	got := secretValues(map[string]string{
		"redfish_auth_type": "basic", "ipmi_port": "623", "ipmi_username": "admin",
		"ipmi_password": "p4ss", "redfish_password": "r3d", "auth_token": "t0k", "ipmi_terminal_port": "9000",
		"snmp_auth_key": "******",
	})
	slices.Sort(got)
	if fmt.Sprint(got) != "[p4ss r3d t0k]" {
		t.Fatalf("masked %v", got)
	}
}
