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

// listPageSize is Ironic's default max_limit: the most one page may hold.
const listPageSize = 1000

// ListAllNodes returns every node the caller may see, in full, page after page. Not
// only the fields the resources read: Ironic refuses created_at and updated_at in a
// node list's fields, and the state holds both.
func (c *Client) ListAllNodes(ctx context.Context) ([]nodes.Node, error) {
	return listPages(ctx, c, "nodes", func(marker string) (string, error) {
		q, err := nodes.ListOpts{Limit: listPageSize, Marker: marker}.ToNodeListDetailQuery()
		return c.SC.ServiceURL("nodes", "detail") + q, err
	}, func(n *nodes.Node) string { return n.UUID })
}

// ListAllPorts returns every port the caller may see, page after page.
func (c *Client) ListAllPorts(ctx context.Context) ([]Port, error) {
	fields := portReadFields(c.SC)
	return listPages(ctx, c, "ports", func(marker string) (string, error) {
		q, err := ports.ListOpts{Fields: fields, Limit: listPageSize, Marker: marker}.ToPortListQuery()
		return c.SC.ServiceURL("ports") + q, err
	}, func(p *Port) string { return p.UUID })
}

// listPages follows Ironic's pagination itself: Ironic says there is more with a "next"
// URL, which gophercloud's node and port pagers do not read (they look for
// nodes_links), so they stop after the first page. Each page (pageURL) asks for the
// objects after the previous page's last one.
func listPages[T any](ctx context.Context, c *Client, kind string, pageURL func(marker string) (string, error), id func(*T) string) ([]T, error) {
	var all []T
	err := eachListed(ctx, c, kind, func(marker string, _ int) (string, error) { return pageURL(marker) }, id, 0, nil,
		func(obj *T) bool { all = append(all, *obj); return true })
	return all, err
}

// hasNext reports whether a page of an Ironic list names a next one.
func hasNext(p pagination.Page) bool {
	var s struct {
		Next string `json:"next"`
	}
	e, ok := p.(interface{ ExtractInto(any) error })
	return ok && e.ExtractInto(&s) == nil && s.Next != ""
}

// portsNodeByNodeUpTo: for this many nodes or fewer, PortsOfNodes asks for each node's
// ports; for more, one paged list of every port costs fewer calls.
const portsNodeByNodeUpTo = 8

// PortsOfNodes groups the ports of these nodes by node UUID, in Ironic's order.
func (c *Client) PortsOfNodes(ctx context.Context, nodeIDs []string) (map[string][]Port, error) {
	byNode := map[string][]Port{}
	if len(nodeIDs) <= portsNodeByNodeUpTo {
		for _, id := range nodeIDs {
			found, err := c.listPorts(ctx, ports.ListOpts{NodeUUID: id, Fields: portReadFields(c.SC)})
			if err != nil {
				return nil, err
			}
			byNode[id] = found
		}
		return byNode, nil
	}
	all, err := c.ListAllPorts(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		byNode[p.NodeUUID] = append(byNode[p.NodeUUID], p)
	}
	return byNode, nil
}

// NodesAtMost reports whether Ironic holds at most limit nodes the caller may see,
// reading UUIDs only, a page at a time, and no more pages than the limit needs.
func (c *Client) NodesAtMost(ctx context.Context, limit int) (bool, error) {
	return atMost(ctx, limit, func(marker string, size int) pagination.Pager {
		return nodes.List(c.SC, nodes.ListOpts{Fields: []string{"uuid"}, Limit: size, Marker: marker})
	}, nodes.ExtractNodes, func(n *nodes.Node) string { return n.UUID })
}

// PortsAtMost is NodesAtMost for ports.
func (c *Client) PortsAtMost(ctx context.Context, limit int) (bool, error) {
	return atMost(ctx, limit, func(marker string, size int) pagination.Pager {
		return ports.List(c.SC, ports.ListOpts{Fields: []string{"uuid"}, Limit: size, Marker: marker})
	}, ports.ExtractPorts, func(p *ports.Port) string { return p.UUID })
}

func atMost[T any](ctx context.Context, limit int, page func(marker string, size int) pagination.Pager,
	extract func(pagination.Page) ([]T, error), id func(*T) string) (bool, error) {
	seen, marker := 0, ""
	for {
		size := min(limit-seen+1, listPageSize) // one more than the limit says "more"
		var items []T
		more := false
		err := page(marker, size).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
			var err error
			items, err = extract(p)
			more = hasNext(p)
			return false, err
		})
		if err != nil {
			return false, err
		}
		seen += len(items)
		switch {
		case seen > limit:
			return false, nil
		case !more || len(items) == 0:
			return true, nil
		}
		marker = id(&items[len(items)-1])
	}
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
	opts := nodeQuery(f, nodeSummaryFields)
	opts.Limit = listPageSize
	found, err := listPages(ctx, c, "nodes", func(marker string) (string, error) {
		opts.Marker = marker
		q, err := opts.ToNodeListQuery()
		return c.SC.ServiceURL("nodes") + q, err
	}, func(n *nodes.Node) string { return n.UUID })
	if err == nil {
		err = c.markAllocated(ctx, found)
	}
	if err != nil || len(f.Traits) == 0 {
		return found, err
	}
	return slices.DeleteFunc(found, func(n nodes.Node) bool { return !f.hasTraits(&n) }), nil
}

// nodeQuery is the query of a node list with these filters and fields, oldest first.
func nodeQuery(f NodeFilter, fields []string) nodeListQuery {
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
	return nodeListQuery{ListOpts: nodes.ListOpts{
		ProvisionState: nodes.ProvisionState(f.ProvisionState),
		Driver:         f.Driver,
		ResourceClass:  f.ResourceClass,
		ConductorGroup: f.ConductorGroup,
		Owner:          f.Owner,
		Fault:          f.Fault,
		Fields:         fields,
		SortKey:        "created_at",
	}, extra: extra}
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
