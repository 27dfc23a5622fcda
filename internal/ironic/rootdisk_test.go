package ironic

import (
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/inventory"
)

var rootDisks = []inventory.RootDiskType{
	{Name: "/dev/sda", Size: 480 << 30, Serial: "S3YJNX0K123456", Model: "Samsung SSD 860", Vendor: "ATA", Wwn: "0x5002538e00000001",
		Hctl: "0:0:0:0", ByPath: "/dev/disk/by-path/pci-0000:00:17.0-ata-1"},
	{Name: "/dev/sdb", Size: 480 << 30, Serial: "S3YJNX0K654321", Model: "Samsung SSD 860", Vendor: "ATA", Hctl: "1:0:0:0"},
	{Name: "/dev/sdc", Size: 4000 << 30, Serial: "ZC1234", Model: "ST4000NM", Vendor: "SEAGATE", Rotational: true, Hctl: "2:0:0:0",
		WwnWithExtension: "0x5000c500a1b2c3d4", WwnVendorExtension: "0x1"},
	{Name: "/dev/sdd", Size: 2 << 30, Serial: "12345", Model: "USB Stick", Hctl: "3:0:0:0"},
}

// Every key and operator of Ironic's root device hints, against the disks, as Ironic's
// find_devices_by_hints picks (the first match in inventory order).
func TestChooseRootDisk_hints(t *testing.T) {
	for _, c := range []struct {
		hints map[string]any
		want  string // the chosen disk; "-" none; "?" unjudged; "!" invalid
	}{
		// no operator: string equality, case-insensitive, spaces quoted alike
		{map[string]any{"serial": "S3YJNX0K654321"}, "/dev/sdb"},
		{map[string]any{"serial": "s3yjnx0k654321"}, "/dev/sdb"},
		{map[string]any{"model": "samsung ssd 860"}, "/dev/sda"},
		{map[string]any{"name": "/dev/sdc"}, "/dev/sdc"},
		{map[string]any{"name": "sdc"}, "-"}, // Ironic compares names exactly
		{map[string]any{"wwn": "0x5002538e00000001"}, "/dev/sda"},
		{map[string]any{"wwn_with_extension": "0x5000c500a1b2c3d4"}, "/dev/sdc"},
		{map[string]any{"wwn_vendor_extension": "0x1"}, "/dev/sdc"},
		{map[string]any{"vendor": "seagate"}, "/dev/sdc"},
		{map[string]any{"hctl": "1:0:0:0"}, "/dev/sdb"},
		{map[string]any{"by_path": "/dev/disk/by-path/pci-0000:00:17.0-ata-1"}, "/dev/sda"},
		{map[string]any{"serial": "NOPE"}, "-"},
		{map[string]any{"wwn": "0x1"}, "-"}, // a disk without the attribute never matches it
		// string operators
		{map[string]any{"serial": "s== ZC1234"}, "/dev/sdc"},
		{map[string]any{"serial": "s==ZC1234"}, "/dev/sdc"},
		{map[string]any{"serial": "s!= S3YJNX0K123456"}, "/dev/sdb"},
		{map[string]any{"hctl": "s> 1:0:0:0"}, "/dev/sdc"},
		{map[string]any{"hctl": "s>= 1:0:0:0"}, "/dev/sdb"},
		{map[string]any{"hctl": "s< 1:0:0:0"}, "/dev/sda"},
		{map[string]any{"hctl": "s<= 0:0:0:0"}, "/dev/sda"},
		{map[string]any{"model": "<in> ST4000"}, "/dev/sdc"},
		{map[string]any{"model": "<in> usb stick"}, "/dev/sdd"},
		{map[string]any{"serial": "<or> nope <or> ZC1234 <or> 12345"}, "/dev/sdc"},
		{map[string]any{"model": "<all-in> a b"}, "?"},
		// numeric operators on text: numbers compare, other text cannot
		{map[string]any{"serial": ">= 10000"}, "?"}, // sda's serial is not a number: Ironic raises
		// size: GiB, an integer (JSON number or text), every numeric operator
		{map[string]any{"size": 4000}, "/dev/sdc"},
		{map[string]any{"size": float64(480)}, "/dev/sda"},
		{map[string]any{"size": "480"}, "/dev/sda"},
		{map[string]any{"size": "== 2"}, "/dev/sdd"},
		{map[string]any{"size": "!= 480"}, "/dev/sdc"},
		{map[string]any{"size": "> 480"}, "/dev/sdc"},
		{map[string]any{"size": ">= 1000"}, "/dev/sdc"},
		{map[string]any{"size": "=1000"}, "/dev/sdc"}, // specs_matcher's legacy "=": at least
		{map[string]any{"size": "< 100"}, "/dev/sdd"},
		{map[string]any{"size": "<= 480"}, "/dev/sda"},
		{map[string]any{"size": "<range-in> ( 100 480 ]"}, "/dev/sda"},
		{map[string]any{"size": "<range-in> [ 481 4000 ]"}, "/dev/sdc"},
		{map[string]any{"size": "<range-in> ( 480 4000 )"}, "-"},
		{map[string]any{"size": "<or> 480 <or> 4000"}, "?"}, // Ironic compares numbers with text here
		{map[string]any{"size": "<in> 48"}, "?"},
		{map[string]any{"size": ">= 5000"}, "-"},
		// rotational: a boolean, as text too
		{map[string]any{"rotational": true}, "/dev/sdc"},
		{map[string]any{"rotational": "false"}, "/dev/sda"},
		{map[string]any{"rotational": "yes", "size": ">= 100"}, "/dev/sdc"},
		// several hints: all of them
		{map[string]any{"model": "<in> samsung", "serial": "<in> 654"}, "/dev/sdb"},
		{map[string]any{"rotational": false, "size": "> 1000"}, "-"},
		// invalid: Ironic refuses the deploy
		{map[string]any{"color": "red"}, "!"},
		{map[string]any{"size": "big"}, "!"},
		{map[string]any{"size": 0}, "!"},
		{map[string]any{"size": ">= -5"}, "!"},
		{map[string]any{"rotational": "maybe"}, "!"},
		{map[string]any{"serial": 12345}, "!"},
		{map[string]any{"serial": "  "}, "!"},
	} {
		got := ChooseRootDisk(c.hints, "properties", nil, rootDisks)
		name := "-"
		switch {
		case got.Invalid != "":
			name = "!"
		case got.Unjudged != "":
			name = "?"
		case got.Disk != nil:
			name = got.Disk.Name
		}
		if name != c.want {
			t.Errorf("%v: chose %s (%+v), want %s", c.hints, name, got, c.want)
		}
	}
}

