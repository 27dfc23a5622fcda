package ironic

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

var raidLayout = map[string]any{"logical_disks": []any{map[string]any{"size_gb": "MAX", "raid_level": "1", "is_root_volume": true}}}

func TestHardwareChangeSteps(t *testing.T) {
	c := HardwareChange{BIOS: map[string]string{"b": "2", "a": "1"}, RAID: raidLayout}
	clean, service := c.CleanSteps(), c.ServiceSteps()
	if got := StepNames(clean); got != "bios.apply_configuration, raid.delete_configuration, raid.create_configuration" {
		t.Errorf("clean steps %s", got)
	}
	if got := StepNames(service); got != "bios.apply_configuration, raid.apply_configuration" {
		t.Errorf("service steps %s", got)
	}
	settings, _ := json.Marshal(clean[0].Args["settings"])
	if string(settings) != `[{"name":"a","value":"1"},{"name":"b","value":"2"}]` {
		t.Errorf("settings %s, want sorted by name", settings)
	}
	if service[1].Args["delete_existing"] != true || service[1].Args["raid_config"] == nil {
		t.Errorf("raid service step args %v", service[1].Args)
	}
	// The redfish RAID interface: its delete_configuration first (its apply_configuration
	// ignores delete_existing), and every volume built, not only the root one.
	c.RAIDInterface = "redfish"
	if got := StepNames(c.ServiceSteps()); got != "bios.apply_configuration, raid.delete_configuration, raid.apply_configuration" {
		t.Errorf("redfish service steps %s", got)
	}
	if args, _ := json.Marshal(c.ServiceSteps()[2].Args); string(args) !=
		`{"create_nonroot_volumes":true,"create_root_volume":true,"raid_config":{"logical_disks":[{"is_root_volume":true,"raid_level":"1","size_gb":"MAX"}]}}` {
		t.Errorf("redfish apply_configuration args %s", args)
	}
	if got := StepNames(c.CleanSteps()); got != "bios.apply_configuration, raid.delete_configuration, raid.create_configuration" {
		t.Errorf("redfish clean steps %s", got)
	}
	if !(HardwareChange{}).Empty() || c.Empty() || (HardwareChange{BIOS: map[string]string{"a": "1"}}).CleanSteps()[0].Step != "apply_configuration" {
		t.Error("Empty")
	}
}

var servicing = map[string][]fakeStep{
	"active/service": {{"servicing", "active", ""}, {"service wait", "active", ""}, {"servicing", "active", ""}, {"active", "", ""}},
}

// A deployed node is serviced: one service request carrying the steps, and it ends
// active again; no rebuild, no undeploy.
func TestApplyHardwareServicesAnActiveNode(t *testing.T) {
	f := &fakeStateMachine{state: "active", script: servicing}
	p, _ := newFakeClient(t, f)
	node, err := p.ApplyHardware(context.Background(), &nodes.Node{UUID: "n1", ProvisionState: "active"},
		HardwareChange{BIOS: map[string]string{"LogicalProc": "Disabled"}}, nil, true)
	if err != nil || node.ProvisionState != "active" {
		t.Fatalf("got %v %v", node, err)
	}
	if strings.Join(f.actions, " ") != "service" ||
		!strings.Contains(f.bodies[0], `"service_steps":[{"args":{"settings":[{"name":"LogicalProc","value":"Disabled"}]},"interface":"bios","step":"apply_configuration"}]`) {
		t.Fatalf("requests %v %v", f.actions, f.bodies)
	}
}

// A service failed is reported with Ironic's last_error and aborted back to active.
func TestApplyHardwareServiceFailedAbortsToActive(t *testing.T) {
	f := &fakeStateMachine{state: "active", script: map[string][]fakeStep{
		"active/service":       {{"servicing", "active", ""}, {"service failed", "active", "service step bios.apply_configuration is not supported"}},
		"service failed/abort": {{"active", "", ""}},
	}}
	p, _ := newFakeClient(t, f)
	node, err := p.ApplyHardware(context.Background(), &nodes.Node{UUID: "n1", ProvisionState: "active"},
		HardwareChange{BIOS: map[string]string{"LogicalProc": "Disabled"}}, nil, true)
	var herr *HardwareError
	if !errors.As(err, &herr) || !herr.Serviced || herr.State != "active" || !strings.Contains(err.Error(), "is not supported") {
		t.Fatalf("got %v", err)
	}
	if node.ProvisionState != "active" || strings.Join(f.actions, " ") != "service abort" {
		t.Fatalf("ended %q after %v", node.ProvisionState, f.actions)
	}
}

