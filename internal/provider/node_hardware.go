package provider

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strconv"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// nodeHardware is the node's structured hardware configuration, shared by the resource
// and the data source: traits, root device hints, the target RAID layout. The plain
// fields (cleaning, retirement, network data) are in nodeFieldTable.
type nodeHardware struct {
	Traits            types.Set    `tfsdk:"traits"`
	RootDevice        types.Map    `tfsdk:"root_device"`
	RAIDConfig        types.Object `tfsdk:"raid_config"`
	CurrentRAIDConfig types.String `tfsdk:"current_raid_config"`
}

// rootDeviceKey is where Ironic keeps root device hints: properties.root_device.
const rootDeviceKey = "root_device"

// rootDeviceHints are Ironic's root device hint keys.
var rootDeviceHints = []string{"name", "wwn", "wwn_with_extension", "wwn_vendor_extension", "serial", "size", "model", "vendor", "hctl", "by_path", "rotational"}

var logicalDiskAttrTypes = map[string]attr.Type{
	"size_gb": types.StringType, "raid_level": types.StringType, "is_root_volume": types.BoolType,
	"controller": types.StringType, "physical_disks": types.ListType{ElemType: types.StringType},
	"volume_name": types.StringType, "disk_type": types.StringType, "interface_type": types.StringType,
	"number_of_physical_disks": types.Int64Type, "share_physical_disks": types.BoolType,
}

var raidConfigAttrTypes = map[string]attr.Type{
	"logical_disks": types.ListType{ElemType: types.ObjectType{AttrTypes: logicalDiskAttrTypes}},
}

// logicalDisk is one entry of Ironic's target RAID config.
type logicalDisk struct {
	SizeGB                types.String `tfsdk:"size_gb"`
	RAIDLevel             types.String `tfsdk:"raid_level"`
	IsRootVolume          types.Bool   `tfsdk:"is_root_volume"`
	Controller            types.String `tfsdk:"controller"`
	PhysicalDisks         types.List   `tfsdk:"physical_disks"`
	VolumeName            types.String `tfsdk:"volume_name"`
	DiskType              types.String `tfsdk:"disk_type"`
	InterfaceType         types.String `tfsdk:"interface_type"`
	NumberOfPhysicalDisks types.Int64  `tfsdk:"number_of_physical_disks"`
	SharePhysicalDisks    types.Bool   `tfsdk:"share_physical_disks"`
}

type raidConfig struct {
	LogicalDisks []logicalDisk `tfsdk:"logical_disks"`
}

// nullHardware is the value of every hardware attribute before Ironic was asked.
func nullHardware() nodeHardware {
	return nodeHardware{
		Traits:            types.SetNull(types.StringType),
		RootDevice:        types.MapNull(types.StringType),
		RAIDConfig:        types.ObjectNull(raidConfigAttrTypes),
		CurrentRAIDConfig: types.StringNull(),
	}
}

// fromNode records Ironic's view.
func (h *nodeHardware) fromNode(ctx context.Context, n *nodes.Node, diags *diag.Diagnostics) {
	traits := append([]string{}, n.Traits...)
	sort.Strings(traits)
	var d diag.Diagnostics
	h.Traits, d = types.SetValueFrom(ctx, types.StringType, traits)
	diags.Append(d...)
	h.RootDevice = rootDeviceValue(ctx, n.Properties[rootDeviceKey], diags)
	h.RAIDConfig = raidConfigValue(ctx, n.TargetRAIDConfig, diags)
	h.CurrentRAIDConfig = jsonOrNull(n.RAIDConfig, types.StringNull())
}

// jsonOrNull renders a JSON object; empty is null, and prior is kept when it means the same.
func jsonOrNull(v map[string]any, prior types.String) types.String {
	if len(v) == 0 {
		return types.StringNull()
	}
	if known(prior) && sameJSON(prior.ValueString(), v) {
		return prior
	}
	b, err := json.Marshal(v)
	if err != nil {
		return types.StringNull()
	}
	return types.StringValue(string(b))
}

func sameJSON(text string, v any) bool {
	var parsed any
	if json.Unmarshal([]byte(text), &parsed) != nil {
		return false
	}
	a, _ := json.Marshal(parsed)
	b, _ := json.Marshal(v)
	return string(a) == string(b)
}

// rootDeviceValue reads properties.root_device, every hint as a string.
func rootDeviceValue(ctx context.Context, raw any, diags *diag.Diagnostics) types.Map {
	hints, ok := raw.(map[string]any)
	if !ok || len(hints) == 0 {
		return types.MapNull(types.StringType)
	}
	v, d := types.MapValueFrom(ctx, types.StringType, ironic.StringMap(hints))
	diags.Append(d...)
	return v
}

// digits: a size Ironic wants as a number.
var digits = regexp.MustCompile(`^[0-9]+$`)

