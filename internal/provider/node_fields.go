package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

// nodeFields are the node attributes shared by the resource and the data source.
// Attribute names equal Ironic's field names, which are also the JSON patch paths. All
// but the identity (id, driver), maintenance (which the engine sets through Ironic's
// maintenance call, not the patch) and the states Ironic reports are in nodeFieldTable.
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
	AutomatedClean  types.Bool   `tfsdk:"automated_clean"`
	Retired         types.Bool   `tfsdk:"retired"`
	RetiredReason   types.String `tfsdk:"retired_reason"`
	NetworkData     types.String `tfsdk:"network_data"`
	BootMode        types.String `tfsdk:"boot_mode"`
	SecureBoot      types.Bool   `tfsdk:"secure_boot"`

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

// nodeField is one node attribute that is the Ironic field of the same name (which is
// also its JSON patch path). nodeFieldTable drives everything that lists node fields:
// the resource's and the data source's schemas, fromNode, the enrollment body, the patch
// and the microversion check; a new field is an entry there (and its model field above).
type nodeField struct {
	name  string
	doc   string // what the field is: the description in the resource and the data source
	input string // the resource's only, after doc: what setting it, or leaving it unset, does
	read  string // the data source's only, after doc: when it is null, how values read

	// kept: optional and computed in the resource, an unset value being whatever Ironic
	// holds, kept as it is (UseStateForUnknown unless modifiers say otherwise).
	kept         bool
	sensitive    bool
	validators   []validator.String // strings; default: at least one character
	modifiers    []planmodifier.String
	mapModifiers []planmodifier.Map
	feature      string // the ironic.Features entry the attribute needs when set

	// One kind: a string, a JSON object's text, a map of strings, a bool or an optional
	// bool, with where it lives in the model and in Ironic's node.
	str        func(*nodeFields) *types.String
	remoteStr  func(*nodes.Node) string
	remoteJSON func(*nodes.Node) map[string]any // instead of remoteStr: the text of a JSON object
	mapAttr    func(*nodeFields) *types.Map
	remoteMap  func(ctx context.Context, n *nodes.Node, prior *nodeFields, diags *diag.Diagnostics) map[string]string
	keyByKey   bool // a map patched key by key: another attribute owns a key, or Ironic masks some
	boolAttr   func(*nodeFields) *types.Bool
	remoteBool func(*nodes.Node) bool
	// instead of remoteBool: a bool Ironic may leave null (a conductor setting then
	// decides), null in the resource when not configured and removed when configured away
	remoteOptBool func(*nodes.Node) *bool
	// a bool with a default: computed, never null, sent at enrollment only when it differs
	boolDefault *bool
	// instead of remoteStr or remoteBool: a boot setting, read from the node's boot fields
	// (fromBoot) and set through Ironic's state calls (bootChange), neither in the
	// enrollment body nor in the patch
	bootStr  func(ironic.NodeBoot) string
	bootBool func(ironic.NodeBoot) *bool
}

// keptUnset is what an unset kept attribute plans.
const keptUnset = "Unset: whatever Ironic holds, kept as it is."

