package ironic

import (
	"context"
	"errors"
	"fmt"
	"sync"

	googleuuid "github.com/google/uuid"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// enrollmentNamespace makes a named node's UUID a function of its name: an apply that
// enrolled it and then failed (a BMC that did not answer the first manage) leaves it out
// of the state, and the next apply finds it again by that UUID.
var enrollmentNamespace = googleuuid.MustParse("6c1f2f3e-5b7a-4e53-9d0c-3c0f8f4b2a61")

// EnrollmentUUID is the UUID a new node is created with: derived from its name, or
// random for a node without one ("").
func EnrollmentUUID(name string) string {
	if name == "" {
		return googleuuid.NewString()
	}
	return googleuuid.NewSHA1(enrollmentNamespace, []byte("baremetal_node/"+name)).String()
}

// enrolling holds the UUIDs this process is creating nodes with: a second create of the
// same name in one run must not take the first one's node as its own.
var enrolling sync.Map

// ClaimEnrollment reserves uuid for one create in this process; ok is false while
// another create holds it. release gives it back.
func ClaimEnrollment(uuid string) (release func(), ok bool) {
	if _, busy := enrolling.LoadOrStore(uuid, true); busy {
		return func() {}, false
	}
	return func() { enrolling.Delete(uuid) }, true
}

// EnrollmentTarget is where a create leaves the node: the provision state ("" is
// enroll) and the owner ("" when the create does not set one).
type EnrollmentTarget struct {
	ProvisionState string
	Owner          string
}

// UnfinishedEnrollment: an earlier create stopped on this node: it is still on its way
// (a clean that outlived the timeout), or rests elsewhere than the target's provision
// state or owner, or with an error Ironic recorded.
func UnfinishedEnrollment(n *nodes.Node, t EnrollmentTarget) bool {
	target := t.ProvisionState
	if target == "" {
		target = StateEnroll
	}
	owner := t.Owner != "" && t.Owner != n.Owner
	return !Settled(n) || n.LastError != "" || owner || (target != StateEnroll && n.ProvisionState != target)
}

// NodeExistsError says a node with the UUID of this name exists and is not an
// unfinished enrollment: it is somebody's, not to be taken over by a create.
type NodeExistsError struct {
	Name string
	Node *nodes.Node
}

func (e *NodeExistsError) Error() string {
	return fmt.Sprintf("node %q already exists (UUID %s, provision state %q) and is not an unfinished enrollment",
		e.Name, e.Node.UUID, e.Node.ProvisionState)
}

// ReadError says a node could not be read (not: it does not exist, where that is an answer).
type ReadError struct {
	NodeID string
	Err    error
}

func (e *ReadError) Error() string {
	return fmt.Sprintf("reading node %s: %s", e.NodeID, Message(e.Err))
}
func (e *ReadError) Unwrap() error { return e.Err }

// FindEnrollment looks for the node an earlier create enrolled under this name and did
// not finish. It returns nil when there is none (or the node has no name), the node to
// continue with when its enrollment is unfinished, and the node with a *NodeExistsError
// when it is finished: a create must not take it over.
func (c *Client) FindEnrollment(ctx context.Context, name string, t EnrollmentTarget) (*nodes.Node, error) {
	if name == "" {
		return nil, nil
	}
	uuid := EnrollmentUUID(name)
	earlier, err := c.GetNode(ctx, uuid)
	switch {
	case IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, &ReadError{NodeID: uuid, Err: err}
	case !UnfinishedEnrollment(earlier, t):
		return earlier, &NodeExistsError{Name: name, Node: earlier}
	}
	return earlier, nil
}

// NodeWork is what a create or an update does to a node once its fields are set: the
// traits and the target RAID layout recorded (neither touches the hardware), the
// provisioning, power and maintenance converged, then the hardware change applied.
type NodeWork struct {
	SetTraits     bool
	Traits        []string // with SetTraits: the whole list
	SetRAIDTarget bool
	RAIDTarget    map[string]any // with SetRAIDTarget; empty clears it
	Goal          NodeGoal
	Hardware      HardwareChange
	// PreviousRAID is the target RAID layout put back when the build fails (nil: none).
	PreviousRAID map[string]any
	// AllowServicing lets the hardware change run on an active node (see ApplyHardware).
	AllowServicing bool
	// Boot is the boot mode and secure boot to set once the node is where Goal says.
	Boot BootChange
}

// NodeStep names a step of a node's create or update, for the caller to word a failure.
type NodeStep int

const (
	StepCreate     NodeStep = iota // the node could not be created: nothing exists
	StepPatch                      // the fields could not be changed: nothing was
	StepTraits                     // the traits could not be set
	StepRAIDTarget                 // the target RAID layout could not be set
	StepConverge                   // provisioning, power or maintenance (Err is Converge's)
	StepHardware                   // the hardware change (Err is ApplyHardware's)
	StepBoot                       // the boot mode or secure boot (Err is SetBoot's)
)

// NodeStepError is a step of a node's create or update that failed.
type NodeStepError struct {
	Step   NodeStep
	NodeID string
	Err    error
}

func (e *NodeStepError) Error() string { return e.Err.Error() }
func (e *NodeStepError) Unwrap() error { return e.Err }

// StepErrors lists the failed steps an error of Enroll or UpdateNode holds, in order.
func StepErrors(err error) []*NodeStepError {
	var out []*NodeStepError
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			out = append(out, StepErrors(e)...)
		}
		return out
	}
	var se *NodeStepError
	if errors.As(err, &se) {
		out = append(out, se)
	}
	return out
}

