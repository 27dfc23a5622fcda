package ironic

import (
	"context"
	"sort"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/gophercloud/gophercloud/v2/pagination"
)

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

// PortCreate is a port create request holding only the fields that were set.
type PortCreate map[string]any

// ToPortCreateMap implements ports.CreateOptsBuilder.
func (c PortCreate) ToPortCreateMap() (map[string]any, error) { return c, nil }

// CreatePort is CreateNode for ports.
func (c *Client) CreatePort(ctx context.Context, body PortCreate) (*Port, error) {
	uuid := chooseUUID(body)
	return createOnce(ctx, c.Retry, "port", uuid,
		func() (*Port, error) { return portOf(ports.Create(ctx, c.SC, body)) },
		func() (*Port, error) { return c.GetPort(ctx, uuid) })
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

func (c *Client) listPorts(ctx context.Context, opts ports.ListOpts) ([]Port, error) {
	pages, err := ports.List(c.SC, opts).AllPages(ctx)
	if err != nil {
		return nil, err
	}
	return extractPorts(pages)
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

// NodePorts lists the node's ports, sorted by address.
func (c *Client) NodePorts(ctx context.Context, nodeID string) ([]Port, error) {
	found, err := c.listPorts(ctx, ports.ListOpts{NodeUUID: nodeID, Fields: portReadFields(c.SC)})
	sort.Slice(found, func(i, j int) bool { return found[i].Address < found[j].Address })
	return found, err
}
