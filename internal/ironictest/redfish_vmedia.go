//go:build linux

package ironictest

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// The BMC's virtual media: each system's manager has a virtual CD (media types CD and
// DVD) and a virtual USB stick (USBStick and Floppy), served both under
// Managers/<id>/VirtualMedia (where sushy looks on Ironic 21.4 and on every Ironic whose
// system has no VirtualMedia) and Systems/<id>/VirtualMedia (where Ironic 2024.1 and
// later look first), with the InsertMedia and EjectMedia actions and a PATCH of Image,
// Inserted and WriteProtected. A power-on with the boot override on Cd boots the
// inserted ISO: the BMC downloads it, reads it as ISO 9660 with its El Torito boot
// catalog, and follows its boot loader configuration (grub.cfg for UEFI, isolinux.cfg
// for BIOS) to the kernel and initrd it names; only an ISO that boots that way starts the
// machine's ramdisk (the Agent), which takes its kernel command line (Ironic's
// ipa-agent-token among it) from that configuration.

// VirtualMedia is one virtual media device of a system as the BMC holds it.
type VirtualMedia struct {
	// ID is the device's Id: "Cd" or "Usb".
	ID string
	// MediaTypes are the Redfish media types it takes: CD and DVD, or USBStick and Floppy.
	MediaTypes []string
	// Image is the URL of the inserted image ("" when none).
	Image string
	// Inserted and WriteProtected are as the last insert or PATCH left them.
	Inserted, WriteProtected bool
}

// CdBoot is what a power-on from the virtual CD found in the ISO inserted.
type CdBoot struct {
	// Image is the ISO's URL, as inserted.
	Image string
	// Mode is the boot mode the machine booted in: UEFI or Legacy (the boot override's
	// BootSourceOverrideMode).
	Mode string
	// Done: the BMC has read the ISO (or given up); until then nothing runs.
	Done bool
	// Err is why the ISO does not boot ("" when it does): not downloadable, not ISO 9660,
	// no El Torito entry for the boot mode, no boot loader configuration, or a kernel or
	// initrd the configuration names that the ISO does not hold.
	Err string
	// VolumeID is the primary volume descriptor's volume identifier.
	VolumeID string
	// Platforms are the El Torito boot catalog's platforms: "BIOS" (x86), "UEFI".
	Platforms []string
	// Files are the ISO's files (Rock Ridge names where present), path to size.
	Files map[string]int64
	// BootConfig is the boot loader configuration followed, e.g. "EFI/debian/grub.cfg".
	BootConfig string
	// Kernel and Initrd are the paths the configuration boots, KernelData and InitrdData
	// their contents.
	Kernel, Initrd         string
	KernelData, InitrdData []byte
	// CommandLine is the kernel command line the configuration gives.
	CommandLine string
}

// Param is a parameter of the kernel command line ("" when absent).
func (c CdBoot) Param(name string) string {
	for _, f := range strings.Fields(c.CommandLine) {
		if k, v, _ := strings.Cut(f, "="); k == name {
			return v
		}
	}
	return ""
}

// cdBoot is one boot from the virtual CD, filled in by the goroutine reading the ISO.
type cdBoot struct {
	mu sync.Mutex
	CdBoot
}

func (c *cdBoot) snapshot() CdBoot {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.CdBoot
	out.Platforms = slices.Clone(out.Platforms)
	return out
}

// vmediaDevices are the system's devices, created on first use.
func (s *bmcSystem) vmediaDevices() []*VirtualMedia {
	if s.media == nil {
		s.media = []*VirtualMedia{
			{ID: "Cd", MediaTypes: []string{"CD", "DVD"}, WriteProtected: true},
			{ID: "Usb", MediaTypes: []string{"USBStick", "Floppy"}, WriteProtected: true},
		}
	}
	return s.media
}

// VirtualMedia lists the system's virtual media devices as they are now.
func (b *BMC) VirtualMedia(id string) []VirtualMedia {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.systems[id]
	if s == nil {
		return nil
	}
	var out []VirtualMedia
	for _, m := range s.vmediaDevices() {
		c := *m
		c.MediaTypes = slices.Clone(m.MediaTypes)
		out = append(out, c)
	}
	return out
}

