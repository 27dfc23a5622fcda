package ironic

import (
	"context"
	"errors"
	"fmt"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

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
	// RescuePassword is sent with rescue: the agent sets it for the rescue user.
	RescuePassword string
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

// RescueHeldError says a move would take a rescued node (IsRescued) out of rescue,
// which the provider never does: only an operator's (or an action's) unrescue ends a
// rescue. Nothing was sent.
type RescueHeldError struct{ NodeID, State string }

func (e *RescueHeldError) Error() string {
	return fmt.Sprintf("node %s is %q: it is held in rescue, and only an unrescue ends that; nothing was changed", e.NodeID, e.State)
}

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
		// Held (IsRescued): never unrescued; a teardown is what the user asked for, and
		// Ironic tears a rescued node down directly.
		if want == StateActive {
			return step{}, false, &RescueHeldError{State: cur}
		}
		return step{nodes.TargetDeleted, StateAvailable}, true, nil
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
	StateRescueWait:   {nodes.TargetDeleted, StateAvailable}, // only a teardown leaves it (Reach)
}

// Reach moves the node to the goal, one transition at a time, waiting for each; it
// returns the node as it ends. A failed transition gives a *ProvisionError carrying
// Ironic's last_error; calling Reach again later recovers from where the node stopped.
// A retired node's goal of available is manageable (RestingState). A rescued node
// (IsRescued) is never brought back to active: that is a *RescueHeldError, nothing sent;
// its teardown goes straight to Ironic's deleted.
func (c *Client) Reach(ctx context.Context, id string, g Goal) (*nodes.Node, error) {
	node, err := nodes.Get(ctx, c.SC, id).Extract()
	if err != nil {
		return nil, err
	}
	return c.reachFrom(ctx, node, g)
}

// reachFrom is Reach from node as Ironic just reported it (a create's or a patch's
// answer), without reading it again.
func (c *Client) reachFrom(ctx context.Context, node *nodes.Node, g Goal) (*nodes.Node, error) {
	id := node.UUID
	var err error
	g.State = RestingState(g.State, node.Retired)
	if g.State == StateActive && IsRescued(node.ProvisionState) && node.ProvisionState != StateUnrescuing {
		return node, &RescueHeldError{NodeID: id, State: node.ProvisionState}
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
		if held := (*RescueHeldError)(nil); errors.As(err, &held) {
			held.NodeID = id
			return node, held
		}
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
	case nodes.TargetRescue:
		opts.RescuePassword = g.RescuePassword
	}
	req := provisionRequest{ProvisionStateOpts: opts}
	if g.Runbook != "" && (st.action == nodes.TargetClean || st.action == nodes.TargetService) {
		req.runbook = g.Runbook
	}
	c.log(ctx, "changing provision state", map[string]any{"node": node.UUID, "from": node.ProvisionState, "action": string(st.action)})
	if err := nodes.ChangeProvisionState(ctx, c.SC, node.UUID, req).ExtractErr(); err != nil && !c.accepted(ctx, node, err) {
		return node, &ProvisionError{NodeID: node.UUID, Action: string(st.action), State: node.ProvisionState, Err: err}
	}
	if c.progress != nil { // said at once: a change may end before the wait's first read
		c.progress(fmt.Sprintf("%s; Ironic accepted %q", DescribeNode(node), st.action))
	}
	after, err := c.waitStableAfterRequest(ctx, node.UUID)
	if err != nil {
		return after, &ProvisionError{NodeID: node.UUID, Action: string(st.action), State: StateOf(after, node), Err: err}
	}
	if !reached(after, st) {
		return after, &ProvisionError{NodeID: node.UUID, Action: string(st.action), State: after.ProvisionState, LastError: after.LastError}
	}
	return after, nil
}

// reached reports whether a transition ended where it should: st.expect, or, for a
// teardown (deleted) of a retired node, manageable: Ironic ends a retired node's
// cleaning there (API 1.61).
func reached(after *nodes.Node, st step) bool {
	return after.ProvisionState == st.expect ||
		st.action == nodes.TargetDeleted && after.Retired && after.ProvisionState == StateManageable
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

// SetPower switches the node on or off and waits until Ironic reports it.
func (c *Client) SetPower(ctx context.Context, id, target string) (*nodes.Node, error) {
	if err := nodes.ChangePowerState(ctx, c.SC, id, nodes.PowerStateOpts{Target: nodes.TargetPowerState(target)}).ExtractErr(); err != nil {
		return nil, fmt.Errorf("node %s: %s: %s", id, target, Message(err))
	}
	return c.waitPower(ctx, id, func(n *nodes.Node) (bool, error) {
		if n.PowerState != target && n.LastError != "" {
			return false, fmt.Errorf("node %s: %s ended in %q: %s", id, target, n.PowerState, n.LastError)
		}
		return n.PowerState == target, nil
	})
}
