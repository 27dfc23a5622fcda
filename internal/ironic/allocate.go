package ironic

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/allocations"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

// AllocationFailedError is an allocation Ironic could not fulfil.
type AllocationFailedError struct {
	ID, LastError string
}

func (e *AllocationFailedError) Error() string {
	return fmt.Sprintf("allocation %s failed: %s", e.ID, e.LastError)
}

// AllocationStalledError is an allocation Ironic's conductor left "allocating": it
// assigned no node and recorded no error (it lost the work, say a database write that
// failed twice, once for the node and once for the error).
type AllocationStalledError struct {
	ID    string
	After time.Duration
}

func (e *AllocationStalledError) Error() string {
	return fmt.Sprintf("allocation %s was still %q after %s: Ironic's conductor assigned it no node and recorded "+
		"no error (it lost the work; its log tells why)", e.ID, AllocationAllocating, e.After)
}

// allocationAttempts bounds the tries of an allocation Ironic could not fulfil: a node
// still locked by its conductor (just provided, or claimed by a concurrent allocation)
// does not count as a candidate, so a miss may be momentary.
var allocationAttempts = []time.Duration{0, time.Second, 3 * time.Second} // the wait before each

// allocationStall is how long an allocation may stay "allocating" without a node before
// it counts as lost: Ironic picks a node within seconds or records why it could not,
// and resumes its own unfinished allocations only when its conductor restarts.
var allocationStall = time.Minute

// Allocate asks Ironic for a node and waits until it has picked one. A failed or lost
// allocation is deleted again (it holds nothing) and tried again a few times, then its
// reason is returned.
func (c *Client) Allocate(ctx context.Context, body AllocationCreate) (*Allocation, error) {
	var err error
	for i, delay := range allocationAttempts {
		if i > 0 {
			if err := c.sleeper().Sleep(ctx, delay); err != nil {
				return nil, err
			}
			delete(body, "uuid") // the failed one was deleted: allocateOnce chooses another
		}
		var a *Allocation
		a, err = c.allocateOnce(ctx, body)
		var failed *AllocationFailedError
		var stalled *AllocationStalledError
		switch {
		case errors.As(err, &failed):
			c.log(ctx, "allocation failed", map[string]any{"allocation": failed.ID, "attempt": i + 1, "reason": failed.LastError})
		case errors.As(err, &stalled):
			// Deleted before another is asked for, so that a late pick by the conductor
			// cannot leave two nodes claimed: its save then finds no allocation.
			if derr := c.DeleteAllocation(context.WithoutCancel(ctx), stalled.ID); derr != nil {
				return nil, fmt.Errorf("%w; deleting it failed too, so no other was created: %w", err, derr)
			}
			c.log(ctx, "allocation lost by the conductor, deleted", map[string]any{"allocation": stalled.ID, "attempt": i + 1})
		default:
			return a, err
		}
	}
	return nil, err
}

func (c *Client) allocateOnce(ctx context.Context, body AllocationCreate) (*Allocation, error) {
	uuid := chooseUUID(body)
	created, err := createOnce(ctx, c.Retry, "allocation", uuid,
		func() (*Allocation, error) {
			var a Allocation
			return &a, allocations.Create(ctx, c.SC, body).ExtractInto(&a)
		},
		func() (*Allocation, error) { return c.GetAllocation(ctx, uuid) })
	if err != nil {
		return nil, err
	}
	a := created
	clock := &elapsedClock{Sleeper: c.sleeper()}
	err = backoff.Poll(ctx, clock, c.Poll, func() (bool, error) {
		if a.State != AllocationAllocating {
			return true, nil
		}
		if a.NodeUUID == "" && clock.elapsed >= allocationStall {
			return false, &AllocationStalledError{ID: a.UUID, After: clock.elapsed.Round(time.Second)}
		}
		next, err := c.GetAllocation(ctx, a.UUID)
		if err != nil && IsTransient(err) && ctx.Err() == nil {
			return false, nil // a proxy's 502: ask again until the timeout
		}
		if err != nil {
			return false, err
		}
		a = next
		return a.State != AllocationAllocating, nil
	})
	var stalled *AllocationStalledError
	if errors.As(err, &stalled) {
		return nil, err
	}
	if err != nil {
		return a, fmt.Errorf("allocation %s still %q when the timeout ran out: Ironic assigned it no node and reported "+
			"no error (is a conductor running, and the database writable?): %w", a.UUID, a.State, err)
	}
	if a.State == AllocationError {
		if derr := c.DeleteAllocation(context.WithoutCancel(ctx), a.UUID); derr != nil {
			c.log(ctx, "could not delete the failed allocation", map[string]any{"allocation": a.UUID, "error": Message(derr)})
		}
		return nil, &AllocationFailedError{ID: a.UUID, LastError: a.LastError}
	}
	return a, nil
}

// elapsedClock adds up the waits it is asked for: the least time that has passed (the
// requests between them take more), and the same with a test's clock that never waits.
type elapsedClock struct {
	backoff.Sleeper
	elapsed time.Duration
}

func (c *elapsedClock) Sleep(ctx context.Context, d time.Duration) error {
	c.elapsed += d
	return c.Sleeper.Sleep(ctx, d)
}
