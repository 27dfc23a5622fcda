package ironic

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
)

// Listing says how much of a collection a list reads: at most Limit objects (0: no
// limit), each with every field the provider's resources read when Full, else only
// the fields that name it.
type Listing struct {
	Limit int
	Full  bool
}

// pageSize is the page to ask for when n objects are still wanted (0: no limit) and
// every object listed counts (filtered: full pages, as most may be dropped).
func pageSize(n int, filtered bool) int {
	if n <= 0 || filtered {
		return listPageSize
	}
	return min(n, listPageSize)
}

// eachListed follows Ironic's pagination as listPages does, handing each object that
// keep accepts (nil: all) to yield, and stops when the collection ends, limit objects
// were handed (0: no limit) or yield returns false. It reads no page beyond the one
// holding the last object wanted. pageURL is the URL of the page of size objects after
// marker; kind is the collection (its key in a page: "nodes", "ports", ...).
func eachListed[T any](ctx context.Context, c *Client, kind string, pageURL func(marker string, size int) (string, error),
	id func(*T) string, limit int, keep func(*T) bool, yield func(*T) bool) error {
	marker, handed := "", 0
	for call := 1; ; call++ {
		url, err := pageURL(marker, pageSize(limit-handed, keep != nil))
		if err != nil {
			return err
		}
		items, more, err := listPage[T](ctx, c, url, kind)
		if err != nil {
			return err
		}
		if c.Log != nil {
			c.Log(ctx, "listed a page of "+kind, map[string]any{"objects": len(items), "call": call})
		}
		for i := range items {
			if keep != nil && !keep(&items[i]) {
				continue
			}
			if !yield(&items[i]) {
				return nil
			}
			if handed++; limit > 0 && handed >= limit {
				return nil
			}
		}
		if !more || len(items) == 0 {
			return nil
		}
		marker = id(&items[len(items)-1])
	}
}

// listPage reads one page of a collection: the objects under key, and whether Ironic
// names a next page. The body is decoded once, straight into T; gophercloud's pages
// decode it into maps and then encode and decode all of it again for each of IsEmpty,
// the extraction and the next link, which was most of the provider's time in listing
// 1,000 nodes with every field.
func listPage[T any](ctx context.Context, c *Client, url, key string) ([]T, bool, error) {
	var body map[string]json.RawMessage
	if _, err := c.SC.Get(ctx, url, &body, nil); err != nil {
		return nil, false, err
	}
	var items []T
	if raw := body[key]; raw != nil {
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, false, fmt.Errorf("a page of %s: %w", key, err)
		}
	}
	var next string
	if raw := body["next"]; raw != nil {
		_ = json.Unmarshal(raw, &next) // a URL, or null
	}
	return items, next != "", nil
}

// nodeListedFields are what a node list asks for per node when not Full: enough to name
// it and to check the filters Ironic has none for.
var nodeListedFields = []string{"uuid", "name", "provision_state", "traits"}

// EachNode hands the matching nodes to yield, oldest first, page after page (see
// Listing); with deployments, only those whose deployment an adoption imports
// (AdoptsDeployment).
func (c *Client) EachNode(ctx context.Context, f NodeFilter, deployments *DeploymentFilter, l Listing, yield func(*nodes.Node) bool) error {
	fields := nodeListedFields
	if deployments != nil {
		fields = append(slices.Clip(fields), deploymentFields...)
	}
	opts := nodeQuery(f, fields)
	base := c.SC.ServiceURL("nodes")
	if l.Full {
		opts.Fields, base = nil, c.SC.ServiceURL("nodes", "detail")
	}
	var keep func(*nodes.Node) bool
	if deployments != nil || len(f.Traits) > 0 {
		var allocated map[string]bool // read once, when a node needs it (see markAllocated)
		keep = func(n *nodes.Node) bool {
			if deployments != nil && !l.Full && n.InstanceUUID != "" && IsDeployed(n.ProvisionState) {
				if allocated == nil {
					var err error
					if allocated, err = c.allocationUUIDs(ctx); err != nil {
						allocated = map[string]bool{} // then counted as foreign: the safe side
					}
				}
				if allocated[n.InstanceUUID] {
					n.AllocationUUID = n.InstanceUUID
				}
			}
			return (deployments == nil || AdoptsDeployment(n, deployments.IncludeForeign)) && f.hasTraits(n)
		}
	}
	return eachListed(ctx, c, "nodes", func(marker string, size int) (string, error) {
		opts.Marker, opts.Limit = marker, size
		q, err := opts.ToNodeListQuery()
		return base + q, err
	}, func(n *nodes.Node) string { return n.UUID }, l.Limit, keep, yield)
}

