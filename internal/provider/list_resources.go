package provider

import (
	"context"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// List resources (Terraform 1.14, `terraform query`): each lists the Ironic objects of
// one resource type, page after page, with only the fields that name them unless
// Terraform asks for the resources themselves (include_resource, and query
// -generate-config-out). Then each result holds exactly what an import followed by a
// read records, built by the resource's own import and read code.

var (
	_ list.ListResourceWithConfigure = (*listResource[nodes.Node])(nil)
)

// listResource is the list resource of one resource type whose objects are T.
type listResource[T any] struct {
	clients  *clients
	typeName string // the resource type without the provider's prefix: "node"
	doc      string
	config   map[string]listschema.Attribute
	// each hands the objects the configuration selects to yield (see ironic.Listing).
	each func(ctx context.Context, ic *ironic.Client, config tfsdk.Config, l ironic.Listing, yield func(*T) bool, diags *diag.Diagnostics) error
	// id is the object's UUID (the resource's identity), name what a person knows it by.
	id, name func(*T) string
	// record sets into res what an import of the object followed by a read records.
	record func(ctx context.Context, ic *ironic.Client, obj *T, res *tfsdk.Resource, diags *diag.Diagnostics)
}

func (l *listResource[T]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + l.typeName
}

func (l *listResource[T]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

func (l *listResource[T]) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{MarkdownDescription: l.doc, Attributes: l.config}
}

// List reads Ironic only as far as Terraform reads the results: up to its limit, and
// not beyond the result it stopped at.
func (l *listResource[T]) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	stream.Results = func(push func(list.ListResult) bool) {
		ctx, cancel := l.clients.bounded(ctx) // a silent endpoint fails the query in bounded time
		defer cancel()
		var diags diag.Diagnostics
		ic, d := l.clients.Ironic(ctx)
		if diags.Append(d...); d.HasError() {
			push(list.ListResult{Diagnostics: diags})
			return
		}
		stopped := false
		err := l.each(ctx, ic, req.Config, ironic.Listing{Limit: int(req.Limit), Full: req.IncludeResource}, func(obj *T) bool {
			r := req.NewListResult(ctx)
			r.DisplayName = l.name(obj)
			r.Diagnostics.Append(r.Identity.SetAttribute(ctx, path.Root("id"), l.id(obj))...)
			if req.IncludeResource {
				l.record(ctx, ic, obj, r.Resource, &r.Diagnostics)
			}
			stopped = !push(r)
			return !stopped
		}, &diags)
		if err != nil {
			diags.AddError("Unable to list bare metal "+l.typeName+"s", ironic.Message(err))
		}
		if !stopped && diags.HasError() {
			push(list.ListResult{Diagnostics: diags})
		}
	}
}

// setModel records a resource model as a list result's resource (see modelValue).
func setModel[M any](ctx context.Context, res *tfsdk.Resource, m M, diags *diag.Diagnostics) {
	if typ, ok := res.Schema.Type().TerraformType(ctx).(tftypes.Object); ok {
		if v, ok := modelValue(ctx, typ, m); ok {
			res.Raw = v
			return
		}
	}
	diags.Append(res.Set(ctx, m)...)
}

// firstOf is the first value that is not empty: a name, else a UUID.
func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// nodeFilterModel holds the node filters of the baremetal_nodes data source and of the
// node and deployment list resources, but traits (a set in one, a list in the other).
type nodeFilterModel struct {
	ProvisionState types.String `tfsdk:"provision_state"`
	Driver         types.String `tfsdk:"driver"`
	ResourceClass  types.String `tfsdk:"resource_class"`
	ConductorGroup types.String `tfsdk:"conductor_group"`
	Shard          types.String `tfsdk:"shard"`
	Owner          types.String `tfsdk:"owner"`
	Lessee         types.String `tfsdk:"lessee"`
	Fault          types.String `tfsdk:"fault"`
	Maintenance    types.Bool   `tfsdk:"maintenance"`
	Associated     types.Bool   `tfsdk:"associated"`
}

