//go:build linux

package ironictest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"time"
)

// hardwareManager is the only hardware manager the agent has, named and versioned as
// IPA's generic one.
const hardwareManager = "generic_hardware_manager"

// The steps the agent offers, as IPA's GenericHardwareManager reports them: only the
// ones it carries out. Priority 0 runs only when asked for; erase_devices_metadata (99)
// and erase_devices (10) are what automated cleaning runs.
var (
	deploySteps = []map[string]any{
		{"step": "erase_devices_metadata", "priority": 0, "interface": "deploy", "reboot_requested": false},
		{"step": "write_image", "priority": 0, "interface": "deploy", "reboot_requested": false,
			"argsinfo": map[string]any{"image_info": map[string]any{"description": "Image information", "required": true}}},
	}
	cleanSteps = []map[string]any{
		{"step": "erase_devices", "priority": 10, "interface": "deploy", "reboot_requested": false, "abortable": true},
		{"step": "erase_devices_metadata", "priority": 99, "interface": "deploy", "reboot_requested": false, "abortable": true},
		{"step": "erase_devices_express", "priority": 0, "interface": "deploy", "reboot_requested": false, "abortable": true},
	}
	// On a deployed machine IPA offers only steps that leave the disks be: the burn-ins
	// (of them, the agent runs those of CPU and memory) besides RAID and image steps.
	serviceSteps = []map[string]any{
		{"step": "burnin_cpu", "priority": 0, "interface": "deploy", "reboot_requested": false, "abortable": true},
		{"step": "burnin_memory", "priority": 0, "interface": "deploy", "reboot_requested": false, "abortable": true},
	}
)

// commands are the extensions' commands the conductor sends (agent_client.py).
var commands = map[string]handler{
	"deploy.get_deploy_steps": {run: stepsLister("deploy_steps", deploySteps)},
	"clean.get_clean_steps":   {run: stepsLister("clean_steps", cleanSteps)},
	// Servicing (Ironic 23.0 and later) runs steps on a deployed machine.
	"service.get_service_steps":    {run: stepsLister("service_steps", serviceSteps)},
	"service.execute_service_step": {async: true, run: stepRunner("service")},
	"deploy.execute_deploy_step":   {async: true, run: stepRunner("deploy")},
	"clean.execute_clean_step":     {async: true, run: stepRunner("clean")},
	"standby.get_partition_uuids":  {run: (*machine).partitionUUIDs},
	"standby.sync":                 {run: func(*machine, map[string]any) (map[string]any, error) { return nil, nil }},
	"standby.power_off":            {async: true, run: (*machine).shutdown},
	"image.install_bootloader": {async: true, run: func(*machine, map[string]any) (map[string]any, error) {
		return map[string]any{"result": "install_bootloader: the test agent boots whole-disk images only"}, nil
	}},
	"log.collect_system_logs": {run: (*machine).systemLogs},
	// Rescue: the conductor hands the rescue password over and the agent exits.
	"rescue.finalize_rescue": {run: (*machine).finalizeRescue},
}

func stepsLister(key string, steps []map[string]any) func(*machine, map[string]any) (map[string]any, error) {
	return func(*machine, map[string]any) (map[string]any, error) {
		return map[string]any{
			key:                        map[string]any{"GenericHardwareManager": steps},
			"hardware_manager_version": map[string]string{hardwareManager: "1.1"},
		}, nil
	}
}

// stepRunner executes a deploy or clean step and answers, as IPA's deploy and clean
// extensions, with the step itself beside its result: the conductor matches them.
func stepRunner(kind string) func(*machine, map[string]any) (map[string]any, error) {
	return func(m *machine, params map[string]any) (map[string]any, error) {
		step, _ := params["step"].(map[string]any)
		name, _ := step["step"].(string)
		var result any
		var err error
		switch name {
		case "write_image":
			args, _ := step["args"].(map[string]any)
			info, _ := args["image_info"].(map[string]any)
			cd, _ := args["configdrive"].(string)
			result, err = m.writeImage(info, cd)
		case "erase_devices_metadata", "erase_devices", "erase_devices_express":
			err = m.erase(name)
		case "burnin_cpu", "burnin_memory":
			node, _ := params["node"].(map[string]any)
			err = m.burnIn(name, node)
		default:
			err = newAgentError("HardwareManagerMethodNotFound", "No HardwareManager found to handle method",
				"Could not find method: "+name)
		}
		ran := kind + "." + name
		if err != nil {
			ran += " (failed)"
		}
		m.mu.Lock()
		m.steps = append(m.steps, ran)
		m.mu.Unlock()
		if err != nil {
			return nil, err
		}
		return map[string]any{kind + "_result": result, kind + "_step": step}, nil
	}
}

