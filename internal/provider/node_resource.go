package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

var (
	_ resource.ResourceWithIdentity       = (*nodeResource)(nil)
	_ resource.Resource                   = (*nodeResource)(nil)
	_ resource.ResourceWithConfigure      = (*nodeResource)(nil)
	_ resource.ResourceWithImportState    = (*nodeResource)(nil)
	_ resource.ResourceWithValidateConfig = (*nodeResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*nodeResource)(nil)
	_ resource.ResourceWithUpgradeState   = (*nodeResource)(nil)
)

// Deploying and cleaning real hardware takes many minutes; fake-hardware takes seconds.
const (
	defaultNodeTimeout       = 60 * time.Minute
	defaultNodeDeleteTimeout = 30 * time.Minute
)

type nodeResource struct {
	clients *clients
}

type nodeResourceModel struct {
	nodeFields
	nodeLifecycle
	nodeHardware
	nodeApplied
	nodeSecrets
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// record fills the model from Ironic's view of the node; prior is the plan or state it
// replaces (nil at import).
func (m *nodeResourceModel) record(ctx context.Context, n *nodes.Node, prior *nodeResourceModel) diag.Diagnostics {
	var fields *nodeFields
	if prior != nil {
		fields = &prior.nodeFields
	}
	if fields == nil { // an import: no configured secret to unmask, so masked ones are left out
		fields = unsetNodeFields()
	}
	diags := m.nodeFields.fromNode(ctx, n, fields)
	m.nodeHardware.fromNode(ctx, n, &diags)
	return diags
}

// NewNodeResource is the baremetal_node resource.
func NewNodeResource() resource.Resource { return &nodeResource{} }

func (r *nodeResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_node"
}

func (r *nodeResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

// IdentitySchema: the node's UUID.
func (r *nodeResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = uuidIdentity("node")
}

func (r *nodeResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "UUID of the node.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"driver": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "Hardware type, for example `ipmi`, `redfish` or `fake-hardware`. Changing it resets the hardware interfaces you do not set to the new type's defaults.",
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"provision_state": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Current provision state, for example `enroll`, `manageable`, `available`, `active`, `deploy failed`. After a successful apply it equals `target_provision_state` (with `enroll`: wherever the node is).",
			PlanModifiers:       []planmodifier.String{provisionStateFromTarget()},
		},
		"power_state": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Current power state (`power on`, `power off`), null until Ironic has read it.",
			PlanModifiers:       []planmodifier.String{powerStateFromTarget()},
		},
		"last_error": schema.StringAttribute{Computed: true, MarkdownDescription: "The last error Ironic recorded for the node, null when there is none."},
		"created_at": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "When the node was created (RFC 3339).",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"updated_at": schema.StringAttribute{Computed: true, MarkdownDescription: "When the node was last changed (RFC 3339)."},
		"timeouts":   timeoutsAttribute(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
	}
	for name, a := range lifecycleAttributes() {
		attrs[name] = a
	}
	for name, a := range hardwareAttributes() {
		attrs[name] = a
	}
	for name, a := range secretsAttributes() {
		attrs[name] = a
	}
	for name, a := range nodeFieldAttributes() {
		attrs[name] = a
	}
	resp.Schema = nodeSchema(attrs)
}

// nodeSchemaVersion 1 moved deploying to baremetal_deployment (instance_info,
// config_drive, deploy_steps and target active are gone); 2 added the hardware
// configuration (traits, root_device, raid_config, bios_settings, ...); 3 the write-only
// driver_secrets_wo and its version; 4 took maintenance's default away and added
// force_delete; 5 added allow_servicing, shard, parent_node, disable_power_off,
// firmware_updates, runbook and runbook_version; 6 gave each firmware_updates entry a
// version; 7 added boot_mode and secure_boot.
const nodeSchemaVersion = 7

func nodeSchema(attrs map[string]schema.Attribute) schema.Schema {
	return schema.Schema{
		Version: nodeSchemaVersion,
		MarkdownDescription: "A bare-metal machine enrolled in Ironic, as `baremetal node create` does, then driven through " +
			"Ironic's state machine to `target_provision_state` (`manageable` or `available`): the machine, not what runs " +
			"on it. Deploying an image is a `baremetal_deployment`'s job, so a failed deploy never costs the enrollment; " +
			"while a deployment holds the node, this resource leaves its provision state alone. Every attribute but `id` " +
			"can be changed in place where Ironic allows it. Destroy undeploys the node if needed and deletes it, whatever " +
			"state it is in. Default timeouts: 60 minutes for create and update, 30 for delete.",
		Attributes: attrs,
	}
}