// Enroll creates the node body describes (with a UUID chosen here when the body has
// none, so the create is idempotent: a retried create of a node already created finds
// it) and does the work. It returns the node as it ends, nil when Ironic created
// nothing; with an *OwnerError the node exists and nothing more was done. Failed steps
// are *NodeStepError values, joined.
func (c *Client) Enroll(ctx context.Context, body NodeCreate, w NodeWork) (*nodes.Node, error) {
	uuid := chooseUUID(body)
	node, err := c.EnrollNode(ctx, body)
	var ownerErr *OwnerError
	switch {
	case errors.As(err, &ownerErr):
		return node, err
	case err != nil:
		return nil, &NodeStepError{Step: StepCreate, NodeID: uuid, Err: err}
	}
	return c.work(ctx, node, w)
}

// UpdateNode patches the node's fields (PatchNodeSafely: a failed deployment's node is
// patched in maintenance) and does the work. It returns the node as it ends, nil when
// the patch was refused; failed steps are *NodeStepError values, joined.
func (c *Client) UpdateNode(ctx context.Context, id string, ops nodes.UpdateOpts, resetInterfaces bool, w NodeWork) (*nodes.Node, error) {
	if Retires(ops) { // an available node is retired from manageable
		if _, err := c.PrepareRetirement(ctx, id); err != nil {
			return nil, &NodeStepError{Step: StepPatch, NodeID: id, Err: err}
		}
	}
	node, err := c.PatchNodeSafely(ctx, id, ops, resetInterfaces)
	if err != nil {
		return nil, &NodeStepError{Step: StepPatch, NodeID: id, Err: err}
	}
	return c.work(ctx, node, w)
}

// powerAgain sets the power the goal asks for again after the hardware change: Ironic
// ends a manual clean with the machine powered off, whatever it was before.
func (c *Client) powerAgain(ctx context.Context, node *nodes.Node, g NodeGoal, errs []error) (*nodes.Node, []error) {
	t := g.PowerState
	if t == "" || node.PowerState == t || !Settled(node) || KeepsPowerState(node.ProvisionState) {
		return node, errs
	}
	n, err := c.SetPower(ctx, node.UUID, t)
	if err != nil {
		errs = append(errs, &NodeStepError{Step: StepConverge, NodeID: node.UUID,
			Err: &ConvergeError{"Unable to change the power state of bare metal node", err}})
		n = c.refetch(ctx, node.UUID, node)
	}
	return n, errs
}

// work does w on the node: traits and RAID target, then converging, then (when nothing
// failed) the hardware change. The node is read again when the traits or RAID target
// changed it behind the last read; on failure of that read the last one stands.
func (c *Client) work(ctx context.Context, node *nodes.Node, w NodeWork) (*nodes.Node, error) {
	id := node.UUID
	var errs []error
	if w.SetTraits {
		if err := c.SetTraits(ctx, id, w.Traits); err != nil {
			errs = append(errs, &NodeStepError{Step: StepTraits, NodeID: id, Err: err})
		}
	}
	if w.SetRAIDTarget {
		if err := c.SetTargetRAIDConfig(ctx, id, w.RAIDTarget); err != nil {
			errs = append(errs, &NodeStepError{Step: StepRAIDTarget, NodeID: id, Err: err})
		}
	}
	node, err := c.Converge(ctx, node, w.Goal)
	if err != nil {
		errs = append(errs, &NodeStepError{Step: StepConverge, NodeID: id, Err: err})
	}
	if len(errs) == 0 && !w.Boot.Empty() {
		if _, err := c.SetBoot(ctx, id, w.Boot); err != nil {
			errs = append(errs, &NodeStepError{Step: StepBoot, NodeID: id, Err: err})
		}
	}
	if len(errs) == 0 {
		after, err := c.ApplyHardware(ctx, node, w.Hardware, w.PreviousRAID, w.AllowServicing)
		if err != nil {
			errs = append(errs, &NodeStepError{Step: StepHardware, NodeID: id, Err: err})
		}
		if after != nil {
			node = after
		}
		if err == nil && !w.Hardware.Empty() {
			node, errs = c.powerAgain(ctx, node, w.Goal, errs)
		}
	}
	if w.SetTraits || w.SetRAIDTarget || !w.Boot.Empty() {
		if n, err := c.GetNode(context.WithoutCancel(ctx), node.UUID); err == nil {
			node = n
		}
	}
	return node, errors.Join(errs...)
}
