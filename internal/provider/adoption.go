package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// privateImported marks, for good, a deployment that was adopted by import (unlike
// privateAdopted, which the first update clears): its allow_rebuild defaults to false.
const privateImported = "imported"

// rebuildDefault plans an unset allow_rebuild: true for a deployment Terraform deploys,
// false for one it adopted (by import, or by Ironic's adopt: adopt = true), whose disk
// holds a system Ironic never wrote. An import records false, so that the configuration
// generated from it says allow_rebuild = false and one written without it plans no change.
type rebuildDefault struct{}

func (rebuildDefault) Description(context.Context) string {
	return "true for a deployment Terraform deploys, false for one adopted (by import or adopt = true)"
}
func (d rebuildDefault) MarkdownDescription(ctx context.Context) string { return d.Description(ctx) }

func (rebuildDefault) PlanModifyBool(ctx context.Context, req planmodifier.BoolRequest, resp *planmodifier.BoolResponse) {
	if !req.ConfigValue.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	imported := adoptConfigured(ctx, req)
	if !imported && !req.State.Raw.IsNull() && req.Private != nil && !replacesNode(ctx, req) {
		v, d := req.Private.GetKey(ctx, privateImported)
		resp.Diagnostics.Append(d...)
		imported = string(v) == "true"
	}
	resp.PlanValue = types.BoolValue(!imported)
}

// adoptConfigured reports whether the configuration adopts the machine (adopt = true).
func adoptConfigured(ctx context.Context, req planmodifier.BoolRequest) bool {
	if req.Config.Raw.IsNull() {
		return false
	}
	var adopt types.Bool
	req.Config.GetAttribute(ctx, path.Root("adopt"), &adopt)
	return adopt.ValueBool()
}

// replacesNode reports whether the plan deploys another node (node_id changes, which
// replaces the deployment): the new one is Terraform's own.
func replacesNode(ctx context.Context, req planmodifier.BoolRequest) bool {
	var planned, prior types.String
	req.Plan.GetAttribute(ctx, path.Root("node_id"), &planned)
	req.State.GetAttribute(ctx, path.Root("node_id"), &prior)
	return !planned.IsUnknown() && !planned.Equal(prior)
}
