package ironic

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/inventory"
)

// The root disk the agent will write an image to, computed from the node's inventory
// as Ironic's agent computes it from the disks it sees:
//
//   - with root device hints (instance_info.root_device, else properties.root_device,
//     as Ironic's get_root_device_for_deploy reads them), the first disk, in the
//     inventory's order, that satisfies every hint, with the hint keys, types and
//     operators of Ironic's parse_root_device_hints and find_devices_by_hints
//     (ironic_lib 5 for Ironic 21.4, ironic.common.utils for Ironic 35; the same code,
//     35 adding <range-in> for size) over oslo.utils' specs_matcher;
//   - without hints, the smallest disk of at least 4 GiB (the agent's guess_root_disk:
//     the disks sorted by size, stable, the first of at least 4 GiB).
//
// Disks the node's properties.skip_block_devices name (a list of hint objects) are left
// out either way, as the agent leaves them out.
//
// Where Ironic's own code would raise instead of choosing (a numeric operator on a
// non-numeric value, <all-in> on a disk's attribute, an operator on size that compares a
// number with text) the choice is not judged: RootDiskChoice.Unjudged says why.

// minRootDisk is the agent's smallest acceptable root disk without hints.
const minRootDisk = 4 << 30

// rootHintTypes are Ironic's root device hints and their types (VALID_ROOT_DEVICE_HINTS).
var rootHintTypes = map[string]string{
	"size": "int", "model": "str", "wwn": "str", "serial": "str", "vendor": "str",
	"wwn_with_extension": "str", "wwn_vendor_extension": "str", "name": "str",
	"rotational": "bool", "hctl": "str", "by_path": "str",
}

// RootDiskChoice is the disk the agent would pick, or why there is none.
type RootDiskChoice struct {
	Disk      *inventory.RootDiskType // nil: none (see the other fields)
	Hints     map[string]any          // the hints applied; nil: the default choice
	HintsFrom string                  // "instance_info" or "properties"; "" without hints
	Invalid   string                  // the hints are invalid: Ironic refuses the deploy, with this reason
	Unjudged  string                  // the hints cannot be evaluated here: why
	Skipped   []string                // disks left out by skip_block_devices
}

// How says how the disk was chosen, for a message.
func (c RootDiskChoice) How() string {
	how := fmt.Sprintf("chosen by the root device hints in the node's %s (%s)", c.HintsFrom, HintsText(c.Hints))
	if c.Hints == nil {
		how = "Ironic's default choice without root device hints: the smallest disk of at least 4 GiB"
	}
	if len(c.Skipped) > 0 {
		how += " (skip_block_devices leaves out " + strings.Join(c.Skipped, ", ") + ")"
	}
	return how
}

// HintsText renders hints as a compact JSON object (keys sorted).
func HintsText(hints map[string]any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // operators such as <in> as written
	if err := enc.Encode(hints); err != nil {
		return fmt.Sprint(hints)
	}
	return strings.TrimSpace(b.String())
}

// RootDeviceHints are the hints a deploy applies: instance_info's root_device (an object,
// or its JSON text as a configuration writes it), else the node's properties.root_device.
func RootDeviceHints(instanceInfo map[string]string, properties map[string]any) (map[string]any, string) {
	if s := strings.TrimSpace(instanceInfo["root_device"]); s != "" {
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) == nil && len(m) > 0 {
			return m, "instance_info"
		}
	}
	if m, ok := properties["root_device"].(map[string]any); ok && len(m) > 0 {
		return m, "properties"
	}
	return nil, ""
}

