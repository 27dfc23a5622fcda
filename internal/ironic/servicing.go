package ironic

import (
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// HardwareRefusal says why a hardware change cannot run on a deployed node.
type HardwareRefusal int

const (
	HardwareGoesAhead     HardwareRefusal = iota
	RefusedNotActive                      // deployed but not active: Ironic services only an active node
	RefusedNotAllowed                     // servicing the running machine was not allowed
	RefusedNoServicingAPI                 // this Ironic has no servicing (API 1.87)
)

// HardwareVerdict is how a hardware change (BIOS settings, RAID build, firmware,
// runbook) runs on a node: by manual cleaning where it rests undeployed, by servicing
// where it is deployed, or not at all.
type HardwareVerdict struct {
	Servicing bool // the deployed machine is serviced in place; else manual cleaning
	Refused   HardwareRefusal
	Err       error // with RefusedNoServicingAPI: what the Ironic lacks
	// AbortFirst: the last servicing failed; the apply aborts it back to active first.
	AbortFirst bool
	// HeldInMaintenance: with AbortFirst, Ironic holds the node in maintenance and
	// refuses to abort or service it until that is lifted, so the apply fails. For a
	// cleaning (not Servicing): the node rests in maintenance (as a failed clean step
	// leaves it), and Ironic refuses to clean it until that is lifted.
	HeldInMaintenance bool
	MaintenanceReason string
}

// DecideHardware is the verdict on a hardware change of a node in provision state
// state ("" for a node not yet created). allowServicing is the caller's consent to
// service a running machine; microversion is the negotiated one ("" when unknown: not
// checked); live is the node as Ironic holds it now (nil when it could not be read).
func DecideHardware(state string, allowServicing bool, microversion string, live *nodes.Node) HardwareVerdict {
	if !IsDeployed(state) {
		if live != nil && live.Maintenance {
			return HardwareVerdict{HeldInMaintenance: true, MaintenanceReason: live.MaintenanceReason}
		}
		return HardwareVerdict{}
	}
	v := HardwareVerdict{Servicing: true}
	switch {
	case !Servicing(state):
		v.Refused = RefusedNotActive
		return v
	case !allowServicing:
		v.Refused = RefusedNotAllowed
		return v
	}
	if microversion != "" {
		if err := FeatureNamed("servicing").Check(microversion); err != nil {
			v.Refused, v.Err = RefusedNoServicingAPI, err
			return v
		}
	}
	if state == StateServiceFailed {
		v.AbortFirst = true
		if live != nil && live.Maintenance {
			v.HeldInMaintenance, v.MaintenanceReason = true, live.MaintenanceReason
		}
	}
	return v
}
