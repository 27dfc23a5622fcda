package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
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
	InstanceInfo  types.Map  `tfsdk:"instance_info"`
	PortAddresses types.List `tfsdk:"port_addresses"`
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
		"id":     schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: "UUID of the node to look up. Exactly one of `id` and `name`."},
		"name":   schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: "Name of the node to look up. Exactly one of `id` and `name`."},
		"driver": schema.StringAttribute{Computed: true, MarkdownDescription: "Hardware type."},
		"driver_info": schema.MapAttribute{
			ElementType: types.StringType, Computed: true, Sensitive: true,
			MarkdownDescription: "Driver settings; Ironic returns secrets masked as `******`.",
		},
		"properties":         schema.MapAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "Physical properties; non-string values as JSON."},
		"extra":              schema.MapAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "Free-form metadata; non-string values as JSON."},
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
	}
	for _, a := range nodeOptionalStringDocs {
		if _, done := attrs[a.name]; !done {
			attrs[a.name] = schema.StringAttribute{Computed: true, MarkdownDescription: a.doc}
		}
	}
	for _, name := range nodeInterfaceNames {
		attrs[name+"_interface"] = schema.StringAttribute{Computed: true, MarkdownDescription: "The " + name + " interface."}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one bare-metal node by UUID or name, with its port addresses.",
		Attributes:          attrs,
	}
}

func (d *nodeDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"))}
}

func (d *nodeDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := d.clients.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	var m nodeDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sc, diags := d.clients.Ironic(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	ident, attr := m.ID.ValueString(), "id"
	if ident == "" {
		ident, attr = m.Name.ValueString(), "name"
	}
	node, err := ironic.GetNode(ctx, sc, ident)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root(attr), "Unable to read bare metal node",
			fmt.Sprintf("No node with %s %q: %s", attr, ident, ironic.Message(err)))
		return
	}
	addresses, err := ironic.PortAddresses(ctx, sc, node.UUID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to list the node's ports", fmt.Sprintf("Node %s: %s", node.UUID, ironic.Message(err)))
		return
	}
	resp.Diagnostics.Append(m.fromNode(ctx, node, nil)...)
	m.InstanceInfo = mapValue(ctx, ironic.StringMap(node.InstanceInfo), nil, &resp.Diagnostics)
	m.PortAddresses, diags = types.ListValueFrom(ctx, types.StringType, addresses)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