// ChooseRootDisk picks the root disk among the inventory's disks as the agent would.
func ChooseRootDisk(hints map[string]any, from string, skip []any, disks []inventory.RootDiskType) RootDiskChoice {
	choice := RootDiskChoice{}
	candidates := make([]inventory.RootDiskType, 0, len(disks))
	for _, d := range disks {
		if skipped(skip, d) {
			choice.Skipped = append(choice.Skipped, d.Name)
			continue
		}
		candidates = append(candidates, d)
	}
	if len(hints) == 0 {
		sorted := slices.Clone(candidates)
		slices.SortStableFunc(sorted, func(a, b inventory.RootDiskType) int { return cmpInt(a.Size, b.Size) })
		for i := range sorted {
			if sorted[i].Size >= minRootDisk {
				choice.Disk = &sorted[i]
				break
			}
		}
		return choice
	}
	choice.Hints, choice.HintsFrom = hints, from
	parsed, err := parseRootHints(hints)
	if err != nil {
		choice.Invalid = err.Error()
		return choice
	}
	for i := range candidates {
		ok, why := parsed.match(candidates[i])
		if why != "" {
			choice.Unjudged = why
			return choice
		}
		if ok {
			choice.Disk = &candidates[i]
			return choice
		}
	}
	return choice
}

