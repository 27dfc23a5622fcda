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

// placementChanges: the plan creates the deployment, or changes its node or what is
// deployed on it (a rebuild), with instance_info known: what the plan-time checks of
// instance_info judge. An adoption is not checked: it records what the machine already
// runs, and Ironic's adopt says what it misses.
func (r *deploymentResource) placementChanges(plan, state *deploymentResourceModel) bool {
	if plan.Adopt.ValueBool() || plan.InstanceInfo.IsUnknown() || plan.InstanceInfo.IsNull() {
		return false
	}
	return state == nil || !plan.NodeID.Equal(state.NodeID) || !plan.InstanceInfo.Equal(state.InstanceInfo)
}

// onceNode reads the deployment's node from Ironic at most once, for the plan-time checks
// that need it: nil when the node is not known yet (created by the same apply) or
// cannot be read.
func (r *deploymentResource) onceNode(id string) func(context.Context) *ironic.BootedNode {
	var node *ironic.BootedNode
	read := false
	return func(ctx context.Context) *ironic.BootedNode {
		if read || id == "" || r.clients == nil {
			return node
		}
		read = true
		ic, d := r.clients.Ironic(ctx)
		if d.HasError() {
			return nil
		}
		n, err := r.clients.readBootedNode(ctx, ic, id)
		if err != nil {
			logDebug(ctx, "node not read for the plan-time checks", map[string]any{"node": id, "error": ironic.Message(err)})
			return nil
		}
		node = n
		return node
	}
}

// checkInstanceInfo refuses at plan time an instance_info that Ironic refuses for the
// node's deploy interface (ironic.CheckInstanceInfo), naming the key and the interface
// (when placementChanges). The interfaces are Ironic's when the node can be read. A node
// not known yet (created by the same apply) or that cannot be read is checked against
// what no deploy interface takes, and the deploy checks again with the node's own
// interfaces before it changes anything.
func (r *deploymentResource) checkInstanceInfo(ctx context.Context, plan *deploymentResourceModel, nodeOf func(context.Context) *ironic.BootedNode, diags *diag.Diagnostics) {
	info := map[string]string{}
	for k, v := range plan.InstanceInfo.Elements() {
		if s, ok := v.(types.String); ok && s.IsUnknown() {
			info[k] = ironic.UnknownValue
		} else if ok && !s.IsNull() {
			info[k] = s.ValueString()
		}
	}
	node, deployIface, bootIface := plan.NodeID.ValueString(), "", ""
	if n := nodeOf(ctx); n != nil {
		deployIface, bootIface = n.DeployInterface, n.BootInterface
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
