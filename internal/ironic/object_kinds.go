package ironic

import (
	"context"
)

// ObjectKind is a kind of object gophercloud does not wrap (a deploy template, a runbook,
// a port group), by its four calls. They take the client first, in the shape of a method
// expression such as (*Client).GetPort, so that a caller can hold them as such.
type ObjectKind[T any] struct {
	kind string   // in errors: "deploy template"
	path string   // its collection: "deploy_templates"
	full []string // the fields a list reads of each when they are not all returned with detail=true
}

// Create creates one from a body carrying a UUID chosen by the caller (or chosen here),
// so a request whose answer was lost is never sent twice.
func (k ObjectKind[T]) Create(c *Client, ctx context.Context, body map[string]any) (*T, error) {
	return createObject[T](ctx, c.SC, c.Retry, k.kind, k.path, body)
}

// Get reads one by UUID or name.
func (k ObjectKind[T]) Get(c *Client, ctx context.Context, id string) (*T, error) {
	return getObject[T](ctx, c.SC, k.path, id)
}

// Update applies a JSON patch; with no operations it reads it.
func (k ObjectKind[T]) Update(c *Client, ctx context.Context, id string, ops []PatchOp) (*T, error) {
	return updateObject[T](ctx, c.SC, k.path, id, ops)
}

// Delete deletes one; one already gone counts as deleted.
func (k ObjectKind[T]) Delete(c *Client, ctx context.Context, id string) error {
	return rawDelete(ctx, c.SC, k.path, id)
}
