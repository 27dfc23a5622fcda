package ironic

import (
	"context"
	"net/url"
	"slices"
	"sort"
	"strconv"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/gophercloud/gophercloud/v2/pagination"
)

// The plain reads, updates and deletes of nodes and ports, so that the provider
// translates and never calls the API itself.

// GetNode reads a node by UUID or name.
func (c *Client) GetNode(ctx context.Context, id string) (*nodes.Node, error) {
	return nodes.Get(ctx, c.SC, id).Extract()
}

// NodeUpdateOpts turns patch operations into gophercloud's node update options.
func NodeUpdateOpts(ops []PatchOp) nodes.UpdateOpts {
	out := make(nodes.UpdateOpts, 0, len(ops))
	for _, op := range ops {
		out = append(out, nodes.UpdateOperation{Op: nodes.UpdateOp(op.Op), Path: op.Path, Value: op.Value})
	}
	return out
}

// Port is a port with the fields of newer microversions gophercloud does not have:
// name (API 1.88), description (1.97), vendor (1.100) and category (1.101); empty
// where the Ironic lacks them.
type Port struct {
	ports.Port
	Name        string `json:"name"`
	Description string `json:"description"`
	Vendor      string `json:"vendor"`
	Category    string `json:"category"`
}

// portOf decodes one port answer.
func portOf(r interface{ ExtractInto(any) error }) (*Port, error) {
	var p Port
	if err := r.ExtractInto(&p); err != nil {
		return nil, err
	}
	return &p, nil
}

// extractPorts decodes a page of ports.
func extractPorts(page pagination.Page) ([]Port, error) {
	var out []Port
	err := ports.ExtractPortsInto(page, &out)
	return out, err
}

// GetPort reads a port by UUID.
func (c *Client) GetPort(ctx context.Context, id string) (*Port, error) {
	return portOf(ports.Get(ctx, c.SC, id))
}

// UpdatePort applies a JSON patch to a port; with no operations it reads the port.
func (c *Client) UpdatePort(ctx context.Context, id string, ops []PatchOp) (*Port, error) {
	if len(ops) == 0 {
		return c.GetPort(ctx, id)
	}
	opts := make(ports.UpdateOpts, 0, len(ops))
	for _, op := range ops {
		opts = append(opts, ports.UpdateOperation{Op: ports.UpdateOp(op.Op), Path: op.Path, Value: op.Value})
	}
	return portOf(ports.Update(ctx, c.SC, id, opts))
}

// DeletePort deletes a port; one already gone counts as deleted.
func (c *Client) DeletePort(ctx context.Context, id string) error {
	err := ports.Delete(ctx, c.SC, id).ExtractErr()
	if IsNotFound(err) {
		return nil
	}
	return err
}

// PortsByMAC lists the UUIDs of the ports with this (normalized) MAC address.
func (c *Client) PortsByMAC(ctx context.Context, mac string) ([]string, error) {
	found, err := c.listPorts(ctx, ports.ListOpts{Address: mac})
	ids := make([]string, len(found))
	for i, p := range found {
		ids[i] = p.UUID
	}
	return ids, err
}

func (c *Client) listPorts(ctx context.Context, opts ports.ListOpts) ([]Port, error) {
	pages, err := ports.List(c.SC, opts).AllPages(ctx)
	if err != nil {
		return nil, err
	}
	return extractPorts(pages)
}

// NodeFilter selects nodes; empty fields match everything.
type NodeFilter struct {
	ProvisionState, Driver, ResourceClass, ConductorGroup, Owner, Lessee, Fault, Shard string
	Maintenance, Associated                                                            *bool
	// Traits: only nodes that have every one (Ironic has no such filter: checked here).
	Traits []string
}

// nodeSummaryFields are what a node list returns per node: enough to choose nodes and
// to write import blocks for them.
var nodeSummaryFields = []string{
	"uuid", "name", "provision_state", "driver", "resource_class", "owner", "lessee", "conductor_group",
	"maintenance", "fault", "traits", "instance_uuid", "shard",
}

