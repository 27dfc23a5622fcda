package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

var (
	_ datasource.DataSource                     = (*nodeDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*nodeDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*nodeDataSource)(nil)
)

type nodeDataSource struct {
	clients *clients
}

type nodeDataSourceModel struct {
	nodeFields
	nodeHardware
	BIOSSettings  types.Map    `tfsdk:"bios_settings"`
	InstanceInfo  types.Map    `tfsdk:"instance_info"`
	PortAddresses types.List   `tfsdk:"port_addresses"`
	Ports         types.List   `tfsdk:"ports"`
	Health        types.String `tfsdk:"health"`
	InstanceName  types.String `tfsdk:"instance_name"`
	Children      types.List   `tfsdk:"children"`
	Firmware      types.List   `tfsdk:"firmware_components"`
}

// portInfoAttrTypes are the attributes of each of the data source's ports.
var portInfoAttrTypes = map[string]attr.Type{
	"id": types.StringType, "address": types.StringType, "name": types.StringType,
	"description": types.StringType, "vendor": types.StringType, "category": types.StringType,
}

// firmwareComponentAttrTypes are the attributes of each firmware component.
var firmwareComponentAttrTypes = map[string]attr.Type{
	"component": types.StringType, "initial_version": types.StringType, "current_version": types.StringType,
	"last_version_flashed": types.StringType,
}

// NewNodeDataSource is the baremetal_node data source.
func NewNodeDataSource() datasource.DataSource { return &nodeDataSource{} }

func (d *nodeDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_node"
}

func (d *nodeDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

func (d *nodeDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id":                 schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: "UUID of the node to look up. Exactly one of `id` and `name`."},
		"driver":             schema.StringAttribute{Computed: true, MarkdownDescription: "Hardware type."},
		"provision_state":    schema.StringAttribute{Computed: true, MarkdownDescription: "Current provision state."},
		"power_state":        schema.StringAttribute{Computed: true, MarkdownDescription: "Current power state."},
		"last_error":         schema.StringAttribute{Computed: true, MarkdownDescription: "The last error Ironic recorded for the node."},
		"created_at":         schema.StringAttribute{Computed: true, MarkdownDescription: "When the node was created (RFC 3339)."},
		"updated_at":         schema.StringAttribute{Computed: true, MarkdownDescription: "When the node was last changed (RFC 3339)."},
		"maintenance":        schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the node is in maintenance mode."},
		"maintenance_reason": schema.StringAttribute{Computed: true, MarkdownDescription: "Why the node is in maintenance mode."},
		"instance_info": schema.MapAttribute{
			ElementType: types.StringType, Computed: true,
			MarkdownDescription: "What the node is (or will be) deployed with: `image_source`, `image_checksum`, ...; non-string values as JSON.",
		},
		"port_addresses": schema.ListAttribute{
			ElementType: types.StringType, Computed: true,
			MarkdownDescription: "MAC addresses of the node's ports, sorted.",
		},
		"ports": schema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: "The node's ports, sorted by address. `name` (API 1.88), `description` (1.97), `vendor` (1.100) and `category` (1.101) are null where Ironic has none.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"id":          schema.StringAttribute{Computed: true, MarkdownDescription: "UUID of the port."},
				"address":     schema.StringAttribute{Computed: true, MarkdownDescription: "MAC address."},
				"name":        schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the port."},
				"description": schema.StringAttribute{Computed: true, MarkdownDescription: "Description of the port."},
				"vendor":      schema.StringAttribute{Computed: true, MarkdownDescription: "Vendor of the NIC."},
				"category":    schema.StringAttribute{Computed: true, MarkdownDescription: "Category of the port."},
			}},
		},
		"health": schema.StringAttribute{Computed: true, MarkdownDescription: "The node's health as its BMC reports it (API 1.109, Ironic 34.0); null where Ironic has none."},
		"firmware_components": schema.ListNestedAttribute{
			Computed: true,
			MarkdownDescription: "The node's firmware components as its firmware interface last read them (API 1.86, Ironic " +
				"22.1), by component; null where Ironic has none. Compare `current_version` with the version a " +
				"`firmware_updates` entry flashes.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"component":            schema.StringAttribute{Computed: true, MarkdownDescription: "Component: `bios`, `bmc`, `nic:<id>`."},
				"initial_version":      schema.StringAttribute{Computed: true, MarkdownDescription: "Version when Ironic first read it."},
				"current_version":      schema.StringAttribute{Computed: true, MarkdownDescription: "Version now."},
				"last_version_flashed": schema.StringAttribute{Computed: true, MarkdownDescription: "Version of the last update Ironic flashed; null when none."},
			}},
		},
		"children": schema.ListAttribute{Computed: true, ElementType: types.StringType,
			MarkdownDescription: "UUIDs of the node's child nodes, the DPUs and other devices whose `parent_node` it is (API 1.83, " +
				"Ironic 22.0); null where the Ironic has none."},
		"instance_name": schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the instance deployed on the node (API 1.104, Ironic 33.0); null where Ironic has none."},
	}
	for name, a := range nodeFieldDataSourceAttributes() {
		attrs[name] = a
	}
	// The name is also what the node is looked up by.
	attrs["name"] = schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: "Name of the node to look up. Exactly one of `id` and `name`."}
	for name, a := range hardwareDataSourceAttributes() {
		attrs[name] = a
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one bare-metal node by UUID or name, with its ports. Fields of newer Ironic releases (`health`, `instance_name`, `parent_node`, port `name`, ...) are null where the Ironic has none.",
		Attributes:          attrs,
	}
}

