package provider

import (
	"fmt"
	"slices"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// triggeredRebootConfig is a powered-on Redfish node whose updates trigger a reboot
// (action_trigger after_update). The action names the node by its name: an action a
// resource triggers cannot refer to that resource (Terraform: "action reference cycle").
func triggeredRebootConfig(t *testing.T, name, description, more string) string {
	return providerBlock + fmt.Sprintf(`
locals {
  node = %q
}
resource "baremetal_node" "n" {
  name                   = local.node
  description            = %q
  target_provision_state = "manageable"
  target_power_state     = "power on"
  %s
  %s
  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.baremetal_node_power.reboot]
    }
  }
}
action "baremetal_node_power" "reboot" {
  config {
    node_id = local.node
    target  = "rebooting"
  }
}
`, name, description, redfishNode(t, name), more)
}

// A node's update triggers the reboot action from its lifecycle (action_trigger
// after_update): the BMC receives the reset, the node is powered on again, and creating
// the node triggers nothing. A BIOS change (applied by Ironic's cleaning through the
// BMC) is followed by the reboot too. The plan after each is empty.
func TestAccNodePowerAction_triggeredAfterUpdate(t *testing.T) {
	name := testNodeName()
	var resets int
	resetsSince := func(want ...string) func(*terraform.State) error {
		return func(*terraform.State) error {
			got := testBMC(t).Resets(name)[resets:]
			if !slices.Equal(got, want) {
				return fmt.Errorf("the BMC received resets %q, want %q", got, want)
			}
			resets += len(got)
			return nil
		}
	}
	poweredOn := checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
		if n.PowerState != "power on" || n.ProvisionState != "manageable" {
			return fmt.Errorf("node %q, %q", n.ProvisionState, n.PowerState)
		}
		return nil
	})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodesDestroyed,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(version.Must(version.NewVersion("1.14.1")))},
		Steps: []resource.TestStep{{
			Config: triggeredRebootConfig(t, name, "web server", ""),
			Check:  resource.ComposeTestCheckFunc(poweredOn, resetsSince("On")), // powered on by the apply, not rebooted
		}, {
			Config: triggeredRebootConfig(t, name, "web server, tuned", ""),
			// Ironic's redfish power interface reboots by powering off and on.
			Check: resource.ComposeTestCheckFunc(poweredOn, resetsSince("ForceOff", "On")),
		}, {
			// A BIOS setting: Ironic's manual clean applies it through the BMC (with resets
			// of its own, and the machine off at its end), the apply powers the node on as
			// declared, and then the reboot runs.
			Config: triggeredRebootConfig(t, name, "web server, tuned", `bios_settings = { LogicalProc = "Disabled" }`),
			Check: resource.ComposeTestCheckFunc(poweredOn, func(*terraform.State) error {
				bmc := testBMC(t)
				if got := bmc.BIOS(name)["LogicalProc"]; got != "Disabled" {
					return fmt.Errorf("the BMC has LogicalProc = %q", got)
				}
				if got := bmc.Resets(name)[resets:]; len(got) < 3 || !slices.Equal(got[len(got)-3:], []string{"On", "ForceOff", "On"}) {
					return fmt.Errorf("the BMC received resets %q: not powered on, then rebooted, last", got)
				}
				return nil
			}),
		}},
	})
}
