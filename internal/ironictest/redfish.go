//go:build linux

package ironictest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// BMC is the harness's stand-in for the Redfish BMCs of a rack: one service on
// loopback with a ComputerSystem per machine, spoken to by Ironic's real redfish
// hardware type through the real sushy library. It keeps what a BMC keeps: the power
// state, the boot override, BIOS attributes with pending settings that take effect at
// the next power-on (as @Redfish.Settings with ApplyTime OnReset do on hardware), and
// the firmware versions. A power-off or reset ends the agent the machine runs, as it
// would end a real ramdisk. It is not an emulator of any vendor's quirks.
type BMC struct {
	// URL is the Redfish service's address, for a node's driver_info redfish_address.
	URL string
	// Username and Password are the credentials it takes (HTTP basic).
	Username, Password string

	ln  net.Listener
	srv *http.Server

	mu       sync.Mutex
	systems  map[string]*bmcSystem
	tasks    int
	taskByID map[string]*bmcTask
	// onPowerOff ends the ramdisk of the machine with these NICs.
	onPowerOff func(macs []string)
}

type bmcSystem struct {
	id                      string
	macs                    []string
	power                   string // On, Off
	boot                    map[string]string
	bios                    map[string]string
	pending                 map[string]string // Bios/Settings: applied at the next power-on
	biosVersion, bmcVersion string
	flashing                *bmcTask // a BIOS flash waiting for a power cycle
	// bootedFrom is where the last power-on booted: "Pxe" (the agent's ramdisk, which
	// Ironic prepared), "Cd" (the ISO in the virtual CD) or "Hdd" (the instance on the
	// disk); "" while off.
	bootedFrom string
	requests   []string
	resets     []string       // every ResetType received, in order
	overrides  []BootOverride // the boot override after each change, in order
	// gracefulIgnored: the operating system ignores GracefulShutdown and
	// GracefulRestart (hung, or no ACPI handling): the BMC accepts them, nothing happens.
	gracefulIgnored bool
	media           []*VirtualMedia // the virtual CD and USB stick (redfish_vmedia.go)
	cdBoots         []*cdBoot       // every boot from the virtual CD
}

// BootOverride is a system's boot source override as a PATCH of Boot left it.
type BootOverride struct {
	// Target is BootSourceOverrideTarget: None, Pxe, Hdd, Cd, BiosSetup, UefiHttp.
	Target string
	// Enabled is BootSourceOverrideEnabled: Disabled, Once or Continuous.
	Enabled string
	// Mode is BootSourceOverrideMode: UEFI or Legacy.
	Mode string
}

// DefaultBIOS is the BIOS a new system of the BMC has.
var DefaultBIOS = map[string]string{
	"BootMode": "Uefi", "LogicalProc": "Enabled", "ProcVirtualization": "Enabled",
	"SriovGlobalEnable": "Disabled", "WorkloadProfile": "NotAvailable",
}

// biosValues are the values each BIOS attribute takes: the BMC refuses others, as
// real ones do (with no attribute registry published, Ironic cannot check them first).
var biosValues = map[string][]string{
	"BootMode": {"Uefi", "Bios"}, "LogicalProc": {"Enabled", "Disabled"}, "ProcVirtualization": {"Enabled", "Disabled"},
	"SriovGlobalEnable": {"Enabled", "Disabled"}, "WorkloadProfile": {"NotAvailable", "Virtualization", "LowLatency", "GeneralPower"},
}

