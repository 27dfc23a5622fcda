package ironic

import (
	"context"
	"fmt"
	"sort"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
)

// The plain reads, updates and deletes of nodes and ports, so that the provider
// translates and never calls the API itself.

// GetNode reads a node by UUID or name.
func GetNode(ctx context.Context, sc *gophercloud.ServiceClient, id string) (*nodes.Node, error) {
	return nodes.Get(ctx, sc, id).Extract()
}

// NodeUpdateOpts turns patch operations into gophercloud's node update options.
func NodeUpdateOpts(ops []PatchOp) nodes.UpdateOpts {
	out := make(nodes.UpdateOpts, 0, len(ops))
	for _, op := range ops {
		out = append(out, nodes.UpdateOperation{Op: nodes.UpdateOp(op.Op), Path: op.Path, Value: op.Value})
	}
	return out
}

// GetPort reads a port by UUID.
func GetPort(ctx context.Context, sc *gophercloud.ServiceClient, id string) (*ports.Port, error) {
	return ports.Get(ctx, sc, id).Extract()
}

// UpdatePort applies a JSON patch to a port; with no operations it reads the port.
func UpdatePort(ctx context.Context, sc *gophercloud.ServiceClient, id string, ops []PatchOp) (*ports.Port, error) {
	if len(ops) == 0 {
		return GetPort(ctx, sc, id)
	}
	opts := make(ports.UpdateOpts, 0, len(ops))
	for _, op := range ops {
		opts = append(opts, ports.UpdateOperation{Op: ports.UpdateOp(op.Op), Path: op.Path, Value: op.Value})
	}
	return ports.Update(ctx, sc, id, opts).Extract()
}

// DeletePort deletes a port; one already gone counts as deleted.
func DeletePort(ctx context.Context, sc *gophercloud.ServiceClient, id string) error {
	err := ports.Delete(ctx, sc, id).ExtractErr()
	if IsNotFound(err) {
		return nil
	}
	return err
}

// PortsByMAC lists the UUIDs of the ports with this (normalized) MAC address.
func PortsByMAC(ctx context.Context, sc *gophercloud.ServiceClient, mac string) ([]string, error) {
	found, err := listPorts(ctx, sc, ports.ListOpts{Address: mac})
	ids := make([]string, len(found))
	for i, p := range found {
		ids[i] = p.UUID
	}
	return ids, err
}

// PortAddresses lists the MAC addresses of a node's ports, sorted.
func PortAddresses(ctx context.Context, sc *gophercloud.ServiceClient, nodeID string) ([]string, error) {
	found, err := listPorts(ctx, sc, ports.ListOpts{NodeUUID: nodeID})
	if err != nil {
		return nil, err
	}
	addresses := make([]string, 0, len(found))
	for _, p := range found {
		addresses = append(addresses, p.Address)
	}
	sort.Strings(addresses)
	return addresses, nil
}

func listPorts(ctx context.Context, sc *gophercloud.ServiceClient, opts ports.ListOpts) ([]ports.Port, error) {
	pages, err := ports.List(sc, opts).AllPages(ctx)
	if err != nil {
		return nil, err
	}
	return ports.ExtractPorts(pages)
}

// NodeFilter selects nodes; empty fields match everything.
type NodeFilter struct {
	ProvisionState, Driver, ResourceClass, ConductorGroup, Owner string
	Maintenance                                                  *bool
}

// ListNodes lists the UUIDs and names of the matching nodes, oldest first.
func ListNodes(ctx context.Context, sc *gophercloud.ServiceClient, f NodeFilter) ([]nodes.Node, error) {
	opts := nodeListQuery{ListOpts: nodes.ListOpts{
		ProvisionState: nodes.ProvisionState(f.ProvisionState),
		Driver:         f.Driver,
		ResourceClass:  f.ResourceClass,
		ConductorGroup: f.ConductorGroup,
		Owner:          f.Owner,
		Fields:         []string{"uuid", "name"},
		SortKey:        "created_at",
	}, maintenance: f.Maintenance}
	pages, err := nodes.List(sc, opts).AllPages(ctx)
	if err != nil {
		return nil, err
	}
	return nodes.ExtractNodes(pages)
}

// nodeListQuery adds maintenance=false, which gophercloud's bool field cannot express.
type nodeListQuery struct {
	nodes.ListOpts
	maintenance *bool
}

func (q nodeListQuery) ToNodeListQuery() (string, error) {
	q.ListOpts.Maintenance = false
	s, err := q.ListOpts.ToNodeListQuery()
	if err != nil || q.maintenance == nil {
		return s, err
	}
	sep := "&"
	if s == "" {
		sep = "?"
	}
	return fmt.Sprintf("%s%smaintenance=%t", s, sep, *q.maintenance), nil
}

func (q nodeListQuery) ToNodeListDetailQuery() (string, error) { return q.ToNodeListQuery() }
