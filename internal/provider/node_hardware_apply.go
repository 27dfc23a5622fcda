package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// nodeApplied is what a node resource applies beyond the node's own fields.
type nodeApplied struct {
	ApplyRAIDConfig types.Bool   `tfsdk:"apply_raid_config"`
	BIOSSettings    types.Map    `tfsdk:"bios_settings"`
	AllowServicing  types.Bool   `tfsdk:"allow_servicing"`
	FirmwareUpdates types.List   `tfsdk:"firmware_updates"`
	Runbook         types.String `tfsdk:"runbook"`
	RunbookVersion  types.Int64  `tfsdk:"runbook_version"`
}

// addHardware puts the root device hints, kept in properties, into the create body.
func addHardware(ctx context.Context, create ironic.NodeCreate, m *nodeResourceModel, diags *diag.Diagnostics) {
	if hints := rootDeviceHintsOf(ctx, m.RootDevice, diags); hints != nil {
		props, _ := create["properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		props[rootDeviceKey] = hints
		create["properties"] = props
	}
}

// hardwarePatch adds the operations for the root device hints, kept in properties.
func hardwarePatch(b *patchBuilder, plan, state *nodeHardware) {
	if !plan.RootDevice.IsUnknown() && !plan.RootDevice.Equal(state.RootDevice) {
		if hints := rootDeviceHintsOf(b.ctx, plan.RootDevice, b.diags); hints != nil {
			b.add("properties/"+rootDeviceKey, hints)
		} else if !state.RootDevice.IsNull() {
			b.ops = append(b.ops, ironic.PatchOp{Op: ironic.OpRemove, Path: "/properties/" + rootDeviceKey})
		}
	}
}

// traitsAndRAIDWork asks for the traits and the target RAID layout when they change
// (state nil: at create). Neither touches the hardware.
func traitsAndRAIDWork(ctx context.Context, plan, state *nodeHardware, w *ironic.NodeWork, diags *diag.Diagnostics) {
	var stateTraits types.Set = types.SetNull(types.StringType)
	var stateRAID types.Object = types.ObjectNull(raidConfigAttrTypes)
	if state != nil {
		stateTraits, stateRAID = state.Traits, state.RAIDConfig
	}
	if !plan.Traits.IsUnknown() && !plan.Traits.IsNull() && !plan.Traits.Equal(stateTraits) {
		w.SetTraits, w.Traits = true, traitsOf(ctx, plan.Traits, diags)
	}
	if !plan.RAIDConfig.IsUnknown() && !plan.RAIDConfig.Equal(stateRAID) && !(plan.RAIDConfig.IsNull() && state == nil) {
		w.SetRAIDTarget, w.RAIDTarget = true, raidConfigOf(ctx, plan.RAIDConfig, diags)
	}
}

// nodeWork is what the apply does to the node once its fields are set (state nil: at
// create): traits and RAID target, provisioning, power, maintenance, hardware.
func nodeWork(ctx context.Context, config tfsdk.Config, plan, state *nodeResourceModel, diags *diag.Diagnostics) ironic.NodeWork {
	w := ironic.NodeWork{
		Hardware:       hardwareChange(ctx, plan, state, diags),
		Goal:           nodeGoal(ctx, config, plan, diags),
		AllowServicing: plan.AllowServicing.ValueBool(),
		PreviousRAID:   map[string]any{},
	}
	var stateHW *nodeHardware
	if state != nil {
		stateHW = &state.nodeHardware
		w.PreviousRAID = raidConfigOf(ctx, state.RAIDConfig, diags)
	}
	traitsAndRAIDWork(ctx, &plan.nodeHardware, stateHW, &w, diags)
	var stateFields *nodeFields
	if state != nil {
		stateFields = &state.nodeFields
	}
	w.Boot = bootChange(&plan.nodeFields, stateFields)
	return w
}

// nodeWorkFailed words the steps of w that failed (err from the engine's Enroll or
// UpdateNode); a failed hardware change is recorded as not applied.
func nodeWorkFailed(plan *nodeResourceModel, w ironic.NodeWork, err error, diags *diag.Diagnostics) {
	for _, se := range ironic.StepErrors(err) {
		switch se.Step {
		case ironic.StepTraits:
			diags.AddAttributeError(path.Root("traits"), "Unable to set the node's traits", fmt.Sprintf("Node %s: %s", se.NodeID, ironic.Message(se.Err)))
		case ironic.StepRAIDTarget:
			diags.AddAttributeError(path.Root("raid_config"), "Unable to set the node's target RAID configuration", fmt.Sprintf("Node %s: %s", se.NodeID, ironic.Message(se.Err)))
		case ironic.StepConverge:
			convergeFailed(se.Err, diags)
		case ironic.StepHardware:
			hardwareFailed(w.Hardware, se.Err, plan, diags)
		case ironic.StepBoot:
			bootStepFailed(&plan.nodeFields, se, diags)
		default:
			diags.AddError("Unable to change bare metal node", fmt.Sprintf("Node %s: %s", se.NodeID, ironic.Message(se.Err)))
		}
	}
}

// hardwareChange is what the plan asks of the machine's hardware beyond state (nil: at
// create): the BIOS settings when they change, the RAID layout when it is to be built.
func hardwareChange(ctx context.Context, plan, state *nodeResourceModel, diags *diag.Diagnostics) ironic.HardwareChange {
	stateBIOS := types.MapNull(types.StringType)
	stateRAID := types.ObjectNull(raidConfigAttrTypes)
	stateApply := false
	if state != nil {
		stateBIOS, stateRAID, stateApply = state.BIOSSettings, state.RAIDConfig, state.ApplyRAIDConfig.ValueBool()
	}
	var c ironic.HardwareChange
	if bios := stringMap(ctx, plan.BIOSSettings, diags); len(bios) > 0 && !plan.BIOSSettings.Equal(stateBIOS) {
		c.BIOS = bios
	}
	stateFirmware := types.ListNull(firmwareUpdateType)
	if state != nil {
		stateFirmware = state.FirmwareUpdates
	}
	if fw := firmwareUpdatesOf(ctx, plan.FirmwareUpdates, diags); len(fw) > 0 && !plan.FirmwareUpdates.Equal(stateFirmware) {
		c.Firmware, c.FirmwareVersions = fw, firmwareVersionsOf(ctx, plan.FirmwareUpdates, diags)
	}
	if runbookRuns(plan, state) {
		c.Runbook = plan.Runbook.ValueString()
	}
	if plan.RAIDConfig.IsNull() || plan.RAIDConfig.IsUnknown() {
		return c
	}
	if raid := raidConfigOf(ctx, plan.RAIDConfig, diags); plan.ApplyRAIDConfig.ValueBool() && len(raid) > 0 &&
		(!plan.RAIDConfig.Equal(stateRAID) || !stateApply) {
		c.RAID = raid
		if known(plan.RAIDInterface) {
			c.RAIDInterface = plan.RAIDInterface.ValueString()
		} else if state != nil {
			c.RAIDInterface = state.RAIDInterface.ValueString()
		}
	}
	return c
}

// firmwareUpdate is one firmware image to flash.
type firmwareUpdate struct {
	Component types.String `tfsdk:"component"`
	URL       types.String `tfsdk:"url"`
	Wait      types.Int64  `tfsdk:"wait"`
	Version   types.String `tfsdk:"version"`
}

var firmwareUpdateType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"component": types.StringType, "url": types.StringType, "wait": types.Int64Type, "version": types.StringType,
}}

