//go:build linux

package ironictest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The BMC's Redfish Storage: each system has one RAID controller (Storage/1) with its
// drives and the volumes built on them, as Ironic's redfish RAID interface reads and
// changes them through sushy: the controller's SupportedRAIDTypes (StorageControllers),
// each drive's CapacityBytes, MediaType and Protocol, and the Volumes collection, where
// a POST builds a volume (RAIDType, CapacityBytes, Links.Drives; no CapacityBytes: the
// most the drives hold) and a DELETE removes one. Both apply immediately (the
// collection's OperationApplyTimeSupport says Immediate, which Ironic prefers), so a
// volume is there as soon as Ironic's step asked for it. (OnReset would answer with a
// task monitor and have Ironic reboot the machine, but Ironic polls such tasks only for
// nodes in clean wait or deploy wait, up to 2026.1: a servicing would never resume.)
// Like a real controller, the
// BMC keeps RAIDMetadataBytes of every drive for its RAID metadata and refuses, with a
// Redfish error, a volume its drives cannot hold, a RAID type it does not support or
// drives another volume already uses; Ironic's own arithmetic counts the whole drive,
// so a layout that fills the drives exactly passes Ironic and is refused here.

// Drive is a physical drive of a system's RAID controller.
type Drive struct {
	ID            string // the drive's Redfish Id, as Ironic's physical_disks name it
	CapacityBytes int64
	MediaType     string // HDD or SSD
	Protocol      string // SAS or SATA (the ones Ironic's redfish RAID maps)
}

// Volume is a logical volume the controller built.
type Volume struct {
	ID, Name      string
	RAIDType      string // RAID0, RAID1, RAID5, RAID6, RAID10
	CapacityBytes int64
	Drives        []string // the drives' Ids
}

// GiB is 2^30 bytes, the unit of Ironic's size_gb.
const GiB = int64(1) << 30

// RAIDMetadataBytes is what the controller keeps of every drive for its metadata.
const RAIDMetadataBytes = 256 << 20

// DefaultDrives are the drives of a new system: two 500 GiB SAS SSDs and two 2 TiB SATA
// HDDs.
var DefaultDrives = []Drive{
	{ID: "Disk.0", CapacityBytes: 500 * GiB, MediaType: "SSD", Protocol: "SAS"},
	{ID: "Disk.1", CapacityBytes: 500 * GiB, MediaType: "SSD", Protocol: "SAS"},
	{ID: "Disk.2", CapacityBytes: 2048 * GiB, MediaType: "HDD", Protocol: "SATA"},
	{ID: "Disk.3", CapacityBytes: 2048 * GiB, MediaType: "HDD", Protocol: "SATA"},
}

// raidTypes are the RAID types the controller builds.
var raidTypes = []string{"RAID0", "RAID1", "RAID5", "RAID6", "RAID10"}

type bmcStorage struct {
	drives  []Drive
	volumes []Volume
	next    int // the last volume number given
}

// storageOf is the system's controller, with DefaultDrives until SetDrives.
func (s *bmcSystem) storageOf() *bmcStorage {
	if s.storage == nil {
		s.storage = &bmcStorage{drives: slices.Clone(DefaultDrives)}
	}
	return s.storage
}

// SetDrives replaces the drives of the system's RAID controller (its volumes go with
// them).
func (b *BMC) SetDrives(id string, drives ...Drive) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.systems[id]; s != nil {
		s.storage = &bmcStorage{drives: slices.Clone(drives)}
	}
}

// Volumes are the volumes the system's RAID controller holds now, oldest first.
func (b *BMC) Volumes(id string) []Volume {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.systems[id]
	if s == nil {
		return nil
	}
	out := slices.Clone(s.storageOf().volumes)
	for i := range out {
		out[i].Drives = slices.Clone(out[i].Drives)
	}
	return out
}

func storagePath(id string) string { return systemPath(id) + "/Storage" }

