package provider

import (
	"context"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// nodeFields are the node attributes shared by the resource and the data source.
// Attribute names equal Ironic's field names, which are also the JSON patch paths.
type nodeFields struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	Driver          types.String `tfsdk:"driver"`
	DriverInfo      types.Map    `tfsdk:"driver_info"`
	Properties      types.Map    `tfsdk:"properties"`
	Extra           types.Map    `tfsdk:"extra"`
	ResourceClass   types.String `tfsdk:"resource_class"`
	Owner           types.String `tfsdk:"owner"`
	Lessee          types.String `tfsdk:"lessee"`
	ConductorGroup  types.String `tfsdk:"conductor_group"`
	Description     types.String `tfsdk:"description"`
	Shard           types.String `tfsdk:"shard"`
	ParentNode      types.String `tfsdk:"parent_node"`
	DisablePowerOff types.Bool   `tfsdk:"disable_power_off"`

	BIOSInterface       types.String `tfsdk:"bios_interface"`
	BootInterface       types.String `tfsdk:"boot_interface"`
	ConsoleInterface    types.String `tfsdk:"console_interface"`
	DeployInterface     types.String `tfsdk:"deploy_interface"`
	InspectInterface    types.String `tfsdk:"inspect_interface"`
	ManagementInterface types.String `tfsdk:"management_interface"`
	NetworkInterface    types.String `tfsdk:"network_interface"`
	PowerInterface      types.String `tfsdk:"power_interface"`
	RAIDInterface       types.String `tfsdk:"raid_interface"`
	RescueInterface     types.String `tfsdk:"rescue_interface"`
	StorageInterface    types.String `tfsdk:"storage_interface"`
	VendorInterface     types.String `tfsdk:"vendor_interface"`
	FirmwareInterface   types.String `tfsdk:"firmware_interface"`

	Maintenance       types.Bool   `tfsdk:"maintenance"`
	MaintenanceReason types.String `tfsdk:"maintenance_reason"`

	ProvisionState types.String `tfsdk:"provision_state"`
	PowerState     types.String `tfsdk:"power_state"`
	LastError      types.String `tfsdk:"last_error"`
	CreatedAt      types.String `tfsdk:"created_at"`
	UpdatedAt      types.String `tfsdk:"updated_at"`
}

// Descriptions of the simple optional string attributes, in schema order.
var nodeOptionalStringDocs = []struct{ name, doc string }{
	{"name", "Unique, human-readable node name (letters, digits, `-`, `_`, `.`, `~`). Nodes can be looked up and imported by name."},
	{"resource_class", "Resource class used by the Compute service to schedule onto this node, for example `baremetal`."},
	{"owner", "Project that owns the node."},
	{"lessee", "Project the node is leased to."},
	{"conductor_group", "Conductor group that manages the node."},
	{"description", "Free-form description of the node."},
}

// nodeInterfaceNames are the hardware interfaces, as in `<name>_interface`.
var nodeInterfaceNames = []string{"bios", "boot", "console", "deploy", "firmware", "inspect", "management", "network", "power", "raid", "rescue", "storage", "vendor"}

// optionalStrings maps each simple optional attribute to its field.
func (m *nodeFields) optionalStrings() map[string]*types.String {
	return map[string]*types.String{
		"name": &m.Name, "resource_class": &m.ResourceClass, "owner": &m.Owner,
		"lessee": &m.Lessee, "conductor_group": &m.ConductorGroup, "description": &m.Description,
		"shard": &m.Shard, "parent_node": &m.ParentNode,
	}
}

// interfaces maps each `<name>_interface` attribute to its field.
func (m *nodeFields) interfaces() map[string]*types.String {
	return map[string]*types.String{
		"bios_interface": &m.BIOSInterface, "boot_interface": &m.BootInterface, "console_interface": &m.ConsoleInterface,
		"deploy_interface": &m.DeployInterface, "inspect_interface": &m.InspectInterface,
		"management_interface": &m.ManagementInterface, "network_interface": &m.NetworkInterface,
		"power_interface": &m.PowerInterface, "raid_interface": &m.RAIDInterface, "rescue_interface": &m.RescueInterface,
		"storage_interface": &m.StorageInterface, "vendor_interface": &m.VendorInterface,
		"firmware_interface": &m.FirmwareInterface,
	}
}

// maps maps each map attribute to its field.
func (m *nodeFields) maps() map[string]*types.Map {
	return map[string]*types.Map{"driver_info": &m.DriverInfo, "properties": &m.Properties, "extra": &m.Extra}
}

