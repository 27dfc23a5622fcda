package ironic

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/inventory"
)

// Checks of a planned configuration against the hardware inspection found. They are
// optimistic: where a rule cannot be judged from the inventory (a hint with string
// operators, a controller's own limits) they find nothing wrong.

// hintOperator is a hint written with Ironic's operators (s==, <in>, <or>, >=, ...).
var hintOperator = regexp.MustCompile(`^\s*(s==|s!=|s>=|s>|s<=|s<|<in>|<or>|<all-in>|==|!=|>=|<=|>|<)`)

// MatchingDisks returns the disks that satisfy every root device hint.
func MatchingDisks(hints map[string]string, disks []inventory.RootDiskType) []inventory.RootDiskType {
	var out []inventory.RootDiskType
	for _, d := range disks {
		if diskMatches(hints, d) {
			out = append(out, d)
		}
	}
	return out
}

func diskMatches(hints map[string]string, d inventory.RootDiskType) bool {
	values := map[string]string{
		"name": d.Name, "serial": d.Serial, "wwn": d.Wwn, "wwn_with_extension": d.WwnWithExtension,
		"wwn_vendor_extension": d.WwnVendorExtension, "model": d.Model, "vendor": d.Vendor, "hctl": d.Hctl, "by_path": d.ByPath,
	}
	for k, want := range hints {
		switch k {
		case "size":
			if !sizeMatches(want, float64(d.Size)/(1<<30)) {
				return false
			}
		case "rotational":
			if b, err := strconv.ParseBool(want); err == nil && b != d.Rotational {
				return false
			}
		case "name":
			if !hintOperator.MatchString(want) && "/dev/"+strings.TrimPrefix(want, "/dev/") != "/dev/"+strings.TrimPrefix(d.Name, "/dev/") {
				return false
			}
		default:
			if got, ok := values[k]; ok && !hintOperator.MatchString(want) && got != want {
				return false
			}
		}
	}
	return true
}

// sizeHint is a size hint: an optional operator and a number of GiB.
var sizeHint = regexp.MustCompile(`^\s*(==|!=|>=|<=|<|>)?\s*([0-9]+)\s*$`)

// sizeMatches compares a disk's size in GiB with a size hint ("100", ">= 100").
func sizeMatches(hint string, gib float64) bool {
	m := sizeHint.FindStringSubmatch(hint)
	if m == nil {
		return true // not judged
	}
	n, _ := strconv.ParseFloat(m[2], 64)
	switch m[1] {
	case "", "==":
		return gib == n
	case "!=":
		return gib != n
	case ">=":
		return gib >= n
	case "<=":
		return gib <= n
	case ">":
		return gib > n
	default:
		return gib < n
	}
}

// DescribeDisks lists disks for a message: name, size, serial.
func DescribeDisks(disks []inventory.RootDiskType) string {
	if len(disks) == 0 {
		return "no disks"
	}
	parts := make([]string, 0, len(disks))
	for _, d := range disks {
		s := fmt.Sprintf("%s (%d GiB", d.Name, d.Size>>30)
		if d.Serial != "" {
			s += ", serial " + d.Serial
		}
		if d.Wwn != "" {
			s += ", wwn " + d.Wwn
		}
		parts = append(parts, s+")")
	}
	return strings.Join(parts, ", ")
}

// LogicalDisk is what the RAID check needs of a planned volume.
type LogicalDisk struct {
	SizeGB        string // a number or MAX
	RAIDLevel     string
	PhysicalDisks int  // number_of_physical_disks; 0: the level's minimum
	Shared        bool // share_physical_disks
}

// raidMinDisks is the fewest physical disks each level needs.
var raidMinDisks = map[string]int{"JBOD": 1, "0": 1, "1": 2, "2": 3, "5": 3, "6": 4, "1+0": 4, "5+0": 6, "6+0": 8}

// raidUsable is the usable size of a level over n disks of size s.
func raidUsable(level string, n int, s float64) float64 {
	switch level {
	case "0":
		return float64(n) * s
	case "2", "5":
		return float64(n-1) * s
	case "6", "5+0":
		return float64(n-2) * s
	case "1+0":
		return float64(n/2) * s
	case "6+0":
		return float64(n-4) * s
	default: // JBOD, 1
		return s
	}
}

// RAIDShortfall says why the layout cannot be built on these disks, or "".
func RAIDShortfall(volumes []LogicalDisk, disks []inventory.RootDiskType) string {
	var largest float64
	for _, d := range disks {
		largest = max(largest, float64(d.Size)/(1<<30))
	}
	exclusive := 0
	for i, v := range volumes {
		need := v.PhysicalDisks
		if need == 0 {
			need = raidMinDisks[v.RAIDLevel]
		}
		if need > len(disks) {
			return fmt.Sprintf("logical disk %d (RAID %s) needs %d physical disks; the inventory has %d: %s", i, v.RAIDLevel, need, len(disks), DescribeDisks(disks))
		}
		if n, err := strconv.ParseFloat(v.SizeGB, 64); err == nil {
			if usable := raidUsable(v.RAIDLevel, max(need, len(disks)), largest); n > usable {
				return fmt.Sprintf("logical disk %d asks for %s GiB of RAID %s; at most %.0f GiB fit on %s", i, v.SizeGB, v.RAIDLevel, usable, DescribeDisks(disks))
			}
		}
		if !v.Shared {
			exclusive += need
		}
	}
	if exclusive > len(disks) {
		return fmt.Sprintf("the logical disks need %d physical disks of their own (share_physical_disks is not set); the inventory has %d: %s", exclusive, len(disks), DescribeDisks(disks))
	}
	return ""
}

// HasMAC reports whether one of the inspected interfaces has this MAC (any case).
func HasMAC(nics []inventory.InterfaceType, mac string) bool {
	want, err := NormalizeMAC(mac)
	if err != nil {
		return true // the MAC validator reports it
	}
	for _, n := range nics {
		if got, err := NormalizeMAC(n.MACAddress); err == nil && got == want {
			return true
		}
	}
	return false
}