// serveStorage answers under Systems/<id>/Storage (sub is the path after the system's),
// with b.mu held.
func (b *BMC) serveStorage(w http.ResponseWriter, r *http.Request, s *bmcSystem, sub string, body map[string]any) {
	st := s.storageOf()
	base := storagePath(s.id) + "/1"
	rest, inController := strings.CutPrefix(sub, "Storage/1")
	switch {
	case sub == "Storage" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, collection(storagePath(s.id), "#StorageCollection.StorageCollection", []string{"1"}))
	case inController && rest == "" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, st.resource(base))
	case inController && strings.HasPrefix(rest, "/Drives/") && r.Method == http.MethodGet:
		d := st.drive(strings.TrimPrefix(rest, "/Drives/"))
		if d == nil {
			redfishError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI", "no drive at "+r.URL.Path)
			return
		}
		writeJSON(w, http.StatusOK, d.resource(base))
	case inController && rest == "/Volumes" && r.Method == http.MethodGet:
		ids := make([]string, 0, len(st.volumes))
		for _, v := range st.volumes {
			ids = append(ids, v.ID)
		}
		c := collection(base+"/Volumes", "#VolumeCollection.VolumeCollection", ids)
		c["@Redfish.OperationApplyTimeSupport"] = map[string]any{
			"@odata.type": "#Settings.v1_3_0.OperationApplyTimeSupport", "SupportedValues": []string{"Immediate"}}
		writeJSON(w, http.StatusOK, c)
	case inController && rest == "/Volumes" && r.Method == http.MethodPost:
		v, status, msgID, msg := st.create(base, body)
		if status != http.StatusCreated {
			s.note("POST Storage/1/Volumes %s refused: %s", compactJSON(body), msg)
			redfishError(w, status, msgID, msg)
			return
		}
		s.note("POST Storage/1/Volumes %s: %s", compactJSON(body), v.ID)
		w.Header().Set("Location", base+"/Volumes/"+v.ID)
		writeJSON(w, http.StatusCreated, v.resource(base))
	case inController && strings.HasPrefix(rest, "/Volumes/"):
		i := slices.IndexFunc(st.volumes, func(v Volume) bool { return v.ID == strings.TrimPrefix(rest, "/Volumes/") })
		switch {
		case i < 0:
			redfishError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI", "no volume at "+r.URL.Path)
		case r.Method == http.MethodGet:
			writeJSON(w, http.StatusOK, st.volumes[i].resource(base))
		case r.Method == http.MethodDelete:
			s.note("DELETE Storage/1/Volumes/%s", st.volumes[i].ID)
			st.volumes = slices.Delete(st.volumes, i, i+1)
			w.WriteHeader(http.StatusNoContent)
		default:
			redfishError(w, http.StatusMethodNotAllowed, "Base.1.8.ActionNotSupported", r.Method+" "+r.URL.Path)
		}
	default:
		redfishError(w, http.StatusMethodNotAllowed, "Base.1.8.ActionNotSupported", r.Method+" "+r.URL.Path)
	}
}

func (st *bmcStorage) resource(base string) map[string]any {
	drives := make([]map[string]string, 0, len(st.drives))
	for _, d := range st.drives {
		drives = append(drives, map[string]string{"@odata.id": base + "/Drives/" + d.ID})
	}
	return map[string]any{
		"@odata.id": base, "@odata.type": "#Storage.v1_8_0.Storage", "Id": "1", "Name": "RAID controller",
		"Status": map[string]string{"State": "Enabled", "Health": "OK"},
		"Drives": drives, "Drives@odata.count": len(drives),
		"StorageControllers": []map[string]any{{
			"@odata.id": base + "#/StorageControllers/0", "MemberId": "0", "Name": "RAID controller 0",
			"Status":                       map[string]string{"State": "Enabled", "Health": "OK"},
			"SupportedControllerProtocols": []string{"PCIe"}, "SupportedDeviceProtocols": []string{"SAS", "SATA"},
			"SupportedRAIDTypes": raidTypes,
		}},
		"Volumes": map[string]string{"@odata.id": base + "/Volumes"},
	}
}

func (st *bmcStorage) drive(id string) *Drive {
	for i := range st.drives {
		if st.drives[i].ID == id {
			return &st.drives[i]
		}
	}
	return nil
}

func (d *Drive) resource(base string) map[string]any {
	return map[string]any{
		"@odata.id": base + "/Drives/" + d.ID, "@odata.type": "#Drive.v1_9_0.Drive", "Id": d.ID, "Name": d.ID,
		"CapacityBytes": d.CapacityBytes, "MediaType": d.MediaType, "Protocol": d.Protocol, "BlockSizeBytes": 512,
		"Status": map[string]string{"State": "Enabled", "Health": "OK"},
	}
}

func (v *Volume) resource(base string) map[string]any {
	drives := make([]map[string]string, 0, len(v.Drives))
	for _, d := range v.Drives {
		drives = append(drives, map[string]string{"@odata.id": base + "/Drives/" + d})
	}
	return map[string]any{
		"@odata.id": base + "/Volumes/" + v.ID, "@odata.type": "#Volume.v1_6_0.Volume", "Id": v.ID, "Name": v.Name,
		"RAIDType": v.RAIDType, "VolumeType": volumeTypes[v.RAIDType], "CapacityBytes": v.CapacityBytes, "BlockSizeBytes": 512,
		"Status": map[string]string{"State": "Enabled", "Health": "OK"},
		"Links":  map[string]any{"Drives": drives, "Drives@odata.count": len(drives)},
	}
}