// nodeRemoteStrings is the node's string fields keyed by attribute name.
func nodeRemoteStrings(n *nodes.Node) map[string]string {
	return map[string]string{
		"name": n.Name, "resource_class": n.ResourceClass, "owner": n.Owner, "lessee": n.Lessee,
		"conductor_group": n.ConductorGroup, "description": n.Description, "shard": n.Shard, "parent_node": n.ParentNode,
		"bios_interface": n.BIOSInterface, "boot_interface": n.BootInterface, "console_interface": n.ConsoleInterface,
		"deploy_interface": n.DeployInterface, "inspect_interface": n.InspectInterface,
		"management_interface": n.ManagementInterface, "network_interface": n.NetworkInterface,
		"power_interface": n.PowerInterface, "raid_interface": n.RAIDInterface, "rescue_interface": n.RescueInterface,
		"storage_interface": n.StorageInterface, "vendor_interface": n.VendorInterface,
		"firmware_interface": n.FirmwareInterface,
	}
}

// fromNode fills the fields from Ironic's view of the node. prior is the plan or state
// it replaces: it supplies the secrets Ironic masks, and whether an empty map was
// written as {} or left out.
func (m *nodeFields) fromNode(ctx context.Context, n *nodes.Node, prior *nodeFields) diag.Diagnostics {
	var diags diag.Diagnostics
	remote := nodeRemoteStrings(n)
	m.ID = types.StringValue(n.UUID)
	m.Driver = types.StringValue(n.Driver)
	for name, f := range m.optionalStrings() {
		*f = stringOrNull(remote[name])
	}
	// An interface Ironic does not report (firmware before API 1.86) is null, not "".
	for name, f := range m.interfaces() {
		*f = stringOrNull(remote[name])
	}
	var priorMaps map[string]*types.Map
	if prior != nil {
		priorMaps = prior.maps()
	}
	driverInfo := ironic.StringMap(n.DriverInfo)
	if prior != nil {
		driverInfo = ironic.UnmaskSecrets(driverInfo, stringMap(ctx, prior.DriverInfo, &diags))
	}
	remoteMaps := map[string]map[string]string{
		"driver_info": driverInfo, "properties": withoutKey(ironic.StringMap(n.Properties), rootDeviceKey), "extra": ironic.StringMap(n.Extra),
	}
	for name, f := range m.maps() {
		var before *types.Map
		if priorMaps != nil {
			before = priorMaps[name]
		}
		*f = mapValue(ctx, remoteMaps[name], before, &diags)
	}
	m.Maintenance = types.BoolValue(n.Maintenance)
	// Ironic before API 1.95 has no disable_power_off; the client reads false for it. So
	// false is null unless the configuration says false: a generated configuration then
	// never names an attribute that Ironic lacks.
	m.DisablePowerOff = types.BoolNull()
	if n.DisablePowerOff || (prior != nil && !prior.DisablePowerOff.IsNull() && !prior.DisablePowerOff.IsUnknown()) {
		m.DisablePowerOff = types.BoolValue(n.DisablePowerOff)
	}
	m.MaintenanceReason = stringOrNull(n.MaintenanceReason)
	m.ProvisionState = stringOrNull(n.ProvisionState)
	m.PowerState = stringOrNull(n.PowerState)
	m.LastError = stringOrNull(n.LastError)
	m.CreatedAt = timeOrNull(n.CreatedAt)
	m.UpdatedAt = timeOrNull(n.UpdatedAt)
	return diags
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func timeOrNull(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// mapValue renders a remote map; an empty one is null unless it was written as {}.
func mapValue(ctx context.Context, m map[string]string, prior *types.Map, diags *diag.Diagnostics) types.Map {
	if len(m) == 0 && (prior == nil || prior.IsNull() || prior.IsUnknown()) {
		return types.MapNull(types.StringType)
	}
	v, d := types.MapValueFrom(ctx, types.StringType, m)
	diags.Append(d...)
	return v
}

// stringMap reads a known map attribute; null or unknown gives nil.
func stringMap(ctx context.Context, v types.Map, diags *diag.Diagnostics) map[string]string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	out := map[string]string{}
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}

// withoutKey drops a key another attribute owns (properties.root_device is root_device).
func withoutKey(m map[string]string, key string) map[string]string {
	if _, ok := m[key]; !ok {
		return m
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}
