package ironic

// Ironic's provision states, in one place: what the state machine (provision.go), the
// deployment (deploy.go), cleaning and servicing (steps.go) and the provider compare a
// node's provision_state with. TestEveryIronicStateIsHandled checks the lists below
// against the states Ironic itself defines.
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
