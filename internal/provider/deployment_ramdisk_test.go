package provider

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// ramdiskNode is the body of a node of a Redfish machine of the harness's BMC (added
// once per test) that deploys through deployInterface, booted by bootInterface.
func ramdiskNode(t *testing.T, name, deployInterface, bootInterface string) string {
	node := strings.Replace(redfishNode(t, name), `deploy_interface = "direct"`, fmt.Sprintf(`deploy_interface = %q`, deployInterface), 1)
	return strings.Replace(node, `boot_interface   = "pxe"`, fmt.Sprintf(`boot_interface   = %q`, bootInterface), 1)
}

// ramdiskNodeConfig is node (ramdiskNode's) with its port; deployment is the
// baremetal_deployment's body ("" for none). The live kernel, ramdisk and ISO, and a
// disk image, are baremetal_images of srvURL.
func ramdiskNodeConfig(name, node, srvURL, deployment string) string {
	hcl := providerBlock + fmt.Sprintf(`
resource "baremetal_image" "kernel" {
  url = "%[1]s/live/vmlinuz"
}

resource "baremetal_image" "initrd" {
  url = "%[1]s/live/initrd.img"
}

resource "baremetal_image" "live" {
  url = "%[1]s/live/live.iso"
}

resource "baremetal_image" "os" {
  url = "%[1]s/images/os.qcow2"
}

resource "baremetal_node" "n" {
  name                   = %[2]q
  target_provision_state = "available"
  %[3]s
}

resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = %[4]q
}
`, srvURL, name, node, macFor(name))
	if deployment != "" {
		hcl += fmt.Sprintf(`
resource "baremetal_deployment" "d" {
  node_id = baremetal_node.n.id
  %s
  depends_on = [baremetal_port.p]
}
`, deployment)
	}
	return hcl
}

// checkDiskUntouched checks that nothing was written to the machine's disk and that no
// agent ran a deploy step on it: a ramdisk deploy boots what it names and writes nothing.
func checkDiskUntouched(addr string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		id, err := stateID(s, addr)
		if err != nil {
			return err
		}
		agent := testServer.Agent
		got, err := agent.Disk(id, 4096)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, make([]byte, len(got))) {
			return fmt.Errorf("the disk of %s (%s) was written to (it starts %q)", addr, id, got[:40])
		}
		if steps := agent.Steps(id); len(steps) > 0 {
			return fmt.Errorf("an agent ran steps on %s (%s): %v; agent log:\n%s", addr, id, steps, strings.Join(agent.Log(id), "\n"))
		}
		return nil
	}
}

// lastBoot checks the BMC's last boot override of the machine and its power state.
func lastBoot(bmc *ironictest.BMC, system, target, power string) func(*terraform.State) error {
	return func(*terraform.State) error {
		overrides := bmc.BootOverrides(system)
		if len(overrides) == 0 || overrides[len(overrides)-1].Target != target {
			return fmt.Errorf("the BMC's boot overrides of %s are %+v, want the last to boot %s; requests:\n%s",
				system, overrides, target, strings.Join(bmc.Requests(system), "\n"))
		}
		if got := bmc.PowerState(system); got != power {
			return fmt.Errorf("the BMC's machine %s is powered %q, want %q", system, got, power)
		}
		return nil
	}
}

