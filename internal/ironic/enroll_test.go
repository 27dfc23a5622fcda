package ironic

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

func TestEnrollmentUUID(t *testing.T) {
	// A named node's UUID is its name's for good: an earlier release's failed enrollment
	// is found again by it.
	if got := EnrollmentUUID("rack1-node7"); got != "868c13a0-7a0b-526e-902f-91740b149268" {
		t.Fatalf("the UUID of a name changed: %s", got)
	}
	if EnrollmentUUID("a") == EnrollmentUUID("b") {
		t.Fatal("two names, one UUID")
	}
	if a, b := EnrollmentUUID(""), EnrollmentUUID(""); a == b || len(a) != 36 {
		t.Fatalf("unnamed nodes share UUID %s", a)
	}
}

func TestClaimEnrollment(t *testing.T) {
	uuid := EnrollmentUUID("claimed")
	release, ok := ClaimEnrollment(uuid)
	if !ok {
		t.Fatal("first claim refused")
	}
	if _, ok := ClaimEnrollment(uuid); ok {
		t.Fatal("second claim of the same UUID granted")
	}
	release()
	release2, ok := ClaimEnrollment(uuid)
	if !ok {
		t.Fatal("claim after release refused")
	}
	release2()
	// Concurrent creates of one name: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := ClaimEnrollment(EnrollmentUUID("race")); ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d claims won", won)
	}
}