// BootedFrom is what the system's last power-on booted: "Pxe", "Cd" or "Hdd"; "" while
// it is off.
func (b *BMC) BootedFrom(id string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.systems[id]; s != nil {
		return s.bootedFrom
	}
	return ""
}

// CdBoots lists every boot of the system from its virtual CD, oldest first.
func (b *BMC) CdBoots(id string) []CdBoot {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.systems[id]
	if s == nil {
		return nil
	}
	out := make([]CdBoot, 0, len(s.cdBoots))
	for _, c := range s.cdBoots {
		out = append(out, c.snapshot())
	}
	return out
}

// bootCd boots the virtual CD (powerOn, under the BMC's lock): the ISO is read in the
// background, as a real machine takes its time to load it.
func (s *bmcSystem) bootCd() {
	s.bootedFrom = "Cd"
	c := &cdBoot{CdBoot: CdBoot{Mode: s.boot["BootSourceOverrideMode"]}}
	s.cdBoots = append(s.cdBoots, c)
	cd := s.vmediaDevices()[0]
	if !cd.Inserted || cd.Image == "" {
		c.Done, c.Err = true, "no media in the virtual CD"
		s.note("Boot Cd: %s", c.Err)
		return
	}
	c.Image = cd.Image
	s.note("Boot Cd %s", cd.Image)
	go c.read()
}

// isoLimit bounds the ISO the BMC downloads.
const isoLimit = 256 << 20

func (c *cdBoot) read() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var got CdBoot
	err := func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Image, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: HTTP %d", c.Image, resp.StatusCode)
		}
		iso, err := io.ReadAll(io.LimitReader(resp.Body, isoLimit+1))
		if err != nil {
			return fmt.Errorf("GET %s: %w", c.Image, err)
		}
		if len(iso) > isoLimit {
			return fmt.Errorf("%s is larger than %d bytes", c.Image, isoLimit)
		}
		got, err = bootISO(iso, c.Mode)
		return err
	}()
	c.mu.Lock()
	defer c.mu.Unlock()
	image, mode := c.Image, c.Mode
	c.CdBoot = got
	c.Image, c.Mode, c.Done = image, mode, true
	if err != nil {
		c.Err = err.Error()
	}
}

