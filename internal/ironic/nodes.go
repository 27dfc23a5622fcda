package ironic

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// NodeCreate is a node create request holding only the fields that were set; it covers
// fields gophercloud's CreateOpts lacks (lessee, description).
type NodeCreate map[string]any

// ToNodeCreateMap implements nodes.CreateOptsBuilder.
func (c NodeCreate) ToNodeCreateMap() (map[string]any, error) { return c, nil }

// CreateNode creates a node whose body carries a UUID chosen by the caller, or here when
// it carries none. A POST whose answer is lost (connection reset) may or may not have
// been carried out; asking for the UUID tells which, so a retry never makes a second node.
func (c *Client) CreateNode(ctx context.Context, body NodeCreate) (*nodes.Node, error) {
	uuid := chooseUUID(body)
	return createOnce(ctx, c.Retry, "node", uuid,
		func() (*nodes.Node, error) { return nodes.Create(ctx, c.SC, body).Extract() },
		func() (*nodes.Node, error) { return nodes.Get(ctx, c.SC, uuid).Extract() })
}

// OwnerError says a node was created but its owner could not be set; the node exists.
type OwnerError struct {
	NodeID, Owner string
	Err           error
}

func (e *OwnerError) Error() string {
	return fmt.Sprintf("node %s was created, but setting owner %q failed: %s", e.NodeID, e.Owner, Message(e.Err))
}

func (e *OwnerError) Unwrap() error { return e.Err }

// EnrollNode creates a node as CreateNode does, then sets its owner: Ironic refuses an
// owner in a create request unless the caller is a system-scoped admin (noauth is not),
// yet accepts it in an update. With an *OwnerError the node exists and is returned.
func (c *Client) EnrollNode(ctx context.Context, body NodeCreate) (*nodes.Node, error) {
	owner, _ := body["owner"].(string)
	delete(body, "owner")
	node, err := c.CreateNode(ctx, body)
	if err != nil || owner == "" {
		return node, err
	}
	owned, err := nodes.Update(ctx, c.SC, node.UUID, nodes.UpdateOpts{
		nodes.UpdateOperation{Op: nodes.AddOp, Path: "/owner", Value: owner},
	}).Extract()
	if err != nil {
		return node, &OwnerError{NodeID: node.UUID, Owner: owner, Err: err}
	}
	return owned, nil
}

// GetNode reads a node by UUID or name.
func (c *Client) GetNode(ctx context.Context, id string) (*nodes.Node, error) {
	return nodes.Get(ctx, c.SC, id).Extract()
}

// NodeUpdateOpts turns patch operations into gophercloud's node update options.
func NodeUpdateOpts(ops []PatchOp) nodes.UpdateOpts {
	out := make(nodes.UpdateOpts, 0, len(ops))
	for _, op := range ops {
		out = append(out, nodes.UpdateOperation{Op: nodes.UpdateOp(op.Op), Path: op.Path, Value: op.Value})
	}
	return out
}

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

// PatchNodeSafely is PatchNode for a node that may be in a failed deployment: Ironic
// refuses interface changes in "deploy failed" unless the node is in maintenance, so
// such a refusal is answered by setting maintenance for the patch and lifting it again.
// With no operations it reads the node.
func (c *Client) PatchNodeSafely(ctx context.Context, id string, ops nodes.UpdateOpts, resetInterfaces bool) (*nodes.Node, error) {
	if len(ops) == 0 {
		return c.GetNode(ctx, id)
	}
	node, err := c.PatchNode(ctx, id, ops, resetInterfaces)
	if code := StatusCode(err); code != 400 && code != 409 {
		return node, err
	}
	cur, gerr := nodes.Get(ctx, c.SC, id).Extract()
	if gerr != nil || cur.Maintenance || (cur.ProvisionState != StateDeployFailed && cur.ProvisionState != StateError) {
		return node, err
	}
	if merr := nodes.SetMaintenance(ctx, c.SC, id, nodes.MaintenanceOpts{Reason: "terraform: changing a node whose deploy failed"}).ExtractErr(); merr != nil {
		return node, err
	}
	node, err = c.PatchNode(ctx, id, ops, resetInterfaces)
	if uerr := nodes.UnsetMaintenance(context.WithoutCancel(ctx), c.SC, id).ExtractErr(); uerr != nil && err == nil {
		err = fmt.Errorf("the change was made, but lifting maintenance again failed: %s", Message(uerr))
	}
	if err == nil {
		node, err = nodes.Get(ctx, c.SC, id).Extract()
	}
	return node, err
}

// NodeInstanceName is the node's instance_name (API 1.104), "" where the Ironic has none.
func (c *Client) NodeInstanceName(ctx context.Context, nodeID string) (string, error) {
	if !FeatureNamed("instance_name").Available(c.SC.Microversion) {
		return "", nil
	}
	var out struct {
		InstanceName string `json:"instance_name"`
	}
	err := rawGet(ctx, c.SC, &out, "nodes", nodeID+"?fields=instance_name")
	return out.InstanceName, err
}

// NodeChildren lists the UUIDs of the node's child nodes (GET /v1/nodes/{node}/children,
// API 1.83: DPUs and other devices whose parent_node it is); nil where the Ironic lacks
// them.
func (c *Client) NodeChildren(ctx context.Context, nodeID string) ([]string, error) {
	if !FeatureNamed("parent_node").Available(c.SC.Microversion) {
		return nil, nil
	}
	var out struct {
		Children []string `json:"children"`
	}
	err := rawGet(ctx, c.SC, &out, "nodes", nodeID, "children")
	return out.Children, err
}
