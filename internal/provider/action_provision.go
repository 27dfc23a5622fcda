package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

// The actions that move a node through Ironic's provision states and back: rescue and
// unrescue, inspection, manual cleaning, servicing and rebuild.

type nodeRescueModel struct {
	actionBase
	RescuePassword types.String `tfsdk:"rescue_password"`
}

// NewNodeRescueAction is baremetal_node_rescue.
func NewNodeRescueAction() action.Action {
	return &nodeAction[nodeRescueModel, *nodeRescueModel]{
		name: "node_rescue",
		verb: "rescue",
		doc: "Boots a deployed node into Ironic's rescue ramdisk, where its disks can be repaired, and waits for " +
			"`rescue` (`baremetal node rescue --rescue-password ...`). The agent sets `rescue_password` for the user " +
			"`rescue`; log in over the node's network. The node's deployment stays: the next apply leaves a rescued " +
			"node where it is (with a warning), and `baremetal_node_unrescue` boots it back into its instance. The " +
			"node needs a rescue interface (`agent`) and `rescue_kernel` and `rescue_ramdisk` (or the deploy ones) in " +
			"`driver_info` or Ironic's configuration.",
		timeout: 30 * time.Minute,
		attrs: map[string]schema.Attribute{
			"rescue_password": schema.StringAttribute{
				Required:  true,
				WriteOnly: true,
				MarkdownDescription: "The password for the rescue user. Write-only: the provider keeps it in no plan, " +
					"state or log. From a resource's `action_trigger`, pass it from an ephemeral variable or resource. " +
					"Terraform (1.14 to 1.16) drops ephemeral values from an action run with `-invoke` (the action then " +
					"fails before anything is sent), so for `-invoke` use a `sensitive` variable and do not save that " +
					"plan (`-out`): a saved plan holds every variable's value.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		},
		check: func(m *nodeRescueModel, _ string, diags *diag.Diagnostics) {
			// Required lets a null through from an ephemeral variable, which Terraform
			// knows only once it plans.
			if m.RescuePassword.IsNull() {
				diags.AddAttributeError(path.Root("rescue_password"), "Missing rescue_password", rescuePasswordNull)
			}
		},
		run: func(ctx context.Context, ic *ironic.Client, m *nodeRescueModel) (*nodes.Node, error) {
			return ic.Rescue(ctx, m.NodeID.ValueString(), m.RescuePassword.ValueString())
		},
	}
}

// rescuePasswordNull explains a null rescue_password: an unset variable, or an
// ephemeral value Terraform dropped. Terraform (1.14 to 1.16.2) invokes an action run
// with -invoke with the configuration it planned, from which it removed every ephemeral
// value; an action_trigger evaluates the configuration again and passes them.
const rescuePasswordNull = "The rescue user needs a password, and rescue_password is null; nothing was sent. Either " +
	"its variable is unset, or its value is ephemeral and the action was run with -invoke: Terraform (1.14 to 1.16) " +
	"drops ephemeral values from the configuration of an action run with -invoke, and passes them only when a " +
	"resource's action_trigger runs it. Trigger baremetal_node_rescue from a resource's lifecycle (for example a " +
	"terraform_data whose input you change), or, with -invoke, set rescue_password from a sensitive variable that is " +
	"not ephemeral."

type nodeOnlyModel struct{ actionBase }

// NewNodeUnrescueAction is baremetal_node_unrescue.
func NewNodeUnrescueAction() action.Action {
	return &nodeAction[nodeOnlyModel, *nodeOnlyModel]{
		name: "node_unrescue",
		verb: "unrescue",
		doc: "Boots a rescued node back into its instance and waits for `active` (`baremetal node unrescue`). A node " +
			"already `active` is left as it is.",
		timeout: 30 * time.Minute,
		run: func(ctx context.Context, ic *ironic.Client, m *nodeOnlyModel) (*nodes.Node, error) {
			return ic.Unrescue(ctx, m.NodeID.ValueString())
		},
	}
}

// NewNodeInspectAction is baremetal_node_inspect.
func NewNodeInspectAction() action.Action {
	return &nodeAction[nodeOnlyModel, *nodeOnlyModel]{
		name: "node_inspect",
		verb: "inspect",
		doc: "Inspects a node at rest (`baremetal node inspect`) and waits for the result: from `manageable` (or " +
			"`inspect failed`) it ends in `manageable`; from `available` it passes through `manageable` and is " +
			"provided again. Ironic then holds the inventory the `baremetal_node_inventory` data source reads, and the " +
			"`properties` inspection found. A deployed node is refused: inspection reboots the machine.",
		timeout: 30 * time.Minute,
		run: func(ctx context.Context, ic *ironic.Client, m *nodeOnlyModel) (*nodes.Node, error) {
			return ic.Inspect(ctx, m.NodeID.ValueString())
		},
	}
}

// stepsAttributes are an action's steps (named stepsAttr: clean_steps, service_steps)
// and runbook.
func stepsAttributes(stepsAttr, kind, example string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		stepsAttr: schema.StringAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("The %s steps, as a JSON list (`jsonencode(%s)`). Exactly one of `%s` and "+
				"`runbook`.", kind, example, stepsAttr),
			Validators: []validator.String{validators.JSONText("a list"), validators.StepList()},
		},
		"runbook": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "A runbook to run instead of steps, by name or UUID (a `baremetal_runbook`; API 1.92, " +
				"Ironic 26.1 or newer). Ironic runs it only on nodes that have its name among their traits.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
	}
}

