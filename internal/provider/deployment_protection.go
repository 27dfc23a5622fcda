package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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

// protectionOf is the protection the plan asks for.
func protectionOf(protected types.Bool, reason types.String) ironic.Protection {
	p := ironic.Protection{Protected: protected.ValueBool()}
	if p.Protected && known(reason) {
		p.Reason = reason.ValueString()
	}
	return p
}

// protectionFailed words a failed protection change of the deployed node.
func protectionFailed(err error, diags *diag.Diagnostics) {
	var perr *ironic.ProtectionError
	if !errors.As(err, &perr) {
		diags.AddAttributeError(path.Root("protected"), "Unable to change the node's protection", err.Error())
		return
	}
	diags.AddAttributeError(path.Root("protected"), "Unable to change the node's protection", fmt.Sprintf("Node %s: %s", perr.NodeID, ironic.Message(perr.Err)))
}

// joinedErrors lists the errors err joins (err alone when it joins none; none for nil).
func joinedErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// protectedRefusal stops, before anything is sent, an action Ironic refuses on a protected node.
func protectedRefusal(action, id string, diags *diag.Diagnostics) {
	diags.AddAttributeError(path.Root("protected"), "The node is protected",
		fmt.Sprintf("Node %s has protected = true: Ironic refuses to %s it. Set protected = false and apply first. Nothing was changed.", id, action))
}

// UpgradeState moves a version 0 deployment (before protection), a version 1 one
// (before adoption) and a version 2 one (config_drive's meta_data a map of strings) to
// version 3.
func (r *deploymentResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return migrationUpgraders(r, []stateMigration{
		func(attrs map[string]any) { defaultIfMissing(attrs, "protected", false) },
		func(attrs map[string]any) { defaultIfMissing(attrs, "adopt", false) }, // deployed by Ironic; on_destroy null
		metaDataAsJSON,
	})
}

// metaDataAsJSON turns config_drive.meta_data, a map of strings before version 3, into
// the JSON text jsonencode() gives for that map (keys sorted, compact, the same escapes),
// so that a configuration that wraps its map in jsonencode() plans no rebuild.
func metaDataAsJSON(attrs map[string]any) {
	cd, _ := attrs["config_drive"].(map[string]any)
	if cd == nil {
		return
	}
	if md, ok := cd["meta_data"].(map[string]any); ok {
		b, _ := json.Marshal(md)
		cd["meta_data"] = string(b)
	}
}