// PortFilter selects ports; empty fields match everything.
type PortFilter struct {
	Node, Portgroup string // UUID or name
}

// EachPort hands the matching ports to yield, page after page (see Listing).
func (c *Client) EachPort(ctx context.Context, f PortFilter, l Listing, yield func(*Port) bool) error {
	opts := ports.ListOpts{Node: f.Node, PortGroup: f.Portgroup, Fields: []string{"uuid", "address"}}
	if l.Full {
		opts.Fields = portReadFields(c.SC)
	}
	return eachListed(ctx, c, "ports", func(marker string, size int) (string, error) {
		opts.Marker, opts.Limit = marker, size
		q, err := opts.ToPortListQuery()
		return c.SC.ServiceURL("ports") + q, err
	}, func(p *Port) string { return p.UUID }, l.Limit, nil, yield)
}

// EachPortgroup hands the port groups (of node, a UUID or name, when set) to yield,
// page after page (see Listing).
func (c *Client) EachPortgroup(ctx context.Context, node string, l Listing, yield func(*Portgroup) bool) error {
	q := url.Values{}
	if node != "" {
		q.Set("node", node)
	}
	return Portgroups.each(ctx, c, q, []string{"uuid", "name", "address"}, l, yield)
}

// PortgroupsOfNodes groups the port groups of these nodes by node UUID, as
// PortsOfNodes groups ports: node by node for a few nodes, else one paged list of all.
func (c *Client) PortgroupsOfNodes(ctx context.Context, nodeIDs []string) (map[string][]Portgroup, error) {
	byNode := map[string][]Portgroup{}
	fields := []string{"uuid", "node_uuid", "address", "name"}
	add := func(g *Portgroup) bool { byNode[g.NodeUUID] = append(byNode[g.NodeUUID], *g); return true }
	if len(nodeIDs) <= portsNodeByNodeUpTo {
		for _, id := range nodeIDs {
			if err := Portgroups.each(ctx, c, url.Values{"node": {id}}, fields, Listing{}, add); err != nil {
				return nil, err
			}
		}
		return byNode, nil
	}
	return byNode, Portgroups.each(ctx, c, nil, fields, Listing{}, add)
}

// EachAllocation hands the allocations to yield, page after page (see Listing).
func (c *Client) EachAllocation(ctx context.Context, l Listing, yield func(*Allocation) bool) error {
	return allocationKind.each(ctx, c, nil, []string{"uuid", "name"}, l, yield)
}

// allocationKind lists allocations as the other raw kinds (their other calls go through
// gophercloud), with every field the resource reads: a list without fields has few.
var allocationKind = ObjectKind[Allocation]{kind: "allocation", path: "allocations",
	full: []string{"uuid", "name", "resource_class", "traits", "candidate_nodes", "owner", "extra", "node_uuid", "state", "last_error"}}

// Each hands the objects of this kind to yield, page after page (see Listing).
func (k ObjectKind[T]) Each(c *Client, ctx context.Context, l Listing, yield func(*T) bool) error {
	return k.each(ctx, c, nil, []string{"uuid", "name"}, l, yield)
}

// each lists the kind with the query's filters: when Full, with the fields of k.full
// (none: every field, detail=true), else with fields.
func (k ObjectKind[T]) each(ctx context.Context, c *Client, query url.Values, fields []string, l Listing, yield func(*T) bool) error {
	q := url.Values{}
	for key, v := range query {
		q[key] = v
	}
	switch {
	case !l.Full:
		q.Set("fields", strings.Join(fields, ","))
	case len(k.full) > 0:
		q.Set("fields", strings.Join(k.full, ","))
	default:
		q.Set("detail", "true")
	}
	return eachListed(ctx, c, k.path, func(marker string, size int) (string, error) {
		q.Set("limit", strconv.Itoa(size))
		q.Del("marker")
		if marker != "" {
			q.Set("marker", marker)
		}
		return c.SC.ServiceURL(k.path) + "?" + q.Encode(), nil
	}, func(obj *T) string { return any(obj).(interface{ objectUUID() string }).objectUUID() }, l.Limit, nil, yield)
}

// objectUUID is the marker of the next page after this object.
func (p Portgroup) objectUUID() string   { return p.UUID }
func (a Allocation) objectUUID() string  { return a.UUID }
func (s StepsObject) objectUUID() string { return s.UUID }

// hasTraits reports whether the node has every trait of the filter.
func (f NodeFilter) hasTraits(n *nodes.Node) bool {
	return !slices.ContainsFunc(f.Traits, func(t string) bool { return !slices.Contains(n.Traits, t) })
}
