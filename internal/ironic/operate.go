package ironic

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// Operations on a node that a person asks for once (Terraform actions): power, boot
// device, rescue, inspection, cleaning, servicing and rebuild. Each checks where the node
// is before it sends anything, waits until Ironic reports the result, and on failure
// leaves the node where Ironic put it, with Ironic's last_error in the error.

// PowerTargets are Ironic's power targets, in its own words.
var PowerTargets = []string{PowerOn, PowerOff, "rebooting", "soft power off", "soft rebooting"}

// SoftPowerTargets are the targets Ironic takes a timeout for (API 1.27).
var SoftPowerTargets = []string{"soft power off", "soft rebooting"}

// poweredBy is the power state a target ends in.
func poweredBy(target string) string {
	if target == PowerOff || target == "soft power off" {
		return PowerOff
	}
	return PowerOn
}

// Power asks Ironic for a power target (PowerTargets) and waits until Ironic reports it
// reached: a reboot ends powered on. soft bounds a soft target on the BMC's side (0:
// Ironic's default).
func (c *Client) Power(ctx context.Context, id, target string, soft time.Duration) (*nodes.Node, error) {
	if !slices.Contains(PowerTargets, target) {
		return nil, fmt.Errorf("%q is not a power target Ironic knows (%q)", target, PowerTargets)
	}
	opts := nodes.PowerStateOpts{Target: nodes.TargetPowerState(target)}
	if soft > 0 {
		opts.Timeout = int(soft.Round(time.Second) / time.Second)
	}
	if err := nodes.ChangePowerState(ctx, c.SC, id, opts).ExtractErr(); err != nil {
		return nil, &OperationError{NodeID: id, Action: target, Err: err}
	}
	// Ironic sets target_power_state (and clears last_error) before it answers, so the
	// wait ends only once the conductor finished: target cleared.
	want := poweredBy(target)
	node, err := c.waitPower(ctx, id, func(n *nodes.Node) (bool, error) {
		if n.PowerState != want {
			return true, &OperationError{NodeID: id, Action: target, State: n.PowerState, LastError: n.LastError}
		}
		return true, nil
	})
	if err != nil && node != nil && ctx.Err() != nil {
		return node, &OperationError{NodeID: id, Action: target, State: node.PowerState, Err: ctx.Err()}
	}
	return node, err
}

// BootDevices are the boot devices Ironic's management interfaces take.
var BootDevices = []string{"pxe", "disk", "cdrom", "bios", "safe"}

// SetBootDevice sets the device the node boots from next (persistent: every boot).
// Ironic sets it on the BMC before it answers.
func (c *Client) SetBootDevice(ctx context.Context, id, device string, persistent bool) error {
	opts := nodes.BootDeviceOpts{BootDevice: device, Persistent: persistent}
	if err := nodes.SetBootDevice(ctx, c.SC, id, opts).ExtractErr(); err != nil {
		return &OperationError{NodeID: id, Action: "set boot device " + device, Err: err}
	}
	return nil
}

// Rescue boots the rescue ramdisk on a deployed node and waits for "rescue"; the agent
// sets password for its rescue user. A node already rescued is rescued again (a new
// password), as Ironic allows.
func (c *Client) Rescue(ctx context.Context, id, password string) (*nodes.Node, error) {
	node, err := c.startFrom(ctx, id, "rescue", StateActive, StateRescue, StateRescueFailed, StateUnrescueFailed)
	if err == nil {
		err = notInMaintenance(node, "rescue")
	}
	if err != nil {
		return node, err
	}
	return c.transition(ctx, node, step{nodes.TargetRescue, StateRescue}, Goal{RescuePassword: password})
}

// Unrescue boots a rescued node back into its instance and waits for "active"; an
// active node is left as it is.
func (c *Client) Unrescue(ctx context.Context, id string) (*nodes.Node, error) {
	node, err := c.startFrom(ctx, id, "unrescue", StateActive, StateRescue, StateRescueFailed, StateUnrescueFailed)
	if err != nil || node.ProvisionState == StateActive {
		return node, err
	}
	if err := notInMaintenance(node, "unrescue"); err != nil {
		return node, err
	}
	return c.transition(ctx, node, step{nodes.TargetUnrescue, StateActive}, Goal{})
}

// Inspect inspects a node at rest and brings it back: from manageable (or inspect
// failed) it ends in manageable, from available it passes through manageable and is
// provided again.
func (c *Client) Inspect(ctx context.Context, id string) (*nodes.Node, error) {
	node, err := c.startFrom(ctx, id, "inspect", StateManageable, StateAvailable, StateInspectFailed)
	if err != nil {
		return node, err
	}
	rest := restingState(node.ProvisionState)
	if node.ProvisionState == StateInspectFailed {
		node, err = c.transition(ctx, node, step{nodes.TargetInspect, StateManageable}, Goal{})
	} else {
		node, err = c.Reach(ctx, id, Goal{State: StateManageable, Inspect: true})
	}
	if err != nil || rest == StateManageable {
		return node, err
	}
	return c.Reach(ctx, id, Goal{State: rest})
}

