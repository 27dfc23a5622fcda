package ironic

import (
	"context"
	"fmt"

	googleuuid "github.com/google/uuid"
	"github.com/gophercloud/gophercloud/v2"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

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

// createObject creates an object of a kind gophercloud does not wrap (kind names it in
// errors, path is its collection) from a body carrying a UUID the caller chose (or
// chosen here), so a request whose answer was lost is never sent twice.
func createObject[T any](ctx context.Context, sc *gophercloud.ServiceClient, policy *RetryPolicy, kind, path string, body map[string]any) (*T, error) {
	uuid := chooseUUID(body)
	return createOnce(ctx, policy, kind, uuid,
		func() (*T, error) {
			var obj T
			return &obj, rawPost(ctx, sc, body, &obj, path)
		},
		func() (*T, error) { return getObject[T](ctx, sc, path, uuid) })
}
