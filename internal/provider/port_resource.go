package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/planmodifiers"
	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

var (
	_ resource.ResourceWithIdentity     = (*portResource)(nil)
	_ resource.Resource                 = (*portResource)(nil)
	_ resource.ResourceWithConfigure    = (*portResource)(nil)
	_ resource.ResourceWithImportState  = (*portResource)(nil)
	_ resource.ResourceWithUpgradeState = (*portResource)(nil)
	_ resource.ResourceWithModifyPlan   = (*portResource)(nil)
)

type portResource struct {
	clients *clients
}

type portResourceModel struct {
	ID                  types.String `tfsdk:"id"`
	Address             macValue     `tfsdk:"address"`
	NodeID              types.String `tfsdk:"node_id"`
	PXEEnabled          types.Bool   `tfsdk:"pxe_enabled"`
	PhysicalNetwork     types.String `tfsdk:"physical_network"`
	LocalLinkConnection types.Map    `tfsdk:"local_link_connection"`
	Extra               types.Map    `tfsdk:"extra"`
	IsSmartNIC          types.Bool   `tfsdk:"is_smartnic"`
	PortgroupID         types.String `tfsdk:"portgroup_id"`
	Name                types.String `tfsdk:"name"`
	Description         types.String `tfsdk:"description"`
	Vendor              types.String `tfsdk:"vendor"`
	Category            types.String `tfsdk:"category"`
}

// portNewerStrings are the port's string fields of newer microversions: the attribute,
// the API feature it needs, its field in the model and in Ironic's port, and its doc.
func (m *portResourceModel) newerStrings() []portNewerString {
	return []portNewerString{
		{"name", "port name", &m.Name, func(p *ironic.Port) string { return p.Name }, "Name of the port, unique in Ironic (API 1.88, Ironic 23.1)."},
		{"description", "port description", &m.Description, func(p *ironic.Port) string { return p.Description }, "Free-form description (API 1.97, Ironic 30.0)."},
		{"vendor", "port vendor", &m.Vendor, func(p *ironic.Port) string { return p.Vendor }, "Vendor of the NIC (API 1.100, Ironic 32.0)."},
		{"category", "port category", &m.Category, func(p *ironic.Port) string { return p.Category }, "Category of the port, for example the network it serves (API 1.101, Ironic 32.0)."},
	}
}

type portNewerString struct {
	attribute, feature string
	field              *types.String
	remote             func(*ironic.Port) string
	doc                string
}

// portFeatures are the attributes that need a newer microversion.
var portFeatures = func() []featureUse {
	var uses []featureUse
	for _, f := range (&portResourceModel{}).newerStrings() {
		uses = append(uses, featureUse{f.attribute, f.feature})
	}
	return uses
}()

// NewPortResource is the baremetal_port resource.
func NewPortResource() resource.Resource { return &portResource{} }

func (r *portResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_port"
}

func (r *portResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

// IdentitySchema: the port's UUID.
func (r *portResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = uuidIdentity("port")
}

func (r *portResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{}
	for _, f := range (&portResourceModel{}).newerStrings() {
		// Inspection and fleet tools fill these too: unset keeps what Ironic holds.
		attrs[f.attribute] = schema.StringAttribute{
			Optional: true, Computed: true, MarkdownDescription: f.doc + " Unset: whatever Ironic holds, kept as it is.",
			Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		}
	}
	resp.Schema = schema.Schema{
		// Version 1 added portgroup_id; 2 name, description, vendor and category.
		Version:             2,
		MarkdownDescription: "A network port (NIC) of a bare-metal node: what `baremetal port create` does.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "UUID of the port.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"address": schema.StringAttribute{
				CustomType: macType{},
				Required:   true,
				MarkdownDescription: "MAC address of the NIC, such as `52:54:00:12:34:56`. Ironic stores it in lower case; " +
					"writing it in upper case causes no diff. Unique across Ironic.",
				Validators:    []validator.String{validators.MACAddress()},
				PlanModifiers: []planmodifier.String{planmodifiers.SameMAC()},
			},
			"node_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "UUID of the node the port belongs to (`baremetal_node.<name>.id`). Changing it replaces the port: Ironic deletes a node's ports with the node.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"pxe_enabled": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: "Whether the node may PXE boot from this port. Default `true`.",
			},
			"physical_network": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Physical network the port is connected to.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"local_link_connection": schema.MapAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Switch the port is plugged into: `switch_id`, `port_id`, `switch_info`.",
			},
			"extra": schema.MapAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Free-form metadata.",
			},
			"portgroup_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "UUID of the port group (bond) the port is a member of (`baremetal_portgroup.<name>.id`), " +
					"on the same node. Changed in place; Ironic allows it while the node is not deployed, or in maintenance.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"is_smartnic": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "Whether the port is a Smart NIC port. Default `false`.",
			},
		},
	}
	for name, a := range attrs {
		resp.Schema.Attributes[name] = a
	}
}