// skipped: the disk matches one of skip_block_devices' hint objects (the agent skips
// it; hints it cannot evaluate do not skip).
func skipped(skip []any, d inventory.RootDiskType) bool {
	for _, s := range skip {
		h, ok := s.(map[string]any)
		if !ok || len(h) == 0 {
			continue
		}
		parsed, err := parseRootHints(h)
		if err != nil {
			continue
		}
		if ok, why := parsed.match(d); ok && why == "" {
			return true
		}
	}
	return false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// rootHint is one parsed hint: an operator and its values, as specs_matcher compares them.
type rootHint struct {
	kind   string // str, int, bool
	op     string // "" for bool; s==, ==, <in>, <or>, ...
	values []string
	flag   bool // the value of a bool hint
}

type rootHints map[string]rootHint

// specOps are specs_matcher's operators, in the order its grammar tries them: the n-ary
// ones first, then the unary ones (whose order makes == win over =, <= over <, ...).
var (
	naryOps  = []string{"<or>", "<all-in>", "<range-in>"}
	unaryOps = []string{"==", "=", "!=", "<in>", ">=", "<=", ">", "<", "s==", "s!=", "s<=", "s<", "s>=", "s>"}
)

// startsWithOp reports the operator s starts with, n-ary ones first.
func startsWithOp(s string) string {
	for _, op := range append(slices.Clone(naryOps), unaryOps...) {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return ""
}

// splitExpression is Ironic's _extract_hint_operator_and_values: the expression
// lowered and trimmed, its operator (none: "") and its values (split on the operator).
func splitExpression(expr, name string) (string, []string, error) {
	s := strings.ToLower(strings.TrimSpace(expr))
	if s == "" {
		return "", nil, fmt.Errorf("root device hint %q expression is empty", name)
	}
	op := startsWithOp(s)
	if op == "" {
		return "", []string{s}, nil
	}
	if strings.TrimSpace(strings.TrimPrefix(s, op)) == "" {
		return "", nil, fmt.Errorf("root device hint %q: operator %s without a value", name, op)
	}
	var values []string
	for _, v := range strings.Split(s, op) {
		if v != "" {
			values = append(values, strings.TrimSpace(v))
		}
	}
	return op, values, nil
}

// pyQuote is Python's urllib.parse.quote with its default safe "/": Ironic quotes hint
// values and disk attributes alike before comparing them.
func pyQuote(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// hintString is a hint value as Ironic reads it from JSON: text as is, numbers and
// booleans as Python's str() writes them.
func hintString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		if x {
			return "True", true
		}
		return "False", true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10), true
		}
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

// pyBool is oslo's bool_from_string(strict=True).
func pyBool(v any) (bool, bool) {
	if b, ok := v.(bool); ok {
		return b, true
	}
	s, ok := hintString(v)
	if !ok {
		return false, false
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true", "on", "y", "yes":
		return true, true
	case "0", "f", "false", "off", "n", "no":
		return false, true
	}
	return false, false
}

// parseRootHints is Ironic's parse_root_device_hints: unknown keys, a text hint that is
// not text, a size that is not a positive integer or a rotational that is not a
// boolean make the hints invalid (Ironic refuses the deploy).
func parseRootHints(hints map[string]any) (rootHints, error) {
	var unknown []string
	for k := range hints {
		if _, ok := rootHintTypes[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		valid := make([]string, 0, len(rootHintTypes))
		for k := range rootHintTypes {
			valid = append(valid, k)
		}
		slices.Sort(valid)
		return nil, fmt.Errorf("the hints %q are invalid; valid hints are %s", unknown, strings.Join(valid, ", "))
	}
	out := rootHints{}
	for name, raw := range hints {
		kind := rootHintTypes[name]
		switch kind {
		case "bool":
			b, ok := pyBool(raw)
			if !ok {
				return nil, fmt.Errorf("root device hint %q is not a Boolean value: %v", name, raw)
			}
			out[name] = rootHint{kind: kind, flag: b}
		case "str":
			s, ok := raw.(string)
			if !ok {
				return nil, fmt.Errorf("root device hint %q is not a string value: %v", name, raw)
			}
			op, values, err := splitExpression(s, name)
			if err != nil {
				return nil, err
			}
			for i := range values {
				values[i] = pyQuote(values[i])
			}
			if op == "" {
				op = "s=="
			}
			out[name] = rootHint{kind: kind, op: op, values: values}
		default: // size
			s, ok := hintString(raw)
			if !ok {
				return nil, fmt.Errorf("root device hint %q is not an integer value: %v", name, raw)
			}
			op, values, err := splitExpression(s, name)
			if err != nil {
				return nil, err
			}
			if op == "<range-in>" {
				out[name] = rootHint{kind: kind, op: op, values: strings.Fields(values[0])}
				break
			}
			for _, v := range values {
				n, err := strconv.Atoi(v)
				if err != nil {
					return nil, fmt.Errorf("root device hint %q is not an integer value: %v", name, raw)
				}
				if n <= 0 {
					return nil, fmt.Errorf("root device hint %q should be a positive integer: %v", name, raw)
				}
			}
			if op == "" {
				op = "=="
			}
			out[name] = rootHint{kind: kind, op: op, values: values}
		}
	}
	return out, nil
}

// diskValues are a disk's hint attributes as text.
func diskValues(d inventory.RootDiskType) map[string]string {
	return map[string]string{
		"name": d.Name, "serial": d.Serial, "wwn": d.Wwn, "wwn_with_extension": d.WwnWithExtension,
		"wwn_vendor_extension": d.WwnVendorExtension, "model": d.Model, "vendor": d.Vendor, "hctl": d.Hctl, "by_path": d.ByPath,
	}
}

// match says whether the disk satisfies every hint; why is set when Ironic's code would
// raise instead of answering.
func (h rootHints) match(d inventory.RootDiskType) (bool, string) {
	values := diskValues(d)
	for _, name := range sortedHintNames(h) {
		hint := h[name]
		switch hint.kind {
		case "bool":
			if d.Rotational != hint.flag {
				return false, ""
			}
			continue
		case "int":
			gib := float64(d.Size) / (1 << 30)
			ok, why := compareNumber(name, hint, gib)
			if why != "" || !ok {
				return false, why
			}
			continue
		}
		v := strings.ToLower(strings.TrimSpace(values[name]))
		if v == "" {
			return false, "" // Ironic skips a disk whose attribute is empty
		}
		v = pyQuote(v)
		ok, why := compareText(name, hint, v)
		if why != "" || !ok {
			return false, why
		}
	}
	return true, ""
}

func sortedHintNames(h rootHints) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// compareNumber applies a size hint to a disk's size in GiB (a float, as Ironic divides).
func compareNumber(name string, hint rootHint, gib float64) (bool, string) {
	if hint.op == "<range-in>" {
		return rangeIn(name, hint.values, gib)
	}
	if len(hint.values) == 0 {
		return false, ""
	}
	want, err := strconv.ParseFloat(hint.values[0], 64)
	switch hint.op {
	case "==", "=", "!=", ">=", "<=", ">", "<":
		if err != nil {
			return false, fmt.Sprintf("root device hint %s %s %s is not a number", name, hint.op, hint.values[0])
		}
		return numeric(hint.op, gib, want), ""
	}
	return false, fmt.Sprintf("root device hint %s uses %s, which Ironic cannot apply to a size in GiB", name, hint.op)
}

func numeric(op string, got, want float64) bool {
	switch op {
	case "==":
		return got == want
	case "=", ">=": // specs_matcher's legacy "=" means at least
		return got >= want
	case "!=":
		return got != want
	case "<=":
		return got <= want
	case ">":
		return got > want
	default:
		return got < want
	}
}

// rangeIn is specs_matcher's <range-in> (Ironic 35): "[ 10 20 )", brackets inclusive.
func rangeIn(name string, parts []string, gib float64) (bool, string) {
	if len(parts) != 4 {
		return false, fmt.Sprintf("root device hint %s: <range-in> takes a bracket, two numbers and a bracket", name)
	}
	lo, err1 := strconv.ParseFloat(parts[1], 64)
	hi, err2 := strconv.ParseFloat(parts[2], 64)
	if err1 != nil || err2 != nil || lo > hi || (parts[0] != "[" && parts[0] != "(") || (parts[3] != "]" && parts[3] != ")") {
		return false, fmt.Sprintf("root device hint %s: <range-in> %s is not a range Ironic reads", name, strings.Join(parts, " "))
	}
	lower := gib > lo || (parts[0] == "[" && gib == lo)
	upper := gib < hi || (parts[3] == "]" && gib == hi)
	return lower && upper, ""
}

// compareText applies a text hint to a disk's attribute, both lowered and quoted.
func compareText(name string, hint rootHint, got string) (bool, string) {
	if len(hint.values) == 0 {
		return false, ""
	}
	want := hint.values[0]
	switch hint.op {
	case "s==":
		return got == want, ""
	case "s!=":
		return got != want, ""
	case "s<":
		return got < want, ""
	case "s<=":
		return got <= want, ""
	case "s>":
		return got > want, ""
	case "s>=":
		return got >= want, ""
	case "<in>":
		return strings.Contains(got, want), ""
	case "<or>":
		return slices.Contains(hint.values, got), ""
	case "==", "=", "!=", ">=", "<=", ">", "<":
		g, err1 := strconv.ParseFloat(got, 64)
		w, err2 := strconv.ParseFloat(want, 64)
		if err1 != nil || err2 != nil {
			return false, fmt.Sprintf("root device hint %s %s %s compares numbers, and the disk's %s is %q", name, hint.op, want, name, got)
		}
		return numeric(hint.op, g, w), ""
	}
	return false, fmt.Sprintf("root device hint %s uses %s, which Ironic cannot apply to a disk's %s", name, hint.op, name)
}

// HumanBytes writes a size in binary units ("20 GiB", "7.5 GiB", "512 MiB", "300 B").
func HumanBytes(n int64) string {
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB"}
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v, unit := float64(n), ""
	for _, u := range units {
		if v < 1024 {
			break
		}
		v, unit = v/1024, u
	}
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + " " + unit
}

// SizeText is a size in human units and in bytes: "20 GiB (21474836480 bytes)".
func SizeText(n int64) string { return fmt.Sprintf("%s (%d bytes)", HumanBytes(n), n) }

// DiskText names a disk as the inventory does: its name, serial and size.
func DiskText(d inventory.RootDiskType) string {
	s := d.Name
	if d.Serial != "" {
		s += ", serial " + d.Serial
	}
	return s + ", " + SizeText(d.Size)
}

// WritesImage reports whether a deploy with this interface and instance_info writes a
// whole-disk image whose size the root disk must hold: not a partition image (kernel
// and ramdisk, or image_type partition), not a ramdisk or anaconda deploy.
func WritesImage(deployInterface string, instanceInfo map[string]string) (bool, string) {
	switch deployInterface {
	case "ramdisk", "anaconda":
		return false, "the " + deployInterface + " deploy interface writes no disk image"
	}
	switch instanceInfo["image_type"] {
	case "partition":
		return false, "a partition image is written to a partition of root_gb, not to the whole disk"
	case "whole-disk":
		return true, ""
	}
	if instanceInfo["kernel"] != "" && instanceInfo["ramdisk"] != "" {
		return false, "an image with kernel and ramdisk is a partition image, written to a partition of root_gb"
	}
	return true, ""
}

// DeployBootMode is the boot mode Ironic deploys the node in, and what says so, in the
// order of Ironic's boot_mode_utils (get_boot_mode_for_deploy, then sync_boot_mode as
// the boot interface prepares the deploy): secure_boot:true in instance_info's
// capabilities (secure boot needs UEFI); a boot_mode capability in instance_info; its
// deprecated deploy_boot_mode key; a boot_mode capability in the node's properties; the
// mode of the node's current deployment (driver_internal_info deploy_boot_mode, for a
// rebuild); else the mode the BMC reports, which the node's boot_mode field (API 1.75)
// holds as Ironic last read it. "" when none says: Ironic then uses its configured
// [deploy]default_boot_mode (uefi unless configured otherwise), which its API does not
// show. A secure_boot capability in the node's properties says the machine can boot
// securely, not that the deploy asks for it: Ironic's deploy does not read it.
func DeployBootMode(instanceInfo map[string]string, properties, driverInternalInfo map[string]any, nodeBootMode string) (mode, why string) {
	inst := capabilitiesOf(instanceInfo["capabilities"])
	if strings.EqualFold(strings.TrimSpace(inst["secure_boot"]), "true") {
		return BootModeUEFI, "capabilities secure_boot:true in the deployment's instance_info (secure boot needs UEFI)"
	}
	if m := inst["boot_mode"]; m != "" {
		return strings.ToLower(m), "capabilities boot_mode:" + m + " in the deployment's instance_info"
	}
	if m := instanceInfo["deploy_boot_mode"]; m != "" {
		return strings.ToLower(m), "deploy_boot_mode " + m + " in the deployment's instance_info"
	}
	if m := capabilitiesOf(properties["capabilities"])["boot_mode"]; m != "" {
		return strings.ToLower(m), "capabilities boot_mode:" + m + " in the node's properties"
	}
	if m, _ := driverInternalInfo["deploy_boot_mode"].(string); m != "" {
		return strings.ToLower(m), "the boot mode of its current deployment, " + m + " (driver_internal_info deploy_boot_mode)"
	}
	if nodeBootMode != "" {
		return strings.ToLower(nodeBootMode), "the node's boot_mode " + nodeBootMode + ", as Ironic last read it from the BMC"
	}
	return "", ""
}

// capabilitiesOf reads capabilities written as "k:v,k:v", as a JSON object, or as a map.
func capabilitiesOf(v any) map[string]string {
	out := map[string]string{}
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := hintString(val); ok {
				out[k] = s
			}
		}
	case string:
		s := strings.TrimSpace(x)
		if strings.HasPrefix(s, "{") {
			var m map[string]any
			if json.Unmarshal([]byte(s), &m) == nil {
				return capabilitiesOf(m)
			}
			return out
		}
		for _, kv := range strings.Split(s, ",") {
			if k, val, ok := strings.Cut(kv, ":"); ok {
				out[strings.TrimSpace(k)] = strings.TrimSpace(val)
			}
		}
	}
	return out
}