// ramdiskBoot tells whether the machine with any of these NICs, if it is a system of
// this BMC, runs a ramdisk now, and with which kernel command line. why says why not
// (the disk booted, the CD is still loading or does not boot); "" and no params for a
// network boot or a machine that is not this BMC's.
func (b *BMC) ramdiskBoot(macs []string) (params CdBoot, why string) {
	if b == nil {
		return CdBoot{}, ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.systems {
		if !slices.ContainsFunc(s.macs, func(mac string) bool {
			return slices.ContainsFunc(macs, func(x string) bool { return strings.EqualFold(x, mac) })
		}) {
			continue
		}
		switch s.bootedFrom {
		case "Hdd":
			return CdBoot{}, "the BMC booted the disk, not the network or a CD"
		case "Cd":
			c := s.cdBoots[len(s.cdBoots)-1].snapshot()
			switch {
			case !c.Done:
				return c, "the BMC is still reading the virtual CD"
			case c.Err != "":
				return c, "the virtual CD does not boot: " + c.Err
			}
			return c, ""
		}
		return CdBoot{}, ""
	}
	return CdBoot{}, ""
}

// serveVirtualMedia answers Managers/<id>/VirtualMedia... and Systems/<id>/VirtualMedia...;
// false for any other path.
func (b *BMC) serveVirtualMedia(w http.ResponseWriter, r *http.Request, p string) bool {
	rest, ok := strings.CutPrefix(p, "/redfish/v1/Managers/")
	if !ok {
		if rest, ok = strings.CutPrefix(p, "/redfish/v1/Systems/"); !ok {
			return false
		}
	}
	id, sub, _ := strings.Cut(rest, "/")
	dev, ok := strings.CutPrefix(sub, "VirtualMedia")
	if !ok || (dev != "" && dev[0] != '/') {
		return false
	}
	dev = strings.TrimPrefix(dev, "/")
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.systems[id]
	if s == nil {
		redfishError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI", "no system "+id)
		return true
	}
	base := strings.TrimSuffix(p, "/"+dev)
	if dev == "" {
		if r.Method != http.MethodGet {
			redfishError(w, http.StatusMethodNotAllowed, "Base.1.8.ActionNotSupported", r.Method+" "+p)
			return true
		}
		var ids []string
		for _, m := range s.vmediaDevices() {
			ids = append(ids, m.ID)
		}
		writeJSON(w, http.StatusOK, collection(p, "#VirtualMediaCollection.VirtualMediaCollection", ids))
		return true
	}
	name, action, _ := strings.Cut(dev, "/")
	var m *VirtualMedia
	for _, d := range s.vmediaDevices() {
		if d.ID == name {
			m = d
		}
	}
	if m == nil {
		redfishError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI", "no virtual media "+name)
		return true
	}
	var body map[string]any
	if r.Method == http.MethodPatch || r.Method == http.MethodPost {
		// EjectMedia comes with no body, or an empty one.
		if err := decodeOptional(w, r, &body); err != nil {
			redfishError(w, http.StatusBadRequest, "Base.1.8.MalformedJSON", err.Error())
			return true
		}
	}
	// The requests name the device by the path it was reached at: Managers/<id>/VirtualMedia/Cd
	// or Systems/<id>/VirtualMedia/Cd.
	at := strings.TrimPrefix(base+"/"+m.ID, "/redfish/v1/")
	switch {
	case action == "" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, m.resource(base+"/"+m.ID))
	case action == "" && r.Method == http.MethodPatch:
		s.patchMedia(w, m, at, body)
	case action == "Actions/VirtualMedia.InsertMedia" && r.Method == http.MethodPost:
		s.insertMedia(w, m, at, body)
	case action == "Actions/VirtualMedia.EjectMedia" && r.Method == http.MethodPost:
		m.Image, m.Inserted = "", false
		s.note("EjectMedia %s", at)
		w.WriteHeader(http.StatusNoContent)
	default:
		redfishError(w, http.StatusMethodNotAllowed, "Base.1.8.ActionNotSupported", r.Method+" "+p)
	}
	return true
}

func decodeOptional(w http.ResponseWriter, r *http.Request, out *map[string]any) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		return err
	}
	return json.Unmarshal(b, out)
}

func (m *VirtualMedia) resource(p string) map[string]any {
	connected := "NotConnected"
	if m.Inserted {
		connected = "URI"
	}
	imageName := ""
	if m.Image != "" {
		imageName = path.Base(m.Image)
	}
	var image any
	if m.Image != "" {
		image = m.Image
	}
	return map[string]any{
		"@odata.id": p, "@odata.type": "#VirtualMedia.v1_3_0.VirtualMedia", "Id": m.ID, "Name": "Virtual " + m.ID,
		"MediaTypes": m.MediaTypes, "Image": image, "ImageName": imageName, "Inserted": m.Inserted,
		"WriteProtected": m.WriteProtected, "ConnectedVia": connected, "TransferMethod": "Stream",
		"Actions": map[string]any{
			"#VirtualMedia.InsertMedia": map[string]string{"target": p + "/Actions/VirtualMedia.InsertMedia"},
			"#VirtualMedia.EjectMedia":  map[string]string{"target": p + "/Actions/VirtualMedia.EjectMedia"},
		},
	}
}

