package ironic

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

// IsStable reports whether a node in this state waits for a request.
func IsStable(state string) bool { return slices.Contains(stable, state) }

// Settled reports whether a transition is over. Ironic keeps target_provision_state set
// on a failed node ("deploy failed" still targets "active"), so a failure state is
// settled whatever the target says.
func Settled(n *nodes.Node) bool {
	if !IsStable(n.ProvisionState) {
		return false
	}
	return n.TargetProvisionState == "" || strings.HasSuffix(n.ProvisionState, "failed") || n.ProvisionState == StateError
}

// Goal is where a node should end up, and what to do on the way.
type Goal struct {
	State       string             // enroll, manageable, available or active
	Inspect     bool               // inspect when passing through manageable
	CleanSteps  []nodes.CleanStep  // manual clean when passing through manageable
	ConfigDrive any                // sent with active and rebuild
	DeploySteps []nodes.DeployStep // sent with active and rebuild
	// ServiceSteps run once on an active node (servicing, API 1.87): it stays deployed.
	ServiceSteps []nodes.ServiceStep
	// Runbook is run once instead of steps (API 1.92): by cleaning when passing
	// through manageable, by servicing on an active node.
	Runbook string
	Rebuild bool // redeploy an active node (its image changed)
}

// ProvisionError is a transition that did not end where it should.
type ProvisionError struct {
	NodeID    string
	Action    string
	State     string // where the node stopped
	LastError string
	Err       error // the API error, if the request itself failed
}

func (e *ProvisionError) Error() string {
	if e.Err != nil {
		msg := fmt.Sprintf("node %s: %q in state %q failed: %s", e.NodeID, e.Action, e.State, Message(e.Err))
		if e.LastError != "" {
			msg += " (Ironic's last_error: " + e.LastError + ")"
		}
		return msg
	}
	msg := fmt.Sprintf("node %s: %q stopped in state %q", e.NodeID, e.Action, e.State)
	if e.LastError != "" {
		msg += ": " + e.LastError
	}
	return msg
}

func (e *ProvisionError) Unwrap() error { return e.Err }

// step is one provision action and the stable state it must end in.
type step struct {
	action nodes.TargetProvisionState
	expect string
}

// next picks the action that brings a node in state cur closer to the goal; ok is false
// when the goal is reached. done tracks the once-per-run steps (inspect, clean, rebuild).
func next(cur string, g Goal, done map[nodes.TargetProvisionState]bool) (step, bool, error) {
	want := g.State
	switch cur {
	case StateEnroll:
		if want == StateEnroll {
			return step{}, false, nil
		}
		return step{nodes.TargetManage, StateManageable}, true, nil
	case StateManageable:
		switch {
		case want == StateEnroll:
			return step{}, false, errors.New("a node cannot return to enroll; it has to be created again")
		case g.Inspect && !done[nodes.TargetInspect]:
			return step{nodes.TargetInspect, StateManageable}, true, nil
		case (len(g.CleanSteps) > 0 || g.Runbook != "") && !done[nodes.TargetClean]:
			return step{nodes.TargetClean, StateManageable}, true, nil
		case want == StateManageable:
			return step{}, false, nil
		}
		return step{nodes.TargetProvide, StateAvailable}, true, nil
	case StateAvailable:
		switch want {
		case StateAvailable:
			return step{}, false, nil
		case StateActive:
			return step{nodes.TargetActive, StateActive}, true, nil
		case StateEnroll:
			return step{}, false, errors.New("a node cannot return to enroll; it has to be created again")
		}
		return step{nodes.TargetManage, StateManageable}, true, nil
	case StateActive:
		if want == StateActive {
			if g.Rebuild && !done[nodes.TargetRebuild] {
				return step{nodes.TargetRebuild, StateActive}, true, nil
			}
			if (len(g.ServiceSteps) > 0 || g.Runbook != "") && !done[nodes.TargetService] {
				return step{nodes.TargetService, StateActive}, true, nil
			}
			return step{}, false, nil
		}
		return step{nodes.TargetDeleted, StateAvailable}, true, nil
	case StateDeployFailed:
		if want == StateActive {
			return step{nodes.TargetActive, StateActive}, true, nil
		}
		return step{nodes.TargetDeleted, StateAvailable}, true, nil
	case StateError:
		if want == StateActive {
			return step{nodes.TargetRebuild, StateActive}, true, nil
		}
		return step{nodes.TargetDeleted, StateAvailable}, true, nil
	case StateCleanFailed, StateInspectFailed, StateAdoptFailed:
		return step{nodes.TargetManage, StateManageable}, true, nil
	case StateRescue, StateRescueFailed, StateUnrescueFailed:
		return step{nodes.TargetUnrescue, StateActive}, true, nil
	case StateServiceFailed:
		// Servicing failed on a deployed machine: Ironic's abort returns it to active
		// (API 1.87, Ironic 23.0), its disk as it is; otherwise it is torn down.
		if want == StateActive {
			return step{nodes.TargetAbort, StateActive}, true, nil
		}
		return step{nodes.TargetDeleted, StateAvailable}, true, nil
	}
	return step{}, false, fmt.Errorf("the provider does not move nodes out of state %q; resolve it in Ironic first", cur)
}

