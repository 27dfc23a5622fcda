package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// Power states a node can be asked for.
var powerStates = []string{"power on", "power off"}

// nodeLifecycle are the resource's provisioning inputs (the data source has none).
type nodeLifecycle struct {
	TargetProvisionState types.String `tfsdk:"target_provision_state"`
	TargetPowerState     types.String `tfsdk:"target_power_state"`
	ConfigDrive          types.Object `tfsdk:"config_drive"`
	DeploySteps          types.String `tfsdk:"deploy_steps"`
	CleanSteps           types.String `tfsdk:"clean_steps"`
	Inspect              types.Bool   `tfsdk:"inspect"`
}

type configDriveModel struct {
	UserData    types.String `tfsdk:"user_data"`
	MetaData    types.Map    `tfsdk:"meta_data"`
	NetworkData types.String `tfsdk:"network_data"`
}

func lifecycleAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"target_provision_state": schema.StringAttribute{
			Optional: true,
			Computed: true,
			Default:  stringdefault.StaticString(ironic.StateEnroll),
			MarkdownDescription: "Provision state to drive the node to: " + quotedList(ironic.TargetStates) + ". Default `enroll`: " +
				"what `baremetal node create` does, and no provisioning action afterwards. Create and update walk the " +
				"transitions in between (manage, provide, deploy, undeploy) and wait for each; a failed one reports Ironic's " +
				"`last_error`, and the next apply continues from where the node stopped. `active` deploys `instance_info`. " +
				"Going back to `enroll` replaces the node, since Ironic cannot return a node there.",
			Validators: []validator.String{stringvalidator.OneOf(ironic.TargetStates...)},
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(backToEnroll,
				"Returning to enroll replaces the node.", "Returning to `enroll` replaces the node.")},
		},
		"target_power_state": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Power state to keep the node in after provisioning: " + quotedList(powerStates) +
				". Unset: left as provisioning leaves it.",
			Validators: []validator.String{stringvalidator.OneOf(powerStates...)},
		},
		"maintenance": schema.BoolAttribute{
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(false),
			MarkdownDescription: "Whether the node is in maintenance mode (Ironic then leaves it alone). Default `false`. It is lifted before provisioning actions and set after them.",
		},
		"maintenance_reason": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Why the node is in maintenance mode; only with `maintenance = true`.",
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"instance_info": schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "What to deploy when `target_provision_state = \"active\"`: `image_source` with `image_checksum` " +
				"(and `image_os_hash_algo`), typically the `url`, `checksum` and `checksum_algorithm` of a `baremetal_image`; " +
				"also `root_gb`, `kernel`, `ramdisk`, `capabilities`... Changing it on an active node rebuilds the node " +
				"(redeploys it; the plan warns). Keys Ironic adds itself while deploying are not tracked.",
		},
		"config_drive": schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "Config drive built by Ironic at deploy and rebuild time (sent as JSON, API 1.56 or newer). " +
				"Changing it on an active node rebuilds the node.",
			Attributes: map[string]schema.Attribute{
				"user_data": schema.StringAttribute{Optional: true, Sensitive: true,
					MarkdownDescription: "User data, for example a cloud-init document."},
				"meta_data": schema.MapAttribute{ElementType: types.StringType, Optional: true,
					MarkdownDescription: "Meta data, such as `hostname` and `public_keys`."},
				"network_data": schema.StringAttribute{Optional: true,
					MarkdownDescription: "Network data as a JSON document (`jsonencode({...})`), in OpenStack's `network_data.json` format.",
					Validators:          []validator.String{jsonText("an object")}},
			},
		},
		"deploy_steps": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Deploy steps for deploy and rebuild, as a JSON list (`jsonencode([{interface = \"deploy\", " +
				"step = \"...\", args = {}, priority = 90}])`).",
			Validators: []validator.String{jsonText("a list")},
		},
		"clean_steps": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Manual cleaning steps, as a JSON list (`jsonencode([{interface = \"deploy\", step = " +
				"\"erase_devices_metadata\"}])`), run when the node passes through `manageable` in an apply (for example on " +
				"its way to `available`). Manual cleaning ends in `manageable`.",
			Validators: []validator.String{jsonText("a list")},
		},
		"inspect": schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "Inspect the node (hardware introspection) when it passes through `manageable` in an apply, " +
				"before any cleaning. Default `false`.",
		},
	}
}

