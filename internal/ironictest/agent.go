//go:build linux

package ironictest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Agent is the harness's stand-in for the machines of a rack and the
// ironic-python-agent each boots when Ironic needs one. The conductor is real: it
// powers a node on (fake power), waits in "wait call-back" or "clean wait", and
// drives the agent over IPA's REST API, as on hardware. A machine "boots" its ramdisk
// when its node waits for an agent with power on; the agent then looks the node up by
// its port MACs, heartbeats with the token Ironic hands out, and runs the commands it
// is sent: deploy and clean steps, the image write (download, checksum as IPA verifies
// it, written to a file that stands for the disk), power off. Faults on demand make it
// silent, fail the download or corrupt the bytes.
//
// What a node needs for each operation (driver manual-management, fake power, or
// redfish with a system of the BMC; boot_interface pxe, or redfish-virtual-media on a
// redfish node, whose ISO the BMC boots the agent from; deploy_interface direct;
// driver_info deploy_kernel and deploy_ramdisk from the Server; a port with the
// machine's MAC), on Ironic 21.4 and 35 alike unless said:
//   - deploy, rebuild (with or without a config drive), manual clean
//     (deploy.erase_devices_metadata, erase_devices, erase_devices_express): nothing more;
//     Steps records each step run.
//   - servicing (Ironic 23.0, API 1.87: only the current Ironic): deploy.burnin_cpu or
//     burnin_memory, for driver_info agent_burnin_cpu_timeout / agent_burnin_vm_timeout
//     seconds.
//   - rescue and unrescue: rescue_interface "agent" (no rescue_kernel or rescue_ramdisk:
//     the harness's ironic.conf names the agent's); RescuePassword is what the conductor
//     sent. fake-hardware nodes rescue through the fake interface, no agent involved.
//   - inspection through the agent: inspect_interface "agent", only where
//     Server.AgentInspect (Ironic 24.0 and later); Inventory is what the agent posted,
//     MachineInventory(MACs) what Ironic then stores. On 21.4 only fake-hardware's
//     "fake" inspect interface inspects (it stores no inventory: SeedInventory).
type Agent struct {
	api    string // Ironic's API root, for lookup and heartbeat (public routes)
	dir    string // the machines' disks
	admin  func(context.Context, *http.Request) error
	bmc    atomic.Pointer[BMC] // the Redfish BMC of redfish nodes: which of them booted the network
	client *http.Client

	ln   net.Listener
	srv  *http.Server
	base string // the URL the agents' API answers on; each machine under /m/<node>

	// Heartbeat is how often a running agent heartbeats (IPA derives it from
	// heartbeat_timeout, minutes on hardware; the tests want seconds). It also
	// heartbeats at once when an asynchronous command finishes, as IPA does.
	Heartbeat time.Duration
	// IPAVersion is the agent_version the heartbeats report.
	IPAVersion string
	// EraseTime is how long a full erase takes with AgentSlowErase.
	EraseTime time.Duration

	mu       sync.Mutex
	machines map[string]*machine   // by node UUID
	faults   map[string]AgentFault // by node name, UUID or MAC (lower case)
	cancel   context.CancelFunc
	done     chan struct{}
}

// AgentFault is how a machine's agent misbehaves.
type AgentFault string

const (
	// AgentHealthy is a healthy agent.
	AgentHealthy AgentFault = ""
	// AgentSilent never boots the ramdisk: no lookup, no heartbeat, Ironic waits in
	// "wait call-back" until its own or the caller's timeout.
	AgentSilent AgentFault = "silent"
	// AgentDownloadFails fails every image download, as a broken route to the image server.
	AgentDownloadFails AgentFault = "download"
	// AgentCorrupts flips bits of the image in transit: the checksum does not match.
	AgentCorrupts AgentFault = "corrupt"
	// AgentEraseFails fails every disk erase (a disk that refuses secure erase): cleaning
	// ends in "clean failed".
	AgentEraseFails AgentFault = "erase-fails"
	// AgentSlowErase makes a full erase take EraseTime, as shredding a real disk takes
	// hours.
	AgentSlowErase AgentFault = "slow-erase"
	// AgentRescueFails fails rescue.finalize_rescue (a rescue ramdisk that cannot set the
	// password): Ironic puts the node in "rescue failed" with the agent's error.
	AgentRescueFails AgentFault = "rescue-fails"
)

// DiskSize is the size of each machine's disk file (sparse: it costs what is written),
// and of the disk its inventory reports: 16 GiB, a small server's disk, which the agent
// takes as the root disk without hints (it wants at least 4 GiB) and a cloud image fits,
// so the plan's image-fits check finds what it finds on a real machine.
const DiskSize = 16 << 30

// agentStates are the provision states in which Ironic waits for an agent to call back
// (or, in "inspect wait", for the inventory it posts: Ironic 24.0 and later's agent
// inspect interface).
var agentStates = []string{"wait call-back", "clean wait", "service wait", "rescue wait", inspectWait}

const inspectWait = "inspect wait"