// A live kernel and ramdisk (baremetal_images) on a node with the ramdisk deploy
// interface: the deployment goes active with Ironic's PXE boot pointing the machine at
// them (Ironic fetched both, the BMC boots the network), nothing is written to its disk
// and no agent runs; the next plan is empty. Combinations Ironic refuses for the node's
// ramdisk interface are plan-time errors that name the missing key and the interface, on
// create and on update alike. Destroy undeploys it back to available, the disk still
// untouched. Ironic 21.4 and 2026.1 alike.
func TestAccDeployment_ramdiskKernel(t *testing.T) {
	name := testNodeName()
	bmc := testBMC(t)
	srv := newTestImageServer(t, []byte("live boot file of "+name))
	node := ramdiskNode(t, name, "ramdisk", "pxe")
	cfg := func(deployment string) string { return ramdiskNodeConfig(name, node, srv.URL, deployment) }
	const live = `instance_info = { kernel = baremetal_image.kernel.url, ramdisk = baremetal_image.initrd.url }`
	ramdiskInterface := `Node \S+ ` + words(`uses the "ramdisk" deploy interface`).String()
	var gets int32
	ironicTest(t, resource.TestStep{
		Config: cfg(""),
		Check:  func(*terraform.State) error { gets = srv.gets.Load(); return nil },
	}, resource.TestStep{
		Config:      cfg(`instance_info = { kernel = baremetal_image.kernel.url }`),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Missing ramdisk.*` + ramdiskInterface + `.*` + words("needs both kernel and ramdisk").String()),
	}, resource.TestStep{
		Config:      cfg(`instance_info = baremetal_image.os.instance_info`),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Missing boot_iso.*` + ramdiskInterface + `.*boot_iso.*` + words("or kernel and ramdisk").String() + `.*` + words("image_source is not read").String()),
	}, resource.TestStep{
		Config:      cfg(`instance_info = { boot_iso = baremetal_image.live.url }`),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Boot interface cannot boot an ISO.*` + ramdiskInterface + `.*` + words(`boot interface "pxe" cannot boot an ISO`).String()),
	}, resource.TestStep{
		Config: cfg(live),
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active"),
			statecheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("last_error"), knownvalue.Null()),
			statecheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("instance_info"), knownvalue.MapExact(map[string]knownvalue.Check{
				"kernel":  knownvalue.StringExact(srv.URL + "/live/vmlinuz"),
				"ramdisk": knownvalue.StringExact(srv.URL + "/live/initrd.img"),
			}))},
		Check: resource.ComposeTestCheckFunc(checkDiskUntouched("baremetal_node.n"), lastBoot(bmc, name, "Pxe", "On"),
			checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
				if n.ProvisionState != "active" || n.InstanceInfo["kernel"] != srv.URL+"/live/vmlinuz" || n.InstanceInfo["image_source"] != nil {
					return fmt.Errorf("node is %q with instance_info %v", n.ProvisionState, n.InstanceInfo)
				}
				return nil
			}),
			func(*terraform.State) error {
				// Ironic's PXE boot fetched the kernel and the ramdisk for the machine to boot.
				if got := srv.gets.Load() - gets; got < 2 {
					return fmt.Errorf("Ironic fetched %d live boot files, want the kernel and the ramdisk", got)
				}
				return nil
			}),
	}, resource.TestStep{
		Config:      cfg(`instance_info = { ramdisk = baremetal_image.initrd.url, image_source = baremetal_image.os.url }`),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Missing kernel.*` + ramdiskInterface),
	}, resource.TestStep{
		Config: cfg(""),
		Check: resource.ComposeTestCheckFunc(checkDiskUntouched("baremetal_node.n"), checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if !slices.Contains([]string{"available", "manageable"}, n.ProvisionState) {
				return fmt.Errorf("undeployed node is %q", n.ProvisionState)
			}
			if power := bmc.PowerState(name); power != "Off" {
				return fmt.Errorf("the undeployed machine is powered %q", power)
			}
			return nil
		})),
	})
}

