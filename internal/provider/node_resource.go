package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

var (
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
	var hw *nodeHardware
	if prior != nil {
		fields, hw = &prior.nodeFields, &prior.nodeHardware
	}
	if fields == nil { // an import: no configured secret to unmask, so masked ones are left out
		null := types.MapNull(types.StringType)
		fields = &nodeFields{DriverInfo: null, Properties: null, Extra: null}
	}
	diags := m.nodeFields.fromNode(ctx, n, fields)
	m.nodeHardware.fromNode(ctx, n, hw, &diags)
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
		"driver_info": schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true,
			Computed:    true,
			Sensitive:   true,
			MarkdownDescription: "Driver settings, such as `ipmi_address`, `ipmi_username`, `ipmi_password`, `deploy_kernel` and " +
				"`deploy_ramdisk`. Sensitive as a whole: it carries BMC credentials. Ironic returns secrets masked (`******`); " +
				"the configured value is kept for those, and any other value changed outside Terraform shows as drift. " +
				"When not set, Terraform leaves it as Ironic holds it: an adopted node keeps its BMC settings even though " +
				"`-generate-config-out` writes this sensitive map as `null`. Set `{}` to empty it.",
			// Unset is "not managed", never "remove": removing it would cut the node off its BMC.
			PlanModifiers: []planmodifier.Map{mapplanmodifier.UseStateForUnknown()},
		},
		"properties": schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true,
			Computed:    true,
			MarkdownDescription: "Physical properties used for scheduling and deployment, for example `capabilities = \"boot_mode:uefi\"`, " +
				"`cpu_arch`, `memory_mb`. When set, the map is authoritative. When not set, Ironic owns it (inspection fills it " +
				"in) and the provider reports what Ironic holds.",
			PlanModifiers: []planmodifier.Map{useStateUnlessInspecting()},
		},
		"extra": schema.MapAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "Free-form metadata.",
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
	for _, a := range nodeOptionalStringDocs {
		attrs[a.name] = schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: a.doc,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		}
	}
	// Under Keystone, Ironic records the creating project as the owner when none is
	// given: unset, the owner is Ironic's to fill, never an inconsistent result or drift.
	attrs["owner"] = schema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "Project that owns the node. Unset: whatever Ironic records (under Keystone, the project " +
			"that created the node), kept as it is.",
		Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	for _, name := range nodeInterfaceNames {
		attrs[name+"_interface"] = schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: fmt.Sprintf("The %s interface, for example `%s`. Defaults to the hardware type's default, "+
				"which is what Ironic reports when unset.", name, exampleInterface(name)),
			Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
			PlanModifiers: []planmodifier.String{useStateUnlessDriverChanges()},
		}
	}
	resp.Schema = nodeSchema(attrs)
}

// nodeSchemaVersion 1 moved deploying to baremetal_deployment (instance_info,
// config_drive, deploy_steps and target active are gone); 2 added the hardware
// configuration (traits, root_device, raid_config, bios_settings, ...); 3 the write-only
// driver_secrets_wo and its version.
const nodeSchemaVersion = 3

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

func exampleInterface(name string) string {
	switch name {
	case "power", "management":
		return "ipmitool"
	case "deploy":
		return "direct"
	case "boot":
		return "pxe"
	case "network":
		return "noop"
	default:
		return "no-" + name
	}
}

