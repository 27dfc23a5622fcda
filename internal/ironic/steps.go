package ironic

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// HardwareChange is what a configuration asks of a machine's hardware: BIOS settings to
// apply and a RAID layout to build. The same change runs as manual clean steps on a node
// that is not deployed and as service steps (API 1.87) on one that is; Ironic names the
// steps differently for each.
type HardwareChange struct {
	BIOS map[string]string // settings to apply; empty: none
	RAID map[string]any    // the target layout to build; nil: no build
	// Firmware are the firmware images to flash, each {component, url} and more where
	// the firmware interface takes it (API 1.86); empty: none.
	Firmware []map[string]any
	// FirmwareVersions are the versions the flashed components must report afterwards,
	// by component (the last image for a component decides); a component not named here
	// is not checked. Ironic does not see every failed flash (a BMC that keeps its old
	// version after its update task ends is taken as done), so the versions are read back.
	FirmwareVersions map[string]string
	// Runbook (a name or UUID) runs after the steps, by itself: Ironic takes steps or a
	// runbook in one request, not both.
	Runbook string
	// RAIDInterface is the node's RAID interface, whose service steps differ ("": the
	// node's, read by ApplyHardware).
	RAIDInterface string
}

// Empty: nothing runs on the machine.
func (c HardwareChange) Empty() bool {
	return len(c.BIOS) == 0 && c.RAID == nil && len(c.Firmware) == 0 && c.Runbook == ""
}

// Describe names what runs, as the plan shows it: the steps of cleaning or of
// servicing, then the runbook.
func (c HardwareChange) Describe(servicing bool) string {
	steps := c.CleanSteps()
	if servicing {
		steps = c.ServiceSteps()
	}
	parts := []string{}
	if len(steps) > 0 {
		parts = append(parts, StepNames(steps))
	}
	if c.Runbook != "" {
		parts = append(parts, "the steps of runbook "+c.Runbook)
	}
	return strings.Join(parts, ", then ")
}

// biosSettings is the BIOS step's argument, sorted by name so a request reads the same
// every time.
func (c HardwareChange) biosSettings() []map[string]string {
	names := make([]string, 0, len(c.BIOS))
	for k := range c.BIOS {
		names = append(names, k)
	}
	sort.Strings(names)
	settings := make([]map[string]string, 0, len(names))
	for _, k := range names {
		settings = append(settings, map[string]string{"name": k, "value": c.BIOS[k]})
	}
	return settings
}

// biosSteps are the firmware interface's update and the BIOS interface's
// apply_configuration: the same steps for cleaning and servicing (a service step is a
// clean step by type). Firmware first: new firmware may bring the BIOS settings asked for.
func (c HardwareChange) biosSteps() []nodes.CleanStep {
	var steps []nodes.CleanStep
	if len(c.Firmware) > 0 {
		steps = append(steps, nodes.CleanStep{Interface: nodes.InterfaceFirmware, Step: "update", Args: map[string]any{"settings": c.Firmware}})
	}
	if len(c.BIOS) > 0 {
		steps = append(steps, nodes.CleanStep{Interface: nodes.InterfaceBIOS, Step: "apply_configuration", Args: map[string]any{"settings": c.biosSettings()}})
	}
	return steps
}

// CleanSteps are the manual clean steps: the BIOS settings, then the RAID interface's
// delete_configuration and create_configuration, which builds the node's target RAID
// configuration (set beforehand).
func (c HardwareChange) CleanSteps() []nodes.CleanStep {
	steps := c.biosSteps()
	if c.RAID != nil {
		steps = append(steps,
			nodes.CleanStep{Interface: nodes.InterfaceRAID, Step: "delete_configuration"},
			nodes.CleanStep{Interface: nodes.InterfaceRAID, Step: "create_configuration"})
	}
	return steps
}

// ServiceSteps are the service steps for a deployed machine: the BIOS settings, then the
// RAID interface's apply_configuration, which takes the layout itself and deletes the
// existing volumes first. The redfish RAID interface's apply_configuration does not
// delete them (it takes delete_existing and ignores it) and builds only the root volume
// unless told otherwise, so there its delete_configuration runs first and
// apply_configuration is asked for every volume; the agent's takes no such arguments.
func (c HardwareChange) ServiceSteps() []nodes.ServiceStep {
	steps := c.biosSteps()
	switch {
	case c.RAID != nil && c.RAIDInterface == "redfish":
		steps = append(steps, nodes.ServiceStep{Interface: nodes.InterfaceRAID, Step: "delete_configuration"},
			nodes.ServiceStep{Interface: nodes.InterfaceRAID, Step: "apply_configuration",
				Args: map[string]any{"raid_config": c.RAID, "create_root_volume": true, "create_nonroot_volumes": true}})
	case c.RAID != nil:
		steps = append(steps, nodes.ServiceStep{Interface: nodes.InterfaceRAID, Step: "apply_configuration",
			Args: map[string]any{"raid_config": c.RAID, "delete_existing": true}})
	}
	return steps
}

