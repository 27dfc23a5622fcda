package provider

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

// Descriptions shared by the resource and the data source.
const (
	traitsDoc = "Traits of the node, which scheduling (a flavor's `trait:` properties) and deploy templates match: " +
		"standard names from os-traits (`HW_CPU_X86_VMX`) or `CUSTOM_` followed by upper-case letters, digits and `_`."
	rootDeviceDoc = "Root device hints: which disk the image is written to, kept in `properties.root_device`. " +
		"`size` is in GiB and may carry an operator (`>= 100`); `rotational` is `true` or `false`."
	raidConfigDoc = "Target RAID layout (Ironic's `target_raid_config`): what a RAID clean step or deploy step " +
		"builds. Setting it changes no disk by itself (as `baremetal node set --target-raid-config`)."
	currentRAIDDoc = "The RAID configuration Ironic reports as built (`raid_config`), as JSON; null when none."
)

var (
	customTraitPattern = regexp.MustCompile(`^CUSTOM_[A-Z0-9_]+$`)
	raidSizePattern    = regexp.MustCompile(`^(MAX|[0-9]+)$`)
	raidLevels         = []string{"JBOD", "0", "1", "2", "5", "6", "1+0", "5+0", "6+0"}
	raidDiskTypes      = []string{"hdd", "ssd"}
	raidInterfaceType  = []string{"sata", "scsi", "sas"}
)

func patternCheck(re *regexp.Regexp, what string) validator.String {
	return stringvalidator.RegexMatches(re, "must be "+what)
}

// hardwareAttributes are the resource's hardware attributes. Those Ironic may hold
// without the configuration saying so (traits, root device, RAID target) are kept as
// they are when not configured, and authoritative when configured.
func hardwareAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"traits": schema.SetAttribute{
			ElementType: types.StringType, Optional: true, Computed: true,
			MarkdownDescription: traitsDoc + " When set, the set is authoritative: a trait added by hand shows as drift " +
				"and the apply removes it. When not set, the traits are left as Ironic holds them.",
			Validators:    []validator.Set{setvalidator.ValueStringsAre(validators.TraitName())},
			PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
		},
		"root_device": schema.MapAttribute{
			ElementType: types.StringType, Optional: true, Computed: true,
			MarkdownDescription: rootDeviceDoc + " Keys: " + quotedList(rootDeviceHints) + "; an unknown key is a " +
				"plan-time error. When set, the hints are authoritative; the rest of `properties` (inspected values " +
				"included) is untouched. `{}` removes the hints; not set leaves them as Ironic holds them.",
			Validators:    []validator.Map{validators.RootDeviceHints(rootDeviceHints)},
			PlanModifiers: []planmodifier.Map{mapplanmodifier.UseStateForUnknown()},
		},
		"raid_config": schema.SingleNestedAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: raidConfigDoc + " To build it, set `apply_raid_config = true` (manual cleaning, which " +
				"destroys the data on those disks) or use a deploy template with RAID deploy steps. `{ logical_disks = [] }` " +
				"clears it; not set leaves it as Ironic holds it.",
			Attributes: map[string]schema.Attribute{
				"logical_disks": schema.ListNestedAttribute{
					Required: true, MarkdownDescription: "The logical disks (volumes) to build.",
					NestedObject: schema.NestedAttributeObject{Attributes: logicalDiskAttributes()},
					Validators:   []validator.List{listvalidator.SizeAtMost(64)},
				},
			},
			PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
		},
		"apply_raid_config": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(false),
			MarkdownDescription: "Build `raid_config` on the node whenever it changes (and at create): manual cleaning " +
				"with the RAID interface's `delete_configuration` then `create_configuration`, which **destroys the data on " +
				"the disks involved**. The plan warns when it will run. The node must rest in `manageable` or `available`; " +
				"it is brought back where it was. Needs a RAID interface with those clean steps (`idrac-redfish`, " +
				"`redfish`, `ilo5`, `agent` for software RAID); the `fake` one has none, and Ironic's refusal is reported. " +
				"If building fails, the previous target is restored, so the next apply tries again (where a clean step failed on " +
				"the machine, Ironic puts the node in maintenance, fault `clean failure`: lift it, or set `maintenance = false`, " +
				"first). Default `false`.",
		},
		"current_raid_config": schema.StringAttribute{
			Computed: true, MarkdownDescription: currentRAIDDoc,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"bios_settings": schema.MapAttribute{
			ElementType: types.StringType, Optional: true,
			MarkdownDescription: "BIOS settings to apply, name to value. When they change (and at create), the BIOS " +
				"interface's `apply_configuration` clean step runs (manual cleaning; the node must rest in `manageable` or " +
				"`available` and is brought back), or, on a deployed node with `allow_servicing = true`, the same service step. Read back from Ironic's BIOS settings; only the settings named here are " +
				"compared, the rest belong to the machine. Where Ironic has a BIOS registry (API 1.74), an unknown or read-only " +
				"setting is a plan-time error.",
		},
		"allow_servicing": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(false),
			MarkdownDescription: "Allow changing the hardware of a deployed (`active`) machine in place: a change to " +
				"`bios_settings`, to `firmware_updates`, to `raid_config` with `apply_raid_config`, or a runbook to run " +
				"(`runbook`, `runbook_version`) then runs as Ironic's servicing (API 1.87, Ironic 23.0 / 2023.2 or newer) " +
				"with the firmware interface's `update`, the BIOS interface's and the RAID interface's " +
				"`apply_configuration` service steps (the `redfish` RAID interface's `delete_configuration` first), or the runbook's steps. The machine reboots, a RAID build **destroys the data on its disks**, " +
				"and the plan says so; the deployment stays as it is (no redeploy, `instance_info` untouched). If servicing " +
				"fails, Ironic's `last_error` is reported and the next plan shows the change again; the node is aborted back " +
				"to `active`, or, where Ironic put it in maintenance for the failed step, left there until you lift it. Default `false`: such a change to a deployed node is then a plan-time error.",
		},
		"firmware_updates": schema.ListNestedAttribute{
			Optional: true,
			MarkdownDescription: "Firmware images to flash, in order, with the firmware interface's `update` step (API 1.86, " +
				"Ironic 22.1), whenever the list changes (and at create): by manual cleaning on a node resting in " +
				"`manageable` or `available`, by servicing on a deployed one (with `allow_servicing = true`). The " +
				"`redfish` firmware interface flashes for real (components `bios`, `bmc`, `nic:<id>`); `fake` only " +
				"records the request. If the flash fails, or a component then reports another `version` than the one " +
				"named, the list is recorded as not applied, so the next apply tries again. Current versions: the `baremetal_node` data source's `firmware_components`.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"component": schema.StringAttribute{Required: true, MarkdownDescription: "The component: `bios`, `bmc` or `nic:<id>`.",
					Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
				"url": schema.StringAttribute{Required: true, MarkdownDescription: "Where the conductor fetches the image (`http(s)://`, `file://`, `swift://`).",
					Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
				"wait": schema.Int64Attribute{Optional: true, MarkdownDescription: "Seconds to wait after the update, for components that restart.",
					Validators: []validator.Int64{int64validator.AtLeast(1)}},
				"version": schema.StringAttribute{Optional: true, MarkdownDescription: "The version the image carries, as the " +
					"component reports it once flashed. Set, it is checked: after the flash (Ironic takes some failed flashes " +
					"as done, such as a BMC that keeps its old version) and at every refresh, where a component Ironic lists " +
					"with another version is drift, and the plan flashes the list again. The last image for a component decides.",
					Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
			}},
			Validators: []validator.List{listvalidator.SizeAtLeast(1)},
		},
		"runbook": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Name (or UUID) of a `baremetal_runbook` to run on the node (API 1.92, Ironic 26.1), once " +
				"per `runbook_version`: by manual cleaning on a node resting in `manageable` or `available`, by servicing " +
				"on a deployed one (which needs `allow_servicing = true`). The node's `traits` must include the runbook's " +
				"name: that is how an operator approves it for the node. The plan says when it runs.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"runbook_version": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "Runs `runbook` when it changes (and at create): an unchanged version never runs it " +
				"again. If the run fails, the version is recorded as not run, so the next apply runs it again.",
		},
	}
}

func logicalDiskAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"size_gb": schema.StringAttribute{
			Required: true, MarkdownDescription: "Size in GiB, or `MAX` for the rest of the space.",
			Validators: []validator.String{patternCheck(raidSizePattern, `a whole number of GiB or "MAX"`)},
		},
		"raid_level": schema.StringAttribute{
			Required: true, MarkdownDescription: "RAID level: " + quotedList(raidLevels) + ".",
			Validators: []validator.String{stringvalidator.OneOf(raidLevels...)},
		},
		"is_root_volume":       schema.BoolAttribute{Optional: true, MarkdownDescription: "The volume the image is deployed to (at most one)."},
		"controller":           schema.StringAttribute{Optional: true, MarkdownDescription: "RAID controller to use, for example `RAID.Integrated.1-1` or `software`."},
		"physical_disks":       schema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Physical disks to use, as the controller names them."},
		"volume_name":          schema.StringAttribute{Optional: true, MarkdownDescription: "Name of the volume."},
		"disk_type":            schema.StringAttribute{Optional: true, MarkdownDescription: "`hdd` or `ssd`.", Validators: []validator.String{stringvalidator.OneOf(raidDiskTypes...)}},
		"interface_type":       schema.StringAttribute{Optional: true, MarkdownDescription: "`sata`, `scsi` or `sas`.", Validators: []validator.String{stringvalidator.OneOf(raidInterfaceType...)}},
		"share_physical_disks": schema.BoolAttribute{Optional: true, MarkdownDescription: "Whether other volumes may share its physical disks."},
		"number_of_physical_disks": schema.Int64Attribute{
			Optional: true, MarkdownDescription: "How many physical disks to use.",
			Validators: []validator.Int64{int64validator.AtLeast(1)},
		},
	}
}
