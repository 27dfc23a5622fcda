package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// powerActions are the power and boot-device actions on node n of a deploymentConfig.
const powerActions = `
action "baremetal_node_power" "off" {
  config {
    node_id = baremetal_node.n.id
    target  = "power off"
  }
}
action "baremetal_node_power" "on" {
  config {
    node_id = baremetal_node.n.name
    target  = "power on"
  }
}
action "baremetal_node_power" "reboot" {
  config {
    node_id = baremetal_node.n.id
    target  = "rebooting"
  }
}
action "baremetal_node_power" "soft_off" {
  config {
    node_id = baremetal_node.n.id
    target  = "soft power off"
    timeout = "90s"
  }
}
action "baremetal_node_boot_device" "pxe_once" {
  config {
    node_id     = baremetal_node.n.id
    boot_device = "pxe"
  }
}
`

// A deployed Redfish machine is powered off, on, rebooted, soft powered off and told to
// boot from the network once, each with terraform apply -invoke; the BMC receives each
// request, Ironic reports each target, progress is printed, and the plan after each is
// empty: the deployment does not fight a power state an action set.
func TestAccNodePowerAction_invoke(t *testing.T) {
	testAccPreCheck(t)
	skipUnlessCLIHas(t, cliActions)
	name := testNodeName()
	images := newTestImageServer(t, []byte("os image "+name))
	cfg := deploymentConfig{Cache: t.TempDir(), ImageURL: images.URL, Name: name, Node: redfishNode(t, name), Deployed: true}
	bmc := testBMC(t)
	w := newCLIWorkspace(t)
	w.write(cfg.String() + powerActions)
	w.apply()
	defer w.destroy()
	w.expectEmptyPlan()

	sc := testIronic(t)
	for _, c := range []struct {
		action, reset, power string
	}{
		{"baremetal_node_power.off", "Reset ForceOff", "power off"},
		{"baremetal_node_power.on", "Reset On", "power on"},
		// Ironic's redfish power interface reboots by powering off and on.
		{"baremetal_node_power.reboot", "Reset ForceOff\nReset On", "power on"},
		{"baremetal_node_power.soft_off", "Reset GracefulShutdown", "power off"},
	} {
		before := len(bmc.Requests(name))
		out := w.invoke(c.action)
		if !strings.Contains(out, "Action started: action."+c.action) || !strings.Contains(out, fmt.Sprintf("node %s: provision state \"active\"", name)) {
			t.Fatalf("%s: no progress shown:\n%s", c.action, out)
		}
		if sent := strings.Join(bmc.Requests(name)[before:], "\n"); !strings.Contains(sent, c.reset) {
			t.Fatalf("%s: the BMC received %q, not %q", c.action, sent, c.reset)
		}
		node, err := nodes.Get(t.Context(), sc, name).Extract()
		if err != nil || node.PowerState != c.power || node.ProvisionState != "active" {
			t.Fatalf("%s: node %v (%v)", c.action, node, err)
		}
		w.expectEmptyPlan()
	}
	before := len(bmc.Requests(name))
	w.invoke("baremetal_node_boot_device.pxe_once")
	if sent := strings.Join(bmc.Requests(name)[before:], "\n"); !strings.Contains(sent, `"BootSourceOverrideTarget":"Pxe"`) ||
		!strings.Contains(sent, `"BootSourceOverrideEnabled":"Once"`) {
		t.Fatalf("the BMC received %s", sent)
	}
	w.expectEmptyPlan()
}

// A target Ironic does not know is refused before anything is sent, naming the attribute.
func TestAccNodePowerAction_badTarget(t *testing.T) {
	testAccPreCheck(t)
	skipUnlessCLIHas(t, cliActions)
	w := newCLIWorkspace(t)
	w.write(`
action "baremetal_node_power" "bad" {
  config {
    node_id = "no-such-node"
    target  = "power cycle"
  }
}
action "baremetal_node_power" "hard_with_timeout" {
  config {
    node_id = "no-such-node"
    target  = "power off"
    timeout = "1m"
  }
}
`)
	out := w.fails("apply", "-auto-approve", "-invoke=action.baremetal_node_power.bad")
	if !strings.Contains(out, `Attribute target value must be one of`) || !strings.Contains(out, `"soft rebooting"`) {
		t.Fatalf("not refused on target:\n%s", out)
	}
	out = w.fails("apply", "-auto-approve", "-invoke=action.baremetal_node_power.hard_with_timeout")
	if !strings.Contains(out, "timeout only with a soft target") || strings.Contains(out, "Unable to change the power state") {
		t.Fatalf("not refused on timeout:\n%s", out)
	}
}
