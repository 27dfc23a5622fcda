package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// adoptionAttributes: taking over a machine Ironic never deployed, and what destroying
// a deployment does with the machine.
func adoptionAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"adopt": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(false),
			MarkdownDescription: "Take over a machine whose system was installed outside Ironic (by hand, by another tool) " +
				"instead of deploying it: create records `instance_info` on the node and asks Ironic's `adopt`, which moves " +
				"it from `manageable` to `active` without writing to its disk or rebooting it. The node must be " +
				"`manageable` (its `baremetal_node` with `target_provision_state = \"manageable\"`): Ironic adopts from " +
				"nowhere else, and an `available` node is refused rather than moved back, since it went through cleaning " +
				"on its way there. A failed adoption (`adopt failed`, Ironic's `last_error` in the error) records nothing " +
				"and touches nothing: fix the cause and apply again, which retries the adoption; the node is never " +
				"cleaned or undeployed for it. `config_drive` and `deploy_steps` are not sent by an adoption (only by a " +
				"later rebuild, which `allow_rebuild = false` forbids). An adopted deployment cannot be destroyed (or " +
				"replaced) until `on_destroy` says what happens to its disk. Only read when the deployment is created; " +
				"changing it later sends nothing to Ironic. Default `false`.",
		},
		"on_destroy": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "What destroying (or replacing) this deployment does with the machine: `\"keep\"` removes " +
				"the deployment from Terraform and leaves the machine as it is (Ironic keeps it `active`, running, its " +
				"disk untouched; the plan warns); `\"undeploy\"` tears it down with Ironic's undeploy (powered off and, " +
				"with automated cleaning on, its disks erased) back to `available`. Unset: undeploy, except for an adopted " +
				"deployment (`adopt = true`), whose system was never Ironic's: its destroy is then refused at plan time " +
				"until this is set (and applied, so that the state holds it). Allowed values: " +
				quotedList(ironic.Disposals) + ".",
			Validators: []validator.String{stringvalidator.OneOf(ironic.Disposals...)},
		},
	}
}

// adopt is Create for adopt = true: Ironic's adopt of the node. A refused or failed
// adoption records nothing: the next apply adopts again (from adopt failed), and the
// node is never torn down or cleaned for it, as a tainted deployment would be.
func (r *deploymentResource) adopt(ctx context.Context, ic *ironic.Client, id string, spec ironic.DeploySpec,
	plan *deploymentResourceModel, resp *resource.CreateResponse) {
	tflog.Info(ctx, "adopting node", map[string]any{"node": id})
	node, err := ic.Adopt(ctx, id, spec)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("adopt"), "Unable to adopt bare metal node",
			fmt.Sprintf("%s\n\nNo deployment was recorded and nothing was written to the node's disk. Fix the cause and "+
				"apply again: that %s.", adoptError(err), adoptRetry(err)))
		return
	}
	if node, err = ic.SetProtection(ctx, node, protectionOf(plan.Protected, plan.ProtectedReason)); err != nil {
		protectionFailed(err, &resp.Diagnostics)
	}
	plan.fromNode(ctx, node, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setID(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

// adoptError words a failed adoption in Terraform's terms.
func adoptError(err error) string {
	var refused *ironic.NotAdoptableError
	var deployed *ironic.AlreadyDeployedError
	switch {
	case errors.As(err, &refused) && (refused.State == ironic.StateAvailable || refused.State == ironic.StateEnroll):
		return err.Error() + `. Set target_provision_state = "manageable" on the node and apply.`
	case errors.As(err, &deployed):
		return err.Error() + ". It is Ironic's already: import it instead (terraform import <address> " + deployed.NodeID + ")."
	}
	return inTerraformTerms(err) // a failed adoption's error carries Ironic's last_error
}

// adoptRetry says what the next apply does after a failed adoption.
func adoptRetry(err error) string {
	var pe *ironic.ProvisionError
	if errors.As(err, &pe) && pe.State == ironic.StateAdoptFailed {
		return "asks Ironic's adopt again from \"adopt failed\", with the instance_info then configured"
	}
	if errors.As(err, &pe) && pe.State == ironic.StateAdopting {
		return "waits for the adoption under way"
	}
	return "tries the adoption again"
}

// replaced reports whether the plan replaces the deployment (node_id, its only
// replacing attribute, changes or is known only at apply).
func replaced(plan, state *deploymentResourceModel) bool {
	return plan.NodeID.IsUnknown() || !plan.NodeID.Equal(state.NodeID)
}

// planDestroy refuses, at plan time, a destroy (or replacement) of an adopted deployment
// that does not say what happens to its disk, and warns that "keep" leaves the machine
// running.
func planDestroy(state *deploymentResourceModel, what string, diags *diag.Diagnostics) {
	id := state.ID.ValueString()
	d := ironic.Disposal(state.OnDestroy.ValueString())
	switch {
	case ironic.DestroyRefused(state.Adopt.ValueBool(), d):
		diags.AddAttributeError(path.Root("on_destroy"), "Destroy of an adopted deployment needs a decision",
			fmt.Sprintf("Node %s was adopted (adopt = true): its system was installed outside Ironic, so this %s does not "+
				"decide what happens to its disk by default. Set on_destroy = \"keep\" (Terraform forgets the deployment; "+
				"the machine stays active and untouched) or on_destroy = \"undeploy\" (Ironic tears it down: powered off "+
				"and, with automated cleaning on, its disks erased), apply that, then %s again. Nothing was changed.",
				id, what, what))
	case d == ironic.DisposalKeep:
		diags.AddAttributeWarning(path.Root("on_destroy"), "The machine is kept as it is",
			fmt.Sprintf("on_destroy = \"keep\": this %s removes the deployment of node %s from Terraform only. Ironic keeps "+
				"the node active with its instance_info, running and untouched; undeploy it in Ironic if that is ever meant.",
				what, id))
	}
}

// destroyDecided is the same rule at apply time (a state written by a provider that did
// not plan it): false, with the error, when the destroy must not go on.
func destroyDecided(state *deploymentResourceModel, diags *diag.Diagnostics) bool {
	d := ironic.Disposal(state.OnDestroy.ValueString())
	if ironic.DestroyRefused(state.Adopt.ValueBool(), d) {
		planDestroy(state, "destroy", diags)
		return false
	}
	if !d.Undeploys() {
		diags.AddWarning("Bare metal deployment forgotten, machine kept",
			fmt.Sprintf("on_destroy = \"keep\": node %s stays active in Ironic, running and untouched; only Terraform "+
				"forgot its deployment.", state.ID.ValueString()))
		return false
	}
	return true
}
