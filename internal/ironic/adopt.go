package ironic

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// Adoption: Ironic takes over a machine whose system was installed outside it (by
// hand, by another tool). Ironic's adopt moves a node from manageable (or from adopt
// failed, to try again) through adopting to active without deploying: the conductor
// records the image type, runs the deploy interface's prepare and take_over, which for
// the direct (agent), ramdisk and fake interfaces write nothing to the disk and send no
// power action, and marks the node active. A node whose boot is not local (the ramdisk
// deploy interface) also has its boot interface validated first; a validation that fails
// leaves the node in adopt failed with Ironic's last_error.

// NotAdoptableError says the node is not in a state Ironic adopts from. Nothing was sent.
type NotAdoptableError struct{ NodeID, State string }

func (e *NotAdoptableError) Error() string {
	switch e.State {
	case StateAvailable:
		return fmt.Sprintf("node %s is %q: Ironic adopts only from %q. An available node went through cleaning on its "+
			"way there (with automated cleaning on, its disks were erased) and is offered for deployment; if it still holds "+
			"the system to adopt, move it back to manageable (Ironic's manage) and try again. Nothing was changed",
			e.NodeID, e.State, StateManageable)
	case StateEnroll:
		return fmt.Sprintf("node %s is %q: Ironic adopts only from %q; manage the node first (Ironic's manage checks its "+
			"BMC credentials without touching the disk). Nothing was changed", e.NodeID, e.State, StateManageable)
	}
	return fmt.Sprintf("node %s is in provision state %q: Ironic adopts a node from %q (or from %q after an earlier try). "+
		"Nothing was changed", e.NodeID, e.State, StateManageable, StateAdoptFailed)
}

// adoptStep is Ironic's adopt and the state it ends in.
var adoptStep = step{nodes.TargetAdopt, StateActive}

// Adopt makes Ironic take over a machine it never deployed: spec's instance_info is
// recorded on the node, then Ironic's adopt brings it from manageable (or adopt failed:
// a retry) to active. Nothing is written to the disk, no power action is sent, and a
// failed adoption never leads to a teardown or a clean: the node stays in adopt failed
// with Ironic's last_error (a *ProvisionError), and calling Adopt again retries it. An
// adoption still under way (adopting) is waited on. A node already active with spec's
// instance_info counts as adopted (an earlier answer was lost); one active with another
// is an *AlreadyDeployedError. Any other state is a *NotAdoptableError. Only spec's
// instance_info is used: an adoption sends no config drive and no deploy steps.
func (c *Client) Adopt(ctx context.Context, id string, spec DeploySpec) (*nodes.Node, error) {
	node, err := nodes.Get(ctx, c.SC, id).Extract()
	if err != nil {
		return nil, err
	}
	if node.ProvisionState == StateAdopting {
		after, err := c.WaitStable(ctx, id)
		if err != nil {
			return c.refetch(ctx, id, node), &ProvisionError{NodeID: id, Action: string(nodes.TargetAdopt), State: StateOf(after, node), Err: err}
		}
		node = after
	}
	switch {
	case node.ProvisionState == StateActive:
		if InstanceInfoDiffers(spec.InstanceInfo, StringMap(node.InstanceInfo), nil, true) {
			return node, &AlreadyDeployedError{NodeID: id, State: node.ProvisionState}
		}
		return node, nil
	case !Settled(node) || node.ProvisionState != StateManageable && node.ProvisionState != StateAdoptFailed:
		return node, &NotAdoptableError{NodeID: id, State: node.ProvisionState}
	}
	if node, err = c.setInstanceInfo(ctx, node, spec.InstanceInfo); err != nil {
		return node, &ProvisionError{NodeID: id, Action: "set instance_info", State: node.ProvisionState, Err: err}
	}
	return c.transition(ctx, node, adoptStep, Goal{State: StateActive})
}

// Disposal is what destroying a deployment does with the deployed machine.
type Disposal string

const (
	// DisposalDefault: not decided. A deployment Ironic deployed is undeployed; an
	// adopted one is not destroyed at all (DestroyRefused).
	DisposalDefault Disposal = ""
	// DisposalKeep forgets the deployment and leaves the machine as it is: active,
	// running, its disk untouched. Ironic keeps it active with its instance_info.
	DisposalKeep Disposal = "keep"
	// DisposalUndeploy tears the deployment down (Ironic's deleted): the machine is
	// powered off and, with automated cleaning on, its disks are erased.
	DisposalUndeploy Disposal = "undeploy"
)

// Disposals are the decisions a configuration can take.
var Disposals = []string{string(DisposalKeep), string(DisposalUndeploy)}

// Undeploys reports whether destroying the deployment tears the machine down.
func (d Disposal) Undeploys() bool { return d != DisposalKeep }

// DestroyRefused reports whether a deployment cannot be destroyed as it is: an adopted
// machine's system was never Ironic's, so what happens to its disk is decided
// explicitly (keep it, or undeploy it), never by default.
func DestroyRefused(adopted bool, d Disposal) bool { return adopted && d == DisposalDefault }

// NoopDeploy is the deploy interface of Ironic 2026.1 that deploys nothing: its deploy
// step returns at once, so a deploy or rebuild request ends in active with nothing
// written to the disk, and its teardown does nothing either. A node using it is never
// deployed, only adopted. (Ironic 35.0.1 accepts it on fake-hardware nodes only; its
// redfish, ipmi and manual-management types refuse it.)
const NoopDeploy = "noop"

// NeverDeployedError says a deploy or rebuild was asked of a node whose deploy
// interface is NoopDeploy: Ironic would report it deployed with nothing written. Nothing
// was sent.
type NeverDeployedError struct{ NodeID, Action string }

func (e *NeverDeployedError) Error() string {
	return fmt.Sprintf("node %s uses Ironic's %q deploy interface, which never writes an image: a %s would end in active "+
		"with nothing written to the disk. Such a node is only ever adopted. Nothing was changed", e.NodeID, NoopDeploy, e.Action)
}