// nodeFieldTable is the node's fields: strings, interfaces, maps, booleans, then
// cleaning, retirement and network data (the order of the patch's operations).
var nodeFieldTable = []nodeField{
	{name: "name", doc: "Unique, human-readable node name (letters, digits, `-`, `_`, `.`, `~`). Nodes can be looked up and imported by name.",
		str: func(m *nodeFields) *types.String { return &m.Name }, remoteStr: func(n *nodes.Node) string { return n.Name }},
	{name: "resource_class", doc: "Resource class used by the Compute service to schedule onto this node, for example `baremetal`.",
		str: func(m *nodeFields) *types.String { return &m.ResourceClass }, remoteStr: func(n *nodes.Node) string { return n.ResourceClass }},
	// Under Keystone, Ironic records the creating project as the owner when none is
	// given: unset, the owner is Ironic's to fill, never an inconsistent result or drift.
	{name: "owner", doc: "Project that owns the node.", kept: true,
		input: "Unset: whatever Ironic records (under Keystone, the project that created the node), kept as it is.",
		str:   func(m *nodeFields) *types.String { return &m.Owner }, remoteStr: func(n *nodes.Node) string { return n.Owner }},
	{name: "lessee", doc: "Project the node is leased to.",
		str: func(m *nodeFields) *types.String { return &m.Lessee }, remoteStr: func(n *nodes.Node) string { return n.Lessee }},
	// Ironic stores a conductor group in lower case: a mixed-case one would come back
	// changed after every apply.
	{name: "conductor_group", doc: "Conductor group that manages the node: lower case (Ironic stores it so), letters, digits, `_`, `-` and `.`.",
		validators: []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.RegexMatches(conductorGroupRE,
			"must be lower case letters, digits, '_', '-' and '.': Ironic stores a conductor group in lower case")},
		str: func(m *nodeFields) *types.String { return &m.ConductorGroup }, remoteStr: func(n *nodes.Node) string { return n.ConductorGroup }},
	{name: "description", doc: "Free-form description of the node.",
		str: func(m *nodeFields) *types.String { return &m.Description }, remoteStr: func(n *nodes.Node) string { return n.Description }},
	// Set by operators and fleet tools as often as here: unset keeps what Ironic holds.
	{name: "shard", doc: "The shard the node belongs to (API 1.82): how a large fleet is split between conductors' " +
		"clients and between workspaces (see the `baremetal_shards` and `baremetal_nodes` data sources).",
		kept: true, read: "Null when none.",
		str: func(m *nodeFields) *types.String { return &m.Shard }, remoteStr: func(n *nodes.Node) string { return n.Shard }},
	{name: "parent_node", doc: "UUID of the node this one is a part of (API 1.83, Ironic 22.0), such as the host of a " +
		"DPU (Ironic stores the UUID even when given a name, so give the id).",
		kept: true, read: "Null otherwise.", validators: []validator.String{validators.NodeUUID()}, feature: "parent_node",
		str: func(m *nodeFields) *types.String { return &m.ParentNode }, remoteStr: func(n *nodes.Node) string { return n.ParentNode }},
	nodeInterface("bios", func(m *nodeFields) *types.String { return &m.BIOSInterface }, func(n *nodes.Node) string { return n.BIOSInterface }),
	nodeInterface("boot", func(m *nodeFields) *types.String { return &m.BootInterface }, func(n *nodes.Node) string { return n.BootInterface }),
	nodeInterface("console", func(m *nodeFields) *types.String { return &m.ConsoleInterface }, func(n *nodes.Node) string { return n.ConsoleInterface }),
	nodeInterface("deploy", func(m *nodeFields) *types.String { return &m.DeployInterface }, func(n *nodes.Node) string { return n.DeployInterface }),
	nodeInterface("firmware", func(m *nodeFields) *types.String { return &m.FirmwareInterface }, func(n *nodes.Node) string { return n.FirmwareInterface }).
		needs("firmware_interface"),
	nodeInterface("inspect", func(m *nodeFields) *types.String { return &m.InspectInterface }, func(n *nodes.Node) string { return n.InspectInterface }),
	nodeInterface("management", func(m *nodeFields) *types.String { return &m.ManagementInterface }, func(n *nodes.Node) string { return n.ManagementInterface }),
	nodeInterface("network", func(m *nodeFields) *types.String { return &m.NetworkInterface }, func(n *nodes.Node) string { return n.NetworkInterface }),
	nodeInterface("power", func(m *nodeFields) *types.String { return &m.PowerInterface }, func(n *nodes.Node) string { return n.PowerInterface }),
	nodeInterface("raid", func(m *nodeFields) *types.String { return &m.RAIDInterface }, func(n *nodes.Node) string { return n.RAIDInterface }),
	nodeInterface("rescue", func(m *nodeFields) *types.String { return &m.RescueInterface }, func(n *nodes.Node) string { return n.RescueInterface }),
	nodeInterface("storage", func(m *nodeFields) *types.String { return &m.StorageInterface }, func(n *nodes.Node) string { return n.StorageInterface }),
	nodeInterface("vendor", func(m *nodeFields) *types.String { return &m.VendorInterface }, func(n *nodes.Node) string { return n.VendorInterface }),
	{name: "driver_info", doc: "Driver settings, such as `ipmi_address`, `ipmi_username`, `ipmi_password`, `deploy_kernel` and " +
		"`deploy_ramdisk`. Sensitive as a whole: it carries BMC credentials.",
		input: "Ironic returns secrets masked (`******`); the configured value is kept for those, and any other value changed " +
			"outside Terraform shows as drift. When not set, Terraform leaves it as Ironic holds it: an adopted node keeps its " +
			"BMC settings even though `-generate-config-out` writes this sensitive map as `null`. Set `{}` to empty it.",
		read: "Ironic returns secrets masked as `******`.",
		// Unset is "not managed", never "remove": removing it would cut the node off its BMC.
		kept: true, sensitive: true, keyByKey: true,
		mapAttr: func(m *nodeFields) *types.Map { return &m.DriverInfo },
		remoteMap: func(ctx context.Context, n *nodes.Node, prior *nodeFields, diags *diag.Diagnostics) map[string]string {
			info := ironic.StringMap(n.DriverInfo)
			if prior != nil {
				info = ironic.UnmaskSecrets(info, stringMap(ctx, prior.DriverInfo, diags))
			}
			return info
		}},
	{name: "properties", doc: "Physical properties used for scheduling and deployment, for example " +
		"`capabilities = \"boot_mode:uefi\"`, `cpu_arch`, `memory_mb`.",
		input: "When set, the map is authoritative. When not set, Ironic owns it (inspection fills it in) and the provider " +
			"reports what Ironic holds.",
		read: "Non-string values as JSON.",
		kept: true, mapModifiers: []planmodifier.Map{useStateUnlessInspecting()}, keyByKey: true, // root_device is another attribute
		mapAttr: func(m *nodeFields) *types.Map { return &m.Properties },
		remoteMap: func(_ context.Context, n *nodes.Node, _ *nodeFields, _ *diag.Diagnostics) map[string]string {
			return withoutKey(ironic.StringMap(n.Properties), rootDeviceKey)
		}},
	{name: "extra", doc: "Free-form metadata.", read: "Non-string values as JSON.",
		mapAttr: func(m *nodeFields) *types.Map { return &m.Extra },
		remoteMap: func(_ context.Context, n *nodes.Node, _ *nodeFields, _ *diag.Diagnostics) map[string]string {
			return ironic.StringMap(n.Extra)
		}},
	{name: "disable_power_off", doc: "Ironic never powers the node off, it reboots it instead (API 1.95, Ironic 28.0): for " +
		"machines whose BMC shares their power, such as DPUs.",
		kept: true, read: "Null where Ironic has none.", feature: "disable_power_off",
		boolAttr: func(m *nodeFields) *types.Bool { return &m.DisablePowerOff }, remoteBool: func(n *nodes.Node) bool { return n.DisablePowerOff }},
	{name: "automated_clean", doc: "Whether Ironic cleans this node automatically between tenants (on undeploy and when made " +
		"available). Null: the conductor's `[conductor]automated_clean` setting.",
		boolAttr: func(m *nodeFields) *types.Bool { return &m.AutomatedClean }, remoteOptBool: func(n *nodes.Node) *bool { return n.AutomatedClean }},
	{name: "retired", doc: "Whether the node is retired (API 1.61): taken out of service. A deployed node stays in service " +
		"until its deployment is destroyed; that teardown then ends in `manageable` (Ironic ends a retired node's cleaning " +
		"there and refuses to provide it). A retired node's `target_provision_state = \"available\"` rests in `manageable` " +
		"(the plan says so), and an `available` node is moved to `manageable` to be retired (Ironic refuses to retire it " +
		"there). To take a machine out of service, set `retired = true` and remove its deployment in one apply: it is " +
		"undeployed, cleaned and rests in `manageable`. `false` again returns it to its target (`available`: provided).",
		boolDefault: new(false),
		boolAttr:    func(m *nodeFields) *types.Bool { return &m.Retired }, remoteBool: func(n *nodes.Node) bool { return n.Retired }},
	{name: "retired_reason", doc: "Why the node is retired; only with `retired = true`.",
		str: func(m *nodeFields) *types.String { return &m.RetiredReason }, remoteStr: func(n *nodes.Node) string { return n.RetiredReason }},
	{name: "network_data", doc: "Static network configuration for the config drive (Ironic's `network_data`, API 1.66), as a JSON object.",
		input: "Build it with `jsonencode()`.", validators: []validator.String{validators.JSONText("an object")},
		str: func(m *nodeFields) *types.String { return &m.NetworkData }, remoteJSON: func(n *nodes.Node) map[string]any { return n.NetworkData }},
	{name: "boot_mode", doc: "The machine's boot mode, `" + strings.Join(ironic.BootModes, "` or `") + "`, as Ironic last read it from the " +
		"BMC (API 1.75; Ironic reads it again at its power sync, every 60 s by default).",
		input: bootModeInput, read: "Null where the management interface cannot read it (`fake`, `noop`) or the Ironic is older.",
		kept: true, feature: "boot_mode", validators: []validator.String{stringvalidator.OneOf(ironic.BootModes...)},
		str: func(m *nodeFields) *types.String { return &m.BootMode }, bootStr: func(b ironic.NodeBoot) string { return b.Mode }},
	{name: "secure_boot", doc: "Whether UEFI secure boot is on, as Ironic last read it from the BMC (API 1.75).",
		input: secureBootInput, read: "Null where the management interface cannot tell or the Ironic is older.",
		kept: true, feature: "secure_boot",
		boolAttr: func(m *nodeFields) *types.Bool { return &m.SecureBoot }, bootBool: func(b ironic.NodeBoot) *bool { return b.SecureBoot }},
}

