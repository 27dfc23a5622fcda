package provider

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

type nodePowerModel struct {
	actionBase
	Target  types.String `tfsdk:"target"`
	Timeout types.String `tfsdk:"timeout"`
}

// NewNodePowerAction is baremetal_node_power: power on, off or reboot a node, hard or soft.
func NewNodePowerAction() action.Action {
	return &nodeAction[nodePowerModel, *nodePowerModel]{
		name: "node_power",
		verb: "change the power state of",
		doc: "Powers a node on or off, or reboots it, hard or soft, and waits until Ironic reports the target " +
			"reached (`baremetal node power on|off`, `baremetal node reboot`). It works on any node, deployed or not: " +
			"the next apply does not power a deployed machine back (its power is its operators'), nor a node at rest " +
			"unless its `baremetal_node` declares `target_power_state`.",
		timeout: 10 * time.Minute,
		attrs: map[string]schema.Attribute{
			"target": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Ironic's power target: `power on`, `power off`, `rebooting` (a hard power " +
					"cycle), `soft power off` (an ACPI shutdown through the BMC) or `soft rebooting`.",
				Validators: []validator.String{stringvalidator.OneOf(ironic.PowerTargets...)},
			},
			"timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "For `soft power off` and `soft rebooting` only: how long Ironic waits for the " +
					"operating system to shut down before it reports failure, as a duration (`2m`); default Ironic's " +
					"`[conductor]soft_power_off_timeout`. Whole seconds.",
				Validators: []validator.String{validators.PositiveDuration()},
			},
		},
		check: func(m *nodePowerModel, _ string, diags *diag.Diagnostics) {
			if m.Timeout.IsNull() || m.Timeout.IsUnknown() || m.Target.IsUnknown() {
				return
			}
			if !slices.Contains(ironic.SoftPowerTargets, m.Target.ValueString()) {
				diags.AddAttributeError(path.Root("timeout"), "timeout only with a soft target",
					fmt.Sprintf("Ironic takes a timeout only for %q and %q, not for %q.", ironic.SoftPowerTargets[0],
						ironic.SoftPowerTargets[1], m.Target.ValueString()))
			}
		},
		run: func(ctx context.Context, ic *ironic.Client, m *nodePowerModel) (*nodes.Node, error) {
			var soft time.Duration
			if s := m.Timeout.ValueString(); s != "" {
				soft, _ = time.ParseDuration(s) // checked by its validator
			}
			return ic.Power(ctx, m.NodeID.ValueString(), m.Target.ValueString(), soft)
		},
		outcome: func(m *nodePowerModel, n *nodes.Node) string {
			return fmt.Sprintf("%s: %s done", ironic.DescribeNode(n), m.Target.ValueString())
		},
	}
}

type nodeBootDeviceModel struct {
	actionBase
	BootDevice types.String `tfsdk:"boot_device"`
	Persistent types.Bool   `tfsdk:"persistent"`
}

// NewNodeBootDeviceAction is baremetal_node_boot_device: the device a node boots from next.
func NewNodeBootDeviceAction() action.Action {
	return &nodeAction[nodeBootDeviceModel, *nodeBootDeviceModel]{
		name: "node_boot_device",
		verb: "set the boot device of",
		doc: "Sets the device a node boots from, next time or every time (`baremetal node boot device set`). It does " +
			"not reboot the node: trigger `baremetal_node_power` with `target = \"rebooting\"` after it. Ironic sets " +
			"the device on the BMC before it answers; deploying, cleaning and rescuing set their own.",
		timeout: 5 * time.Minute,
		attrs: map[string]schema.Attribute{
			"boot_device": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "`pxe` (the network), `disk`, `cdrom`, `bios` (the firmware setup) or `safe` (a safe mode, where the hardware has one).",
				Validators:          []validator.String{stringvalidator.OneOf(ironic.BootDevices...)},
			},
			"persistent": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Boot from it every time, not only next time. Default `false`.",
			},
		},
		run: func(ctx context.Context, ic *ironic.Client, m *nodeBootDeviceModel) (*nodes.Node, error) {
			id := m.NodeID.ValueString()
			if err := ic.SetBootDevice(ctx, id, m.BootDevice.ValueString(), m.Persistent.ValueBool()); err != nil {
				return nil, err
			}
			return ic.GetNode(ctx, id)
		},
		outcome: func(m *nodeBootDeviceModel, n *nodes.Node) string {
			how := "next boot"
			if m.Persistent.ValueBool() {
				how = "every boot"
			}
			return fmt.Sprintf("node %s boots from %s (%s)", nameOr(n), m.BootDevice.ValueString(), how)
		},
	}
}

func nameOr(n *nodes.Node) string {
	if n.Name != "" {
		return n.Name
	}
	return n.UUID
}
