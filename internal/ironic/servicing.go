package ironic

import (
	"sort"
	"strings"

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
	// refuses to abort or service it until that is lifted, so the apply fails.
	HeldInMaintenance bool
	MaintenanceReason string
}

// DecideHardware is the verdict on a hardware change of a node in provision state
// state ("" for a node not yet created). allowServicing is the caller's consent to
// service a running machine; microversion is the negotiated one ("" when unknown: not
// checked); live is the node as Ironic holds it now (nil when it could not be read).
func DecideHardware(state string, allowServicing bool, microversion string, live *nodes.Node) HardwareVerdict {
	if !IsDeployed(state) {
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

// BIOSValues is the BIOS settings Ironic lists, name to value (settings without a value
// left out).
func BIOSValues(settings []BIOSSetting) map[string]string {
	m := make(map[string]string, len(settings))
	for _, s := range settings {
		if s.Value != nil {
			m[s.Name] = *s.Value
		}
	}
	return m
}

// SameBIOSValue: BMCs report a value they were given in their own case and spacing.
func SameBIOSValue(configured, read string) bool {
	return strings.EqualFold(strings.TrimSpace(configured), strings.TrimSpace(read))
}

// BIOSAsConfigured is what the node holds of the wanted settings, as Ironic lists them:
// only the settings named in want, each in want's spelling where the BMC's means the
// same ("enabled" read back as "Enabled"). A wanted setting Ironic does not list is
// left out.
func BIOSAsConfigured(want map[string]string, settings []BIOSSetting) map[string]string {
	got := BIOSValues(settings)
	for k, v := range got {
		switch w, ok := want[k]; {
		case !ok:
			delete(got, k) // only the settings named here are compared; the rest belong to the machine
		case SameBIOSValue(w, v):
			got[k] = w
		}
	}
	return got
}

// BIOSMismatch is a setting the node holds with another value than the wanted one.
type BIOSMismatch struct{ Name, Wanted, Held string }

// BIOSNotApplied lists, by name, the wanted settings held (as BIOSAsConfigured reports
// them) with another value: the BMC refused or ignored them. A setting not held at all
// is not listed.
func BIOSNotApplied(want, held map[string]string) []BIOSMismatch {
	var off []BIOSMismatch
	for k, w := range want {
		if g, ok := held[k]; ok && g != w {
			off = append(off, BIOSMismatch{Name: k, Wanted: w, Held: g})
		}
	}
	sort.Slice(off, func(i, j int) bool { return off[i].Name < off[j].Name })
	return off
}