// startBMC serves the Redfish service on a free loopback port.
func startBMC(onPowerOff func(macs []string)) (*BMC, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &BMC{URL: "http://" + ln.Addr().String(), Username: "admin", Password: "redfish-test",
		ln: ln, systems: map[string]*bmcSystem{}, taskByID: map[string]*bmcTask{}, onPowerOff: onPowerOff}
	b.srv = &http.Server{Handler: http.HandlerFunc(b.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
	return b, nil
}

// Stop ends the service.
func (b *BMC) Stop() {
	if b != nil {
		_ = b.srv.Close()
	}
}

// AddSystem adds a powered-off machine with these NICs and DefaultBIOS, and returns
// its path, for a node's driver_info redfish_system_id.
func (b *BMC) AddSystem(id string, macs ...string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.systems[id] = &bmcSystem{id: id, macs: macs, power: "Off",
		boot: map[string]string{"BootSourceOverrideTarget": "None", "BootSourceOverrideEnabled": "Disabled", "BootSourceOverrideMode": "UEFI"},
		bios: maps.Clone(DefaultBIOS), pending: map[string]string{}, biosVersion: "1.0.0", bmcVersion: "1.0.0"}
	return systemPath(id)
}

// BIOS is the system's current BIOS attributes (not the pending ones).
func (b *BMC) BIOS(id string) map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.systems[id]; s != nil {
		return maps.Clone(s.bios)
	}
	return nil
}

// FirmwareVersions are the BIOS's and the BMC's firmware versions now.
func (b *BMC) FirmwareVersions(id string) (bios, bmc string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.systems[id]; s != nil {
		return s.biosVersion, s.bmcVersion
	}
	return "", ""
}

// Requests lists the changes the system was asked for, oldest first: "PATCH Bios/Settings
// {...}", "Reset ForceOff", "PATCH Boot {...}".
func (b *BMC) Requests(id string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.systems[id]; s != nil {
		return slices.Clone(s.requests)
	}
	return nil
}

// Resets lists every ComputerSystem.Reset type the system received, oldest first.
// Ironic's redfish power interface sends On for "power on", ForceOff for "power off",
// GracefulShutdown for "soft power off", GracefulRestart for "soft rebooting", and for
// "rebooting" ForceOff then On (ForceRestart only on a node with disable_power_off,
// API 1.95, Ironic 28.0 and later); the BMC also takes ForceRestart, ForceOn, PushPowerButton,
// PowerCycle and Nmi.
func (b *BMC) Resets(id string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.systems[id]; s != nil {
		return slices.Clone(s.resets)
	}
	return nil
}

// BootOverrides lists the system's boot override after each change it was asked for
// (Ironic's boot device calls and the network boots it prepares), oldest first.
func (b *BMC) BootOverrides(id string) []BootOverride {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.systems[id]; s != nil {
		return slices.Clone(s.overrides)
	}
	return nil
}

// IgnoreGraceful makes the system's operating system ignore (or, with false, heed
// again) GracefulShutdown and GracefulRestart: the BMC accepts them and the machine
// stays on, so Ironic's soft power off and soft rebooting run into their timeout.
func (b *BMC) IgnoreGraceful(id string, ignore bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.systems[id]; s != nil {
		s.gracefulIgnored = ignore
	}
}

// PowerState is the system's power state now: On or Off ("" for no such system).
func (b *BMC) PowerState(id string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.systems[id]; s != nil {
		return s.power
	}
	return ""
}

func systemPath(id string) string { return "/redfish/v1/Systems/" + id }

func (b *BMC) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if u, p, ok := r.BasicAuth(); !ok || u != b.Username || p != b.Password {
		if r.URL.Path != "/redfish/v1/" && r.URL.Path != "/redfish/v1" { // the service root is public
			redfishError(w, http.StatusUnauthorized, "Base.1.8.NoValidSession", "basic authentication required")
			return
		}
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == "/redfish/v1":
		writeJSON(w, http.StatusOK, serviceRoot())
		return
	case path == "/redfish/v1/Systems":
		b.mu.Lock()
		ids := slices.Sorted(maps.Keys(b.systems))
		b.mu.Unlock()
		writeJSON(w, http.StatusOK, collection(path, "#ComputerSystemCollection.ComputerSystemCollection", ids))
		return
	case path == "/redfish/v1/Managers":
		b.mu.Lock()
		ids := slices.Sorted(maps.Keys(b.systems))
		b.mu.Unlock()
		writeJSON(w, http.StatusOK, collection(path, "#ManagerCollection.ManagerCollection", ids))
		return
	case path == "/redfish/v1/UpdateService":
		writeJSON(w, http.StatusOK, updateService())
		return
	case path == "/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate" && r.Method == http.MethodPost:
		var body map[string]any
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
			redfishError(w, http.StatusBadRequest, "Base.1.8.MalformedJSON", err.Error())
			return
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		b.simpleUpdate(w, body)
		return
	}
	if id, ok := strings.CutPrefix(path, "/redfish/v1/TaskService/Tasks/"); ok {
		b.serveTask(w, id)
		return
	}
	if b.serveVirtualMedia(w, r, path) {
		return
	}
	if id, ok := strings.CutPrefix(path, "/redfish/v1/Managers/"); ok {
		b.mu.Lock()
		s := b.systems[id]
		version := ""
		if s != nil {
			version = s.bmcVersion
		}
		b.mu.Unlock()
		if s != nil {
			writeJSON(w, http.StatusOK, map[string]any{"@odata.id": path, "@odata.type": "#Manager.v1_5_0.Manager", "Id": id,
				"Name": "BMC of " + id, "ManagerType": "BMC", "FirmwareVersion": version,
				"VirtualMedia": map[string]string{"@odata.id": path + "/VirtualMedia"}})
			return
		}
	}
	if id, ok := strings.CutPrefix(path, "/redfish/v1/Chassis/"); ok {
		b.mu.Lock()
		s := b.systems[id]
		b.mu.Unlock()
		if s != nil {
			writeJSON(w, http.StatusOK, map[string]any{"@odata.id": path, "@odata.type": "#Chassis.v1_10_0.Chassis", "Id": id,
				"Name": "Chassis of " + id, "ChassisType": "RackMount",
				"Links": map[string]any{"ComputerSystems": []map[string]string{{"@odata.id": systemPath(id)}}}})
			return
		}
	}
	rest, ok := strings.CutPrefix(path, "/redfish/v1/Systems/")
	if !ok {
		redfishError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI", "no resource at "+path)
		return
	}
	id, sub, _ := strings.Cut(rest, "/")
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.systems[id]
	if s == nil {
		redfishError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI", "no system "+id)
		return
	}
	var body map[string]any
	if r.Method == http.MethodPatch || r.Method == http.MethodPost {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
			redfishError(w, http.StatusBadRequest, "Base.1.8.MalformedJSON", err.Error())
			return
		}
	}
	switch {
	case sub == "" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.resource())
	case sub == "" && r.Method == http.MethodPatch:
		b.patchBoot(w, s, body)
	case sub == "Actions/ComputerSystem.Reset" && r.Method == http.MethodPost:
		b.reset(w, s, body)
	case sub == "Bios" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.biosResource())
	case sub == "Bios/Settings" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"@odata.id": systemPath(id) + "/Bios/Settings", "@odata.type": "#Bios.v1_1_0.Bios",
			"Id": "Settings", "Name": "BIOS pending settings", "Attributes": s.pending})
	case sub == "Bios/Settings" && r.Method == http.MethodPatch:
		b.patchBIOS(w, s, body)
	default:
		redfishError(w, http.StatusMethodNotAllowed, "Base.1.8.ActionNotSupported", r.Method+" "+path)
	}
}

