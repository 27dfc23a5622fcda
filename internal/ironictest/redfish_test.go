//go:build linux

package ironictest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
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
	mu.Lock()
	defer mu.Unlock()
	if len(off) != 1 || !slices.Equal(off[0], []string{"52:54:00:00:00:01"}) {
		t.Fatalf("power-offs reported: %v", off)
	}
	if r := strings.Join(b.Requests("s1"), "\n"); !strings.Contains(r, `PATCH Bios/Settings {"LogicalProc":"Disabled"}`) || !strings.Contains(r, "Reset ForceRestart") {
		t.Fatalf("requests: %s", r)
	}
}