// rootDeviceHintsOf is what Ironic stores for the configured hints (size in GiB as a
// number unless it has an operator, rotational as a boolean); nil when none.
func rootDeviceHintsOf(ctx context.Context, v types.Map, diags *diag.Diagnostics) map[string]any {
	m := stringMap(ctx, v, diags)
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, s := range m {
		out[k] = s
		switch {
		case k == "size" && digits.MatchString(s):
			n, _ := strconv.ParseInt(s, 10, 64)
			out[k] = n
		case k == "rotational":
			if b, err := strconv.ParseBool(s); err == nil {
				out[k] = b
			}
		}
	}
	return out
}

// raidConfigValue reads Ironic's target_raid_config; none (or no disks) is null.
func raidConfigValue(ctx context.Context, raw map[string]any, diags *diag.Diagnostics) types.Object {
	disks, _ := raw["logical_disks"].([]any)
	if len(disks) == 0 {
		return types.ObjectNull(raidConfigAttrTypes)
	}
	var cfg raidConfig
	for _, d := range disks {
		m, _ := d.(map[string]any)
		ld := logicalDisk{
			SizeGB: optString(m["size_gb"]), RAIDLevel: optString(m["raid_level"]), Controller: optString(m["controller"]),
			VolumeName: optString(m["volume_name"]), DiskType: optString(m["disk_type"]), InterfaceType: optString(m["interface_type"]),
			IsRootVolume: optBool(m["is_root_volume"]), SharePhysicalDisks: optBool(m["share_physical_disks"]),
			NumberOfPhysicalDisks: types.Int64Null(), PhysicalDisks: types.ListNull(types.StringType),
		}
		if n, ok := m["number_of_physical_disks"].(float64); ok {
			ld.NumberOfPhysicalDisks = types.Int64Value(int64(n))
		}
		if pd, ok := m["physical_disks"].([]any); ok {
			names := make([]string, 0, len(pd))
			for _, p := range pd {
				names = append(names, ironic.StringValue(p))
			}
			var d diag.Diagnostics
			ld.PhysicalDisks, d = types.ListValueFrom(ctx, types.StringType, names)
			diags.Append(d...)
		}
		cfg.LogicalDisks = append(cfg.LogicalDisks, ld)
	}
	v, d := types.ObjectValueFrom(ctx, raidConfigAttrTypes, cfg)
	diags.Append(d...)
	return v
}

// raidConfigOf is the target_raid_config Ironic takes for the configured layout; an
// empty map clears it.
func raidConfigOf(ctx context.Context, v types.Object, diags *diag.Diagnostics) map[string]any {
	if v.IsNull() || v.IsUnknown() {
		return map[string]any{}
	}
	var cfg raidConfig
	diags.Append(v.As(ctx, &cfg, basetypes.ObjectAsOptions{})...)
	if len(cfg.LogicalDisks) == 0 {
		return map[string]any{}
	}
	disks := make([]any, 0, len(cfg.LogicalDisks))
	for _, ld := range cfg.LogicalDisks {
		m := map[string]any{}
		if s := ld.SizeGB.ValueString(); digits.MatchString(s) {
			n, _ := strconv.ParseInt(s, 10, 64)
			m["size_gb"] = n
		} else if s != "" {
			m["size_gb"] = s
		}
		for k, f := range map[string]types.String{"raid_level": ld.RAIDLevel, "controller": ld.Controller,
			"volume_name": ld.VolumeName, "disk_type": ld.DiskType, "interface_type": ld.InterfaceType} {
			if known(f) {
				m[k] = f.ValueString()
			}
		}
		for k, f := range map[string]types.Bool{"is_root_volume": ld.IsRootVolume, "share_physical_disks": ld.SharePhysicalDisks} {
			if !f.IsNull() && !f.IsUnknown() {
				m[k] = f.ValueBool()
			}
		}
		if !ld.NumberOfPhysicalDisks.IsNull() && !ld.NumberOfPhysicalDisks.IsUnknown() {
			m["number_of_physical_disks"] = ld.NumberOfPhysicalDisks.ValueInt64()
		}
		if !ld.PhysicalDisks.IsNull() && !ld.PhysicalDisks.IsUnknown() {
			var names []string
			diags.Append(ld.PhysicalDisks.ElementsAs(ctx, &names, false)...)
			m["physical_disks"] = names
		}
		disks = append(disks, m)
	}
	return map[string]any{"logical_disks": disks}
}

func optString(v any) types.String {
	if v == nil {
		return types.StringNull()
	}
	return types.StringValue(ironic.StringValue(v))
}

func optBool(v any) types.Bool {
	if b, ok := v.(bool); ok {
		return types.BoolValue(b)
	}
	return types.BoolNull()
}

// traitsOf reads a known traits set; nil when unknown or null.
func traitsOf(ctx context.Context, v types.Set, diags *diag.Diagnostics) []string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}
