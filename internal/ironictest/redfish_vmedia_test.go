//go:build linux

package ironictest

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// makeISO builds an ISO from these files, as Ironic does (BuildISO).
func makeISO(t testing.TB, files map[string]string) []byte {
	t.Helper()
	raw := map[string][]byte{}
	for name, body := range files {
		raw[name] = []byte(body)
	}
	iso, err := BuildISO(t.TempDir(), "VMEDIA_BOOT_ISO", raw)
	if errors.Is(err, ErrNoMkisofs) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return iso
}

// Virtual media as sushy drives it (on Ironic 21.4 through the manager, on 2024.1 and
// later through the system): insert by action and by PATCH, eject, a one-time boot from
// the CD that reads the ISO's El Torito catalog and grub.cfg down to the kernel, initrd
// and command line, and the machine's ramdisk held back until then; an ISO that does not
// boot, an empty drive and a busy drive are refused or recorded as such.
func TestBMCVirtualMedia(t *testing.T) {
	grub := "set default=0\nmenuentry \"boot_partition\" {\nlinuxefi /vmlinuz ipa-agent-token=s3cret boot_method=vmedia --\ninitrdefi /initrd\n}\n"
	good := makeISO(t, map[string]string{"vmlinuz": "test agent ipa.kernel\n", "initrd": "test agent ipa.initramfs\n",
		"EFI/debian/grub.cfg": grub, "boot/grub/efiboot.img": strings.Repeat("\x00", 4096)})
	noEFI := makeISO(t, map[string]string{"vmlinuz": "k", "initrd": "i", "EFI/debian/grub.cfg": grub})
	isos := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/good.iso":
			_, _ = w.Write(good)
		case "/noefi.iso":
			_, _ = w.Write(noEFI)
		case "/text.iso":
			_, _ = io.WriteString(w, "not an ISO")
		default:
			http.NotFound(w, r)
		}
	}))
	defer isos.Close()

	b, err := startBMC(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	mac := "52:54:00:00:00:07"
	sys := b.AddSystem("s1", mac)
	do := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		return bmcJSON(t, b, method, path, body)
	}
	// Where sushy finds it: the system's and the manager's VirtualMedia links.
	_, system := do("GET", sys, nil)
	_, manager := do("GET", "/redfish/v1/Managers/s1", nil)
	for _, r := range []map[string]any{system, manager} {
		link, _ := r["VirtualMedia"].(map[string]any)
		if _, coll := do("GET", link["@odata.id"].(string), nil); coll["Members@odata.count"] != float64(2) {
			t.Fatalf("virtual media collection at %v: %v", link, coll)
		}
	}
	cd := "/redfish/v1/Managers/s1/VirtualMedia/Cd"
	_, dev := do("GET", cd, nil)
	if dev["Inserted"] != false || !slices.Equal(dev["MediaTypes"].([]any), []any{"CD", "DVD"}) {
		t.Fatalf("the CD: %v", dev)
	}
	insert := dev["Actions"].(map[string]any)["#VirtualMedia.InsertMedia"].(map[string]any)["target"].(string)
	eject := dev["Actions"].(map[string]any)["#VirtualMedia.EjectMedia"].(map[string]any)["target"].(string)

	// Booting an empty CD boots nothing.
	do("PATCH", sys, map[string]any{"Boot": map[string]any{"BootSourceOverrideTarget": "Cd", "BootSourceOverrideEnabled": "Continuous"}})
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "On"})
	if _, why := b.ramdiskBoot("", []string{mac}); !strings.Contains(why, "no media in the virtual CD") {
		t.Fatalf("an empty CD: %q", why)
	}
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "ForceOff"})

	if code, _ := do("POST", insert, map[string]any{"Image": "ftp://nowhere/x.iso"}); code != http.StatusBadRequest {
		t.Fatalf("an ftp image: HTTP %d", code)
	}
	if code, _ := do("POST", insert, map[string]any{"Image": isos.URL + "/good.iso", "Inserted": true, "WriteProtected": true}); code != http.StatusNoContent {
		t.Fatalf("InsertMedia: HTTP %d", code)
	}
	if code, _ := do("POST", insert, map[string]any{"Image": isos.URL + "/other.iso"}); code != http.StatusConflict {
		t.Fatalf("InsertMedia into a full drive: HTTP %d", code)
	}
	// The same device seen through the system.
	if _, d := do("GET", sys+"/VirtualMedia/Cd", nil); d["Image"] != isos.URL+"/good.iso" || d["Inserted"] != true || d["ImageName"] != "good.iso" {
		t.Fatalf("the CD through the system: %v", d)
	}
	do("PATCH", sys, map[string]any{"Boot": map[string]any{"BootSourceOverrideTarget": "Cd", "BootSourceOverrideEnabled": "Once"}})
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "On"})
	if b.BootedFrom("s1") != "Cd" {
		t.Fatalf("booted from %q", b.BootedFrom("s1"))
	}
	boot := waitCdBoot(t, b, "s1", 2)
	if boot.Err != "" || boot.Kernel != "/vmlinuz" || string(boot.KernelData) != "test agent ipa.kernel\n" ||
		string(boot.InitrdData) != "test agent ipa.initramfs\n" || boot.BootConfig != "EFI/debian/grub.cfg" ||
		boot.VolumeID != "VMEDIA_BOOT_ISO" || !slices.Contains(boot.Platforms, "UEFI") || boot.Param("ipa-agent-token") != "s3cret" ||
		boot.CommandLine != "ipa-agent-token=s3cret boot_method=vmedia" {
		t.Fatalf("the CD boot: %+v", boot)
	}
	if got, why := b.ramdiskBoot("", []string{mac}); why != "" || got.Param("boot_method") != "vmedia" {
		t.Fatalf("the ramdisk of a CD boot: %q %+v", why, got)
	}
	// Found by its system too (a node cleaned before its ports exist has no MACs).
	if got, why := b.ramdiskBoot("s1", nil); why != "" || got.Param("ipa-agent-token") != "s3cret" {
		t.Fatalf("the ramdisk of a CD boot, by system: %q %+v", why, got)
	}
	// Once: the next power-on boots the disk.
	do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "ForceRestart"})
	if b.BootedFrom("s1") != "Hdd" {
		t.Fatalf("after a one-time CD boot the machine booted %q", b.BootedFrom("s1"))
	}
	if code, _ := do("POST", eject, nil); code != http.StatusNoContent || b.VirtualMedia("s1")[0].Inserted {
		t.Fatalf("EjectMedia: HTTP %d, %+v", code, b.VirtualMedia("s1"))
	}

	// sushy's PATCH of Image and Inserted, on a BMC without the actions; ISOs that do
	// not boot in UEFI.
	for _, c := range []struct{ iso, err string }{
		{"/noefi.iso", "no El Torito boot entry for UEFI"},
		{"/text.iso", "not an ISO 9660 image"},
		{"/missing.iso", "HTTP 404"},
	} {
		if code, _ := do("PATCH", cd, map[string]any{"Image": isos.URL + c.iso, "Inserted": true, "WriteProtected": true}); code != http.StatusNoContent {
			t.Fatalf("PATCH %s: HTTP %d", c.iso, code)
		}
		do("PATCH", sys, map[string]any{"Boot": map[string]any{"BootSourceOverrideTarget": "Cd", "BootSourceOverrideEnabled": "Once"}})
		do("POST", sys+"/Actions/ComputerSystem.Reset", map[string]any{"ResetType": "ForceRestart"})
		boots := len(b.CdBoots("s1"))
		if boot := waitCdBoot(t, b, "s1", boots); !strings.Contains(boot.Err, c.err) {
			t.Fatalf("%s: %+v", c.iso, boot)
		}
		if _, why := b.ramdiskBoot("", []string{mac}); !strings.Contains(why, c.err) {
			t.Fatalf("%s: the ramdisk runs (%q)", c.iso, why)
		}
		do("PATCH", cd, map[string]any{"Image": nil, "Inserted": false})
	}
	if v := b.VirtualMedia("s1")[0]; v.Inserted || v.Image != "" {
		t.Fatalf("after a PATCH eject: %+v", v)
	}
	if r := strings.Join(b.Requests("s1"), "\n"); !strings.Contains(r, "InsertMedia Managers/s1/VirtualMedia/Cd "+isos.URL+"/good.iso") ||
		!strings.Contains(r, "EjectMedia Managers/s1/VirtualMedia/Cd") || !strings.Contains(r, `PATCH Managers/s1/VirtualMedia/Cd {"Image":null,"Inserted":false}`) {
		t.Fatalf("requests: %s", r)
	}
}

