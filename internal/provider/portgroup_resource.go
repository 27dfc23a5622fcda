package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/planmodifiers"
	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

var (
	_ resource.Resource                = (*portgroupResource)(nil)
	_ resource.ResourceWithConfigure   = (*portgroupResource)(nil)
	_ resource.ResourceWithImportState = (*portgroupResource)(nil)
)

// portgroupResource is an objectResource, whence its Metadata, Configure, Read,
// Delete and ImportState.
type portgroupResource struct {
	objectResource[portgroupResourceModel, ironic.Portgroup]
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
func NewPortgroupResource() resource.Resource {
	return &portgroupResource{objectResource[portgroupResourceModel, ironic.Portgroup]{calls: portgroups}}
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

// portgroups are the port group's calls and model mapping.
var portgroups = objectCalls[portgroupResourceModel, ironic.Portgroup]{
	typeName: "portgroup", kind: "port group", id: func(m *portgroupResourceModel) string { return m.ID.ValueString() },
	api:  ironic.Portgroups,
	fill: (*portgroupResourceModel).fromPortgroup,
	imported: func() portgroupResourceModel {
		return portgroupResourceModel{Properties: types.MapNull(types.StringType), Extra: types.MapNull(types.StringType)}
	},
	logged: map[string]string{"node": "node_uuid"},
}

func (r *portgroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.calls.createWith(ctx, r.clients, req, resp, (*portgroupResourceModel).body, "Unable to create bare metal port group",
		func(m *portgroupResourceModel) string {
			return "Creating a port group for node " + m.NodeID.ValueString() + " failed"
		})
}

// body is the create request: the fields that are set.
func (m *portgroupResourceModel) body(ctx context.Context, diags *diag.Diagnostics) map[string]any {
	body := map[string]any{
		"node_uuid":                  m.NodeID.ValueString(),
		"standalone_ports_supported": m.StandalonePortsSupported.ValueBool(),
	}
	setIfKnown(body, "address", m.Address.StringValue)
	setIfKnown(body, "name", m.Name)
	setIfKnown(body, "mode", m.Mode)
	if props := stringMap(ctx, m.Properties, diags); props != nil {
		body["properties"] = ironic.AnyMap(props)
	}
	if extra := stringMap(ctx, m.Extra, diags); extra != nil {
		body["extra"] = ironic.AnyMap(extra)
	}
	return body
}

func (r *portgroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.calls.updateWith(ctx, r.clients, req, resp, func(b *patchBuilder, plan, state *portgroupResourceModel) {
		b.str("address", plan.Address.StringValue, state.Address.StringValue)
		b.str("name", plan.Name, state.Name)
		b.str("mode", plan.Mode, state.Mode)
		b.boolean("standalone_ports_supported", plan.StandalonePortsSupported, state.StandalonePortsSupported)
		b.strMap("properties", plan.Properties, state.Properties)
		b.strMap("extra", plan.Extra, state.Extra)
	}, "Unable to update bare metal port group", "Port group %s")
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