// A node resting in available is cleaned and brought back; a failed RAID build puts the
// previous target back.
func TestApplyHardwareCleansARestingNode(t *testing.T) {
	f := &fakeStateMachine{state: "available", script: map[string][]fakeStep{
		"available/manage":   {{"manageable", "", ""}},
		"manageable/clean":   {{"cleaning", "manageable", ""}, {"clean wait", "manageable", ""}, {"manageable", "", ""}},
		"manageable/provide": {{"cleaning", "available", ""}, {"available", "", ""}},
	}}
	p, _ := newFakeClient(t, f)
	node, err := p.ApplyHardware(context.Background(), &nodes.Node{UUID: "n1", ProvisionState: "available"},
		HardwareChange{BIOS: map[string]string{"a": "1"}}, nil, true)
	if err != nil || node.ProvisionState != "available" || strings.Join(f.actions, " ") != "manage clean provide" {
		t.Fatalf("got %v %v after %v", node, err, f.actions)
	}
	if !strings.Contains(f.bodies[1], `"clean_steps":[{"args":{"settings":[{"name":"a","value":"1"}]},"interface":"bios","step":"apply_configuration"}]`) {
		t.Fatalf("clean request %s", f.bodies[1])
	}
}

// A redfish node's RAID build by servicing takes the node's RAID interface when the
// change does not name one.
func TestApplyHardwareServiceStepsFollowTheRAIDInterface(t *testing.T) {
	f := &fakeStateMachine{state: "active", script: servicing}
	p, _ := newFakeClient(t, f)
	if _, err := p.ApplyHardware(context.Background(), &nodes.Node{UUID: "n1", ProvisionState: "active", RAIDInterface: "redfish"},
		HardwareChange{RAID: raidLayout}, nil, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.bodies[0], `"service_steps":[{"interface":"raid","step":"delete_configuration"},{"args":{"create_nonroot_volumes":true,`) {
		t.Fatalf("service request %s", f.bodies[0])
	}
}

// A clean step that fails puts the node in maintenance (fault "clean failure"): it is
// brought back to manageable, and the error says Ironic refuses to clean it again until
// maintenance is lifted, and how.
func TestApplyHardwareCleanFailedInMaintenance(t *testing.T) {
	f := &fakeStateMachine{state: "manageable", failFault: FaultCleanFailure, script: map[string][]fakeStep{
		"manageable/clean":    {{"cleaning", "manageable", ""}, {"clean failed", "", "Redfish exception occurred: the requested capacity exceeds"}},
		"clean failed/manage": {{"manageable", "", ""}},
	}}
	p, _ := newFakeClient(t, f)
	node, err := p.ApplyHardware(context.Background(), &nodes.Node{UUID: "n1", ProvisionState: "manageable", RAIDInterface: "redfish"},
		HardwareChange{RAID: raidLayout}, map[string]any{}, false)
	var held *CleanFailedMaintenanceError
	if !errors.As(err, &held) || !strings.Contains(err.Error(), "requested capacity exceeds") ||
		!strings.Contains(err.Error(), "baremetal node maintenance unset n1") || node.ProvisionState != "manageable" {
		t.Fatalf("got %v in %q", err, node.ProvisionState)
	}
	// Without maintenance (a step refused before it ran), nothing is said of it.
	f = &fakeStateMachine{state: "manageable", script: map[string][]fakeStep{
		"manageable/clean":    {{"cleaning", "manageable", ""}, {"clean failed", "", "step not supported"}},
		"clean failed/manage": {{"manageable", "", ""}},
	}}
	p, _ = newFakeClient(t, f)
	if _, err := p.ApplyHardware(context.Background(), &nodes.Node{UUID: "n1", ProvisionState: "manageable"},
		HardwareChange{RAID: raidLayout}, nil, false); err == nil || errors.As(err, &held) {
		t.Fatalf("got %v", err)
	}
}

// Neither cleaning nor servicing runs on a node in another state: nothing is asked of Ironic.
func TestApplyHardwareRefusesOtherStates(t *testing.T) {
	f := &fakeStateMachine{state: "deploy failed", script: servicing}
	p, _ := newFakeClient(t, f)
	_, err := p.ApplyHardware(context.Background(), &nodes.Node{UUID: "n1", ProvisionState: "deploy failed"},
		HardwareChange{BIOS: map[string]string{"a": "1"}}, nil, true)
	if err == nil || !strings.Contains(err.Error(), `"deploy failed"`) || len(f.actions) != 0 {
		t.Fatalf("got %v after %v", err, f.actions)
	}
}

