package ironic

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// An adoption records the instance_info, then asks Ironic's adopt once: manageable ->
// adopting -> active; nothing else is sent (no manage, provide, deploy or clean).
func TestAdoptFromManageable(t *testing.T) {
	f := &fakeStateMachine{state: "manageable", script: map[string][]fakeStep{
		"manageable/adopt": {{"adopting", "active", ""}, {"active", "", ""}},
	}}
	p, _ := newFakeClient(t, f)
	node, err := p.Adopt(context.Background(), "n1", DeploySpec{InstanceInfo: map[string]string{"image_source": "http://i/os.img"}})
	if err != nil || node.ProvisionState != "active" {
		t.Fatalf("got %v, %+v", err, node)
	}
	if strings.Join(f.actions, " ") != "adopt" || len(f.patches) != 1 || !strings.Contains(f.patches[0], `"path":"/instance_info"`) ||
		!strings.Contains(f.patches[0], "http://i/os.img") {
		t.Fatalf("sent %v, patches %v", f.actions, f.patches)
	}
}

// A failed adoption stops in adopt failed with Ironic's last_error; the next call fixes
// the instance_info and retries adopt from there: never a manage, a provide, a teardown
// or a clean on the way.
func TestAdoptFailedThenRetried(t *testing.T) {
	f := &fakeStateMachine{state: "manageable", script: map[string][]fakeStep{
		"manageable/adopt":   {{"adopting", "active", ""}, {"adopt failed", "active", "Cannot validate PXE bootloader: kernel missing"}},
		"adopt failed/adopt": {{"adopting", "active", ""}, {"active", "", ""}},
	}}
	p, _ := newFakeClient(t, f)
	_, err := p.Adopt(context.Background(), "n1", DeploySpec{InstanceInfo: map[string]string{"image_source": "http://i/os.img"}})
	var pe *ProvisionError
	if !errors.As(err, &pe) || pe.State != "adopt failed" || pe.Action != "adopt" || !strings.Contains(err.Error(), "kernel missing") {
		t.Fatalf("want a ProvisionError in adopt failed with last_error, got %v", err)
	}
	fixed := DeploySpec{InstanceInfo: map[string]string{"image_source": "http://i/os.img", "kernel": "http://i/k"}}
	node, err := p.Adopt(context.Background(), "n1", fixed)
	if err != nil || node.ProvisionState != "active" {
		t.Fatalf("retry: %v", err)
	}
	if strings.Join(f.actions, " ") != "adopt adopt" || len(f.patches) != 2 || !strings.Contains(f.patches[1], "http://i/k") {
		t.Fatalf("sent %v, patches %v", f.actions, f.patches)
	}
}

// An adoption still under way (an earlier apply timed out) is waited on, not asked again.
func TestAdoptWaitsForAdopting(t *testing.T) {
	f := &fakeStateMachine{state: "adopting", target: "active", pending: []fakeStep{{"adopting", "active", ""}, {"active", "", ""}},
		instanceInfo: `{"image_source": "http://i/os.img"}`}
	p, _ := newFakeClient(t, f)
	node, err := p.Adopt(context.Background(), "n1", DeploySpec{InstanceInfo: map[string]string{"image_source": "http://i/os.img"}})
	if err != nil || node.ProvisionState != "active" || len(f.actions) != 0 || len(f.patches) != 0 {
		t.Fatalf("got %v %+v after %v %v", err, node, f.actions, f.patches)
	}
}

// Adoption is refused, nothing sent, from every state Ironic does not adopt from: an
// available node is not moved back to manageable behind the operator's back.
func TestAdoptRefusals(t *testing.T) {
	cases := []struct{ state, instanceInfo, want string }{
		{"available", "", `Ironic adopts only from "manageable"`},
		{"enroll", "", "manage the node first"},
		{"clean failed", "", `from "manageable" (or from "adopt failed"`},
		{"deploy failed", "", `from "manageable" (or from "adopt failed"`},
		{"active", `{"image_source": "http://other/os.img"}`, "already deployed"},
	}
	for _, c := range cases {
		f := &fakeStateMachine{state: c.state, instanceInfo: c.instanceInfo, script: lifecycle}
		p, _ := newFakeClient(t, f)
		_, err := p.Adopt(context.Background(), "n1", DeploySpec{InstanceInfo: map[string]string{"image_source": "http://i/os.img"}})
		if err == nil || !strings.Contains(err.Error(), c.want) || len(f.actions) != 0 || len(f.patches) != 0 {
			t.Errorf("%s: got %v after %v %v, want %q", c.state, err, f.actions, f.patches, c.want)
		}
	}
	// Active with the same instance_info: adopted already (an answer was lost); nothing sent.
	f := &fakeStateMachine{state: "active", instanceInfo: `{"image_source": "http://i/os.img", "image_type": "whole-disk"}`}
	p, _ := newFakeClient(t, f)
	if _, err := p.Adopt(context.Background(), "n1", DeploySpec{InstanceInfo: map[string]string{"image_source": "http://i/os.img"}}); err != nil ||
		len(f.actions)+len(f.patches) != 0 {
		t.Fatalf("got %v after %v %v", err, f.actions, f.patches)
	}
}

func TestDestroyRefusedOnlyForAnUndecidedAdoption(t *testing.T) {
	for _, c := range []struct {
		adopted bool
		d       Disposal
		refused bool
	}{
		{true, DisposalDefault, true}, {true, DisposalKeep, false}, {true, DisposalUndeploy, false},
		{false, DisposalDefault, false}, {false, DisposalKeep, false},
	} {
		if got := DestroyRefused(c.adopted, c.d); got != c.refused {
			t.Errorf("adopted %v, %q: refused %v, want %v", c.adopted, c.d, got, c.refused)
		}
	}
	if DisposalKeep.Undeploys() || !DisposalUndeploy.Undeploys() || !DisposalDefault.Undeploys() {
		t.Error("Undeploys")
	}
}

// A node using Ironic's noop deploy interface is never deployed nor rebuilt (Ironic would
// report it active with nothing written): refused, nothing sent. Its adoption goes on.
func TestNoopDeployInterfaceOnlyAdopted(t *testing.T) {
	spec := DeploySpec{InstanceInfo: map[string]string{"image_source": "http://i/os.img"}}
	avail := fakeNodeIn("n1", "available")
	avail["deploy_interface"] = "noop"
	f, p := newFakeNodeAPI(t, avail)
	_, err := p.Deploy(context.Background(), "n1", spec)
	var never *NeverDeployedError
	if !errors.As(err, &never) || never.Action != "deploy" || f.requests(false) != "" {
		t.Fatalf("deploy: %v after %q", err, f.requests(false))
	}
	active := fakeNodeIn("n2", "active")
	active["deploy_interface"] = "noop"
	f, p = newFakeNodeAPI(t, active)
	node, _ := p.GetNode(context.Background(), "n2")
	if _, err := p.Redeploy(context.Background(), node, spec, true); !errors.As(err, &never) || never.Action != "rebuild" ||
		strings.Contains(f.requests(false), "PATCH") || strings.Contains(f.requests(false), "PUT") {
		t.Fatalf("rebuild: %v after %q", err, f.requests(false))
	}
	manageable := fakeNodeIn("n3", "manageable")
	manageable["deploy_interface"] = "noop"
	f, p = newFakeNodeAPI(t, manageable)
	if _, err := p.Adopt(context.Background(), "n3", spec); err != nil || !strings.Contains(f.requests(false), "adopt") {
		t.Fatalf("adopt: %v after %q", err, f.requests(false))
	}
}
