package ironic

import (
	"context"
	"fmt"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// waitPower polls until Ironic has carried out a power request (target_power_state
// cleared), then lets done judge the node. It follows the request: Ironic sets the target
// before it answers, so the first read comes after the poll policy's first wait. A node
// done judges finished is waited on while its conductor still reserves it, as WaitStable
// does: the next request (a port create takes the node's lock too) would find it locked.
//
// The conductor holds the node's reservation from the moment it sets the target until it
// clears it. A target left with no reservation was dropped: the power action failed and
// so did saving its outcome (on sqlite, "database is locked"), and nothing clears it
// until the conductor restarts. Such a wait ends with a *PowerDroppedError, at once when
// Ironic recorded why, else after nodeStall, never at the timeout.
func (c *Client) waitPower(ctx context.Context, id string, done func(*nodes.Node) (bool, error)) (*nodes.Node, error) {
	clock := &elapsedClock{Sleeper: c.sleeper()}
	unattendedSince, release := time.Duration(-1), releaseWait{since: -1}
	return c.pollNodeWith(ctx, clock, id, true, func(n *nodes.Node) (bool, error) {
		if n.TargetPowerState == "" {
			ok, err := done(n)
			if err != nil || !ok {
				release.reset()
				return ok, err
			}
			return release.over(n, clock.elapsed), nil
		}
		switch {
		case n.Reservation != "":
			unattendedSince = -1
		case n.LastError != "":
			return true, &PowerDroppedError{NodeID: id, Target: n.TargetPowerState, LastError: n.LastError}
		case unattendedSince < 0:
			unattendedSince = clock.elapsed
		case clock.elapsed-unattendedSince >= nodeStall:
			return true, &PowerDroppedError{NodeID: id, Target: n.TargetPowerState, For: clock.elapsed - unattendedSince}
		}
		return false, nil
	})
}

// PowerDroppedError says Ironic dropped a power request: the node keeps its power target
// with no conductor working on it.
type PowerDroppedError struct {
	NodeID, Target, LastError string
	For                       time.Duration
}

func (e *PowerDroppedError) Error() string {
	msg := fmt.Sprintf("node %s: Ironic dropped the request for %q: the target stays set with no conductor working on it", e.NodeID, e.Target)
	if e.For > 0 {
		msg += fmt.Sprintf(" (for %s)", e.For.Round(time.Second))
	}
	if e.LastError != "" {
		msg += " (Ironic's last_error: " + e.LastError + ")"
	}
	return msg + ". Nothing clears it until its conductor restarts; then apply again"
}