// Servicing not allowed: an active node is refused before anything is asked of Ironic.
func TestApplyHardwareNeedsServicingAllowed(t *testing.T) {
	f := &fakeStateMachine{state: "active", script: servicing}
	p, _ := newFakeClient(t, f)
	_, err := p.ApplyHardware(context.Background(), &nodes.Node{UUID: "n1", ProvisionState: "active"},
		HardwareChange{BIOS: map[string]string{"a": "1"}}, nil, false)
	if err == nil || !errors.As(err, new(*ServicingNotAllowedError)) || len(f.actions) != 0 {
		t.Fatalf("got %v after %v", err, f.actions)
	}
}

// A runbook runs by itself after the steps: by servicing on an active node (one request
// naming the runbook, no steps), by cleaning on a resting one.
func TestApplyHardwareRunsARunbook(t *testing.T) {
	f := &fakeStateMachine{state: "active", script: servicing}
	p, _ := newFakeClient(t, f)
	node, err := p.ApplyHardware(context.Background(), &nodes.Node{UUID: "n1", ProvisionState: "active"},
		HardwareChange{Runbook: "CUSTOM_BURNIN"}, nil, true)
	if err != nil || node.ProvisionState != "active" || strings.Join(f.bodies, " ") != `{"runbook":"CUSTOM_BURNIN","target":"service"}` {
		t.Fatalf("got %v %v after %v", node, err, f.bodies)
	}
	f = &fakeStateMachine{state: "manageable", script: map[string][]fakeStep{
		"manageable/clean": {{"cleaning", "manageable", ""}, {"manageable", "", ""}},
	}}
	p, _ = newFakeClient(t, f)
	c := HardwareChange{BIOS: map[string]string{"a": "1"}, Runbook: "CUSTOM_WIPE"}
	if _, err := p.ApplyHardware(context.Background(), &nodes.Node{UUID: "n1", ProvisionState: "manageable"}, c, nil, false); err != nil {
		t.Fatal(err)
	}
	if len(f.bodies) != 2 || !strings.Contains(f.bodies[0], `"clean_steps"`) || f.bodies[1] != `{"runbook":"CUSTOM_WIPE","target":"clean"}` {
		t.Fatalf("requests %v", f.bodies)
	}
	if got := c.Describe(false); got != "bios.apply_configuration, then the steps of runbook CUSTOM_WIPE" {
		t.Errorf("Describe: %s", got)
	}
}

// Firmware is flashed first, by the firmware interface's update step, in cleaning and
// in servicing alike.
func TestHardwareChangeFirmwareFirst(t *testing.T) {
	c := HardwareChange{BIOS: map[string]string{"a": "1"}, Firmware: []map[string]any{{"component": "bmc", "url": "http://fw/bmc.bin"}}}
	if got := StepNames(c.CleanSteps()); got != "firmware.update, bios.apply_configuration" {
		t.Errorf("clean steps %s", got)
	}
	if got := c.Describe(true); got != "firmware.update, bios.apply_configuration" {
		t.Errorf("service steps %s", got)
	}
	if args, _ := json.Marshal(c.ServiceSteps()[0].Args); string(args) != `{"settings":[{"component":"bmc","url":"http://fw/bmc.bin"}]}` {
		t.Errorf("args %s", args)
	}
}

func TestFirmwareDrift(t *testing.T) {
	components := []nodes.FirmwareComponent{{Component: "bios", CurrentVersion: "2.2.0"}, {Component: "bmc", CurrentVersion: "1.1.0"}}
	if got := FirmwareDrift(map[string]string{"bios": "2.2.0", "bmc": "1.1.0"}, components); len(got) != 0 {
		t.Fatalf("matching versions: %v", got)
	}
	got := FirmwareDrift(map[string]string{"bmc": "1.2.0", "nic:1": "3.0", "bios": "2.2.0"}, components)
	want := []string{"bmc reports version 1.1.0, not 1.2.0", `the node lists no firmware component "nic:1" (wanted at 3.0)`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := FirmwareDrift(nil, components); got != nil {
		t.Fatalf("nothing wanted: %v", got)
	}
}