func (r *nodeResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan nodeResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, sc, ok := r.clients.begin(ctx, plan.Timeouts.Create, defaultNodeTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	create := ironic.NodeCreate{"uuid": ironic.NewUUID(), "driver": plan.Driver.ValueString()}
	for name, f := range plan.optionalStrings() {
		setIfKnown(create, name, *f)
	}
	for name, f := range plan.interfaces() {
		setIfKnown(create, name, *f)
	}
	for name, f := range plan.maps() {
		if m := stringMap(ctx, *f, &resp.Diagnostics); m != nil {
			create[name] = ironic.AnyMap(m)
		}
	}
	addHardware(ctx, create, &plan, &resp.Diagnostics)
	if secrets := configuredSecrets(ctx, req.Config, &resp.Diagnostics); len(secrets) > 0 {
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
	steps, raid := hardwareSteps(ctx, &plan, nil, &resp.Diagnostics)
	g := nodeGoal(&plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = maskSecrets(ctx, &plan.nodeFields, &resp.Diagnostics)
	tflog.Debug(ctx, "creating node", map[string]any{"uuid": create["uuid"], "driver": create["driver"]})
	node, err := ironic.EnrollNode(ctx, sc, r.clients.cfg.Retry, create)
	var ownerErr *ironic.OwnerError
	switch {
	case errors.As(err, &ownerErr):
		// Kept in state so that nothing is lost; the next apply sets the owner.
		resp.Diagnostics.AddError("Unable to set the owner of bare metal node", err.Error())
		plan.Owner = types.StringNull()
	case err != nil:
		resp.Diagnostics.AddError("Unable to create bare metal node",
			fmt.Sprintf("Creating node %s (driver %q) failed: %s", nodeLabel(plan.Name, create["uuid"].(string)), plan.Driver.ValueString(), ironic.Message(err)))
		return
	default:
		stale := setTraitsAndRAID(ctx, sc, node.UUID, &plan.nodeHardware, nil, &resp.Diagnostics)
		node = convergeNode(ctx, ironic.NewProvisioner(sc, logDebug), node, g, &resp.Diagnostics)
		if !resp.Diagnostics.HasError() {
			node = applyHardware(ctx, sc, node, steps, raid, map[string]any{}, &plan, &resp.Diagnostics)
		}
		node = refreshNode(ctx, sc, node, stale)
	}
	// Saved also on failure: the node exists, and Terraform must know it to retry or destroy it.
	prior := plan
	resp.Diagnostics.Append(plan.record(ctx, node, &prior)...)
	plan.BIOSSettings = readBIOS(ctx, sc, node.UUID, plan.BIOSSettings, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// refreshNode reads the node again when calls changed it behind the last read (traits,
// RAID target, when no later step read it anew); on failure the last read stands.
func refreshNode(ctx context.Context, sc *gophercloud.ServiceClient, node *nodes.Node, stale bool) *nodes.Node {
	if !stale {
		return node
	}
	if n, err := ironic.GetNode(context.WithoutCancel(ctx), sc, node.UUID); err == nil {
		return n
	}
	return node
}

func (r *nodeResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var sc *gophercloud.ServiceClient
	get := func(ctx context.Context, c *gophercloud.ServiceClient, id string) (*nodes.Node, error) {
		sc = c
		return r.clients.readNode(ctx, c, id)
	}
	readResource(ctx, r.clients, req, resp, "node", func(m *nodeResourceModel) string { return m.ID.ValueString() }, get,
		func(m *nodeResourceModel, n *nodes.Node) bool {
			prior := *m
			resp.Diagnostics.Append(m.record(ctx, n, &prior)...)
			m.BIOSSettings = readBIOS(ctx, sc, n.UUID, m.BIOSSettings, &resp.Diagnostics)
			return true
		})
}

func (r *nodeResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state nodeResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, sc, ok := r.clients.begin(ctx, plan.Timeouts.Update, defaultNodeTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	ctx = maskSecrets(ctx, &plan.nodeFields, &resp.Diagnostics)
	ops, driverChanged := nodePatch(ctx, &plan, &state, &resp.Diagnostics)
	if !plan.DriverSecretsWOVersion.Equal(state.DriverSecretsWOVersion) { // rotation: the secrets are sent again
		secrets := configuredSecrets(ctx, req.Config, &resp.Diagnostics)
		ctx = tflog.MaskLogStrings(ctx, mapValues(secrets)...)
		ops = append(ops, ironic.NodeUpdateOpts(secretOps(secrets))...)
	}
	steps, raid := hardwareSteps(ctx, &plan, &state, &resp.Diagnostics)
	g := nodeGoal(&plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	tflog.Debug(ctx, "updating node", map[string]any{"uuid": id, "operations": len(ops)})
	node, err := ironic.PatchNodeSafely(ctx, sc, id, ops, driverChanged)
	if err != nil {
		resp.Diagnostics.AddError("Unable to update bare metal node", fmt.Sprintf("Node %s: %s%s", id, ironic.Message(err),
			deployedHint(state.ProvisionState.ValueString())))
		return
	}
	stale := setTraitsAndRAID(ctx, sc, id, &plan.nodeHardware, &state.nodeHardware, &resp.Diagnostics)
	node = convergeNode(ctx, ironic.NewProvisioner(sc, logDebug), node, g, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		node = applyHardware(ctx, sc, node, steps, raid, raidConfigOf(ctx, state.RAIDConfig, &resp.Diagnostics), &plan, &resp.Diagnostics)
	}
	node = refreshNode(ctx, sc, node, stale)
	prior := plan
	resp.Diagnostics.Append(plan.record(ctx, node, &prior)...)
	plan.BIOSSettings = readBIOS(ctx, sc, id, plan.BIOSSettings, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
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
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateLifecycle(&m, &resp.Diagnostics)
	validateHardware(ctx, &m, &resp.Diagnostics)
	validateSecrets(&m, &resp.Diagnostics)
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
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if req.State.Raw.IsNull() {
		if !resp.Diagnostics.HasError() {
			r.planHardware(ctx, resp, &plan, nil)
		}
		return // create
	}
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.planHardware(ctx, resp, &plan, &state)
	r.checkHardware(ctx, &plan, &state, &resp.Diagnostics)
	// When something changes, Ironic stamps the node, and a provisioning move (or the
	// deployment holding the node, in the same apply) may change its states.
	settle := []string{"updated_at", "last_error"}
	deployed := ironic.IsDeployed(state.ProvisionState.ValueString())
	if plan.TargetPowerState.IsNull() || deployed {
		settle = append(settle, "power_state")
	}
	if deployed {
		settle = append(settle, "provision_state")
	}
	resp.Diagnostics.Append(settleComputed(ctx, &resp.Plan, req.State, settle...)...)
	cur, target := state.ProvisionState.ValueString(), plan.TargetProvisionState.ValueString()
	if ironic.IsDeployed(cur) && target != ironic.StateAvailable && target != ironic.StateEnroll && !plan.TargetProvisionState.IsUnknown() {
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
	stateStrings := state.optionalStrings()
	for name, f := range plan.optionalStrings() {
		b.str(name, *f, *stateStrings[name])
	}
	// An interface left out of the configuration is planned unknown or kept, never null.
	stateIfaces := state.interfaces()
	for name, f := range plan.interfaces() {
		b.str(name, *f, *stateIfaces[name])
	}
	stateMaps := state.maps()
	for name, f := range plan.maps() {
		// Key by key: properties.root_device is another attribute, and driver_info holds
		// secrets Ironic never returns (write-only ones, or set before an import).
		if name == "properties" || name == "driver_info" {
			b.mapKeys(name, *f, *stateMaps[name])
			continue
		}
		b.strMap(name, *f, *stateMaps[name])
	}
	hardwarePatch(b, &plan.nodeHardware, &state.nodeHardware)
	return ironic.NodeUpdateOpts(b.ops), driverChanged
}

func (r *nodeResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state nodeResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, sc, ok := r.clients.begin(ctx, state.Timeouts.Delete, defaultNodeDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	id := state.ID.ValueString()
	tflog.Debug(ctx, "deleting node", map[string]any{"uuid": id})
	if err := ironic.NewProvisioner(sc, logDebug).Remove(ctx, id); err != nil {
		resp.Diagnostics.AddError("Unable to delete bare metal node", fmt.Sprintf("Node %s: %s", id, err))
	}
}

// ImportState accepts a node UUID or name.
func (r *nodeResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctx, cancel := r.clients.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	sc, diags := r.clients.Ironic(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	node, err := ironic.GetNode(ctx, sc, req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to import bare metal node",
			fmt.Sprintf("No node with UUID or name %q: %s", req.ID, ironic.Message(err)))
		return
	}
	var m nodeResourceModel
	resp.Diagnostics.Append(m.record(ctx, node, nil)...)
	m.ApplyRAIDConfig = types.BoolValue(false)
	m.BIOSSettings = types.MapNull(types.StringType)
	m.DriverSecretsWO, m.DriverSecretsWOVersion = types.MapNull(types.StringType), types.Int64Null()
	m.Timeouts = nullTimeouts("create", "update", "delete")
	m.TargetProvisionState = types.StringValue(importedTarget(node.ProvisionState))
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// importedTarget is the target an imported node plans as unchanged: where it rests, and
// available for a node a deployment holds (that is where the deployment leaves it).
func importedTarget(state string) string {
	switch {
	case slices.Contains(nodeTargetStates, state):
		return state
	case ironic.IsDeployed(state):
		return ironic.StateAvailable
	}
	return ironic.StateEnroll
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
