package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

var (
	_ resource.ResourceWithIdentity     = (*deploymentResource)(nil)
	_ resource.Resource                 = (*deploymentResource)(nil)
	_ resource.ResourceWithConfigure    = (*deploymentResource)(nil)
	_ resource.ResourceWithImportState  = (*deploymentResource)(nil)
	_ resource.ResourceWithModifyPlan   = (*deploymentResource)(nil)
	_ resource.ResourceWithUpgradeState = (*deploymentResource)(nil)
)

// A real deploy writes a disk image and reboots: many minutes. Undeploying may clean.
const (
	defaultDeployTimeout   = 60 * time.Minute
	defaultUndeployTimeout = 60 * time.Minute
)

// privateAdopted marks a deployment that was imported: Ironic does not return the
// config drive or deploy steps it was deployed with, so the first configured ones are
// recorded without a rebuild.
const privateAdopted = "adopted"

type deploymentResource struct {
	clients *clients
}

type deploymentResourceModel struct {
	ID              types.String   `tfsdk:"id"`
	NodeID          types.String   `tfsdk:"node_id"`
	InstanceInfo    types.Map      `tfsdk:"instance_info"`
	ConfigDrive     types.Object   `tfsdk:"config_drive"`
	DeploySteps     types.String   `tfsdk:"deploy_steps"`
	AllowRebuild    types.Bool     `tfsdk:"allow_rebuild"`
	ProvisionState  types.String   `tfsdk:"provision_state"`
	LastError       types.String   `tfsdk:"last_error"`
	Protected       types.Bool     `tfsdk:"protected"`
	ProtectedReason types.String   `tfsdk:"protected_reason"`
	Adopt           types.Bool     `tfsdk:"adopt"`
	OnDestroy       types.String   `tfsdk:"on_destroy"`
	PullSecretWO    types.String   `tfsdk:"image_pull_secret_wo"`
	Timeouts        timeouts.Value `tfsdk:"timeouts"`
}

type configDriveModel struct {
	UserData    types.String `tfsdk:"user_data"`
	MetaData    types.String `tfsdk:"meta_data"`
	NetworkData types.String `tfsdk:"network_data"`
	VendorData  types.String `tfsdk:"vendor_data"`
}

var configDriveAttrTypes = map[string]attr.Type{
	"user_data": types.StringType, "meta_data": types.StringType, "network_data": types.StringType, "vendor_data": types.StringType,
}

// NewDeploymentResource is the baremetal_deployment resource.
func NewDeploymentResource() resource.Resource { return &deploymentResource{} }

func (r *deploymentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_deployment"
}

