package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// inTerraformTerms is an engine error's text with the engine's typed reasons worded for
// a Terraform user: the attribute to set, the command to run. The engine's own text
// names no attribute.
func inTerraformTerms(err error) string {
	msg := err.Error()
	add := func(reason error, advice string) {
		msg = strings.Replace(msg, reason.Error(), reason.Error()+advice, 1)
	}
	var maintenanceHeld *ironic.MaintenanceHeldError
	if errors.As(err, &maintenanceHeld) {
		add(maintenanceHeld, ": maintenance is not in the configuration, and Terraform does not lift what it does not manage. "+
			"Clear it in Ironic once the machine is fine, or set maintenance = false to lift it in the next apply")
	}
	var notDeployable *ironic.NotDeployableError
	if errors.As(err, &notDeployable) {
		switch {
		case notDeployable.Maintenance:
			add(notDeployable, ". Set maintenance = false on the node first")
		case ironic.IsDeployed(notDeployable.State):
			// Deployed by other means (rescued, serviced, held): adopt it rather than deploy it.
			add(notDeployable, ". It is deployed already: to manage what runs on it, import it: terraform import <address> "+notDeployable.NodeID)
		default:
			add(notDeployable, `. Set target_provision_state = "available" on the node`)
		}
	}
	var never *ironic.NeverDeployedError
	if errors.As(err, &never) {
		add(never, ": set adopt = true on its baremetal_deployment (from manageable) to take over the system it runs")
	}
	var deployed *ironic.AlreadyDeployedError
	if errors.As(err, &deployed) {
		add(deployed, ". To manage what runs on it, import it: terraform import <address> "+deployed.NodeID)
	}
	var held *ironic.RescueHeldError
	if errors.As(err, &held) {
		add(held, ". "+unrescueAdvice(held.NodeID))
	}
	var cleanHeld *ironic.CleanFailedMaintenanceError
	if errors.As(err, &cleanHeld) {
		add(cleanHeld, ", or set maintenance = false on the node: the next apply lifts it before it cleans")
	}
	var notAllowed *ironic.ServicingNotAllowedError
	if errors.As(err, &notAllowed) {
		msg = strings.Replace(msg, notAllowed.Error(), fmt.Sprintf("node %s is active: changing its hardware would service "+
			"the running machine, which is not allowed (allow_servicing); nothing was run", notAllowed.NodeID), 1)
	}
	return msg
}

// unrescueAdvice says how to end the rescue of a node Terraform holds there
// (ironic.IsRescued): Terraform itself never unrescues it.
func unrescueAdvice(nodeID string) string {
	return "To end the rescue: the baremetal_node_unrescue action (terraform apply " +
		"-invoke=action.baremetal_node_unrescue.<name>), or `baremetal node unrescue " + nodeID + "`"
}

// rescueWarning is the warning for a deployment whose node is rescued
// (ironic.IsRescued): the node is held there, and how to end that.
func rescueWarning(n *nodes.Node) (summary, detail string) {
	detail = ironic.RescueNote(n)
	if n.ProvisionState != ironic.StateUnrescuing {
		detail += " " + unrescueAdvice(n.UUID) + "."
	}
	return "Bare metal node in rescue", detail + " The deployment is kept as it is."
}
