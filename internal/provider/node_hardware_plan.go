package provider

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
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
	if m.Runbook.IsNull() != m.RunbookVersion.IsNull() && !m.Runbook.IsUnknown() && !m.RunbookVersion.IsUnknown() {
		diags.AddAttributeError(path.Root("runbook_version"), "runbook and runbook_version go together",
			"A runbook runs once per runbook_version: set both (runbook_version = 1 to run it now; raise it to run it "+
				"again), or neither.")
	}
	cleaning := (!m.BIOSSettings.IsNull() && !m.BIOSSettings.IsUnknown()) || m.ApplyRAIDConfig.ValueBool() || known(m.Runbook) ||
		(!m.FirmwareUpdates.IsNull() && !m.FirmwareUpdates.IsUnknown())
	if cleaning && !m.TargetProvisionState.IsUnknown() && ironic.GoalLeavesNode(m.TargetProvisionState.ValueString()) {
		attr := "bios_settings"
		switch {
		case m.ApplyRAIDConfig.ValueBool():
			attr = "apply_raid_config"
		case !m.BIOSSettings.IsNull() && !m.BIOSSettings.IsUnknown():
		case !m.FirmwareUpdates.IsNull():
			attr = "firmware_updates"
		case known(m.Runbook):
			attr = "runbook"
		}
		diags.AddAttributeError(path.Root(attr), attr+" needs a node that can be cleaned",
			"BIOS settings, RAID layouts, firmware updates and runbooks are applied by manual cleaning, which needs the node in manageable "+
				"or available: set target_provision_state to one of them (the default, enroll, never moves the node).")
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

// planHardware shows in the plan the cleaning or servicing that BIOS settings and RAID
// layouts cause, refuses it where it cannot run or is not allowed, and checks BIOS
// setting names against Ironic's registry. state is nil at create.
func (r *nodeResource) planHardware(ctx context.Context, resp *resource.ModifyPlanResponse, plan, state *nodeResourceModel) {
	c := hardwareChange(ctx, plan, state, &resp.Diagnostics)
	if c.Empty() {
		return
	}
	var live *nodes.Node
	cur, microversion := "", ""
	if state != nil {
		live = r.liveNode(ctx, state)
		cur, microversion = state.ProvisionState.ValueString(), r.microversion(ctx)
	}
	v := ironic.DecideHardware(cur, plan.AllowServicing.ValueBool(), microversion, live)
	if v.Servicing {
		if !planServicing(resp, plan, state, v, c) {
			return
		}
	} else {
		what := c.Describe(false)
		if v.HeldInMaintenance && (plan.Maintenance.IsUnknown() || plan.Maintenance.ValueBool()) {
			id := state.ID.ValueString()
			resp.Diagnostics.AddAttributeWarning(path.Root(hardwareAttribute(c)), "The node is in maintenance: Ironic refuses to clean it",
				fmt.Sprintf("Node %s is in maintenance (%s), as Ironic leaves a node whose clean step failed, and refuses to "+
					"clean it until that is lifted, so the apply fails. Check the machine, then baremetal node maintenance "+
					"unset %s, or set maintenance = false on the node.", id, v.MaintenanceReason, id))
		}
		if c.RAID != nil {
			resp.Diagnostics.AddAttributeWarning(path.Root("raid_config"), "The RAID layout will be built: data on its disks is destroyed",
				fmt.Sprintf("apply_raid_config = true and raid_config changes: the apply runs manual cleaning (%s), which "+
					"deletes the existing RAID volumes and builds the configured ones. Set apply_raid_config = false to "+
					"only record the target.", what))
		} else {
			attr := hardwareAttribute(c)
			resp.Diagnostics.AddAttributeWarning(path.Root(attr), "The apply runs manual cleaning",
				fmt.Sprintf("The apply runs manual cleaning (%s) and brings the node back where it rests.", what))
		}
	}
	if c.Runbook != "" {
		r.planRunbook(ctx, resp, plan)
	}
	if c.RAID != nil {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("current_raid_config"), types.StringUnknown())...)
	}
	if state != nil && c.BIOS != nil {
		r.checkBIOSRegistry(ctx, state.ID.ValueString(), plan, &resp.Diagnostics)
	}
}

// liveNode is the node as Ironic has it now, read when the plan changes its hardware:
// whether that is cleaning or servicing a running machine must not rest on a state
// recorded before a deployment took the node (a plan with -refresh=false). It sets
// state's provision state to the live one; without a connection it is nil and the
// recorded state stays.
func (r *nodeResource) liveNode(ctx context.Context, state *nodeResourceModel) *nodes.Node {
	if r.clients == nil {
		return nil
	}
	ic, d := r.clients.Ironic(ctx)
	if d.HasError() || ic == nil {
		return nil
	}
	n, err := ic.GetNode(ctx, state.ID.ValueString())
	if err != nil {
		return nil
	}
	state.ProvisionState = types.StringValue(n.ProvisionState)
	return n
}

