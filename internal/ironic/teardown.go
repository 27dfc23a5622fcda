package ironic

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// Remove deletes a node, torn down first as Ironic does it: a deployed or failed node is
// brought to available (undeployed, and cleaned where automated cleaning is on: a clean
// that failed before runs again), then to manageable, then deleted. Maintenance is lifted
// for that. When the teardown fails, the node is not deleted: Ironic would forget a
// machine whose disks were never erased, perhaps still running a tenant's system; the
// error carries Ironic's reason and maintenance is restored. force deletes at once,
// in maintenance, without a teardown (decommissioning hardware that is gone). A node
// already gone counts as deleted.
func (c *Client) Remove(ctx context.Context, id string, force bool) error {
	node, err := nodes.Get(ctx, c.SC, id).Extract()
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case force:
		if !node.Maintenance {
			if err := nodes.SetMaintenance(ctx, c.SC, id, nodes.MaintenanceOpts{Reason: "terraform destroy with force_delete"}).ExtractErr(); err != nil {
				return fmt.Errorf("setting maintenance to delete without a teardown: %s", Message(err))
			}
		}
	case !slices.Contains([]string{StateEnroll, StateManageable, StateAvailable}, node.ProvisionState) || !Settled(node):
		if err := c.tearDown(ctx, node); err != nil {
			return err
		}
	case node.ProvisionState == StateAvailable:
		if _, err := c.Reach(ctx, id, Goal{State: StateManageable}); err != nil {
			return err
		}
	}
	if err := nodes.Delete(ctx, c.SC, id).ExtractErr(); err != nil && !IsNotFound(err) {
		return errors.New(Message(err))
	}
	return nil
}

// tearDown brings a node to manageable through available, maintenance lifted for it and
// restored when the teardown fails.
func (c *Client) tearDown(ctx context.Context, node *nodes.Node) error {
	id := node.UUID
	if node.Maintenance {
		if err := nodes.UnsetMaintenance(ctx, c.SC, id).ExtractErr(); err != nil {
			return fmt.Errorf("lifting maintenance to tear the node down: %s", Message(err))
		}
	}
	_, err := c.Reach(ctx, id, Goal{State: StateAvailable})
	if err == nil {
		_, err = c.Reach(ctx, id, Goal{State: StateManageable})
	}
	if err == nil {
		return nil
	}
	if node.Maintenance {
		if merr := nodes.SetMaintenance(context.WithoutCancel(ctx), c.SC, id, nodes.MaintenanceOpts{Reason: node.MaintenanceReason}).ExtractErr(); merr != nil {
			err = fmt.Errorf("%w; then restoring maintenance: %s", err, Message(merr))
		}
	}
	return &TeardownError{NodeID: id, Err: err}
}

// TeardownError says a node could not be torn down, so it was not deleted.
type TeardownError struct {
	NodeID string
	Err    error
}

func (e *TeardownError) Error() string {
	return fmt.Sprintf("node %s could not be torn down, so it was not deleted (Ironic would forget a machine whose disks "+
		"were not erased): %v", e.NodeID, e.Err)
}

func (e *TeardownError) Unwrap() error { return e.Err }

// Undeploy tears a deployment down (Ironic's "deleted": the node goes through cleaning
// when automated cleaning is on) until the node is available. Maintenance is lifted for
// it and restored afterwards. A node that is gone, or not deployed, needs nothing; a
// protected one is refused (*ProtectedError) before anything is sent, as Ironic would.
func (c *Client) Undeploy(ctx context.Context, id string) (*nodes.Node, error) {
	node, err := nodes.Get(ctx, c.SC, id).Extract()
	if IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if node.Protected {
		return node, &ProtectedError{NodeID: id, Action: "undeploy"}
	}
	if !IsDeployed(node.ProvisionState) {
		return node, nil
	}
	restore := node.Maintenance
	reason := node.MaintenanceReason
	if restore {
		if err := nodes.UnsetMaintenance(ctx, c.SC, id).ExtractErr(); err != nil {
			return node, fmt.Errorf("node %s: lifting maintenance to undeploy: %s", id, Message(err))
		}
	}
	after, err := c.Reach(ctx, id, Goal{State: StateAvailable})
	if restore {
		if merr := nodes.SetMaintenance(context.WithoutCancel(ctx), c.SC, id, nodes.MaintenanceOpts{Reason: reason}).ExtractErr(); merr != nil && err == nil {
			err = fmt.Errorf("node %s: restoring maintenance: %s", id, Message(merr))
		}
	}
	return after, err
}
