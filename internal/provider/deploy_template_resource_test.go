package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

func templateName() string {
	return "CUSTOM_TF_" + strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(testNodeName(), "tf-acc-"), "-", "_"))
}

// testAccDeployTemplateConfig_raid is a template of a RAID step (at raidLevel) and a BIOS
// step, with the further attributes in more, and a node whose traits name it.
func testAccDeployTemplateConfig_raid(name, raidLevel, more string) string {
	return providerBlock + fmt.Sprintf(`
resource "baremetal_deploy_template" "raid" {
  name = %q
  steps = jsonencode([{
    interface = "raid"
    step      = "apply_configuration"
    priority  = 150
    args = {
      raid_config = { logical_disks = [{ size_gb = "MAX", raid_level = %q, is_root_volume = true }] }
    }
  }, {
    interface = "bios"
    step      = "apply_configuration"
    priority  = 140
    args      = { settings = [{ name = "LogicalProc", value = "Disabled" }] }
  }])
  %s
}

resource "baremetal_node" "n" {
  name   = "%s"
  driver = "fake-hardware"
  traits = [baremetal_deploy_template.raid.name]
}
`, name, raidLevel, more, strings.ToLower(strings.ReplaceAll(name, "_", "-")))
}

// Create, read back, update in place, import by name and by UUID; a node whose traits
// name the template.
func TestAccDeployTemplate_lifecycle(t *testing.T) {
	name := templateName()
	ironicTest(t, append([]resource.TestStep{{
		Config: testAccDeployTemplateConfig_raid(name, "1", ""),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_deploy_template.raid", tfjsonpath.New("id"), knownvalue.StringRegexp(uuidRE)),
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("traits"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(name)})),
		},
		Check: func(*terraform.State) error {
			tpl, err := ironic.DeployTemplates.Get(testEngineNoT(), context.Background(), name)
			if err != nil || len(tpl.Steps) != 2 || fmt.Sprint(tpl.Steps[0]["priority"]) != "150" {
				return fmt.Errorf("Ironic has %+v (%v)", tpl, err)
			}
			return nil
		},
	}, {
		Config: testAccDeployTemplateConfig_raid(name, "5", `extra = { owner = "storage-team" }`),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_deploy_template.raid", plancheck.ResourceActionUpdate),
		}},
		Check: func(*terraform.State) error {
			tpl, err := ironic.DeployTemplates.Get(testEngineNoT(), context.Background(), name)
			if err != nil || !strings.Contains(mustJSON(tpl.Steps), `"raid_level":"5"`) || tpl.Extra["owner"] != "storage-team" {
				return fmt.Errorf("Ironic has %+v (%v)", tpl, err)
			}
			return nil
		},
	}}, importedByNameAndID("baremetal_deploy_template.raid", name, "steps")...)...)
}

func TestAccDeployTemplate_badInput(t *testing.T) {
	skipUnlessAcceptance(t)
	for _, c := range []struct{ name, steps, want string }{
		{"CUSTOM_X", `[{ interface = "raid", step = "x" }]`, `(?s)step 0 needs a whole-number "priority"`},
		{"CUSTOM_X", `[{ interface = "network", step = "x", priority = 1 }]`, `(?s)step 0: interface "network" is not one of`},
		{"CUSTOM_X", `[{ interface = "raid", step = "x", priority = 1, prio = 2 }]`, `(?s)unknown key "prio"`},
		{"RAID1", `[{ interface = "raid", step = "x", priority = 1 }]`, `(?s)name.*must be a custom trait name`},
	} {
		expectPlanError(t, providerBlock+fmt.Sprintf(`
resource "baremetal_deploy_template" "x" {
  name  = %q
  steps = jsonencode(%s)
}
`, c.name, c.steps), c.want)
	}
}

// A deployment asking for a trait (instance_info.traits, a subset of the node's traits)
// gets the steps of the deploy template of that name, run on the machine through the
// direct interface: here the agent's erase_devices_metadata before the image is
// written. Two nodes carry the trait; only the one whose deployment asks for it runs
// the template's step.
func TestAccDeployTemplate_appliedAtDeploy(t *testing.T) {
	img := []byte("os image " + testNodeName())
	srv := newTestImageServer(t, img)
	name := templateName()
	cache := t.TempDir()
	prefix := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
	cfg := imageConfig(cache, fmt.Sprintf(`
resource "baremetal_deploy_template" "t" {
  name  = %[1]q
  steps = jsonencode([{ interface = "deploy", step = "erase_devices_metadata", priority = 95 }])
}
resource "baremetal_image" "os" {
  url = "%[2]s/images/os.qcow2"
}
`, name, srv.URL))
	for i, asks := range []string{`{ traits = jsonencode([baremetal_deploy_template.t.name]) }`, `{}`} {
		node := fmt.Sprintf("%s-%d", prefix, i)
		cfg += machine{Index: i, Name: node, Node: agentNode(t) + "\n  traits = [baremetal_deploy_template.t.name]",
			InstanceInfo: "merge(baremetal_image.os.instance_info, " + asks + ")"}.String()
	}
	ranStep := func(addr string, want bool) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			id, err := stateID(s, addr)
			if err != nil {
				return err
			}
			log := strings.Join(testServer.Agent.Log(id), "\n")
			if strings.Contains(log, "erase_devices_metadata") != want {
				return fmt.Errorf("%s: the template's step ran = %v, want %v; agent log:\n%s", addr, !want, want, log)
			}
			return nil
		}
	}
	ironicTest(t, resource.TestStep{
		Config: cfg,
		Check: resource.ComposeTestCheckFunc(ranStep("baremetal_node.n0", true), ranStep("baremetal_node.n1", false),
			checkDisk("baremetal_node.n0", img), checkDisk("baremetal_node.n1", img)),
	})
}