// insertMedia is VirtualMedia.InsertMedia: Image (required), Inserted and WriteProtected
// (default true); a device that holds an image refuses another, as real BMCs do.
func (s *bmcSystem) insertMedia(w http.ResponseWriter, m *VirtualMedia, at string, body map[string]any) {
	image, _ := body["Image"].(string)
	if !strings.HasPrefix(image, "http://") && !strings.HasPrefix(image, "https://") {
		redfishError(w, http.StatusBadRequest, "Base.1.8.ActionParameterValueFormatError",
			fmt.Sprintf("The value %v for the parameter Image in the action InsertMedia is of a different format than the parameter can accept.", body["Image"]))
		return
	}
	if m.Inserted {
		redfishError(w, http.StatusConflict, "Base.1.8.ResourceInUse", "virtual media "+m.ID+" already holds "+m.Image)
		return
	}
	inserted, protected := true, true
	for k, v := range body {
		switch k {
		case "Image", "TransferProtocolType", "TransferMethod", "UserName", "Password":
		case "Inserted", "WriteProtected":
			bv, ok := v.(bool)
			if !ok {
				redfishError(w, http.StatusBadRequest, "Base.1.8.ActionParameterValueTypeError", fmt.Sprintf("%s = %v", k, v))
				return
			}
			if k == "Inserted" {
				inserted = bv
			} else {
				protected = bv
			}
		default:
			redfishError(w, http.StatusBadRequest, "Base.1.8.ActionParameterUnknown", "InsertMedia has no parameter "+k)
			return
		}
	}
	m.Image, m.Inserted, m.WriteProtected = image, inserted, protected
	s.note("InsertMedia %s %s", at, image)
	w.WriteHeader(http.StatusNoContent)
}

// patchMedia is a PATCH of Image, Inserted and WriteProtected (sushy's way where a BMC
// has no actions); Image null ejects.
func (s *bmcSystem) patchMedia(w http.ResponseWriter, m *VirtualMedia, at string, body map[string]any) {
	next := *m
	for k, v := range body {
		switch k {
		case "Image":
			str, ok := v.(string)
			if v != nil && (!ok || (!strings.HasPrefix(str, "http://") && !strings.HasPrefix(str, "https://"))) {
				redfishError(w, http.StatusBadRequest, "Base.1.8.PropertyValueFormatError", fmt.Sprintf("Image = %v", v))
				return
			}
			next.Image = str
		case "Inserted", "WriteProtected":
			bv, ok := v.(bool)
			if !ok {
				redfishError(w, http.StatusBadRequest, "Base.1.8.PropertyValueTypeError", fmt.Sprintf("%s = %v", k, v))
				return
			}
			if k == "Inserted" {
				next.Inserted = bv
			} else {
				next.WriteProtected = bv
			}
		default:
			redfishError(w, http.StatusBadRequest, "Base.1.8.PropertyNotWritable", k+" cannot be changed")
			return
		}
	}
	if next.Image == "" {
		next.Inserted = false
	}
	*m = next
	s.note("PATCH %s %s", at, compactJSON(body))
	w.WriteHeader(http.StatusNoContent)
}

// bootISO reads an ISO 9660 image as firmware booting it in mode (UEFI or Legacy) would:
// its El Torito catalog must have an entry for the mode, and the boot loader's
// configuration (Ironic's grub.cfg for UEFI, isolinux.cfg for BIOS) must name a kernel
// and an initrd the ISO holds.
func bootISO(iso []byte, mode string) (CdBoot, error) {
	var c CdBoot
	fs, err := readISO(iso)
	if err != nil {
		return c, err
	}
	c.VolumeID, c.Platforms, c.Files = fs.volumeID, fs.platforms, map[string]int64{}
	for p, f := range fs.files {
		c.Files[p] = int64(len(f))
	}
	want, config := "UEFI", "grub.cfg"
	if strings.EqualFold(mode, "Legacy") {
		want, config = "BIOS", "isolinux.cfg"
	}
	if !slices.Contains(c.Platforms, want) {
		return c, fmt.Errorf("the ISO has no El Torito boot entry for %s (it has %v)", want, c.Platforms)
	}
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for p := range fs.files {
			if !yield(p) {
				return
			}
		}
	}) {
		if path.Base(p) == config {
			c.BootConfig = p
			break
		}
	}
	if c.BootConfig == "" {
		return c, fmt.Errorf("the ISO has no %s", config)
	}
	for _, line := range strings.Split(string(fs.files[c.BootConfig]), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "linux", "linuxefi", "kernel":
			if c.Kernel == "" {
				c.Kernel = f[1]
				if f[0] != "kernel" {
					c.CommandLine = strings.Join(f[2:], " ")
				}
			}
		case "initrd", "initrdefi":
			if c.Initrd == "" {
				c.Initrd = f[1]
			}
		case "append": // isolinux: append initrd=/initrd text <params> --
			var rest []string
			for _, a := range f[1:] {
				if v, ok := strings.CutPrefix(a, "initrd="); ok && c.Initrd == "" {
					c.Initrd = v
				} else {
					rest = append(rest, a)
				}
			}
			c.CommandLine = strings.Join(rest, " ")
		}
	}
	c.CommandLine = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(c.CommandLine), "--"))
	if c.Kernel == "" || c.Initrd == "" {
		return c, fmt.Errorf("%s names no kernel and initrd", c.BootConfig)
	}
	var ok bool
	if c.KernelData, ok = fs.files[strings.TrimPrefix(c.Kernel, "/")]; !ok {
		return c, fmt.Errorf("%s boots %s, which the ISO does not hold", c.BootConfig, c.Kernel)
	}
	if c.InitrdData, ok = fs.files[strings.TrimPrefix(c.Initrd, "/")]; !ok {
		return c, fmt.Errorf("%s boots the initrd %s, which the ISO does not hold", c.BootConfig, c.Initrd)
	}
	return c, nil
}

