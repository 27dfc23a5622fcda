package ironic

import (
	"context"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// NodeCreate is a node create request holding only the fields that were set; it covers
// fields gophercloud's CreateOpts lacks (lessee, description).
type NodeCreate map[string]any

// ToNodeCreateMap implements nodes.CreateOptsBuilder.
func (c NodeCreate) ToNodeCreateMap() (map[string]any, error) { return c, nil }

// PatchNode applies a JSON patch. resetInterfaces (with a driver change) asks Ironic to
// reset the hardware interfaces the patch does not set to the new driver's defaults;
// gophercloud's nodes.Update has no way to pass that query parameter.
func (c *Client) PatchNode(ctx context.Context, id string, ops nodes.UpdateOpts, resetInterfaces bool) (*nodes.Node, error) {
	if !resetInterfaces {
		return nodes.Update(ctx, c.SC, id, ops).Extract()
	}
	body := make([]map[string]any, 0, len(ops))
	for _, op := range ops {
		m, err := op.ToNodeUpdateMap()
		if err != nil {
			return nil, err
		}
		body = append(body, m)
	}
	var r nodes.UpdateResult
	resp, err := c.SC.Patch(ctx, c.SC.ServiceURL("nodes", id)+"?reset_interfaces=true", body, &r.Body, &gophercloud.RequestOpts{OkCodes: []int{200}})
	_, r.Header, r.Err = gophercloud.ParseResponse(resp, err)
	return r.Extract()
}
