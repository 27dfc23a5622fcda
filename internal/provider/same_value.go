package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// known reports whether a string is set and known.
func known(v types.String) bool { return !v.IsNull() && !v.IsUnknown() }

// sameInstanceInfo plans the recorded instance_info when the configured one means the
// same deployment (ironic.SameRecordedInstanceInfo): the keys Ironic adds are no
// change, nor is how it rewrote the image's checksum and format (judged leniently for
// an imported deployment, whose record is Ironic's).
func sameInstanceInfo() planmodifier.Map { return sameDeployment{} }

type sameDeployment struct{}

func (sameDeployment) Description(context.Context) string {
	return "Keys Ironic adds to instance_info, and its own rewrite of the image keys, are not a change."
}
func (m sameDeployment) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (sameDeployment) PlanModifyMap(ctx context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if !fullyKnown(req.PlanValue) || req.PlanValue.IsNull() || req.StateValue.IsNull() || req.StateValue.IsUnknown() {
		return
	}
	adopted := false
	if req.Private != nil {
		adopted = isAdopted(ctx, req.Private, &resp.Diagnostics)
	}
	plan := stringMap(ctx, req.PlanValue, &resp.Diagnostics)
	state := stringMap(ctx, req.StateValue, &resp.Diagnostics)
	if ironic.SameRecordedInstanceInfo(plan, state, adopted) {
		resp.PlanValue = req.StateValue
	}
}
