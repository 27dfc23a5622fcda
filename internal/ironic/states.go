package ironic

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// Ironic's provision states, in one place, and what they mean: what the state machine
// (provision.go, wait.go), the deployment (deploy.go), cleaning and servicing (steps.go)
// and the provider compare a node's provision_state with. TestEveryIronicStateIsHandled
// checks the lists below against the states Ironic itself defines.
const (
	// Enrolled, prepared, cleaned: no deployment holds the node.
	StateEnroll        = "enroll"
	StateVerifying     = "verifying"
	StateManageable    = "manageable"
	StateInspecting    = "inspecting"
	StateInspectWait   = "inspect wait"
	StateInspectFailed = "inspect failed"
	StateCleaning      = "cleaning"
	StateCleanWait     = "clean wait"
	StateCleanFailed   = "clean failed"
	StateCleanHold     = "clean hold"
	StateAvailable     = "available"
	StateDeleting      = "deleting"

	// From the deploy request until the node is torn down again: a deployment holds it.
	StateDeploying      = "deploying"
	StateWaitCallBack   = "wait call-back"
	StateDeployFailed   = "deploy failed"
	StateDeployHold     = "deploy hold"
	StateActive         = "active"
	StateError          = "error" // a teardown (undeploy) failed: the node still holds its disk
	StateRescuing       = "rescuing"
	StateRescueWait     = "rescue wait"
	StateRescue         = "rescue"
	StateRescueFailed   = "rescue failed"
	StateUnrescuing     = "unrescuing"
	StateUnrescueFailed = "unrescue failed"
	StateServicing      = "servicing"
	StateServiceWait    = "service wait"
	StateServiceFailed  = "service failed" // where a failed servicing leaves a deployed node
	StateServiceHold    = "service hold"
	StateAdopting       = "adopting"
	StateAdoptFailed    = "adopt failed"
)

// Power states.
const (
	PowerOn  = "power on"
	PowerOff = "power off"
)

// stable states are where a node rests until asked to move; every other state is a
// transition (or a wait for an agent) that ends by itself.
var stable = []string{
	StateEnroll, StateManageable, StateAvailable, StateActive,
	StateDeployFailed, StateCleanFailed, StateInspectFailed, StateAdoptFailed, StateError,
	StateRescue, StateRescueFailed, StateUnrescueFailed, StateServiceFailed,
	StateCleanHold, StateDeployHold, StateServiceHold,
}

// deployedStates are the provision states in which a deployment holds the node: from
// the deploy request until the node is torn down again. The node's own resource leaves
// a node in these states alone.
var deployedStates = []string{
	StateDeploying, StateWaitCallBack, StateDeployFailed, StateDeployHold, StateActive, StateError,
	StateRescuing, StateRescueWait, StateRescue, StateRescueFailed, StateUnrescuing, StateUnrescueFailed,
	StateServicing, StateServiceWait, StateServiceFailed, StateServiceHold, StateAdopting, StateAdoptFailed,
}

// undeployedStates are the provision states in which no deployment holds the node: it
// is enrolled, prepared, cleaned or being torn down.
var undeployedStates = []string{
	StateEnroll, StateVerifying, StateManageable, StateInspecting, StateInspectWait, StateInspectFailed,
	StateCleaning, StateCleanWait, StateCleanFailed, StateCleanHold, StateAvailable, StateDeleting,
}

// workingStates are held only while a conductor works on the node under its
// reservation; the wait states (wait call-back, clean wait, ...) wait for an agent
// without one.
var workingStates = []string{
	StateCleaning, StateDeploying, StateDeleting, StateVerifying, StateInspecting, StateServicing, StateRescuing,
	StateUnrescuing, StateAdopting,
}

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

// StateOf is the provision state of n, or of fallback when n is nil (a failed call
// that returned no node).
func StateOf(n, fallback *nodes.Node) string {
	if n != nil {
		return n.ProvisionState
	}
	return fallback.ProvisionState
}

// HeldOrServiced says, for a deployed node Ironic holds, services or that is rescued
// (RescueNote), what is going on and what ends it; "" otherwise.
func HeldOrServiced(n *nodes.Node) string {
	switch {
	case isHold(n.ProvisionState):
		return (&HoldError{NodeID: n.UUID, State: n.ProvisionState, Target: n.TargetProvisionState}).Error() + "."
	case IsRescued(n.ProvisionState):
		return RescueNote(n)
	case n.ProvisionState == StateServiceFailed:
		msg := fmt.Sprintf("Node %s is %q: a servicing failed on the deployed machine, whose disk is as it was. The node's "+
			"next hardware change aborts it back to active first, or `baremetal node abort %s` does.", n.UUID, n.ProvisionState, n.UUID)
		if n.LastError != "" {
			msg += " Ironic's last_error: " + n.LastError + "."
		}
		return msg
	case strings.HasPrefix(n.ProvisionState, "servic"):
		msg := fmt.Sprintf("Node %s is %q: Ironic runs service steps on the deployed machine.", n.UUID, n.ProvisionState)
		if n.LastError != "" {
			msg += " Ironic's last_error: " + n.LastError + "."
		}
		return msg
	}
	return ""
}