// nodeInterface is the `<kind>_interface` field. An interface left out of the
// configuration is planned unknown (the driver changes) or kept, never null; one Ironic
// does not report (firmware before API 1.86) is null, not "".
func nodeInterface(kind string, field func(*nodeFields) *types.String, remote func(*nodes.Node) string) nodeField {
	return nodeField{
		name:  kind + "_interface",
		doc:   fmt.Sprintf("The %s interface, for example `%s`.", kind, exampleInterface(kind)),
		input: "Defaults to the hardware type's default, which is what Ironic reports when unset.",
		kept:  true, modifiers: []planmodifier.String{useStateUnlessDriverChanges()},
		str: field, remoteStr: remote,
	}
}

// needs says the attribute needs an API feature when set.
func (f nodeField) needs(feature string) nodeField {
	f.feature = feature
	return f
}

func exampleInterface(kind string) string {
	switch kind {
	case "power", "management":
		return "ipmitool"
	case "firmware":
		return "redfish"
	case "deploy":
		return "direct"
	case "boot":
		return "pxe"
	case "network":
		return "noop"
	default:
		return "no-" + kind
	}
}

// conductorGroupRE is what Ironic keeps of a conductor group unchanged.
var conductorGroupRE = regexp.MustCompile(`^[a-z0-9_.-]+$`)

