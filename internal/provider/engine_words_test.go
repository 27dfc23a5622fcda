package provider

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// The engine's typed reasons read, in Terraform terms, as they did when the engine
// worded them itself (the acceptance tests' ExpectError patterns rest on that).
func TestInTerraformTerms(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&ironic.ConvergeError{Summary: "Unable to provision bare metal node", Err: &ironic.MaintenanceHeldError{NodeID: "n1", Reason: "disk swap", From: "manageable", To: "available"}},
			`node n1 is in maintenance ("disk swap"), set by Ironic or an operator, so it stays "manageable" instead of moving to "available": ` +
				"maintenance is not in the configuration, and Terraform does not lift what it does not manage. Clear it in Ironic " +
				"once the machine is fine, or set maintenance = false to lift it in the next apply"},
		{&ironic.NotDeployableError{NodeID: "n1", State: "manageable", Maintenance: true},
			"node n1 is in maintenance mode: Ironic refuses to deploy it. Set maintenance = false on the node first"},
		{fmt.Errorf("%w\n\nhint", &ironic.NotDeployableError{NodeID: "n1", State: "manageable"}),
			`node n1 is in provision state "manageable"; a deployment starts from "available" (or "deploy failed" after an earlier try). ` +
				`Set target_provision_state = "available" on the node` + "\n\nhint"},
		{&ironic.NotDeployableError{NodeID: "n1", State: "rescue"},
			`node n1 is in provision state "rescue"; a deployment starts from "available" (or "deploy failed" after an earlier try). ` +
				"It is deployed already: to manage what runs on it, import it: terraform import <address> n1"},
		{&ironic.AlreadyDeployedError{NodeID: "n1", State: "active"},
			`node n1 is already deployed (provision state "active") with another instance_info; nothing was changed. ` +
				"To manage what runs on it, import it: terraform import <address> n1"},
		{&ironic.NodeStepError{Step: ironic.StepHardware, NodeID: "n1", Err: &ironic.ServicingNotAllowedError{NodeID: "n1"}},
			"node n1 is active: changing its hardware would service the running machine, which is not allowed (allow_servicing); nothing was run"},
		{&ironic.RescueHeldError{NodeID: "n1", State: "rescue"},
			`node n1 is "rescue": it is held in rescue, and only an unrescue ends that; nothing was changed. ` +
				"To end the rescue: the baremetal_node_unrescue action (terraform apply -invoke=action.baremetal_node_unrescue.<name>), " +
				"or `baremetal node unrescue n1`"},
		{fmt.Errorf("applying raid.create_configuration: boom. %w", &ironic.CleanFailedMaintenanceError{NodeID: "n1"}),
			`applying raid.create_configuration: boom. Ironic put node n1 in maintenance when the clean step failed (fault "clean failure"), ` +
				"and refuses to clean it again until that is lifted: check the machine, then lift maintenance (baremetal node " +
				"maintenance unset n1), or set maintenance = false on the node: the next apply lifts it before it cleans"},
		{errors.New("anything else"), "anything else"},
	} {
		if got := inTerraformTerms(c.err); got != c.want {
			t.Errorf("got\n %s\nwant\n %s", got, c.want)
		}
	}
}

// A rescued deployment's warning names the state and how to end the rescue (but not
// while Ironic is already ending it).
func TestRescueWarning(t *testing.T) {
	summary, detail := rescueWarning(&nodes.Node{UUID: "n1", ProvisionState: "rescue"})
	want := `Node n1 is "rescue": the deployed machine runs Ironic's rescue ramdisk. It is held there: no apply unrescues it. ` +
		"To end the rescue: the baremetal_node_unrescue action (terraform apply -invoke=action.baremetal_node_unrescue.<name>), " +
		"or `baremetal node unrescue n1`. The deployment is kept as it is."
	if summary != "Bare metal node in rescue" || detail != want {
		t.Errorf("%s:\n %s\nwant\n %s", summary, detail, want)
	}
	_, detail = rescueWarning(&nodes.Node{UUID: "n1", ProvisionState: "unrescuing"})
	if strings.Contains(detail, "baremetal node unrescue") || !strings.Contains(detail, "returns to active by itself") {
		t.Errorf("unrescuing: %s", detail)
	}
	_, detail = rescueWarning(&nodes.Node{UUID: "n1", ProvisionState: "rescue failed", LastError: "no agent"})
	if !strings.Contains(detail, `"rescue failed"`) || !strings.Contains(detail, "no agent") || !strings.Contains(detail, "baremetal node unrescue n1") {
		t.Errorf("rescue failed: %s", detail)
	}
}
