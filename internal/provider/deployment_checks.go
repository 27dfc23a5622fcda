package provider

import (
	"context"
	"fmt"

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
