//go:build linux

package ironictest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// opsHarness is one Ironic with the agent and the BMC, an image to deploy, and the
// calls the operations tests share.
type opsHarness struct {
	t   *testing.T
	ctx context.Context
	s   *Server
	p   *ironic.Client
	img []byte
	url string // the image's URL
	sha string
}

// The operations Terraform's actions drive, on the harness's machines, through
// Ironic's own API: power and boot device on a Redfish machine (the BMC records each
// reset and override), rescue and unrescue through the agent's rescue protocol, a
// rebuild through direct, a manual clean and a servicing whose steps the agent runs,
// and an inspection through the agent where Ironic has the agent inspect interface.
func TestStartOperations(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("starts a real Ironic; set TF_ACC=1 (the README's test command does)")
	}
	ctx := context.Background()
	opts, err := TestOptions()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Remove()
	p, err := ironic.Connect(ctx, ironic.Config{Endpoint: s.Endpoint})
	if err != nil {
		t.Fatal(err)
	}
	img := bytes.Repeat([]byte("an image to rescue and rebuild "), 4000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", "Mon, 02 Nov 2026 10:00:00 GMT")
		http.ServeContent(w, r, "os.img", time.Time{}, bytes.NewReader(img))
	}))
	defer srv.Close()
	sum := sha256.Sum256(img)
	h := &opsHarness{ctx: ctx, s: s, p: p, img: img, url: srv.URL + "/os.img", sha: hex.EncodeToString(sum[:])}
	for _, tc := range []struct {
		name string
		run  func(h *opsHarness)
	}{
		{"Power", testPower},
		{"Rescue", testRescueAndRebuild},
		{"RescueRedfish", testRescueRedfish},
		{"RescueFails", testRescueFails},
		{"Clean", testManualClean},
		{"CleanRedfishBIOS", testCleanRedfishBIOS},
		{"Service", testService},
		{"Inspect", testInspect},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := *h
			h.t = t
			tc.run(&h)
		})
	}
}

// agentNode enrolls a node deployed through direct and booted by PXE (fake power),
// with a port of this MAC, and brings it to the state; more are further create options.
func (h *opsHarness) agentNode(name, mac, state string, more func(*nodes.CreateOpts)) *nodes.Node {
	h.t.Helper()
	opts := nodes.CreateOpts{Name: name, Driver: "manual-management", BootInterface: "pxe", DeployInterface: "direct",
		DriverInfo: map[string]any{"deploy_kernel": h.s.DeployKernel, "deploy_ramdisk": h.s.DeployRamdisk}}
	if more != nil {
		more(&opts)
	}
	return h.enroll(opts, mac, state)
}

func (h *opsHarness) enroll(opts nodes.CreateOpts, mac, state string) *nodes.Node {
	h.t.Helper()
	n, err := nodes.Create(h.ctx, h.p.SC, opts).Extract()
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := ports.Create(h.ctx, h.p.SC, ports.CreateOpts{NodeUUID: n.UUID, Address: mac}).Extract(); err != nil {
		h.t.Fatal(err)
	}
	reach := state
	if state == "active" {
		reach = ironic.StateAvailable
	}
	if n, err = h.p.Reach(h.ctx, n.UUID, ironic.Goal{State: reach}); err != nil {
		h.t.Fatalf("%s to %s: %v", opts.Name, reach, err)
	}
	if state != "active" {
		return n
	}
	if _, err := nodes.Update(h.ctx, h.p.SC, n.UUID, nodes.UpdateOpts{nodes.UpdateOperation{Op: nodes.AddOp, Path: "/instance_info",
		Value: map[string]any{"image_source": h.url, "image_os_hash_algo": "sha256", "image_os_hash_value": h.sha}}}).Extract(); err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(h.ctx, 2*time.Minute)
	defer cancel()
	if n, err = h.p.Reach(ctx, n.UUID, ironic.Goal{State: ironic.StateActive}); err != nil {
		h.t.Fatalf("deploying %s: %v; agent log:\n%s", opts.Name, err, strings.Join(h.s.Agent.Log(n.UUID), "\n"))
	}
	h.onDisk(n.UUID)
	return n
}