// nodeFilterDocs describe the node filters, by attribute.
var nodeFilterDocs = map[string]string{
	"provision_state": "Only nodes in this provision state, for example `available`.",
	"driver":          "Only nodes with this hardware type.",
	"resource_class":  "Only nodes of this resource class.",
	"conductor_group": "Only nodes in this conductor group.",
	"shard":           "Only nodes in this shard (see `baremetal_shards`): one workspace per shard is how a large fleet is split across many plans.",
	"owner":           "Only nodes owned by this project.",
	"lessee":          "Only nodes leased to this project.",
	"fault":           "Only nodes in maintenance for this fault: `power failure`, `clean failure`, `rescue abort failure` or, from Ironic 23.0 (2023.2), `service failure`.",
	"maintenance":     "Only nodes in (`true`) or out of (`false`) maintenance mode.",
	"associated":      "Only nodes with (`true`) or without (`false`) an instance.",
	"traits":          "Only nodes that have every one of these traits.",
}

func (f nodeFilterModel) filter(traits []string) ironic.NodeFilter {
	return ironic.NodeFilter{
		ProvisionState: f.ProvisionState.ValueString(),
		Driver:         f.Driver.ValueString(),
		ResourceClass:  f.ResourceClass.ValueString(),
		ConductorGroup: f.ConductorGroup.ValueString(),
		Shard:          f.Shard.ValueString(),
		Owner:          f.Owner.ValueString(),
		Lessee:         f.Lessee.ValueString(),
		Fault:          f.Fault.ValueString(),
		Maintenance:    f.Maintenance.ValueBoolPointer(),
		Associated:     f.Associated.ValueBoolPointer(),
		Traits:         traits,
	}
}

// nodeListModel is the configuration of the node and deployment list resources.
type nodeListModel struct {
	nodeFilterModel
	Traits types.List `tfsdk:"traits"`
}

// deploymentListModel is the configuration of the deployment list resource.
type deploymentListModel struct {
	nodeListModel
	IncludeForeign types.Bool `tfsdk:"include_foreign_instances"`
}

// includeForeignDoc describes include_foreign_instances (ironic.ForeignInstance).
const includeForeignDoc = "Whether to list, too, the instances another service put on its nodes: those whose " +
	"`instance_uuid` is set, and not by an allocation. The Compute service (Nova) sets it to its server's UUID, metal3's " +
	"baremetal-operator to its host's; Ironic's own deploy, and so this provider, never set it. Default `false`: such an " +
	"instance is that service's, and a `baremetal_deployment` adopted on it would undeploy it once removed from the " +
	"configuration. Its node is listed by the `baremetal_node` list resource all the same."

// nodeListConfig is the schema of nodeListModel.
func nodeListConfig() map[string]listschema.Attribute {
	attrs := map[string]listschema.Attribute{
		"traits": listschema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: nodeFilterDocs["traits"]},
	}
	for name, doc := range nodeFilterDocs {
		switch name {
		case "traits":
		case "maintenance", "associated":
			attrs[name] = listschema.BoolAttribute{Optional: true, MarkdownDescription: doc}
		default:
			attrs[name] = listschema.StringAttribute{Optional: true, MarkdownDescription: doc}
		}
	}
	return attrs
}

// NewNodeListResource is the baremetal_node list resource.
func NewNodeListResource() list.ListResource {
	return nodeListResource("node", false, "Lists the bare-metal nodes matching all the given filters (none: every node "+
		"the credentials may see), oldest first, page after page, for `terraform query` (Terraform 1.14 or later): the "+
		"filters of the `baremetal_nodes` data source. Each result is named by the node's name, else its UUID; its "+
		"identity is the UUID. With `include_resource` (and `terraform query -generate-config-out`) each result is the "+
		"node as `terraform import` records it.",
		func(ctx context.Context, ic *ironic.Client, n *nodes.Node, res *tfsdk.Resource, diags *diag.Diagnostics) {
			m := importedNode(ctx, n, diags)
			refreshNode(ctx, ic, &m, n, diags)
			setModel(ctx, res, m, diags)
		})
}

// NewDeploymentListResource is the baremetal_deployment list resource.
func NewDeploymentListResource() list.ListResource {
	return nodeListResource("deployment", true, "Lists the deployments to adopt: the nodes an instance runs on, among "+
		"those matching all the given filters, oldest first, page after page, for `terraform query` (Terraform 1.14 or "+
		"later). Only deployments whose import plans no change are listed: provision state `active`, or held, serviced "+
		"or rescued; not a deploy that failed or is under way (`deploy failed`, `error`, `adopt failed`, `service "+
		"failed`, `wait call-back`, ...), which an apply would deploy again, and not, unless `include_foreign_instances` "+
		"says so, an instance another service put there (see that filter). The node itself is listed by the "+
		"`baremetal_node` list resource in every state. The filters are those of the `baremetal_nodes` data source. "+
		"Each result is named by the node's name, else its UUID; its identity is the node's UUID. With "+
		"`include_resource` each result is the deployment as `terraform import` records it, with `allow_rebuild = false`.",
		func(ctx context.Context, _ *ironic.Client, n *nodes.Node, res *tfsdk.Resource, diags *diag.Diagnostics) {
			m := importedDeployment(ctx, n, diags)
			m.fromNode(ctx, n, diags)
			setModel(ctx, res, m, diags)
		})
}