// StartAgent serves the agents' API on a free loopback port and starts watching Ironic
// for nodes that wait for one.
func (s *Server) StartAgent(ctx context.Context) (*Agent, error) {
	dir := filepath.Join(s.Dir, "disks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	a := &Agent{
		api: s.Endpoint, dir: dir, admin: s.auth,
		client:     &http.Client{Timeout: 30 * time.Second},
		ln:         ln,
		base:       "http://" + ln.Addr().String(),
		Heartbeat:  500 * time.Millisecond,
		IPAVersion: ipaVersionFor(s.MaxVersion),
		EraseTime:  20 * time.Second,
		machines:   map[string]*machine{},
		faults:     map[string]AgentFault{},
		done:       make(chan struct{}),
	}
	a.srv = &http.Server{Handler: http.HandlerFunc(a.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = a.srv.Serve(ln) }()
	watch, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.cancel = cancel
	go a.watch(watch)
	return a, nil
}

// ipaVersionFor is the ironic-python-agent release that ships with an Ironic of this
// API version: the conductor gates a few features on it.
func ipaVersionFor(apiVersion string) string {
	if apiVersion != "" && compareVersions(apiVersion, "1.82") > 0 {
		return "11.1.0" // 2026.1
	}
	return "9.4.1" // 2023.1
}

// Stop ends every agent and the API; the disks stay for inspection.
func (a *Agent) Stop() {
	if a == nil {
		return
	}
	a.cancel()
	<-a.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = a.srv.Shutdown(ctx)
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, m := range a.machines {
		m.powerOff("harness stopped")
	}
}

// SetFault makes the agent of the node with this name, UUID or port MAC misbehave;
// AgentHealthy heals it. A fault is the machine's surroundings (the route to the image
// server, the disk), so it holds for a ramdisk already running as for every later
// boot; only AgentSilent, a ramdisk that never starts, waits for the next boot. (A
// running ramdisk that kept its old fault made a fixed cause fail again whenever the
// conductor reused it, as a loaded machine now and then does.)
func (a *Agent) SetFault(key string, f AgentFault) {
	a.mu.Lock()
	defer a.mu.Unlock()
	key = strings.ToLower(key)
	if f == AgentHealthy {
		delete(a.faults, key)
	} else {
		a.faults[key] = f
	}
	for _, m := range a.machines {
		m.mu.Lock()
		if f != AgentSilent && m.on && m.answersTo(key) {
			m.fault = f
		}
		m.mu.Unlock()
	}
}

// powerOffByBMC ends the ramdisk of the machine with any of these NICs: its BMC powered
// it off or reset it.
func (a *Agent) powerOffByBMC(macs []string) {
	a.mu.Lock()
	var hit []*machine
	for _, m := range a.machines {
		m.mu.Lock()
		for _, mac := range m.macs {
			if slices.ContainsFunc(macs, func(x string) bool { return strings.EqualFold(x, mac) }) {
				hit = append(hit, m)
				break
			}
		}
		m.mu.Unlock()
	}
	a.mu.Unlock()
	for _, m := range hit {
		m.powerOff("BMC power off or reset")
	}
}

// DiskPath is the file that stands for the node's disk.
func (a *Agent) DiskPath(nodeUUID string) string { return filepath.Join(a.dir, nodeUUID+".disk") }

// ConfigDrivePath is where the agent writes the config drive it was handed (IPA writes
// it to a partition at the end of the disk).
func (a *Agent) ConfigDrivePath(nodeUUID string) string {
	return filepath.Join(a.dir, nodeUUID+".configdrive")
}

// Disk reads the first n bytes of the node's disk (all zero where nothing was written).
func (a *Agent) Disk(nodeUUID string, n int) ([]byte, error) {
	f, err := os.Open(a.DiskPath(nodeUUID))
	if os.IsNotExist(err) {
		return make([]byte, n), nil // a disk nothing was ever written to
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err = f.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b, nil
}

// RescuePassword is the rescue password the conductor last sent the node's agent with
// rescue.finalize_rescue, as it came: Ironic sends a crypt(3) hash of the node's
// rescue_password (SHA-256, "$5$...", or SHA-512 by [conductor]
// rescue_password_hash_algorithm) and hashed = true. "" if no rescue was finalized.
func (a *Agent) RescuePassword(nodeUUID string) (password string, hashed bool) {
	a.withMachine(nodeUUID, func(m *machine) { password, hashed = m.rescuePassword, m.rescueHashed })
	return password, hashed
}

// Steps lists the steps the node's agent ran to the end, oldest first, as
// "<kind>.<step>": "deploy.write_image", "clean.erase_devices_metadata",
// "service.burnin_cpu"; a step that failed is followed by " (failed)".
func (a *Agent) Steps(nodeUUID string) (steps []string) {
	a.withMachine(nodeUUID, func(m *machine) { steps = slices.Clone(m.steps) })
	return steps
}

// Inventory is the inventory the node's agent last posted to Ironic's
// /v1/continue_inspection (MachineInventory of its NICs), or nil.
func (a *Agent) Inventory(nodeUUID string) (inventory map[string]any) {
	a.withMachine(nodeUUID, func(m *machine) { inventory = m.inventory })
	return inventory
}

// withMachine runs read under the lock of the node's machine, if the agent has one.
func (a *Agent) withMachine(nodeUUID string, read func(*machine)) {
	a.mu.Lock()
	m := a.machines[nodeUUID]
	a.mu.Unlock()
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	read(m)
}

// Log is what the agent of a node did, oldest first (for failure messages).
func (a *Agent) Log(nodeUUID string) []string {
	a.mu.Lock()
	m := a.machines[nodeUUID]
	a.mu.Unlock()
	if m == nil {
		return nil
	}
	return m.logLines()
}

func (a *Agent) faultFor(n watchedNode, macs []string) AgentFault {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, k := range append([]string{n.UUID, n.Name}, macs...) {
		if f, ok := a.faults[strings.ToLower(k)]; ok && k != "" {
			return f
		}
	}
	return AgentHealthy
}

// watch boots a machine whenever its node waits for an agent with power on: the
// moment a real machine would have started its ramdisk.
func (a *Agent) watch(ctx context.Context) {
	defer close(a.done)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, state := range agentStates {
			nodes, err := a.listNodes(ctx, state)
			if err != nil {
				continue // Ironic restarting or busy: the next tick asks again
			}
			for _, n := range nodes {
				a.maybeBoot(ctx, n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (a *Agent) maybeBoot(ctx context.Context, n watchedNode) {
	if n.PowerState != "power on" {
		return
	}
	a.mu.Lock()
	m := a.machines[n.UUID]
	if m == nil {
		m = &machine{agent: a, uuid: n.UUID}
		a.machines[n.UUID] = m
	}
	a.mu.Unlock()
	if m.running() {
		return
	}
	macs, err := a.nodeMACs(ctx, n.UUID)
	if err != nil {
		return
	}
	cd, why := a.bmc.Load().ramdiskBoot(a.redfishSystem(ctx, n.UUID), macs)
	if why != "" {
		m.note("%s: %s: no ramdisk runs", n.ProvisionState, why)
		return
	}
	m.mu.Lock()
	m.bootToken = cd.Param("ipa-agent-token") // a virtual media boot's, from the ISO Ironic built
	m.name = n.Name
	m.mu.Unlock()
	fault := a.faultFor(n, macs)
	if fault == AgentSilent {
		m.note("%s: silent (fault): the ramdisk never calls back", n.ProvisionState)
		return
	}
	m.boot(ctx, macs, fault, n.ProvisionState)
}

type watchedNode struct {
	UUID           string `json:"uuid"`
	Name           string `json:"name"`
	ProvisionState string `json:"provision_state"`
	PowerState     string `json:"power_state"`
}

// listNodes asks, as an administrator, which nodes are in a state: the harness's view
// of the rack, not something an agent could do.
func (a *Agent) listNodes(ctx context.Context, state string) ([]watchedNode, error) {
	q := url.Values{"provision_state": {state}, "fields": {"uuid,name,provision_state,power_state"}}
	var out struct {
		Nodes []watchedNode `json:"nodes"`
	}
	return out.Nodes, a.adminGet(ctx, "/v1/nodes?"+q.Encode(), &out)
}

// nodeMACs are the node's NICs, as the machine's hardware would know them.
func (a *Agent) nodeMACs(ctx context.Context, uuid string) ([]string, error) {
	q := url.Values{"node_uuid": {uuid}, "fields": {"address"}}
	var out struct {
		Ports []struct {
			Address string `json:"address"`
		} `json:"ports"`
	}
	if err := a.adminGet(ctx, "/v1/ports?"+q.Encode(), &out); err != nil {
		return nil, err
	}
	macs := make([]string, 0, len(out.Ports))
	for _, p := range out.Ports {
		macs = append(macs, p.Address)
	}
	return macs, nil
}

func (a *Agent) adminGet(ctx context.Context, path string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.api+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-OpenStack-Ironic-API-Version", "1.46")
	if err := a.admin(ctx, req); err != nil {
		return err
	}
	return a.doJSON(req, out)
}

// serveHTTP routes /m/<node>/... to that machine's agent API.
func (a *Agent) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/m/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	uuid, sub, _ := strings.Cut(rest, "/")
	a.mu.Lock()
	m := a.machines[uuid]
	a.mu.Unlock()
	if m == nil || !m.running() {
		// A machine that is off does not answer: the conductor sees a connection problem.
		hj, ok := w.(http.Hijacker)
		if ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		http.Error(w, "machine is off", http.StatusServiceUnavailable)
		return
	}
	m.serveAPI(w, r, "/"+sub)
}

func (a *Agent) callbackURL(uuid string) string { return fmt.Sprintf("%s/m/%s", a.base, uuid) }

// newerIPA: the agent behaves as ironic-python-agent 10 and later (checksums by length,
// tokens on every command request).
func (a *Agent) newerIPA() bool { return compareVersions(a.IPAVersion, "10.0.0") >= 0 }

// compareVersions compares dotted numeric versions ("1.82" < "1.111").
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			fmt.Sscan(pa[i], &x)
		}
		if i < len(pb) {
			fmt.Sscan(pb[i], &y)
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
