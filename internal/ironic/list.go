package ironic

import (
	"context"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

// listPageSize is Ironic's default max_limit: the most one page may hold.
const listPageSize = 1000

// portReadFields are the port fields the provider's resources read, those of newer
// microversions where the client speaks them (asking for a field the microversion lacks
// is refused).
func portReadFields(sc *gophercloud.ServiceClient) []string {
	fields := []string{
		"uuid", "address", "node_uuid", "portgroup_uuid", "pxe_enabled", "local_link_connection",
		"physical_network", "extra", "is_smartnic",
	}
	for field, feature := range map[string]string{"name": "port name", "description": "port description", "vendor": "port vendor", "category": "port category"} {
		if FeatureNamed(feature).Available(sc.Microversion) {
			fields = append(fields, field)
		}
	}
	return fields
}

// ListAllNodes returns every node the caller may see, in full, page after page. Not
// only the fields the resources read: Ironic refuses created_at and updated_at in a
// node list's fields, and the state holds both.
func (c *Client) ListAllNodes(ctx context.Context) ([]nodes.Node, error) {
	return listPages(ctx, func(marker string) pagination.Pager {
		return nodes.ListDetail(c.SC, nodes.ListOpts{Limit: listPageSize, Marker: marker})
	}, nodes.ExtractNodes, func(n *nodes.Node) string { return n.UUID }, "nodes", c.Log)
}

// ListAllPorts returns every port the caller may see, page after page.
func (c *Client) ListAllPorts(ctx context.Context) ([]Port, error) {
	fields := portReadFields(c.SC)
	return listPages(ctx, func(marker string) pagination.Pager {
		return ports.List(c.SC, ports.ListOpts{Fields: fields, Limit: listPageSize, Marker: marker})
	}, extractPorts, func(p *Port) string { return p.UUID }, "ports", c.Log)
}

// listPages follows Ironic's pagination itself: Ironic says there is more with a "next"
// URL, which gophercloud's node and port pagers do not read (they look for
// nodes_links), so they stop after the first page. Each page asks for the objects
// after the previous page's last one.
func listPages[T any](ctx context.Context, page func(marker string) pagination.Pager, extract func(pagination.Page) ([]T, error),
	id func(*T) string, kind string, log backoff.Logger) ([]T, error) {
	var all []T
	marker := ""
	for call := 1; ; call++ {
		var items []T
		more := false
		err := page(marker).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
			var err error
			items, err = extract(p)
			more = hasNext(p)
			return false, err
		})
		if err != nil {
			return nil, err
		}
		if log != nil {
			log(ctx, "listed a page of "+kind, map[string]any{"objects": len(items), "call": call})
		}
		all = append(all, items...)
		if !more || len(items) == 0 {
			return all, nil
		}
		marker = id(&items[len(items)-1])
	}
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