func backToEnroll(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = req.PlanValue.ValueString() == ironic.StateEnroll && !req.StateValue.IsNull() &&
		req.StateValue.ValueString() != ironic.StateEnroll
}

// followTarget plans a computed state as the target attribute that drives it, so the
// plan shows where the node will be, and an out-of-band change (someone undeployed the
// node) shows in the plan and is corrected. A target equal to idle means "leave the node
// where it is": the state's value stays.
type followTarget struct{ target, idle string }

// provisionStateFromTarget: provision_state follows target_provision_state; with enroll
// the node is left where it is.
func provisionStateFromTarget() followTarget {
	return followTarget{target: "target_provision_state", idle: ironic.StateEnroll}
}

// powerStateFromTarget: power_state follows target_power_state when one is set.
func powerStateFromTarget() followTarget { return followTarget{target: "target_power_state"} }

func (f followTarget) Description(context.Context) string {
	return "The state the node is driven to: " + f.target + "."
}
func (f followTarget) MarkdownDescription(ctx context.Context) string { return f.Description(ctx) }

func (f followTarget) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	var target types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(f.target), &target)...)
	switch {
	case target.IsUnknown() || target.IsNull():
	case f.idle == "" || target.ValueString() != f.idle:
		resp.PlanValue = target
	case req.StateValue.IsNull():
		resp.PlanValue = target
	default:
		resp.PlanValue = req.StateValue
	}
}

// jsonText validates a JSON document of the given kind ("a list" or "an object").
func jsonText(kind string) validator.String {
	return stringCheck{"must be JSON: " + kind, "Invalid JSON", func(s string) error {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return fmt.Errorf("not valid JSON (%v); build it with jsonencode()", err)
		}
		_, isList := v.([]any)
		_, isObject := v.(map[string]any)
		if (kind == "a list" && !isList) || (kind == "an object" && !isObject) {
			return fmt.Errorf("must be a JSON %s", strings.TrimPrefix(strings.TrimPrefix(kind, "an "), "a "))
		}
		return nil
	}}
}

// validateLifecycle checks at plan time what depends on several attributes.
func validateLifecycle(ctx context.Context, m *nodeResourceModel, diags *diag.Diagnostics) {
	if !m.MaintenanceReason.IsNull() && !m.MaintenanceReason.IsUnknown() && !m.Maintenance.IsUnknown() && !m.Maintenance.ValueBool() {
		diags.AddAttributeError(path.Root("maintenance_reason"), "maintenance_reason without maintenance",
			"maintenance_reason is only kept while maintenance = true.")
	}
	for name, v := range map[string]types.String{"deploy_steps": m.DeploySteps, "clean_steps": m.CleanSteps} {
		if v.IsNull() || v.IsUnknown() {
			continue
		}
		var steps []map[string]any
		if json.Unmarshal([]byte(v.ValueString()), &steps) != nil {
			continue // jsonText reports it
		}
		for i, s := range steps {
			if _, ok := s["interface"].(string); !ok {
				diags.AddAttributeError(path.Root(name), "Invalid "+name, fmt.Sprintf("step %d has no \"interface\".", i))
			}
			if _, ok := s["step"].(string); !ok {
				diags.AddAttributeError(path.Root(name), "Invalid "+name, fmt.Sprintf("step %d has no \"step\".", i))
			}
		}
	}
	if m.TargetProvisionState.ValueString() != ironic.StateActive || m.InstanceInfo.IsNull() || m.InstanceInfo.IsUnknown() {
		return
	}
	// As the enrollment guide says: direct deploy of an http(s) image needs its checksum.
	elems := m.InstanceInfo.Elements()
	source, ok := elems["image_source"].(types.String)
	if !ok || source.IsUnknown() {
		return
	}
	u, err := url.Parse(source.ValueString())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return
	}
	if _, ok := elems["image_checksum"]; ok {
		return
	}
	if _, ok := elems["image_os_hash_value"]; ok {
		return
	}
	diags.AddAttributeError(path.Root("instance_info"), "Missing image checksum",
		fmt.Sprintf("Deploying the http(s) image %s needs instance_info.image_checksum (Ironic verifies the download with it). "+
			"Let a baremetal_image fetch it and compute it:\n\n"+
			"  image_source       = baremetal_image.os.url\n  image_checksum     = baremetal_image.os.checksum\n"+
			"  image_os_hash_algo = baremetal_image.os.checksum_algorithm", source.ValueString()))
}