// checkSteps: exactly one of steps and runbook; a runbook needs API 1.92.
func checkSteps(stepsAttr string, steps, runbook types.String, microversion string, diags *diag.Diagnostics) {
	if steps.IsUnknown() || runbook.IsUnknown() {
		return
	}
	if steps.IsNull() == runbook.IsNull() {
		diags.AddAttributeError(path.Root(stepsAttr), "Steps or a runbook",
			fmt.Sprintf("Set exactly one of %s and runbook.", stepsAttr))
		return
	}
	if !runbook.IsNull() {
		featureCheck("runbook", "runbooks", microversion, diags)
	}
}

// cleanModel and serviceModel are the work of a clean or service action: steps, or a
// runbook.
type cleanModel struct {
	actionBase
	Steps   types.String `tfsdk:"clean_steps"`
	Runbook types.String `tfsdk:"runbook"`
}

type serviceModel struct {
	actionBase
	Steps   types.String `tfsdk:"service_steps"`
	Runbook types.String `tfsdk:"runbook"`
}

// NewNodeCleanAction is baremetal_node_clean.
func NewNodeCleanAction() action.Action {
	return &nodeAction[cleanModel, *cleanModel]{
		name: "node_clean",
		verb: "clean",
		doc: "Runs manual cleaning on a node at rest (`baremetal node clean --clean-steps ...`, or `--runbook`) and " +
			"brings it back: from `manageable` (or `clean failed`) it ends in `manageable`; from `available` it passes " +
			"through `manageable` and is provided again (which also runs automated cleaning where it is enabled). A " +
			"deployed node is refused (see `baremetal_node_service`). On failure the node stays where Ironic put it " +
			"(`clean failed`), with Ironic's reason in the error.",
		timeout: 60 * time.Minute,
		attrs:   stepsAttributes("clean_steps", "clean", `[{interface = "deploy", step = "erase_devices_metadata", args = {}}]`),
		check: func(m *cleanModel, mv string, diags *diag.Diagnostics) {
			checkSteps("clean_steps", m.Steps, m.Runbook, mv, diags)
		},
		run: func(ctx context.Context, ic *ironic.Client, m *cleanModel) (*nodes.Node, error) {
			var steps []nodes.CleanStep
			if err := unmarshalSteps(m.Steps, &steps); err != nil {
				return nil, err
			}
			return ic.CleanAtRest(ctx, m.NodeID.ValueString(), steps, m.Runbook.ValueString())
		},
	}
}

