package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

var (
	_ datasource.DataSource              = (*nodesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*nodesDataSource)(nil)
)

type nodesDataSource struct {
	clients *clients
}

type nodesDataSourceModel struct {
	ProvisionState types.String `tfsdk:"provision_state"`
	Driver         types.String `tfsdk:"driver"`
	ResourceClass  types.String `tfsdk:"resource_class"`
	ConductorGroup types.String `tfsdk:"conductor_group"`
	Owner          types.String `tfsdk:"owner"`
	Maintenance    types.Bool   `tfsdk:"maintenance"`
	IDs            types.List   `tfsdk:"ids"`
	Names          types.List   `tfsdk:"names"`
}

// NewNodesDataSource is the baremetal_nodes data source.
func NewNodesDataSource() datasource.DataSource { return &nodesDataSource{} }

func (d *nodesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_nodes"
}

func (d *nodesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

func (d *nodesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	filter := func(doc string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, MarkdownDescription: doc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists bare-metal nodes matching all the given filters (none: every node), sorted by creation time.",
		Attributes: map[string]schema.Attribute{
			"provision_state": filter("Only nodes in this provision state, for example `available`."),
			"driver":          filter("Only nodes with this hardware type."),
			"resource_class":  filter("Only nodes of this resource class."),
			"conductor_group": filter("Only nodes in this conductor group."),
			"owner":           filter("Only nodes owned by this project."),
			"maintenance": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Only nodes in (`true`) or out of (`false`) maintenance mode.",
			},
			"ids":   schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "UUIDs of the matching nodes."},
			"names": schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "Names of the matching nodes, in the order of `ids` (empty string for a node without a name)."},
		},
	}
}

func (d *nodesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := d.clients.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	var m nodesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sc, diags := d.clients.Ironic(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	filter := ironic.NodeFilter{
		ProvisionState: m.ProvisionState.ValueString(),
		Driver:         m.Driver.ValueString(),
		ResourceClass:  m.ResourceClass.ValueString(),
		ConductorGroup: m.ConductorGroup.ValueString(),
		Owner:          m.Owner.ValueString(),
		Maintenance:    m.Maintenance.ValueBoolPointer(),
	}
	found, err := ironic.ListNodes(ctx, sc, filter)
	if err != nil {
		resp.Diagnostics.AddError("Unable to list bare metal nodes", ironic.Message(err))
		return
	}
	ids, names := make([]string, len(found)), make([]string, len(found))
	for i, n := range found {
		ids[i], names[i] = n.UUID, n.Name
	}
	m.IDs, diags = types.ListValueFrom(ctx, types.StringType, ids)
	resp.Diagnostics.Append(diags...)
	m.Names, diags = types.ListValueFrom(ctx, types.StringType, names)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
