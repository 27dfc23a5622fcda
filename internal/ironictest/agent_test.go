//go:build linux

package ironictest

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // Ironic's default image checksum
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/inventory"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// The agent against the real conductor, without Terraform: a direct deploy writes the
// image to the disk file, each fault ends the way Ironic reports it, and automated
// cleaning erases the disk's metadata.
func TestStartAgentDeploysThroughDirect(t *testing.T) {
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
	img := bytes.Repeat([]byte("a whole-disk image "), 5000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", "Mon, 02 Nov 2026 10:00:00 GMT")
		http.ServeContent(w, r, "os.img", time.Time{}, bytes.NewReader(img))
	}))
	defer srv.Close()
	md5sum := md5.Sum(img) //nolint:gosec
	sha := sha256.Sum256(img)

	deploy := func(t *testing.T, name string, fault AgentFault, info map[string]any) (*nodes.Node, error) {
		t.Helper()
		n, err := nodes.Create(ctx, p.SC, nodes.CreateOpts{Name: name, Driver: "manual-management", BootInterface: "pxe", DeployInterface: "direct",
			DriverInfo: map[string]any{"deploy_kernel": s.DeployKernel, "deploy_ramdisk": s.DeployRamdisk}}).Extract()
		if err != nil {
			t.Fatal(err)
		}
		mac := "52:54:00:aa:01:" + name[len(name)-2:]
		if _, err := ports.Create(ctx, p.SC, ports.CreateOpts{NodeUUID: n.UUID, Address: mac}).Extract(); err != nil {
			t.Fatal(err)
		}
		s.Agent.SetFault(mac, fault)
		if _, err := p.Reach(ctx, n.UUID, ironic.Goal{State: ironic.StateAvailable}); err != nil {
			t.Fatal(err)
		}
		if _, err := nodes.Update(ctx, p.SC, n.UUID, nodes.UpdateOpts{nodes.UpdateOperation{Op: nodes.AddOp, Path: "/instance_info", Value: info}}).Extract(); err != nil {
			t.Fatal(err)
		}
		dctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		return p.Reach(dctx, n.UUID, ironic.Goal{State: ironic.StateActive})
	}
	onDisk := func(t *testing.T, uuid string) {
		t.Helper()
		disk, err := s.Agent.Disk(uuid, len(img))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(disk, img) {
			t.Fatalf("the disk does not hold the image; agent log:\n%s", strings.Join(s.Agent.Log(uuid), "\n"))
		}
	}

	t.Run("md5", func(t *testing.T) {
		n, err := deploy(t, "agent-md5-01", AgentHealthy, map[string]any{"image_source": srv.URL + "/os.img", "image_checksum": hex.EncodeToString(md5sum[:])})
		if err != nil {
			t.Fatalf("%v; agent log:\n%s", err, strings.Join(s.Agent.Log(n.UUID), "\n"))
		}
		onDisk(t, n.UUID)
	})
	t.Run("sha256", func(t *testing.T) {
		n, err := deploy(t, "agent-sha-02", AgentHealthy, map[string]any{"image_source": srv.URL + "/os.img",
			"image_os_hash_algo": "sha256", "image_os_hash_value": hex.EncodeToString(sha[:])})
		if err != nil {
			t.Fatalf("%v; agent log:\n%s", err, strings.Join(s.Agent.Log(n.UUID), "\n"))
		}
		onDisk(t, n.UUID)
	})
	t.Run("corrupt", func(t *testing.T) {
		n, err := deploy(t, "agent-bad-03", AgentCorrupts, map[string]any{"image_source": srv.URL + "/os.img", "image_checksum": hex.EncodeToString(md5sum[:])})
		if err == nil || n.ProvisionState != "deploy failed" || !strings.Contains(n.LastError, "Image failed to verify against checksum") {
			t.Fatalf("want deploy failed with IPA's checksum error, got %v (node %+v)", err, n)
		}
	})
	t.Run("download", func(t *testing.T) {
		n, err := deploy(t, "agent-dl-04", AgentDownloadFails, map[string]any{"image_source": srv.URL + "/os.img", "image_checksum": hex.EncodeToString(md5sum[:])})
		if err == nil || n.ProvisionState != "deploy failed" || !strings.Contains(n.LastError, "Download of image os.img failed") {
			t.Fatalf("want deploy failed with IPA's download error, got %v (node %+v)", err, n)
		}
	})
}

// The inventory the harness's machines report has a disk Ironic's agent takes as the
// root disk without hints (it wants 4 GiB at least), of the disk file's size: a
// deployment to an inspected machine plans without "not checked" warnings.
func TestMachineInventoryRootDisk(t *testing.T) {
	b, err := json.Marshal(MachineInventory("52:54:00:00:00:01"))
	if err != nil {
		t.Fatal(err)
	}
	var inv inventory.InventoryType
	if err := json.Unmarshal(b, &inv); err != nil {
		t.Fatal(err)
	}
	choice := ironic.ChooseRootDisk(nil, "", nil, inv.Disks)
	if choice.Disk == nil || choice.Disk.Name != "/dev/sda" || choice.Disk.Size != DiskSize {
		t.Fatalf("the agent's choice among %+v: %+v", inv.Disks, choice)
	}
	a := &Agent{dir: t.TempDir()}
	m := &machine{agent: a, uuid: "00000000-0000-0000-0000-000000000001"}
	f, err := m.openDisk()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Size() != DiskSize {
		t.Fatalf("the disk file: %v %v", st, err)
	}
}

// A fault is the machine's surroundings: fixed while its ramdisk runs, the running
// ramdisk is fixed too (the conductor may reuse it); a silent ramdisk only from the
// next boot; another machine is not touched.
func TestSetFaultReachesRunningRamdisk(t *testing.T) {
	a := &Agent{faults: map[string]AgentFault{}, machines: map[string]*machine{}}
	running := &machine{uuid: "u-1", name: "web-1", macs: []string{"52:54:00:00:00:01"}, on: true, fault: AgentDownloadFails}
	other := &machine{uuid: "u-2", name: "web-2", on: true, fault: AgentDownloadFails}
	a.machines["u-1"], a.machines["u-2"] = running, other
	a.SetFault("WEB-1", AgentHealthy)
	if running.fault != AgentHealthy || other.fault != AgentDownloadFails {
		t.Fatalf("after healing web-1: web-1 %q, web-2 %q", running.fault, other.fault)
	}
	a.SetFault("52:54:00:00:00:01", AgentCorrupts)
	if running.fault != AgentCorrupts {
		t.Fatalf("by MAC: %q", running.fault)
	}
	a.SetFault("u-1", AgentSilent)
	if running.fault != AgentCorrupts || a.faults["u-1"] != AgentSilent {
		t.Fatalf("silent reached a running ramdisk: %q", running.fault)
	}
}