// rescueStates: the deployed machine boots Ironic's rescue ramdisk for an operator,
// is on its way in or out of it, or stopped on the way (an operator's or an action's
// doing).
var rescueStates = []string{StateRescuing, StateRescueWait, StateRescue, StateRescueFailed, StateUnrescuing, StateUnrescueFailed}

// IsRescued reports whether a deployed node in this state is held in rescue: no apply
// moves it out (never an unrescue: only the operator's or an action's ends it), no
// update rebuilds it, and its plan keeps it where it is. Tearing its deployment down
// (Ironic's deleted) is allowed: the user asked for that.
func IsRescued(state string) bool { return slices.Contains(rescueStates, state) }

// KeepsDeployedState reports whether a deployment leaves a node in this state where it
// is, in its plan and its apply: Ironic services it or holds it for an operator
// (IsServicedOrHeld), or it is rescued (IsRescued).
func KeepsDeployedState(state string) bool { return IsServicedOrHeld(state) || IsRescued(state) }

// PlannedDeploymentState is the provision state a deployment's plan shows for a node
// now in state current; changed says whether anything else of the deployment changes.
// Where the deployment leaves the node be (KeepsDeployedState) it stays there. A failed
// servicing (service failed) is the servicing's, not the deployment's: the image is on
// the disk as it was, and what ends it is the node's next hardware change (aborted back
// to active first, DecideHardware) or the operator's abort, so a deployment with nothing
// else to change plans no change. One that changes (a rebuild, its protection) aborts
// it back to active first (Redeploy). Anywhere else the deployment heads for active.
func PlannedDeploymentState(current string, changed bool) string {
	if KeepsDeployedState(current) || current == StateServiceFailed && !changed {
		return current
	}
	return StateActive
}

// RescueNote says, for a rescued node (IsRescued), where it is and that no apply
// moves it; "" for any other node.
func RescueNote(n *nodes.Node) string {
	var what string
	switch n.ProvisionState {
	case StateRescue:
		what = "the deployed machine runs Ironic's rescue ramdisk"
	case StateRescuing, StateRescueWait:
		what = "Ironic is booting the deployed machine into its rescue ramdisk"
	case StateRescueFailed:
		what = "Ironic could not boot the deployed machine into its rescue ramdisk"
	case StateUnrescueFailed:
		what = "Ironic could not bring the deployed machine back from rescue"
	case StateUnrescuing:
		return fmt.Sprintf("Node %s is %q: Ironic is bringing the deployed machine back from rescue; it returns to active by itself.",
			n.UUID, n.ProvisionState)
	default:
		return ""
	}
	msg := fmt.Sprintf("Node %s is %q: %s. It is held there: no apply unrescues it", n.UUID, n.ProvisionState, what)
	if n.LastError != "" {
		msg += " (Ironic's last_error: " + n.LastError + ")"
	}
	return msg + "."
}

// IsServicedOrHeld: Ironic runs service steps on the deployed machine (servicing,
// service wait) or holds it for an operator (a hold state): a deployment leaves it be.
func IsServicedOrHeld(state string) bool {
	return isHold(state) || state == StateServicing || state == StateServiceWait
}

// isHold: clean hold, deploy hold, service hold.
func isHold(state string) bool { return strings.HasSuffix(state, " hold") }

// IsDeployed reports whether a deployment holds a node in this state. A state this
// provider does not know (a newer Ironic's) counts as deployed: what might be a running
// machine is kept and left alone, never dropped and deployed again.
func IsDeployed(state string) bool { return state != "" && !slices.Contains(undeployedStates, state) }

// IsKnownState reports whether the provider knows what this provision state means.
func IsKnownState(state string) bool {
	return slices.Contains(deployedStates, state) || slices.Contains(undeployedStates, state)
}

// Servicing reports whether a change to a node in this state runs as servicing: an
// active node, or one whose last servicing failed (it is still deployed: the failed
// servicing is aborted back to active first); one that rests in manageable or
// available is cleaned.
func Servicing(state string) bool { return state == StateActive || state == StateServiceFailed }

// Cleanable: a node resting here takes manual cleaning.
func Cleanable(state string) bool { return state == StateManageable || state == StateAvailable }

// Allocation states.
const (
	AllocationAllocating = "allocating"
	AllocationActive     = "active"
	AllocationError      = "error"
)