func (r *deploymentResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

// IdentitySchema: the deployed node's UUID.
func (r *deploymentResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = uuidIdentity("deployed node")
}

func (r *deploymentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	defer func() {
		for k, a := range protectionAttributes() {
			resp.Schema.Attributes[k] = a
		}
		for k, a := range adoptionAttributes() {
			resp.Schema.Attributes[k] = a
		}
		resp.Schema.Attributes["image_pull_secret_wo"] = pullSecretAttribute(pullSecretForDeployment)
	}()
	resp.Schema = schema.Schema{
		Version: 3, // 1 added protected and protected_reason; 2 adopt and on_destroy; 3 config_drive's JSON meta_data and vendor_data
		MarkdownDescription: "What runs on a bare-metal node: an image deployed by Ironic (`baremetal node deploy`). Create " +
			"deploys the node (from `available`, or from `deploy failed` after an earlier try) and waits until it is " +
			"`active`; destroy undeploys it back to `available`. With `adopt = true` it takes over a machine Ironic never " +
			"deployed instead (Ironic's adopt: nothing written to the disk, no reboot), and destroying it needs " +
			"`on_destroy`. A failed deploy costs only the deployment: the node's " +
			"enrollment, UUID and ports stay. Changing `instance_info`, `config_drive` or `deploy_steps` rebuilds the " +
			"node (Ironic's rebuild overwrites its disk): the plan says so, and `allow_rebuild = false` turns such a " +
			"change into a plan-time error. Import by node UUID or name adopts a node deployed by other means without " +
			"touching it. Default timeouts: 60 minutes for create, update and delete.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "UUID of the deployed node.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"node_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "UUID (or name) of the node to deploy: `baremetal_node.<name>.id`, or " +
					"`baremetal_allocation.<name>.node_id` to let Ironic pick one. Changing it replaces the deployment " +
					"(the old node is undeployed).",
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"instance_info": schema.MapAttribute{
				ElementType: types.StringType,
				Required:    true,
				MarkdownDescription: "What to deploy: `image_source` with its checksum, `image_checksum` (md5) or " +
					"`image_os_hash_algo` with `image_os_hash_value`; typically `baremetal_image.<name>.instance_info`, which " +
					"holds exactly those, or `merge()` of it with keys of your own: `root_gb`, `kernel`, `ramdisk`, " +
					"`capabilities`, `image_download_source`, and `traits` (a JSON list, `jsonencode([...])`: the node traits " +
					"this deployment asks for, which select `baremetal_deploy_template`s)... Keys Ironic adds by itself while " +
					"deploying (`image_type`, ...) are never drift. The image keys Ironic rewrites while caching or converting " +
					"an image (`image_checksum`, `image_os_hash_algo`, `image_os_hash_value`, `image_url`, `image_disk_format`) " +
					"are compared by meaning, the same image bytes; the other keys you configure are compared exactly. " +
					"Changing it rebuilds the node. A live ISO or ramdisk that writes no disk (a node whose deploy interface " +
					"is `ramdisk`) takes `boot_iso` (`baremetal_image.<name>.url`) or `kernel` and `ramdisk` instead of " +
					"`image_source`. The plan checks the keys against the node's deploy interface, as Ironic does, and " +
					"names a missing one: " + ironic.DeployInterfaceNeeds + ".",
				PlanModifiers: []planmodifier.Map{sameInstanceInfo()},
			},
			"config_drive": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Config drive Ironic builds at deploy and rebuild time (sent as JSON). Ironic does not " +
					"return it, so it is kept as configured. Changing it rebuilds the node.",
				Attributes: map[string]schema.Attribute{
					"user_data":    schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: configDriveDocs.userData},
					"meta_data":    configDriveJSONAttribute(configDriveDocs.metaData),
					"network_data": configDriveJSONAttribute(configDriveDocs.networkData),
					"vendor_data":  configDriveJSONAttribute(configDriveDocs.vendorData),
				},
			},
			"deploy_steps": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Deploy steps for deploy and rebuild, as a JSON list (`jsonencode([{interface = \"deploy\", " +
					"step = \"...\", args = {}, priority = 90}])`). Changing it rebuilds the node.",
				Validators: []validator.String{validators.JSONText("a list"), validators.StepList()},
			},
			"allow_rebuild": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Whether a change of `instance_info`, `config_drive` or `deploy_steps` may rebuild the " +
					"node in place (overwriting its disk). With `true` the plan shows the update with a warning. With " +
					"`false` such a change is a plan-time error instead, in the spirit of `prevent_destroy`; if a value known " +
					"only at apply time turns out to change, the apply fails before touching the node. Default: `true` for " +
					"a deployment Terraform deployed, `false` for one adopted by import or with `adopt = true` (its disk was " +
					"never written by this configuration; `terraform query -generate-config-out` and `plan " +
					"-generate-config-out` write it out).",
				PlanModifiers: []planmodifier.Bool{rebuildDefault{}},
			},
			"provision_state": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The node's provision state: `active` after a successful apply; `deploy failed`, " +
					"`wait call-back`, ... when a deploy did not finish (the next apply deploys again).",
				PlanModifiers: []planmodifier.String{planAs(ironic.StateActive)},
			},
			"last_error": schema.StringAttribute{Computed: true, MarkdownDescription: "The last error Ironic recorded for the node, null when there is none."},
			"timeouts":   timeoutsAttribute(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (r *deploymentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan deploymentResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	spec := deploySpec(ctx, &plan, &resp.Diagnostics)
	withPullSecret(ctx, req.Config, &spec, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ic, ok := r.clients.begin(ctx, plan.Timeouts.Create, defaultDeployTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	id := plan.NodeID.ValueString()
	if plan.Adopt.ValueBool() {
		r.adopt(ctx, ic, id, spec, &plan, resp)
		return
	}
	tflog.Info(ctx, "deploying node", map[string]any{"node": id})
	node, err := ic.Deploy(ctx, id, spec)
	if hint := ironic.KnownDefect(err, spec); hint != "" {
		err = fmt.Errorf("%w\n\n%s", err, hint)
	}
	if err != nil {
		if ironic.DeployRefused(node, err) {
			// Refused before anything ran: nothing to record, the next apply tries again.
			resp.Diagnostics.AddAttributeError(path.Root("node_id"), "Unable to deploy bare metal node",
				fmt.Sprintf("%s\n\nNo deployment was recorded; fix the cause and apply again.", deployError(err)))
			return
		}
		// It ran and failed: recorded (Terraform marks it tainted), so the next apply undeploys
		// and deploys again. The node itself is another resource and stays as it is.
		resp.Diagnostics.AddError("Unable to deploy bare metal node",
			fmt.Sprintf("%s\n\nThe deployment is recorded as tainted: the next apply undeploys node %s (Ironic cleans it "+
				"if automated cleaning is on) and deploys it again. The node's enrollment, UUID and ports are untouched.",
				deployError(err), node.UUID))
	} else if node, err = ic.SetProtection(ctx, node, protectionOf(plan.Protected, plan.ProtectedReason)); err != nil {
		protectionFailed(err, &resp.Diagnostics)
	}
	plan.fromNode(ctx, node, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setID(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *deploymentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, r.clients, req, resp, "node", func(m *deploymentResourceModel) string { return m.ID.ValueString() },
		func(ic *ironic.Client, ctx context.Context, id string) (*nodes.Node, error) {
			return r.clients.readNode(ctx, ic, id)
		},
		func(m *deploymentResourceModel, node *nodes.Node) bool {
			reading := ironic.ReadDeployment(node)
			if reading.Gone {
				resp.Diagnostics.AddWarning("Bare metal deployment gone",
					fmt.Sprintf("Node %s is no longer deployed (provision state %q): the deployment is removed from the Terraform "+
						"state, and the next apply deploys the node again.", node.UUID, node.ProvisionState))
				resp.State.RemoveResource(ctx)
				return false
			}
			if ironic.IsRescued(node.ProvisionState) {
				resp.Diagnostics.AddWarning(rescueWarning(node))
			} else if reading.Note != "" {
				resp.Diagnostics.AddWarning("Bare metal node held or serviced", reading.Note+" The deployment is kept as it is.")
			}
			if reading.Unknown {
				resp.Diagnostics.AddWarning("Unknown provision state",
					fmt.Sprintf("Node %s is in provision state %q, which this provider does not know (a newer Ironic's?): the "+
						"deployment is kept as it is, and the node left alone.", node.UUID, node.ProvisionState))
			}
			m.fromNode(ctx, node, &resp.Diagnostics)
			return true
		})
}

func (r *deploymentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state deploymentResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	spec := deploySpec(ctx, &plan, &resp.Diagnostics)
	withPullSecret(ctx, req.Config, &spec, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	adopted := isAdopted(ctx, req.Private, &resp.Diagnostics)
	ctx, cancel, ic, ok := r.clients.begin(ctx, plan.Timeouts.Update, defaultDeployTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	id := state.ID.ValueString()
	// Whether the node must be rebuilt is decided on what Ironic holds now, not on the plan.
	node, err := ic.UpdateDeployment(ctx, id, ironic.DeploymentUpdate{
		Spec:              spec,
		Recorded:          stringMap(ctx, state.InstanceInfo, &resp.Diagnostics),
		Adopted:           adopted,
		BootInputsChanged: plan.bootInputsDiffer(&state),
		AllowRebuild:      plan.AllowRebuild.ValueBool(),
		Protection:        protectionOf(plan.Protected, plan.ProtectedReason),
	})
	var readErr *ironic.ReadError
	var refused *ironic.RebuildRefusedError
	switch {
	case errors.As(err, &readErr):
		resp.Diagnostics.AddError("Unable to update bare metal deployment", fmt.Sprintf("Node %s: %s", id, ironic.Message(readErr.Err)))
		return
	case errors.As(err, &refused) && refused.Block == ironic.RebuildNotAllowed:
		resp.Diagnostics.AddAttributeError(path.Root("instance_info"), "Rebuild forbidden",
			fmt.Sprintf("Node %s is %q and this apply would rebuild it (overwriting its disk), but allow_rebuild = false. "+
				"Nothing was changed.", id, refused.State))
		return
	case errors.As(err, &refused) && refused.Block == ironic.RebuildRescued:
		resp.Diagnostics.AddError("Unable to rebuild a rescued bare metal node",
			fmt.Sprintf("Node %s is %q and this apply would rebuild it, which needs it out of rescue. Terraform never "+
				"unrescues a node: it is held in rescue. Nothing was changed. %s, then apply again; or revert the change.",
				id, refused.State, unrescueAdvice(id)))
		return
	case refused != nil:
		protectedRefusal("rebuild", id, &resp.Diagnostics)
		return
	}
	for _, e := range joinedErrors(err) {
		var perr *ironic.ProtectionError
		var rerr *ironic.RedeployError
		switch {
		case errors.As(e, &perr):
			protectionFailed(perr, &resp.Diagnostics)
		case errors.As(e, &rerr):
			resp.Diagnostics.AddError("Unable to deploy bare metal node",
				fmt.Sprintf("%s\n\nThe state records where the node stopped; the next apply deploys it again. "+
					"The node's enrollment, UUID and ports are untouched.", deployError(rerr.Err)))
		}
	}
	if node != nil {
		plan.fromNode(ctx, node, &resp.Diagnostics)
	}
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopted, []byte("false"))...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setID(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *deploymentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state deploymentResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ic, ok := r.clients.begin(ctx, state.Timeouts.Delete, defaultUndeployTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	id := state.ID.ValueString()
	if !destroyDecided(&state, &resp.Diagnostics) {
		return
	}
	tflog.Info(ctx, "undeploying node", map[string]any{"node": id})
	if _, err := ic.Undeploy(ctx, id); errors.As(err, new(*ironic.ProtectedError)) {
		protectedRefusal("undeploy", id, &resp.Diagnostics)
	} else if err != nil {
		resp.Diagnostics.AddError("Unable to undeploy bare metal node",
			fmt.Sprintf("Node %s: %s\n\nThe deployment stays in the state; the next destroy tries again.", id, err))
	}
}

// ImportState adopts a deployed node, by UUID or name, without touching it.
func (r *deploymentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
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
		resp.Diagnostics.AddError("Unable to import bare metal deployment",
			fmt.Sprintf("No node with UUID or name %q: %s", ident, ironic.Message(err)))
		return
	}
	if ironic.ReadDeployment(node).Gone {
		resp.Diagnostics.AddError("Unable to import bare metal deployment",
			fmt.Sprintf("Node %s is not deployed (provision state %q): there is nothing to import. Create the deployment "+
				"instead; that deploys the node.", node.UUID, node.ProvisionState))
		return
	}
	m := importedDeployment(ctx, node, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopted, []byte("true"))...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, []byte("true"))...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	setID(ctx, resp.Identity, m.ID, &resp.Diagnostics)
}

// importedDeployment is what an import records of a deployed node.
func importedDeployment(ctx context.Context, node *nodes.Node, diags *diag.Diagnostics) deploymentResourceModel {
	m := deploymentResourceModel{
		ID:           types.StringValue(node.UUID),
		NodeID:       types.StringValue(node.UUID),
		ConfigDrive:  types.ObjectNull(configDriveAttrTypes),
		DeploySteps:  types.StringNull(),
		AllowRebuild: types.BoolValue(false), // adopted: no rebuild unless the configuration allows it
		Adopt:        types.BoolValue(false),
		OnDestroy:    types.StringNull(),
		Timeouts:     nullTimeouts("create", "update", "delete"),
	}
	// Every key Ironic holds but its own (ironic.RecordedInstanceInfo): the keys of the
	// configuration that deployed it. Not the pull secret: write-only, and masked by Ironic.
	m.InstanceInfo = mapValue(ctx, ironic.RecordedInstanceInfo(ironic.StringMap(node.InstanceInfo)), nil, diags)
	if m.InstanceInfo.IsNull() {
		m.InstanceInfo = types.MapValueMust(types.StringType, map[string]attr.Value{})
	}
	m.ProvisionState = types.StringValue(node.ProvisionState)
	m.LastError = stringOrNull(node.LastError)
	m.Protected = types.BoolValue(node.Protected)
	m.ProtectedReason = stringOrNull(node.ProtectedReason)
	return m
}

// fromNode records what Ironic reports; instance_info keeps the keys already tracked.
func (m *deploymentResourceModel) fromNode(ctx context.Context, n *nodes.Node, diags *diag.Diagnostics) {
	m.ID = types.StringValue(n.UUID)
	tracked := ironic.TrackedInstanceInfo(ironic.StringMap(n.InstanceInfo), stringMap(ctx, m.InstanceInfo, diags))
	m.InstanceInfo = mapValue(ctx, tracked, &m.InstanceInfo, diags)
	m.ProvisionState = types.StringValue(n.ProvisionState)
	m.LastError = stringOrNull(n.LastError)
	m.Protected = types.BoolValue(n.Protected)
	m.ProtectedReason = stringOrNull(n.ProtectedReason)
}

// deploySpec turns the plan into what the engine deploys.
func deploySpec(ctx context.Context, plan *deploymentResourceModel, diags *diag.Diagnostics) ironic.DeploySpec {
	spec := ironic.DeploySpec{InstanceInfo: stringMap(ctx, plan.InstanceInfo, diags)}
	if s := plan.DeploySteps.ValueString(); s != "" {
		diags.Append(unmarshalJSON("deploy_steps", s, &spec.DeploySteps)...)
	}
	spec.ConfigDrive = configDriveOf(ctx, plan.ConfigDrive, diags)
	return spec
}

// configDriveDocs describe a config drive's attributes, for the deployment and the
// rebuild action alike.
var configDriveDocs = struct{ userData, metaData, networkData, vendorData string }{
	userData: "User data, for example a cloud-init document.",
	metaData: "Meta data as a JSON object (`jsonencode({...})`), in OpenStack's `meta_data.json` format, which " +
		"cloud-init reads: `hostname`, `public_keys` (an object, name to SSH public key), `instance-id`, ... Values may " +
		"be objects and lists. Ironic adds `uuid` and `name` (the node's) where they are missing.",
	networkData: "Network data as a JSON object (`jsonencode({...})`), in OpenStack's `network_data.json` format: " +
		"`links` (the physical NICs with their MACs, then bonds and VLANs over them), `networks` and `services`.",
	vendorData: "Vendor data as a JSON object (`jsonencode({...})`), written as OpenStack's `vendor_data.json` " +
		"(cloud-init reads its `cloud-init` key as further cloud-config).",
}

// configDriveJSONAttribute is a config drive part written as a JSON object.
func configDriveJSONAttribute(doc string) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, MarkdownDescription: doc, Validators: []validator.String{validators.JSONText("an object")}}
}

// configDriveOf is a config_drive attribute as Ironic takes it; nil for none.
func configDriveOf(ctx context.Context, v types.Object, diags *diag.Diagnostics) any {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	var cd configDriveModel
	diags.Append(v.As(ctx, &cd, basetypes.ObjectAsOptions{})...)
	var drive ironic.ConfigDrive
	if !cd.UserData.IsNull() {
		drive.UserData = cd.UserData.ValueString()
	}
	for name, part := range map[string]struct {
		v  types.String
		to *map[string]any
	}{"meta_data": {cd.MetaData, &drive.MetaData}, "network_data": {cd.NetworkData, &drive.NetworkData}, "vendor_data": {cd.VendorData, &drive.VendorData}} {
		if s := part.v.ValueString(); s != "" {
			diags.Append(unmarshalJSON("config_drive."+name, s, part.to)...)
		}
	}
	return drive
}

func deployError(err error) string {
	var pe *ironic.ProvisionError
	if errors.As(err, &pe) && pe.LastError != "" {
		return fmt.Sprintf("%s\n\nIronic's last_error is also in the deployment's last_error attribute.", inTerraformTerms(err))
	}
	return inTerraformTerms(err)
}

func isAdopted(ctx context.Context, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}, diags *diag.Diagnostics) bool {
	v, d := private.GetKey(ctx, privateAdopted)
	diags.Append(d...)
	return string(v) == "true"
}

// ModifyPlan shows a rebuild plainly, and refuses it at plan time where it is forbidden.
func (r *deploymentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	ctx, cancel := r.clients.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	var plan, state deploymentResourceModel
	var read diag.Diagnostics
	if !req.Plan.Raw.IsNull() {
		read.Append(getModel(ctx, req.Plan.Schema.Type(), req.Plan.Raw, &plan, req.Plan.Get)...)
		r.deploymentOCIChecks(ctx, req.Config, &resp.Diagnostics)
	}
	if !req.State.Raw.IsNull() {
		read.Append(getModel(ctx, req.State.Schema.Type(), req.State.Raw, &state, req.State.Get)...)
	}
	if resp.Diagnostics.Append(read...); read.HasError() {
		return
	}
	if req.Plan.Raw.IsNull() {
		planDestroy(&state, "destroy", &resp.Diagnostics)
		return
	}
	prior := &state
	if req.State.Raw.IsNull() {
		prior = nil
	}
	if r.placementChanges(&plan, prior) {
		node := r.onceNode(plan.NodeID.ValueString())
		r.checkFits(ctx, &plan, node, &resp.Diagnostics)         // deployment_fits.go
		r.checkInstanceInfo(ctx, &plan, node, &resp.Diagnostics) // deployment_checks.go
	}
	if prior == nil {
		return
	}
	if replaced(&plan, &state) {
		planDestroy(&state, "replacement (node_id changes)", &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	cur := state.ProvisionState.ValueString()
	changed := differsBeyond(ctx, resp.Plan, req.State, &resp.Diagnostics, "provision_state", "last_error")
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("provision_state"), ironic.PlannedDeploymentState(cur, changed))...)
	resp.Diagnostics.Append(settleComputed(ctx, &resp.Plan, req.State, "last_error")...)
	adopted := isAdopted(ctx, req.Private, &resp.Diagnostics)
	f := ironic.ForecastRebuild(cur, rebuildPlanned(&plan, &state, adopted), state.Protected.ValueBool(), plan.Protected.ValueBool())
	change := f.Change
	if f.Block == ironic.RebuildRescued {
		resp.Diagnostics.AddAttributeError(path.Root("instance_info"), "Rebuild of a rescued node",
			fmt.Sprintf("Node %s is %q and this apply would rebuild it, which needs it out of rescue; Terraform never "+
				"unrescues a node. %s, then plan again; or revert the change.", state.ID.ValueString(), cur, unrescueAdvice(state.ID.ValueString())))
		return
	}
	if change == mayRebuild && ironic.IsRescued(cur) {
		resp.Diagnostics.AddAttributeWarning(path.Root("instance_info"), "The node may need a rebuild",
			fmt.Sprintf("Node %s is %q and what is deployed on it depends on values known only at apply. If they change, "+
				"the apply fails before touching the node: Terraform never unrescues a node to rebuild it.", state.ID.ValueString(), cur))
		return
	}
	if f.Block == ironic.RebuildProtected {
		resp.Diagnostics.AddAttributeError(path.Root("protected"), "Rebuild forbidden",
			fmt.Sprintf("Node %s is %q and this apply would rebuild it (overwriting its disk), but protected = true. "+
				"Set protected = false for the apply that rebuilds it, or revert the change.", state.ID.ValueString(), cur))
		return
	}
	if change == noRebuild || !f.OverwritesDisk {
		if adopted && plan.bootInputsDiffer(&state) {
			resp.Diagnostics.AddAttributeWarning(path.Root("config_drive"), "Recorded without a rebuild",
				fmt.Sprintf("Node %s was imported, and Ironic does not return the config drive or deploy steps it was deployed "+
					"with: the configured ones are recorded as they are, without rebuilding. They are used at the next rebuild.",
					state.ID.ValueString()))
		}
		return
	}
	id := state.ID.ValueString()
	if plan.AllowRebuild.IsUnknown() || plan.AllowRebuild.ValueBool() {
		when := "changes: the apply rebuilds it"
		if change == mayRebuild {
			when = "may change (values known only at apply, such as a replaced image's checksum): if it does, the apply rebuilds it"
		}
		resp.Diagnostics.AddAttributeWarning(path.Root("instance_info"), "The node will be rebuilt",
			fmt.Sprintf("Node %s is %q and what is deployed on it %s (Ironic's rebuild), which overwrites its disk. "+
				"Set allow_rebuild = false to forbid that.", id, cur, when))
		return
	}
	if change == mayRebuild {
		resp.Diagnostics.AddAttributeWarning(path.Root("instance_info"), "The node may need a rebuild",
			fmt.Sprintf("Node %s is active and what is deployed on it depends on values known only at apply. allow_rebuild = "+
				"false: if they change, the apply fails before touching the node.", id))
		return
	}
	what := "this change of instance_info, config_drive or deploy_steps"
	if f.FromError {
		what = "Ironic's only way back to active from error (its teardown failed; last_error: " + state.LastError.ValueString() + ")"
	}
	resp.Diagnostics.AddAttributeError(path.Root("instance_info"), "Rebuild forbidden",
		fmt.Sprintf("Node %s is %q and %s would rebuild it (Ironic's rebuild overwrites its disk), but allow_rebuild = false. "+
			"Revert the change, or set allow_rebuild = true for this apply; to keep the disk, undeploy the node by other means.", id, cur, what))
}

// differsBeyond reports whether plan differs from state in anything but the named
// (computed) attributes.
func differsBeyond(ctx context.Context, plan tfsdk.Plan, state tfsdk.State, diags *diag.Diagnostics, names ...string) bool {
	for _, n := range names {
		var v attr.Value
		diags.Append(state.GetAttribute(ctx, path.Root(n), &v)...)
		diags.Append(plan.SetAttribute(ctx, path.Root(n), v)...) // plan is a copy
	}
	return !plan.Raw.Equal(state.Raw)
}

type rebuildChange = ironic.RebuildChange

const (
	noRebuild   = ironic.NoRebuild
	mayRebuild  = ironic.MayRebuild
	willRebuild = ironic.WillRebuild
)

// rebuildPlanned compares what is deployed (state) with the plan. An imported
// deployment's config drive and deploy steps are unknown, so setting them is not a change.
func rebuildPlanned(plan, state *deploymentResourceModel, adopted bool) rebuildChange {
	if !fullyKnown(plan.InstanceInfo) || !fullyKnown(plan.ConfigDrive) || plan.DeploySteps.IsUnknown() {
		return mayRebuild
	}
	if !plan.InstanceInfo.Equal(state.InstanceInfo) {
		return willRebuild
	}
	if !adopted && plan.bootInputsDiffer(state) {
		return willRebuild
	}
	return noRebuild
}

// bootInputsDiffer reports whether the config drive or deploy steps changed: inputs
// Ironic does not return, so they are compared with what was recorded.
func (m *deploymentResourceModel) bootInputsDiffer(state *deploymentResourceModel) bool {
	return !m.ConfigDrive.Equal(state.ConfigDrive) || !m.DeploySteps.Equal(state.DeploySteps)
}
