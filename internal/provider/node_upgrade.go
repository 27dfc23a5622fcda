package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// nodeResourceModelV0 is the node as schema version 0 stored it: deploying was part of it.
type nodeResourceModelV0 struct {
	nodeResourceModel
	InstanceInfo types.Map    `tfsdk:"instance_info"`
	ConfigDrive  types.Object `tfsdk:"config_drive"`
	DeploySteps  types.String `tfsdk:"deploy_steps"`
}

// nodeSchemaV0 is today's schema plus the deployment attributes version 0 had (the
// hardware attributes it lacked read as null).
func (r *nodeResource) nodeSchemaV0(ctx context.Context) *schema.Schema {
	attrs := maps.Clone(r.currentSchema(ctx).Attributes)
	attrs["instance_info"] = schema.MapAttribute{ElementType: types.StringType, Optional: true}
	attrs["config_drive"] = schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
		"user_data":    schema.StringAttribute{Optional: true, Sensitive: true},
		"meta_data":    schema.MapAttribute{ElementType: types.StringType, Optional: true},
		"network_data": schema.StringAttribute{Optional: true},
	}}
	attrs["deploy_steps"] = schema.StringAttribute{Optional: true}
	return &schema.Schema{Attributes: attrs}
}

// UpgradeState moves a version 0 node to version 1. The deployment attributes are
// dropped from the node (Ironic keeps the node deployed; import it as a
// baremetal_deployment to manage what runs on it), and a target of active becomes
// available, which leaves a deployed node as it is.
func (r *nodeResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {
			PriorSchema: r.nodeSchemaV0(ctx),
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var old nodeResourceModelV0
				resp.Diagnostics.Append(req.State.Get(ctx, &old)...)
				if resp.Diagnostics.HasError() {
					return
				}
				m := old.nodeResourceModel
				if m.TargetProvisionState.ValueString() == ironic.StateActive {
					m.TargetProvisionState = types.StringValue(ironic.StateAvailable)
				}
				resp.Diagnostics.Append(resp.State.Set(ctx, upgradedHardware(m))...)
			},
		},
		2: {
			// Version 2 is version 3 without the write-only secrets and their version: read
			// with today's schema they are null, which is what a state holds of them.
			PriorSchema: r.currentSchema(ctx),
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				resp.State.Raw = req.State.Raw
			},
		},
		1: {
			// Version 1 is version 3 without the hardware attributes (and the secrets): read
			// with today's schema, they are null; the next refresh fills them from Ironic.
			PriorSchema: r.currentSchema(ctx),
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var m nodeResourceModel
				resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
				if resp.Diagnostics.HasError() {
					return
				}
				resp.Diagnostics.Append(resp.State.Set(ctx, upgradedHardware(m))...)
			},
		},
	}
}

// upgradedHardware gives the attributes that have a default, and that Ironic does not
// report, the value a plan expects, so an upgraded state plans no change.
func upgradedHardware(m nodeResourceModel) nodeResourceModel {
	if m.ApplyRAIDConfig.IsNull() {
		m.ApplyRAIDConfig = types.BoolValue(false)
	}
	if m.Retired.IsNull() {
		m.Retired = types.BoolValue(false)
	}
	return m
}

func (r *nodeResource) currentSchema(ctx context.Context) *schema.Schema {
	var resp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &resp)
	return &resp.Schema
}
