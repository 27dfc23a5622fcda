package ironic

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

// HoldError says Ironic holds the node: a step asked for it, and it waits for an operator.
type HoldError struct{ NodeID, State, Target string }

func (e *HoldError) Error() string {
	return fmt.Sprintf("Ironic holds node %s in %q (a %s step asked for it, on the way to %q): it waits there for an "+
		"operator, not for time. Release it with `baremetal node unhold %s` (API 1.85, Ironic 22.1 or newer) or "+
		"abort it, then apply again", e.NodeID, e.State, strings.TrimSuffix(e.State, " hold"), e.Target, e.NodeID)
}

// WaitStable polls until the node rests in a stable state with no transition pending. A
// node Ironic holds ends the wait at once with a *HoldError.
//
// A node left in a state that only a conductor at work holds (cleaning, deploying, ...)
// with no conductor reserving it for nodeStall has been dropped by Ironic (on sqlite, a
// "database is locked" while saving the node's state): nothing moves it until its
// conductor restarts, so the wait ends with a *StalledError rather than at the timeout.
//
// A node that rests while its conductor still reserves it (the conductor saved the new
// state and has not released its lock yet) is waited on until the reservation is
// released, for up to releaseGrace: a request sent at once would find the node locked,
// and Ironic's conductor tries a locked node again only after a second
// ([conductor]node_locked_retry_interval).
func (c *Client) WaitStable(ctx context.Context, id string) (*nodes.Node, error) {
	return c.waitStable(ctx, id, false)
}

// waitStableAfterRequest is WaitStable right after a provision request Ironic accepted:
// Ironic records the target before it answers, so the first read comes after the poll
// policy's first wait rather than at once.
func (c *Client) waitStableAfterRequest(ctx context.Context, id string) (*nodes.Node, error) {
	return c.waitStable(ctx, id, true)
}

func (c *Client) waitStable(ctx context.Context, id string, afterRequest bool) (*nodes.Node, error) {
	clock := &elapsedClock{Sleeper: c.sleeper()}
	unattendedSince, release := time.Duration(-1), releaseWait{since: -1}
	node, err := c.pollNodeWith(ctx, clock, id, afterRequest, func(n *nodes.Node) (bool, error) {
		if isHold(n.ProvisionState) {
			return true, &HoldError{NodeID: id, State: n.ProvisionState, Target: n.TargetProvisionState}
		}
		switch {
		case !unattended(n):
			unattendedSince = -1
		case unattendedSince < 0:
			unattendedSince = clock.elapsed
		case clock.elapsed-unattendedSince >= nodeStall:
			return true, &StalledError{NodeID: id, State: n.ProvisionState, For: clock.elapsed - unattendedSince, LastError: n.LastError}
		}
		if !Settled(n) {
			release.reset()
			return false, nil
		}
		return release.over(n, clock.elapsed), nil
	})
	if err != nil && node != nil && ctx.Err() != nil {
		return node, fmt.Errorf("still %q (target %q) when the timeout ran out: %w", node.ProvisionState, node.TargetProvisionState, ctx.Err())
	}
	return node, err
}

// releaseGrace is how long a wait that found the node at rest waits on for its conductor
// to release it (the reservation a finished task holds for a moment): a reservation that
// outlasts it (another task took the node) no longer holds the wait up.
var releaseGrace = 2 * time.Second

// releaseWait ends a wait that found the node where it should be: at once when no
// conductor reserves it, else once the reservation is released or has outlasted
// releaseGrace.
type releaseWait struct{ since time.Duration } // -1: not reserved at the last read

// over reports whether the wait for n, read after elapsed, is over.
func (r *releaseWait) over(n *nodes.Node, elapsed time.Duration) bool {
	if n.Reservation == "" {
		return true
	}
	if r.since < 0 {
		r.since = elapsed
	}
	return elapsed-r.since >= releaseGrace
}

// reset: the node was read elsewhere than where the wait ends.
func (r *releaseWait) reset() { r.since = -1 }

// nodeStall is how long a node may sit in a conductor's working state with no conductor
// reserving it before it counts as dropped. A conductor holds the node's reservation for
// as long as it works on it; the gaps between two of its tasks last well under a second.
var nodeStall = 2 * time.Minute

// unattended: the node is in a working state and no conductor holds it.
func unattended(n *nodes.Node) bool {
	return n.Reservation == "" && slices.Contains(workingStates, n.ProvisionState)
}

// StalledError says Ironic dropped the work on a node: it stays in a working state that
// no conductor holds.
type StalledError struct {
	NodeID, State, LastError string
	For                      time.Duration
}

func (e *StalledError) Error() string {
	msg := fmt.Sprintf("node %s has been %q for %s with no conductor working on it: Ironic dropped the work", e.NodeID, e.State, e.For.Round(time.Second))
	if e.LastError != "" {
		msg += " (Ironic's last_error: " + e.LastError + ")"
	}
	return msg + ". Nothing moves it until its conductor restarts, which fails the interrupted action; then apply again"
}

// pollNode reads the node by the poll policy until done says so; it returns the last
// node read, also on error.
//
// A transient answer (a proxy's 502, a reset connection, a node locked for a moment),
// even one that outlasts the client's own retries, never ends the wait: polling goes on
// until done or ctx's deadline, which then names the last such answer. Only Ironic's
// verdict, through done, ends a wait early.
func (c *Client) pollNode(ctx context.Context, id string, done func(*nodes.Node) (bool, error)) (*nodes.Node, error) {
	return c.pollNodeWith(ctx, c.sleeper(), id, false, done)
}

// pollNodeWith is pollNode with the clock that spaces the reads; afterRequest: the wait
// follows a request Ironic answered with the change under way (it records the target
// before it answers), so a read at once could only say so, and the first read comes
// after the policy's first wait.
func (c *Client) pollNodeWith(ctx context.Context, clk backoff.Sleeper, id string, afterRequest bool, done func(*nodes.Node) (bool, error)) (*nodes.Node, error) {
	var node *nodes.Node
	var transient error
	if c.progress != nil {
		clk = c.progress.watch(clk, &node)
	}
	poll := backoff.Poll
	if afterRequest {
		poll = backoff.PollAfterWait
	}
	err := poll(ctx, clk, c.Poll, func() (bool, error) {
		n, err := nodes.Get(ctx, c.SC, id).Extract()
		if err != nil && IsTransient(err) && ctx.Err() == nil {
			c.log(ctx, "transient error while waiting; polling on", map[string]any{"node": id, "error": Message(err)})
			transient = err
			return false, nil
		}
		if err != nil {
			return false, err
		}
		node, transient = n, nil
		return done(n)
	})
	if err != nil && transient != nil {
		err = fmt.Errorf("%w (the last answer while waiting: %s)", err, Message(transient))
	}
	return node, err
}
