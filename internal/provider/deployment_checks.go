package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// planAs plans a computed value as the one a successful apply leaves (a deployment is
// active afterwards), so a node found elsewhere (deploy failed) shows as a change.
func planAs(value string) planmodifier.String { return plannedValue(value) }

type plannedValue string

func (p plannedValue) Description(context.Context) string {
	return fmt.Sprintf("%q after a successful apply.", string(p))
}
func (p plannedValue) MarkdownDescription(ctx context.Context) string { return p.Description(ctx) }

func (p plannedValue) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	if ironic.KeepsDeployedState(req.StateValue.ValueString()) {
		// Ironic works on the deployed machine, holds it for an operator, or it is rescued: not fought
		resp.PlanValue = req.StateValue
		return
	}
	resp.PlanValue = types.StringValue(string(p))
}

const useImageInstanceInfo = "Let a baremetal_image give the keys Ironic wants, for any checksum algorithm:\n\n" +
	"  instance_info = baremetal_image.os.instance_info\n\nor, with keys of your own:\n\n" +
	"  instance_info = merge(baremetal_image.os.instance_info, { root_gb = \"10\" })"

// checkInstanceInfo refuses at plan time an instance_info that Ironic refuses for the
// node's deploy interface (ironic.CheckInstanceInfo), naming the key and the interface:
// on create, and on an update that changes instance_info. The interfaces are read from
// Ironic when node_id is known. A node not known yet (created by the same apply) or that
// cannot be read is checked against what no deploy interface takes, and the deploy checks
// again with the node's own interfaces before it changes anything. An adoption is not
// checked: it records what the machine already runs, and Ironic's adopt says what it misses.
func (r *deploymentResource) checkInstanceInfo(ctx context.Context, plan, state *deploymentResourceModel, diags *diag.Diagnostics) {
	if plan.Adopt.ValueBool() || plan.InstanceInfo.IsUnknown() || plan.InstanceInfo.IsNull() ||
		(state != nil && plan.NodeID.Equal(state.NodeID) && plan.InstanceInfo.Equal(state.InstanceInfo)) {
		return
	}
	info := map[string]string{}
	for k, v := range plan.InstanceInfo.Elements() {
		if s, ok := v.(types.String); ok && s.IsUnknown() {
			info[k] = ironic.UnknownValue
		} else if ok && !s.IsNull() {
			info[k] = s.ValueString()
		}
	}
	node, deployIface, bootIface := plan.NodeID.ValueString(), "", ""
	if !plan.NodeID.IsUnknown() && node != "" {
		if ic, d := r.clients.Ironic(ctx); !d.HasError() {
			if n, err := r.clients.readNode(ctx, ic, node); err == nil {
				deployIface, bootIface = n.DeployInterface, n.BootInterface
			}
		}
	}
	p := ironic.CheckInstanceInfo(node, deployIface, bootIface, info)
	if p == nil {
		return
	}
	at := path.Root("instance_info")
	if _, ok := info[p.Key]; ok {
		at = at.AtMapKey(p.Key)
	}
	detail := p.Detail
	if deployIface != "" {
		detail += " (The node's deploy interface as Ironic holds it now: if this apply changes it, apply the node first.)"
	}
	if p.ImageKeys {
		detail += "\n\n" + useImageInstanceInfo
	}
	diags.AddAttributeError(at, p.Summary, detail)
}