// StepNames lists steps as interface.step, the way Ironic's documentation names them.
func StepNames(steps []nodes.CleanStep) string {
	names := make([]string, len(steps))
	for i, st := range steps {
		names[i] = string(st.Interface) + "." + st.Step
	}
	return strings.Join(names, ", ")
}

// HardwareError is a hardware change that did not complete. The node was brought back
// where it rested (State); RAIDRestored says whether the previous target RAID layout was
// put back after a failed build.
type HardwareError struct {
	NodeID       string
	State        string
	Serviced     bool
	RAIDRestored bool
	Err          error
}

func (e *HardwareError) Error() string {
	how := "manual cleaning"
	if e.Serviced {
		how = "servicing"
	}
	if e.State == StateServiceFailed {
		return fmt.Sprintf("node %s: %s failed: %v", e.NodeID, how, e.Err)
	}
	return fmt.Sprintf("node %s: %s failed: %v. The node was brought back to %q", e.NodeID, how, e.Err, e.State)
}

func (e *HardwareError) Unwrap() error { return e.Err }

// ApplyHardware runs the change on the machine: by manual cleaning when the node rests in
// manageable or available (it is brought back there), by servicing when it is active (it
// stays deployed: its instance and disk are not touched, only the steps run). A failure
// leaves the node where it rested: a clean failed is moved back to manageable, a service
// failed aborted back to active; a failed RAID build puts previousRAID back as the
// target. The node returned is the last one read (nil when none was).
//
// allowService guards the running machine: without it an active node is refused, as the
// plan that allowed only cleaning may have been made before a deployment took the node.
func (c *Client) ApplyHardware(ctx context.Context, node *nodes.Node, change HardwareChange, previousRAID map[string]any, allowService bool) (*nodes.Node, error) {
	if change.Empty() {
		return node, nil
	}
	rest := node.ProvisionState
	if change.RAIDInterface == "" {
		change.RAIDInterface = node.RAIDInterface
	}
	if Servicing(rest) && !allowService {
		return node, &ServicingNotAllowedError{NodeID: node.UUID}
	}
	var after *nodes.Node
	var err error
	switch {
	case Cleanable(rest):
		after, err = c.clean(ctx, node.UUID, Goal{CleanSteps: change.CleanSteps()}, rest)
		if err == nil && change.Runbook != "" {
			after, err = c.clean(ctx, node.UUID, Goal{Runbook: change.Runbook}, rest)
		}
	case Servicing(rest):
		after, err = c.service(ctx, node.UUID, Goal{ServiceSteps: change.ServiceSteps()})
		if err == nil && change.Runbook != "" {
			after, err = c.service(ctx, node.UUID, Goal{Runbook: change.Runbook})
		}
	default:
		return node, fmt.Errorf("node %s is %q: BIOS settings and RAID layouts are applied by manual cleaning (manageable "+
			"or available) or by servicing (active)", node.UUID, rest)
	}
	if err == nil && len(change.Firmware) > 0 {
		err = c.checkFirmwareVersions(ctx, node.UUID, change.FirmwareVersions)
	}
	if err == nil {
		return after, nil
	}
	herr := &HardwareError{NodeID: node.UUID, State: StateOf(after, node), Serviced: Servicing(rest), Err: err}
	if change.RAID != nil && previousRAID != nil {
		herr.RAIDRestored = c.SetTargetRAIDConfig(context.WithoutCancel(ctx), node.UUID, previousRAID) == nil
	}
	return after, herr
}

// checkFirmwareVersions compares the versions Ironic read from the components after the
// flash with the wanted ones.
func (c *Client) checkFirmwareVersions(ctx context.Context, id string, want map[string]string) error {
	if len(want) == 0 {
		return nil
	}
	components, err := c.FirmwareComponents(ctx, id)
	if err != nil {
		return fmt.Errorf("reading the firmware components back: %s", Message(err))
	}
	if wrong := FirmwareDrift(want, components); len(wrong) > 0 {
		return fmt.Errorf("Ironic ran the firmware update, but %s", strings.Join(wrong, "; "))
	}
	return nil
}

// FirmwareDrift lists the components whose current version is not the wanted one (or
// that Ironic does not list), each as "<component> reports <version>, not <wanted>".
func FirmwareDrift(want map[string]string, components []nodes.FirmwareComponent) []string {
	current := map[string]string{}
	for _, fc := range components {
		current[fc.Component] = fc.CurrentVersion
	}
	var wrong []string
	for _, component := range slices.Sorted(maps.Keys(want)) {
		got, ok := current[component]
		switch {
		case !ok:
			wrong = append(wrong, fmt.Sprintf("the node lists no firmware component %q (wanted at %s)", component, want[component]))
		case got != want[component]:
			wrong = append(wrong, fmt.Sprintf("%s reports version %s, not %s", component, got, want[component]))
		}
	}
	return wrong
}

