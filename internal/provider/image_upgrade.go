package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// imageResourceModelV0 added the absolute path of the applying machine's copy.
type imageResourceModelV0 struct {
	imageRecord
	LocalPath types.String `tfsdk:"local_path"`
}

// UpgradeState moves older images to version 2: version 0's local_path is dropped (a
// path on one machine made every other machine's plan replace the image), and
// instance_info is derived from what the state already holds, so the upgrade plans
// nothing and fetches nothing.
func (r *imageResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	var current resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &current)
	v1 := maps.Clone(current.Schema.Attributes)
	delete(v1, "instance_info")
	v0 := maps.Clone(v1)
	v0["local_path"] = schema.StringAttribute{Computed: true}
	upgrade := func(ctx context.Context, old imageRecord, resp *resource.UpgradeStateResponse) {
		m := imageResourceModel{imageRecord: old}
		m.InstanceInfo = mapValue(ctx, ironic.ImageInstanceInfo(old.URL.ValueString(), old.ChecksumAlgorithm.ValueString(), old.Checksum.ValueString()), nil, &resp.Diagnostics)
		resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	}
	return map[int64]resource.StateUpgrader{
		0: {
			PriorSchema: &schema.Schema{Attributes: v0},
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var old imageResourceModelV0
				if resp.Diagnostics.Append(req.State.Get(ctx, &old)...); !resp.Diagnostics.HasError() {
					upgrade(ctx, old.imageRecord, resp)
				}
			},
		},
		1: {
			PriorSchema: &schema.Schema{Attributes: v1},
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var old imageRecord // version 1 recorded just that
				if resp.Diagnostics.Append(req.State.Get(ctx, &old)...); !resp.Diagnostics.HasError() {
					upgrade(ctx, old, resp)
				}
			},
		},
	}
}