func (d *nodeDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"))}
}

func (d *nodeDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := d.clients.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	m, ic, ok := startRead[nodeDataSourceModel](ctx, d.clients, req, &resp.Diagnostics)
	if !ok {
		return
	}
	var diags diag.Diagnostics
	ident, field := m.ID.ValueString(), "id"
	if ident == "" {
		ident, field = m.Name.ValueString(), "name"
	}
	node := lookUpNode(ctx, ic, field, field, ident, &resp.Diagnostics)
	if node == nil {
		return
	}
	found, err := ic.NodePorts(ctx, node.UUID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to list the node's ports", fmt.Sprintf("Node %s: %s", node.UUID, ironic.Message(err)))
		return
	}
	instanceName, err := ic.NodeInstanceName(ctx, node.UUID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to read the node's instance name", fmt.Sprintf("Node %s: %s", node.UUID, ironic.Message(err)))
		return
	}
	children, err := ic.NodeChildren(ctx, node.UUID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to list the node's children", fmt.Sprintf("Node %s: %s", node.UUID, ironic.Message(err)))
		return
	}
	m.Children = types.ListNull(types.StringType)
	if ironic.FeatureNamed("parent_node").Available(ic.Microversion()) {
		m.Children, diags = types.ListValueFrom(ctx, types.StringType, append([]string{}, children...))
		resp.Diagnostics.Append(diags...)
	}
	addresses := make([]string, 0, len(found))
	portValues := make([]attr.Value, 0, len(found))
	for _, p := range found {
		addresses = append(addresses, p.Address)
		portValues = append(portValues, types.ObjectValueMust(portInfoAttrTypes, map[string]attr.Value{
			"id": types.StringValue(p.UUID), "address": types.StringValue(p.Address), "name": stringOrNull(p.Name),
			"description": stringOrNull(p.Description), "vendor": stringOrNull(p.Vendor), "category": stringOrNull(p.Category),
		}))
	}
	m.Ports = types.ListValueMust(types.ObjectType{AttrTypes: portInfoAttrTypes}, portValues)
	m.Health, m.InstanceName = stringOrNull(node.Health), stringOrNull(instanceName)
	m.Firmware = firmwareComponentsValue(ctx, ic, node.UUID, &resp.Diagnostics)
	resp.Diagnostics.Append(m.nodeFields.lookedUp(ctx, node, ic.Microversion())...)
	boot, err := ic.ReadNodeBoot(ctx, node.UUID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to read the node's boot mode", fmt.Sprintf("Node %s: %s", node.UUID, ironic.Message(err)))
		return
	}
	m.nodeFields.fromBoot(boot)
	m.nodeHardware.fromNode(ctx, node, &resp.Diagnostics)
	m.BIOSSettings = allBIOS(ctx, ic, node.UUID, &resp.Diagnostics)
	m.InstanceInfo = mapValue(ctx, ironic.StringMap(node.InstanceInfo), nil, &resp.Diagnostics)
	m.PortAddresses, diags = types.ListValueFrom(ctx, types.StringType, addresses)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// hardwareDataSourceAttributes are the hardware attributes, read-only.
func hardwareDataSourceAttributes() map[string]schema.Attribute {
	disk := map[string]schema.Attribute{
		"physical_disks":           schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "Physical disks to use."},
		"number_of_physical_disks": schema.Int64Attribute{Computed: true, MarkdownDescription: "How many physical disks to use."},
	}
	for _, n := range []string{"size_gb", "raid_level", "controller", "volume_name", "disk_type", "interface_type"} {
		disk[n] = schema.StringAttribute{Computed: true, MarkdownDescription: "`" + n + "` of the logical disk."}
	}
	for _, n := range []string{"is_root_volume", "share_physical_disks"} {
		disk[n] = schema.BoolAttribute{Computed: true, MarkdownDescription: "`" + n + "` of the logical disk."}
	}
	return map[string]schema.Attribute{
		"traits":      schema.SetAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: traitsDoc},
		"root_device": schema.MapAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: rootDeviceDoc},
		"raid_config": schema.SingleNestedAttribute{Computed: true, MarkdownDescription: raidConfigDoc, Attributes: map[string]schema.Attribute{
			"logical_disks": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "The logical disks.",
				NestedObject: schema.NestedAttributeObject{Attributes: disk}},
		}},
		"current_raid_config": schema.StringAttribute{Computed: true, MarkdownDescription: currentRAIDDoc},
		"bios_settings":       schema.MapAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "Every BIOS setting Ironic lists for the node, name to value."},
	}
}