// clean runs manual cleaning (the goal's clean steps or runbook; nothing when it has
// neither) and brings the node back to rest (manageable or available). A clean failed
// is moved back to manageable, not left there.
func (c *Client) clean(ctx context.Context, id string, work Goal, rest string) (*nodes.Node, error) {
	if len(work.CleanSteps) == 0 && work.Runbook == "" {
		return c.GetNode(ctx, id)
	}
	work.State = StateManageable
	node, err := c.Reach(ctx, id, work)
	if err != nil {
		held := false
		if node != nil && node.ProvisionState == StateCleanFailed {
			held = node.Maintenance && node.Fault == FaultCleanFailure
			if n, rerr := c.Reach(ctx, id, Goal{State: StateManageable}); rerr == nil {
				node = n
			}
		}
		err = fmt.Errorf("applying %s: %w", work.describe(), err)
		if held && node.Maintenance {
			err = fmt.Errorf("%w. %w", err, &CleanFailedMaintenanceError{NodeID: id})
		}
		return node, err
	}
	if rest == StateAvailable {
		return c.Reach(ctx, id, Goal{State: StateAvailable})
	}
	return node, nil
}

// service runs servicing on an active node (the goal's service steps or runbook;
// nothing when it has neither) and waits until it is active again. A service failed is
// aborted back to active (Ironic returns the machine to its instance); the error carries
// Ironic's last_error from before the abort.
func (c *Client) service(ctx context.Context, id string, work Goal) (*nodes.Node, error) {
	if len(work.ServiceSteps) == 0 && work.Runbook == "" {
		return c.GetNode(ctx, id)
	}
	work.State = StateActive
	if node, err := c.GetNode(ctx, id); err != nil || (node.ProvisionState == StateServiceFailed && node.Maintenance) {
		if err != nil {
			return node, err
		}
		return node, fmt.Errorf("not running %s: %w", work.describe(), &ServiceFailedMaintenanceError{NodeID: id, Reason: node.MaintenanceReason})
	}
	node, err := c.Reach(ctx, id, work)
	if err == nil {
		return node, nil
	}
	err = fmt.Errorf("running %s: %w", work.describe(), err)
	var herr *HoldError
	if node == nil || errors.As(err, &herr) || node.ProvisionState != StateServiceFailed {
		return node, err // still servicing (the timeout), held, or refused before it began
	}
	if node.Maintenance {
		// Ironic put the node in maintenance for the failed step (fault "service
		// failure"): a safety flag the provider leaves to the operator.
		return node, fmt.Errorf("%w. %w", err, &ServiceFailedMaintenanceError{NodeID: id})
	}
	back, aerr := c.Reach(ctx, id, Goal{State: StateActive})
	if aerr != nil {
		return back, fmt.Errorf("%w; then aborting it back to active: %v", err, aerr)
	}
	return back, err
}

// ServicingNotAllowedError: the hardware change would service a running machine, which
// the caller did not allow; nothing was run.
type ServicingNotAllowedError struct{ NodeID string }

func (e *ServicingNotAllowedError) Error() string {
	return fmt.Sprintf("node %s is active: changing its hardware would service the running machine, which is not allowed; "+
		"nothing was run", e.NodeID)
}

// ServiceFailedMaintenanceError: a servicing failed and Ironic put the node in
// maintenance; it refuses to abort or service the node again until that is lifted.
type ServiceFailedMaintenanceError struct {
	NodeID string
	Reason string // the maintenance reason, when it is not already in the error
}

func (e *ServiceFailedMaintenanceError) Error() string {
	why := ""
	if e.Reason != "" {
		why = fmt.Sprintf(" (%s)", e.Reason)
	}
	return fmt.Sprintf("Ironic put node %s in maintenance when the servicing failed%s, and refuses to abort or service it "+
		"until that is lifted, so it stays in %q: its deployment and disk are untouched. Check the machine, lift "+
		"maintenance (baremetal node maintenance unset %s), and apply again: the failed servicing is then aborted "+
		"back to active and the change runs again", e.NodeID, why, StateServiceFailed, e.NodeID)
}

// FaultCleanFailure is the fault Ironic records when it puts a node in maintenance for a
// failed clean step.
const FaultCleanFailure = "clean failure"

// CleanFailedMaintenanceError: a clean step failed and Ironic put the node in
// maintenance (fault "clean failure"); it refuses to clean the node again until that is
// lifted.
type CleanFailedMaintenanceError struct{ NodeID string }

func (e *CleanFailedMaintenanceError) Error() string {
	return fmt.Sprintf("Ironic put node %s in maintenance when the clean step failed (fault %q), and refuses to clean it "+
		"again until that is lifted: check the machine, then lift maintenance (baremetal node maintenance unset %s)",
		e.NodeID, FaultCleanFailure, e.NodeID)
}

// describe names the work of a clean or service goal.
func (g Goal) describe() string {
	if g.Runbook != "" {
		return "runbook " + g.Runbook
	}
	if len(g.ServiceSteps) > 0 {
		return StepNames(g.ServiceSteps)
	}
	return StepNames(g.CleanSteps)
}
