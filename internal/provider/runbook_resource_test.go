package provider

import (
	"context"
	"fmt"
	"regexp"
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

// testAccRunbookConfig_wipe is a runbook of two steps, the second at order, with the
// further attributes in more.
func testAccRunbookConfig_wipe(name, order, more string) string {
	return providerBlock + fmt.Sprintf(`
resource "baremetal_runbook" "wipe" {
  name        = %q
  steps = jsonencode([{
    interface = "deploy"
    step      = "erase_devices_metadata"
    order     = 1
  }, {
    interface = "vendor"
    step      = "log_passthrough"
    args      = {}
    order     = %s
  }])
  %s
}
`, name, order, more)
}

// Create, read back, update in place, import by name and by UUID, where the Ironic has
// runbooks; where it lacks them, a plan-time error naming API 1.92.
func TestAccRunbook_lifecycle(t *testing.T) {
	name := templateName()
	if mv := testNegotiated(t); !ironic.FeatureNamed("runbooks").Available(mv) {
		ironicTest(t, resource.TestStep{
			Config:      testAccRunbookConfig_wipe(name, "2", ""),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Not supported by this Ironic.*runbooks.*needs\s+API\s+1\.92,\s+Ironic\s+26\.1.*offers\s+` + regexp.QuoteMeta(mv)),
		})
		return
	}
	remote := func(check func(*ironic.Runbook) error) resource.TestCheckFunc {
		return func(*terraform.State) error {
			rb, err := ironic.Runbooks.Get(testEngineNoT(), context.Background(), name)
			if err != nil {
				return err
			}
			return check(rb)
		}
	}
	ironicTest(t, append([]resource.TestStep{{
		Config: testAccRunbookConfig_wipe(name, "2", ""),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_runbook.wipe", tfjsonpath.New("id"), knownvalue.StringRegexp(uuidRE)),
			statecheck.ExpectKnownValue("baremetal_runbook.wipe", tfjsonpath.New("public"), knownvalue.Bool(false)),
		},
		Check: remote(func(rb *ironic.Runbook) error {
			if len(rb.Steps) != 2 {
				return fmt.Errorf("Ironic has %+v", rb)
			}
			return nil
		}),
	}, {
		Config: testAccRunbookConfig_wipe(name, "3", `extra = { team = "storage" }`),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_runbook.wipe", plancheck.ResourceActionUpdate),
		}},
		Check: remote(func(rb *ironic.Runbook) error {
			if !strings.Contains(mustJSON(rb.Steps), `"order":3`) || rb.Extra["team"] != "storage" {
				return fmt.Errorf("Ironic has %+v", rb)
			}
			return nil
		}),
	}}, importedByNameAndID("baremetal_runbook.wipe", name, "steps")...)...)
}

func TestAccRunbook_badInput(t *testing.T) {
	skipUnlessAcceptance(t)
	for _, c := range []struct{ extra, steps, want string }{
		{"", `[{ interface = "deploy", step = "x" }]`, `(?s)step 0 needs a whole-number "order"`},
		{"", `[{ interface = "network", step = "x", order = 1 }]`, `(?s)step 0: interface "network" is not one of`},
		{"", `[{ interface = "deploy", step = "x", priority = 1 }]`, `(?s)needs a whole-number "order"`},
		{`public = true
  owner = "p1"`, `[{ interface = "deploy", step = "x", order = 1 }]`, `(?s)A public runbook has no owner`},
	} {
		expectPlanError(t, providerBlock+fmt.Sprintf(`
resource "baremetal_runbook" "x" {
  name  = "CUSTOM_X"
  steps = jsonencode(%s)
  %s
}
`, c.steps, c.extra), c.want)
	}
}
