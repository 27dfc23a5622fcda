package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// followTarget plans a computed state as the target attribute that drives it, so the
// plan shows where the node will be, and an out-of-band change (someone moved the node
// back to manageable) shows in the plan and is corrected. Where the engine's Converge
// leaves the node as it is (keeps: a target of enroll, or a deployment holds the node),
// the state's value stays.
type followTarget struct {
	target string
	// keeps is the engine's rule (Converge's): whether the node keeps the state's value
	// for this target, given the provision_state recorded ("" for a new node).
	keeps func(provisionState, target string) bool
	// rests: the value planned is where the node rests for the target, given whether it
	// is retired (ironic.RestingState), unknown while that is.
	rests bool
}

// provisionStateFromTarget: provision_state follows target_provision_state, except where
// ironic.KeepsProvisionState (enroll; a node a deployment holds), and a retired node's
// available rests in manageable (ironic.RestingState).
func provisionStateFromTarget() followTarget {
	return followTarget{target: "target_provision_state", keeps: ironic.KeepsProvisionState, rests: true}
}

// powerStateFromTarget: power_state follows target_power_state when one is set, except
// where ironic.KeepsPowerState (a deployment holds the node: its power is the deployment's).
func powerStateFromTarget() followTarget {
	return followTarget{target: "target_power_state", keeps: func(provisionState, _ string) bool {
		return ironic.KeepsPowerState(provisionState)
	}}
}

func (f followTarget) Description(context.Context) string {
	return "The state the node is driven to: " + f.target + "."
}
func (f followTarget) MarkdownDescription(ctx context.Context) string { return f.Description(ctx) }

func (f followTarget) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	var target, provision types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(f.target), &target)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("provision_state"), &provision)...)
	}
	switch {
	case target.IsUnknown() || target.IsNull():
	case f.keeps(provision.ValueString(), target.ValueString()):
		resp.PlanValue = req.StateValue
	case f.rests:
		var retired types.Bool
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("retired"), &retired)...)
		if retired.IsUnknown() {
			resp.PlanValue = types.StringUnknown()
		} else {
			resp.PlanValue = types.StringValue(ironic.RestingState(target.ValueString(), retired.ValueBool()))
		}
	default:
		resp.PlanValue = target
	}
}
