package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// The typed boot settings: boot_mode and secure_boot. Ironic reports them as a cache of
// what the BMC says (API 1.75) and sets them through its state calls (API 1.76), so
// unlike the other fields they are neither patched nor sent at enrollment: the apply
// sets a configured value that differs from the state once the node is where its
// target says (ironic.NodeWork.Boot), and a value the BMC changed shows in the refresh,
// so the plan sets it back.

const bootModeInput = "Set, the apply sets it through Ironic (API 1.76, Ironic 18.2) and waits until Ironic reports it; " +
	"a BMC that changes it later shows as drift, and the next apply sets it back (on some hardware Ironic reboots the " +
	"machine to apply it). Deployments boot in this mode: Ironic's deploy takes the machine's mode when the node names " +
	"none, so leave `boot_mode` out of `properties.capabilities` (a capability wins over the machine's mode and is set " +
	"on it by every deploy; one that disagrees with `boot_mode` is a plan-time error). Unset: whatever Ironic reads, " +
	"kept as it is."

const secureBootInput = "Set, the apply sets it through Ironic (API 1.76, Ironic 18.2) and waits until Ironic reports it; " +
	"drift is set back as for `boot_mode`. `true` needs UEFI: with `boot_mode = \"bios\"` it is a plan-time error, and a " +
	"switch to BIOS turns secure boot off first. The machine keeps it across deployments (a deployment's " +
	"`instance_info.capabilities = \"secure_boot:true\"` would instead turn it on for the deploy and off at teardown). " +
	"Unset: whatever Ironic reads, kept as it is."

// bootChange is what the apply sets (state nil: at create): each configured value the
// state does not hold. An unset one plans the state's value (or unknown at create),
// so it is never sent.
func bootChange(plan, state *nodeFields) ironic.BootChange {
	var c ironic.BootChange
	if known(plan.BootMode) && (state == nil || !plan.BootMode.Equal(state.BootMode)) {
		c.Mode = plan.BootMode.ValueString()
	}
	if !plan.SecureBoot.IsNull() && !plan.SecureBoot.IsUnknown() && (state == nil || !plan.SecureBoot.Equal(state.SecureBoot)) {
		c.SecureBoot = plan.SecureBoot.ValueBoolPointer()
	}
	return c
}

// validateBoot reports, at plan time, boot settings that cannot hold: secure boot in
// BIOS mode, and capabilities that say otherwise (ironic.CheckBoot).
func validateBoot(ctx context.Context, m *nodeFields, diags *diag.Diagnostics) {
	if m.BootMode.IsUnknown() || m.SecureBoot.IsUnknown() || m.Properties.IsUnknown() {
		return
	}
	mode := m.BootMode.ValueString()
	secure := m.SecureBoot.ValueBoolPointer()
	if mode == "" && secure == nil {
		return
	}
	var capabilities string
	if props := stringMap(ctx, m.Properties, diags); props != nil {
		capabilities = props["capabilities"]
	}
	for _, c := range ironic.CheckBoot(mode, secure, capabilities) {
		diags.AddAttributeError(path.Root(c.Field), "Boot settings that cannot hold", fmt.Sprintf("%s = %s: %s.", c.Field,
			map[string]string{"boot_mode": fmt.Sprintf("%q", mode), "secure_boot": fmt.Sprint(m.SecureBoot.ValueBool())}[c.Field], c.Reason))
	}
}

// recordBoot records the boot settings after an apply. A value the plan knows stands:
// a configured one was set and waited for, an unset one is the state's, kept (Ironic may
// read the BMC again during the apply; the next refresh shows what it read). The others
// (unknown at create, or after bootStepFailed) are what Ironic reports.
func recordBoot(ctx context.Context, ic *ironic.Client, m *nodeFields, diags *diag.Diagnostics) {
	if !m.BootMode.IsUnknown() && !m.SecureBoot.IsUnknown() {
		return
	}
	b, err := ic.ReadNodeBoot(ctx, m.ID.ValueString())
	if err != nil {
		diags.AddWarning("Unable to read the node's boot mode", fmt.Sprintf("Node %s: %s", m.ID.ValueString(), ironic.Message(err)))
	}
	var read nodeFields
	read.fromBoot(b)
	if m.BootMode.IsUnknown() {
		m.BootMode = read.BootMode
	}
	if m.SecureBoot.IsUnknown() {
		m.SecureBoot = read.SecureBoot
	}
}

// bootStepFailed words a failed boot step; the state then records what Ironic reports
// (recordBoot), so the next plan shows the change again.
func bootStepFailed(plan *nodeFields, se *ironic.NodeStepError, diags *diag.Diagnostics) {
	field := "boot_mode"
	var be *ironic.BootError
	if errors.As(se.Err, &be) {
		field = be.Field
	}
	plan.BootMode, plan.SecureBoot = types.StringUnknown(), types.BoolUnknown()
	diags.AddAttributeError(path.Root(field), "Unable to set the node's boot mode or secure boot",
		fmt.Sprintf("Node %s: %s. The state records what Ironic reports, so the next plan shows the change again.", se.NodeID, ironic.Message(se.Err)))
}
