package provider

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// testAgent is the harness's stand-in for the machines and their ironic-python-agent:
// deployments through Ironic's direct deploy interface need it, so a test against an
// Ironic of one's own (BAREMETAL_ENDPOINT) skips them.
func testAgent(t *testing.T) *ironictest.Agent {
	t.Helper()
	skipUnlessAcceptance(t)
	if testServer == nil || testServer.Agent == nil {
		t.Skip("deploys through the direct interface with the test harness's agent; BAREMETAL_ENDPOINT points at another Ironic")
	}
	return testServer.Agent
}

// agentNode is how a test node deploys the way racks do: Ironic's direct deploy
// interface with an agent, booted by the real PXE boot interface. Power is fake and the
// management interface a no-op: fake-hardware's management interface cannot set the
// disk boot device a direct deploy ends with, so manual-management stands in for ipmi.
// moreDriverInfo are further driver_info entries (HCL), e.g. an agent setting.
func agentNode(t *testing.T, moreDriverInfo ...string) string {
	testAgent(t)
	more := ""
	for _, entry := range moreDriverInfo {
		more += "\n    " + entry
	}
	return fmt.Sprintf(`driver           = "manual-management"
  boot_interface   = "pxe"
  deploy_interface = "direct"
  driver_info = {%s
    deploy_kernel  = %q
    deploy_ramdisk = %q
  }`, more, testServer.DeployKernel, testServer.DeployRamdisk)
}

// checkDisk checks that the disk of the node at addr begins with want: what the agent
// wrote there.
func checkDisk(addr string, want []byte) func(*terraform.State) error {
	return func(s *terraform.State) error {
		id, err := stateID(s, addr)
		if err != nil {
			return err
		}
		got, err := testServer.Agent.Disk(id, len(want))
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("the disk of %s (%s) does not hold the %d bytes expected (it starts %q); agent log:\n%s",
				addr, id, len(want), got[:min(len(got), 40)], strings.Join(testServer.Agent.Log(id), "\n"))
		}
		return nil
	}
}

// machine is one of several deployed machines in a configuration: node n<Index> named
// Name, its port p<Index> (MAC macFor(Name)) and deployment d<Index>. Its HCL is String's.
type machine struct {
	Index        int
	Name         string
	Node         string // the node's attributes beyond name and target: agentNode(t), and more
	InstanceInfo string // the deployment's instance_info, an HCL expression
}

func (m machine) String() string {
	return fmt.Sprintf(`
resource "baremetal_node" "n%[1]d" {
  name                   = %[2]q
  target_provision_state = "available"
  %[3]s
}
resource "baremetal_port" "p%[1]d" {
  node_id = baremetal_node.n%[1]d.id
  address = %[4]q
}
resource "baremetal_deployment" "d%[1]d" {
  node_id       = baremetal_node.n%[1]d.id
  instance_info = %[5]s
}
`, m.Index, m.Name, m.Node, macFor(m.Name), m.InstanceInfo)
}

// ironicDifference is where an Ironic under test behaves unlike Debian 12's 21.4, the
// one place the tests ask.
type ironicDifference string

// fileImageDeploysFail: Ironic 2026.1 (35.x) answers every deploy of a file:// image
// with HTTP 500 ("'str' object has no attribute 'url'"): its file image service returns
// a path where an HTTP answer is expected (upstream, stable/2026.1 and master).
const fileImageDeploysFail ironicDifference = "file:// image deploys fail"

// testIronicDiffers reports whether the Ironic under test has this difference.
func testIronicDiffers(d ironicDifference) bool {
	if testServer == nil {
		return false
	}
	switch d {
	case fileImageDeploysFail:
		v, err := ironic.ParseVersion(testServer.MaxVersion)
		return err == nil && !v.Less(ironic.Version{Major: 1, Minor: 111})
	}
	return false
}

// testNegotiated is the microversion the provider speaks with the Ironic under test.
func testNegotiated(t *testing.T) string {
	t.Helper()
	return testIronic(t).Microversion
}

// testBMC is the harness's Redfish BMC, or a skip where the tests run against another
// Ironic.
func testBMC(t *testing.T) *ironictest.BMC {
	t.Helper()
	testAgent(t)
	return testServer.BMC
}

// redfishNode is a node of the redfish hardware type whose BMC is a system of the
// harness's Redfish service (named after the node, with the node's NIC): power, boot
// device and BIOS through Ironic's redfish interfaces and the real sushy library, the
// deploy through direct and the agent, booted by PXE, as on a Redfish rack.
func redfishNode(t *testing.T, name string) string {
	bmc := testBMC(t)
	system := bmc.AddSystem(name, macFor(name))
	return fmt.Sprintf(`driver           = "redfish"
  boot_interface   = "pxe"
  deploy_interface = "direct"
  bios_interface   = "redfish"
  driver_info = {
    deploy_kernel      = %q
    deploy_ramdisk     = %q
    redfish_address    = %q
    redfish_system_id  = %q
    redfish_username   = %q
    redfish_auth_type  = "basic"
  }
  driver_secrets_wo         = { redfish_password = %q }
  driver_secrets_wo_version = 1`, testServer.DeployKernel, testServer.DeployRamdisk, bmc.URL, system, bmc.Username, bmc.Password)
}
