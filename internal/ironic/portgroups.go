package ironic

import (
	"context"
)

// Portgroup is an Ironic port group (a bond of a node's ports); gophercloud has no
// portgroup calls, so they go through its service client as raw requests.
type Portgroup struct {
	UUID                     string         `json:"uuid"`
	NodeUUID                 string         `json:"node_uuid"`
	Address                  string         `json:"address"`
	Name                     string         `json:"name"`
	Mode                     string         `json:"mode"`
	Properties               map[string]any `json:"properties"`
	StandalonePortsSupported bool           `json:"standalone_ports_supported"`
	Extra                    map[string]any `json:"extra"`
}

// CreatePortgroup creates a port group from a body carrying a UUID chosen by the caller
// (or chosen here), so a request whose answer was lost is never sent twice.
func (c *Client) CreatePortgroup(ctx context.Context, body map[string]any) (*Portgroup, error) {
	return createObject[Portgroup](ctx, c.SC, c.Retry, "portgroup", "portgroups", body)
}

// GetPortgroup reads a port group by UUID or name.
func (c *Client) GetPortgroup(ctx context.Context, id string) (*Portgroup, error) {
	return getObject[Portgroup](ctx, c.SC, "portgroups", id)
}

// UpdatePortgroup applies a JSON patch to a port group; with no operations it reads it.
func (c *Client) UpdatePortgroup(ctx context.Context, id string, ops []PatchOp) (*Portgroup, error) {
	return updateObject[Portgroup](ctx, c.SC, "portgroups", id, ops)
}

// DeletePortgroup deletes a port group; one already gone counts as deleted.
func (c *Client) DeletePortgroup(ctx context.Context, id string) error {
	return rawDelete(ctx, c.SC, "portgroups", id)
}
