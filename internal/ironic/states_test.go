package ironic

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// ironicStates is Ironic's own state machine (ironic/common/state_machine.py), as a
// current Ironic reports it: each provision state, whether Ironic calls it stable, and
// the state it heads for. ironictest checks it against the Ironic the harness runs.
type ironicStates struct {
	Ironic string `json:"ironic"`
	States map[string]struct {
		Stable bool   `json:"stable"`
		Target string `json:"target"`
	} `json:"states"`
	Events []string `json:"events"`
}

func loadIronicStates(t *testing.T) ironicStates {
	t.Helper()
	b, err := os.ReadFile("testdata/states-ironic-35.json")
	if err != nil {
		t.Fatal(err)
	}
	var m ironicStates
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Every provision state of the current Ironic is one the provider knows: a deployment
// holds it exactly when Ironic heads it for active or rescue (or it rests there), it is
// waited on exactly while it moves, and from each resting state every goal is either a
// step or an error that names the state.
func TestEveryIronicStateIsHandled(t *testing.T) {
	m := loadIronicStates(t)
	if len(m.States) < 30 {
		t.Fatalf("only %d states in the fixture", len(m.States))
	}
	for state, info := range m.States {
		if !IsKnownState(state) {
			t.Errorf("%q: unknown to the provider", state)
		}
		deployed := info.Target == "active" || info.Target == "rescue" || state == "active" || state == "error" || state == "rescue"
		if IsDeployed(state) != deployed {
			t.Errorf("%q (heading for %q): IsDeployed = %v, want %v", state, info.Target, IsDeployed(state), deployed)
		}
		stops := info.Stable || strings.HasSuffix(state, " failed") || isHold(state)
		if IsStable(state) != stops {
			t.Errorf("%q: the provider waits on it = %v, want %v (Ironic: stable %v)", state, !IsStable(state), !stops, info.Stable)
		}
		if !IsStable(state) {
			continue
		}
		for _, goal := range []string{StateEnroll, StateManageable, StateAvailable, StateActive} {
			st, ok, err := next(state, Goal{State: goal}, map[nodes.TargetProvisionState]bool{})
			switch {
			case err != nil && !strings.Contains(err.Error(), state) && !strings.Contains(err.Error(), "enroll"):
				t.Errorf("%q -> %s: an error that does not name the state: %v", state, goal, err)
			case err == nil && !ok && state != goal && goal != StateEnroll:
				t.Errorf("%q -> %s: nothing to do", state, goal)
			case ok && st.action == "":
				t.Errorf("%q -> %s: an empty step", state, goal)
			}
		}
	}
}

// A deployment's plan heads for active, except where it leaves the node be: held,
// serviced, rescued, and a failed servicing when nothing else of the deployment changes
// (the next hardware change or the operator ends it; the deployment's plan stays empty).
func TestPlannedDeploymentState(t *testing.T) {
	cases := []struct {
		current string
		changed bool
		want    string
	}{
		{"active", false, "active"},
		{"deploy failed", false, "active"},
		{"error", false, "active"},
		{"wait call-back", false, "active"},
		{"service failed", false, "service failed"},
		{"service failed", true, "active"},
		{"servicing", true, "servicing"},
		{"service hold", false, "service hold"},
		{"rescue", true, "rescue"},
	}
	for _, c := range cases {
		if got := PlannedDeploymentState(c.current, c.changed); got != c.want {
			t.Errorf("%q (changed %v): planned %q, want %q", c.current, c.changed, got, c.want)
		}
	}
}
