//go:build linux

package ironictest

import (
	"net/http"
	"slices"
)

// The BMC's boot mode and UEFI secure boot, as sushy reads and sets them: the mode is
// the system's Boot.BootSourceOverrideMode (UEFI or Legacy, PATCHed on the system like
// the rest of the boot override), secure boot the system's SecureBoot resource
// (SecureBootEnable, PATCHed there; SecureBootCurrentBoot says whether the running boot
// was secure). Each power-on records the boot: where from, in which mode, secure or not.

// Boot modes as Redfish names them (BootSourceOverrideMode).
const (
	RedfishUEFI   = "UEFI"
	RedfishLegacy = "Legacy"
)

var bootModes = []string{RedfishUEFI, RedfishLegacy}

// bmcFirmwareBoot is a system's secure boot and the boots it made.
type bmcFirmwareBoot struct {
	secureBoot bool   // SecureBootEnable: takes effect at the next boot
	current    bool   // SecureBootCurrentBoot: the running boot was secure
	boots      []Boot // every power-on, oldest first
}

// Boot is one power-on of a system.
type Boot struct {
	// From is where it booted: "Pxe" (the agent's ramdisk) or "Hdd" (the disk).
	From string
	// Mode is the BootSourceOverrideMode it booted in: UEFI or Legacy.
	Mode string
	// SecureBoot tells whether it booted with UEFI secure boot.
	SecureBoot bool
}

// recordBoot notes a power-on, once it is decided where from.
func (s *bmcSystem) recordBoot() {
	mode := s.boot["BootSourceOverrideMode"]
	s.fw.current = s.fw.secureBoot && mode == RedfishUEFI
	s.fw.boots = append(s.fw.boots, Boot{From: s.bootedFrom, Mode: mode, SecureBoot: s.fw.current})
}

// validBootValue tells whether a Boot property may take this value.
func validBootValue(name, value string) bool {
	switch name {
	case "BootSourceOverrideTarget":
		return slices.Contains(bootTargets, value)
	case "BootSourceOverrideMode":
		return slices.Contains(bootModes, value)
	}
	return true
}

func (s *bmcSystem) secureBootResource() map[string]any {
	current := "Disabled"
	if s.fw.current {
		current = "Enabled"
	}
	return map[string]any{
		"@odata.id": systemPath(s.id) + "/SecureBoot", "@odata.type": "#SecureBoot.v1_1_0.SecureBoot",
		"Id": "SecureBoot", "Name": "UEFI Secure Boot", "SecureBootEnable": s.fw.secureBoot,
		"SecureBootCurrentBoot": current, "SecureBootMode": "DeployedMode",
	}
}

// serveSecureBoot answers Systems/<id>/SecureBoot: GET, and PATCH of SecureBootEnable,
// which a BMC in legacy mode refuses to turn on.
func (b *BMC) serveSecureBoot(w http.ResponseWriter, s *bmcSystem, method string, body map[string]any) {
	switch method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.secureBootResource())
		return
	case http.MethodPatch:
	default:
		redfishError(w, http.StatusMethodNotAllowed, "Base.1.8.ActionNotSupported", method+" SecureBoot")
		return
	}
	enable, ok := body["SecureBootEnable"].(bool)
	if !ok || len(body) != 1 {
		redfishError(w, http.StatusBadRequest, "Base.1.8.PropertyNotWritable", "only SecureBootEnable (a boolean) can be changed")
		return
	}
	if enable && s.boot["BootSourceOverrideMode"] != RedfishUEFI {
		redfishError(w, http.StatusBadRequest, "Base.1.8.ActionNotSupported", "secure boot can be enabled in UEFI boot mode only")
		return
	}
	s.fw.secureBoot = enable
	s.note("PATCH SecureBoot %s", compactJSON(body))
	w.WriteHeader(http.StatusNoContent)
}

// BootMode is the system's boot mode now (BootSourceOverrideMode: UEFI or Legacy) and
// whether secure boot is enabled for its next boot.
func (b *BMC) BootMode(id string) (mode string, secureBoot bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.systems[id]; s != nil {
		return s.boot["BootSourceOverrideMode"], s.fw.secureBoot
	}
	return "", false
}

// SetBootMode changes the system's boot mode (UEFI or Legacy) and secure boot behind
// Ironic's back, as an operator in the BMC's own interface would; Ironic reads them at
// its next power sync.
func (b *BMC) SetBootMode(id, mode string, secureBoot bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.systems[id]; s != nil {
		s.boot["BootSourceOverrideMode"], s.fw.secureBoot = mode, secureBoot
		s.note("BMC: boot mode %s, secure boot %v", mode, secureBoot)
	}
}

// Boots lists every power-on of the system, oldest first.
func (b *BMC) Boots(id string) []Boot {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.systems[id]; s != nil {
		return slices.Clone(s.fw.boots)
	}
	return nil
}
