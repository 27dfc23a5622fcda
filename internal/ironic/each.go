package ironic

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/gophercloud/gophercloud/v2/pagination"
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
// holding the last object wanted.
func eachListed[T any](ctx context.Context, page func(marker string, size int) pagination.Pager, extract func(pagination.Page) ([]T, error),
	id func(*T) string, kind string, c *Client, limit int, keep func(*T) bool, yield func(*T) bool) error {
	marker, handed := "", 0
	for call := 1; ; call++ {
		var items []T
		more := false
		err := page(marker, pageSize(limit-handed, keep != nil)).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
			var err error
			items, err = extract(p)
			more = hasNext(p)
			return false, err
		})
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

// nodeListedFields are what a node list asks for per node when not Full: enough to name
// it and to check the filters Ironic has none for.
var nodeListedFields = []string{"uuid", "name", "provision_state", "traits"}

// EachNode hands the matching nodes to yield, oldest first, page after page (see
// Listing); with deployedOnly, only those a deployment holds (IsDeployed).
func (c *Client) EachNode(ctx context.Context, f NodeFilter, deployedOnly bool, l Listing, yield func(*nodes.Node) bool) error {
	opts := nodeQuery(f, nodeListedFields)
	list := nodes.List
	if l.Full {
		opts.Fields, list = nil, nodes.ListDetail
	}
	var keep func(*nodes.Node) bool
	if deployedOnly || len(f.Traits) > 0 {
		keep = func(n *nodes.Node) bool { return (!deployedOnly || IsDeployed(n.ProvisionState)) && f.hasTraits(n) }
	}
	return eachListed(ctx, func(marker string, size int) pagination.Pager {
		opts.Marker, opts.Limit = marker, size
		return list(c.SC, opts)
	}, nodes.ExtractNodes, func(n *nodes.Node) string { return n.UUID }, "nodes", c, l.Limit, keep, yield)
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
	return eachListed(ctx, func(marker string, size int) pagination.Pager {
		opts.Marker, opts.Limit = marker, size
		return ports.List(c.SC, opts)
	}, extractPorts, func(p *Port) string { return p.UUID }, "ports", c, l.Limit, nil, yield)
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
	return eachListed(ctx, func(marker string, size int) pagination.Pager {
		q.Set("limit", strconv.Itoa(size))
		q.Del("marker")
		if marker != "" {
			q.Set("marker", marker)
		}
		return pagination.NewPager(c.SC, c.SC.ServiceURL(k.path)+"?"+q.Encode(), func(r pagination.PageResult) pagination.Page {
			return rawPage{pagination.SinglePageBase(r)}
		})
	}, func(p pagination.Page) ([]T, error) {
		var out []T
		err := p.(rawPage).ExtractIntoSlicePtr(&out, k.path)
		return out, err
	}, func(obj *T) string { return any(obj).(interface{ objectUUID() string }).objectUUID() }, k.path, c, l.Limit, nil, yield)
}

// rawPage is one page of a collection gophercloud does not wrap. It is never empty to
// EachPage: the objects are counted after extracting them.
type rawPage struct{ pagination.SinglePageBase }

func (rawPage) IsEmpty() (bool, error) { return false, nil }

// objectUUID is the marker of the next page after this object.
func (p Portgroup) objectUUID() string   { return p.UUID }
func (a Allocation) objectUUID() string  { return a.UUID }
func (s StepsObject) objectUUID() string { return s.UUID }

// hasTraits reports whether the node has every trait of the filter.
func (f NodeFilter) hasTraits(n *nodes.Node) bool {
	return !slices.ContainsFunc(f.Traits, func(t string) bool { return !slices.Contains(n.Traits, t) })
}