func joinDoc(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " ")
}

// resourceAttribute is the field in the baremetal_node resource.
func (f nodeField) resourceAttribute() rschema.Attribute {
	doc := f.input
	if doc == "" && f.kept {
		doc = keptUnset
	}
	doc = joinDoc(f.doc, doc)
	switch {
	case f.str != nil:
		validators := f.validators
		if validators == nil {
			validators = []validator.String{stringvalidator.LengthAtLeast(1)}
		}
		modifiers := f.modifiers
		if modifiers == nil && f.kept {
			modifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
		}
		return rschema.StringAttribute{Optional: true, Computed: f.kept, Sensitive: f.sensitive, MarkdownDescription: doc,
			Validators: validators, PlanModifiers: modifiers}
	case f.mapAttr != nil:
		modifiers := f.mapModifiers
		if modifiers == nil && f.kept {
			modifiers = []planmodifier.Map{mapplanmodifier.UseStateForUnknown()}
		}
		return rschema.MapAttribute{ElementType: types.StringType, Optional: true, Computed: f.kept, Sensitive: f.sensitive,
			MarkdownDescription: doc, PlanModifiers: modifiers}
	case f.boolDefault != nil:
		return rschema.BoolAttribute{Optional: true, Computed: true, Sensitive: f.sensitive, Default: booldefault.StaticBool(*f.boolDefault),
			MarkdownDescription: joinDoc(doc, fmt.Sprintf("Default `%v`.", *f.boolDefault))}
	default:
		var modifiers []planmodifier.Bool
		if f.kept {
			modifiers = []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}
		}
		return rschema.BoolAttribute{Optional: true, Computed: f.kept, Sensitive: f.sensitive, MarkdownDescription: doc,
			PlanModifiers: modifiers}
	}
}

