//go:build linux

package ironictest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The BMC as sushy sees it: credentials required, pending BIOS settings applied at the
// next power-on and not before, refused values refused, a one-time network boot that
// boots the network once, and a power-off reported for the machine's NICs.
func TestBMC(t *testing.T) {
	var mu sync.Mutex
	var off [][]string
	b, err := startBMC(func(macs []string) { mu.Lock(); off = append(off, macs); mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	sys := b.AddSystem("s1", "52:54:00:00:00:01")
	do := func(method, path string, body any, auth bool) int {
		t.Helper()
		var buf bytes.Buffer
		if body != nil {
			_ = json.NewEncoder(&buf).Encode(body)
		}
		req, _ := http.NewRequest(method, b.URL+path, &buf)
		if auth {
			req.SetBasicAuth(b.Username, b.Password)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := do("GET", sys, nil, false); got != http.StatusUnauthorized {
		t.Fatalf("without credentials: HTTP %d", got)
	}
	if got := do("PATCH", sys+"/Bios/Settings", map[string]any{"Attributes": map[string]any{"WorkloadProfile": "Turbo"}}, true); got != http.StatusBadRequest {
		t.Fatalf("a refused value: HTTP %d", got)
	}
	if got := do("PATCH", sys+"/Bios/Settings", map[string]any{"Attributes": map[string]any{"LogicalProc": "Disabled"}}, true); got != http.StatusNoContent {
		t.Fatalf("a BIOS setting: HTTP %d", got)
	}
	if b.BIOS("s1")["LogicalProc"] != "Enabled" {
		t.Fatal("a pending setting took effect before a reset")
	}
	do("PATCH", sys, map[string]any{"Boot": map[string]any{"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Once"}}, true)
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "On"}, true)
	if b.BIOS("s1")["LogicalProc"] != "Disabled" {
		t.Fatal("the pending setting was not applied at power-on")
	}
	if b.BootsFromDisk([]string{"52:54:00:00:00:01"}) {
		t.Fatal("a one-time network boot booted the disk")
	}
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "ForceRestart"}, true)
	if !b.BootsFromDisk([]string{"52:54:00:00:00:01"}) {
		t.Fatal("the one-time network boot was used twice")
	}
	// PowerCycle: off and on again, a machine that is off stays off; Nmi changes nothing.
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "PowerCycle"}, true)
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "Nmi"}, true)
	if b.PowerState("s1") != "On" {
		t.Fatalf("after a power cycle the machine is %s", b.PowerState("s1"))
	}
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "GracefulShutdown"}, true)
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "PowerCycle"}, true)
	if b.PowerState("s1") != "Off" {
		t.Fatal("a power cycle powered on a machine that was off")
	}
	if got, want := b.Resets("s1"), []string{"On", "ForceRestart", "PowerCycle", "Nmi", "GracefulShutdown", "PowerCycle"}; !slices.Equal(got, want) {
		t.Fatalf("resets %v, want %v", got, want)
	}
	do("PATCH", sys, map[string]any{"Boot": map[string]any{"BootSourceOverrideTarget": "Cd", "BootSourceOverrideEnabled": "Continuous", "BootSourceOverrideMode": "Legacy"}}, true)
	if got, want := b.BootOverrides("s1"), []BootOverride{{"Pxe", "Once", "UEFI"}, {"Cd", "Continuous", "Legacy"}}; !slices.Equal(got, want) {
		t.Fatalf("boot overrides %+v, want %+v", got, want)
	}
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "On"}, true)
	b.IgnoreGraceful("s1", true)
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "GracefulShutdown"}, true)
	if b.PowerState("s1") != "On" {
		t.Fatal("an ignored GracefulShutdown powered the machine off")
	}
	b.IgnoreGraceful("s1", false)
	if b.Resets("nosuch") != nil || b.BootOverrides("nosuch") != nil || b.PowerState("nosuch") != "" {
		t.Fatal("records of a system the BMC does not have")
	}

	// The power-offs are reported asynchronously (the agent takes its own lock).
	for i := 0; i < 100; i++ {
		mu.Lock()
		n := len(off)
		mu.Unlock()
		if n >= 3 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(off) != 3 || !slices.Equal(off[0], []string{"52:54:00:00:00:01"}) {
		t.Fatalf("power-offs reported: %v", off)
	}
	if r := strings.Join(b.Requests("s1"), "\n"); !strings.Contains(r, `PATCH Bios/Settings {"LogicalProc":"Disabled"}`) || !strings.Contains(r, "Reset ForceRestart") {
		t.Fatalf("requests: %s", r)
	}
}

// bmcCall sends one request to the BMC with its credentials: the status, body and headers.
func bmcCall(t *testing.T, b *BMC, method, path string, body any) (int, []byte, http.Header) {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		_ = json.NewEncoder(&buf).Encode(body)
	}
	req, _ := http.NewRequest(method, b.URL+path, &buf)
	req.SetBasicAuth(b.Username, b.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out, resp.Header
}

// bmcJSON is bmcCall with the body decoded as a JSON object.
func bmcJSON(t *testing.T, b *BMC, method, path string, body any) (int, map[string]any) {
	t.Helper()
	code, raw, _ := bmcCall(t, b, method, path, body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return code, out
}
