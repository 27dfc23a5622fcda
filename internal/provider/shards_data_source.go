package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

var _ datasource.DataSourceWithConfigure = (*shardsDataSource)(nil)

// shardsDataSource lists Ironic's shards: the way to give each shard its own
// workspace, whose plans then cost what the shard holds.
type shardsDataSource struct{ clients *clients }

type shardsDataSourceModel struct {
	Names  types.List  `tfsdk:"names"`
	Shards []shardItem `tfsdk:"shards"`
}

type shardItem struct {
	Name  string `tfsdk:"name"`
	Count int64  `tfsdk:"count"`
}

// NewShardsDataSource is the baremetal_shards data source.
func NewShardsDataSource() datasource.DataSource { return &shardsDataSource{} }

func (d *shardsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_shards"
}

func (d *shardsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

func (d *shardsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the shards Ironic's nodes are in (API 1.82), by name, with the number of nodes in each " +
			"(nodes without a shard are in none). With `baremetal_nodes`' `shard` filter, one workspace per shard " +
			"manages a large fleet in plans that each cost what their shard holds.",
		Attributes: map[string]schema.Attribute{
			"names": schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: "The shard names, sorted."},
			"shards": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "The shards, in the order of `names`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":  schema.StringAttribute{Computed: true, MarkdownDescription: "Shard name."},
					"count": schema.Int64Attribute{Computed: true, MarkdownDescription: "How many nodes are in it."},
				}},
			},
		},
	}
}

func (d *shardsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := d.clients.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	ic, diags := d.clients.Ironic(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	shards, err := ic.ListShards(ctx)
	if err != nil {
		detail := ironic.Message(err)
		if ironic.StatusCode(err) == 403 {
			detail += "\n\nIronic's default policy (baremetal:shards:get) lists shards only for system-scoped readers " +
				"and services, not for project-scoped credentials: use a system-scoped token or application credential " +
				"(system: all), or list a shard's nodes with baremetal_nodes' shard filter, which project credentials may."
		}
		resp.Diagnostics.AddError("Unable to list shards", detail)
		return
	}
	m := shardsDataSourceModel{Shards: make([]shardItem, len(shards))}
	names := make([]string, len(shards))
	for i, s := range shards {
		names[i], m.Shards[i] = s.Name, shardItem{Name: s.Name, Count: int64(s.Count)}
	}
	m.Names, diags = types.ListValueFrom(ctx, types.StringType, names)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