// dataSourceAttribute is the field in the baremetal_node data source: read only.
func (f nodeField) dataSourceAttribute() dschema.Attribute {
	doc := joinDoc(f.doc, f.read)
	switch {
	case f.str != nil:
		return dschema.StringAttribute{Computed: true, Sensitive: f.sensitive, MarkdownDescription: doc}
	case f.mapAttr != nil:
		return dschema.MapAttribute{ElementType: types.StringType, Computed: true, Sensitive: f.sensitive, MarkdownDescription: doc}
	default:
		return dschema.BoolAttribute{Computed: true, Sensitive: f.sensitive, MarkdownDescription: doc}
	}
}

// nodeFieldAttributes are the table's attributes of the resource.
func nodeFieldAttributes() map[string]rschema.Attribute {
	attrs := make(map[string]rschema.Attribute, len(nodeFieldTable))
	for _, f := range nodeFieldTable {
		attrs[f.name] = f.resourceAttribute()
	}
	return attrs
}

// nodeFieldDataSourceAttributes are the table's attributes of the data source.
func nodeFieldDataSourceAttributes() map[string]dschema.Attribute {
	attrs := make(map[string]dschema.Attribute, len(nodeFieldTable))
	for _, f := range nodeFieldTable {
		attrs[f.name] = f.dataSourceAttribute()
	}
	return attrs
}

// nodeFieldFeatures are the table's attributes that need a microversion newer than the
// oldest the provider works with.
func nodeFieldFeatures() []featureUse {
	var uses []featureUse
	for _, f := range nodeFieldTable {
		if f.feature != "" {
			uses = append(uses, featureUse{f.name, f.feature})
		}
	}
	return uses
}

// addToCreate puts the fields the plan knows into the enrollment body.
func (m *nodeFields) addToCreate(ctx context.Context, create ironic.NodeCreate, diags *diag.Diagnostics) {
	for _, f := range nodeFieldTable {
		switch {
		case f.bootStr != nil || f.bootBool != nil: // set once enrolled (bootChange)
		case f.remoteJSON != nil:
			if v := *f.str(m); known(v) {
				var obj map[string]any
				diags.Append(unmarshalJSON(f.name, v.ValueString(), &obj)...)
				create[f.name] = obj
			}
		case f.str != nil:
			setIfKnown(create, f.name, *f.str(m))
		case f.mapAttr != nil:
			if v := stringMap(ctx, *f.mapAttr(m), diags); v != nil {
				create[f.name] = ironic.AnyMap(v)
			}
		default:
			if v := *f.boolAttr(m); !v.IsNull() && !v.IsUnknown() && (f.boolDefault == nil || v.ValueBool() != *f.boolDefault) {
				create[f.name] = v.ValueBool()
			}
		}
	}
}

// patch adds the operations that turn the state's fields into the plan's.
func (m *nodeFields) patch(b *patchBuilder, state *nodeFields) {
	for _, f := range nodeFieldTable {
		switch {
		case f.bootStr != nil || f.bootBool != nil: // Ironic's state calls (bootChange)
		case f.remoteJSON != nil:
			b.jsonObject(f.name, *f.str(m), *f.str(state))
		case f.str != nil:
			b.str(f.name, *f.str(m), *f.str(state))
		case f.keyByKey:
			b.mapKeys(f.name, *f.mapAttr(m), *f.mapAttr(state))
		case f.mapAttr != nil:
			b.strMap(f.name, *f.mapAttr(m), *f.mapAttr(state))
		case f.remoteOptBool != nil:
			b.optBool(f.name, *f.boolAttr(m), *f.boolAttr(state))
		default:
			b.boolean(f.name, *f.boolAttr(m), *f.boolAttr(state))
		}
	}
}