// nodeListResource lists nodes (with deployedOnly, those a deployment holds) by the
// filters of nodeListModel, recording each with record.
func nodeListResource(typeName string, deployments bool, doc string,
	record func(context.Context, *ironic.Client, *nodes.Node, *tfsdk.Resource, *diag.Diagnostics)) list.ListResource {
	config := nodeListConfig()
	if deployments {
		config["include_foreign_instances"] = listschema.BoolAttribute{Optional: true, MarkdownDescription: includeForeignDoc}
	}
	return &listResource[nodes.Node]{
		typeName: typeName,
		doc:      doc,
		config:   config,
		each: func(ctx context.Context, ic *ironic.Client, config tfsdk.Config, l ironic.Listing, yield func(*nodes.Node) bool, diags *diag.Diagnostics) error {
			var m nodeListModel
			var sel *ironic.DeploymentFilter
			if deployments {
				var d deploymentListModel
				diags.Append(config.Get(ctx, &d)...)
				m, sel = d.nodeListModel, &ironic.DeploymentFilter{IncludeForeign: d.IncludeForeign.ValueBool()}
			} else {
				diags.Append(config.Get(ctx, &m)...)
			}
			if diags.HasError() {
				return nil
			}
			return ic.EachNode(ctx, m.filter(stringList(ctx, m.Traits, diags)), sel, l, yield)
		},
		id:     func(n *nodes.Node) string { return n.UUID },
		name:   nameOr,
		record: record,
	}
}

// portListModel is the configuration of the port list resource.
type portListModel struct {
	NodeID      types.String `tfsdk:"node_id"`
	PortgroupID types.String `tfsdk:"portgroup_id"`
}

// NewPortListResource is the baremetal_port list resource.
func NewPortListResource() list.ListResource {
	return &listResource[ironic.Port]{
		typeName: "port",
		doc: "Lists the bare-metal ports, of one node or port group if given, page after page, for `terraform query` " +
			"(Terraform 1.14 or later). Each result is named by the port's MAC address; its identity is the port's UUID. " +
			"With `include_resource` each result is the port as `terraform import` records it.",
		config: map[string]listschema.Attribute{
			"node_id":      listschema.StringAttribute{Optional: true, MarkdownDescription: "Only the ports of this node (UUID or name)."},
			"portgroup_id": listschema.StringAttribute{Optional: true, MarkdownDescription: "Only the ports of this port group (UUID or name)."},
		},
		each: func(ctx context.Context, ic *ironic.Client, config tfsdk.Config, l ironic.Listing, yield func(*ironic.Port) bool, diags *diag.Diagnostics) error {
			var m portListModel
			if diags.Append(config.Get(ctx, &m)...); diags.HasError() {
				return nil
			}
			return ic.EachPort(ctx, ironic.PortFilter{Node: m.NodeID.ValueString(), Portgroup: m.PortgroupID.ValueString()}, l, yield)
		},
		id:   func(p *ironic.Port) string { return p.UUID },
		name: func(p *ironic.Port) string { return p.Address },
		record: func(ctx context.Context, _ *ironic.Client, p *ironic.Port, res *tfsdk.Resource, diags *diag.Diagnostics) {
			// An import records the UUID alone; the read that follows fills the rest.
			st := tfsdk.State{Schema: res.Schema, Raw: tftypes.NewValue(res.Schema.Type().TerraformType(ctx), nil)}
			diags.Append(st.SetAttribute(ctx, path.Root("id"), p.UUID)...)
			var m portResourceModel
			diags.Append(st.Get(ctx, &m)...)
			diags.Append(m.fromPort(ctx, p, &m)...)
			setModel(ctx, res, m, diags)
		},
	}
}