// volumeTypes is the (deprecated, still read) VolumeType of each RAID type.
var volumeTypes = map[string]string{"RAID0": "NonRedundant", "RAID1": "Mirrored", "RAID5": "StripedWithParity",
	"RAID6": "StripedWithParity", "RAID10": "SpannedMirrors"}

// dataDrives is how many of n drives hold data in a volume of the RAID type, or 0 when
// the type cannot be built on n drives.
func dataDrives(raidType string, n int) int {
	switch {
	case raidType == "RAID0" && n >= 1:
		return n
	case raidType == "RAID1" && n == 2:
		return 1
	case raidType == "RAID5" && n >= 3:
		return n - 1
	case raidType == "RAID6" && n >= 4:
		return n - 2
	case raidType == "RAID10" && n >= 4 && n%2 == 0:
		return n / 2
	}
	return 0
}

// create builds the volume a POST asks for, or says why not (status, message id,
// message).
func (st *bmcStorage) create(base string, body map[string]any) (Volume, int, string, string) {
	raidType, _ := body["RAIDType"].(string)
	if !slices.Contains(raidTypes, raidType) {
		return Volume{}, http.StatusBadRequest, "Base.1.8.PropertyValueNotInList",
			fmt.Sprintf("The value %q for the property RAIDType is not in the list of acceptable values %v.", raidType, raidTypes)
	}
	links, _ := body["Links"].(map[string]any)
	refs, _ := links["Drives"].([]any)
	var drives []*Drive
	for _, ref := range refs {
		m, _ := ref.(map[string]any)
		p, _ := m["@odata.id"].(string)
		d := st.drive(strings.TrimPrefix(p, base+"/Drives/"))
		if d == nil || !strings.HasPrefix(p, base+"/Drives/") || slices.Contains(drives, d) {
			return Volume{}, http.StatusBadRequest, "Base.1.8.PropertyValueIncorrect",
				fmt.Sprintf("Links.Drives names %q, which is not a drive of this controller (or is named twice).", p)
		}
		drives = append(drives, d)
	}
	data := dataDrives(raidType, len(drives))
	if data == 0 {
		return Volume{}, http.StatusBadRequest, "Base.1.8.PropertyValueIncorrect",
			fmt.Sprintf("A %s volume cannot be built on %d drives.", raidType, len(drives))
	}
	ids := make([]string, len(drives))
	free := int64(-1) // the least room left on the drives, metadata and other volumes kept
	for i, d := range drives {
		ids[i] = d.ID
		if room := d.CapacityBytes - RAIDMetadataBytes - st.used(d.ID); free < 0 || room < free {
			free = room
		}
	}
	most := free * int64(data)
	size := most
	if raw, ok := body["CapacityBytes"]; ok {
		n, _ := raw.(float64)
		if n <= 0 {
			return Volume{}, http.StatusBadRequest, "Base.1.8.PropertyValueIncorrect",
				fmt.Sprintf("The value %v for the property CapacityBytes is not a positive number of bytes.", raw)
		}
		size = int64(n)
	}
	if size > most {
		return Volume{}, http.StatusBadRequest, "Base.1.8.PropertyValueOutOfRange",
			fmt.Sprintf("The requested capacity of %d bytes for a %s volume exceeds the %d bytes drives %s can hold "+
				"(%d bytes of each drive are kept for RAID metadata%s).", size, raidType, max(most, 0), strings.Join(ids, ", "),
				RAIDMetadataBytes, st.usedBy(ids))
	}
	st.next++
	v := Volume{ID: strconv.Itoa(st.next), RAIDType: raidType, CapacityBytes: size, Drives: ids}
	v.Name, _ = body["Name"].(string)
	if v.Name == "" {
		v.Name = "Volume " + v.ID
	}
	st.volumes = append(st.volumes, v)
	return v, http.StatusCreated, "", ""
}

// used is how many bytes of the drive the volumes on it take.
func (st *bmcStorage) used(drive string) int64 {
	var n int64
	for _, v := range st.volumes {
		if slices.Contains(v.Drives, drive) {
			data := int64(dataDrives(v.RAIDType, len(v.Drives)))
			n += (v.CapacityBytes + data - 1) / data
		}
	}
	return n
}

// usedBy names the volumes already on any of the drives, for a refusal.
func (st *bmcStorage) usedBy(drives []string) string {
	var on []string
	for _, v := range st.volumes {
		if slices.ContainsFunc(v.Drives, func(d string) bool { return slices.Contains(drives, d) }) {
			on = append(on, fmt.Sprintf("%s (%s)", v.ID, v.RAIDType))
		}
	}
	if len(on) == 0 {
		return ""
	}
	return "; volumes " + strings.Join(on, ", ") + " already use them"
}