func (r *portResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan portResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ic, diags := r.clients.forWrite(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	create := ironic.PortCreate{
		"address":     plan.Address.ValueString(),
		"node_uuid":   plan.NodeID.ValueString(),
		"pxe_enabled": plan.PXEEnabled.ValueBool(),
		"is_smartnic": plan.IsSmartNIC.ValueBool(),
	}
	setIfKnown(create, "physical_network", plan.PhysicalNetwork)
	setIfKnown(create, "portgroup_uuid", plan.PortgroupID)
	for _, f := range plan.newerStrings() {
		setIfKnown(create, f.attribute, *f.field)
	}
	if m := stringMap(ctx, plan.LocalLinkConnection, &resp.Diagnostics); m != nil {
		create["local_link_connection"] = ironic.AnyMap(m)
	}
	if m := stringMap(ctx, plan.Extra, &resp.Diagnostics); m != nil {
		create["extra"] = ironic.AnyMap(m)
	}
	tflog.Debug(ctx, "creating port", map[string]any{"address": create["address"], "node": create["node_uuid"]})
	port, err := ic.CreatePort(ctx, create)
	if err != nil {
		resp.Diagnostics.AddError("Unable to create bare metal port",
			fmt.Sprintf("Creating port %s for node %s failed: %s", plan.Address.ValueString(), plan.NodeID.ValueString(), ironic.Message(err)))
		return
	}
	resp.Diagnostics.Append(plan.fromPort(ctx, port, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setID(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *portResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, r.clients, req, resp, "port", func(m *portResourceModel) string { return m.ID.ValueString() },
		func(ic *ironic.Client, ctx context.Context, id string) (*ironic.Port, error) {
			return r.clients.readPort(ctx, ic, id)
		},
		func(m *portResourceModel, p *ironic.Port) bool {
			resp.Diagnostics.Append(m.fromPort(ctx, p, m)...)
			return true
		})
}

func (r *portResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state portResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ic, diags := r.clients.forWrite(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	b := newPatch(ctx, &resp.Diagnostics)
	b.str("address", plan.Address.StringValue, state.Address.StringValue)
	b.boolean("pxe_enabled", plan.PXEEnabled, state.PXEEnabled)
	b.boolean("is_smartnic", plan.IsSmartNIC, state.IsSmartNIC)
	b.str("physical_network", plan.PhysicalNetwork, state.PhysicalNetwork)
	b.str("portgroup_uuid", plan.PortgroupID, state.PortgroupID)
	b.strMap("local_link_connection", plan.LocalLinkConnection, state.LocalLinkConnection)
	b.strMap("extra", plan.Extra, state.Extra)
	stateNewer := state.newerStrings()
	for i, f := range plan.newerStrings() {
		b.str(f.attribute, *f.field, *stateNewer[i].field)
	}
	id := state.ID.ValueString()
	port, err := ic.UpdatePort(ctx, id, b.ops)
	if err != nil {
		resp.Diagnostics.AddError("Unable to update bare metal port", fmt.Sprintf("Port %s (%s): %s", id, plan.Address.ValueString(), ironic.Message(err)))
		return
	}
	resp.Diagnostics.Append(plan.fromPort(ctx, port, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setID(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *portResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteResource(ctx, r.clients, req, resp, "port", func(m *portResourceModel) string { return m.ID.ValueString() }, (*ironic.Client).DeletePort)
}

// ImportState accepts a port UUID or its MAC address.
func (r *portResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctx, cancel := r.clients.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	ic, diags := r.clients.Ironic(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	id := importedID(ctx, req, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if mac, err := ironic.NormalizeMAC(id); err == nil {
		found, err := ic.PortsByMAC(ctx, mac)
		if err != nil || len(found) != 1 {
			resp.Diagnostics.AddError("Unable to import bare metal port",
				fmt.Sprintf("No single port with MAC address %s (found %d): %s", mac, len(found), ironic.Message(err)))
			return
		}
		id = found[0]
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	setIdentity(ctx, resp.Identity, "id", id, &resp.Diagnostics)
}

func (m *portResourceModel) fromPort(ctx context.Context, p *ironic.Port, prior *portResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(p.UUID)
	m.Address = newMACValue(p.Address)
	m.NodeID = types.StringValue(p.NodeUUID)
	m.PXEEnabled = types.BoolValue(p.PXEEnabled)
	m.IsSmartNIC = types.BoolValue(p.IsSmartNIC)
	m.PhysicalNetwork = stringOrNull(p.PhysicalNetwork)
	m.PortgroupID = stringOrNull(p.PortGroupUUID)
	m.LocalLinkConnection = mapValue(ctx, ironic.StringMap(p.LocalLinkConnection), &prior.LocalLinkConnection, &diags)
	m.Extra = mapValue(ctx, ironic.StringMap(p.Extra), &prior.Extra, &diags)
	for _, f := range m.newerStrings() {
		*f.field = stringOrNull(f.remote(p))
	}
	return diags
}

// UpgradeState moves an older port to the current version: version 0 lacked
// portgroup_id, version 1 name, description, vendor and category (all read as null, then
// refreshed from Ironic).
func (r *portResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return migrationUpgraders(r, []stateMigration{noChange, noChange})
}

// ModifyPlan warns, when a port is created or its MAC changes, if the node's inventory
// has no NIC with that MAC.
func (r *portResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.clients == nil || req.Plan.Raw.Equal(req.State.Raw) {
		return // destroyed, or nothing changes
	}
	ctx, cancel := r.clients.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	var plan portResourceModel
	resp.Diagnostics.Append(getModel(ctx, req.Plan.Schema.Type(), req.Plan.Raw, &plan, req.Plan.Get)...)
	r.clients.checkFeatures(ctx, req.Config, &resp.Diagnostics, portFeatures...)
	if resp.Diagnostics.HasError() || !known(plan.NodeID) || !known(plan.Address.StringValue) {
		return
	}
	if !req.State.Raw.IsNull() {
		var state portResourceModel
		resp.Diagnostics.Append(getModel(ctx, req.State.Schema.Type(), req.State.Raw, &state, req.State.Get)...)
		if state.Address.ValueString() == plan.Address.ValueString() {
			return
		}
	}
	checkPortMAC(ctx, r.clients, plan.NodeID.ValueString(), plan.Address.ValueString(), &resp.Diagnostics)
}