// CleanAtRest runs a manual clean (steps, or a runbook) on a node at rest and brings it
// back: from manageable (or clean failed) it ends in manageable, from available it is
// provided again (which runs automated cleaning where Ironic has it enabled).
func (c *Client) CleanAtRest(ctx context.Context, id string, steps []nodes.CleanStep, runbook string) (*nodes.Node, error) {
	node, err := c.startFrom(ctx, id, "clean", StateManageable, StateAvailable, StateCleanFailed)
	if err == nil {
		err = notInMaintenance(node, "clean") // else it would be moved to manageable first, for nothing
	}
	if err != nil {
		return node, err
	}
	rest := restingState(node.ProvisionState)
	if node, err = c.Reach(ctx, id, Goal{State: StateManageable, CleanSteps: steps, Runbook: runbook}); err != nil || rest == StateManageable {
		return node, err
	}
	return c.Reach(ctx, id, Goal{State: rest})
}

// Service runs service steps (or a runbook) on a deployed node (API 1.87) and waits
// until it is active again; its instance and disk are left as they are.
func (c *Client) Service(ctx context.Context, id string, steps []nodes.ServiceStep, runbook string) (*nodes.Node, error) {
	node, err := c.startFrom(ctx, id, "service", StateActive)
	if err == nil {
		err = notInMaintenance(node, "service")
	}
	if err != nil {
		return node, err
	}
	return c.transition(ctx, node, step{nodes.TargetService, StateActive}, Goal{ServiceSteps: steps, Runbook: runbook})
}

// Rebuild deploys a deployed node's image again, in place (Ironic's rebuild: the same
// node and instance_info, no cleaning), with configDrive when it is not nil. Ironic
// refuses it on a protected node; so does Rebuild, before sending anything.
func (c *Client) Rebuild(ctx context.Context, id string, configDrive any) (*nodes.Node, error) {
	node, err := c.startFrom(ctx, id, "rebuild", StateActive, StateDeployFailed, StateError)
	if err != nil {
		return node, err
	}
	if node.Protected {
		return node, &ProtectedError{NodeID: node.UUID, Action: "rebuild"}
	}
	if err := notInMaintenance(node, "rebuild"); err != nil {
		return node, err
	}
	return c.transition(ctx, node, step{nodes.TargetRebuild, StateActive}, Goal{ConfigDrive: configDrive})
}

// restingState is where an operation on a node at rest brings it back to: available
// stays available, anything else (manageable, a failed inspection or clean) ends in
// manageable.
func restingState(state string) string {
	if state == StateAvailable {
		return StateAvailable
	}
	return StateManageable
}

// startFrom reads the node, waits for a transition under way to end, and checks that
// the operation can start from where it rests (from); nothing is sent.
func (c *Client) startFrom(ctx context.Context, id, action string, from ...string) (*nodes.Node, error) {
	node, err := c.GetNode(ctx, id)
	if err != nil {
		return nil, &ReadError{NodeID: id, Err: err}
	}
	if !Settled(node) {
		if node, err = c.WaitStable(ctx, node.UUID); err != nil {
			return node, &OperationError{NodeID: id, Action: action, State: StateOf(node, &nodes.Node{}), Err: err}
		}
	}
	if !slices.Contains(from, node.ProvisionState) {
		return node, &WrongStateError{NodeID: node.UUID, Action: action, State: node.ProvisionState, From: from}
	}
	return node, nil
}

// notInMaintenance refuses, before anything is sent, an operation Ironic refuses on a
// node in maintenance (rescue, unrescue, manual cleaning, servicing, deploy and rebuild;
// a failed clean or deploy puts the node there). Power, boot device and inspection
// work in maintenance.
func notInMaintenance(node *nodes.Node, action string) error {
	if !node.Maintenance {
		return nil
	}
	return &InMaintenanceError{NodeID: node.UUID, Action: action, Reason: node.MaintenanceReason}
}

// InMaintenanceError says Ironic refuses the operation on a node in maintenance;
// nothing was sent.
type InMaintenanceError struct{ NodeID, Action, Reason string }

func (e *InMaintenanceError) Error() string {
	reason := ""
	if e.Reason != "" {
		reason = fmt.Sprintf(" (%q)", e.Reason)
	}
	return fmt.Sprintf("node %s is in maintenance%s: Ironic refuses to %s a node in maintenance; nothing was changed. "+
		"Once the machine is fine, take it out of maintenance (baremetal node maintenance unset) and try again",
		e.NodeID, reason, e.Action)
}

// WrongStateError says an operation cannot start from the node's provision state;
// nothing was sent.
type WrongStateError struct {
	NodeID, Action, State string
	From                  []string
}

func (e *WrongStateError) Error() string {
	return fmt.Sprintf("node %s is %q: %s starts from %s; nothing was changed", e.NodeID, e.State, e.Action, quoteList(e.From))
}

// OperationError is a power or boot-device request that failed, or a power target the
// node did not reach; State is where it ended.
type OperationError struct {
	NodeID, Action, State, LastError string
	Err                              error
}

func (e *OperationError) Error() string {
	msg := fmt.Sprintf("node %s: %q", e.NodeID, e.Action)
	switch {
	case e.Err != nil && e.State != "":
		msg += fmt.Sprintf(" did not finish (now %q): %s", e.State, Message(e.Err))
	case e.Err != nil:
		msg += " failed: " + Message(e.Err)
	default:
		msg += fmt.Sprintf(" ended in %q", e.State)
	}
	if e.LastError != "" {
		msg += " (Ironic's last_error: " + e.LastError + ")"
	}
	return msg
}

func (e *OperationError) Unwrap() error { return e.Err }

// quoteList is "a", "b" or "c".
func quoteList(states []string) string {
	s := ""
	for i, st := range states {
		switch {
		case i == 0:
		case i == len(states)-1:
			s += " or "
		default:
			s += ", "
		}
		s += fmt.Sprintf("%q", st)
	}
	return s
}
