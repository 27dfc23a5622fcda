package ironic

import (
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/inventory"
)

var testDisks = []inventory.RootDiskType{
	{Name: "/dev/sda", Size: 480 << 30, Serial: "S3YJNX0K123456", Rotational: false, Wwn: "0x5002538e00000001"},
	{Name: "/dev/sdb", Size: 480 << 30, Serial: "S3YJNX0K654321", Rotational: false},
	{Name: "/dev/sdc", Size: 4000 << 30, Serial: "ZC1234", Rotational: true},
}

func TestMatchingDisks(t *testing.T) {
	for _, c := range []struct {
		hints map[string]string
		want  string
	}{
		{map[string]string{"serial": "S3YJNX0K123456"}, "/dev/sda"},
		{map[string]string{"name": "sdb"}, "/dev/sdb"},
		{map[string]string{"size": ">= 1000"}, "/dev/sdc"},
		{map[string]string{"size": "480", "rotational": "false"}, "/dev/sda /dev/sdb"},
		{map[string]string{"rotational": "true", "serial": "S3YJNX0K123456"}, ""},
		{map[string]string{"serial": "NOPE"}, ""},
		{map[string]string{"model": "<in> A B"}, "/dev/sda /dev/sdb /dev/sdc"}, // operators are not judged
	} {
		var got []string
		for _, d := range MatchingDisks(c.hints, testDisks) {
			got = append(got, d.Name)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%v: %v, want %q", c.hints, got, c.want)
		}
	}
}

func TestRAIDShortfall(t *testing.T) {
	for _, c := range []struct {
		volumes []LogicalDisk
		want    string
	}{
		{[]LogicalDisk{{SizeGB: "MAX", RAIDLevel: "1"}}, ""},
		{[]LogicalDisk{{SizeGB: "400", RAIDLevel: "1"}, {SizeGB: "MAX", RAIDLevel: "0", PhysicalDisks: 1}}, ""},
		{[]LogicalDisk{{SizeGB: "MAX", RAIDLevel: "6"}}, "needs 4 physical disks; the inventory has 3"},
		{[]LogicalDisk{{SizeGB: "9000", RAIDLevel: "5"}}, "asks for 9000 GiB of RAID 5; at most 8000 GiB fit"},
		{[]LogicalDisk{{SizeGB: "100", RAIDLevel: "1"}, {SizeGB: "100", RAIDLevel: "1"}}, "need 4 physical disks of their own"},
		{[]LogicalDisk{{SizeGB: "100", RAIDLevel: "1", Shared: true}, {SizeGB: "100", RAIDLevel: "1", Shared: true}}, ""},
	} {
		got := RAIDShortfall(c.volumes, testDisks)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%+v: %q, want %q", c.volumes, got, c.want)
		}
	}
}

func TestHasMAC(t *testing.T) {
	nics := []inventory.InterfaceType{{MACAddress: "52:54:00:ab:cd:ef"}}
	if !HasMAC(nics, "52:54:00:AB:CD:EF") || HasMAC(nics, "52:54:00:00:00:01") {
		t.Fatal("MAC matching")
	}
}