func TestUnfinishedEnrollment(t *testing.T) {
	for _, c := range []struct {
		name string
		node nodes.Node
		t    EnrollmentTarget
		want bool
	}{
		{"enrolled as asked", nodes.Node{ProvisionState: "enroll"}, EnrollmentTarget{}, false},
		{"enroll target leaves any resting state", nodes.Node{ProvisionState: "manageable"}, EnrollmentTarget{ProvisionState: "enroll"}, false},
		{"where the target says", nodes.Node{ProvisionState: "available"}, EnrollmentTarget{ProvisionState: "available"}, false},
		{"stopped short of the target", nodes.Node{ProvisionState: "manageable"}, EnrollmentTarget{ProvisionState: "available"}, true},
		{"still on its way", nodes.Node{ProvisionState: "cleaning", TargetProvisionState: "available"}, EnrollmentTarget{ProvisionState: "available"}, true},
		{"failed state", nodes.Node{ProvisionState: "clean failed"}, EnrollmentTarget{ProvisionState: "available"}, true},
		{"an error recorded", nodes.Node{ProvisionState: "enroll", LastError: "BMC did not answer"}, EnrollmentTarget{}, true},
		{"owner not set yet", nodes.Node{ProvisionState: "enroll"}, EnrollmentTarget{Owner: "p1"}, true},
		{"owner set", nodes.Node{ProvisionState: "enroll", Owner: "p1"}, EnrollmentTarget{Owner: "p1"}, false},
		{"owner unmanaged", nodes.Node{ProvisionState: "enroll", Owner: "p2"}, EnrollmentTarget{}, false},
	} {
		if got := UnfinishedEnrollment(&c.node, c.t); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}

func TestFindEnrollment(t *testing.T) {
	uuid := EnrollmentUUID("n")
	for _, c := range []struct {
		name     string
		node     map[string]any // nil: none
		fail     int            // the lookup's status
		lookup   string
		target   EnrollmentTarget
		wantNode bool
		wantErr  any
	}{
		{name: "unnamed: no lookup", lookup: ""},
		{name: "none", lookup: "n"},
		{name: "lookup fails", lookup: "n", fail: 500, wantErr: new(*ReadError)},
		{name: "unfinished: continued", lookup: "n", node: fakeNodeIn(uuid, "manageable"), target: EnrollmentTarget{ProvisionState: "available"}, wantNode: true},
		{name: "finished: refused", lookup: "n", node: fakeNodeIn(uuid, "available"), target: EnrollmentTarget{ProvisionState: "available"}, wantNode: true, wantErr: new(*NodeExistsError)},
	} {
		t.Run(c.name, func(t *testing.T) {
			var f *fakeNodeAPI
			var p *Client
			if c.node != nil {
				f, p = newFakeNodeAPI(t, c.node)
			} else {
				f, p = newFakeNodeAPI(t)
			}
			if c.fail != 0 {
				f.fail["GET /nodes/"+uuid] = c.fail
			}
			node, err := p.FindEnrollment(context.Background(), c.lookup, c.target)
			if (node != nil) != c.wantNode {
				t.Errorf("node %v", node)
			}
			switch want := c.wantErr.(type) {
			case nil:
				if err != nil {
					t.Errorf("error %v", err)
				}
			case **ReadError:
				if !errors.As(err, want) {
					t.Errorf("error %v, want a ReadError", err)
				}
			case **NodeExistsError:
				if !errors.As(err, want) || (*want).Node.UUID != uuid {
					t.Errorf("error %v, want a NodeExistsError", err)
				}
			}
			if c.lookup == "" && f.requests(true) != "" {
				t.Errorf("an unnamed node was looked up: %s", f.requests(true))
			}
		})
	}
}

// The steps of a create, and what a failed one leaves undone.
func TestEnrollSteps(t *testing.T) {
	const id = "11111111-1111-4111-8111-111111111111"
	traitsAndRAID := NodeWork{
		SetTraits: true, Traits: []string{"CUSTOM_B", "CUSTOM_A"},
		SetRAIDTarget: true, RAIDTarget: map[string]any{"logical_disks": []any{}},
		Goal: NodeGoal{Goal: Goal{State: "manageable"}},
	}
	for _, c := range []struct {
		name  string
		body  NodeCreate
		work  NodeWork
		fail  string
		calls string
		steps []NodeStep // the failed steps, in order
		node  bool       // a node is returned
		owner bool       // an *OwnerError
	}{
		{name: "enroll only", body: NodeCreate{"uuid": id}, work: NodeWork{Goal: NodeGoal{Goal: Goal{State: "enroll"}}},
			calls: "POST /nodes", node: true},
		{name: "traits, RAID target, then provisioning; read again", body: NodeCreate{"uuid": id}, work: traitsAndRAID,
			calls: "POST /nodes, PUT /nodes/" + id + "/traits, PUT /nodes/" + id + "/states/raid, PUT /nodes/" + id + "/states/provision manage",
			node:  true},
		{name: "create refused: nothing else", body: NodeCreate{"uuid": id}, work: traitsAndRAID, fail: "POST /nodes",
			calls: "POST /nodes", steps: []NodeStep{StepCreate}},
		{name: "traits refused: the rest still runs", body: NodeCreate{"uuid": id}, work: traitsAndRAID, fail: "PUT /nodes/" + id + "/traits",
			calls: "POST /nodes, PUT /nodes/" + id + "/traits, PUT /nodes/" + id + "/states/raid, PUT /nodes/" + id + "/states/provision manage",
			steps: []NodeStep{StepTraits}, node: true},
		{name: "provisioning refused: no hardware change", body: NodeCreate{"uuid": id},
			work: NodeWork{Goal: NodeGoal{Goal: Goal{State: "manageable"}}, Hardware: HardwareChange{BIOS: map[string]string{"a": "b"}}},
			fail: "PUT /nodes/" + id + "/states/provision", calls: "POST /nodes, PUT /nodes/" + id + "/states/provision",
			steps: []NodeStep{StepConverge}, node: true},
		{name: "owner refused: the node exists, nothing else runs", body: NodeCreate{"uuid": id, "owner": "p1"}, work: traitsAndRAID,
			fail: "PATCH /nodes/" + id, calls: "POST /nodes, PATCH /nodes/" + id, node: true, owner: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, p := newFakeNodeAPI(t)
			if c.fail != "" {
				f.fail[c.fail] = 409
			}
			node, err := p.Enroll(context.Background(), c.body, c.work)
			if (node != nil) != c.node {
				t.Fatalf("node %v, err %v", node, err)
			}
			if got := f.requests(false); got != c.calls {
				t.Errorf("calls\n %s\nwant\n %s", got, c.calls)
			}
			if c.owner {
				if !errors.As(err, new(*OwnerError)) {
					t.Errorf("error %v, want an OwnerError", err)
				}
				return
			}
			if c.work.SetTraits && c.steps == nil && node != nil && len(node.Traits) != 2 {
				t.Errorf("the node was not read again after its traits were set: %v", node.Traits)
			}
			var got []NodeStep
			for _, se := range StepErrors(err) {
				got = append(got, se.Step)
				if se.Error() != se.Err.Error() {
					t.Errorf("a step's error is not the engine's own: %q", se.Error())
				}
			}
			if len(got) != len(c.steps) || (len(got) > 0 && got[0] != c.steps[0]) {
				t.Errorf("failed steps %v, want %v (%v)", got, c.steps, err)
			}
		})
	}
}

// A body without a UUID gets one, so a create is idempotent by itself; one that
// exists is not created twice.
func TestEnrollChoosesTheUUID(t *testing.T) {
	f, p := newFakeNodeAPI(t)
	body := NodeCreate{"driver": "fake-hardware"}
	node, err := p.Enroll(context.Background(), body, NodeWork{Goal: NodeGoal{Goal: Goal{State: "enroll"}}})
	if err != nil || node == nil || len(node.UUID) != 36 || body["uuid"] != node.UUID {
		t.Fatalf("node %v, body %v, err %v", node, body, err)
	}
	if _, err := p.Enroll(context.Background(), body, NodeWork{}); StatusCode(errors.Unwrap(err)) != 409 {
		t.Fatalf("second create of %s: %v", node.UUID, err)
	}
	if len(f.nodes) != 1 {
		t.Fatalf("%d nodes", len(f.nodes))
	}
}

