package ironic

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
)

// CreateNode creates a node whose body carries a UUID chosen by the caller. A POST whose
// answer is lost (connection reset) may or may not have been carried out; asking for
// the UUID tells which, so a retry never makes a second node.
func CreateNode(ctx context.Context, sc *gophercloud.ServiceClient, policy *RetryPolicy, body NodeCreate) (*nodes.Node, error) {
	uuid, _ := body["uuid"].(string)
	return createOnce(ctx, policy, "node", uuid,
		func() (*nodes.Node, error) { return nodes.Create(ctx, sc, body).Extract() },
		func() (*nodes.Node, error) { return nodes.Get(ctx, sc, uuid).Extract() })
}

// PortCreate is a port create request holding only the fields that were set.
type PortCreate map[string]any

// ToPortCreateMap implements ports.CreateOptsBuilder.
func (c PortCreate) ToPortCreateMap() (map[string]any, error) { return c, nil }

// CreatePort is CreateNode for ports.
func CreatePort(ctx context.Context, sc *gophercloud.ServiceClient, policy *RetryPolicy, body PortCreate) (*ports.Port, error) {
	uuid, _ := body["uuid"].(string)
	return createOnce(ctx, policy, "port", uuid,
		func() (*ports.Port, error) { return ports.Create(ctx, sc, body).Extract() },
		func() (*ports.Port, error) { return ports.Get(ctx, sc, uuid).Extract() })
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
		if StatusCode(err) != 0 || ctx.Err() != nil || uuid == "" || int(attempt) > policy.MaxRetries {
			return nil, err
		}
		lost = true
		if policy.Log != nil {
			policy.Log(ctx, "create request got no answer; checking whether it was carried out",
				map[string]any{"kind": kind, "uuid": uuid, "attempt": attempt, "error": err.Error()})
		}
		if sleepCtx(ctx, policy.Delay(attempt)) != nil {
			return nil, err
		}
		if obj, gerr := get(); gerr == nil {
			return obj, nil
		} else if !IsNotFound(gerr) {
			return nil, fmt.Errorf("%w; then looking up %s %s: %s", err, kind, uuid, Message(gerr))
		}
	}
}