// A node with the direct deploy interface takes no live ISO. Created in the same apply
// as its deployment, the node's interface is not known at the first plan, which lets
// boot_iso through (a ramdisk node would take it); the apply plans the deployment again
// once the node exists and refuses it then, before anything is sent to the node: no
// deployment recorded. Once the node exists, the plan itself names the missing
// image_source and the direct interface, and says which interface boots an ISO.
func TestAccDeployment_liveISOOnDirectRefused(t *testing.T) {
	name := testNodeName()
	srv := newTestImageServer(t, []byte("live ISO of "+name))
	node := ramdiskNode(t, name, "direct", "pxe")
	cfg := func(deployment string) string { return ramdiskNodeConfig(name, node, srv.URL, deployment) }
	const liveISO = `instance_info = { boot_iso = baremetal_image.live.url }`
	refused := `Node \S+ ` + words(`uses the "direct" deploy interface, which writes an image`).String() + `.*` +
		words("ramdisk deploy interface only").String()
	ironicTest(t, resource.TestStep{
		Config:      cfg(liveISO),
		ExpectError: regexp.MustCompile(`(?s)Error running apply.*Missing image_source.*` + refused),
	}, resource.TestStep{
		Config:      cfg(liveISO),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Missing image_source.*` + refused),
	}, resource.TestStep{
		Config: cfg(""),
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.ProvisionState != "available" || len(n.InstanceInfo) != 0 {
				return fmt.Errorf("the refused deploy changed the node: %q, instance_info %v", n.ProvisionState, n.InstanceInfo)
			}
			return nil
		}),
	})
}

// makeLiveISO builds a UEFI live ISO (mkisofs, from genisoimage) whose GRUB boots this
// kernel and initrd: what an appliance or edge image publishes.
func makeLiveISO(t *testing.T, kernel, initrd []byte) []byte {
	t.Helper()
	iso, err := ironictest.BuildISO(t.TempDir(), "LIVE", map[string][]byte{
		"boot/grub/efiboot.img": bytes.Repeat([]byte{0}, 4096), // the El Torito UEFI entry's image
		"boot/grub/grub.cfg":    []byte("menuentry \"live\" {\n  linux /live/vmlinuz boot=live quiet --\n  initrd /live/initrd.img\n}\n"),
		"live/vmlinuz":          kernel,
		"live/initrd.img":       initrd,
	})
	if errors.Is(err, ironictest.ErrNoMkisofs) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return iso
}

// checkLiveISOBooted checks that the machine booted the live ISO from its virtual CD:
// the BMC has it inserted, the last power-on booted the CD (boot override Cd,
// continuous: the ISO is what the machine runs) and found in it the live kernel and
// initrd. The BMC reads the ISO in the background, as a machine takes its time to load it.
func checkLiveISOBooted(bmc *ironictest.BMC, system string, kernel, initrd []byte) func(*terraform.State) error {
	return func(*terraform.State) error {
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s; BMC requests:\n%s", fmt.Sprintf(format, args...), strings.Join(bmc.Requests(system), "\n"))
		}
		var boot ironictest.CdBoot
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
			boots := bmc.CdBoots(system)
			if len(boots) > 0 {
				boot = boots[len(boots)-1]
			}
			if boot.Done || time.Now().After(deadline) {
				break
			}
		}
		cd := bmc.VirtualMedia(system)[0]
		switch {
		case !boot.Done || boot.Err != "":
			return fail("the machine did not boot an ISO from its virtual CD: %+v", bmc.CdBoots(system))
		case !bytes.Equal(boot.KernelData, kernel) || !bytes.Equal(boot.InitrdData, initrd) || boot.Param("boot") != "live":
			return fail("the ISO booted (%s) is not the live ISO: kernel %q, initrd %q, command line %q", boot.Image,
				boot.KernelData, boot.InitrdData, boot.CommandLine)
		case bmc.BootedFrom(system) != "Cd" || bmc.PowerState(system) != "On":
			return fail("the machine is powered %q and booted %q", bmc.PowerState(system), bmc.BootedFrom(system))
		case !cd.Inserted || cd.Image != boot.Image:
			return fail("the virtual CD holds %+v, not the ISO booted (%s)", cd, boot.Image)
		case !strings.Contains(strings.Join(bmc.Requests(system), "\n"), "InsertMedia "):
			return fail("the ISO was never inserted")
		}
		if o := bmc.BootOverrides(system); len(o) == 0 || o[len(o)-1].Target != "Cd" || o[len(o)-1].Enabled != "Continuous" {
			return fail("the machine does not keep booting its CD: boot overrides %+v", o)
		}
		return nil
	}
}

// A live ISO (a baremetal_image, checksummed like any image) on a node with the ramdisk
// deploy interface and redfish-virtual-media boot: the deployment goes active with the
// BMC holding the ISO in its virtual CD and the machine booted from it (the BMC read it
// down to the live kernel and initrd), nothing written to its disk and no agent run; the
// next plan is empty. image_source beside boot_iso, which Ironic refuses, is a plan-time
// error naming both. Destroy undeploys it: the CD ejected, the disk still untouched.
// Ironic 21.4 and 2026.1 alike.
func TestAccDeployment_liveISOVirtualMedia(t *testing.T) {
	name := testNodeName()
	bmc := testBMC(t)
	kernel, initrd := []byte("live kernel of "+name), []byte("live initrd of "+name)
	srv := newTestImageServer(t, makeLiveISO(t, kernel, initrd))
	node := ramdiskNode(t, name, "ramdisk", "redfish-virtual-media")
	cfg := func(deployment string) string { return ramdiskNodeConfig(name, node, srv.URL, deployment) }
	ironicTest(t, resource.TestStep{
		Config: cfg(""),
	}, resource.TestStep{
		Config:   cfg(`instance_info = { boot_iso = baremetal_image.live.url, image_source = baremetal_image.os.url }`),
		PlanOnly: true,
		ExpectError: regexp.MustCompile(`(?s)image_source with boot_iso.*Node \S+ ` + words(`uses the "ramdisk" deploy interface, which boots boot_iso`).String() +
			`.*` + words("Remove image_source").String()),
	}, resource.TestStep{
		Config: cfg(`instance_info = { boot_iso = baremetal_image.live.url }`),
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active"),
			statecheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("last_error"), knownvalue.Null())},
		Check: resource.ComposeTestCheckFunc(checkDiskUntouched("baremetal_node.n"), checkLiveISOBooted(bmc, name, kernel, initrd),
			checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
				if n.ProvisionState != "active" || n.InstanceInfo["boot_iso"] != srv.URL+"/live/live.iso" {
					return fmt.Errorf("node is %q with instance_info %v", n.ProvisionState, n.InstanceInfo)
				}
				return nil
			})),
	}, resource.TestStep{
		Config: cfg(""),
		Check: resource.ComposeTestCheckFunc(checkDiskUntouched("baremetal_node.n"), checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if !slices.Contains([]string{"available", "manageable"}, n.ProvisionState) {
				return fmt.Errorf("undeployed node is %q", n.ProvisionState)
			}
			if cd := bmc.VirtualMedia(name)[0]; cd.Inserted {
				return fmt.Errorf("the undeployed machine's CD still holds %s", cd.Image)
			}
			if power := bmc.PowerState(name); power != "Off" {
				return fmt.Errorf("the undeployed machine is powered %q", power)
			}
			return nil
		})),
	})
}
