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
