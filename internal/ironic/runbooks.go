package ironic

import (
	"context"
)

// Runbook is a named list of steps (API 1.92, Ironic 26.1) that a node whose traits
// include the runbook's name can be cleaned or serviced with.
type Runbook struct {
	StepsObject
	DisableRamdisk bool   `json:"disable_ramdisk"`
	Public         bool   `json:"public"`
	Owner          string `json:"owner"`
}

// CreateRunbook creates one from a body carrying a UUID chosen by the caller, so a
// request whose answer was lost is never sent twice.
func (c *Client) CreateRunbook(ctx context.Context, body map[string]any) (*Runbook, error) {
	return createObject[Runbook](ctx, c.SC, c.Retry, "runbook", "runbooks", body)
}

// GetRunbook reads one by UUID or name.
func (c *Client) GetRunbook(ctx context.Context, id string) (*Runbook, error) {
	return getObject[Runbook](ctx, c.SC, "runbooks", id)
}

// UpdateRunbook applies a JSON patch; with no operations it reads it.
func (c *Client) UpdateRunbook(ctx context.Context, id string, ops []PatchOp) (*Runbook, error) {
	return updateObject[Runbook](ctx, c.SC, "runbooks", id, ops)
}

// DeleteRunbook deletes a runbook; one already gone counts as deleted.
func (c *Client) DeleteRunbook(ctx context.Context, id string) error {
	return rawDelete(ctx, c.SC, "runbooks", id)
}