func (s *bmcSystem) note(format string, args ...any) {
	s.requests = append(s.requests, fmt.Sprintf(format, args...))
}

func (s *bmcSystem) resource() map[string]any {
	p := systemPath(s.id)
	boot := map[string]any{"BootSourceOverrideTarget@Redfish.AllowableValues": bootTargets}
	for k, v := range s.boot {
		boot[k] = v
	}
	return map[string]any{
		"@odata.id": p, "@odata.type": "#ComputerSystem.v1_13_0.ComputerSystem",
		"Id": s.id, "Name": s.id, "UUID": uuidFor(s.id), "SystemType": "Physical",
		"Manufacturer": "Metalform test rack", "Model": "Redfish stand-in", "SerialNumber": "SN-" + s.id,
		"PowerState": s.power, "BiosVersion": s.biosVersion, "Boot": boot,
		"BootProgress": map[string]string{"LastState": s.bootProgress()},
		"Status":       map[string]string{"State": "Enabled", "Health": "OK"},
		"Bios":         map[string]string{"@odata.id": p + "/Bios"},
		"VirtualMedia": map[string]string{"@odata.id": p + "/VirtualMedia"},
		"Links": map[string]any{
			"ManagedBy": []map[string]string{{"@odata.id": "/redfish/v1/Managers/" + s.id}},
			"Chassis":   []map[string]string{{"@odata.id": "/redfish/v1/Chassis/" + s.id}},
		},
		"Actions": map[string]any{"#ComputerSystem.Reset": map[string]any{
			"target":                            p + "/Actions/ComputerSystem.Reset",
			"ResetType@Redfish.AllowableValues": resetTypes,
		}},
	}
}