// waitCdBoot waits for the system's n-th CD boot to have read its ISO.
func waitCdBoot(t *testing.T, b *BMC, id string, n int) CdBoot {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		boots := b.CdBoots(id)
		if len(boots) >= n && boots[n-1].Done {
			return boots[n-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("CD boot %d of %s not done: %+v", n, id, boots)
		}
	}
}

// A BIOS ISO as Ironic's create_isolinux_image_for_bios builds it boots in Legacy mode
// through isolinux.cfg, and not in UEFI mode.
func TestBootISOLegacy(t *testing.T) {
	iso := makeISO(t, map[string]string{"vmlinuz": "kernel", "initrd": "ramdisk", "isolinux/isolinux.bin": strings.Repeat("\x00", 2048),
		"isolinux/isolinux.cfg": "default boot\n\nlabel boot\nkernel /vmlinuz\nappend initrd=/initrd text ipa-agent-token=t0k boot_method=vmedia --\n"})
	c, err := bootISO(iso, "Legacy")
	if err != nil || c.BootConfig != "isolinux/isolinux.cfg" || string(c.KernelData) != "kernel" || string(c.InitrdData) != "ramdisk" ||
		c.CommandLine != "text ipa-agent-token=t0k boot_method=vmedia" || !slices.Equal(c.Platforms, []string{"BIOS"}) {
		t.Fatalf("Legacy boot: %+v, %v", c, err)
	}
	if _, err := bootISO(iso, "UEFI"); err == nil || !strings.Contains(err.Error(), "no El Torito boot entry for UEFI") {
		t.Fatalf("UEFI boot of a BIOS ISO: %v", err)
	}
}