// allBIOS lists every BIOS setting; a node whose BIOS interface lists none has an empty map.
func allBIOS(ctx context.Context, ic *ironic.Client, id string, diags *diag.Diagnostics) types.Map {
	settings, err := ic.BIOSSettings(ctx, id)
	if err != nil {
		diags.AddWarning("Unable to read the node's BIOS settings", fmt.Sprintf("Node %s: %s", id, ironic.Message(err)))
		return types.MapNull(types.StringType)
	}
	v, d := types.MapValueFrom(ctx, types.StringType, ironic.BIOSValues(settings))
	diags.Append(d...)
	return v
}

// firmwareComponentsValue reads the node's firmware components; null where Ironic has none.
func firmwareComponentsValue(ctx context.Context, ic *ironic.Client, id string, diags *diag.Diagnostics) types.List {
	typ := types.ObjectType{AttrTypes: firmwareComponentAttrTypes}
	found, err := ic.FirmwareComponents(ctx, id)
	if err != nil {
		diags.AddError("Unable to read the node's firmware components", fmt.Sprintf("Node %s: %s", id, ironic.Message(err)))
		return types.ListNull(typ)
	}
	if found == nil && !ironic.FeatureNamed("firmware_interface").Available(ic.Microversion()) {
		return types.ListNull(typ)
	}
	values := make([]attr.Value, 0, len(found))
	for _, c := range found {
		values = append(values, types.ObjectValueMust(firmwareComponentAttrTypes, map[string]attr.Value{
			"component": types.StringValue(c.Component), "initial_version": stringOrNull(c.InitialVersion),
			"current_version": stringOrNull(c.CurrentVersion), "last_version_flashed": stringOrNull(c.LastVersionFlashed),
		}))
	}
	return types.ListValueMust(typ, values)
}