// unsetNodeFields is a prior that configures nothing (an import's): its maps are null.
func unsetNodeFields() *nodeFields {
	var m nodeFields
	for _, f := range nodeFieldTable {
		if f.mapAttr != nil {
			*f.mapAttr(&m) = types.MapNull(types.StringType)
		}
	}
	return &m
}

// fromNode fills the fields from Ironic's view of the node. prior is the plan or state
// it replaces: it supplies the secrets Ironic masks, and whether an empty map was
// written as {} or left out.
func (m *nodeFields) fromNode(ctx context.Context, n *nodes.Node, prior *nodeFields) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(n.UUID)
	m.Driver = types.StringValue(n.Driver)
	for _, f := range nodeFieldTable {
		switch {
		case f.bootStr != nil || f.bootBool != nil: // not in gophercloud's node: fromBoot
		case f.remoteJSON != nil:
			var before types.String // a text meaning what Ironic holds is kept as written
			if prior != nil {
				before = *f.str(prior)
			}
			*f.str(m) = jsonOrNull(f.remoteJSON(n), before)
		case f.str != nil:
			*f.str(m) = stringOrNull(f.remoteStr(n))
		case f.mapAttr != nil:
			var before *types.Map
			if prior != nil {
				before = f.mapAttr(prior)
			}
			*f.mapAttr(m) = mapValue(ctx, f.remoteMap(ctx, n, prior, &diags), before, &diags)
		case f.remoteOptBool != nil:
			*f.boolAttr(m) = types.BoolPointerValue(f.remoteOptBool(n))
		case f.boolDefault != nil:
			*f.boolAttr(m) = types.BoolValue(f.remoteBool(n))
		default:
			// A field of a newer Ironic reads false from an older one. So false is null
			// unless the configuration says false: a generated configuration then never
			// names an attribute that Ironic lacks.
			v := f.remoteBool(n)
			out := types.BoolNull()
			if v || (prior != nil && !f.boolAttr(prior).IsNull() && !f.boolAttr(prior).IsUnknown()) {
				out = types.BoolValue(v)
			}
			*f.boolAttr(m) = out
		}
	}
	m.Maintenance = types.BoolValue(n.Maintenance)
	m.MaintenanceReason = stringOrNull(n.MaintenanceReason)
	m.ProvisionState = stringOrNull(n.ProvisionState)
	m.PowerState = stringOrNull(n.PowerState)
	m.LastError = stringOrNull(n.LastError)
	m.CreatedAt = timeOrNull(n.CreatedAt)
	m.UpdatedAt = timeOrNull(n.UpdatedAt)
	return diags
}

// fromBoot records the boot settings Ironic reports.
func (m *nodeFields) fromBoot(b ironic.NodeBoot) {
	for _, f := range nodeFieldTable {
		switch {
		case f.bootStr != nil:
			*f.str(m) = stringOrNull(f.bootStr(b))
		case f.bootBool != nil:
			*f.boolAttr(m) = types.BoolPointerValue(f.bootBool(b))
		}
	}
}

// lookedUp is fromNode for the data source, which has no configuration to tell an
// unset false from a false: a boolean is its value wherever the microversion has it.
func (m *nodeFields) lookedUp(ctx context.Context, n *nodes.Node, microversion string) diag.Diagnostics {
	diags := m.fromNode(ctx, n, nil)
	for _, f := range nodeFieldTable {
		if f.remoteBool != nil && (f.feature == "" || ironic.FeatureNamed(f.feature).Available(microversion)) {
			*f.boolAttr(m) = types.BoolValue(f.remoteBool(n))
		}
	}
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
