package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// imageResourceModelV0 is the image as schema version 0 stored it, with the absolute
// path of the applying machine's copy.
type imageResourceModelV0 struct {
	imageResourceModel
	LocalPath types.String `tfsdk:"local_path"`
}

// UpgradeState moves a version 0 image to version 1 by dropping local_path: a path on
// one machine made every other machine's plan replace the image.
func (r *imageResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	var current resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &current)
	attrs := maps.Clone(current.Schema.Attributes)
	attrs["local_path"] = schema.StringAttribute{Computed: true}
	return map[int64]resource.StateUpgrader{
		0: {
			PriorSchema: &schema.Schema{Attributes: attrs},
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var old imageResourceModelV0
				resp.Diagnostics.Append(req.State.Get(ctx, &old)...)
				if resp.Diagnostics.HasError() {
					return
				}
				resp.Diagnostics.Append(resp.State.Set(ctx, old.imageResourceModel)...)
			},
		},
	}
}