// NewPortgroupListResource is the baremetal_portgroup list resource.
func NewPortgroupListResource() list.ListResource {
	return &listResource[ironic.Portgroup]{
		typeName: "portgroup",
		doc: "Lists the bare-metal port groups, of one node if given, page after page, for `terraform query` (Terraform " +
			"1.14 or later). Each result is named by the port group's name, else its MAC address, else its UUID; its " +
			"identity is the UUID. With `include_resource` each result is the port group as `terraform import` records it.",
		config: map[string]listschema.Attribute{
			"node_id": listschema.StringAttribute{Optional: true, MarkdownDescription: "Only the port groups of this node (UUID or name)."},
		},
		each: func(ctx context.Context, ic *ironic.Client, config tfsdk.Config, l ironic.Listing, yield func(*ironic.Portgroup) bool, diags *diag.Diagnostics) error {
			var node types.String
			if diags.Append(config.GetAttribute(ctx, path.Root("node_id"), &node)...); diags.HasError() {
				return nil
			}
			return ic.EachPortgroup(ctx, node.ValueString(), l, yield)
		},
		id:     func(g *ironic.Portgroup) string { return g.UUID },
		name:   func(g *ironic.Portgroup) string { return firstOf(g.Name, g.Address, g.UUID) },
		record: recordObject(portgroups),
	}
}

// NewAllocationListResource is the baremetal_allocation list resource.
func NewAllocationListResource() list.ListResource {
	return &listResource[ironic.Allocation]{
		typeName: "allocation",
		doc: "Lists the bare-metal allocations, page after page, for `terraform query` (Terraform 1.14 or later). Each " +
			"result is named by the allocation's name, else its UUID; its identity is the UUID. With `include_resource` " +
			"each result is the allocation as `terraform import` records it.",
		each: func(ctx context.Context, ic *ironic.Client, _ tfsdk.Config, l ironic.Listing, yield func(*ironic.Allocation) bool, _ *diag.Diagnostics) error {
			return ic.EachAllocation(ctx, l, yield)
		},
		id:   func(a *ironic.Allocation) string { return a.UUID },
		name: func(a *ironic.Allocation) string { return firstOf(a.Name, a.UUID) },
		record: func(ctx context.Context, _ *ironic.Client, a *ironic.Allocation, res *tfsdk.Resource, diags *diag.Diagnostics) {
			m := importedAllocation(ctx, a, diags)
			m.fromAllocation(ctx, a, diags)
			setModel(ctx, res, m, diags)
		},
	}
}

// NewRunbookListResource is the baremetal_runbook list resource.
func NewRunbookListResource() list.ListResource {
	return stepsListResource(runbooks, "runbook", "runbooks (Ironic 26.1 or later)", func(r *ironic.Runbook) *ironic.StepsObject { return &r.StepsObject })
}

// NewDeployTemplateListResource is the baremetal_deploy_template list resource.
func NewDeployTemplateListResource() list.ListResource {
	return stepsListResource(deployTemplates, "deploy_template", "deploy templates", func(t *ironic.DeployTemplate) *ironic.StepsObject { return &t.StepsObject })
}

// stepsListResource lists a kind of named steps object.
func stepsListResource[M, T any](calls objectCalls[M, T], typeName, what string, steps func(*T) *ironic.StepsObject) list.ListResource {
	return &listResource[T]{
		typeName: typeName,
		doc: "Lists the " + what + ", page after page, for `terraform query` (Terraform 1.14 or later). Each result is " +
			"named by its name; its identity is its UUID. With `include_resource` each result is what `terraform import` records.",
		each: func(ctx context.Context, ic *ironic.Client, _ tfsdk.Config, l ironic.Listing, yield func(*T) bool, _ *diag.Diagnostics) error {
			return calls.api.Each(ic, ctx, l, yield)
		},
		id:     func(t *T) string { return steps(t).UUID },
		name:   func(t *T) string { return firstOf(steps(t).Name, steps(t).UUID) },
		record: recordObject(calls),
	}
}

// recordObject records an object of a kind that objectResource serves, as its import
// followed by a read records it.
func recordObject[M, T any](calls objectCalls[M, T]) func(context.Context, *ironic.Client, *T, *tfsdk.Resource, *diag.Diagnostics) {
	return func(ctx context.Context, _ *ironic.Client, obj *T, res *tfsdk.Resource, diags *diag.Diagnostics) {
		m := calls.importedModel(ctx, obj, diags)
		calls.fill(&m, ctx, obj, diags)
		setModel(ctx, res, m, diags)
	}
}
