//go:build linux

package ironictest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// continueInspectionVersion is the API version of Ironic's own inspection endpoint,
// /v1/continue_inspection (Ironic 24.0, API 1.84), which the agent inspect interface
// waits on.
const continueInspectionVersion = "1.84"

// inspect is IPA's inspection collector for Ironic's agent inspect interface: the
// ramdisk posts the machine's inventory to /v1/continue_inspection (no lookup, no
// token: Ironic finds the node by the MACs and accepts it only in "inspect wait"), and
// is done; Ironic runs its inspection hooks, stores the inventory and powers the
// machine off.
func (m *machine) inspect(ctx context.Context, macs []string) {
	inv := MachineInventory(macs...)
	body, err := json.Marshal(map[string]any{"inventory": inv})
	if err != nil {
		m.powerOff("inspection: " + err.Error())
		return
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		err = m.postInventory(ctx, body)
		if err == nil {
			m.mu.Lock()
			m.inventory = inv
			m.mu.Unlock()
			m.note("inspection: inventory posted to /v1/continue_inspection")
			// Ironic left "inspect wait" before it answered: the ramdisk's work is done.
			m.powerOff("inspection done")
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			m.powerOff("inspection: " + err.Error())
			return
		}
		m.note("inspection: %v (trying again)", err)
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (m *machine) postInventory(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.agent.api+"/v1/continue_inspection", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-OpenStack-Ironic-API-Version", continueInspectionVersion)
	resp, err := m.agent.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, faultString(b))
	}
	return nil
}

// finalizeRescue is IPA's rescue.finalize_rescue: it keeps the password it was sent
// (a crypt hash with hashed = true) for the rescue user, answers, and then the agent
// exits: the machine stays up in its rescue system, with no agent heartbeating, until
// Ironic powers it off to unrescue it.
func (m *machine) finalizeRescue(params map[string]any) (map[string]any, error) {
	password, _ := params["rescue_password"].(string)
	hashed, _ := params["hashed"].(bool)
	if password == "" {
		return nil, newAgentError("InvalidCommandParamsError", "Invalid command parameters",
			"rescue_password is required")
	}
	if m.faultIs(AgentRescueFails) {
		return nil, newAgentError("CommandExecutionError", "Error executing command",
			"Failed to save the rescue password: chpasswd refused it (fault injected by the test agent)")
	}
	m.mu.Lock()
	m.rescuePassword, m.rescueHashed = password, hashed
	m.mu.Unlock()
	m.note("rescue.finalize_rescue: password received (hashed %t)", hashed)
	go func() {
		time.Sleep(50 * time.Millisecond)
		m.powerOff("rescue finalized: the agent exits, the machine stays up in its rescue system")
	}()
	return nil, nil
}

// MachineInventory is the hardware inventory the harness's machines report, as
// ironic-python-agent collects it: the agent posts it when it inspects a node (Ironic's
// agent inspect interface), and a test can seed it where Ironic cannot inspect in-band
// (SeedInventory). One NIC per MAC (eth0, eth1, ...), the first one booted the network;
// one disk, /dev/sda, of DiskSize bytes.
func MachineInventory(macs ...string) map[string]any {
	ifaces := make([]any, 0, len(macs))
	for i, mac := range macs {
		ifaces = append(ifaces, map[string]any{"name": fmt.Sprintf("eth%d", i), "mac_address": mac,
			"ipv4_address": fmt.Sprintf("192.0.2.%d", 10+i), "has_carrier": true, "speed_mbps": 10000})
	}
	boot := map[string]any{"current_boot_mode": "uefi"}
	if len(macs) > 0 {
		boot["pxe_interface"] = macs[0]
	}
	return map[string]any{
		"cpu":    map[string]any{"architecture": "x86_64", "count": 4, "model_name": "Harness vCPU", "flags": []any{"vmx", "aes"}},
		"memory": map[string]any{"physical_mb": 8192, "total": 8 << 30},
		"disks": []any{map[string]any{"name": "/dev/sda", "size": DiskSize, "rotational": false, "model": "Harness disk",
			"serial": "HD0001", "vendor": "Metalform"}},
		"interfaces":    ifaces,
		"boot":          boot,
		"system_vendor": map[string]any{"manufacturer": "Metalform test rack", "product_name": "Agent stand-in", "serial_number": "SN-0001"},
		"bmc_address":   "",
	}
}