// isoFS is what the BMC reads of an ISO: its volume identifier, its El Torito
// platforms, and every file's contents by path.
type isoFS struct {
	volumeID  string
	platforms []string
	files     map[string][]byte
}

const isoSector = 2048

// readISO parses an ISO 9660 image: the primary volume descriptor (sector 16, "CD001"),
// the El Torito boot record and catalog, and the directory tree, with Rock Ridge names
// (the NM entries mkisofs -r writes) where present.
func readISO(iso []byte) (*isoFS, error) {
	sector := func(n uint32) []byte {
		if off := int64(n) * isoSector; off+isoSector <= int64(len(iso)) {
			return iso[off : off+isoSector]
		}
		return nil
	}
	fs := &isoFS{files: map[string][]byte{}}
	var root []byte
	for n := uint32(16); ; n++ {
		d := sector(n)
		if (d == nil || string(d[1:6]) != "CD001") && n > 16 && root != nil {
			break // no terminator: what was read is enough
		}
		if d == nil || string(d[1:6]) != "CD001" {
			return nil, errors.New("not an ISO 9660 image: no volume descriptor CD001 at sector 16")
		}
		switch d[0] {
		case 0: // boot record
			if strings.HasPrefix(string(d[7:39]), "EL TORITO SPECIFICATION") {
				fs.platforms = elTorito(sector(binary.LittleEndian.Uint32(d[71:75])))
			}
		case 1: // primary volume descriptor
			fs.volumeID = strings.TrimRight(string(d[40:72]), " \x00")
			root = d[156 : 156+34]
		}
		if d[0] == 255 {
			break
		}
	}
	if root == nil {
		return nil, errors.New("not an ISO 9660 image: no primary volume descriptor")
	}
	records := 0
	var walk func(extent, size uint32, dir string, depth int) error
	walk = func(extent, size uint32, dir string, depth int) error {
		if depth > 16 {
			return errors.New("directories nested too deep")
		}
		start, end := int64(extent)*isoSector, int64(extent)*isoSector+int64(size)
		if end > int64(len(iso)) {
			return fmt.Errorf("directory %q beyond the end of the image", dir)
		}
		for off := start; off < end; {
			n := int64(iso[off])
			if n == 0 { // records do not cross sectors: on to the next one
				off = (off/isoSector + 1) * isoSector
				continue
			}
			if n < 34 || off+n > end {
				return fmt.Errorf("bad directory record in %q", dir)
			}
			rec := iso[off : off+n]
			off += n
			if records++; records > 100000 {
				return errors.New("more than 100000 directory records")
			}
			nameLen := int(rec[32])
			if 33+nameLen+1-nameLen%2 > len(rec) {
				return fmt.Errorf("bad directory record in %q", dir)
			}
			raw := rec[33 : 33+nameLen]
			if nameLen == 1 && (raw[0] == 0 || raw[0] == 1) {
				continue // . and ..
			}
			name := rockRidgeName(rec[33+nameLen+(1-nameLen%2):])
			if name == "" {
				name = strings.ToLower(strings.TrimSuffix(strings.SplitN(string(raw), ";", 2)[0], "."))
			}
			p := path.Join(dir, name)
			ext, sz := binary.LittleEndian.Uint32(rec[2:6]), binary.LittleEndian.Uint32(rec[10:14])
			if rec[25]&2 != 0 {
				if err := walk(ext, sz, p, depth+1); err != nil {
					return err
				}
				continue
			}
			fstart := int64(ext) * isoSector
			if fstart+int64(sz) > int64(len(iso)) {
				return fmt.Errorf("file %q beyond the end of the image", p)
			}
			fs.files[p] = iso[fstart : fstart+int64(sz)]
		}
		return nil
	}
	if err := walk(binary.LittleEndian.Uint32(root[2:6]), binary.LittleEndian.Uint32(root[10:14]), "", 0); err != nil {
		return nil, err
	}
	return fs, nil
}