// waitLeadsToGoal reports whether a node waiting for its agent is on its way to the goal,
// so that the wait goes on, never aborted and started over: a clean or an inspection
// ends in available or manageable, from where every goal is reached (an erase that
// outlived one apply's timeout is waited on by the next), and a deploy waiting for its
// agent leads to active.
func waitLeadsToGoal(state string, g Goal) bool {
	switch state {
	case StateCleanWait, StateInspectWait:
		return true
	case StateWaitCallBack:
		return g.State == StateActive
	}
	return false
}

// waitStates wait for an agent that may never call back; leaving one for another goal
// takes an explicit request rather than more waiting.
var waitStates = map[string]step{
	StateWaitCallBack: {nodes.TargetDeleted, StateAvailable},
	StateCleanWait:    {nodes.TargetAbort, StateCleanFailed},
	StateInspectWait:  {nodes.TargetAbort, StateInspectFailed},
	StateRescueWait:   {nodes.TargetAbort, StateRescueFailed},
}

// Reach moves the node to the goal, one transition at a time, waiting for each; it
// returns the node as it ends. A failed transition gives a *ProvisionError carrying
// Ironic's last_error; calling Reach again later recovers from where the node stopped.
func (c *Client) Reach(ctx context.Context, id string, g Goal) (*nodes.Node, error) {
	node, err := nodes.Get(ctx, c.SC, id).Extract()
	if err != nil {
		return nil, err
	}
	if abort, ok := waitStates[node.ProvisionState]; ok && !waitLeadsToGoal(node.ProvisionState, g) {
		if node, err = c.transition(ctx, node, abort, g); err != nil {
			return node, err
		}
	}
	if !Settled(node) {
		if node, err = c.WaitStable(ctx, id); err != nil {
			return node, err
		}
	}
	done := map[nodes.TargetProvisionState]bool{}
	for range 16 { // the longest walk (deploy failed -> active, rebuilt) is a handful of steps
		st, ok, err := next(node.ProvisionState, g, done)
		if err != nil {
			return node, &ProvisionError{NodeID: id, Action: "move to " + g.State, State: node.ProvisionState, LastError: node.LastError, Err: err}
		}
		if !ok {
			return node, nil
		}
		if node, err = c.transition(ctx, node, st, g); err != nil {
			return node, err
		}
		done[st.action] = true
	}
	return node, fmt.Errorf("node %s did not reach %q (now %q)", id, g.State, node.ProvisionState)
}

func (c *Client) transition(ctx context.Context, node *nodes.Node, st step, g Goal) (*nodes.Node, error) {
	opts := nodes.ProvisionStateOpts{Target: st.action}
	switch st.action {
	case nodes.TargetActive, nodes.TargetRebuild:
		opts.ConfigDrive, opts.DeploySteps = g.ConfigDrive, g.DeploySteps
	case nodes.TargetClean:
		opts.CleanSteps = g.CleanSteps
	case nodes.TargetService:
		opts.ServiceSteps = g.ServiceSteps
	}
	req := provisionRequest{ProvisionStateOpts: opts}
	if g.Runbook != "" && (st.action == nodes.TargetClean || st.action == nodes.TargetService) {
		req.runbook = g.Runbook
	}
	c.log(ctx, "changing provision state", map[string]any{"node": node.UUID, "from": node.ProvisionState, "action": string(st.action)})
	if err := nodes.ChangeProvisionState(ctx, c.SC, node.UUID, req).ExtractErr(); err != nil && !c.accepted(ctx, node, err) {
		return node, &ProvisionError{NodeID: node.UUID, Action: string(st.action), State: node.ProvisionState, Err: err}
	}
	after, err := c.WaitStable(ctx, node.UUID)
	if err != nil {
		return after, &ProvisionError{NodeID: node.UUID, Action: string(st.action), State: StateOf(after, node), Err: err}
	}
	if after.ProvisionState != st.expect {
		return after, &ProvisionError{NodeID: node.UUID, Action: string(st.action), State: after.ProvisionState, LastError: after.LastError}
	}
	return after, nil
}

// provisionRequest is a provision request with what gophercloud's options lack: the
// runbook to clean or service with.
type provisionRequest struct {
	nodes.ProvisionStateOpts
	runbook string
}

func (r provisionRequest) ToProvisionStateMap() (map[string]any, error) {
	body, err := r.ProvisionStateOpts.ToProvisionStateMap()
	if err == nil && r.runbook != "" {
		body["runbook"] = r.runbook
	}
	return body, err
}