func TestUpdateNode(t *testing.T) {
	ops := NodeUpdateOpts([]PatchOp{{Op: OpAdd, Path: "/description", Value: "x"}})
	for _, c := range []struct {
		name  string
		fail  string
		calls string
		node  bool
		step  NodeStep
	}{
		{name: "patched, traits set, read again", calls: "PATCH /nodes/n1, PUT /nodes/n1/traits", node: true, step: -1},
		{name: "patch refused: nothing else", fail: "PATCH /nodes/n1", calls: "PATCH /nodes/n1", step: StepPatch},
		{name: "traits refused", fail: "PUT /nodes/n1/traits", calls: "PATCH /nodes/n1, PUT /nodes/n1/traits", node: true, step: StepTraits},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, p := newFakeNodeAPI(t, fakeNodeIn("n1", "manageable"))
			if c.fail != "" {
				f.fail[c.fail] = 400
			}
			node, err := p.UpdateNode(context.Background(), "n1", ops, false,
				NodeWork{SetTraits: true, Traits: []string{"CUSTOM_A"}, Goal: NodeGoal{Goal: Goal{State: "manageable"}}})
			if (node != nil) != c.node || f.requests(false) != c.calls {
				t.Fatalf("node %v, calls %s, err %v", node, f.requests(false), err)
			}
			steps := StepErrors(err)
			if c.step < 0 {
				if err != nil {
					t.Fatal(err)
				}
				if f.nodes["n1"]["description"] != "x" || node.Traits == nil {
					t.Fatalf("node %+v", node)
				}
				return
			}
			if len(steps) != 1 || steps[0].Step != c.step || steps[0].NodeID != "n1" {
				t.Fatalf("steps %v (%v)", steps, err)
			}
		})
	}
}

func TestChooseUUID(t *testing.T) {
	given := map[string]any{"uuid": "11111111-1111-4111-8111-111111111111"}
	if chooseUUID(given) != "11111111-1111-4111-8111-111111111111" {
		t.Fatal("the caller's UUID was replaced")
	}
	body := PortCreate{"address": "52:54:00:00:00:01"}
	uuid := chooseUUID(body)
	if len(uuid) != 36 || body["uuid"] != uuid {
		t.Fatalf("chose %q, body %v", uuid, body)
	}
	if other := chooseUUID(map[string]any{}); other == uuid {
		t.Fatal("two creates, one UUID")
	}
}

// A hardware change applied by manual cleaning ends with the machine powered off, as
// Ironic leaves it: the power the goal asks for is set again, so the node ends as
// planned (not "inconsistent result after apply"). Without a power goal it stays off.
func TestUpdateNodePowersAgainAfterCleaning(t *testing.T) {
	for _, c := range []struct {
		power, calls, ends string
	}{
		{PowerOn, "PUT /nodes/n1/states/provision clean, PUT /nodes/n1/states/power power on", PowerOn},
		{"", "PUT /nodes/n1/states/provision clean", PowerOff},
	} {
		n := fakeNodeIn("n1", "manageable")
		n["power_state"] = PowerOn
		f, p := newFakeNodeAPI(t, n)
		node, err := p.UpdateNode(context.Background(), "n1", nil, false, NodeWork{
			Hardware: HardwareChange{BIOS: map[string]string{"LogicalProc": "Disabled"}},
			Goal:     NodeGoal{Goal: Goal{State: "manageable"}, PowerState: c.power}})
		if err != nil || node.PowerState != c.ends || node.ProvisionState != "manageable" {
			t.Fatalf("power goal %q: node %v, err %v", c.power, node, err)
		}
		if got := f.requests(false); !strings.HasSuffix(got, c.calls) || strings.Contains(strings.TrimSuffix(got, c.calls), "power") {
			t.Fatalf("power goal %q: calls %s", c.power, got)
		}
	}
}

// A new node is moved from the create's answer: no read between the create and the first
// provision request, and each request's wait reads the node once it settled (the fake
// settles at once). Like fake power, it reports no power state when it is available, so
// it is powered off.
func TestEnrollMovesTheCreatedNodeWithoutReadingIt(t *testing.T) {
	f, p := newFakeNodeAPI(t)
	node, err := p.Enroll(context.Background(), NodeCreate{"uuid": "n1", "driver": "fake-hardware"},
		NodeWork{Goal: NodeGoal{Goal: Goal{State: StateAvailable}, PowerState: PowerOff}})
	if err != nil || node.ProvisionState != StateAvailable {
		t.Fatalf("got %v, %v", node, err)
	}
	want := "POST /nodes, PUT /nodes/n1/states/provision manage, GET /nodes/n1, PUT /nodes/n1/states/provision provide, GET /nodes/n1, " +
		"PUT /nodes/n1/states/power power off, GET /nodes/n1"
	if got := f.requests(true); got != want {
		t.Fatalf("requests\n %s\nwant\n %s", got, want)
	}
}