// Without hints, the agent's guess: the smallest disk of at least 4 GiB, the first of
// equals in inventory order; none when every disk is smaller.
func TestChooseRootDisk_default(t *testing.T) {
	if got := ChooseRootDisk(nil, "", nil, rootDisks); got.Disk == nil || got.Disk.Name != "/dev/sda" || got.Hints != nil {
		t.Fatalf("default: %+v", got)
	}
	small := []inventory.RootDiskType{{Name: "/dev/vda", Size: 4<<30 - 1}, {Name: "/dev/vdb", Size: 1 << 30}}
	if got := ChooseRootDisk(nil, "", nil, small); got.Disk != nil {
		t.Fatalf("a disk under 4 GiB was chosen: %+v", got.Disk)
	}
	exact := []inventory.RootDiskType{{Name: "/dev/vda", Size: 100 << 30}, {Name: "/dev/vdb", Size: 4 << 30}}
	if got := ChooseRootDisk(nil, "", nil, exact); got.Disk == nil || got.Disk.Name != "/dev/vdb" {
		t.Fatalf("exactly 4 GiB: %+v", got.Disk)
	}
	// skip_block_devices leaves disks out, with and without hints
	skip := []any{map[string]any{"name": "/dev/sda"}, map[string]any{"serial": "<in> 654321"}}
	if got := ChooseRootDisk(nil, "", skip, rootDisks); got.Disk == nil || got.Disk.Name != "/dev/sdc" || len(got.Skipped) != 2 ||
		!strings.HasSuffix(got.How(), "(skip_block_devices leaves out /dev/sda, /dev/sdb)") {
		t.Fatalf("skipped: %+v %s", got, got.How())
	}
	if got := ChooseRootDisk(map[string]any{"model": "<in> samsung"}, "properties", skip, rootDisks); got.Disk != nil {
		t.Fatalf("a skipped disk was chosen by hints: %+v", got.Disk)
	}
}

