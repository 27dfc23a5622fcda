//go:build linux

package ironictest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The BMC's UpdateService: SimpleUpdate downloads the package at ImageURI, as a BMC
// does, and flashes it. A package is a text file "<component> <version>" (bios or bmc):
// the version the component reports once flashed. A BIOS flash completes at the next
// power cycle (the task runs until then); the BMC flashes itself in the background,
// done by the time its task is first asked about.

// FirmwarePackage is the content of a firmware package for the BMC.
func FirmwarePackage(component, version string) []byte {
	return []byte(component + " " + version + "\n")
}

type bmcTask struct {
	id, state, status, message string
	component, version         string
	sawOff                     bool       // a BIOS flash waits for a power cycle
	system                     *bmcSystem // a BMC flash: whose
}

func (t *bmcTask) resource() map[string]any {
	out := map[string]any{"@odata.id": taskPath(t.id), "@odata.type": "#Task.v1_4_3.Task", "Id": t.id,
		"Name": "Firmware update " + t.id, "TaskState": t.state, "TaskStatus": t.status}
	if t.message != "" {
		out["Messages"] = []map[string]string{{"MessageId": "Update.1.0.ApplyFailed", "Message": t.message}}
	}
	return out
}

func taskPath(id string) string { return "/redfish/v1/TaskService/Tasks/" + id }

func updateService() map[string]any {
	return map[string]any{"@odata.id": "/redfish/v1/UpdateService", "@odata.type": "#UpdateService.v1_8_0.UpdateService",
		"Id": "UpdateService", "Name": "Update Service", "ServiceEnabled": true,
		"Actions": map[string]any{"#UpdateService.SimpleUpdate": map[string]any{
			"target": "/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate",
		}}}
}

// simpleUpdate starts a flash of the system Targets names (or the only one).
func (b *BMC) simpleUpdate(w http.ResponseWriter, body map[string]any) {
	uri, _ := body["ImageURI"].(string)
	var s *bmcSystem
	if targets, _ := body["Targets"].([]any); len(targets) == 1 {
		path, _ := targets[0].(string)
		s = b.systems[strings.TrimPrefix(path, "/redfish/v1/Systems/")]
	} else if len(b.systems) == 1 {
		for _, only := range b.systems {
			s = only
		}
	}
	if uri == "" || s == nil {
		redfishError(w, http.StatusBadRequest, "Base.1.8.ActionParameterMissing", "SimpleUpdate needs ImageURI and one of this BMC's systems in Targets")
		return
	}
	b.tasks++
	t := &bmcTask{id: strconv.Itoa(b.tasks), state: "Running", status: "OK"}
	b.taskByID[t.id] = t
	s.note("SimpleUpdate %s", uri)
	pkg, err := download(uri)
	component, version, ok := strings.Cut(strings.TrimSpace(string(pkg)), " ")
	switch {
	case err != nil:
		t.state, t.status, t.message = "Exception", "Critical", fmt.Sprintf("Download of %s failed: %v", uri, err)
	case !ok || (component != "bios" && component != "bmc"):
		t.state, t.status, t.message = "Exception", "Critical", fmt.Sprintf("%s is not a firmware package for this system", uri)
	default:
		t.component, t.version, t.system = component, version, s
		if component == "bios" {
			s.flashing = t
		}
	}
	w.Header().Set("Location", taskPath(t.id))
	writeJSON(w, http.StatusAccepted, t.resource())
}

// download fetches a firmware package, bounded as a BMC's transfer is.
func download(uri string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

// FlashOutOfBand changes a component's version behind Ironic's back, as an operator
// with the BMC's own tools would: Ironic sees it the next time it reads the components.
func (b *BMC) FlashOutOfBand(id, component, version string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.systems[id]; s != nil {
		if component == "bios" {
			s.biosVersion = version
		} else {
			s.bmcVersion = version
		}
		s.note("flashed out of band: %s %s", component, version)
	}
}

// flashOnPowerCycle completes a BIOS flash once the machine was off and is on again.
func (s *bmcSystem) flashOnPowerCycle(on bool) {
	t := s.flashing
	if t == nil {
		return
	}
	if !on {
		t.sawOff = true
		return
	}
	if t.sawOff {
		s.biosVersion, t.state = t.version, "Completed"
		s.flashing = nil
	}
}

func (b *BMC) serveTask(w http.ResponseWriter, id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.taskByID[id]
	if t == nil {
		redfishError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI", "no task "+id)
		return
	}
	if t.component == "bmc" && t.state == "Running" {
		t.system.bmcVersion, t.state = t.version, "Completed"
	}
	status := http.StatusOK
	if t.state == "Running" {
		status = http.StatusAccepted
	}
	writeJSON(w, status, t.resource())
}
