package provider

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

func protectionAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"protected": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(false),
			MarkdownDescription: "Ironic's protection of an active node: while `true`, Ironic refuses to undeploy, rebuild " +
				"or delete it, whoever asks (a `terraform destroy` included, which then fails naming this attribute). " +
				"Set it back to `false` and apply before tearing the deployment down. Default `false`.",
		},
		"protected_reason": schema.StringAttribute{
			Optional: true, MarkdownDescription: "Why the node is protected; only with `protected = true`.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
	}
}

// protectionPatch sets protection as planned; nil when nothing changes.
func protectionPatch(plan, state types.Bool, planReason, stateReason types.String) nodes.UpdateOpts {
	b := newPatch(context.Background(), &diag.Diagnostics{})
	b.boolean("protected", plan, state)
	if plan.ValueBool() {
		b.str("protected_reason", planReason, stateReason)
	}
	if len(b.ops) == 0 {
		return nil
	}
	return ironic.NodeUpdateOpts(b.ops)
}

// setProtection applies a protection change to the deployed node.
func setProtection(ctx context.Context, sc *gophercloud.ServiceClient, id string, ops nodes.UpdateOpts, diags *diag.Diagnostics) *nodes.Node {
	if ops == nil {
		return nil
	}
	n, err := ironic.PatchNode(ctx, sc, id, ops, false)
	if err != nil {
		diags.AddAttributeError(path.Root("protected"), "Unable to change the node's protection", fmt.Sprintf("Node %s: %s", id, ironic.Message(err)))
		return nil
	}
	return n
}

// protectedRefusal stops, before anything is sent, an action Ironic refuses on a protected node.
func protectedRefusal(action, id string, diags *diag.Diagnostics) {
	diags.AddAttributeError(path.Root("protected"), "The node is protected",
		fmt.Sprintf("Node %s has protected = true: Ironic refuses to %s it. Set protected = false and apply first. Nothing was changed.", id, action))
}

// UpgradeState moves a version 0 deployment (before protection) to version 1.
func (r *deploymentResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return migrationUpgraders(r, []stateMigration{
		func(attrs map[string]any) { defaultIfMissing(attrs, "protected", false) },
	})
}
