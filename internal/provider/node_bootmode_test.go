package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// The apply sets a configured boot setting the state does not hold, and nothing else:
// an unset one plans the state's value (UseStateForUnknown) or unknown at create.
func TestBootChange(t *testing.T) {
	uefi, bios := types.StringValue("uefi"), types.StringValue("bios")
	on, off := types.BoolValue(true), types.BoolValue(false)
	for _, tc := range []struct {
		name                 string
		planMode, stateMode  types.String
		planSec, stateSec    types.Bool
		create               bool
		wantMode, wantSecure string
	}{
		{"configured at create", uefi, types.StringNull(), on, types.BoolNull(), true, "uefi", "true"},
		{"unset at create", types.StringUnknown(), types.StringNull(), types.BoolUnknown(), types.BoolNull(), true, "", ""},
		{"the BMC changed it: set back", uefi, bios, on, on, false, "uefi", ""},
		{"as the state holds", uefi, uefi, off, off, false, "", ""},
		{"unset, kept from the state", bios, bios, types.BoolNull(), types.BoolNull(), false, "", ""},
		{"secure boot off", uefi, uefi, off, on, false, "", "false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := nodeFields{BootMode: tc.planMode, SecureBoot: tc.planSec}
			var state *nodeFields
			if !tc.create {
				state = &nodeFields{BootMode: tc.stateMode, SecureBoot: tc.stateSec}
			}
			c := bootChange(&plan, state)
			secure := ""
			if c.SecureBoot != nil {
				secure = map[bool]string{true: "true", false: "false"}[*c.SecureBoot]
			}
			if c.Mode != tc.wantMode || secure != tc.wantSecure {
				t.Errorf("change %q %q, want %q %q", c.Mode, secure, tc.wantMode, tc.wantSecure)
			}
		})
	}
}

// Plan-time: secure boot in BIOS mode, and a capability that says otherwise, each an
// error on the attribute; unknown values wait for the apply.
func TestValidateBoot(t *testing.T) {
	ctx := context.Background()
	caps := func(c string) types.Map { return strMapValue(map[string]string{"capabilities": c}) }
	for _, tc := range []struct {
		name  string
		m     nodeFields
		wants []string
	}{
		{"uefi with secure boot", nodeFields{BootMode: types.StringValue("uefi"), SecureBoot: types.BoolValue(true), Properties: types.MapNull(types.StringType)}, nil},
		{"bios with secure boot", nodeFields{BootMode: types.StringValue("bios"), SecureBoot: types.BoolValue(true), Properties: types.MapNull(types.StringType)},
			[]string{`secure_boot = true: secure boot needs UEFI`}},
		{"a capability that disagrees", nodeFields{BootMode: types.StringValue("uefi"), SecureBoot: types.BoolNull(), Properties: caps("boot_mode:bios")},
			[]string{`boot_mode = "uefi": properties.capabilities says boot_mode:bios, which Ironic's deploy follows`}},
		{"a capability that agrees", nodeFields{BootMode: types.StringValue("uefi"), SecureBoot: types.BoolNull(), Properties: caps("boot_mode:uefi")}, nil},
		{"unset: Ironic's", nodeFields{BootMode: types.StringNull(), SecureBoot: types.BoolNull(), Properties: caps("boot_mode:bios")}, nil},
		{"unknown properties", nodeFields{BootMode: types.StringValue("uefi"), SecureBoot: types.BoolNull(), Properties: types.MapUnknown(types.StringType)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			validateBoot(ctx, &tc.m, &diags)
			if len(diags) != len(tc.wants) {
				t.Fatalf("got %v, want %d errors", diags, len(tc.wants))
			}
			for i, want := range tc.wants {
				if !strings.Contains(diags[i].Detail(), want) {
					t.Errorf("got %q, want %q in it", diags[i].Detail(), want)
				}
			}
		})
	}
}

// A failed boot step records what Ironic reports, so the next plan shows the change
// again; the error names the attribute that failed.
func TestBootStepFailed(t *testing.T) {
	plan := nodeFields{BootMode: types.StringValue("uefi"), SecureBoot: types.BoolValue(true)}
	var diags diag.Diagnostics
	bootStepFailed(&plan, &ironic.NodeStepError{Step: ironic.StepBoot, NodeID: "n1",
		Err: &ironic.BootError{NodeID: "n1", Field: "secure_boot", Target: "true", LastError: "Failed to change secure_boot state to 'True': no"}}, &diags)
	if !plan.BootMode.IsUnknown() || !plan.SecureBoot.IsUnknown() || len(diags) != 1 ||
		!strings.Contains(diags[0].Detail(), "setting secure_boot to true on node n1 failed: Failed to change secure_boot") {
		t.Fatalf("got %v %v %v", plan.BootMode, plan.SecureBoot, diags)
	}
}

// A version 6 node state (before boot_mode and secure_boot) upgrades with both null,
// everything else kept; the next refresh reads them from Ironic.
func TestNodeUpgradeFromV6(t *testing.T) {
	v6 := strings.Replace(nodeStateV0, `"instance_info":{"image_source":"http://i/os.qcow2","image_checksum":"abc"},`, "", 1)
	v6 = strings.Replace(v6, `"config_drive":{"user_data":"#cloud-config","meta_data":null,"network_data":null},"deploy_steps":null,`, "", 1)
	v6 = strings.Replace(v6, `"target_provision_state":"active"`, `"target_provision_state":"available"`, 1)
	v6 = strings.Replace(v6, `"timeouts":null`, `"apply_raid_config":false,"retired":false,"force_delete":false,"allow_servicing":true,`+
		`"firmware_updates":[{"component":"bios","url":"http://f/bios.bin","wait":null,"version":"2.0"}],"timeouts":null`, 1)
	var m nodeResourceModel
	if d := upgradeFrom(t, &nodeResource{}, 6, v6).Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	if !m.BootMode.IsNull() || !m.SecureBoot.IsNull() || !m.AllowServicing.ValueBool() || m.TargetProvisionState.ValueString() != "available" ||
		len(m.FirmwareUpdates.Elements()) != 1 || m.DriverInfo.Elements()["ipmi_password"].(types.String).ValueString() != "p" {
		t.Fatalf("upgraded: %+v", m)
	}
	if _, ok := (&nodeResource{}).UpgradeState(context.Background())[nodeSchemaVersion-1]; !ok {
		t.Fatalf("no upgrader from version %d", nodeSchemaVersion-1)
	}
}
