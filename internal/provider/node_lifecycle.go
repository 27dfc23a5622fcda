package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

// Power states a node can be asked for.
var powerStates = []string{ironic.PowerOn, ironic.PowerOff}

// nodeTargetStates are the states the node resource drives a node to; deploying is
// baremetal_deployment's.
var nodeTargetStates = ironic.NodeGoals

// nodeLifecycle are the resource's provisioning inputs (the data source has none).
type nodeLifecycle struct {
	TargetProvisionState types.String `tfsdk:"target_provision_state"`
	TargetPowerState     types.String `tfsdk:"target_power_state"`
	CleanSteps           types.String `tfsdk:"clean_steps"`
	Inspect              types.Bool   `tfsdk:"inspect"`
	ForceDelete          types.Bool   `tfsdk:"force_delete"`
}

func lifecycleAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"target_provision_state": schema.StringAttribute{
			Optional: true,
			Computed: true,
			Default:  stringdefault.StaticString(ironic.StateEnroll),
			MarkdownDescription: "Provision state to drive the machine to: " + quotedList(nodeTargetStates) + ". Default `enroll`: " +
				"what `baremetal node create` does, and no provisioning action afterwards. Create and update walk the " +
				"transitions in between (manage, provide) and wait for each; a failed one reports Ironic's `last_error`, " +
				"and the next apply continues from where the node stopped. Deploying is a `baremetal_deployment`'s job: " +
				"while one holds the node (`active`, `deploying`, `deploy failed`, ...) this attribute leaves the node " +
				"where it is. `enroll` never moves a node back (Ironic cannot): it leaves the node wherever it is. A retired " +
				"node (`retired = true`) is offered no more: its `available` rests in `manageable`, with a plan warning.",
			Validators: []validator.String{stringvalidator.OneOf(nodeTargetStates...)},
		},
		"target_power_state": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Power state to keep the node in after provisioning: " + quotedList(powerStates) +
				". Unset: left as provisioning leaves it. It applies only while no deployment holds the node: the " +
				"power of a deployed machine is its operators' (and their actions'), never changed by an apply.",
			Validators: []validator.String{stringvalidator.OneOf(powerStates...)},
		},
		"maintenance": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "Whether the node is in maintenance mode (Ironic then leaves it alone). Unset, maintenance is " +
				"Ironic's and the operators': Ironic sets it by itself (a failed power sync), an operator for a broken disk, " +
				"and it stays as they left it; a provisioning move the node then needs fails, saying so. `false` lifts it " +
				"(before provisioning actions), `true` sets it (after them).",
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		},
		"maintenance_reason": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "Why the node is in maintenance mode; set only with `maintenance = true`. Unset, it is the " +
				"reason Ironic or an operator gave.",
			Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
			PlanModifiers: []planmodifier.String{maintenanceReasonPlan{}},
		},
		"force_delete": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
			MarkdownDescription: "Let a destroy delete the node without tearing it down. Default `false`: destroy first " +
				"brings the node to `available` as Ironic does (undeploys it, cleans it where automated cleaning is on) and " +
				"deletes it only then; when that fails, the destroy fails with Ironic's reason and the node stays, because " +
				"deleting it would make Ironic forget a machine whose disks were never erased, perhaps still running a " +
				"tenant's system. `true` deletes at once, in maintenance: for decommissioning hardware that is dead or " +
				"gone. Set it in an apply before the destroy.",
		},
		"clean_steps": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Manual cleaning steps, as a JSON list (`jsonencode([{interface = \"deploy\", step = " +
				"\"erase_devices_metadata\"}])`), run when the node passes through `manageable` in an apply (for example on " +
				"its way to `available`). Manual cleaning ends in `manageable`.",
			Validators: []validator.String{validators.JSONText("a list"), validators.StepList()},
		},
		"inspect": schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "Inspect the node (hardware introspection) when it passes through `manageable` in an apply, " +
				"before any cleaning. Default `false`.",
		},
	}
}

// validateLifecycle checks at plan time what depends on several attributes.
func validateLifecycle(m *nodeResourceModel, diags *diag.Diagnostics) {
	if !m.MaintenanceReason.IsNull() && !m.MaintenanceReason.IsUnknown() && !m.Maintenance.IsUnknown() && !m.Maintenance.ValueBool() {
		diags.AddAttributeError(path.Root("maintenance_reason"), "maintenance_reason without maintenance",
			"maintenance_reason is only kept while maintenance = true.")
	}
}

// nodeGoal turns the plan into what the provisioning engine should reach. Maintenance
// is left alone unless the configuration sets it.
func nodeGoal(ctx context.Context, config tfsdk.Config, plan *nodeResourceModel, diags *diag.Diagnostics) ironic.NodeGoal {
	var configured types.Bool
	diags.Append(config.GetAttribute(ctx, path.Root("maintenance"), &configured)...)
	g := ironic.NodeGoal{
		Goal:              ironic.Goal{State: plan.TargetProvisionState.ValueString(), Inspect: plan.Inspect.ValueBool()},
		KeepMaintenance:   configured.IsNull(),
		Maintenance:       plan.Maintenance.ValueBool(),
		MaintenanceReason: plan.MaintenanceReason.ValueString(),
		PowerState:        plan.TargetPowerState.ValueString(),
	}
	if s := plan.CleanSteps.ValueString(); s != "" {
		diags.Append(unmarshalJSON("clean_steps", s, &g.CleanSteps)...)
	}
	return g
}

func unmarshalJSON(name, s string, v any) diag.Diagnostics {
	var diags diag.Diagnostics
	if err := json.Unmarshal([]byte(s), v); err != nil {
		diags.AddAttributeError(path.Root(name), "Invalid "+name, err.Error())
	}
	return diags
}

// convergeFailed words a failure of the engine's Converge.
func convergeFailed(err error, diags *diag.Diagnostics) {
	summary := "Unable to provision bare metal node"
	if ce, ok := err.(*ironic.ConvergeError); ok {
		summary = ce.Summary
	}
	diags.AddError(summary, fmt.Sprintf("%s\n\nThe node is recorded as it stopped; run apply again to continue "+
		"once the cause is fixed. Ironic's last_error is in the node's last_error attribute.", inTerraformTerms(err)))
}

// maintenanceReasonPlan: an unset maintenance_reason is Ironic's or an operator's: the
// recorded one stays, except when maintenance is lifted (Ironic then clears it).
type maintenanceReasonPlan struct{}

func (maintenanceReasonPlan) Description(context.Context) string {
	return "Unset: the reason Ironic or an operator gave; none once maintenance is lifted."
}
func (m maintenanceReasonPlan) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (maintenanceReasonPlan) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	// The maintenance this plan leads to: the configured one, else the recorded one.
	var maintenance types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("maintenance"), &maintenance)...)
	if maintenance.IsNull() {
		maintenance = types.BoolUnknown()
		if !req.State.Raw.IsNull() {
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("maintenance"), &maintenance)...)
		}
	}
	switch {
	case maintenance.IsUnknown():
	case !maintenance.ValueBool():
		resp.PlanValue = types.StringNull()
	default:
		resp.PlanValue = req.StateValue
	}
}