// goal turns the plan into what the provisioning engine should reach.
func goal(ctx context.Context, plan, state *nodeResourceModel, diags *diag.Diagnostics) ironic.Goal {
	g := ironic.Goal{State: plan.TargetProvisionState.ValueString(), Inspect: plan.Inspect.ValueBool()}
	if s := plan.CleanSteps.ValueString(); s != "" {
		diags.Append(unmarshalJSON("clean_steps", s, &g.CleanSteps)...)
	}
	if s := plan.DeploySteps.ValueString(); s != "" {
		diags.Append(unmarshalJSON("deploy_steps", s, &g.DeploySteps)...)
	}
	if !plan.ConfigDrive.IsNull() && !plan.ConfigDrive.IsUnknown() {
		var cd configDriveModel
		diags.Append(plan.ConfigDrive.As(ctx, &cd, objectAsOptions)...)
		drive := nodes.ConfigDrive{MetaData: ironic.AnyMap(stringMap(ctx, cd.MetaData, diags))}
		if !cd.UserData.IsNull() {
			drive.UserData = cd.UserData.ValueString()
		}
		if s := cd.NetworkData.ValueString(); s != "" {
			diags.Append(unmarshalJSON("config_drive.network_data", s, &drive.NetworkData)...)
		}
		g.ConfigDrive = drive
	}
	if state != nil && state.ProvisionState.ValueString() == ironic.StateActive {
		g.Rebuild = !plan.InstanceInfo.Equal(state.InstanceInfo) || !plan.ConfigDrive.Equal(state.ConfigDrive) ||
			!plan.DeploySteps.Equal(state.DeploySteps)
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

// converge brings the node from where it is (node, as Ironic last reported it) to the
// plan: maintenance off first, provisioning, instance_info restored where an undeploy
// cleared it, power, maintenance on. It returns the node as it ends, also on failure,
// so the state records where it stopped.
func converge(ctx context.Context, sc *gophercloud.ServiceClient, node *nodes.Node, plan *nodeResourceModel, g ironic.Goal, diags *diag.Diagnostics) *nodes.Node {
	prov := ironic.NewProvisioner(sc, logDebug)
	id := node.UUID
	stale := false // a maintenance call changed the node after it was last read
	var err error
	wantMaintenance := plan.Maintenance.ValueBool()
	if node.Maintenance && (!wantMaintenance || needsMove(node, g)) {
		if err := nodes.UnsetMaintenance(ctx, sc, id).ExtractErr(); err != nil {
			diags.AddError("Unable to lift maintenance", fmt.Sprintf("Node %s: %s", id, ironic.Message(err)))
			return node
		}
		stale = true
	}
	if needsMove(node, g) {
		tflog.Info(ctx, "provisioning node", map[string]any{"node": id, "from": node.ProvisionState, "to": g.State, "rebuild": g.Rebuild})
		if node, err = prov.Reach(ctx, id, g); err != nil {
			diags.AddError("Unable to provision bare metal node", provisionDetail(err))
			return refetch(ctx, sc, id, node)
		}
		stale = false
	}
	if node, err = ensureInstanceInfo(ctx, sc, node, plan, diags); err != nil {
		return node
	}
	if t := plan.TargetPowerState.ValueString(); t != "" && node.PowerState != t {
		if node, err = prov.SetPower(ctx, id, t); err != nil {
			diags.AddError("Unable to change the power state of bare metal node", err.Error())
			return refetch(ctx, sc, id, node)
		}
	}
	if wantMaintenance {
		reason := plan.MaintenanceReason.ValueString()
		if !node.Maintenance || node.MaintenanceReason != reason {
			if err := nodes.SetMaintenance(ctx, sc, id, nodes.MaintenanceOpts{Reason: reason}).ExtractErr(); err != nil {
				diags.AddError("Unable to set maintenance", fmt.Sprintf("Node %s: %s", id, ironic.Message(err)))
			}
			stale = true
		}
	}
	if stale {
		return refetch(ctx, sc, id, node)
	}
	return node
}

func needsMove(n *nodes.Node, g ironic.Goal) bool {
	if g.State == ironic.StateEnroll {
		return false // enroll means: no provisioning actions
	}
	return n.ProvisionState != g.State || g.Rebuild || !ironic.Settled(n)
}

// ensureInstanceInfo writes instance_info when Ironic does not hold what is configured
// (an undeploy clears it).
func ensureInstanceInfo(ctx context.Context, sc *gophercloud.ServiceClient, n *nodes.Node, plan *nodeResourceModel, diags *diag.Diagnostics) (*nodes.Node, error) {
	want := stringMap(ctx, plan.InstanceInfo, diags)
	have := ironic.StringMap(n.InstanceInfo)
	missing := false
	for k, v := range want {
		if hv, ok := have[k]; !ok || (hv != v && hv != ironic.Masked) {
			missing = true
		}
	}
	if !missing {
		return n, nil
	}
	updated, err := nodes.Update(ctx, sc, n.UUID, nodes.UpdateOpts{
		nodes.UpdateOperation{Op: nodes.AddOp, Path: "/instance_info", Value: ironic.AnyMap(want)},
	}).Extract()
	if err != nil {
		diags.AddError("Unable to set instance_info", fmt.Sprintf("Node %s: %s", n.UUID, ironic.Message(err)))
		return n, err
	}
	return updated, nil
}

func refetch(ctx context.Context, sc *gophercloud.ServiceClient, id string, fallback *nodes.Node) *nodes.Node {
	// A fresh context: the operation's own may have run out, and the state should still
	// record where the node stopped.
	n, err := nodes.Get(context.WithoutCancel(ctx), sc, id).Extract()
	if err != nil {
		return fallback
	}
	return n
}

func provisionDetail(err error) string {
	return fmt.Sprintf("%s\n\nRun apply again to continue from this state once the cause is fixed; "+
		"Ironic's last_error is in the node's last_error attribute.", err)
}

// warnRebuild tells in the plan that an active node will be redeployed.
func warnRebuild(ctx context.Context, plan, state *nodeResourceModel, resp *resource.ModifyPlanResponse) {
	if state.ProvisionState.ValueString() != ironic.StateActive || plan.TargetProvisionState.ValueString() != ironic.StateActive {
		return
	}
	var diags diag.Diagnostics
	if g := goal(ctx, plan, state, &diags); g.Rebuild {
		when := "change: the apply redeploys it"
		if !fullyKnown(plan.InstanceInfo) || !fullyKnown(plan.ConfigDrive) || plan.DeploySteps.IsUnknown() {
			when = "may change (values known only at apply, such as a replaced image's checksum): if they do, the apply redeploys it"
		}
		resp.Diagnostics.AddAttributeWarning(path.Root("instance_info"), "The node will be rebuilt",
			fmt.Sprintf("Node %s is active and its instance_info, config_drive or deploy_steps %s "+
				"(Ironic's rebuild), which overwrites its disk.", state.ID.ValueString(), when))
	}
}

var objectAsOptions = basetypes.ObjectAsOptions{}

var configDriveAttrTypes = map[string]attr.Type{
	"user_data": types.StringType, "meta_data": types.MapType{ElemType: types.StringType}, "network_data": types.StringType,
}

// fullyKnown reports whether a value and everything inside it is known.
func fullyKnown(v attr.Value) bool {
	if v.IsUnknown() {
		return false
	}
	switch t := v.(type) {
	case types.Map:
		for _, e := range t.Elements() {
			if !fullyKnown(e) {
				return false
			}
		}
	case types.Object:
		for _, e := range t.Attributes() {
			if !fullyKnown(e) {
				return false
			}
		}
	}
	return true
}