// The ISO reader never panics nor loops, whatever the BMC is handed.
func FuzzReadISO(f *testing.F) {
	f.Add(makeISO(f, map[string]string{"vmlinuz": "k", "initrd": "i", "EFI/debian/grub.cfg": "linuxefi /vmlinuz a=b\ninitrdefi /initrd\n",
		"boot/grub/efiboot.img": "esp"}))
	seed := make([]byte, 20*isoSector)
	copy(seed[16*isoSector:], "\x01CD001")
	f.Add(seed)
	f.Add([]byte("not an ISO"))
	f.Fuzz(func(t *testing.T, iso []byte) {
		fs, err := readISO(iso)
		if err == nil && fs == nil {
			t.Fatal("no error and nothing read")
		}
		_, _ = bootISO(iso, "UEFI")
		_, _ = bootISO(iso, "Legacy")
	})
}

// Ironic's config enables virtual media with ISOs served from http_root and the ESP the
// harness builds: a FAT image holding Debian's shim as the removable-media boot loader,
// and its GRUB.
func TestConfigVirtualMedia(t *testing.T) {
	for _, tool := range []string{"mcopy", "mdir"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s (mtools) is not installed: make deps", tool)
		}
	}
	dir := t.TempDir()
	conf, err := writeConfig(dir, 6385, Options{bootURL: "http://127.0.0.1:1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	esp := filepath.Join(dir, "esp.img")
	for _, want := range []string{"enabled_boot_interfaces = fake,pxe,redfish-virtual-media\n", "esp_image = " + esp + "\n",
		"grub_config_path = EFI/debian/grub.cfg\n", "[redfish]\n# Virtual media ISOs are served from [deploy] http_root, not Swift.\nuse_swift = false\n"} {
		if !strings.Contains(string(b), want) {
			reason, _ := os.ReadFile(esp + ".error")
			t.Fatalf("ironic.conf lacks %q (%s):\n%s", want, reason, b)
		}
	}
	out, err := exec.Command("mdir", "-b", "-i", esp, "::EFI/BOOT").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "BOOTX64.EFI") || !strings.Contains(string(out), "grubx64.efi") {
		t.Fatalf("the ESP holds %s (%v)", out, err)
	}
}
