package ironic

import (
	"context"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

func TestRestingState(t *testing.T) {
	for _, c := range []struct {
		target  string
		retired bool
		want    string
	}{
		{"available", false, "available"},
		{"available", true, "manageable"}, // Ironic provides no retired node
		{"manageable", true, "manageable"},
		{"enroll", true, "enroll"},
	} {
		if got := RestingState(c.target, c.retired); got != c.want {
			t.Errorf("RestingState(%q, %v) = %q, want %q", c.target, c.retired, got, c.want)
		}
	}
	retired := &nodes.Node{ProvisionState: "manageable", Retired: true}
	if NeedsMove(retired, Goal{State: "available"}) || !NeedsMove(&nodes.Node{ProvisionState: "manageable"}, Goal{State: "available"}) {
		t.Error("a retired manageable node rests where its goal of available is; an unretired one is provided")
	}
}

func TestRetires(t *testing.T) {
	for _, c := range []struct {
		ops  []PatchOp
		want bool
	}{
		{[]PatchOp{{Op: OpAdd, Path: "/retired", Value: true}}, true},
		{[]PatchOp{{Op: OpAdd, Path: "/description", Value: "x"}, {Op: OpAdd, Path: "/retired", Value: true}}, true},
		{[]PatchOp{{Op: OpAdd, Path: "/retired", Value: false}}, false},
		{[]PatchOp{{Op: OpAdd, Path: "/retired_reason", Value: "old"}}, false},
		{nil, false},
	} {
		if got := Retires(NodeUpdateOpts(c.ops)); got != c.want {
			t.Errorf("Retires(%v) = %v", c.ops, got)
		}
	}
}

// Retiring a node: Ironic refuses it in available (its deployment was torn down
// earlier in the same apply), so the node is managed first; it then rests in
// manageable, never provided. Un-retired, it is provided again.
func TestRetireAndUnretire(t *testing.T) {
	retire := NodeUpdateOpts([]PatchOp{{Op: OpAdd, Path: "/retired", Value: true}, {Op: OpAdd, Path: "/retired_reason", Value: "disk"}})
	unretire := NodeUpdateOpts([]PatchOp{{Op: OpAdd, Path: "/retired", Value: false}})
	toAvailable := NodeWork{Goal: NodeGoal{Goal: Goal{State: "available"}, KeepMaintenance: true}}
	for _, c := range []struct {
		name, from string
		retired    bool
		ops        nodes.UpdateOpts
		calls      string
		ends       string
	}{
		{"retired from available: managed first", "available", false, retire,
			"PUT /nodes/n1/states/provision manage, PATCH /nodes/n1", "manageable"},
		{"retired from manageable", "manageable", false, retire, "PATCH /nodes/n1", "manageable"},
		{"retired while deployed: stays in service", "active", false, retire, "PATCH /nodes/n1", "active"},
		{"un-retired: provided", "manageable", true, unretire, "PATCH /nodes/n1, PUT /nodes/n1/states/provision provide", "available"},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := fakeNodeIn("n1", c.from)
			n["retired"] = c.retired
			f, p := newFakeNodeAPI(t, n)
			node, err := p.UpdateNode(context.Background(), "n1", c.ops, false, toAvailable)
			if err != nil || node.ProvisionState != c.ends || f.requests(false) != c.calls {
				t.Fatalf("ended %v after %s (%v); want %s after %s", node, f.requests(false), err, c.ends, c.calls)
			}
		})
	}
}

// Undeploying a retired node ends in manageable (Ironic's cleaning of a retired node
// ends there), not in an error; the node's teardown for a destroy as well.
func TestUndeployRetiredNode(t *testing.T) {
	n := fakeNodeIn("n1", "active")
	n["retired"] = true
	f, p := newFakeNodeAPI(t, n)
	node, err := p.Undeploy(context.Background(), "n1")
	if err != nil || node.ProvisionState != "manageable" || f.requests(false) != "PUT /nodes/n1/states/provision deleted" {
		t.Fatalf("ended %v after %s (%v)", node, f.requests(false), err)
	}
	n = fakeNodeIn("n1", "active")
	n["retired"] = true
	f, p = newFakeNodeAPI(t, n)
	if err := p.Remove(context.Background(), "n1", false); err != nil || f.requests(false) != "PUT /nodes/n1/states/provision deleted, DELETE /nodes/n1" {
		t.Fatalf("remove: %s (%v)", f.requests(false), err)
	}
}
