package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// A BIOS change on a deployed node, through direct and the test agent. Without
// allow_servicing it is a plan-time error saying how to allow it. With it, on an Ironic
// with servicing, the apply services the machine in place: here Ironic itself fails the
// servicing (the node's BIOS interface has no apply_configuration service step), so the
// error carries Ironic's last_error, the node is aborted back to active, its deployment
// and disk untouched, and the next plan shows the change again, in place. On an Ironic
// without servicing the opt-in is a plan-time error naming API 1.87.
func TestAccNode_biosChangeOnDeployedNode(t *testing.T) {
	sc := testIronic(t)
	image := []byte("os image " + testNodeName())
	srv := newTestImageServer(t, image)
	cache := t.TempDir()
	name := testNodeName()
	cfg := func(nodeExtra string) string { return deployedConfig(t, cache, srv.URL, name, nodeExtra, "") }
	bios := `bios_settings = { LogicalProc = "Disabled" }`
	var deployed *nodes.Node
	steps := []resource.TestStep{{
		Config: cfg(""),
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			deployed = n
			return nil
		}),
	}, {
		Config:      cfg(bios),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)needs allow_servicing.*is active.*bios\.apply_configuration.*reboots.*allow_servicing\s+=\s+true`),
	}}
	mv := testNegotiated(t)
	if err := ironic.FeatureNamed("servicing").Check(mv); err != nil {
		ironicTest(t, append(steps, resource.TestStep{
			Config:      cfg(bios + "\n  allow_servicing = true"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Not supported by this Ironic.*servicing.*needs\s+API\s+1\.87,\s+Ironic\s+23\.0`),
		})...)
		return
	}
	checkKept := func() {
		t.Helper()
		n, err := nodes.Get(context.Background(), sc, deployed.UUID).Extract()
		if err != nil {
			t.Fatal(err)
		}
		if n.ProvisionState != "active" || fmt.Sprint(n.InstanceInfo["image_source"]) != fmt.Sprint(deployed.InstanceInfo["image_source"]) ||
			!n.ProvisionUpdatedAt.After(deployed.ProvisionUpdatedAt) {
			t.Fatalf("after servicing: %q, instance_info %v (deployed with %v), provision updated %v (deployed %v)",
				n.ProvisionState, n.InstanceInfo, deployed.InstanceInfo, n.ProvisionUpdatedAt, deployed.ProvisionUpdatedAt)
		}
		if disk, err := testAgent(t).Disk(n.UUID, len(image)); err != nil || string(disk) != string(image) {
			t.Fatalf("the disk no longer holds the image: %q %v", disk, err)
		}
	}
	ironicTest(t, append(steps, resource.TestStep{
		Config: cfg(bios + "\n  allow_servicing = true"),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionUpdate),
			plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionNoop),
		}},
		ExpectError: regexp.MustCompile(`(?s)Unable to apply BIOS settings.*servicing\s+failed:\s+running\s+bios\.apply_configuration.*"service\s+failed":.*does\s+not\s+support\s+this\s+service\s+step.*brought\s+back\s+to\s+"active".*deployment\s+is\s+untouched`),
	}, resource.TestStep{
		PreConfig: checkKept,
		Config:    cfg(bios + "\n  allow_servicing = true"),
		ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionUpdate),
			plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionNoop),
		}},
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	})...)
}