// NewNodeServiceAction is baremetal_node_service.
func NewNodeServiceAction() action.Action {
	return &nodeAction[serviceModel, *serviceModel]{
		name: "node_service",
		verb: "service",
		doc: "Runs service steps on a deployed node (`baremetal node service --service-steps ...`, or `--runbook`) and " +
			"waits until it is `active` again: its instance and disk stay (API 1.87, Ironic 23.0 or newer). On " +
			"failure the node stays where Ironic put it (`service failed`), with Ironic's reason in the error; " +
			"`baremetal node abort` returns it to `active`.",
		timeout: 60 * time.Minute,
		attrs: stepsAttributes("service_steps", "service",
			`[{interface = "bios", step = "apply_configuration", args = {settings = [{name = "LogicalProc", value = "Disabled"}]}}]`),
		check: func(m *serviceModel, mv string, diags *diag.Diagnostics) {
			featureCheck("node_id", "servicing", mv, diags)
			checkSteps("service_steps", m.Steps, m.Runbook, mv, diags)
		},
		run: func(ctx context.Context, ic *ironic.Client, m *serviceModel) (*nodes.Node, error) {
			var steps []nodes.ServiceStep
			if err := unmarshalSteps(m.Steps, &steps); err != nil {
				return nil, err
			}
			return ic.Service(ctx, m.NodeID.ValueString(), steps, m.Runbook.ValueString())
		},
	}
}

// unmarshalSteps reads a steps attribute its validators accepted.
func unmarshalSteps(s types.String, into any) error {
	if s.IsNull() {
		return nil
	}
	var diags diag.Diagnostics
	diags.Append(unmarshalJSON("steps", s.ValueString(), into)...)
	if diags.HasError() {
		return fmt.Errorf("%s", diags[0].Detail())
	}
	return nil
}

type rebuildModel struct {
	actionBase
	ConfigDrive types.Object `tfsdk:"config_drive"`
}

// NewDeploymentRebuildAction is baremetal_deployment_rebuild.
func NewDeploymentRebuildAction() action.Action {
	return &nodeAction[rebuildModel, *rebuildModel]{
		name: "deployment_rebuild",
		verb: "rebuild",
		doc: "Reinstalls a deployed node in place with the image it runs (`baremetal node rebuild`): Ironic writes the " +
			"image of its `instance_info` to the disk again, through the same deploy interface, without cleaning; the " +
			"node keeps its UUID, ports and deployment. Everything on the disk that the image does not hold is lost. " +
			"A `protected` node is refused before anything is sent. The next plan of its `baremetal_deployment` is " +
			"empty: the same image runs.",
		timeout: 60 * time.Minute,
		attrs: map[string]schema.Attribute{
			"config_drive": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "A config drive for the rebuilt instance, as the deployment's `config_drive` (Ironic " +
					"keeps none from the first deploy). Not write-only: keep secrets out of `user_data` here.",
				Attributes: map[string]schema.Attribute{
					"user_data":    schema.StringAttribute{Optional: true, MarkdownDescription: configDriveDocs.userData},
					"meta_data":    configDriveJSONAttribute(configDriveDocs.metaData),
					"network_data": configDriveJSONAttribute(configDriveDocs.networkData),
					"vendor_data":  configDriveJSONAttribute(configDriveDocs.vendorData),
				},
			},
		},
		run: func(ctx context.Context, ic *ironic.Client, m *rebuildModel) (*nodes.Node, error) {
			var diags diag.Diagnostics
			drive := configDriveOf(ctx, m.ConfigDrive, &diags)
			if diags.HasError() {
				return nil, fmt.Errorf("config_drive: %s", diags[0].Detail())
			}
			return ic.Rebuild(ctx, m.NodeID.ValueString(), drive)
		},
	}
}
