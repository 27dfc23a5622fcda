package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// privateImported marks, for good, a deployment that was adopted by import (unlike
// privateAdopted, which the first update clears): its allow_rebuild defaults to false.
const privateImported = "imported"

// rebuildDefault plans an unset allow_rebuild: true for a deployment Terraform creates,
// false for one it adopted by import. An import records false, so that the configuration
// generated from it says allow_rebuild = false and one written without it plans no change.
type rebuildDefault struct{}

func (rebuildDefault) Description(context.Context) string {
	return "true for a deployment Terraform creates, false for one adopted by import"
}
func (d rebuildDefault) MarkdownDescription(ctx context.Context) string { return d.Description(ctx) }

func (rebuildDefault) PlanModifyBool(ctx context.Context, req planmodifier.BoolRequest, resp *planmodifier.BoolResponse) {
	if !req.ConfigValue.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	imported := false
	if !req.State.Raw.IsNull() && req.Private != nil {
		v, d := req.Private.GetKey(ctx, privateImported)
		resp.Diagnostics.Append(d...)
		imported = string(v) == "true"
	}
	resp.PlanValue = types.BoolValue(!imported)
}
