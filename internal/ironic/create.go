package ironic

import (
	"context"
	"fmt"

	googleuuid "github.com/google/uuid"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

// CreateNode creates a node whose body carries a UUID chosen by the caller, or here when
// it carries none. A POST whose answer is lost (connection reset) may or may not have
// been carried out; asking for the UUID tells which, so a retry never makes a second node.
func (c *Client) CreateNode(ctx context.Context, body NodeCreate) (*nodes.Node, error) {
	uuid := chooseUUID(body)
	return createOnce(ctx, c.Retry, "node", uuid,
		func() (*nodes.Node, error) { return nodes.Create(ctx, c.SC, body).Extract() },
		func() (*nodes.Node, error) { return nodes.Get(ctx, c.SC, uuid).Extract() })
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

// chooseUUID is the UUID body creates its object with: its own, or one chosen now (and
// put in body), so that every create is idempotent by itself.
func chooseUUID(body map[string]any) string {
	uuid, _ := body["uuid"].(string)
	if uuid == "" {
		uuid = googleuuid.NewString()
		body["uuid"] = uuid
	}
	return uuid
}

func createOnce[T any](ctx context.Context, policy *RetryPolicy, kind, uuid string, create, get func() (*T, error)) (*T, error) {
	if policy == nil {
		policy = DefaultRetryPolicy(nil)
	}
	var lost bool // an earlier attempt's answer was lost
	for attempt := uint(1); ; attempt++ {
		obj, err := create()
		if err == nil {
			return obj, nil
		}
		if lost && StatusCode(err) == 409 && uuid != "" {
			// "already exists": the lost attempt did create it.
			return get()
		}
		// Lost: no answer, or a proxy's 502/503/504, which may come after Ironic acted.
		if !IsTransient(err) || StatusCode(err) == 409 || ctx.Err() != nil || uuid == "" || int(attempt) > policy.MaxRetries {
			return nil, err
		}
		lost = true
		if policy.Log != nil {
			policy.Log(ctx, "create request got no answer; checking whether it was carried out",
				map[string]any{"kind": kind, "uuid": uuid, "attempt": attempt, "error": err.Error()})
		}
		if backoff.Sleep(ctx, policy.Delay(attempt)) != nil {
			return nil, err
		}
		if obj, gerr := get(); gerr == nil {
			return obj, nil
		} else if !IsNotFound(gerr) {
			return nil, fmt.Errorf("%w; then looking up %s %s: %s", err, kind, uuid, Message(gerr))
		}
	}
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