func (r *nodeResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan nodeResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ic, ok := r.clients.begin(ctx, plan.Timeouts.Create, defaultNodeTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	uuid := ironic.EnrollmentUUID(plan.Name.ValueString())
	named := !plan.Name.IsNull() && plan.Name.ValueString() != ""
	release, ok := ironic.ClaimEnrollment(uuid)
	if !ok {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Unable to create bare metal node",
			fmt.Sprintf("Another node of this configuration is being created with the name %q: node names are unique.", plan.Name.ValueString()))
		return
	}
	defer release()
	// Enrolled first, looked up only when Ironic has the UUID (or the name) already: one
	// request less per new node than looking first, and the same outcome.
	node, conflict := r.enroll(ctx, ic, req.Config, &plan, uuid, named, &resp.Diagnostics)
	if conflict != nil {
		earlier, err := ic.FindEnrollment(ctx, plan.Name.ValueString(), enrollmentTarget(&plan))
		var exists *ironic.NodeExistsError
		var readErr *ironic.ReadError
		switch {
		case errors.As(err, &exists):
			alreadyExists(&plan, exists.Node, &resp.Diagnostics)
		case errors.As(err, &readErr):
			resp.Diagnostics.AddError("Unable to create bare metal node", fmt.Sprintf("Looking up node %s: %s", uuid, ironic.Message(readErr.Err)))
		case earlier != nil:
			node = r.resume(ctx, ic, req.Config, &plan, earlier, &resp.Diagnostics)
		default: // the name is another node's
			createFailed(&plan, uuid, conflict, &resp.Diagnostics)
		}
	}
	if node == nil {
		return // nothing was enrolled
	}
	if resp.Diagnostics.HasError() && named {
		// Recorded with an error, Terraform would mark the node tainted, and the next apply
		// would delete it and enroll a new one: a new UUID, its ports and history lost. It
		// stays out of the state instead; the next apply finds it by its UUID and goes on.
		resp.Diagnostics.AddError("Bare metal node enrolled, not yet ready",
			fmt.Sprintf("Node %s (%s) is enrolled in Ironic and stopped in provision state %q; the error above says why. "+
				"Once the cause is fixed, the next apply continues with this node: same UUID, nothing enrolled anew (the "+
				"plan shows it as a create and says so). It is not in the Terraform state until then, so a destroy leaves "+
				"it; to give it up, remove it from the configuration and delete it (baremetal node delete %s).",
				plan.Name.ValueString(), node.UUID, node.ProvisionState, node.UUID))
		return
	}
	if resp.Diagnostics.HasError() {
		// Unnamed, a node cannot be found again: it is recorded, also on failure.
		resp.Diagnostics.AddWarning("Unnamed bare metal node recorded as tainted",
			fmt.Sprintf("Node %s has no name, so the next apply cannot find it again to continue: Terraform records it as "+
				"tainted and replaces it (a new UUID). Give nodes a name to have a failed enrollment continued instead.", node.UUID))
	}
	r.clients.noInventoryYet(node)
	prior := plan
	resp.Diagnostics.Append(plan.record(ctx, node, &prior)...)
	recordBoot(ctx, ic, &plan.nodeFields, &resp.Diagnostics)
	plan.BIOSSettings = readBackBIOS(ctx, ic, node.UUID, plan.BIOSSettings, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setID(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

// planEnrollment says at plan time what a create will do with a node an earlier apply
// enrolled under this name: continue it (a warning says so), or refuse it.
func (r *nodeResource) planEnrollment(ctx context.Context, plan *nodeResourceModel, diags *diag.Diagnostics) {
	if plan.Name.IsNull() || plan.Name.IsUnknown() || plan.Name.ValueString() == "" {
		return
	}
	ic, d := r.clients.Ironic(ctx)
	if d.HasError() {
		return // the apply reports it
	}
	earlier, err := ic.FindEnrollment(ctx, plan.Name.ValueString(), enrollmentTarget(plan))
	var exists *ironic.NodeExistsError
	switch {
	case errors.As(err, &exists):
		alreadyExists(plan, exists.Node, diags)
		return
	case err != nil || earlier == nil:
		return // none (or Ironic unreachable: the apply looks again)
	}
	msg := fmt.Sprintf("Node %q (UUID %s) was enrolled by an earlier apply that stopped in provision state %q", plan.Name.ValueString(),
		earlier.UUID, earlier.ProvisionState)
	if earlier.LastError != "" {
		msg += " (Ironic's last_error: " + earlier.LastError + ")"
	}
	diags.AddAttributeWarning(path.Root("name"), "The node's enrollment continues",
		msg+". This create continues with that node: its fields are updated to the configuration and provisioning goes on; "+
			"nothing is enrolled anew and the UUID stays.")
}

// nodeFeatures are the node attributes that need a microversion newer than the oldest
// the provider works with.
var nodeFeatures = append(nodeFieldFeatures(), featureUse{"firmware_updates", "firmware_interface"})

// enrollmentTarget is where the plan leaves a new node: what tells an unfinished
// enrollment from a finished one.
func enrollmentTarget(plan *nodeResourceModel) ironic.EnrollmentTarget {
	t := ironic.EnrollmentTarget{ProvisionState: plan.TargetProvisionState.ValueString()}
	if known(plan.Owner) {
		t.Owner = plan.Owner.ValueString()
	}
	return t
}

// enroll creates the node and brings it to the plan: traits and RAID target,
// provisioning, power, maintenance, hardware configuration. It returns the node as it
// ends, nil when Ironic created nothing. A named node's create that Ironic refuses as a
// conflict (the UUID or the name exists) is returned as conflict, not reported: the
// node may be an earlier apply's unfinished enrollment.
func (r *nodeResource) enroll(ctx context.Context, ic *ironic.Client, config tfsdk.Config, plan *nodeResourceModel, uuid string, named bool, diags *diag.Diagnostics) (node *nodes.Node, conflict error) {
	create := ironic.NodeCreate{"uuid": uuid, "driver": plan.Driver.ValueString()}
	plan.nodeFields.addToCreate(ctx, create, diags)
	addHardware(ctx, create, plan, diags)
	if secrets := configuredSecrets(ctx, config, diags); len(secrets) > 0 {
		info, _ := create["driver_info"].(map[string]any)
		if info == nil {
			info = map[string]any{}
		}
		for k, v := range secrets {
			info[k] = v
		}
		create["driver_info"] = info
		ctx = tflog.MaskLogStrings(ctx, mapValues(secrets)...)
	}
	w := nodeWork(ctx, config, plan, nil, diags)
	if diags.HasError() {
		return nil, nil
	}
	ctx = maskSecrets(ctx, &plan.nodeFields, diags)
	tflog.Debug(ctx, "creating node", map[string]any{"uuid": create["uuid"], "driver": create["driver"]})
	node, err := ic.Enroll(ctx, create, w)
	var ownerErr *ironic.OwnerError
	switch {
	case errors.As(err, &ownerErr):
		diags.AddError("Unable to set the owner of bare metal node", ownerErr.Error())
		plan.Owner = types.StringNull()
		return node, nil
	case node == nil && named && ironic.StatusCode(err) == http.StatusConflict:
		return nil, err
	case node == nil:
		createFailed(plan, uuid, err, diags)
		return nil, nil
	}
	nodeWorkFailed(plan, w, err, diags)
	return node, nil
}

func createFailed(plan *nodeResourceModel, uuid string, err error, diags *diag.Diagnostics) {
	diags.AddError("Unable to create bare metal node",
		fmt.Sprintf("Creating node %s (driver %q) failed: %s", nodeLabel(plan.Name, uuid), plan.Driver.ValueString(), ironic.Message(err)))
}

// resume goes on with a node an earlier apply enrolled under this name and did not
// finish (ironic.FindEnrollment: it is not where the plan says, or Ironic recorded an
// error): the fields are patched to the plan (the fix, such as a corrected BMC address,
// included; secrets sent again) and provisioning continues, as an update would.
func (r *nodeResource) resume(ctx context.Context, ic *ironic.Client, config tfsdk.Config, plan *nodeResourceModel, earlier *nodes.Node, diags *diag.Diagnostics) *nodes.Node {
	tflog.Info(ctx, "continuing the enrollment of a node an earlier apply left unfinished",
		map[string]any{"uuid": earlier.UUID, "provision_state": earlier.ProvisionState, "last_error": earlier.LastError})
	var state nodeResourceModel
	diags.Append(state.record(ctx, earlier, nil)...) // as an import: masked secrets are left out, so sent again
	state.ProvisionState = types.StringValue(earlier.ProvisionState)
	return r.bringToPlan(ctx, ic, config, plan, &state, true, diags)
}

func alreadyExists(plan *nodeResourceModel, earlier *nodes.Node, diags *diag.Diagnostics) {
	diags.AddAttributeError(path.Root("name"), "Bare metal node already exists",
		fmt.Sprintf("Node %q already exists in Ironic (UUID %s, provision state %q), enrolled by this provider under this "+
			"name, and it is not a failed enrollment to continue: another configuration may manage it. To manage it "+
			"here, import it: terraform import <address> %s", plan.Name.ValueString(), earlier.UUID, earlier.ProvisionState, earlier.UUID))
}

func (r *nodeResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var ic *ironic.Client
	get := func(c *ironic.Client, ctx context.Context, id string) (*ironic.BootedNode, error) {
		ic = c
		return r.clients.readBootedNode(ctx, c, id)
	}
	readResource(ctx, r.clients, req, resp, "node", func(m *nodeResourceModel) string { return m.ID.ValueString() }, get,
		func(m *nodeResourceModel, n *ironic.BootedNode) bool {
			refreshNode(ctx, ic, m, &n.Node, &resp.Diagnostics)
			m.nodeFields.fromBoot(n.NodeBoot)
			return true
		})
}

// refreshNode records into m what a read finds: the node as Ironic holds it.
func refreshNode(ctx context.Context, ic *ironic.Client, m *nodeResourceModel, n *nodes.Node, diags *diag.Diagnostics) {
	prior := *m
	diags.Append(m.record(ctx, n, &prior)...)
	m.BIOSSettings = readBIOS(ctx, ic, n.UUID, m.BIOSSettings, diags)
	m.FirmwareUpdates = readFirmware(ctx, ic, n.UUID, m.FirmwareUpdates, diags)
}

func (r *nodeResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state nodeResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ic, ok := r.clients.begin(ctx, plan.Timeouts.Update, defaultNodeTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	rotate := !plan.DriverSecretsWOVersion.Equal(state.DriverSecretsWOVersion) // the secrets are sent again
	node := r.bringToPlan(ctx, ic, req.Config, &plan, &state, rotate, &resp.Diagnostics)
	if node == nil {
		return
	}
	id := node.UUID
	prior := plan
	resp.Diagnostics.Append(plan.record(ctx, node, &prior)...)
	recordBoot(ctx, ic, &plan.nodeFields, &resp.Diagnostics)
	plan.BIOSSettings = readBackBIOS(ctx, ic, id, plan.BIOSSettings, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setID(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

// bringToPlan changes the node that state describes into what plan says: the fields
// patched, traits and RAID target set, provisioning, power and maintenance converged,
// hardware configuration applied. It returns the node as it ends (nil when the patch
// itself was refused); failures are in diags.
func (r *nodeResource) bringToPlan(ctx context.Context, ic *ironic.Client, config tfsdk.Config, plan, state *nodeResourceModel,
	sendSecrets bool, diags *diag.Diagnostics) *nodes.Node {
	ctx = maskSecrets(ctx, &plan.nodeFields, diags)
	ops, driverChanged := nodePatch(ctx, plan, state, diags)
	if sendSecrets {
		secrets := configuredSecrets(ctx, config, diags)
		ctx = tflog.MaskLogStrings(ctx, mapValues(secrets)...)
		ops = append(ops, ironic.NodeUpdateOpts(secretOps(secrets))...)
	}
	w := nodeWork(ctx, config, plan, state, diags)
	if diags.HasError() {
		return nil
	}
	id := state.ID.ValueString()
	tflog.Debug(ctx, "updating node", map[string]any{"uuid": id, "operations": len(ops)})
	node, err := ic.UpdateNode(ctx, id, ops, driverChanged, w)
	if node == nil {
		diags.AddError("Unable to update bare metal node", fmt.Sprintf("Node %s: %s%s", id, ironic.Message(err),
			deployedHint(state.ProvisionState.ValueString())))
		return nil
	}
	nodeWorkFailed(plan, w, err, diags)
	return node
}

// deployedHint explains a refused change of a deployed node.
func deployedHint(state string) string {
	if !ironic.IsDeployed(state) {
		return ""
	}
	return fmt.Sprintf("\n\nThe node is %q: a baremetal_deployment holds it, and Ironic refuses some changes (driver, "+
		"interfaces) until it is undeployed. Nothing was changed; destroy or move the deployment first, or revert the change.", state)
}

// ValidateConfig reports, at plan time, problems that span attributes.
func (r *nodeResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m nodeResourceModel
	resp.Diagnostics.Append(getModel(ctx, req.Config.Schema.Type(), req.Config.Raw, &m, req.Config.Get)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateLifecycle(&m, &resp.Diagnostics)
	validateHardware(ctx, &m, &resp.Diagnostics)
	validateSecrets(&m, &resp.Diagnostics)
	validateBoot(ctx, &m.nodeFields, &resp.Diagnostics)
}

// ModifyPlan marks what Ironic changes by itself in an update as unknown, and says when
// the node's target cannot take effect because a deployment holds it.
func (r *nodeResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	ctx, cancel := r.clients.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	if req.Plan.Raw.Equal(req.State.Raw) {
		return // nothing changes: nothing to check, warn about or settle (most of a fleet's plan)
	}
	var plan, state nodeResourceModel
	resp.Diagnostics.Append(getModel(ctx, req.Plan.Schema.Type(), req.Plan.Raw, &plan, req.Plan.Get)...)
	r.clients.checkFeatures(ctx, req.Config, &resp.Diagnostics, nodeFeatures...)
	if req.State.Raw.IsNull() {
		if !resp.Diagnostics.HasError() {
			r.planHardware(ctx, resp, &plan, nil)
			r.planEnrollment(ctx, &plan, &resp.Diagnostics)
		}
		return // create
	}
	resp.Diagnostics.Append(getModel(ctx, req.State.Schema.Type(), req.State.Raw, &state, req.State.Get)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.planHardware(ctx, resp, &plan, &state)
	r.checkHardware(ctx, &plan, &state, &resp.Diagnostics)
	// When something changes, Ironic stamps the node, and a provisioning move (or the
	// deployment holding the node, in the same apply) may change its states.
	settle := []string{"updated_at", "last_error"}
	cur := state.ProvisionState.ValueString()
	if plan.TargetPowerState.IsNull() || ironic.KeepsPowerState(cur) {
		settle = append(settle, "power_state")
	}
	if ironic.IsDeployed(cur) {
		settle = append(settle, "provision_state")
	}
	resp.Diagnostics.Append(settleComputed(ctx, &resp.Plan, req.State, settle...)...)
	var maintenance types.Bool
	target := plan.TargetProvisionState.ValueString()
	retired := plan.Retired.ValueBool()
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("maintenance"), &maintenance)...)
	if known(plan.TargetProvisionState) && !plan.Retired.IsUnknown() && ironic.RestingState(target, retired) != target {
		resp.Diagnostics.AddAttributeWarning(path.Root("target_provision_state"), "The node is retired",
			fmt.Sprintf("Node %s is retired: Ironic offers it no more (it ends its cleaning in %q and refuses to provide it), "+
				"so target_provision_state %q rests in %q. Set retired = false to return it to %q.",
				state.ID.ValueString(), ironic.StateManageable, target, ironic.StateManageable, target))
	}
	if !plan.TargetProvisionState.IsUnknown() && ironic.MaintenanceHoldsMove(cur, ironic.RestingState(target, retired), state.Maintenance.ValueBool(), maintenance.IsNull()) {
		resp.Diagnostics.AddAttributeWarning(path.Root("maintenance"), "The node is in maintenance",
			fmt.Sprintf("Node %s is in maintenance (%s), set by Ironic or an operator, and the configuration does not manage "+
				"maintenance: the apply leaves it in maintenance and cannot move it to %q. Clear maintenance in Ironic, or "+
				"set maintenance = false to lift it.", state.ID.ValueString(), state.MaintenanceReason.ValueString(), target))
	}
	if !plan.TargetProvisionState.IsUnknown() && ironic.TargetAwaitsTeardown(cur, target, retired) {
		resp.Diagnostics.AddAttributeWarning(path.Root("target_provision_state"), "The node is deployed",
			fmt.Sprintf("Node %s is %q: a deployment holds it, so target_provision_state %q takes effect only once the "+
				"deployment is destroyed (the node is then available). This apply does not move it.", state.ID.ValueString(), cur, target))
	}
}

// nodePatch lists the JSON patch operations that turn state into plan. A value the plan
// does not know (an unset map Ironic owns, such as inspected properties) is never sent.
func nodePatch(ctx context.Context, plan, state *nodeResourceModel, diags *diag.Diagnostics) (nodes.UpdateOpts, bool) {
	b := newPatch(ctx, diags)
	driverChanged := !plan.Driver.Equal(state.Driver)
	if driverChanged {
		b.ops = append(b.ops, ironic.PatchOp{Op: string(nodes.ReplaceOp), Path: "/driver", Value: plan.Driver.ValueString()})
	}
	// An interface left out of the configuration is planned unknown or kept, never null;
	// properties and driver_info go key by key (properties.root_device is another
	// attribute, and driver_info holds secrets Ironic never returns).
	plan.nodeFields.patch(b, &state.nodeFields)
	hardwarePatch(b, &plan.nodeHardware, &state.nodeHardware)
	return ironic.NodeUpdateOpts(b.ops), driverChanged
}

func (r *nodeResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state nodeResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ic, ok := r.clients.begin(ctx, state.Timeouts.Delete, defaultNodeDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	id := state.ID.ValueString()
	tflog.Debug(ctx, "deleting node", map[string]any{"uuid": id})
	if err := ic.Remove(ctx, id, state.ForceDelete.ValueBool()); err != nil {
		detail := fmt.Sprintf("Node %s: %s", id, err)
		if errors.As(err, new(*ironic.TeardownError)) {
			detail += "\n\nThe node stays enrolled and in the Terraform state; the next destroy tries the teardown again. " +
				"Fix the cause (Ironic's last_error says it), or, to decommission hardware that is dead or gone, set " +
				"force_delete = true in an apply, then destroy."
		}
		resp.Diagnostics.AddError("Unable to delete bare metal node", detail)
	}
}

// ImportState accepts a node UUID or name.
func (r *nodeResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctx, cancel := r.clients.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	ic, diags := r.clients.Ironic(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	ident := importedID(ctx, req, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	node, err := ic.GetNode(ctx, ident)
	if err != nil {
		resp.Diagnostics.AddError("Unable to import bare metal node",
			fmt.Sprintf("No node with UUID or name %q: %s", ident, ironic.Message(err)))
		return
	}
	m := importedNode(ctx, node, &resp.Diagnostics)
	maskedSecretsWarning(node, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	setID(ctx, resp.Identity, m.ID, &resp.Diagnostics)
}

// importedNode is what an import records of a node.
func importedNode(ctx context.Context, node *nodes.Node, diags *diag.Diagnostics) nodeResourceModel {
	var m nodeResourceModel
	diags.Append(m.record(ctx, node, nil)...)
	m.ApplyRAIDConfig, m.ForceDelete, m.AllowServicing = types.BoolValue(false), types.BoolValue(false), types.BoolValue(false)
	m.BIOSSettings = types.MapNull(types.StringType)
	m.FirmwareUpdates = types.ListNull(firmwareUpdateType)
	m.DriverSecretsWO, m.DriverSecretsWOVersion = types.MapNull(types.StringType), types.Int64Null()
	m.Timeouts = nullTimeouts("create", "update", "delete")
	m.TargetProvisionState = types.StringValue(ironic.ImportedTarget(node.ProvisionState))
	return m
}

func nodeLabel(name types.String, uuid string) string {
	if !name.IsNull() && !name.IsUnknown() {
		return fmt.Sprintf("%q (%s)", name.ValueString(), uuid)
	}
	return uuid
}

func setIfKnown(m map[string]any, key string, v types.String) {
	if !v.IsNull() && !v.IsUnknown() {
		m[key] = v.ValueString()
	}
}
