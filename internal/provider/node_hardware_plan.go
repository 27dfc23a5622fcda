package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// validateHardware checks at plan time what spans hardware attributes.
func validateHardware(ctx context.Context, m *nodeResourceModel, diags *diag.Diagnostics) {
	if known(m.RetiredReason) && !m.Retired.IsUnknown() && !m.Retired.ValueBool() {
		diags.AddAttributeError(path.Root("retired_reason"), "retired_reason without retired",
			"retired_reason is only kept while retired = true.")
	}
	cleaning := (!m.BIOSSettings.IsNull() && !m.BIOSSettings.IsUnknown()) || m.ApplyRAIDConfig.ValueBool()
	if cleaning && !m.TargetProvisionState.IsUnknown() &&
		(m.TargetProvisionState.IsNull() || m.TargetProvisionState.ValueString() == ironic.StateEnroll) {
		attr := "bios_settings"
		if m.ApplyRAIDConfig.ValueBool() {
			attr = "apply_raid_config"
		}
		diags.AddAttributeError(path.Root(attr), attr+" needs a node that can be cleaned",
			"BIOS settings and RAID layouts are applied by manual cleaning, which needs the node in manageable or "+
				"available: set target_provision_state to one of them (the default, enroll, never moves the node).")
	}
	if m.RAIDConfig.IsNull() || m.RAIDConfig.IsUnknown() {
		return
	}
	var cfg raidConfig
	if d := m.RAIDConfig.As(ctx, &cfg, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true}); d.HasError() {
		return
	}
	roots := 0
	for _, ld := range cfg.LogicalDisks {
		if ld.IsRootVolume.ValueBool() {
			roots++
		}
	}
	if roots > 1 {
		diags.AddAttributeError(path.Root("raid_config").AtName("logical_disks"), "More than one root volume",
			fmt.Sprintf("raid_config.logical_disks: %d volumes have is_root_volume = true; at most one can hold the image.", roots))
	}
}

// planHardware shows in the plan the cleaning that BIOS settings and RAID layouts cause,
// refuses it where it cannot run, and checks BIOS setting names against Ironic's
// registry. state is nil at create.
func (r *nodeResource) planHardware(ctx context.Context, resp *resource.ModifyPlanResponse, plan, state *nodeResourceModel) {
	steps, raid := hardwareSteps(ctx, plan, state, &resp.Diagnostics)
	if len(steps) == 0 {
		return
	}
	if state != nil && ironic.IsDeployed(state.ProvisionState.ValueString()) {
		resp.Diagnostics.AddAttributeError(path.Root("bios_settings"), "The node is deployed",
			fmt.Sprintf("Node %s is %q: BIOS settings and RAID layouts are applied by manual cleaning, which Ironic "+
				"runs only on a node that is not deployed. Destroy its baremetal_deployment first, or revert the change.",
				state.ID.ValueString(), state.ProvisionState.ValueString()))
		return
	}
	var what []string
	for _, s := range steps {
		what = append(what, string(s.Interface)+"."+s.Step)
	}
	if raid {
		resp.Diagnostics.AddAttributeWarning(path.Root("raid_config"), "The RAID layout will be built: data on its disks is destroyed",
			fmt.Sprintf("apply_raid_config = true and raid_config changes: the apply runs manual cleaning (%s), which "+
				"deletes the existing RAID volumes and builds the configured ones. Set apply_raid_config = false to "+
				"only record the target.", strings.Join(what, ", ")))
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("current_raid_config"), types.StringUnknown())...)
	} else {
		resp.Diagnostics.AddAttributeWarning(path.Root("bios_settings"), "BIOS settings will be applied by cleaning",
			fmt.Sprintf("The apply runs manual cleaning (%s) and brings the node back where it rests.", strings.Join(what, ", ")))
	}
	if state != nil && !plan.BIOSSettings.IsNull() && !plan.BIOSSettings.Equal(state.BIOSSettings) {
		r.checkBIOSRegistry(ctx, state.ID.ValueString(), plan, &resp.Diagnostics)
	}
}

// checkBIOSRegistry refuses settings the node's BIOS registry (API 1.74) does not know
// or marks read-only. Without a registry (no setting carries its details) nothing is checked.
func (r *nodeResource) checkBIOSRegistry(ctx context.Context, id string, plan *nodeResourceModel, diags *diag.Diagnostics) {
	sc, d := r.clients.Ironic(ctx)
	if d.HasError() {
		return
	}
	settings, err := ironic.BIOSSettings(ctx, sc, id)
	if err != nil {
		diags.AddAttributeWarning(path.Root("bios_settings"), "Unable to check the BIOS settings", fmt.Sprintf("Node %s: %s", id, ironic.Message(err)))
		return
	}
	registry := map[string]ironic.BIOSSetting{}
	hasRegistry := false
	for _, s := range settings {
		registry[s.Name] = s
		hasRegistry = hasRegistry || s.AttributeType != nil || s.ReadOnly != nil
	}
	if !hasRegistry {
		return
	}
	for name, value := range stringMap(ctx, plan.BIOSSettings, diags) {
		s, ok := registry[name]
		if ok && s.Value != nil && *s.Value == value {
			continue // unchanged: nothing is asked of the BIOS
		}
		switch {
		case !ok:
			diags.AddAttributeError(path.Root("bios_settings").AtMapKey(name), "Unknown BIOS setting",
				fmt.Sprintf("bios_settings: node %s's BIOS registry has no setting %q.", id, name))
		case s.ReadOnly != nil && *s.ReadOnly:
			diags.AddAttributeError(path.Root("bios_settings").AtMapKey(name), "Read-only BIOS setting",
				fmt.Sprintf("bios_settings: %q is read-only in node %s's BIOS registry.", name, id))
		}
	}
}