// provision asks for a provision state change and waits for the stable state want.
func (h *opsHarness) provision(uuid string, opts nodes.ProvisionStateOpts, want string) *nodes.Node {
	h.t.Helper()
	if err := nodes.ChangeProvisionState(h.ctx, h.p.SC, uuid, opts).ExtractErr(); err != nil {
		h.t.Fatalf("%s: %v", opts.Target, err)
	}
	return h.waitFor(uuid, fmt.Sprint(opts.Target), func(n *nodes.Node) bool {
		return n.ProvisionState == want && n.TargetProvisionState == ""
	})
}

// waitFor polls the node until done, failing on a failed state or after two minutes.
func (h *opsHarness) waitFor(uuid, what string, done func(*nodes.Node) bool) *nodes.Node {
	h.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, err := nodes.Get(h.ctx, h.p.SC, uuid).Extract()
		switch {
		case err != nil:
		case done(n):
			return n
		case strings.HasSuffix(n.ProvisionState, "failed") || n.ProvisionState == "error" || time.Now().After(deadline):
			h.t.Fatalf("%s: node in %q (power %q), last_error %q; agent log:\n%s", what, n.ProvisionState, n.PowerState,
				n.LastError, strings.Join(h.s.Agent.Log(uuid), "\n"))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (h *opsHarness) onDisk(uuid string) {
	h.t.Helper()
	disk, err := h.s.Agent.Disk(uuid, len(h.img))
	if err != nil {
		h.t.Fatal(err)
	}
	if !bytes.Equal(disk, h.img) {
		h.t.Fatalf("the disk does not hold the image (it starts %q); agent log:\n%s", disk[:40], strings.Join(h.s.Agent.Log(uuid), "\n"))
	}
}

// scribble overwrites the start of the node's disk, as a user in the rescue system or
// a broken instance would.
func (h *opsHarness) scribble(uuid string) {
	h.t.Helper()
	f, err := os.OpenFile(h.s.Agent.DiskPath(uuid), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte("scribbled over by the test"), 0); err != nil {
		h.t.Fatal(err)
	}
}

// redfishNode enrolls a node of the redfish hardware type whose BMC is a new system of
// the harness's BMC (named after the node), deployed through direct and booted by PXE.
func (h *opsHarness) redfishNode(name, mac, state string, more func(*nodes.CreateOpts)) *nodes.Node {
	h.t.Helper()
	bmc := h.s.BMC
	system := bmc.AddSystem(name, mac)
	opts := nodes.CreateOpts{Name: name, Driver: "redfish", BootInterface: "pxe", DeployInterface: "direct",
		DriverInfo: map[string]any{"deploy_kernel": h.s.DeployKernel, "deploy_ramdisk": h.s.DeployRamdisk,
			"redfish_address": bmc.URL, "redfish_system_id": system, "redfish_username": bmc.Username,
			"redfish_password": bmc.Password, "redfish_auth_type": "basic"}}
	if more != nil {
		more(&opts)
	}
	return h.enroll(opts, mac, state)
}

// Power and boot device on a Redfish machine: every Ironic power target reaches the BMC
// as its reset type, every boot device as its override.
func testPower(h *opsHarness) {
	t := h.t
	bmc := h.s.BMC
	n := h.redfishNode("ops-power", "52:54:00:ab:00:01", ironic.StateManageable, nil)
	before := len(bmc.Resets("ops-power"))
	for _, step := range []struct {
		target nodes.TargetPowerState
		want   string // the power state it ends in
	}{
		{nodes.PowerOn, "power on"},
		{nodes.Rebooting, "power on"},
		{nodes.SoftRebooting, "power on"},
		{nodes.SoftPowerOff, "power off"},
		{nodes.PowerOn, "power on"},
		{nodes.PowerOff, "power off"},
	} {
		start := time.Now()
		opts := nodes.PowerStateOpts{Target: step.target}
		if strings.HasPrefix(string(step.target), "soft") {
			opts.Timeout = 30
		}
		if err := nodes.ChangePowerState(h.ctx, h.p.SC, n.UUID, opts).ExtractErr(); err != nil {
			t.Fatalf("%s: %v", step.target, err)
		}
		h.waitFor(n.UUID, string(step.target), func(n *nodes.Node) bool {
			return n.PowerState == step.want && n.TargetPowerState == ""
		})
		t.Logf("%s: %s", step.target, time.Since(start).Round(time.Millisecond))
	}
	// Ironic's redfish power interface reboots a machine that is on with ForceOff then On
	// (restoring the boot device between them), not with ForceRestart.
	want := []string{"On", "ForceOff", "On", "GracefulRestart", "GracefulShutdown", "On", "ForceOff"}
	if got := bmc.Resets("ops-power")[before:]; !slices.Equal(got, want) {
		t.Fatalf("the BMC received resets %v, want %v", got, want)
	}
	if got := bmc.PowerState("ops-power"); got != "Off" {
		t.Fatalf("the machine is %q", got)
	}

	// An operating system that ignores the ACPI request: the soft power off times out,
	// the machine stays on, Ironic says why.
	if err := nodes.ChangePowerState(h.ctx, h.p.SC, n.UUID, nodes.PowerStateOpts{Target: nodes.PowerOn}).ExtractErr(); err != nil {
		t.Fatal(err)
	}
	h.waitFor(n.UUID, "power on", func(n *nodes.Node) bool { return n.PowerState == "power on" && n.TargetPowerState == "" })
	bmc.IgnoreGraceful("ops-power", true)
	if err := nodes.ChangePowerState(h.ctx, h.p.SC, n.UUID, nodes.PowerStateOpts{Target: nodes.SoftPowerOff, Timeout: 3}).ExtractErr(); err != nil {
		t.Fatal(err)
	}
	got := h.waitFor(n.UUID, "soft power off ignored", func(n *nodes.Node) bool { return n.TargetPowerState == "" && n.LastError != "" })
	if got.PowerState != "power on" || bmc.PowerState("ops-power") != "On" {
		t.Fatalf("an ignored soft power off left the node %q, the machine %s", got.PowerState, bmc.PowerState("ops-power"))
	}
	t.Logf("ignored soft power off: %s", got.LastError)
	bmc.IgnoreGraceful("ops-power", false)

	for _, bd := range []struct {
		opts nodes.BootDeviceOpts
		want BootOverride
	}{
		{nodes.BootDeviceOpts{BootDevice: "pxe"}, BootOverride{Target: "Pxe", Enabled: "Once", Mode: "UEFI"}},
		{nodes.BootDeviceOpts{BootDevice: "disk", Persistent: true}, BootOverride{Target: "Hdd", Enabled: "Continuous", Mode: "UEFI"}},
		{nodes.BootDeviceOpts{BootDevice: "cdrom"}, BootOverride{Target: "Cd", Enabled: "Once", Mode: "UEFI"}},
		{nodes.BootDeviceOpts{BootDevice: "bios", Persistent: true}, BootOverride{Target: "BiosSetup", Enabled: "Continuous", Mode: "UEFI"}},
	} {
		if err := nodes.SetBootDevice(h.ctx, h.p.SC, n.UUID, bd.opts).ExtractErr(); err != nil {
			t.Fatalf("boot device %+v: %v", bd.opts, err)
		}
		got := bmc.BootOverrides("ops-power")
		if len(got) == 0 || got[len(got)-1] != bd.want {
			t.Fatalf("boot device %+v: the BMC's overrides are %+v, want %+v last", bd.opts, got, bd.want)
		}
	}
}

// Rescue through the agent: Ironic boots the agent, which takes the (hashed) rescue
// password and exits; unrescue boots the instance again, its disk untouched. Then a
// rebuild of the active node writes the image again over a damaged disk, no cleaning.
func testRescueAndRebuild(h *opsHarness) {
	t := h.t
	n := h.agentNode("ops-rescue", "52:54:00:ab:00:02", "active", func(o *nodes.CreateOpts) { o.RescueInterface = "agent" })
	const password = "a rescue password"
	h.provision(n.UUID, nodes.ProvisionStateOpts{Target: nodes.TargetRescue, RescuePassword: password}, "rescue")
	got, hashed := h.s.Agent.RescuePassword(n.UUID)
	if !hashed || !strings.HasPrefix(got, "$") {
		t.Fatalf("the agent got rescue password %q (hashed %t), want a crypt hash", got, hashed)
	}
	// The host's Python (3.11) still has crypt(3).
	out, err := exec.Command("python3", "-W", "ignore", "-c", "import crypt, sys; print(crypt.crypt(sys.argv[1], sys.argv[2]) == sys.argv[2])",
		password, got).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "True" {
		t.Fatalf("the hash %q the agent got is not of the rescue password: %v %s", got, err, out)
	}
	if log := strings.Join(h.s.Agent.Log(n.UUID), "\n"); !strings.Contains(log, "rescue finalized") {
		t.Fatalf("agent log:\n%s", log)
	}
	h.provision(n.UUID, nodes.ProvisionStateOpts{Target: nodes.TargetUnrescue}, "active")
	h.onDisk(n.UUID)

	h.scribble(n.UUID)
	writes := func() int {
		return len(slices.DeleteFunc(h.s.Agent.Steps(n.UUID), func(s string) bool { return s != "deploy.write_image" }))
	}
	before := writes()
	// A rebuild with a new config drive (structured, API 1.56: Ironic builds the ISO).
	const userData = "#cloud-config\nhostname: rebuilt-by-the-test\n"
	r := h.provision(n.UUID, nodes.ProvisionStateOpts{Target: nodes.TargetRebuild, ConfigDrive: nodes.ConfigDrive{UserData: userData}}, "active")
	if r.UUID != n.UUID {
		t.Fatalf("rebuilt node %s, want %s", r.UUID, n.UUID)
	}
	h.onDisk(n.UUID)
	if iso, err := os.ReadFile(h.s.Agent.ConfigDrivePath(n.UUID)); err != nil || !bytes.Contains(iso, []byte("rebuilt-by-the-test")) {
		t.Fatalf("the config drive the agent wrote at the rebuild (%d bytes, %v) lacks the user data", len(iso), err)
	}
	if writes() != before+1 {
		t.Fatalf("steps the agent ran: %v", h.s.Agent.Steps(n.UUID))
	}
	for _, s := range h.s.Agent.Steps(n.UUID) {
		if strings.HasPrefix(s, "clean.") {
			t.Fatalf("the rebuild cleaned: %v", h.s.Agent.Steps(n.UUID))
		}
	}
}

// Rescue on a Redfish machine: the BMC boots the network for the rescue ramdisk (the
// agent), and the disk again at unrescue.
func testRescueRedfish(h *opsHarness) {
	t := h.t
	const mac = "52:54:00:ab:00:06"
	n := h.redfishNode("ops-rescue-rf", mac, "active", func(o *nodes.CreateOpts) { o.RescueInterface = "agent" })
	bmc := h.s.BMC
	if !bmc.BootsFromDisk([]string{mac}) {
		t.Fatal("the deployed machine did not boot its disk")
	}
	resets, overrides := len(bmc.Resets(n.Name)), len(bmc.BootOverrides(n.Name))
	h.provision(n.UUID, nodes.ProvisionStateOpts{Target: nodes.TargetRescue, RescuePassword: "rescue me"}, "rescue")
	if got, hashed := h.s.Agent.RescuePassword(n.UUID); got == "" || !hashed {
		t.Fatalf("the agent got rescue password %q (hashed %t)", got, hashed)
	}
	if got := bmc.BootOverrides(n.Name)[overrides:]; !slices.ContainsFunc(got, func(o BootOverride) bool { return o.Target == "Pxe" }) {
		t.Fatalf("the BMC was not told to boot the network for the rescue ramdisk: %+v", got)
	}
	if bmc.BootsFromDisk([]string{mac}) || bmc.PowerState(n.Name) != "On" {
		t.Fatal("the machine in rescue does not run the ramdisk it booted from the network")
	}
	h.provision(n.UUID, nodes.ProvisionStateOpts{Target: nodes.TargetUnrescue}, "active")
	if !bmc.BootsFromDisk([]string{mac}) || bmc.PowerState(n.Name) != "On" {
		t.Fatalf("after unrescue the machine is %s, booted from the network", bmc.PowerState(n.Name))
	}
	if got := bmc.Resets(n.Name)[resets:]; len(got) < 4 {
		t.Fatalf("resets for rescue and unrescue: %v", got)
	}
	t.Logf("resets %v, boot overrides %+v", bmc.Resets(n.Name)[resets:], bmc.BootOverrides(n.Name)[overrides:])
	h.onDisk(n.UUID)
}

// A rescue ramdisk that cannot set the password: "rescue failed" with the agent's
// error; unrescue brings the instance back.
func testRescueFails(h *opsHarness) {
	t := h.t
	const mac = "52:54:00:ab:00:08"
	n := h.agentNode("ops-rescue-fails", mac, "active", func(o *nodes.CreateOpts) { o.RescueInterface = "agent" })
	h.s.Agent.SetFault(mac, AgentRescueFails)
	if err := nodes.ChangeProvisionState(h.ctx, h.p.SC, n.UUID, nodes.ProvisionStateOpts{Target: nodes.TargetRescue, RescuePassword: "x"}).ExtractErr(); err != nil {
		t.Fatal(err)
	}
	got := h.waitFor(n.UUID, "rescue", func(n *nodes.Node) bool { return n.ProvisionState == "rescue failed" })
	if !strings.Contains(got.LastError, "chpasswd refused it") {
		t.Fatalf("last_error %q", got.LastError)
	}
	h.s.Agent.SetFault(mac, AgentHealthy)
	h.provision(n.UUID, nodes.ProvisionStateOpts{Target: nodes.TargetUnrescue}, "active")
	h.onDisk(n.UUID)
}

// A manual clean of a node at rest runs the agent's erase_devices_metadata.
func testManualClean(h *opsHarness) {
	t := h.t
	n := h.agentNode("ops-clean", "52:54:00:ab:00:03", ironic.StateManageable, nil)
	h.scribble(n.UUID)
	h.provision(n.UUID, nodes.ProvisionStateOpts{Target: nodes.TargetClean,
		CleanSteps: []nodes.CleanStep{{Interface: nodes.InterfaceDeploy, Step: "erase_devices_metadata"}}}, "manageable")
	if got := h.s.Agent.Steps(n.UUID); !slices.Equal(got, []string{"clean.erase_devices_metadata"}) {
		t.Fatalf("steps the agent ran: %v", got)
	}
	disk, err := h.s.Agent.Disk(n.UUID, metadataBytes)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(disk, make([]byte, metadataBytes)) {
		t.Fatalf("the disk's metadata was not erased: it starts %q", disk[:40])
	}
}

// A manual clean with a step the BMC runs: bios.apply_configuration on a Redfish
// machine, its setting applied at the power-on that follows.
func testCleanRedfishBIOS(h *opsHarness) {
	t := h.t
	n := h.redfishNode("ops-clean-bios", "52:54:00:ab:00:09", ironic.StateManageable, func(o *nodes.CreateOpts) { o.BIOSInterface = "redfish" })
	h.provision(n.UUID, nodes.ProvisionStateOpts{Target: nodes.TargetClean, CleanSteps: []nodes.CleanStep{{
		Interface: nodes.InterfaceBIOS, Step: "apply_configuration",
		Args: map[string]any{"settings": []map[string]any{{"name": "LogicalProc", "value": "Disabled"}}},
	}}}, "manageable")
	if got := h.s.BMC.BIOS(n.Name)["LogicalProc"]; got != "Disabled" {
		t.Fatalf("LogicalProc is %q after the clean; BMC requests: %v", got, h.s.BMC.Requests(n.Name))
	}
	if r := strings.Join(h.s.BMC.Requests(n.Name), "\n"); !strings.Contains(r, `PATCH Bios/Settings {"LogicalProc":"Disabled"}`) {
		t.Fatalf("BMC requests: %s", r)
	}
}

// Servicing (Ironic 23.0 and later) of a deployed node runs the agent's burnin_cpu;
// the node stays deployed, its disk untouched.
func testService(h *opsHarness) {
	t := h.t
	if compareVersions(h.s.MaxVersion, "1.87") < 0 {
		t.Skipf("Ironic with API %s has no servicing (API 1.87, Ironic 23.0)", h.s.MaxVersion)
	}
	n := h.agentNode("ops-service", "52:54:00:ab:00:04", "active", func(o *nodes.CreateOpts) {
		o.DriverInfo["agent_burnin_cpu_timeout"] = "1"
	})
	h.provision(n.UUID, nodes.ProvisionStateOpts{Target: nodes.TargetService,
		ServiceSteps: []nodes.ServiceStep{{Interface: nodes.InterfaceDeploy, Step: "burnin_cpu"}}}, "active")
	if got := h.s.Agent.Steps(n.UUID); !slices.Contains(got, "service.burnin_cpu") {
		t.Fatalf("steps the agent ran: %v", got)
	}
	h.onDisk(n.UUID)
}

// Inspection: through the agent where Ironic has the agent inspect interface (its
// inventory then readable at /v1/nodes/{id}/inventory); else fake-hardware's fake.
func testInspect(h *opsHarness) {
	if !h.s.AgentInspect {
		n := h.enroll(nodes.CreateOpts{Name: "ops-inspect", Driver: "fake-hardware", InspectInterface: "fake"},
			"52:54:00:ab:00:05", ironic.StateManageable)
		h.provision(n.UUID, nodes.ProvisionStateOpts{Target: nodes.TargetInspect}, "manageable")
		return
	}
	agentInspect := func(o *nodes.CreateOpts) { o.InspectInterface = "agent" }
	h.inspectThroughAgent(h.agentNode("ops-inspect", "52:54:00:ab:00:05", ironic.StateManageable, agentInspect), "52:54:00:ab:00:05")
	// On a Redfish machine the BMC boots the network for the agent.
	h.inspectThroughAgent(h.redfishNode("ops-inspect-rf", "52:54:00:ab:00:07", ironic.StateManageable, agentInspect), "52:54:00:ab:00:07")
}

// inspectThroughAgent inspects the node (inspect_interface agent) and checks the
// inventory Ironic stored is the one the agent posted.
func (h *opsHarness) inspectThroughAgent(n *nodes.Node, mac string) {
	t := h.t
	h.provision(n.UUID, nodes.ProvisionStateOpts{Target: nodes.TargetInspect}, "manageable")
	if h.s.Agent.Inventory(n.UUID) == nil {
		t.Fatalf("the agent posted no inventory; agent log:\n%s", strings.Join(h.s.Agent.Log(n.UUID), "\n"))
	}
	var stored struct {
		Inventory map[string]any `json:"inventory"`
	}
	resp, err := h.p.SC.Get(h.ctx, h.p.SC.ServiceURL("nodes", n.UUID, "inventory"), &stored,
		&gophercloud.RequestOpts{MoreHeaders: map[string]string{"X-OpenStack-Ironic-API-Version": "1.81"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want, _ := json.Marshal(MachineInventory(mac))
	var wantMap map[string]any
	_ = json.Unmarshal(want, &wantMap)
	for _, k := range []string{"cpu", "memory", "disks", "interfaces"} {
		g, _ := json.Marshal(stored.Inventory[k])
		w, _ := json.Marshal(wantMap[k])
		if !bytes.Equal(g, w) {
			t.Errorf("stored inventory %s = %s, want %s", k, g, w)
		}
	}
	got, err := nodes.Get(h.ctx, h.p.SC, n.UUID).Extract()
	if err != nil {
		t.Fatal(err)
	}
	if got.Properties["cpu_arch"] != "x86_64" {
		t.Errorf("properties after inspection: %v", got.Properties)
	}
}
