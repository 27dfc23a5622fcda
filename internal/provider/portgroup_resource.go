package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
	_ resource.Resource                = (*portgroupResource)(nil)
	_ resource.ResourceWithConfigure   = (*portgroupResource)(nil)
	_ resource.ResourceWithImportState = (*portgroupResource)(nil)
)

type portgroupResource struct {
	clients *clients
}

type portgroupResourceModel struct {
	ID                       types.String `tfsdk:"id"`
	NodeID                   types.String `tfsdk:"node_id"`
	Address                  macValue     `tfsdk:"address"`
	Name                     types.String `tfsdk:"name"`
	Mode                     types.String `tfsdk:"mode"`
	Properties               types.Map    `tfsdk:"properties"`
	StandalonePortsSupported types.Bool   `tfsdk:"standalone_ports_supported"`
	Extra                    types.Map    `tfsdk:"extra"`
}

// NewPortgroupResource is the baremetal_portgroup resource.
func NewPortgroupResource() resource.Resource { return &portgroupResource{} }

func (r *portgroupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_portgroup"
}

func (r *portgroupResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

func (r *portgroupResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A port group of a bare-metal node: ports bonded together (`baremetal port group create`). " +
			"Ports join it with `baremetal_port.portgroup_id`. Every attribute but `node_id` changes in place where " +
			"Ironic allows it (most only while the node is not deployed, or in maintenance).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "UUID of the port group.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"node_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "UUID of the node (`baremetal_node.<name>.id`). Changing it replaces the port group.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"address": schema.StringAttribute{
				CustomType:          macType{},
				Optional:            true,
				MarkdownDescription: "MAC address of the bond, such as `52:54:00:12:34:56`; any case.",
				Validators:          []validator.String{validators.MACAddress()},
				PlanModifiers:       []planmodifier.String{planmodifiers.SameMAC()},
			},
			"name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Unique name; port groups can be imported by name.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"mode": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Bonding mode, such as `active-backup`, `balance-rr`, `802.3ad`. Unset: Ironic's " +
					"configured default (`active-backup` unless changed), which is what it reports.",
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"properties": schema.MapAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Bonding options, such as `miimon = \"100\"`.",
			},
			"standalone_ports_supported": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: "Whether the member ports may also be used on their own. Default `true`.",
			},
			"extra": schema.MapAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Free-form metadata.",
			},
		},
	}
}

func (r *portgroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan portgroupResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ic, diags := r.clients.forWrite(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	body := map[string]any{
		"node_uuid":                  plan.NodeID.ValueString(),
		"standalone_ports_supported": plan.StandalonePortsSupported.ValueBool(),
	}
	setIfKnown(body, "address", plan.Address.StringValue)
	setIfKnown(body, "name", plan.Name)
	setIfKnown(body, "mode", plan.Mode)
	if m := stringMap(ctx, plan.Properties, &resp.Diagnostics); m != nil {
		body["properties"] = ironic.AnyMap(m)
	}
	if m := stringMap(ctx, plan.Extra, &resp.Diagnostics); m != nil {
		body["extra"] = ironic.AnyMap(m)
	}
	tflog.Debug(ctx, "creating port group", map[string]any{"node": body["node_uuid"]})
	pg, err := ic.CreatePortgroup(ctx, body)
	if err != nil {
		resp.Diagnostics.AddError("Unable to create bare metal port group",
			fmt.Sprintf("Creating a port group for node %s failed: %s", plan.NodeID.ValueString(), ironic.Message(err)))
		return
	}
	plan.fromPortgroup(ctx, pg, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *portgroupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, r.clients, req, resp, "port group", func(m *portgroupResourceModel) string { return m.ID.ValueString() },
		(*ironic.Client).GetPortgroup, func(m *portgroupResourceModel, pg *ironic.Portgroup) bool {
			m.fromPortgroup(ctx, pg, &resp.Diagnostics)
			return true
		})
}

func (r *portgroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ic, ok := startUpdate[portgroupResourceModel](ctx, r.clients, req, &resp.Diagnostics)
	if !ok {
		return
	}
	b := newPatch(ctx, &resp.Diagnostics)
	b.str("address", plan.Address.StringValue, state.Address.StringValue)
	b.str("name", plan.Name, state.Name)
	b.str("mode", plan.Mode, state.Mode)
	b.boolean("standalone_ports_supported", plan.StandalonePortsSupported, state.StandalonePortsSupported)
	b.strMap("properties", plan.Properties, state.Properties)
	b.strMap("extra", plan.Extra, state.Extra)
	id := state.ID.ValueString()
	pg, err := ic.UpdatePortgroup(ctx, id, b.ops)
	if err != nil {
		resp.Diagnostics.AddError("Unable to update bare metal port group", fmt.Sprintf("Port group %s: %s", id, ironic.Message(err)))
		return
	}
	plan.fromPortgroup(ctx, pg, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *portgroupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteResource(ctx, r.clients, req, resp, "port group", func(m *portgroupResourceModel) string { return m.ID.ValueString() }, (*ironic.Client).DeletePortgroup)
}

// ImportState accepts a port group UUID or name.
func (r *portgroupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importResource(ctx, r.clients, req, resp, "port group", (*ironic.Client).GetPortgroup, func(pg *ironic.Portgroup) portgroupResourceModel {
		m := portgroupResourceModel{Properties: types.MapNull(types.StringType), Extra: types.MapNull(types.StringType)}
		m.fromPortgroup(ctx, pg, &resp.Diagnostics)
		return m
	})
}

func (m *portgroupResourceModel) fromPortgroup(ctx context.Context, pg *ironic.Portgroup, diags *diag.Diagnostics) {
	m.ID = types.StringValue(pg.UUID)
	m.NodeID = types.StringValue(pg.NodeUUID)
	if pg.Address == "" {
		m.Address = macValue{StringValue: types.StringNull()}
	} else {
		m.Address = newMACValue(pg.Address)
	}
	m.Name = stringOrNull(pg.Name)
	m.Mode = stringOrNull(pg.Mode)
	m.StandalonePortsSupported = types.BoolValue(pg.StandalonePortsSupported)
	m.Properties = mapValue(ctx, ironic.StringMap(pg.Properties), &m.Properties, diags)
	m.Extra = mapValue(ctx, ironic.StringMap(pg.Extra), &m.Extra, diags)
}
