package ironic

import (
	"context"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/gophercloud/gophercloud/v2/pagination"
)

// listPageSize is Ironic's default max_limit: the most one page may hold.
const listPageSize = 1000

// portReadFields are the port fields the provider's resources read.
var portReadFields = []string{
	"uuid", "address", "node_uuid", "portgroup_uuid", "pxe_enabled", "local_link_connection",
	"physical_network", "extra", "is_smartnic",
}

// ListAllNodes returns every node the caller may see, in full, page after page. Not
// only the fields the resources read: Ironic refuses created_at and updated_at in a
// node list's fields, and the state holds both.
func ListAllNodes(ctx context.Context, sc *gophercloud.ServiceClient, log Logger) ([]nodes.Node, error) {
	return listPages(ctx, nodes.ListDetail(sc, nodes.ListOpts{Limit: listPageSize}), nodes.ExtractNodes, "nodes", log)
}

// ListAllPorts returns every port the caller may see, page after page.
func ListAllPorts(ctx context.Context, sc *gophercloud.ServiceClient, log Logger) ([]ports.Port, error) {
	return listPages(ctx, ports.List(sc, ports.ListOpts{Fields: portReadFields, Limit: listPageSize}), ports.ExtractPorts, "ports", log)
}

func listPages[T any](ctx context.Context, pager pagination.Pager, extract func(pagination.Page) ([]T, error), kind string, log Logger) ([]T, error) {
	var all []T
	calls := 0
	err := pager.EachPage(ctx, func(ctx context.Context, page pagination.Page) (bool, error) {
		items, err := extract(page)
		calls++
		if log != nil {
			log(ctx, "listed a page of "+kind, map[string]any{"objects": len(items), "call": calls})
		}
		all = append(all, items...)
		return true, err
	})
	return all, err
}
