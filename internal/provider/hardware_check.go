package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// inventoryOf reads the node's inventory for a plan-time check; nil (and no noise) when
// the node has none or it cannot be read.
func inventoryOf(ctx context.Context, c *clients, nodeID string) (*ironic.Inventory, *ironic.Client) {
	ic, d := c.Ironic(ctx)
	if d.HasError() || nodeID == "" {
		return nil, nil
	}
	if v, ok := c.inventories.Load(nodeID); ok {
		return v.(*ironic.Inventory), ic
	}
	inv, err := ic.GetInventory(ctx, nodeID)
	if err != nil {
		logDebug(ctx, "no inventory check", map[string]any{"node": nodeID, "error": ironic.Message(err)})
		return nil, ic
	}
	c.inventories.Store(nodeID, inv)
	return inv, ic
}

// noInventoryYet records that a node this process just enrolled has no inventory when
// Ironic never inspected it: its ports, planned next in the same apply, check their MAC
// against none without asking Ironic for it (one request per new node).
func (c *clients) noInventoryYet(n *nodes.Node) {
	if n != nil && n.InspectionStartedAt == nil && n.InspectionFinishedAt == nil {
		c.inventories.Store(n.UUID, (*ironic.Inventory)(nil))
	}
}

// checkHardware refuses, before anything is touched, root device hints that match no
// inspected disk and RAID layouts the inspected disks cannot hold. It runs when either
// changes on a node that has an inventory.
func (r *nodeResource) checkHardware(ctx context.Context, plan, state *nodeResourceModel, diags *diag.Diagnostics) {
	rootChanged := fullyKnown(plan.RootDevice) && !plan.RootDevice.IsNull() && !plan.RootDevice.Equal(state.RootDevice)
	raidChanged := fullyKnown(plan.RAIDConfig) && !plan.RAIDConfig.IsNull() && !plan.RAIDConfig.Equal(state.RAIDConfig)
	if !rootChanged && !raidChanged {
		return
	}
	inv, _ := inventoryOf(ctx, r.clients, state.ID.ValueString())
	if inv == nil || len(inv.Inventory.Disks) == 0 {
		return
	}
	disks := inv.Inventory.Disks
	if rootChanged {
		hints := stringMap(ctx, plan.RootDevice, diags)
		if len(hints) > 0 && len(ironic.MatchingDisks(hints, disks)) == 0 {
			diags.AddAttributeError(path.Root("root_device"), "No disk matches the root device hints",
				fmt.Sprintf("root_device { %s } matches none of the disks node %s's inventory holds: %s. Ironic would fail the "+
					"deploy; fix the hints (or inspect the node again if its disks changed).", hintText(hints), state.ID.ValueString(), ironic.DescribeDisks(disks)))
		}
	}
	if raidChanged {
		var cfg raidConfig
		diags.Append(plan.RAIDConfig.As(ctx, &cfg, basetypes.ObjectAsOptions{})...)
		volumes := make([]ironic.LogicalDisk, 0, len(cfg.LogicalDisks))
		for _, ld := range cfg.LogicalDisks {
			volumes = append(volumes, ironic.LogicalDisk{SizeGB: ld.SizeGB.ValueString(), RAIDLevel: ld.RAIDLevel.ValueString(),
				PhysicalDisks: int(ld.NumberOfPhysicalDisks.ValueInt64()), Shared: ld.SharePhysicalDisks.ValueBool()})
		}
		if why := ironic.RAIDShortfall(volumes, disks); why != "" {
			diags.AddAttributeError(path.Root("raid_config"), "The RAID layout does not fit the node's disks",
				fmt.Sprintf("raid_config: %s (node %s's inventory).", why, state.ID.ValueString()))
		}
	}
}

// checkPortMAC warns when a port's MAC is not among the NICs inspection found on its node.
func checkPortMAC(ctx context.Context, c *clients, nodeID, mac string, diags *diag.Diagnostics) {
	inv, _ := inventoryOf(ctx, c, nodeID)
	if inv == nil || len(inv.Inventory.Interfaces) == 0 || ironic.HasMAC(inv.Inventory.Interfaces, mac) {
		return
	}
	var macs []string
	for _, n := range inv.Inventory.Interfaces {
		macs = append(macs, n.Name+" "+n.MACAddress)
	}
	diags.AddAttributeWarning(path.Root("address"), "MAC address not on the node",
		fmt.Sprintf("address %s is not among the NICs node %s's inventory holds (%v). If the inventory is current, "+
			"this port describes another machine's NIC.", mac, nodeID, macs))
}

// hintText renders hints as they are written in HCL.
func hintText(hints map[string]string) string {
	parts := make([]string, 0, len(hints))
	for _, k := range sortedKeys(hints) {
		parts = append(parts, fmt.Sprintf("%s = %q", k, hints[k]))
	}
	return strings.Join(parts, ", ")
}
