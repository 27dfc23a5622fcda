package ironic

import (
	"context"
	"errors"
	"fmt"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// RebuildBlock says what forbids a rebuild of a node.
type RebuildBlock int

const (
	RebuildAllowed    RebuildBlock = iota
	RebuildNotAllowed              // it overwrites a disk (active or error) and was not allowed
	RebuildProtected               // Ironic refuses it on a node that stays protected
	RebuildRescued                 // the node is held in rescue (IsRescued): a rebuild would unrescue it
)

// RebuildGuard says what forbids a rebuild of the node: a rescued node is never
// unrescued to be rebuilt, one that overwrites a disk (active or error) needs
// allowRebuild, and Ironic refuses one on a node that stays protected.
func RebuildGuard(node *nodes.Node, allowRebuild, staysProtected bool) RebuildBlock {
	switch {
	case IsRescued(node.ProvisionState):
		return RebuildRescued
	case (node.ProvisionState == StateActive || node.ProvisionState == StateError) && !allowRebuild:
		return RebuildNotAllowed
	case node.Protected && staysProtected:
		return RebuildProtected
	}
	return RebuildAllowed
}

// RebuildChange is whether an update changes what is deployed on a node, as a plan sees
// it: not, maybe (on values known only at apply), or certainly.
type RebuildChange int

const (
	NoRebuild RebuildChange = iota
	MayRebuild
	WillRebuild
)

// RebuildForecast is what an update does to a deployed node, as a plan sees it.
type RebuildForecast struct {
	Change RebuildChange // the node's state included: from error only a rebuild leads back
	// FromError: the node is in error (its teardown failed, its disk intact).
	FromError bool
	// OverwritesDisk: the node holds a deployed disk (active or error) a rebuild overwrites.
	OverwritesDisk bool
	// Block is RebuildRescued when the rebuild is certain and the node is rescued (it is
	// never unrescued for it), RebuildProtected when the rebuild is certain and the node
	// is and stays protected (Ironic refuses it); consent to a rebuild is the caller's
	// to check.
	Block RebuildBlock
}

// ForecastRebuild is the forecast for a node in state whose deployment changes as change
// says. protected is the node's protection now, staysProtected the update's.
func ForecastRebuild(state string, change RebuildChange, protected, staysProtected bool) RebuildForecast {
	f := RebuildForecast{Change: change, FromError: state == StateError, OverwritesDisk: state == StateActive || state == StateError}
	if f.FromError {
		// A node in error goes back to active only by Ironic's rebuild: that is a
		// rebuild, whatever the configuration says.
		f.Change = WillRebuild
	}
	switch {
	case f.Change == WillRebuild && IsRescued(state):
		f.Block = RebuildRescued
	case protected && staysProtected && f.Change == WillRebuild && f.OverwritesDisk:
		f.Block = RebuildProtected
	}
	return f
}

// RebuildRefusedError says an update would rebuild the node and Block forbids it;
// nothing was changed.
type RebuildRefusedError struct {
	NodeID, State string
	Block         RebuildBlock
}

func (e *RebuildRefusedError) Error() string {
	why := "a rebuild was not allowed"
	switch e.Block {
	case RebuildProtected:
		why = "the node is protected"
	case RebuildRescued:
		return fmt.Sprintf("node %s is %q and the update would rebuild it, which needs it out of rescue; it is held "+
			"in rescue and only an unrescue ends that; nothing was changed", e.NodeID, e.State)
	}
	return fmt.Sprintf("node %s is %q and the update would rebuild it (overwriting its disk), but %s; nothing was changed",
		e.NodeID, e.State, why)
}

// ProtectedError says Ironic refuses the action on a protected node; nothing was sent.
type ProtectedError struct{ NodeID, Action string }

func (e *ProtectedError) Error() string {
	return fmt.Sprintf("node %s is protected: Ironic refuses to %s it; nothing was changed", e.NodeID, e.Action)
}

// Protection is the protection a deployment asks for (Ironic's, on an active node).
type Protection struct {
	Protected bool
	Reason    string // with Protected; "" for none
}

// ProtectionError says changing the node's protection failed.
type ProtectionError struct {
	NodeID string
	Err    error
}

func (e *ProtectionError) Error() string {
	return fmt.Sprintf("node %s: changing its protection failed: %s", e.NodeID, Message(e.Err))
}
func (e *ProtectionError) Unwrap() error { return e.Err }

// RedeployError is a failed redeploy of an update; the node is where it stopped.
type RedeployError struct{ Err error }

func (e *RedeployError) Error() string { return e.Err.Error() }
func (e *RedeployError) Unwrap() error { return e.Err }

// protectionOps are the patch operations that give node the protection asked for; none
// when it has it. Protection lifted leaves the reason to Ironic, which drops it.
func protectionOps(node *nodes.Node, want Protection) []PatchOp {
	var ops []PatchOp
	if want.Protected != node.Protected {
		ops = append(ops, PatchOp{Op: OpAdd, Path: "/protected", Value: want.Protected})
	}
	if want.Protected && want.Reason != node.ProtectedReason {
		if want.Reason == "" {
			ops = append(ops, PatchOp{Op: OpRemove, Path: "/protected_reason"})
		} else {
			ops = append(ops, PatchOp{Op: OpAdd, Path: "/protected_reason", Value: want.Reason})
		}
	}
	return ops
}

// SetProtection gives the node the protection asked for, and returns it as it ends (the
// node unchanged when it had it already). A failure is a *ProtectionError.
func (c *Client) SetProtection(ctx context.Context, node *nodes.Node, want Protection) (*nodes.Node, error) {
	ops := protectionOps(node, want)
	if len(ops) == 0 {
		return node, nil
	}
	n, err := c.PatchNode(ctx, node.UUID, NodeUpdateOpts(ops), false)
	if err != nil {
		return node, &ProtectionError{NodeID: node.UUID, Err: err}
	}
	return n, nil
}

// DeploymentUpdate is what an update asks of a deployed node.
type DeploymentUpdate struct {
	Spec DeploySpec
	// Recorded is the instance_info recorded before (see NeedsRebuild).
	Recorded map[string]string
	// Adopted: the deployment was imported, so its boot inputs are unknown.
	Adopted           bool
	BootInputsChanged bool // the config drive or deploy steps changed
	AllowRebuild      bool
	Protection        Protection
}

// UpdateDeployment brings a deployed node to u: whether it is rebuilt is decided on what
// Ironic holds now (NeedsRebuild), and refused (*RebuildRefusedError, nothing changed)
// where RebuildGuard forbids it (a rescued node is never unrescued for it). Then:
// protection lifted first where the update lifts it (a rebuild may follow), the node
// redeployed when it is rebuilt or not active (a rescued node stays in rescue:
// IsRescued), and protected again (or anew) once that succeeded. It returns the node as it ends; failures
// are a *ReadError, or *ProtectionError and *RedeployError values, joined.
func (c *Client) UpdateDeployment(ctx context.Context, id string, u DeploymentUpdate) (*nodes.Node, error) {
	node, err := c.GetNode(ctx, id)
	if err != nil {
		return nil, &ReadError{NodeID: id, Err: err}
	}
	rebuild := NeedsRebuild(u.Spec, node, u.Recorded, u.Adopted, u.BootInputsChanged)
	if block := RebuildGuard(node, u.AllowRebuild, u.Protection.Protected); rebuild && block != RebuildAllowed {
		return node, &RebuildRefusedError{NodeID: id, State: node.ProvisionState, Block: block}
	}
	var errs []error
	if node.Protected && !u.Protection.Protected { // lifted first: a rebuild may follow
		if node, err = c.SetProtection(ctx, node, Protection{}); err != nil {
			errs = append(errs, err)
		}
	}
	if rebuild || node.ProvisionState != StateActive && !IsRescued(node.ProvisionState) {
		c.log(ctx, "redeploying node", map[string]any{"node": id, "from": node.ProvisionState, "rebuild": rebuild})
		if node, err = c.Redeploy(ctx, node, u.Spec, rebuild); err != nil {
			errs = append(errs, &RedeployError{Err: err})
		}
	}
	if node != nil && len(errs) == 0 && u.Protection.Protected {
		if node, err = c.SetProtection(ctx, node, u.Protection); err != nil {
			errs = append(errs, err)
		}
	}
	return node, errors.Join(errs...)
}
