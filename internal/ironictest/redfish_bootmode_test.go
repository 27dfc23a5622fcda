//go:build linux

package ironictest

import (
	"net/http"
	"slices"
	"testing"
)

// Boot mode and secure boot as sushy reads and sets them: the mode PATCHed under Boot
// (UEFI or Legacy, nothing else), secure boot PATCHed on SecureBoot and refused in
// legacy mode, each power-on recorded with its mode and whether it was secure.
func TestBMCBootMode(t *testing.T) {
	b, err := startBMC(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	sys := b.AddSystem("s1", "52:54:00:00:00:01")
	do := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		return bmcJSON(t, b, method, path, body)
	}
	_, system := do("GET", sys, nil)
	if link, _ := system["SecureBoot"].(map[string]any); link["@odata.id"] != sys+"/SecureBoot" {
		t.Fatalf("no SecureBoot link: %v", system["SecureBoot"])
	}
	if code, _ := do("PATCH", sys, map[string]any{"Boot": map[string]any{"BootSourceOverrideMode": "Bios"}}); code != http.StatusBadRequest {
		t.Fatalf("a mode Redfish does not have: HTTP %d", code)
	}
	if code, _ := do("PATCH", sys+"/SecureBoot", map[string]any{"SecureBootEnable": true}); code != http.StatusNoContent {
		t.Fatalf("secure boot on in UEFI mode: HTTP %d", code)
	}
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "On"})
	if _, sb := do("GET", sys+"/SecureBoot", nil); sb["SecureBootEnable"] != true || sb["SecureBootCurrentBoot"] != "Enabled" {
		t.Fatalf("secure boot: %v", sb)
	}
	if code, _ := do("PATCH", sys+"/SecureBoot", map[string]any{"SecureBootEnable": false}); code != http.StatusNoContent {
		t.Fatalf("secure boot off: HTTP %d", code)
	}
	if code, _ := do("PATCH", sys, map[string]any{"Boot": map[string]any{"BootSourceOverrideMode": "Legacy"}}); code != http.StatusNoContent {
		t.Fatalf("to legacy: HTTP %d", code)
	}
	if code, _ := do("PATCH", sys+"/SecureBoot", map[string]any{"SecureBootEnable": true}); code != http.StatusBadRequest {
		t.Fatalf("secure boot on in legacy mode: HTTP %d", code)
	}
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "ForceRestart"})
	if _, sb := do("GET", sys+"/SecureBoot", nil); sb["SecureBootCurrentBoot"] != "Disabled" {
		t.Fatalf("after a legacy boot: %v", sb)
	}
	if mode, secure := b.BootMode("s1"); mode != "Legacy" || secure {
		t.Fatalf("BootMode: %s %v", mode, secure)
	}
	b.SetBootMode("s1", "UEFI", true) // behind Ironic's back
	_, system = do("GET", sys, nil)
	if boot := system["Boot"].(map[string]any); boot["BootSourceOverrideMode"] != "UEFI" {
		t.Fatalf("the mode the BMC was switched to: %v", boot)
	}
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "ForceRestart"})
	want := []Boot{{"Hdd", "UEFI", true}, {"Hdd", "Legacy", false}, {"Hdd", "UEFI", true}}
	if got := b.Boots("s1"); !slices.Equal(got, want) {
		t.Fatalf("boots %+v, want %+v", got, want)
	}
}