func (s *bmcSystem) biosResource() map[string]any {
	p := systemPath(s.id) + "/Bios"
	return map[string]any{
		"@odata.id": p, "@odata.type": "#Bios.v1_1_0.Bios", "Id": "BIOS", "Name": "BIOS Configuration",
		"Attributes": s.bios,
		"@Redfish.Settings": map[string]any{
			"@odata.type":         "#Settings.v1_3_0.Settings",
			"SettingsObject":      map[string]string{"@odata.id": p + "/Settings"},
			"SupportedApplyTimes": []string{"OnReset"},
		},
		"Actions": map[string]any{"#Bios.ResetBios": map[string]string{"target": p + "/Actions/Bios.ResetBios"}},
	}
}

var (
	bootTargets = []string{"None", "Pxe", "Hdd", "Cd", "BiosSetup", "UefiHttp"}
	resetTypes  = []string{"On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "ForceOn", "PushPowerButton", "PowerCycle", "Nmi"}
)

func (b *BMC) patchBoot(w http.ResponseWriter, s *bmcSystem, body map[string]any) {
	boot, _ := body["Boot"].(map[string]any)
	if boot == nil {
		redfishError(w, http.StatusBadRequest, "Base.1.8.PropertyNotWritable", "only Boot can be changed here")
		return
	}
	for k, v := range boot {
		str, _ := v.(string)
		if _, known := s.boot[k]; !known || (k == "BootSourceOverrideTarget" && !slices.Contains(bootTargets, str)) {
			redfishError(w, http.StatusBadRequest, "Base.1.8.PropertyValueNotInList", fmt.Sprintf("Boot %s = %v", k, v))
			return
		}
	}
	for k, v := range boot {
		s.boot[k] = v.(string)
	}
	s.note("PATCH Boot %s", compactJSON(boot))
	s.overrides = append(s.overrides, BootOverride{Target: s.boot["BootSourceOverrideTarget"],
		Enabled: s.boot["BootSourceOverrideEnabled"], Mode: s.boot["BootSourceOverrideMode"]})
	w.WriteHeader(http.StatusNoContent)
}

func (b *BMC) patchBIOS(w http.ResponseWriter, s *bmcSystem, body map[string]any) {
	attrs, _ := body["Attributes"].(map[string]any)
	for name, v := range attrs {
		if _, known := s.bios[name]; !known {
			redfishError(w, http.StatusBadRequest, "Base.1.8.PropertyUnknown",
				fmt.Sprintf("The property %s is not in the list of valid properties for the resource.", name))
			return
		}
		if str, _ := v.(string); !slices.Contains(biosValues[name], str) {
			redfishError(w, http.StatusBadRequest, "Base.1.8.PropertyValueNotInList",
				fmt.Sprintf("The value %v for the property %s is not in the list of acceptable values.", v, name))
			return
		}
	}
	for name, v := range attrs {
		s.pending[name] = v.(string)
	}
	s.note("PATCH Bios/Settings %s", compactJSON(attrs))
	w.WriteHeader(http.StatusNoContent)
}

func (b *BMC) reset(w http.ResponseWriter, s *bmcSystem, body map[string]any) {
	kind, _ := body["ResetType"].(string)
	if !slices.Contains(resetTypes, kind) {
		redfishError(w, http.StatusBadRequest, "Base.1.8.ActionParameterValueNotInList", "ResetType "+kind)
		return
	}
	s.note("Reset %s", kind)
	s.resets = append(s.resets, kind)
	if s.gracefulIgnored && strings.HasPrefix(kind, "Graceful") {
		s.note("%s ignored by the operating system", kind)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	switch kind {
	case "On", "ForceOn":
		s.powerOn()
	case "ForceOff", "GracefulShutdown":
		b.powerOff(s)
	case "ForceRestart", "GracefulRestart":
		b.powerOff(s)
		s.powerOn()
	case "PowerCycle": // off, then on; a machine that was off stays off
		if s.power == "On" {
			b.powerOff(s)
			s.powerOn()
		}
	case "PushPowerButton":
		if s.power == "On" {
			b.powerOff(s)
		} else {
			s.powerOn()
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// powerOn starts the machine: pending BIOS settings take effect as it boots, and it
// boots from the network where the override says so (once or for good), else from its
// disk.
func (s *bmcSystem) powerOn() {
	if s.power == "On" {
		return
	}
	s.power = "On"
	s.flashOnPowerCycle(true)
	maps.Copy(s.bios, s.pending)
	clear(s.pending)
	s.bootedFrom = "Hdd"
	if s.boot["BootSourceOverrideEnabled"] != "Disabled" && s.boot["BootSourceOverrideTarget"] == "Pxe" {
		s.bootedFrom = "Pxe"
	}
	if s.boot["BootSourceOverrideEnabled"] != "Disabled" && s.boot["BootSourceOverrideTarget"] == "Cd" {
		s.bootCd() // the ISO in the virtual CD
	}
	if s.boot["BootSourceOverrideEnabled"] == "Once" {
		s.boot["BootSourceOverrideEnabled"], s.boot["BootSourceOverrideTarget"] = "Disabled", "None"
	}
}

// bootProgress is BootProgress.LastState: Ironic waits for the OS to have started
// before it checks that BIOS settings were applied.
func (s *bmcSystem) bootProgress() string {
	if s.power != "On" {
		return "None"
	}
	return "OSRunning"
}

// BootsFromDisk tells whether the machine with any of these NICs is a system of this
// BMC that last booted its disk, not the network: then no ramdisk runs on it (a
// servicing without the agent, an instance that was deployed). Not a system of this
// BMC: false.
func (b *BMC) BootsFromDisk(macs []string) bool {
	if b == nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.systems {
		for _, mac := range s.macs {
			if slices.ContainsFunc(macs, func(x string) bool { return strings.EqualFold(x, mac) }) {
				return s.bootedFrom == "Hdd"
			}
		}
	}
	return false
}

func (b *BMC) powerOff(s *bmcSystem) {
	if s.power == "Off" {
		return
	}
	s.power, s.bootedFrom = "Off", ""
	s.flashOnPowerCycle(false)
	if b.onPowerOff != nil {
		macs := slices.Clone(s.macs)
		go b.onPowerOff(macs) // the agent takes its own lock
	}
}

func serviceRoot() map[string]any {
	return map[string]any{
		"@odata.id": "/redfish/v1/", "@odata.type": "#ServiceRoot.v1_5_0.ServiceRoot",
		"Id": "RootService", "Name": "Root Service", "RedfishVersion": "1.11.0", "UUID": uuidFor("bmc"),
		"Systems":       map[string]string{"@odata.id": "/redfish/v1/Systems"},
		"Managers":      map[string]string{"@odata.id": "/redfish/v1/Managers"},
		"UpdateService": map[string]string{"@odata.id": "/redfish/v1/UpdateService"},
	}
}

func collection(path, kind string, ids []string) map[string]any {
	members := make([]map[string]string, 0, len(ids))
	for _, id := range ids {
		members = append(members, map[string]string{"@odata.id": path + "/" + id})
	}
	return map[string]any{"@odata.id": path, "@odata.type": kind, "Name": kind, "Members": members, "Members@odata.count": len(members)}
}

// uuidFor is a stable UUID-shaped identity for a name.
func uuidFor(name string) string {
	var h [16]byte
	for i, c := range []byte(name) {
		h[i%16] = h[i%16]*31 + c
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func redfishError(w http.ResponseWriter, status int, id, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": "Base.1.8.GeneralError", "message": message,
		"@Message.ExtendedInfo": []map[string]string{{"MessageId": id, "Message": message}},
	}})
}

func compactJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