// accepted tells whether a provision request that failed was carried out all the same:
// a resent request whose first attempt's answer was lost is refused ("can not be
// performed in state verifying"), but the node has moved on.
func (c *Client) accepted(ctx context.Context, before *nodes.Node, err error) bool {
	if code := StatusCode(err); code != 400 && code != 409 {
		return false
	}
	now, gerr := nodes.Get(ctx, c.SC, before.UUID).Extract()
	return gerr == nil && (now.ProvisionState != before.ProvisionState || now.TargetProvisionState != "")
}

// StateOf is the provision state of n, or of fallback when n is nil (a failed call
// that returned no node).
func StateOf(n, fallback *nodes.Node) string {
	if n != nil {
		return n.ProvisionState
	}
	return fallback.ProvisionState
}

// HoldError says Ironic holds the node: a step asked for it, and it waits for an operator.
type HoldError struct{ NodeID, State, Target string }

func (e *HoldError) Error() string {
	return fmt.Sprintf("Ironic holds node %s in %q (a %s step asked for it, on the way to %q): it waits there for an "+
		"operator, not for time. Release it with `baremetal node unhold %s` (API 1.85, Ironic 22.1 or newer) or "+
		"abort it, then apply again", e.NodeID, e.State, strings.TrimSuffix(e.State, " hold"), e.Target, e.NodeID)
}

// HeldOrServiced says, for a deployed node Ironic holds or services, what is going on
// and what ends it; "" otherwise.
func HeldOrServiced(n *nodes.Node) string {
	switch {
	case isHold(n.ProvisionState):
		return (&HoldError{NodeID: n.UUID, State: n.ProvisionState, Target: n.TargetProvisionState}).Error() + "."
	case strings.HasPrefix(n.ProvisionState, "servic"):
		msg := fmt.Sprintf("Node %s is %q: Ironic runs service steps on the deployed machine.", n.UUID, n.ProvisionState)
		if n.LastError != "" {
			msg += " Ironic's last_error: " + n.LastError + "."
		}
		return msg
	}
	return ""
}

// IsServicedOrHeld: Ironic runs service steps on the deployed machine (servicing,
// service wait) or holds it for an operator (a hold state): a deployment leaves it be.
func IsServicedOrHeld(state string) bool {
	return isHold(state) || state == StateServicing || state == StateServiceWait
}

// isHold: clean hold, deploy hold, service hold.
func isHold(state string) bool { return strings.HasSuffix(state, " hold") }

// WaitStable polls until the node rests in a stable state with no transition pending. A
// node Ironic holds ends the wait at once with a *HoldError.
//
// A node left in a state that only a conductor at work holds (cleaning, deploying, ...)
// with no conductor reserving it for nodeStall has been dropped by Ironic (on sqlite, a
// "database is locked" while saving the node's state): nothing moves it until its
// conductor restarts, so the wait ends with a *StalledError rather than at the timeout.
func (c *Client) WaitStable(ctx context.Context, id string) (*nodes.Node, error) {
	clock := &elapsedClock{Sleeper: c.sleeper()}
	unattendedSince := time.Duration(-1)
	node, err := c.pollNodeWith(ctx, clock, id, func(n *nodes.Node) (bool, error) {
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
		return Settled(n), nil
	})
	if err != nil && node != nil && ctx.Err() != nil {
		return node, fmt.Errorf("still %q (target %q) when the timeout ran out: %w", node.ProvisionState, node.TargetProvisionState, ctx.Err())
	}
	return node, err
}

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

// SetPower switches the node on or off and waits until Ironic reports it.
func (c *Client) SetPower(ctx context.Context, id, target string) (*nodes.Node, error) {
	if err := nodes.ChangePowerState(ctx, c.SC, id, nodes.PowerStateOpts{Target: nodes.TargetPowerState(target)}).ExtractErr(); err != nil {
		return nil, fmt.Errorf("node %s: %s: %s", id, target, Message(err))
	}
	return c.pollNode(ctx, id, func(n *nodes.Node) (bool, error) {
		if n.TargetPowerState == "" && n.PowerState != target && n.LastError != "" {
			return false, fmt.Errorf("node %s: %s ended in %q: %s", id, target, n.PowerState, n.LastError)
		}
		return n.TargetPowerState == "" && n.PowerState == target, nil
	})
}

// pollNode reads the node by the poll policy until done says so; it returns the last
// node read, also on error.
//
// A transient answer (a proxy's 502, a reset connection, a node locked for a moment),
// even one that outlasts the client's own retries, never ends the wait: polling goes on
// until done or ctx's deadline, which then names the last such answer. Only Ironic's
// verdict, through done, ends a wait early.
func (c *Client) pollNode(ctx context.Context, id string, done func(*nodes.Node) (bool, error)) (*nodes.Node, error) {
	return c.pollNodeWith(ctx, c.sleeper(), id, done)
}

// pollNodeWith is pollNode with the clock that spaces the reads.
func (c *Client) pollNodeWith(ctx context.Context, clk backoff.Sleeper, id string, done func(*nodes.Node) (bool, error)) (*nodes.Node, error) {
	var node *nodes.Node
	var transient error
	err := backoff.Poll(ctx, clk, c.Poll, func() (bool, error) {
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
