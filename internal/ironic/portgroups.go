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

// CreatePortgroup creates a port group whose body carries a UUID chosen by the caller,
// so a request whose answer was lost is never sent twice.
func (c *Client) CreatePortgroup(ctx context.Context, body map[string]any) (*Portgroup, error) {
	uuid, _ := body["uuid"].(string)
	return createOnce(ctx, c.Retry, "portgroup", uuid,
		func() (*Portgroup, error) {
			var pg Portgroup
			return &pg, rawPost(ctx, c.SC, body, &pg, "portgroups")
		},
		func() (*Portgroup, error) { return c.GetPortgroup(ctx, uuid) })
}

// GetPortgroup reads a port group by UUID or name.
func (c *Client) GetPortgroup(ctx context.Context, id string) (*Portgroup, error) {
	var pg Portgroup
	if err := rawGet(ctx, c.SC, &pg, "portgroups", id); err != nil {
		return nil, err
	}
	return &pg, nil
}

// UpdatePortgroup applies a JSON patch to a port group; with no operations it reads it.
func (c *Client) UpdatePortgroup(ctx context.Context, id string, ops []PatchOp) (*Portgroup, error) {
	if len(ops) == 0 {
		return c.GetPortgroup(ctx, id)
	}
	var pg Portgroup
	if err := rawPatch(ctx, c.SC, ops, &pg, "portgroups", id); err != nil {
		return nil, err
	}
	return &pg, nil
}

// DeletePortgroup deletes a port group; one already gone counts as deleted.
func (c *Client) DeletePortgroup(ctx context.Context, id string) error {
	return rawDelete(ctx, c.SC, "portgroups", id)
}
