package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
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

// Boot mode and secure boot, typed, on a Redfish machine (Ironic's redfish management
// interface and the real sushy against the harness's BMC). Unset, they read back what
// Ironic read from the BMC and plan nothing. Set (UEFI with secure boot), the apply sets
// them through Ironic and the BMC holds them. The BMC switched to legacy behind Ironic's
// back shows as drift in the next plan once Ironic has read it (its power sync), and the
// apply sets it back. A deployment then boots in the node's mode: every boot the BMC
// records from the deploy on is UEFI with secure boot.
func TestAccNode_bootModeOnRedfish(t *testing.T) {
	sc := testIronic(t)
	if !ironic.FeatureNamed("boot_mode").Available(testNegotiated(t)) {
		t.Skipf("this Ironic offers API %s; TestAccNode_bootModeNeedsAPI checks the plan-time error", testNegotiated(t))
	}
	name := testNodeName()
	node := redfishNode(t, name)
	bmc := testBMC(t)
	image := []byte("os image " + name)
	srv := newTestImageServer(t, image)
	cache := t.TempDir()
	typed := "boot_mode   = \"uefi\"\n  secure_boot = true"
	cfg := func(boot string, deployed bool) string {
		return deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: node + "\n  " + boot, Deployed: deployed}.String()
	}
	bootIs := func(mode string, secure bool) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("boot_mode"), knownvalue.StringExact(mode)),
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("secure_boot"), knownvalue.Bool(secure)),
		}
	}
	bmcHas := func(mode string, secure bool) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if m, s := bmc.BootMode(name); m != mode || s != secure {
				return fmt.Errorf("the BMC is in %s, secure boot %v; want %s, %v (asked: %v)", m, s, mode, secure, bmc.Requests(name))
			}
			return nil
		}
	}
	ic := ironic.NewClient(sc, nil, nil)
	var bootsBefore int
	var id string
	ironicTest(t, resource.TestStep{
		// Unset: what Ironic read from the BMC when it verified the node, no drift.
		Config:            cfg("", false),
		ConfigStateChecks: bootIs("uefi", false),
	}, resource.TestStep{
		Config: cfg(typed, false),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionUpdate),
		}},
		ConfigStateChecks: bootIs("uefi", true),
		Check: resource.ComposeTestCheckFunc(bmcHas("UEFI", true), func(s *terraform.State) (err error) {
			id, err = stateID(s, "baremetal_node.n")
			return err
		}),
	}, resource.TestStep{
		// The BMC goes legacy behind Ironic's back; Ironic reads it at its power sync.
		PreConfig: func() {
			bmc.SetBootMode(name, ironictest.RedfishLegacy, true)
			deadline := time.Now().Add(3 * time.Minute)
			for {
				n, err := ic.GetBootedNode(context.Background(), id)
				if err == nil && n.Mode == ironic.BootModeBIOS {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("Ironic did not read the BMC's legacy mode in 3 minutes: %+v %v", n, err)
				}
				time.Sleep(2 * time.Second)
			}
		},
		Config: cfg(typed, false),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionUpdate),
			plancheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("boot_mode"), knownvalue.StringExact("uefi")),
		}},
		ConfigStateChecks: bootIs("uefi", true),
		Check:             bmcHas("UEFI", true),
	}, resource.TestStep{
		PreConfig:         func() { bootsBefore = len(bmc.Boots(name)) },
		Config:            cfg(typed, true),
		ConfigStateChecks: append(bootIs("uefi", true), expectDeployment("active")),
		Check: resource.ComposeTestCheckFunc(checkDisk("baremetal_node.n", image), func(*terraform.State) error {
			boots := bmc.Boots(name)[bootsBefore:]
			froms := map[string]bool{}
			for _, b := range boots {
				froms[b.From] = true
				if b.Mode != ironictest.RedfishUEFI || !b.SecureBoot {
					return fmt.Errorf("the deploy booted %+v, not in the node's mode (UEFI, secure boot); all: %+v", b, boots)
				}
			}
			if !froms["Pxe"] {
				return fmt.Errorf("the deploy never booted the agent: %+v", boots)
			}
			return nil
		}),
	})
}

// An Ironic (or a pinned microversion) older than API 1.76 cannot set them: configuring
// either is a plan-time error naming the attribute and the version.
func TestAccNode_bootModeNeedsAPI(t *testing.T) {
	skipUnlessAcceptance(t)
	for _, attr := range []string{`boot_mode = "uefi"`, `secure_boot = false`} {
		field := strings.Fields(attr)[0]
		t.Run(field, func(t *testing.T) {
			ironicTest(t, resource.TestStep{
				Config: fmt.Sprintf(`provider "baremetal" { microversion = "1.75" }
resource "baremetal_node" "n" {
  name   = %q
  driver = "fake-hardware"
  %s
}
`, testNodeName(), attr),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile("(?s)Not supported by this Ironic.*`" + field + "` needs API 1\\.76, Ironic 18\\.2 or newer; this\\s+Ironic offers 1\\.75"),
			})
		})
	}
}

// A deployment follows the node's typed boot mode, not Ironic's default (UEFI): a node
// set to BIOS (its BMC came up in UEFI) deploys with every boot in legacy mode.
func TestAccNode_bootModeLegacyDeploy(t *testing.T) {
	testIronic(t)
	if !ironic.FeatureNamed("boot_mode").Available(testNegotiated(t)) {
		t.Skipf("this Ironic offers API %s", testNegotiated(t))
	}
	name := testNodeName()
	node := redfishNode(t, name)
	bmc := testBMC(t)
	image := []byte("os image " + name)
	srv := newTestImageServer(t, image)
	cfg := deploymentConfig{Cache: t.TempDir(), ImageURL: srv.URL, Name: name, Deployed: true,
		Node: node + "\n  boot_mode   = \"bios\"\n  secure_boot = false"}.String()
	ironicTest(t, resource.TestStep{
		Config: cfg,
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active"),
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("boot_mode"), knownvalue.StringExact("bios"))},
		Check: resource.ComposeTestCheckFunc(checkDisk("baremetal_node.n", image), func(*terraform.State) error {
			boots := bmc.Boots(name)
			var agent bool
			for _, b := range boots {
				agent = agent || b.From == "Pxe"
				if b.Mode != ironictest.RedfishLegacy || b.SecureBoot {
					return fmt.Errorf("a boot in %s (secure %v), not the node's legacy mode: %+v", b.Mode, b.SecureBoot, boots)
				}
			}
			if !agent {
				return fmt.Errorf("the agent never booted: %+v", boots)
			}
			return nil
		}),
	})
}
