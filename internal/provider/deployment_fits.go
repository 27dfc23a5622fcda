package provider

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/inventory"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/image"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// checkFits refuses, at plan time, a whole-disk image that the root disk Ironic's agent
// would write it to cannot hold, and an image without an EFI system partition for a
// node that boots in UEFI mode, where the node has an inventory to tell. What cannot be
// judged (no inventory, an image it cannot read, a partition image) is no error: a
// warning says what was not checked, or nothing when the node has no inventory at all.
// It runs when placementChanges.
func (r *deploymentResource) checkFits(ctx context.Context, plan *deploymentResourceModel, nodeOf func(context.Context) *ironic.BootedNode, diags *diag.Diagnostics) {
	if r.clients == nil || plan.NodeID.IsUnknown() {
		return
	}
	info := knownStrings(plan.InstanceInfo)
	source := info["image_source"]
	if _, _, err := image.ParseSource(source); source == "" || err != nil {
		return // an image Glance or a registry holds: not read here
	}
	booted := nodeOf(ctx)
	if booted == nil {
		return
	}
	node := &booted.Node
	if writes, why := ironic.WritesImage(node.DeployInterface, info); !writes {
		logDebug(ctx, "no image fit check", map[string]any{"node": node.UUID, "reason": why})
		return
	}
	if len(node.TargetRAIDConfig) > 0 {
		logDebug(ctx, "no image fit check", map[string]any{"node": node.UUID, "reason": "a target RAID configuration: the root disk may be a volume the inventory does not list"})
		return
	}
	inv, _ := inventoryOf(ctx, r.clients, node.UUID)
	if inv == nil || len(inv.Inventory.Disks) == 0 {
		return
	}
	disks := inv.Inventory.Disks
	at := path.Root("instance_info").AtMapKey("image_source")
	url := image.Redact(source)
	notChecked := func(why string) {
		diags.AddAttributeWarning(at, "Image not checked against the node's disks",
			fmt.Sprintf("Whether image %s fits node %s was not checked: %s.", url, node.UUID, why))
	}
	hints, from := ironic.RootDeviceHints(info, node.Properties)
	skip, _ := node.Properties["skip_block_devices"].([]any)
	choice := ironic.ChooseRootDisk(hints, from, skip, disks)
	switch {
	case choice.Invalid != "":
		notChecked(fmt.Sprintf("the root device hints in the node's %s are invalid (%s), and Ironic refuses to deploy with them", from, choice.Invalid))
		return
	case choice.Unjudged != "":
		notChecked(choice.Unjudged)
		return
	case choice.Disk == nil && hints != nil:
		notChecked(fmt.Sprintf("no disk in its inventory matches the root device hints in the node's %s (%s), so the agent would find "+
			"no root disk; its disks: %s", from, ironic.HintsText(hints), disksText(disks)))
		return
	case choice.Disk == nil:
		notChecked("no disk in its inventory has the 4 GiB the agent needs of a root disk without root device hints; its disks: " + disksText(disks))
		return
	}
	engine, d := r.clients.Images()
	if d.HasError() {
		return
	}
	layout, err := engine.Layout(ctx, source)
	if err != nil {
		notChecked("the image could not be read: " + err.Error())
		return
	}
	disk := *choice.Disk
	switch {
	case disk.Size <= 0:
		notChecked(fmt.Sprintf("the inventory gives no size for %s, the root disk (%s)", disk.Name, choice.How()))
		return
	case !layout.SizeKnown():
		notChecked(fmt.Sprintf("its size on disk is not known (%s)", layout.Unread))
	case layout.DiskSize > disk.Size:
		what := "its size"
		if layout.Format == "qcow2" {
			what = "its qcow2 virtual size"
		}
		diags.AddAttributeError(at, "The image does not fit the node's root disk",
			fmt.Sprintf("Image %s needs %s on disk (%s), but the root disk of node %s is smaller: %s, %s. "+
				"The agent would fail the deploy writing it. The node's disks: %s. Select a bigger disk with root device hints "+
				"(the node's root_device), or deploy a smaller image.",
				url, ironic.SizeText(layout.DiskSize), what, node.UUID, ironic.DiskText(disk), choice.How(), disksText(disks)))
		return
	}
	mode, why := ironic.DeployBootMode(info, node.Properties, node.DriverInternalInfo, booted.Mode)
	switch {
	case mode == "" && layout.ESP == image.ESPAbsent:
		diags.AddAttributeWarning(at, "The image may not boot on the node",
			fmt.Sprintf("Image %s has a %s partition table without an EFI system partition, and nothing Ironic's API shows says "+
				"which boot mode node %s deploys in (no boot_mode capability in instance_info or in the node's properties, no "+
				"boot_mode read from its BMC). Ironic then uses its configured [deploy]default_boot_mode, which its API does not "+
				"show: uefi unless configured otherwise, in which the image would not boot. Say boot_mode:bios in the "+
				"capabilities if the node boots in BIOS mode, or deploy an image with an EFI system partition.",
				url, layout.Partitions, node.UUID))
		return
	case mode != ironic.BootModeUEFI:
		return
	}
	switch layout.ESP {
	case image.ESPAbsent:
		diags.AddAttributeError(at, "The image has no EFI system partition",
			fmt.Sprintf("Image %s has a %s partition table without an EFI system partition, and node %s boots in UEFI mode (%s): "+
				"once written to %s it would not boot. Deploy an image with an EFI system partition, or boot the node in BIOS mode.",
				url, layout.Partitions, node.UUID, why, ironic.DiskText(disk)))
	case image.ESPUnknown:
		notChecked(fmt.Sprintf("node %s boots in UEFI mode (%s), and whether the image has an EFI system partition could not be read: %s",
			node.UUID, why, layout.Unread))
	}
}

// disksText lists an inventory's disks with their sizes in bytes.
func disksText(disks []inventory.RootDiskType) string {
	s := ""
	for i, d := range disks {
		if i > 0 {
			s += "; "
		}
		s += ironic.DiskText(d)
	}
	return s
}

// knownStrings is a map attribute's known string elements (a plan's map may hold
// values known only at apply).
func knownStrings(m types.Map) map[string]string {
	out := map[string]string{}
	for k, v := range m.Elements() {
		if s, ok := v.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			out[k] = s.ValueString()
		}
	}
	return out
}