// elTorito lists the platforms of a boot catalog: the validation entry's, then each
// section header's.
func elTorito(cat []byte) []string {
	if len(cat) < 64 || cat[0] != 1 || cat[30] != 0x55 || cat[31] != 0xAA {
		return nil
	}
	platform := func(id byte) string {
		switch id {
		case 0:
			return "BIOS"
		case 0xEF:
			return "UEFI"
		}
		return fmt.Sprintf("platform %#x", id)
	}
	out := []string{platform(cat[1])}
	for off := 64; off+32 <= len(cat); off += 32 {
		if e := cat[off]; e == 0x90 || e == 0x91 {
			if p := platform(cat[off+1]); !slices.Contains(out, p) {
				out = append(out, p)
			}
			if e == 0x91 {
				break
			}
		}
	}
	return out
}

// rockRidgeName is the NM entry of a directory record's system use area, or "".
func rockRidgeName(su []byte) string {
	var name string
	for len(su) >= 4 {
		n := int(su[2])
		if n < 4 || n > len(su) {
			break
		}
		if string(su[0:2]) == "NM" && n >= 5 {
			name += string(su[5:n])
		}
		su = su[n:]
	}
	return name
}

// espFiles are the EFI boot loaders of Debian's shim-signed and grub-efi-amd64-signed,
// as the ESP image for Ironic's UEFI ISOs holds them.
var espFiles = [][2]string{
	{"/usr/lib/shim/shimx64.efi.signed", "EFI/BOOT/BOOTX64.EFI"},
	{"/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed", "EFI/BOOT/grubx64.efi"},
}

// buildESP writes the EFI system partition image Ironic puts into the UEFI ISOs it builds
// for virtual media ([DEFAULT] esp_image): a FAT image holding shim and GRUB, made with
// mkfs.vfat and mcopy (dosfstools, mtools), as Ironic's documentation shows.
func buildESP(file string) error {
	var size int64
	for _, f := range espFiles {
		st, err := os.Stat(f[0])
		if err != nil {
			return fmt.Errorf("no EFI boot loader (make deps installs shim-signed and grub-efi-amd64-signed): %w", err)
		}
		size += st.Size()
	}
	kib := size/1024 + 2048
	run := func(argv ...string) error {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", argv[0], err, out)
		}
		return nil
	}
	_ = os.Remove(file)
	mkfs, err := exec.LookPath("mkfs.vfat")
	if err != nil {
		mkfs = "/usr/sbin/mkfs.vfat"
	}
	if err := run(mkfs, "-C", "-n", "ESP_IMAGE", file, fmt.Sprint(kib)); err != nil {
		return err
	}
	if err := run("mmd", "-i", file, "::EFI", "::EFI/BOOT"); err != nil {
		return err
	}
	for _, f := range espFiles {
		if err := run("mcopy", "-i", file, f[0], "::"+f[1]); err != nil {
			return err
		}
	}
	return nil
}

// espImage is where Start builds the ESP image, or "" if it cannot (its tools or the boot
// loaders are missing; why is then in esp.img.error): Ironic's redfish-virtual-media boot
// interface then cannot build a UEFI ISO, and says so when a node tries.
func espImage(dir string) string {
	file := filepath.Join(dir, "esp.img")
	if err := buildESP(file); err != nil {
		_ = os.WriteFile(file+".error", []byte(err.Error()+"\n"), 0o644)
		return ""
	}
	return file
}
