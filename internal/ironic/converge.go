package ironic

import (
	"context"
	"fmt"
	"slices"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// NodeGoal is where the machine itself (not what runs on it) should be.
type NodeGoal struct {
	Goal                     // State is enroll, manageable or available
	KeepMaintenance   bool   // maintenance is Ironic's or an operator's: neither lifted nor set
	Maintenance       bool   // wanted maintenance mode, unless KeepMaintenance
	MaintenanceReason string // with Maintenance
	PowerState        string // "" leaves power as provisioning leaves it
}

// MaintenanceHeldError says a move needs the node out of maintenance that Ironic or an
// operator put it in, and the goal leaves maintenance alone.
type MaintenanceHeldError struct{ NodeID, Reason, From, To string }

func (e *MaintenanceHeldError) Error() string {
	reason := ""
	if e.Reason != "" {
		reason = fmt.Sprintf(" (%q)", e.Reason)
	}
	return fmt.Sprintf("node %s is in maintenance%s, set by Ironic or an operator, so it stays %q instead of moving to %q",
		e.NodeID, reason, e.From, e.To)
}

// ConvergeError is a step of Converge that failed; the node is where it stopped.
type ConvergeError struct {
	Summary string // what failed, for a diagnostic's summary
	Err     error
}

func (e *ConvergeError) Error() string { return e.Err.Error() }
func (e *ConvergeError) Unwrap() error { return e.Err }

// Converge brings the node from where it is (node, as Ironic last reported it) to the
// goal: maintenance off first where provisioning needs it, provisioning, power,
// maintenance on. A node a deployment holds is not moved, nor powered: the deployment
// owns its provision and power state. It returns the node as it ends, also on failure.
func (c *Client) Converge(ctx context.Context, node *nodes.Node, g NodeGoal) (*nodes.Node, error) {
	id := node.UUID
	stale := false // a maintenance call changed the node after it was last read
	move := NeedsMove(node, g.Goal)
	if maintenanceHolds(node.Maintenance, g.KeepMaintenance, move) {
		return node, &ConvergeError{"Unable to provision bare metal node",
			&MaintenanceHeldError{NodeID: id, Reason: node.MaintenanceReason, From: node.ProvisionState, To: g.State}}
	}
	if !g.KeepMaintenance && node.Maintenance && (!g.Maintenance || move) {
		if err := nodes.UnsetMaintenance(ctx, c.SC, id).ExtractErr(); err != nil {
			return node, &ConvergeError{"Unable to lift maintenance", fmt.Errorf("node %s: %s", id, Message(err))}
		}
		stale = true
	}
	var err error
	if move {
		c.log(ctx, "provisioning node", map[string]any{"node": id, "from": node.ProvisionState, "to": g.State})
		reach := func() (*nodes.Node, error) { return c.reachFrom(ctx, node, g.Goal) }
		if stale { // the node changed behind the last read: read it again
			reach = func() (*nodes.Node, error) { return c.Reach(ctx, id, g.Goal) }
		}
		if node, err = reach(); err != nil {
			return c.refetch(ctx, id, node), &ConvergeError{"Unable to provision bare metal node", err}
		}
		stale = false
	}
	if g.PowerState == "" && node.ProvisionState == StateAvailable && node.PowerState == "" && Settled(node) {
		// Ironic allocates only nodes whose power state it knows, and fake power reports
		// none until the conductor's power sync: the node is powered off, as Ironic leaves
		// available nodes itself (cleaning ends so), and is schedulable at once.
		if node, err = c.SetPower(ctx, id, PowerOff); err != nil {
			return c.refetch(ctx, id, node), &ConvergeError{"Unable to change the power state of bare metal node",
				fmt.Errorf("node %s is available but Ironic knows no power state for it (allocations skip such nodes), and "+
					"powering it off to learn one failed: %w", id, err)}
		}
	}
	if t := g.PowerState; t != "" && node.PowerState != t && Settled(node) && !KeepsPowerState(node.ProvisionState) {
		if node, err = c.SetPower(ctx, id, t); err != nil {
			return c.refetch(ctx, id, node), &ConvergeError{"Unable to change the power state of bare metal node", err}
		}
	}
	if !g.KeepMaintenance && g.Maintenance && (!node.Maintenance || node.MaintenanceReason != g.MaintenanceReason) {
		if err := nodes.SetMaintenance(ctx, c.SC, id, nodes.MaintenanceOpts{Reason: g.MaintenanceReason}).ExtractErr(); err != nil {
			return c.refetch(ctx, id, node), &ConvergeError{"Unable to set maintenance", fmt.Errorf("node %s: %s", id, Message(err))}
		}
		stale = true
	}
	if stale {
		return c.refetch(ctx, id, node), nil
	}
	return node, nil
}

// NodeGoals are the provision states a node is driven to by itself (Goal.State):
// deploying it is a deployment's work.
var NodeGoals = []string{StateEnroll, StateManageable, StateAvailable}

// MaintenanceHoldsMove reports whether a node in state, in maintenance or not, stays
// there instead of reaching target: it is in maintenance that Ironic or an operator put
// it in (keepMaintenance: the goal leaves maintenance as it is), and it needs a move
// (StateNeedsMove). Converge then fails with a MaintenanceHeldError.
func MaintenanceHoldsMove(state, target string, inMaintenance, keepMaintenance bool) bool {
	return maintenanceHolds(inMaintenance, keepMaintenance, StateNeedsMove(state, target))
}

func maintenanceHolds(inMaintenance, keepMaintenance, move bool) bool {
	return keepMaintenance && inMaintenance && move
}

// KeepsProvisionState reports whether Converge leaves a node recorded in state (""
// for a node not enrolled yet) where it is for target: a target of enroll moves
// nothing, and a node a deployment holds stays where its deployment put it. Otherwise
// the node ends in target.
func KeepsProvisionState(state, target string) bool {
	return state != "" && (target == StateEnroll || IsDeployed(state))
}

// KeepsPowerState reports whether Converge leaves the power of a node in this
// provision state alone whatever the goal's PowerState: a deployment holds the node,
// and its power is the deployment's (a deploy powers the machine on, a tenant may
// power it off).
func KeepsPowerState(state string) bool { return IsDeployed(state) }

// GoalLeavesNode reports whether a goal state (or none: the default, enroll) leaves
// the node where it is: no provisioning, hence no manual cleaning either, which needs
// the node in manageable or available.
func GoalLeavesNode(target string) bool { return target == "" || target == StateEnroll }

// InspectionRuns reports whether reaching target from state inspects the node: with
// Goal.Inspect, whenever the node moves (it passes through manageable).
func InspectionRuns(state, target string, inspect bool) bool {
	return inspect && StateNeedsMove(state, target)
}

// ImportedTarget is the goal state that leaves an imported node as it is: where it
// rests when that is a goal, available for a node a deployment holds (that is where
// the deployment's teardown leaves it), enroll (no move) otherwise.
func ImportedTarget(state string) string {
	switch {
	case slices.Contains(NodeGoals, state):
		return state
	case IsDeployed(state):
		return StateAvailable
	}
	return StateEnroll
}

// TargetAwaitsTeardown reports whether a node in state cannot reach target while its
// deployment holds it: the teardown leaves it available (manageable when it is
// retired: RestingState), so only that target (and enroll, which moves nothing, and
// available for a retired node, which rests in manageable) take effect as they are;
// any other target only once the deployment is destroyed.
func TargetAwaitsTeardown(state, target string, retired bool) bool {
	return IsDeployed(state) && RestingState(target, retired) != RestingState(StateAvailable, retired) && target != StateEnroll
}

// NeedsMove reports whether the node's provision state must change for the goal. A
// target of enroll means "no provisioning actions", and a node a deployment holds
// stays where its deployment put it.
func NeedsMove(n *nodes.Node, g Goal) bool {
	if g.State == StateEnroll || IsDeployed(n.ProvisionState) {
		return false
	}
	return n.ProvisionState != RestingState(g.State, n.Retired) || !Settled(n)
}

// RestingState is where a node driven to target rests: target, except that a retired
// node is taken out of service: Ironic ends its cleaning in manageable and refuses to
// provide it (API 1.61), so for a retired node available means manageable. Un-retired,
// it is provided again.
func RestingState(target string, retired bool) string {
	if retired && target == StateAvailable {
		return StateManageable
	}
	return target
}

// refetch reads the node once more, with a fresh context: the operation's own may have
// run out, and the caller should still learn where the node stopped.
func (c *Client) refetch(ctx context.Context, id string, fallback *nodes.Node) *nodes.Node {
	n, err := nodes.Get(context.WithoutCancel(ctx), c.SC, id).Extract()
	if err != nil {
		return fallback
	}
	return n
}

// StateNeedsMove is NeedsMove for a node known only by its provision state (a plan's
// view of it): whether provisioning moves it from state to target.
func StateNeedsMove(state, target string) bool {
	return NeedsMove(&nodes.Node{ProvisionState: state}, Goal{State: target})
}

// Retires reports whether a node patch retires the node (sets /retired to true).
func Retires(ops nodes.UpdateOpts) bool {
	for _, op := range ops {
		if u, ok := op.(nodes.UpdateOperation); ok && u.Path == "/retired" && u.Op != nodes.RemoveOp && u.Value == true {
			return true
		}
	}
	return false
}

// PrepareRetirement brings a node that is about to be retired out of available, to
// manageable: Ironic refuses to retire an available node ("can not have 'retired' set
// in provision state 'available'"), and a retired node rests in manageable anyway
// (RestingState). That is the case when its deployment was torn down earlier in the
// same apply. A node in any other state is left as it is. It returns the node as it
// ends.
func (c *Client) PrepareRetirement(ctx context.Context, id string) (*nodes.Node, error) {
	node, err := nodes.Get(ctx, c.SC, id).Extract()
	if err != nil || node.Retired || node.ProvisionState != StateAvailable {
		return node, err
	}
	c.log(ctx, "moving node to manageable to retire it", map[string]any{"node": id})
	return c.Reach(ctx, id, Goal{State: StateManageable})
}