// firmwareEntries decodes a firmware_updates list; nil when it is null or unknown.
func firmwareEntries(ctx context.Context, l types.List, diags *diag.Diagnostics) []firmwareUpdate {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var updates []firmwareUpdate
	diags.Append(l.ElementsAs(ctx, &updates, false)...)
	return updates
}

// firmwareUpdatesOf is the list as the firmware interface's update step takes it.
func firmwareUpdatesOf(ctx context.Context, l types.List, diags *diag.Diagnostics) []map[string]any {
	updates := firmwareEntries(ctx, l, diags)
	if updates == nil {
		return nil
	}
	out := make([]map[string]any, 0, len(updates))
	for _, u := range updates {
		m := map[string]any{"component": u.Component.ValueString(), "url": u.URL.ValueString()}
		if !u.Wait.IsNull() && !u.Wait.IsUnknown() {
			m["wait"] = u.Wait.ValueInt64()
		}
		out = append(out, m)
	}
	return out
}

// firmwareVersionsOf are the versions the list says its images carry, by component: the
// last image for a component decides. Components without a version are not checked.
func firmwareVersionsOf(ctx context.Context, l types.List, diags *diag.Diagnostics) map[string]string {
	out := map[string]string{}
	for _, u := range firmwareEntries(ctx, l, diags) {
		if known(u.Version) {
			out[u.Component.ValueString()] = u.Version.ValueString()
		} else {
			delete(out, u.Component.ValueString()) // a later image of unknown version
		}
	}
	return out
}