// ListNodes lists the matching nodes, oldest first, page after page, with the fields of
// nodeSummaryFields only.
func (c *Client) ListNodes(ctx context.Context, f NodeFilter) ([]nodes.Node, error) {
	extra := url.Values{}
	for name, v := range map[string]*bool{"maintenance": f.Maintenance, "associated": f.Associated} {
		if v != nil {
			extra.Set(name, strconv.FormatBool(*v))
		}
	}
	if f.Lessee != "" {
		extra.Set("lessee", f.Lessee)
	}
	if f.Shard != "" {
		extra.Set("shard", f.Shard) // API 1.82
	}
	opts := nodeListQuery{ListOpts: nodes.ListOpts{
		ProvisionState: nodes.ProvisionState(f.ProvisionState),
		Driver:         f.Driver,
		ResourceClass:  f.ResourceClass,
		ConductorGroup: f.ConductorGroup,
		Owner:          f.Owner,
		Fault:          f.Fault,
		Fields:         nodeSummaryFields,
		SortKey:        "created_at",
		Limit:          listPageSize,
	}, extra: extra}
	found, err := listPages(ctx, func(marker string) pagination.Pager {
		opts.Marker = marker
		return nodes.List(c.SC, opts)
	}, nodes.ExtractNodes, func(n *nodes.Node) string { return n.UUID }, "nodes", c.Log)
	if err != nil || len(f.Traits) == 0 {
		return found, err
	}
	return slices.DeleteFunc(found, func(n nodes.Node) bool {
		return slices.ContainsFunc(f.Traits, func(t string) bool { return !slices.Contains(n.Traits, t) })
	}), nil
}

// nodeListQuery adds the filters gophercloud cannot express: maintenance=false,
// associated=false, lessee and shard.
type nodeListQuery struct {
	nodes.ListOpts
	extra url.Values
}

func (q nodeListQuery) ToNodeListQuery() (string, error) {
	s, err := q.ListOpts.ToNodeListQuery()
	if err != nil || len(q.extra) == 0 {
		return s, err
	}
	sep := "&"
	if s == "" {
		sep = "?"
	}
	return s + sep + q.extra.Encode(), nil
}

func (q nodeListQuery) ToNodeListDetailQuery() (string, error) { return q.ToNodeListQuery() }

// NodePorts lists the node's ports, sorted by address.
func (c *Client) NodePorts(ctx context.Context, nodeID string) ([]Port, error) {
	found, err := c.listPorts(ctx, ports.ListOpts{NodeUUID: nodeID, Fields: portReadFields(c.SC)})
	sort.Slice(found, func(i, j int) bool { return found[i].Address < found[j].Address })
	return found, err
}

// NodeInstanceName is the node's instance_name (API 1.104), "" where the Ironic has none.
func (c *Client) NodeInstanceName(ctx context.Context, nodeID string) (string, error) {
	if !FeatureNamed("instance_name").Available(c.SC.Microversion) {
		return "", nil
	}
	var out struct {
		InstanceName string `json:"instance_name"`
	}
	err := rawGet(ctx, c.SC, &out, "nodes", nodeID+"?fields=instance_name")
	return out.InstanceName, err
}

// NodeChildren lists the UUIDs of the node's child nodes (GET /v1/nodes/{node}/children,
// API 1.83: DPUs and other devices whose parent_node it is); nil where the Ironic lacks
// them.
func (c *Client) NodeChildren(ctx context.Context, nodeID string) ([]string, error) {
	if !FeatureNamed("parent_node").Available(c.SC.Microversion) {
		return nil, nil
	}
	var out struct {
		Children []string `json:"children"`
	}
	err := rawGet(ctx, c.SC, &out, "nodes", nodeID, "children")
	return out.Children, err
}

// Shard is one shard Ironic knows and how many nodes it holds.
type Shard struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// ListShards lists the shards of the nodes (GET /v1/shards, API 1.82), by name; nodes
// without a shard are in none.
func (c *Client) ListShards(ctx context.Context) ([]Shard, error) {
	var out struct {
		Shards []Shard `json:"shards"`
	}
	if _, err := c.SC.Get(ctx, c.SC.ServiceURL("shards"), &out, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil {
		return nil, err
	}
	sort.Slice(out.Shards, func(i, j int) bool { return out.Shards[i].Name < out.Shards[j].Name })
	return out.Shards, nil
}
