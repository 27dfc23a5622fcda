package ironic

import (
	"context"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/allocations"
)

// Allocation is an Ironic allocation (API 1.52+), with the fields gophercloud's type
// lacks (owner).
type Allocation struct {
	UUID           string         `json:"uuid"`
	Name           string         `json:"name"`
	ResourceClass  string         `json:"resource_class"`
	Traits         []string       `json:"traits"`
	CandidateNodes []string       `json:"candidate_nodes"`
	Owner          string         `json:"owner"`
	Extra          map[string]any `json:"extra"`
	NodeUUID       string         `json:"node_uuid"`
	State          string         `json:"state"`
	LastError      string         `json:"last_error"`
}

// AllocationCreate is an allocation create request holding only the fields that were set.
type AllocationCreate map[string]any

// ToAllocationCreateMap implements allocations.CreateOptsBuilder.
func (c AllocationCreate) ToAllocationCreateMap() (map[string]any, error) { return c, nil }

// GetAllocation reads an allocation by UUID or name.
func (c *Client) GetAllocation(ctx context.Context, id string) (*Allocation, error) {
	var a Allocation
	if err := allocations.Get(ctx, c.SC, id).ExtractInto(&a); err != nil {
		return nil, err
	}
	return &a, nil
}

// UpdateAllocation patches an allocation (name and extra); gophercloud has no call for
// it. With no operations it reads the allocation.
func (c *Client) UpdateAllocation(ctx context.Context, id string, ops []PatchOp) (*Allocation, error) {
	return updateObject[Allocation](ctx, c.SC, "allocations", id, ops)
}

// DeleteAllocation releases an allocation; one already gone counts as deleted.
func (c *Client) DeleteAllocation(ctx context.Context, id string) error {
	err := allocations.Delete(ctx, c.SC, id).ExtractErr()
	if IsNotFound(err) {
		return nil
	}
	return err
}
