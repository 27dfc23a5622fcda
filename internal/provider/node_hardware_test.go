package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// testAccNodeConfig_hardware is a node with every hardware attribute, its root device
// the disk of this serial.
func testAccNodeConfig_hardware(name, serial string) string {
	return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "hw" {
  name                   = %q
  driver                 = "fake-hardware"
  bios_interface         = "fake"
  target_provision_state = "available"
  automated_clean        = false
  traits                 = ["CUSTOM_GPU", "HW_CPU_X86_VMX"]
  properties = {
    cpu_arch = "x86_64"
  }
  root_device = {
    serial = %q
    size   = ">= 100"
  }
  raid_config = {
    logical_disks = [{
      size_gb        = "MAX"
      raid_level     = "1"
      is_root_volume = true
    }]
  }
  bios_settings = {
    ProcTurboMode = "Disabled"
  }
  network_data = jsonencode({ links = [], networks = [], services = [] })
}
`, name, serial)
}

// Each hardware attribute is created, read back equal from Ironic, and planned as no
// change afterwards; a trait added by hand is drift the apply removes; a root device
// change leaves the rest of properties alone.
func TestAccNode_hardwareConfiguration(t *testing.T) {
	name := testNodeName()
	ironicTest(t, resource.TestStep{
		Config: testAccNodeConfig_hardware(name, "S3YJNX0K123456"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.hw", tfjsonpath.New("provision_state"), knownvalue.StringExact("available")),
			statecheck.ExpectKnownValue("baremetal_node.hw", tfjsonpath.New("bios_settings"), knownvalue.MapExact(map[string]knownvalue.Check{
				"ProcTurboMode": knownvalue.StringExact("Disabled")})),
			statecheck.ExpectKnownValue("baremetal_node.hw", tfjsonpath.New("current_raid_config"), knownvalue.Null()),
		},
		Check: checkRemoteNode("baremetal_node.hw", func(n *nodes.Node) error {
			slices.Sort(n.Traits)
			rd, _ := json.Marshal(n.Properties["root_device"])
			raid, _ := json.Marshal(n.TargetRAIDConfig)
			switch {
			case fmt.Sprint(n.Traits) != "[CUSTOM_GPU HW_CPU_X86_VMX]":
				return fmt.Errorf("traits %v", n.Traits)
			case string(rd) != `{"serial":"S3YJNX0K123456","size":"\u003e= 100"}`:
				return fmt.Errorf("root_device %s", rd)
			case n.Properties["cpu_arch"] != "x86_64":
				return fmt.Errorf("properties %v", n.Properties)
			case string(raid) != `{"logical_disks":[{"is_root_volume":true,"raid_level":"1","size_gb":"MAX"}]}`:
				return fmt.Errorf("target_raid_config %s", raid)
			case n.AutomatedClean == nil || *n.AutomatedClean:
				return fmt.Errorf("automated_clean %v", n.AutomatedClean)
			case len(n.NetworkData) != 3:
				return fmt.Errorf("network_data %v", n.NetworkData)
			}
			return nil
		}),
	}, resource.TestStep{
		// A BMC that reports the configured value in its own case holds that value: no drift.
		PreConfig: func() {
			if err := testServer.SetBIOSValue(context.Background(), name, "ProcTurboMode", "disabled"); err != nil {
				t.Fatal(err)
			}
		},
		Config:   testAccNodeConfig_hardware(name, "S3YJNX0K123456"),
		PlanOnly: true,
	}, resource.TestStep{
		// A trait added by hand shows in the plan...
		PreConfig: func() {
			if err := testEngine(t).SetTraits(context.Background(), name, []string{"CUSTOM_GPU", "HW_CPU_X86_VMX", "CUSTOM_BY_HAND"}); err != nil {
				t.Fatal(err)
			}
		},
		Config:             testAccNodeConfig_hardware(name, "S3YJNX0K123456"),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, resource.TestStep{
		// ...and the apply removes it; the root device changes without touching properties.
		Config: testAccNodeConfig_hardware(name, "S3YJNX0K999999"),
		Check: checkRemoteNode("baremetal_node.hw", func(n *nodes.Node) error {
			if len(n.Traits) != 2 || slices.Contains(n.Traits, "CUSTOM_BY_HAND") {
				return fmt.Errorf("traits %v", n.Traits)
			}
			if rd := n.Properties["root_device"].(map[string]any); rd["serial"] != "S3YJNX0K999999" || n.Properties["cpu_arch"] != "x86_64" {
				return fmt.Errorf("properties %v", n.Properties)
			}
			return nil
		}),
	}, resource.TestStep{
		// A target RAID set by hand is drift too.
		PreConfig: func() {
			if err := testEngine(t).SetTargetRAIDConfig(context.Background(), name, map[string]any{"logical_disks": []any{
				map[string]any{"size_gb": 10, "raid_level": "0"}}}); err != nil {
				t.Fatal(err)
			}
		},
		Config:             testAccNodeConfig_hardware(name, "S3YJNX0K999999"),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	})
}

// A misspelt hint, a malformed trait and two root volumes fail at plan time.
func TestAccNode_hardwareBadInput(t *testing.T) {
	skipUnlessAcceptance(t)
	for i, c := range []struct{ config, want string }{
		{`root_device = { serail = "S1" }`, `(?s)Unknown root device hint.*"serail" is not a root device hint`},
		{`root_device = { rotational = "yes" }`, `(?s)root_device.rotational: "yes" must be true or false`},
		{`traits = ["custom_gpu"]`, `(?s)Invalid trait.*"custom_gpu" is not a trait`},
		{`root_device = { size = "about 100" }`, `(?s)root_device.size: "about 100" must be a size in GiB`},
		{"target_provision_state = \"available\"\n  raid_config = { logical_disks = [{ size_gb = \"10\", raid_level = \"1\", is_root_volume = true }, { size_gb = \"MAX\", raid_level = \"0\", is_root_volume = true }] }",
			`(?s)More than one root volume`},
		{`raid_config = { logical_disks = [{ size_gb = "lots", raid_level = "1" }] }`, `(?s)size_gb must be a whole number of GiB\s+or "MAX", got: lots`},
		{`raid_config = { logical_disks = [{ size_gb = "10", raid_level = "7" }] }`, `(?s)raid_level value must be one of:.*"JBOD".*got: "7"`},
		{`bios_settings = { A = "1" }`, `(?s)bios_settings needs a node that can be cleaned.*target_provision_state`},
		{`retired_reason = "old"`, `(?s)retired_reason without retired`},
	} {
		t.Logf("case %d: %s", i, c.config)
		expectPlanError(t, providerBlock+fmt.Sprintf(`
resource "baremetal_node" "x" {
  driver = "fake-hardware"
  %s
}
`, c.config), c.want)
	}
}

// apply_raid_config builds the layout by manual cleaning (checked through a recording
// proxy). The fake RAID interface has no such clean steps: Ironic's refusal is reported,
// the node is brought back to manageable rather than left in clean failed, and the
// previous target is restored so the next plan shows the change again.
func TestAccNode_raidApplyThroughCleaning(t *testing.T) {
	testAccPreCheck(t)
	rec := ironictest.NewRecorder(testEndpoint())
	defer rec.Close()
	name := testNodeName()
	cfg := func(apply bool) string {
		return fmt.Sprintf(`
provider "baremetal" {
  endpoint = %q
}
resource "baremetal_node" "r" {
  name                   = %q
  driver                 = "fake-hardware"
  raid_interface         = "fake"
  target_provision_state = "manageable"
  apply_raid_config      = %t
  raid_config = {
    logical_disks = [{ size_gb = "100", raid_level = "1", is_root_volume = true, disk_type = "ssd" }]
  }
}
`, rec.URL, name, apply)
	}
	ironicTest(t, resource.TestStep{
		Config: cfg(false), // only the target: no cleaning
		Check: func(*terraformState) error {
			for _, r := range rec.Requests() {
				if strings.HasSuffix(r.Path, "/states/provision") && strings.Contains(r.Body, "clean") {
					return fmt.Errorf("cleaning without apply_raid_config: %s", r.Body)
				}
			}
			return nil
		},
	}, resource.TestStep{
		Config:      cfg(true),
		ExpectError: regexp.MustCompile(`(?s)Unable to apply BIOS settings or RAID configuration.*raid.delete_configuration.*brought\s+back\s+to\s+"manageable"`),
		Check:       nil,
	}, resource.TestStep{
		PreConfig: func() {
			var clean string
			for _, r := range rec.Requests() {
				if strings.HasSuffix(r.Path, "/states/provision") && strings.Contains(r.Body, `"clean"`) {
					clean = r.Body
				}
			}
			want := `"clean_steps":[{"interface":"raid","step":"delete_configuration"},{"interface":"raid","step":"create_configuration"}]`
			if !strings.Contains(clean, want) {
				t.Errorf("clean request %q lacks %s", clean, want)
			}
			n, err := nodes.Get(context.Background(), testIronic(t), name).Extract()
			if err != nil || n.ProvisionState != "manageable" {
				t.Errorf("after the failed build: %v, state %q", err, n.ProvisionState)
			}
		},
		Config:             cfg(true),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true, // the build is still to do
	}, resource.TestStep{
		Config: cfg(false), // give up building: only the target, and an empty plan after
	})
}

// Where the node's BIOS has a registry, a read-only or unknown setting is refused at
// plan time; retirement is set and cleared in place.
func TestAccNode_biosRegistryAndRetirement(t *testing.T) {
	name := testNodeName()
	cfg := func(bios, extra string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "b" {
  name                   = %q
  driver                 = "fake-hardware"
  bios_interface         = "fake"
  target_provision_state = "manageable"
  bios_settings          = { %s }
  %s
}
`, name, bios, extra)
	}
	ironicTest(t, resource.TestStep{
		Config: cfg(`ProcTurboMode = "Disabled", SecureBoot = "Enabled"`, ""),
	}, resource.TestStep{
		PreConfig: func() {
			if testServer == nil {
				t.Skip("needs the Ironic this test run started")
			}
			if err := testServer.SetBIOSRegistry(context.Background(), name, "SecureBoot"); err != nil {
				t.Fatal(err)
			}
		},
		Config:      cfg(`ProcTurboMode = "Disabled", SecureBoot = "Disabled"`, ""),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Read-only BIOS setting.*"SecureBoot" is read-only`),
	}, resource.TestStep{
		Config:      cfg(`ProcTurboMode = "Enabled", SecureBoot = "Enabled", HyperThreading = "On"`, ""),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Unknown BIOS setting.*no setting "HyperThreading"`),
	}, resource.TestStep{
		Config: cfg(`ProcTurboMode = "Enabled", SecureBoot = "Enabled"`, "retired = true\n  retired_reason = \"end of lease\""),
		Check: checkRemoteNode("baremetal_node.b", func(n *nodes.Node) error {
			if !n.Retired || n.RetiredReason != "end of lease" || n.ProvisionState != "manageable" {
				return fmt.Errorf("retired=%v (%q) in %s", n.Retired, n.RetiredReason, n.ProvisionState)
			}
			return nil
		}),
	}, resource.TestStep{
		Config: cfg(`ProcTurboMode = "Enabled", SecureBoot = "Enabled"`, "retired = false"),
		Check: checkRemoteNode("baremetal_node.b", func(n *nodes.Node) error {
			if n.Retired {
				return fmt.Errorf("still retired")
			}
			return nil
		}),
	})
}
