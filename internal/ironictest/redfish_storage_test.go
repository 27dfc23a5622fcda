//go:build linux

package ironictest

import (
	"net/http"
	"strings"
	"testing"
)

// The BMC's RAID controller as Ironic's redfish RAID interface uses it: a volume on two
// SSDs is built at once; one the drives cannot hold once the metadata is kept (the
// drives' full size, which Ironic's own arithmetic accepts), one on drives already
// used up, and a RAID type over too few drives are refused with Redfish errors; a
// DELETE frees the drives; SetDrives replaces them.
func TestBMCStorage(t *testing.T) {
	b, err := startBMC(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	sys := b.AddSystem("s1", "52:54:00:00:00:01")
	do := func(method, path string, body any) (int, string, http.Header) {
		t.Helper()
		code, out, h := bmcCall(t, b, method, path, body)
		return code, string(out), h
	}
	if code, body, _ := do("GET", sys, nil); code != 200 || !strings.Contains(body, `"Storage":{"@odata.id":"/redfish/v1/Systems/s1/Storage"}`) {
		t.Fatalf("system: %d %s", code, body)
	}
	if code, body, _ := do("GET", sys+"/Storage/1", nil); code != 200 || !strings.Contains(body, `"SupportedRAIDTypes":["RAID0","RAID1","RAID5","RAID6","RAID10"]`) ||
		!strings.Contains(body, `/Storage/1/Drives/Disk.3`) {
		t.Fatalf("controller: %d %s", code, body)
	}
	if code, body, _ := do("GET", sys+"/Storage/1/Drives/Disk.0", nil); code != 200 || !strings.Contains(body, `"CapacityBytes":536870912000`) ||
		!strings.Contains(body, `"MediaType":"SSD"`) || !strings.Contains(body, `"Protocol":"SAS"`) {
		t.Fatalf("drive: %d %s", code, body)
	}
	ssds := map[string]any{"Drives": []map[string]string{{"@odata.id": sys + "/Storage/1/Drives/Disk.0"}, {"@odata.id": sys + "/Storage/1/Drives/Disk.1"}}}
	full := map[string]any{"RAIDType": "RAID1", "CapacityBytes": 500 * GiB, "Links": ssds, "@Redfish.OperationApplyTime": "Immediate"}
	if code, body, _ := do("POST", sys+"/Storage/1/Volumes", full); code != 400 || !strings.Contains(body, "exceeds the 536602476544 bytes drives Disk.0, Disk.1 can hold") {
		t.Fatalf("a volume of the drives' full size: %d %s", code, body)
	}
	root := map[string]any{"RAIDType": "RAID1", "CapacityBytes": 100 * GiB, "Links": ssds, "Name": "root"}
	code, body, h := do("POST", sys+"/Storage/1/Volumes", root)
	if code != 201 || h.Get("Location") != sys+"/Storage/1/Volumes/1" || !strings.Contains(body, `"RAIDType":"RAID1"`) {
		t.Fatalf("a root volume: %d %s %v", code, body, h)
	}
	if v := b.Volumes("s1"); len(v) != 1 || v[0].Name != "root" || v[0].CapacityBytes != 100*GiB || strings.Join(v[0].Drives, ",") != "Disk.0,Disk.1" {
		t.Fatalf("volumes: %+v", v)
	}
	if code, body, _ := do("POST", sys+"/Storage/1/Volumes", map[string]any{"RAIDType": "RAID1", "CapacityBytes": 450 * GiB, "Links": ssds}); code != 400 ||
		!strings.Contains(body, "volumes 1 (RAID1) already use them") {
		t.Fatalf("a second volume on used drives: %d %s", code, body)
	}
	if code, body, _ := do("POST", sys+"/Storage/1/Volumes", map[string]any{"RAIDType": "RAID5", "Links": ssds}); code != 400 || !strings.Contains(body, "cannot be built on 2 drives") {
		t.Fatalf("RAID5 on two drives: %d %s", code, body)
	}
	if code, body, _ := do("GET", sys+"/Storage/1/Volumes", nil); code != 200 || !strings.Contains(body, `"SupportedValues":["Immediate"]`) || !strings.Contains(body, "Volumes/1") {
		t.Fatalf("volume collection: %d %s", code, body)
	}
	if code, _, _ := do("DELETE", sys+"/Storage/1/Volumes/1", map[string]any{"@Redfish.OperationApplyTime": "Immediate"}); code != 204 || len(b.Volumes("s1")) != 0 {
		t.Fatalf("delete: %d %v", code, b.Volumes("s1"))
	}
	// No CapacityBytes: the most the drives hold.
	if code, body, _ := do("POST", sys+"/Storage/1/Volumes", map[string]any{"RAIDType": "RAID1", "Links": ssds}); code != 201 || !strings.Contains(body, `"CapacityBytes":536602476544`) {
		t.Fatalf("a volume without a size: %d %s", code, body)
	}
	b.SetDrives("s1", Drive{ID: "nvme0", CapacityBytes: 10 * GiB, MediaType: "SSD", Protocol: "SAS"})
	if code, body, _ := do("GET", sys+"/Storage/1", nil); code != 200 || strings.Contains(body, "Disk.0") || !strings.Contains(body, "Drives/nvme0") || len(b.Volumes("s1")) != 0 {
		t.Fatalf("after SetDrives: %d %s", code, body)
	}
}