func TestRootDeviceHints(t *testing.T) {
	if got := HintsText(map[string]any{"model": "<in> a", "size": 10}); got != `{"model":"<in> a","size":10}` {
		t.Fatalf("HintsText: %s", got)
	}
	props := map[string]any{"root_device": map[string]any{"serial": "A"}}
	if h, from := RootDeviceHints(map[string]string{"root_device": `{"size": ">= 100"}`}, props); from != "instance_info" || h["size"] != ">= 100" {
		t.Fatalf("instance_info first: %v %s", h, from)
	}
	if h, from := RootDeviceHints(map[string]string{"root_device": ""}, props); from != "properties" || h["serial"] != "A" {
		t.Fatalf("properties: %v %s", h, from)
	}
	if h, from := RootDeviceHints(nil, nil); h != nil || from != "" {
		t.Fatalf("none: %v %s", h, from)
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{300: "300 B", 1536: "1.5 KiB", 512 << 20: "512 MiB", 20 << 30: "20 GiB",
		15*(1<<30) + (1 << 29): "15.5 GiB", 4000 << 30: "3.91 TiB"} {
		if got := HumanBytes(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
	if got := DiskText(rootDisks[2]); got != "/dev/sdc, serial ZC1234, 3.91 TiB (4294967296000 bytes)" {
		t.Errorf("DiskText: %q", got)
	}
}

func TestWritesImageAndUEFI(t *testing.T) {
	for _, c := range []struct {
		iface string
		info  map[string]string
		want  bool
	}{
		{"direct", map[string]string{"image_source": "http://x/a.qcow2"}, true},
		{"direct", map[string]string{"image_source": "http://x/a.img", "kernel": "k", "ramdisk": "r"}, false},
		{"direct", map[string]string{"image_type": "partition"}, false},
		{"direct", map[string]string{"image_type": "whole-disk", "kernel": "k", "ramdisk": "r"}, true},
		{"ramdisk", map[string]string{"boot_iso": "http://x/a.iso"}, false},
	} {
		if got, why := WritesImage(c.iface, c.info); got != c.want || (!got && why == "") {
			t.Errorf("%s %v: %v %q", c.iface, c.info, got, why)
		}
	}
	dii := map[string]any{"deploy_boot_mode": "uefi"}
	for _, c := range []struct {
		info     map[string]string
		props    map[string]any
		internal map[string]any
		field    string // the node's boot_mode
		want     string
		why      string
	}{
		{nil, map[string]any{"capabilities": "boot_mode:uefi,foo:bar"}, nil, "", "uefi", "node's properties"},
		{nil, map[string]any{"capabilities": "boot_mode:bios"}, nil, "uefi", "bios", "node's properties"},
		{map[string]string{"capabilities": `{"boot_mode": "bios"}`}, map[string]any{"capabilities": "boot_mode:uefi"}, nil, "", "bios", "instance_info"},
		{map[string]string{"capabilities": `{"boot_mode": "UEFI"}`}, nil, nil, "bios", "uefi", "instance_info"},
		// secure boot asked in instance_info wins over a boot_mode anywhere
		{map[string]string{"capabilities": `{"boot_mode": "bios", "secure_boot": "True"}`}, nil, nil, "", "uefi", "secure boot needs UEFI"},
		// ... but in the node's properties it says what the machine can do: Ironic's deploy does not read it
		{nil, map[string]any{"capabilities": "secure_boot:true"}, nil, "", "", ""},
		{nil, map[string]any{"capabilities": map[string]any{"boot_mode": "uefi"}}, nil, "", "uefi", "properties"},
		{map[string]string{"deploy_boot_mode": "bios"}, map[string]any{"capabilities": "boot_mode:uefi"}, nil, "", "bios", "deploy_boot_mode"},
		// the current deployment's mode (a rebuild), then the BMC's as Ironic read it
		{nil, nil, dii, "bios", "uefi", "current deployment"},
		{nil, map[string]any{"capabilities": "foo:bar"}, nil, "uefi", "uefi", "from the BMC"},
		{nil, nil, nil, "bios", "bios", "from the BMC"},
		// nothing says: Ironic's [deploy]default_boot_mode, which its API does not show
		{nil, nil, nil, "", "", ""},
	} {
		got, why := DeployBootMode(c.info, c.props, c.internal, c.field)
		if got != c.want || !strings.Contains(why, c.why) || (got == "") != (why == "") {
			t.Errorf("%v %v %v %q: %q %q", c.info, c.props, c.internal, c.field, got, why)
		}
	}
}