// burnIn stands for IPA's stress-ng run: it lasts the node's agent_burnin_cpu_timeout
// (or agent_burnin_vm_timeout) seconds, a day if unset, as IPA's does, or until the
// machine powers off.
func (m *machine) burnIn(step string, node map[string]any) error {
	key := map[string]string{"burnin_cpu": "agent_burnin_cpu_timeout", "burnin_memory": "agent_burnin_vm_timeout"}[step]
	info, _ := node["driver_info"].(map[string]any)
	seconds := 86400.0
	switch v := info[key].(type) {
	case float64:
		seconds = v
	case string:
		if _, err := fmt.Sscan(v, &seconds); err != nil {
			return newAgentError("CommandExecutionError", "Error executing command", fmt.Sprintf("stress-ng: bad %s %q", key, v))
		}
	}
	m.note("%s: stress-ng for %gs", step, seconds)
	m.mu.Lock()
	alive := m.alive
	m.mu.Unlock()
	select {
	case <-time.After(time.Duration(seconds * float64(time.Second))):
		return nil
	case <-alive.Done():
		return alive.Err()
	}
}

func (m *machine) partitionUUIDs(map[string]any) (map[string]any, error) {
	// A whole-disk image: IPA reports the disk's identifier as the root.
	return map[string]any{"root uuid": "0x" + m.uuid[:8]}, nil
}

// shutdown is IPA's soft power off: the command answers, then the machine is off.
func (m *machine) shutdown(map[string]any) (map[string]any, error) {
	go func() {
		time.Sleep(50 * time.Millisecond)
		m.powerOff("standby.power_off")
	}()
	return nil, nil
}

// systemLogs answers log.collect_system_logs with a tar.gz of the agent's log, as IPA
// sends its journal: the conductor stores it on a failure.
func (m *machine) systemLogs(map[string]any) (map[string]any, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	text := []byte(strings.Join(m.logLines(), "\n") + "\n")
	if err := tw.WriteHeader(&tar.Header{Name: "agent.log", Mode: 0o644, Size: int64(len(text)), ModTime: time.Now()}); err != nil {
		return nil, err
	}
	_, _ = tw.Write(text)
	_ = tw.Close()
	_ = gz.Close()
	return map[string]any{"system_logs": base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// metadataBytes is what ironic-lib's destroy_disk_metadata zeroes at each end of a disk:
// 33 sectors, the primary and the backup GPT (besides wipefs signatures).
const metadataBytes = 33 * 512

// erase runs an erase step, or fails it (AgentEraseFails) as IPA reports a disk that
// refuses it; a full erase takes EraseTime with AgentSlowErase.
func (m *machine) erase(step string) error {
	switch {
	case m.faultIs(AgentEraseFails):
		return newAgentError("BlockDeviceEraseError", "Error erasing block device",
			"Failed to erase block device /dev/sda: the disk refused the erase (fault injected by the test agent)")
	case step == "erase_devices_metadata":
		return m.eraseMetadata()
	case step == "erase_devices" && m.faultIs(AgentSlowErase):
		m.note("erase_devices: shredding for %s", m.agent.EraseTime)
		time.Sleep(m.agent.EraseTime)
	}
	return m.eraseAll()
}

func (m *machine) eraseMetadata() error {
	f, err := m.openDisk()
	if err != nil {
		return err
	}
	defer f.Close()
	zero := make([]byte, metadataBytes)
	if _, err := f.WriteAt(zero, 0); err != nil {
		return err
	}
	if _, err := f.WriteAt(zero, DiskSize-metadataBytes); err != nil {
		return err
	}
	m.note("erase_devices_metadata: the first and last %d bytes zeroed", metadataBytes)
	return f.Sync()
}

// eraseAll stands for a full erase (shred, ATA secure erase): every byte zero.
func (m *machine) eraseAll() error {
	f, err := m.openDisk()
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(0); err != nil {
		return err
	}
	if err := f.Truncate(DiskSize); err != nil {
		return err
	}
	m.note("erase_devices: the whole disk zeroed")
	return f.Sync()
}

// openDisk opens the machine's disk file, created (sparse, all zero) on first use.
func (m *machine) openDisk() (*os.File, error) {
	f, err := os.OpenFile(m.agent.DiskPath(m.uuid), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.Size() < DiskSize {
		if err := f.Truncate(DiskSize); err != nil {
			f.Close()
			return nil, fmt.Errorf("sizing the disk: %w", err)
		}
	}
	return f, nil
}