// microversion is the negotiated API version, "" without a connection (nothing is then
// checked against it).
func (r *nodeResource) microversion(ctx context.Context) string {
	if r.clients == nil {
		return ""
	}
	if ic, d := r.clients.Ironic(ctx); !d.HasError() && ic != nil {
		return ic.Microversion()
	}
	return ""
}

// planServicing words the engine's verdict on servicing the deployed machine: what runs
// on it, or why it is refused. It reports whether the change can go ahead.
func planServicing(resp *resource.ModifyPlanResponse, plan, state *nodeResourceModel, v ironic.HardwareVerdict, c ironic.HardwareChange) bool {
	id, cur := state.ID.ValueString(), state.ProvisionState.ValueString()
	attr, what := hardwareAttribute(c), c.Describe(true)
	consequence := "The machine reboots: what runs on it stops for the duration."
	if c.RAID != nil {
		consequence = "The machine reboots, and the RAID build deletes its volumes and builds the configured ones: " +
			"the data on those disks, the deployed system's included if it lives there, is destroyed."
	}
	switch v.Refused {
	case ironic.RefusedNotActive:
		resp.Diagnostics.AddAttributeError(path.Root(attr), "The node is deployed and not active",
			fmt.Sprintf("Node %s is %q: BIOS settings, RAID layouts, firmware updates and runbooks change a deployed machine by servicing, which Ironic "+
				"runs only on an active node. Wait until its deployment is active, or revert the change.", id, cur))
		return false
	case ironic.RefusedNotAllowed:
		resp.Diagnostics.AddAttributeError(path.Root(attr), "The node is deployed: changing its hardware needs allow_servicing",
			fmt.Sprintf("Node %s is active, and this change runs on the live machine (Ironic's servicing with %s). %s "+
				"Set allow_servicing = true on the node to allow it (the deployment is kept: no redeploy), destroy its "+
				"baremetal_deployment first (its disk is then cleaned), or revert the change.", id, what, consequence))
		return false
	case ironic.RefusedNoServicingAPI:
		resp.Diagnostics.AddAttributeError(path.Root("allow_servicing"), "Not supported by this Ironic",
			fmt.Sprintf("Node %s is deployed, and changing its hardware in place is servicing: %s.", id, v.Err))
		return false
	}
	if v.AbortFirst {
		if v.HeldInMaintenance {
			resp.Diagnostics.AddAttributeWarning(path.Root(attr), "The node's last servicing failed, and Ironic holds it in maintenance",
				fmt.Sprintf("Node %s is %q and in maintenance (%s). Ironic refuses to abort or service it until maintenance is "+
					"lifted, so the apply fails: check the machine, then baremetal node maintenance unset %s.", id, cur, v.MaintenanceReason, id))
		}
		what = "an abort of the failed servicing back to active, then " + what
	}
	resp.Diagnostics.AddAttributeWarning(path.Root(attr), "The deployed machine will be serviced in place",
		fmt.Sprintf("Node %s is active: the apply runs Ironic's servicing with %s on the running machine. %s Its "+
			"deployment is kept (no redeploy, instance_info untouched); it is active again afterwards.", id, what, consequence))
	return true
}

// checkBIOSRegistry refuses settings the node's BIOS registry (API 1.74) does not know
// or marks read-only. Without a registry (no setting carries its details) nothing is checked.
func (r *nodeResource) checkBIOSRegistry(ctx context.Context, id string, plan *nodeResourceModel, diags *diag.Diagnostics) {
	ic, d := r.clients.Ironic(ctx)
	if d.HasError() {
		return
	}
	settings, err := ic.BIOSSettings(ctx, id)
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

// planRunbook refuses a runbook where the Ironic has none (API 1.92) and one the
// node's traits do not approve (Ironic runs a runbook only on a node whose traits
// include its name).
func (r *nodeResource) planRunbook(ctx context.Context, resp *resource.ModifyPlanResponse, plan *nodeResourceModel) {
	if ic, d := r.clients.Ironic(ctx); !d.HasError() && ic != nil {
		if err := ironic.FeatureNamed("runbooks").Check(ic.Microversion()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("runbook"), "Not supported by this Ironic", err.Error()+".")
			return
		}
	}
	name := plan.Runbook.ValueString()
	if !customTraitPattern.MatchString(name) || plan.Traits.IsUnknown() || plan.Traits.IsNull() {
		return // a UUID, or traits Ironic holds: Ironic checks
	}
	for _, t := range traitsOf(ctx, plan.Traits, &resp.Diagnostics) {
		if t == name {
			return
		}
	}
	resp.Diagnostics.AddAttributeError(path.Root("runbook"), "The node's traits do not approve the runbook",
		fmt.Sprintf("Ironic runs runbook %s only on a node whose traits include its name: add %q to traits.", name, name))
}

// hardwareAttribute is the attribute a plan diagnostic about the change points at.
func hardwareAttribute(c ironic.HardwareChange) string {
	switch {
	case c.RAID != nil:
		return "raid_config"
	case c.BIOS != nil:
		return "bios_settings"
	case c.Firmware != nil:
		return "firmware_updates"
	}
	return "runbook"
}
