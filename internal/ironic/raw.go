package ironic

import (
	"context"

	"github.com/gophercloud/gophercloud/v2"
)

// PatchOp is one JSON patch operation, for the objects gophercloud has no update for.
type PatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// Patch operations.
const (
	OpAdd    = "add"
	OpRemove = "remove"
)

// The raw requests below go through gophercloud's service client (authentication,
// microversion header, retries), for calls gophercloud does not wrap.

func rawGet(ctx context.Context, sc *gophercloud.ServiceClient, out any, parts ...string) error {
	_, err := sc.Get(ctx, sc.ServiceURL(parts...), out, &gophercloud.RequestOpts{OkCodes: []int{200}})
	return err
}

func rawPost(ctx context.Context, sc *gophercloud.ServiceClient, body, out any, parts ...string) error {
	_, err := sc.Post(ctx, sc.ServiceURL(parts...), body, out, &gophercloud.RequestOpts{OkCodes: []int{201}})
	return err
}

func rawPatch(ctx context.Context, sc *gophercloud.ServiceClient, ops []PatchOp, out any, parts ...string) error {
	_, err := sc.Patch(ctx, sc.ServiceURL(parts...), ops, out, &gophercloud.RequestOpts{OkCodes: []int{200}})
	return err
}

func rawPut(ctx context.Context, sc *gophercloud.ServiceClient, body any, parts ...string) error {
	_, err := sc.Put(ctx, sc.ServiceURL(parts...), body, nil, &gophercloud.RequestOpts{OkCodes: []int{204}})
	return err
}

func rawDelete(ctx context.Context, sc *gophercloud.ServiceClient, parts ...string) error {
	_, err := sc.Delete(ctx, sc.ServiceURL(parts...), &gophercloud.RequestOpts{OkCodes: []int{204}})
	if IsNotFound(err) {
		return nil
	}
	return err
}

// getObject reads one object of such a kind by UUID or name.
func getObject[T any](ctx context.Context, sc *gophercloud.ServiceClient, path, id string) (*T, error) {
	var obj T
	if err := rawGet(ctx, sc, &obj, path, id); err != nil {
		return nil, err
	}
	return &obj, nil
}

// updateObject applies a JSON patch to such an object; with no operations it reads it.
func updateObject[T any](ctx context.Context, sc *gophercloud.ServiceClient, path, id string, ops []PatchOp) (*T, error) {
	if len(ops) == 0 {
		return getObject[T](ctx, sc, path, id)
	}
	var obj T
	if err := rawPatch(ctx, sc, ops, &obj, path, id); err != nil {
		return nil, err
	}
	return &obj, nil
}
