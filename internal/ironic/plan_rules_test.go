package ironic

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// The rules the provider's plan shows, told from a node's recorded states: what
// Converge keeps, what an import records, what waits for a teardown.

func TestKeepsProvisionState(t *testing.T) {
	for _, c := range []struct {
		state, target string
		want          bool
	}{
		{"manageable", "available", false},
		{"available", "manageable", false},
		{"available", "enroll", true}, // enroll: left where it is
		{"", "enroll", false},         // a new node: enrolled, so it ends in enroll
		{"", "available", false},      // a new node driven to available
		{"active", "available", true}, // a deployment holds it
		{"deploy failed", "manageable", true},
		{"service wait", "available", true},
		{"some new state", "available", true}, // unknown: kept, as a deployed node
		{"clean failed", "available", false},
	} {
		if got := KeepsProvisionState(c.state, c.target); got != c.want {
			t.Errorf("KeepsProvisionState(%q, %q) = %v, want %v", c.state, c.target, got, c.want)
		}
	}
}

func TestKeepsPowerState(t *testing.T) {
	for _, c := range []struct {
		state string
		want  bool
	}{
		{"available", false}, {"manageable", false}, {"enroll", false}, {"", false},
		{"active", true}, {"deploy failed", true}, {"rescue", true}, {"error", true},
	} {
		if got := KeepsPowerState(c.state); got != c.want {
			t.Errorf("KeepsPowerState(%q) = %v, want %v", c.state, got, c.want)
		}
	}
}

func TestMaintenanceHoldsMove(t *testing.T) {
	for _, c := range []struct {
		state, target       string
		inMaintenance, keep bool
		want                bool
	}{
		{"manageable", "available", true, true, true},   // Ironic's or an operator's maintenance, and a move: held
		{"manageable", "available", true, false, false}, // the configuration lifts it first
		{"manageable", "available", false, true, false},
		{"available", "available", true, true, false}, // already there: no move
		{"available", "enroll", true, true, false},    // enroll moves nothing
		{"active", "manageable", true, true, false},   // a deployment holds it: no move
	} {
		if got := MaintenanceHoldsMove(c.state, c.target, c.inMaintenance, c.keep); got != c.want {
			t.Errorf("MaintenanceHoldsMove(%q, %q, %v, %v) = %v, want %v", c.state, c.target, c.inMaintenance, c.keep, got, c.want)
		}
	}
}

func TestGoalLeavesNode(t *testing.T) {
	for target, want := range map[string]bool{"": true, "enroll": true, "manageable": false, "available": false} {
		if got := GoalLeavesNode(target); got != want {
			t.Errorf("GoalLeavesNode(%q) = %v, want %v", target, got, want)
		}
	}
}

func TestInspectionRuns(t *testing.T) {
	for _, c := range []struct {
		state, target string
		inspect, want bool
	}{
		{"enroll", "manageable", true, true},
		{"manageable", "available", true, true},
		{"enroll", "manageable", false, false},
		{"available", "available", true, false}, // already there: no move, no inspection
		{"available", "enroll", true, false},    // enroll moves nothing
		{"active", "available", true, false},    // a deployment holds it
	} {
		if got := InspectionRuns(c.state, c.target, c.inspect); got != c.want {
			t.Errorf("InspectionRuns(%q, %q, %v) = %v, want %v", c.state, c.target, c.inspect, got, c.want)
		}
	}
}

func TestImportedTarget(t *testing.T) {
	for state, want := range map[string]string{
		"enroll": "enroll", "manageable": "manageable", "available": "available",
		"active": "available", "deploy failed": "available", "rescue": "available", "some new state": "available",
		"clean failed": "enroll", "inspect failed": "enroll", "cleaning": "enroll", "verifying": "enroll",
	} {
		if got := ImportedTarget(state); got != want {
			t.Errorf("ImportedTarget(%q) = %q, want %q", state, got, want)
		}
	}
}

func TestTargetAwaitsTeardown(t *testing.T) {
	for _, c := range []struct {
		state, target string
		retired       bool
		want          bool
	}{
		{"active", "manageable", false, true},
		{"deploy failed", "manageable", false, true},
		{"active", "available", false, false}, // where the teardown leaves it
		{"active", "enroll", false, false},    // moves nothing
		{"available", "manageable", false, false},
		{"manageable", "available", false, false},
		// A retired node's teardown leaves it manageable, where its available rests too.
		{"active", "manageable", true, false},
		{"active", "available", true, false},
		{"rescue", "manageable", false, true},
	} {
		if got := TargetAwaitsTeardown(c.state, c.target, c.retired); got != c.want {
			t.Errorf("TargetAwaitsTeardown(%q, %q, %v) = %v, want %v", c.state, c.target, c.retired, got, c.want)
		}
	}
}

func TestDeployRefused(t *testing.T) {
	fail := errors.New("boom")
	for _, c := range []struct {
		name string
		node *nodes.Node
		err  error
		want bool
	}{
		{"no node", nil, fail, true},
		{"not deployable", &nodes.Node{ProvisionState: "manageable"}, &NotDeployableError{NodeID: "n1", State: "manageable"}, true},
		{"someone else's", &nodes.Node{ProvisionState: "active"}, fmt.Errorf("wrapped: %w", &AlreadyDeployedError{NodeID: "n1", State: "active"}), true},
		{"deploy failed", &nodes.Node{ProvisionState: "deploy failed"}, fail, false},
		{"stuck deploying", &nodes.Node{ProvisionState: "wait call-back"}, fail, false},
	} {
		if got := DeployRefused(c.node, c.err); got != c.want {
			t.Errorf("%s: DeployRefused = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestReadDeployment(t *testing.T) {
	for _, c := range []struct {
		state             string
		gone, note, unkwn bool
	}{
		{"active", false, false, false},
		{"deploy failed", false, false, false},
		{"available", true, false, false},
		{"manageable", true, false, false},
		{"service wait", false, true, false},
		{"deploy hold", false, true, false},
		{"some new state", false, false, true},
	} {
		got := ReadDeployment(&nodes.Node{UUID: "n1", ProvisionState: c.state})
		if got.Gone != c.gone || (got.Note != "") != c.note || got.Unknown != c.unkwn {
			t.Errorf("ReadDeployment(%q) = %+v, want gone %v, note %v, unknown %v", c.state, got, c.gone, c.note, c.unkwn)
		}
	}
}
