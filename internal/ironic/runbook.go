package ironic

import (
	"context"

	"github.com/gophercloud/gophercloud/v2"
)

// Runbook is a named list of steps (API 1.92, Ironic 26.1) that a node whose traits
// include the runbook's name can be cleaned or serviced with. gophercloud does not wrap it.
type Runbook struct {
	UUID           string           `json:"uuid"`
	Name           string           `json:"name"`
	Steps          []map[string]any `json:"steps"`
	DisableRamdisk bool             `json:"disable_ramdisk"`
	Public         bool             `json:"public"`
	Owner          string           `json:"owner"`
	Extra          map[string]any   `json:"extra"`
}

// CreateRunbook creates a runbook whose body carries a UUID chosen by the caller, so a
// request whose answer was lost is never sent twice.
func CreateRunbook(ctx context.Context, sc *gophercloud.ServiceClient, policy *RetryPolicy, body map[string]any) (*Runbook, error) {
	uuid, _ := body["uuid"].(string)
	return createOnce(ctx, policy, "runbook", uuid,
		func() (*Runbook, error) {
			var r Runbook
			return &r, rawPost(ctx, sc, body, &r, "runbooks")
		},
		func() (*Runbook, error) { return GetRunbook(ctx, sc, uuid) })
}

// GetRunbook reads a runbook by UUID or name.
func GetRunbook(ctx context.Context, sc *gophercloud.ServiceClient, id string) (*Runbook, error) {
	var r Runbook
	if err := rawGet(ctx, sc, &r, "runbooks", id); err != nil {
		return nil, err
	}
	return &r, nil
}

// UpdateRunbook applies a JSON patch; with no operations it reads the runbook.
func UpdateRunbook(ctx context.Context, sc *gophercloud.ServiceClient, id string, ops []PatchOp) (*Runbook, error) {
	if len(ops) == 0 {
		return GetRunbook(ctx, sc, id)
	}
	var r Runbook
	if err := rawPatch(ctx, sc, ops, &r, "runbooks", id); err != nil {
		return nil, err
	}
	return &r, nil
}

// DeleteRunbook deletes a runbook; one already gone counts as deleted.
func DeleteRunbook(ctx context.Context, sc *gophercloud.ServiceClient, id string) error {
	return rawDelete(ctx, sc, "runbooks", id)
}
