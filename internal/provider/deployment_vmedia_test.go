package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// vmediaNode is redfishNode booted by virtual media: Ironic's redfish-virtual-media boot
// interface builds an ISO of the deploy kernel and ramdisk, has the BMC insert it in the
// system's virtual CD and boots it once, as on a Redfish rack without a provisioning
// network.
func vmediaNode(t *testing.T, name string) string {
	return strings.Replace(redfishNode(t, name), `boot_interface   = "pxe"`, `boot_interface   = "redfish-virtual-media"`, 1)
}

// A Redfish machine deploys through virtual media: Ironic builds the ISO, the BMC has it
// inserted in its CD and boots it once (the ISO read as ISO 9660, its UEFI boot entry and
// grub.cfg leading to the very deploy kernel and ramdisk of driver_info, the agent token
// on its command line), the agent writes the image through direct, and the deployed
// machine boots its disk with the CD ejected. On both Ironic generations.
func TestAccDeployment_virtualMedia(t *testing.T) {
	name := testNodeName()
	image := []byte("os image for virtual media " + name)
	srv := newTestImageServer(t, image)
	bmc := testBMC(t)
	cfg := deploymentConfig{Cache: t.TempDir(), ImageURL: srv.URL, Name: name, Node: vmediaNode(t, name), Deployed: true}
	ironicTest(t, resource.TestStep{
		Config:            cfg.String(),
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active")},
		Check: resource.ComposeTestCheckFunc(expectRemoteState("active"), checkDisk("baremetal_node.n", image),
			checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
				if n.BootInterface != "redfish-virtual-media" || n.DeployInterface != "direct" {
					return fmt.Errorf("node has boot %q, deploy %q", n.BootInterface, n.DeployInterface)
				}
				return nil
			}),
			func(s *terraform.State) error { return checkVirtualMediaBoot(s, bmc, name) }),
	})
}

// checkVirtualMediaBoot checks that the machine named name booted the agent from an ISO
// Ironic built and inserted in its virtual CD, and now boots its disk with the CD empty.
func checkVirtualMediaBoot(s *terraform.State, bmc *ironictest.BMC, name string) error {
	id, err := stateID(s, "baremetal_node.n")
	if err != nil {
		return err
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s; BMC requests:\n%s\nagent log:\n%s", fmt.Sprintf(format, args...),
			strings.Join(bmc.Requests(name), "\n"), strings.Join(testServer.Agent.Log(id), "\n"))
	}
	kernel, err := os.ReadFile(filepath.Join(testServer.Dir, "agent-ramdisk", "ipa.kernel"))
	if err != nil {
		return err
	}
	ramdisk, err := os.ReadFile(filepath.Join(testServer.Dir, "agent-ramdisk", "ipa.initramfs"))
	if err != nil {
		return err
	}
	var booted *ironictest.CdBoot
	for _, b := range bmc.CdBoots(name) {
		if b.Done && b.Err == "" {
			booted = &b
		}
	}
	switch {
	case booted == nil:
		return fail("the machine never booted an ISO from its virtual CD: %+v", bmc.CdBoots(name))
	case !strings.Contains(booted.Image, id) || !strings.HasSuffix(booted.Image, ".iso"):
		return fail("the ISO booted is %s, not one Ironic built for node %s", booted.Image, id)
	case booted.Mode != "UEFI" || !slices.Contains(booted.Platforms, "UEFI") || booted.BootConfig != "EFI/debian/grub.cfg":
		return fail("the ISO booted in %s through %q, its platforms %v", booted.Mode, booted.BootConfig, booted.Platforms)
	case string(booted.KernelData) != string(kernel) || string(booted.InitrdData) != string(ramdisk):
		return fail("the ISO's kernel %q and initrd %q are not the deploy kernel and ramdisk", booted.KernelData, booted.InitrdData)
	case booted.Param("boot_method") != "vmedia" || booted.Param("ipa-agent-token") == "":
		return fail("the ISO's kernel command line %q is not a virtual media boot's", booted.CommandLine)
	}
	if !slices.Contains(testServer.Agent.Steps(id), "deploy.write_image") {
		return fail("the agent did not write the image: steps %v", testServer.Agent.Steps(id))
	}
	if !slices.Contains(bmc.BootOverrides(name), ironictest.BootOverride{Target: "Cd", Enabled: "Once", Mode: "UEFI"}) {
		return fail("no one-time boot from the CD: %+v", bmc.BootOverrides(name))
	}
	// sushy reaches the CD through the system's manager on 21.4; 2026.1 through the
	// system itself, which has VirtualMedia of its own.
	via := "Managers/"
	if v, err := ironic.ParseVersion(testServer.MaxVersion); err == nil && !v.Less(ironic.Version{Major: 1, Minor: 111}) {
		via = "Systems/"
	}
	requests := strings.Join(bmc.Requests(name), "\n")
	if !strings.Contains(requests, "InsertMedia "+via+name+"/VirtualMedia/Cd "+booted.Image) {
		return fail("the ISO was not inserted through %s", via)
	}
	if !strings.Contains(requests, "EjectMedia "+via+name+"/VirtualMedia/Cd") {
		return fail("the CD was never ejected")
	}
	if bmc.BootedFrom(name) != "Hdd" || bmc.VirtualMedia(name)[0].Inserted {
		return fail("the deployed machine booted %q, its CD %+v", bmc.BootedFrom(name), bmc.VirtualMedia(name)[0])
	}
	return nil
}
