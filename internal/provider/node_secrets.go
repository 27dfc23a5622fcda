package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// nodeSecrets are the write-only BMC secrets: the values reach Ironic and nothing else.
type nodeSecrets struct {
	DriverSecretsWO        types.Map   `tfsdk:"driver_secrets_wo"`
	DriverSecretsWOVersion types.Int64 `tfsdk:"driver_secrets_wo_version"`
}

func secretsAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"driver_secrets_wo": schema.MapAttribute{
			ElementType: types.StringType, Optional: true, WriteOnly: true, Sensitive: true,
			MarkdownDescription: "BMC secrets (`ipmi_password`, `redfish_password`, ...) merged into `driver_info`, " +
				"**write-only** (Terraform 1.11 or later): sent to Ironic on create and whenever `driver_secrets_wo_version` " +
				"changes, and never stored in the state or the plan. Works with ephemeral values (`ephemeral` variables and " +
				"resources). Ironic returns them masked, so they cannot drift visibly: to rotate a password, change it and " +
				"bump `driver_secrets_wo_version`. A key may not also be in `driver_info`.",
		},
		"driver_secrets_wo_version": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "Any number; changing it sends `driver_secrets_wo` to Ironic again (rotation). Stored in " +
				"the state, unlike the secrets.",
			Validators: []validator.Int64{int64validator.AtLeast(0)},
		},
	}
}

// configuredSecrets reads driver_secrets_wo from the configuration: write-only values
// are in the config only, never in the plan.
func configuredSecrets(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) map[string]string {
	var v types.Map
	diags.Append(config.GetAttribute(ctx, path.Root("driver_secrets_wo"), &v)...)
	return stringMap(ctx, v, diags)
}

// validateSecrets refuses a key given both as a write-only secret and in driver_info,
// and a driver_info value that is Ironic's mask (copied from what Ironic shows): it
// would be sent as the password.
func validateSecrets(m *nodeResourceModel, diags *diag.Diagnostics) {
	for k, v := range m.DriverInfo.Elements() {
		if s, ok := v.(types.String); ok && s.ValueString() == ironic.Masked {
			diags.AddAttributeError(path.Root("driver_info").AtMapKey(k), "Masked secret in driver_info",
				fmt.Sprintf("driver_info[%q] is %q, the mask Ironic shows instead of a secret it never returns: it is not the "+
					"secret, and nothing is sent to Ironic while it is configured. Remove the key from driver_info (Ironic "+
					"keeps the secret it holds), or supply the real value in driver_secrets_wo (with driver_secrets_wo_version).",
					k, ironic.Masked))
		}
	}
	// Keys only: the values may not be known yet (ephemeral ones never are at validation).
	info := m.DriverInfo.Elements()
	for _, k := range sortedKeys(m.DriverSecretsWO.Elements()) {
		if _, ok := info[k]; ok {
			diags.AddAttributeError(path.Root("driver_secrets_wo").AtMapKey(k), "Secret given twice",
				fmt.Sprintf("driver_secrets_wo and driver_info both set %q; keep it in driver_secrets_wo only.", k))
		}
	}
}

// maskedSecretsWarning says, of a node being adopted, which driver_info secrets Ironic
// holds masked: they are left out of the state and stay in Ironic as they are; the
// configuration manages one only once it supplies it.
func maskedSecretsWarning(n *nodes.Node, diags *diag.Diagnostics) {
	keys := ironic.MaskedKeys(ironic.StringMap(n.DriverInfo))
	if len(keys) == 0 {
		return
	}
	diags.AddAttributeWarning(path.Root("driver_info"), "Secrets Ironic does not return",
		fmt.Sprintf("Node %s holds driver_info keys %s, which Ironic returns masked (%q): they are not in the state, and "+
			"Ironic keeps them as they are. Leaving driver_info unset (as generated configuration does) or without these "+
			"keys changes nothing. To manage them, supply their values in driver_secrets_wo and set driver_secrets_wo_version.",
			n.UUID, strings.Join(keys, ", "), ironic.Masked))
}

// secretOps are the patch operations that send the secrets into driver_info.
func secretOps(secrets map[string]string) []ironic.PatchOp {
	ops := make([]ironic.PatchOp, 0, len(secrets))
	for _, k := range sortedKeys(secrets) {
		ops = append(ops, ironic.PatchOp{Op: ironic.OpAdd, Path: "/driver_info/" + pointerEscape(k), Value: secrets[k]})
	}
	return ops
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
