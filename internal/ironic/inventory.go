package ironic

import (
	"context"
	"encoding/json"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// Inventory is what inspection recorded about a node's hardware (API 1.81).
type Inventory struct {
	nodes.InventoryData
	InventoryJSON  string // the inventory as Ironic stores it
	PluginDataJSON string // what inspection plugins added, as Ironic stores it
}

// GetInventory reads the node's inventory; nil, nil when Ironic holds none.
func (c *Client) GetInventory(ctx context.Context, id string) (*Inventory, error) {
	r := nodes.GetInventory(ctx, c.SC, id)
	if IsNotFound(r.Err) {
		return nil, nil
	}
	data, err := r.Extract()
	if err != nil {
		return nil, err
	}
	inv := &Inventory{InventoryData: *data}
	if body, ok := r.Body.(map[string]any); ok {
		inv.InventoryJSON = compactJSON(body["inventory"])
		inv.PluginDataJSON = compactJSON(body["plugin_data"])
	}
	return inv, nil
}

func compactJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