// readFirmware keeps the recorded firmware_updates while the components Ironic lists
// report the versions they name, and records the list as not applied (null, so the plan
// flashes it again) when one reports another: the drift.
func readFirmware(ctx context.Context, ic *ironic.Client, id string, recorded types.List, diags *diag.Diagnostics) types.List {
	want := firmwareVersionsOf(ctx, recorded, diags)
	if len(want) == 0 || ic == nil {
		return recorded
	}
	components, err := ic.FirmwareComponents(ctx, id)
	if err != nil {
		diags.AddWarning("Unable to read the node's firmware components", fmt.Sprintf("Node %s: %s", id, ironic.Message(err)))
		return recorded
	}
	if drift := ironic.FirmwareDrift(want, components); len(drift) > 0 {
		tflog.Info(ctx, "firmware drifted from firmware_updates: the plan flashes them again", map[string]any{"node": id, "drift": drift})
		return types.ListNull(firmwareUpdateType)
	}
	return recorded
}

// runbookRuns: the plan names a runbook with a version the state has not run (state
// nil: at create). An unchanged version never runs it again.
func runbookRuns(plan, state *nodeResourceModel) bool {
	if !known(plan.Runbook) || plan.RunbookVersion.IsNull() || plan.RunbookVersion.IsUnknown() {
		return false
	}
	return state == nil || !plan.RunbookVersion.Equal(state.RunbookVersion) || !plan.Runbook.Equal(state.Runbook)
}

// hardwareFailed words a failed hardware change (manual cleaning where the node rests in
// manageable or available, servicing where it is active). If the RAID build failed,
// apply_raid_config is recorded as false, so the plan shows the build again and the next
// apply retries it; a BIOS setting that did not take is left out of the state by the
// read-back, with the same effect.
func hardwareFailed(c ironic.HardwareChange, err error, plan *nodeResourceModel, diags *diag.Diagnostics) {
	if c.RAID != nil {
		plan.ApplyRAIDConfig = types.BoolValue(false)
	}
	if c.Runbook != "" {
		plan.RunbookVersion = types.Int64Null() // not run: the next plan runs it again
	}
	if len(c.Firmware) > 0 {
		plan.FirmwareUpdates = types.ListNull(firmwareUpdateType) // not flashed: the next plan flashes again
	}
	detail := inTerraformTerms(err) + "."
	var herr *ironic.HardwareError
	if errors.As(err, &herr) {
		if c.RAID != nil {
			detail += " The next plan shows the RAID build again; fix the cause (a layout the drives can hold, a RAID interface with these steps) and apply."
		}
		if herr.RAIDRestored {
			detail += " The previous target RAID configuration was restored."
		}
		if c.Runbook != "" {
			detail += " runbook_version is recorded as not run, so the next apply runs the runbook again."
		}
		if herr.Serviced {
			detail += " The deployment is untouched; the next plan shows the change again."
		}
	}
	diags.AddError("Unable to apply BIOS settings or RAID configuration", detail)
}

// readBIOS keeps the configured BIOS settings as Ironic reports them; a setting Ironic
// does not list is left out, so the next plan applies it again.
func readBIOS(ctx context.Context, ic *ironic.Client, id string, configured types.Map, diags *diag.Diagnostics) types.Map {
	want := stringMap(ctx, configured, diags)
	if want == nil {
		return configured
	}
	got, err := ic.ReadBIOS(ctx, id, want)
	if err != nil {
		diags.AddWarning("Unable to read the node's BIOS settings", fmt.Sprintf("Node %s: %s", id, ironic.Message(err)))
		return configured
	}
	v, d := types.MapValueFrom(ctx, types.StringType, got)
	diags.Append(d...)
	return v
}

// readBackBIOS is readBIOS after an apply, which also says what the BMC did not take.
func readBackBIOS(ctx context.Context, ic *ironic.Client, id string, configured types.Map, diags *diag.Diagnostics) types.Map {
	read := readBIOS(ctx, ic, id, configured, diags)
	if !diags.HasError() {
		checkBIOSApplied(ctx, id, configured, read, diags)
	}
	return read
}

// checkBIOSApplied reports, after an apply, the settings the machine does not hold as
// configured: the BMC refused or ignored them. The state records what it holds, so the
// next plan shows the difference again.
func checkBIOSApplied(ctx context.Context, id string, configured, read types.Map, diags *diag.Diagnostics) {
	var off []string
	for _, m := range ironic.BIOSNotApplied(stringMap(ctx, configured, diags), stringMap(ctx, read, diags)) {
		off = append(off, fmt.Sprintf("%s = %q (configured %q)", m.Name, m.Held, m.Wanted))
	}
	if len(off) > 0 {
		sort.Strings(off)
		diags.AddAttributeError(path.Root("bios_settings"), "BIOS settings not applied",
			fmt.Sprintf("After the apply, node %s reports %s: the BMC did not take the configured values. The state "+
				"records what the node holds; the next apply tries again.", id, strings.Join(off, ", ")))
	}
}
