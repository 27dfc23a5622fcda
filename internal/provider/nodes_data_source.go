package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
	nodeFilterModel
	Traits types.Set  `tfsdk:"traits"`
	IDs    types.List `tfsdk:"ids"`
	Names  types.List `tfsdk:"names"`
	Nodes  types.List `tfsdk:"nodes"`
}

// listedNode is one element of nodes: what a module needs to choose machines and to
// write import blocks for them (the node, its ports, its deployment).
type listedNode struct {
	ID             string       `tfsdk:"id"`
	Name           string       `tfsdk:"name"`
	ProvisionState string       `tfsdk:"provision_state"`
	Deployed       bool         `tfsdk:"deployed"`
	Driver         string       `tfsdk:"driver"`
	ResourceClass  string       `tfsdk:"resource_class"`
	Owner          string       `tfsdk:"owner"`
	Lessee         string       `tfsdk:"lessee"`
	ConductorGroup string       `tfsdk:"conductor_group"`
	Shard          string       `tfsdk:"shard"`
	Maintenance    bool         `tfsdk:"maintenance"`
	Fault          string       `tfsdk:"fault"`
	InstanceUUID   string       `tfsdk:"instance_uuid"`
	Traits         []string     `tfsdk:"traits"`
	Ports          []listedPort `tfsdk:"ports"`
}

type listedPort struct {
	ID      string `tfsdk:"id"`
	Address string `tfsdk:"address"`
}

var listedPortType = types.ObjectType{AttrTypes: map[string]attr.Type{"id": types.StringType, "address": types.StringType}}

var listedNodeType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"id": types.StringType, "name": types.StringType, "provision_state": types.StringType, "deployed": types.BoolType,
	"driver": types.StringType, "resource_class": types.StringType, "owner": types.StringType, "lessee": types.StringType,
	"conductor_group": types.StringType, "shard": types.StringType, "maintenance": types.BoolType, "fault": types.StringType,
	"instance_uuid": types.StringType, "traits": types.ListType{ElemType: types.StringType},
	"ports": types.ListType{ElemType: listedPortType},
}}

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
	computed := func(doc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: doc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists bare-metal nodes matching all the given filters (none: every node the credentials may see), " +
			"oldest first, following Ironic's pagination however many there are. It asks Ironic only for the fields it returns, " +
			"and lists the ports of all of them in one more paged call. Enough to write `import` blocks for a whole fleet: " +
			"see the fleet adoption guide.",
		Attributes: map[string]schema.Attribute{
			"provision_state": filter(nodeFilterDocs["provision_state"]),
			"driver":          filter(nodeFilterDocs["driver"]),
			"resource_class":  filter(nodeFilterDocs["resource_class"]),
			"conductor_group": filter(nodeFilterDocs["conductor_group"]),
			"shard":           filter(nodeFilterDocs["shard"]),
			"owner":           filter(nodeFilterDocs["owner"]),
			"lessee":          filter(nodeFilterDocs["lessee"]),
			"fault":           filter(nodeFilterDocs["fault"]),
			"maintenance":     schema.BoolAttribute{Optional: true, MarkdownDescription: nodeFilterDocs["maintenance"]},
			"associated":      schema.BoolAttribute{Optional: true, MarkdownDescription: nodeFilterDocs["associated"]},
			"traits":          schema.SetAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: nodeFilterDocs["traits"]},
			"ids":             schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "UUIDs of the matching nodes."},
			"names":           schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "Names of the matching nodes, in the order of `ids` (empty string for a node without a name)."},
			"nodes": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching nodes, in the order of `ids`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":              computed("UUID."),
					"name":            computed("Name (empty string when none)."),
					"provision_state": computed("Provision state."),
					"deployed":        schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether an instance is deployed (`active`): import a `baremetal_deployment` for it."},
					"driver":          computed("Hardware type."),
					"resource_class":  computed("Resource class."),
					"owner":           computed("Owning project."),
					"lessee":          computed("Leasing project."),
					"conductor_group": computed("Conductor group."),
					"shard":           computed("Shard (empty string when none)."),
					"maintenance":     schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the node is in maintenance mode."},
					"fault":           computed("Why Ironic put it in maintenance, if it did."),
					"instance_uuid":   computed("UUID of the instance on it, if any."),
					"traits":          schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "Traits, sorted."},
					"ports": schema.ListNestedAttribute{
						Computed:            true,
						MarkdownDescription: "The node's ports, by address.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"id":      computed("Port UUID."),
							"address": computed("MAC address, lower case."),
						}},
					},
				}},
			},
		},
	}
}

func (d *nodesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := d.clients.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	m, ic, ok := startRead[nodesDataSourceModel](ctx, d.clients, req, &resp.Diagnostics)
	if !ok {
		return
	}
	var diags diag.Diagnostics
	var traits []string
	resp.Diagnostics.Append(m.Traits.ElementsAs(ctx, &traits, false)...)
	filter := m.filter(traits)
	found, err := ic.ListNodes(ctx, filter)
	if err != nil {
		resp.Diagnostics.AddError("Unable to list bare metal nodes", ironic.Message(err))
		return
	}
	ids, names := make([]string, len(found)), make([]string, len(found))
	for i, n := range found {
		ids[i], names[i] = n.UUID, n.Name
	}
	portsOf, err := ic.PortsOfNodes(ctx, ids)
	if err != nil {
		resp.Diagnostics.AddError("Unable to list bare metal ports", ironic.Message(err))
		return
	}
	listed := make([]listedNode, len(found))
	for i, n := range found {
		traits := append([]string{}, n.Traits...)
		slices.Sort(traits)
		ports := []listedPort{}
		for _, p := range portsOf[n.UUID] {
			ports = append(ports, listedPort{ID: p.UUID, Address: p.Address})
		}
		listed[i] = listedNode{
			ID: n.UUID, Name: n.Name, ProvisionState: n.ProvisionState, Deployed: ironic.IsDeployed(n.ProvisionState),
			Driver: n.Driver, ResourceClass: n.ResourceClass, Owner: n.Owner, Lessee: n.Lessee, ConductorGroup: n.ConductorGroup, Shard: n.Shard,
			Maintenance: n.Maintenance, Fault: n.Fault, InstanceUUID: n.InstanceUUID, Traits: traits, Ports: ports,
		}
	}
	m.IDs, diags = types.ListValueFrom(ctx, types.StringType, ids)
	resp.Diagnostics.Append(diags...)
	m.Names, diags = types.ListValueFrom(ctx, types.StringType, names)
	resp.Diagnostics.Append(diags...)
	m.Nodes, diags = types.ListValueFrom(ctx, listedNodeType, listed)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
