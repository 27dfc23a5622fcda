package ironic

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

func TestNext(t *testing.T) {
	none := map[nodes.TargetProvisionState]bool{}
	cases := []struct {
		cur    string
		goal   Goal
		done   map[nodes.TargetProvisionState]bool
		action nodes.TargetProvisionState // "" means goal reached
		err    string
	}{
		{"enroll", Goal{State: "enroll"}, none, "", ""},
		{"enroll", Goal{State: "available"}, none, nodes.TargetManage, ""},
		{"manageable", Goal{State: "available"}, none, nodes.TargetProvide, ""},
		{"manageable", Goal{State: "manageable"}, none, "", ""},
		{"manageable", Goal{State: "available", Inspect: true}, none, nodes.TargetInspect, ""},
		{"manageable", Goal{State: "available", Inspect: true}, map[nodes.TargetProvisionState]bool{nodes.TargetInspect: true}, nodes.TargetProvide, ""},
		{"manageable", Goal{State: "manageable", CleanSteps: []nodes.CleanStep{{Interface: "deploy", Step: "erase_devices"}}}, none, nodes.TargetClean, ""},
		{"manageable", Goal{State: "enroll"}, none, "", "cannot return to enroll"},
		{"available", Goal{State: "active"}, none, nodes.TargetActive, ""},
		{"available", Goal{State: "manageable"}, none, nodes.TargetManage, ""},
		{"active", Goal{State: "active"}, none, "", ""},
		{"active", Goal{State: "active", Rebuild: true}, none, nodes.TargetRebuild, ""},
		{"active", Goal{State: "active", Rebuild: true}, map[nodes.TargetProvisionState]bool{nodes.TargetRebuild: true}, "", ""},
		{"active", Goal{State: "available"}, none, nodes.TargetDeleted, ""},
		{"active", Goal{State: "manageable"}, none, nodes.TargetDeleted, ""},
		{"deploy failed", Goal{State: "active"}, none, nodes.TargetActive, ""},
		{"deploy failed", Goal{State: "available"}, none, nodes.TargetDeleted, ""},
		{"clean failed", Goal{State: "available"}, none, nodes.TargetManage, ""},
		{"inspect failed", Goal{State: "manageable"}, none, nodes.TargetManage, ""},
		{"error", Goal{State: "available"}, none, nodes.TargetDeleted, ""},
		{"clean hold", Goal{State: "available"}, none, "", "does not move nodes out of state"},
		// Rescued nodes are held: never unrescued; a teardown goes straight to deleted.
		{"rescue", Goal{State: "active"}, none, "", "held in rescue"},
		{"rescue failed", Goal{State: "active"}, none, "", "held in rescue"},
		{"unrescue failed", Goal{State: "active"}, none, "", "held in rescue"},
		{"rescue", Goal{State: "available"}, none, nodes.TargetDeleted, ""},
		{"rescue failed", Goal{State: "manageable"}, none, nodes.TargetDeleted, ""},
		{"unrescue failed", Goal{State: "available"}, none, nodes.TargetDeleted, ""},
	}
	for _, c := range cases {
		st, ok, err := next(c.cur, c.goal, c.done)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s -> %+v: err %v, want %q", c.cur, c.goal, err, c.err)
			}
			continue
		}
		if err != nil || ok != (c.action != "") || st.action != c.action {
			t.Errorf("%s -> %+v: got %q %v %v, want %q", c.cur, c.goal, st.action, ok, err, c.action)
		}
	}
}

// fakeStateMachine is an Ironic API answering node GETs and provision requests, with
// each action's path through transitional states scripted by the test.
type fakeStateMachine struct {
	mu        sync.Mutex
	state     string
	target    string
	lastErr   string
	pending   []fakeStep // states the next GETs return, in order
	actions   []string
	bodies    []string // the provision requests' bodies, in order
	script    map[string][]fakeStep
	bad       int  // the next GETs that a proxy answers with 502
	dropped   bool // no conductor holds the node (Ironic lost the work)
	protected bool
	retired   bool // the node is retired
	// instanceInfo is the node's instance_info (JSON; "" for none), replaced by a
	// PATCH of /instance_info, whose bodies patches records.
	instanceInfo string
	patches      []string
	// failFault: a failed clean or servicing puts the node in maintenance with this
	// fault, as Ironic does for a failed step ("": no maintenance).
	failFault   string
	maintenance bool
	// held is how many more GETs of the node at rest still show the reservation of the
	// conductor that moved it (it saved the state and has not released its lock yet).
	held int
	// events records the provision requests ("PUT <target>") and reads ("GET") in order;
	// a test's clock may add its waits to it (eventClock).
	events []string
}

// eventClock records a wait in f.events (and returns at once).
type eventClock struct{ f *fakeStateMachine }

func (c eventClock) Sleep(ctx context.Context, d time.Duration) error {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.events = append(c.f.events, "wait")
	return ctx.Err()
}

type fakeStep struct{ state, target, lastErr string }

func (f *fakeStateMachine) handler(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.URL.Path == "/":
		w.Write([]byte(versionDoc))
	case r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/states/provision"):
		raw, _ := io.ReadAll(r.Body)
		var body struct{ Target string }
		json.Unmarshal(raw, &body)
		f.actions = append(f.actions, body.Target)
		f.bodies = append(f.bodies, string(raw))
		f.events = append(f.events, "PUT "+body.Target)
		steps, ok := f.script[f.state+"/"+body.Target]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error_message": "{\"faultstring\": \"The requested action \\\"%s\\\" can not be performed on node in state \\\"%s\\\".\"}"}`, body.Target, f.state)
			return
		}
		f.pending = append([]fakeStep(nil), steps...)
		f.advance()
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPatch:
		raw, _ := io.ReadAll(r.Body)
		f.patches = append(f.patches, string(raw))
		var ops []struct {
			Path  string
			Value json.RawMessage
		}
		json.Unmarshal(raw, &ops)
		for _, op := range ops {
			if op.Path == "/instance_info" {
				f.instanceInfo = string(op.Value)
			}
		}
		fmt.Fprintf(w, `{"uuid": "n1", "provision_state": %q, "instance_info": %s}`, f.state, cmp.Or(f.instanceInfo, "null"))
	case r.Method == http.MethodGet && f.bad > 0:
		f.bad--
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html>502 Bad Gateway</html>"))
	case r.Method == http.MethodGet:
		reservation := "" // a conductor holds the node while it works on it, unless the test drops it
		if !IsStable(f.state) && !f.dropped {
			reservation = "conductor-1"
		}
		if IsStable(f.state) && f.held > 0 {
			reservation = "conductor-1"
			f.held--
		}
		f.events = append(f.events, "GET")
		maintenance := ""
		if f.maintenance {
			maintenance = fmt.Sprintf(`, "maintenance": true, "fault": %q`, f.failFault)
		}
		fmt.Fprintf(w, `{"uuid": "n1", "provision_state": %q, "target_provision_state": %s, "last_error": %q, "reservation": %s, "protected": %t, "retired": %t, "instance_info": %s%s}`,
			f.state, nullable(f.target), f.lastErr, nullable(reservation), f.protected, f.retired, cmp.Or(f.instanceInfo, "null"), maintenance)
		f.advance()
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeStateMachine) advance() {
	if len(f.pending) == 0 {
		return
	}
	s := f.pending[0]
	f.pending = f.pending[1:]
	f.state, f.target, f.lastErr = s.state, s.target, s.lastErr
	if f.failFault != "" && (s.state == "clean failed" || s.state == "service failed") {
		f.maintenance = true
	}
}

func nullable(s string) string {
	if s == "" {
		return "null"
	}
	return fmt.Sprintf("%q", s)
}

func newFakeClient(t *testing.T, f *fakeStateMachine) (*Client, *backoff.Recorder) {
	srv := httptest.NewServer(http.HandlerFunc(f.handler))
	t.Cleanup(srv.Close)
	p, err := Connect(context.Background(), Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c := &backoff.Recorder{}
	p.clock = c
	return p, c
}

var lifecycle = map[string][]fakeStep{
	"enroll/manage":      {{"verifying", "manageable", ""}, {"verifying", "manageable", ""}, {"manageable", "", ""}},
	"manageable/provide": {{"cleaning", "available", ""}, {"available", "", ""}},
	"available/active":   {{"deploying", "active", ""}, {"wait call-back", "active", ""}, {"deploying", "active", ""}, {"active", "", ""}},
	"active/deleted":     {{"deleting", "available", ""}, {"cleaning", "available", ""}, {"available", "", ""}},
	"active/rebuild":     {{"deploying", "active", ""}, {"active", "", ""}},
	"available/manage":   {{"manageable", "", ""}},
}

func TestReachWalksTheStateMachine(t *testing.T) {
	cases := []struct {
		from    string
		goal    Goal
		actions string
	}{
		{"enroll", Goal{State: "active"}, "manage provide active"},
		{"active", Goal{State: "manageable"}, "deleted manage"},
		{"active", Goal{State: "active", Rebuild: true}, "rebuild"},
		{"available", Goal{State: "available"}, ""},
	}
	for _, c := range cases {
		f := &fakeStateMachine{state: c.from, script: lifecycle}
		p, clk := newFakeClient(t, f)
		node, err := p.Reach(context.Background(), "n1", c.goal)
		if err != nil {
			t.Fatalf("%s -> %s: %v", c.from, c.goal.State, err)
		}
		if node.ProvisionState != c.goal.State || strings.Join(f.actions, " ") != c.actions {
			t.Fatalf("%s -> %s: ended %q after %v, want actions %q", c.from, c.goal.State, node.ProvisionState, f.actions, c.actions)
		}
		for _, d := range clk.Sleeps() {
			if d > DefaultPoll.Max {
				t.Fatalf("slept %v", d)
			}
		}
	}
}

func TestReachReportsLastErrorAndRecovers(t *testing.T) {
	script := map[string][]fakeStep{
		"available/active":     {{"deploying", "active", ""}, {"deploy failed", "", "Failed to prepare to deploy: no API URL"}},
		"deploy failed/active": {{"deploying", "active", ""}, {"active", "", ""}},
	}
	f := &fakeStateMachine{state: "available", script: script}
	p, _ := newFakeClient(t, f)
	_, err := p.Reach(context.Background(), "n1", Goal{State: "active"})
	var pe *ProvisionError
	if !errors.As(err, &pe) || pe.State != "deploy failed" || pe.Action != "active" || !strings.Contains(err.Error(), "no API URL") || !strings.Contains(err.Error(), "n1") {
		t.Fatalf("want a ProvisionError with last_error, got %v", err)
	}
	// A later apply starts from deploy failed and retries the deploy.
	node, err := p.Reach(context.Background(), "n1", Goal{State: "active"})
	if err != nil || node.ProvisionState != "active" {
		t.Fatalf("recovery: %v", err)
	}
}

func TestReachManageFailureFallsBackToEnroll(t *testing.T) {
	script := map[string][]fakeStep{"enroll/manage": {{"verifying", "manageable", ""}, {"enroll", "", "Failed to get power state: BMC unreachable"}}}
	f := &fakeStateMachine{state: "enroll", script: script}
	p, _ := newFakeClient(t, f)
	_, err := p.Reach(context.Background(), "n1", Goal{State: "available"})
	if err == nil || !strings.Contains(err.Error(), `stopped in state "enroll": Failed to get power state`) {
		t.Fatalf("got %v", err)
	}
}

func TestReachRefusedActionCarriesIronicsMessage(t *testing.T) {
	f := &fakeStateMachine{state: "available", script: map[string][]fakeStep{}}
	p, _ := newFakeClient(t, f)
	_, err := p.Reach(context.Background(), "n1", Goal{State: "active"})
	if err == nil || !strings.Contains(err.Error(), "can not be performed") || !strings.Contains(err.Error(), "HTTP 400") {
		t.Fatalf("got %v", err)
	}
}

func TestReachTimeoutNamesTheState(t *testing.T) {
	script := map[string][]fakeStep{"available/active": {{"wait call-back", "active", ""}}}
	f := &fakeStateMachine{state: "available", script: script}
	p, _ := newFakeClient(t, f)
	p.clock = backoff.Clock{}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := p.Reach(ctx, "n1", Goal{State: "active"})
	if err == nil || !strings.Contains(err.Error(), `still "wait call-back"`) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
}

func TestReachLeavesWaitCallBack(t *testing.T) {
	script := map[string][]fakeStep{
		"wait call-back/deleted": {{"deleting", "available", ""}, {"available", "", ""}},
		"available/manage":       {{"manageable", "", ""}},
	}
	f := &fakeStateMachine{state: "wait call-back", target: "active", script: script}
	p, _ := newFakeClient(t, f)
	node, err := p.Reach(context.Background(), "n1", Goal{State: "manageable"})
	if err != nil || node.ProvisionState != "manageable" || strings.Join(f.actions, " ") != "deleted manage" {
		t.Fatalf("got %v after %v", err, f.actions)
	}
}

func TestFailedStatesSettleDespiteTheirTarget(t *testing.T) {
	script := map[string][]fakeStep{"available/active": {{"deploying", "active", ""}, {"deploy failed", "active", "boom"}}}
	f := &fakeStateMachine{state: "available", script: script}
	p, _ := newFakeClient(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := p.Reach(ctx, "n1", Goal{State: "active"})
	if err == nil || !strings.Contains(err.Error(), `stopped in state "deploy failed": boom`) {
		t.Fatalf("got %v", err)
	}
}

// A clean (or inspection) under way is waited on, never aborted and restarted, whatever
// the goal: it ends in a state from where the goal is reached.
func TestReachWaitsOnACleanUnderWay(t *testing.T) {
	for _, goal := range []string{"available", "manageable"} {
		f := &fakeStateMachine{state: "clean wait", target: "available", script: map[string][]fakeStep{"available/manage": {{"manageable", "", ""}}}}
		f.pending = []fakeStep{{"clean wait", "available", ""}, {"cleaning", "available", ""}, {"available", "", ""}}
		p, _ := newFakeClient(t, f)
		node, err := p.Reach(context.Background(), "n1", Goal{State: goal})
		want := map[string]string{"available": "", "manageable": "manage"}[goal]
		if err != nil || node.ProvisionState != goal || strings.Join(f.actions, " ") != want {
			t.Fatalf("goal %s: %v, ended %v after actions %v (want %q: no abort)", goal, err, node, f.actions, want)
		}
	}
}

// Polls ride out a proxy's 502s, even with no client retries, until Ironic says more.
func TestPollRidesOutTransientErrors(t *testing.T) {
	f := &fakeStateMachine{state: "available", script: lifecycle, bad: 0}
	p, _ := newFakeClient(t, f)
	f.mu.Lock()
	f.script = map[string][]fakeStep{"available/active": {{"deploying", "active", ""}, {"wait call-back", "active", ""}, {"active", "", ""}}}
	f.mu.Unlock()
	// The deploy request passes; the polls after it meet five 502s in a row.
	go func() {
		for {
			f.mu.Lock()
			if len(f.actions) > 0 {
				f.bad = 5
				f.mu.Unlock()
				return
			}
			f.mu.Unlock()
			time.Sleep(time.Millisecond)
		}
	}()
	node, err := p.Reach(context.Background(), "n1", Goal{State: "active"})
	if err != nil || node.ProvisionState != "active" {
		t.Fatalf("a 502 ended the wait: %v", err)
	}
	// At the deadline, the last transient answer is named.
	f2 := &fakeStateMachine{state: "deploying", target: "active", bad: 1 << 20}
	p2, _ := newFakeClient(t, f2)
	p2.clock = backoff.Clock{}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := p2.WaitStable(ctx, "n1"); err == nil || !strings.Contains(err.Error(), "the last answer while waiting") || !strings.Contains(err.Error(), "502") {
		t.Fatalf("got %v", err)
	}
}

// A node Ironic holds waits for an operator: the wait ends at once, saying how to release it.
func TestHoldEndsTheWait(t *testing.T) {
	f := &fakeStateMachine{state: "deploy hold", target: "active"}
	p, _ := newFakeClient(t, f)
	_, err := p.Reach(context.Background(), "n1", Goal{State: "active"})
	var he *HoldError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "baremetal node unhold n1") {
		t.Fatalf("got %v", err)
	}
}

// A provision state the provider does not know counts as deployed: kept, left alone.
func TestUnknownStatesCountAsDeployed(t *testing.T) {
	if !IsDeployed("unholding") || IsKnownState("unholding") || IsDeployed("available") || !IsKnownState("service wait") {
		t.Fatal("unknown states must count as deployed, known ones as they are")
	}
}

// What a deployment's read warns about: a hold names its end (unhold), servicing says
// Ironic works on the machine, a failed servicing carries last_error; active is quiet.
func TestHeldOrServiced(t *testing.T) {
	for state, want := range map[string]string{
		"service hold":   "unhold",
		"servicing":      "runs service steps",
		"service wait":   "runs service steps",
		"service failed": "burn-in failed",
		"rescue":         "no apply unrescues it",
		"rescue wait":    "no apply unrescues it",
		"rescue failed":  "burn-in failed",
		"unrescuing":     "returns to active by itself",
		"active":         "",
	} {
		got := HeldOrServiced(&nodes.Node{UUID: "n1", ProvisionState: state, TargetProvisionState: "active", LastError: "burn-in failed"})
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: %q, want it to say %q", state, got, want)
		}
	}
	// A failed servicing is kept by the deployment: the note says what ends it.
	if got := HeldOrServiced(&nodes.Node{UUID: "n1", ProvisionState: "service failed"}); !strings.Contains(got, "next hardware change") ||
		!strings.Contains(got, "baremetal node abort n1") {
		t.Errorf("service failed: %q, want it to say how it ends", got)
	}
}

// A node left cleaning with no conductor holding it (Ironic failed to save its work, as
// sqlite's "database is locked" makes it) ends the wait after nodeStall with Ironic's
// last_error, not at the timeout. (A node a conductor holds is waited on: the other tests.)
// Ironic records the target of a provision request before it answers it, so the first
// read after the request waits a poll interval: a read at once would only see the node
// under way (a thousand of them at once are a load on Ironic).
func TestTransitionReadsAfterAWait(t *testing.T) {
	f := &fakeStateMachine{state: "enroll", script: map[string][]fakeStep{"enroll/manage": {{"manageable", "", ""}}}}
	p, _ := newFakeClient(t, f)
	p.clock = eventClock{f}
	if _, err := p.Reach(context.Background(), "n1", Goal{State: "manageable"}); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.events, ", "), "GET, PUT manage, wait, GET"; got != want {
		t.Fatalf("events %q, want %q", got, want)
	}
}

// A node at rest whose conductor has not yet released it is waited on until it does: the
// next request would find it locked, and Ironic's conductor tries a locked node again
// only after a second. A reservation that outlasts releaseGrace (another task took the
// node) no longer holds the wait up.
func TestWaitStableWaitsForTheConductorToReleaseTheNode(t *testing.T) {
	f := &fakeStateMachine{state: "manageable", held: 2}
	p, _ := newFakeClient(t, f)
	node, err := p.WaitStable(context.Background(), "n1")
	if err != nil || node.Reservation != "" || f.held != 0 {
		t.Fatalf("ended with reservation %q (%d reads left held), err %v", node.Reservation, f.held, err)
	}
	f = &fakeStateMachine{state: "manageable", held: 1 << 30}
	p, clk := newFakeClient(t, f)
	node, err = p.WaitStable(context.Background(), "n1")
	if err != nil || node.ProvisionState != "manageable" {
		t.Fatalf("got %v, %v", node, err)
	}
	var slept time.Duration
	for _, d := range clk.Sleeps() {
		slept += d
	}
	if slept < releaseGrace || slept > releaseGrace+DefaultPoll.Max {
		t.Fatalf("gave up on the reservation after %v of waiting, want %v", slept, releaseGrace)
	}
}

func TestWaitEndsOnADroppedNode(t *testing.T) {
	f := &fakeStateMachine{state: "cleaning", target: "manageable", dropped: true,
		lastErr: "Async execution of do_node_clean failed with error: database is locked"}
	p, clk := newFakeClient(t, f)
	_, err := p.WaitStable(context.Background(), "n1")
	var se *StalledError
	if !errors.As(err, &se) || se.State != "cleaning" || !strings.Contains(err.Error(), "database is locked") || !strings.Contains(err.Error(), "conductor restarts") {
		t.Fatalf("got %v", err)
	}
	var slept time.Duration
	for _, d := range clk.Sleeps() {
		slept += d
	}
	if slept < nodeStall || slept > nodeStall+DefaultPoll.Max {
		t.Fatalf("gave up after %v of waiting, want %v", slept, nodeStall)
	}
}

// A rescued node (an operator's or an action's) is held: a goal of active never
// unrescues it (nothing is sent), and a teardown goes straight to Ironic's deleted.
func TestReachHoldsRescuedNodes(t *testing.T) {
	script := map[string][]fakeStep{
		"rescue/deleted":          {{"deleting", "available", ""}, {"cleaning", "available", ""}, {"available", "", ""}},
		"rescue wait/deleted":     {{"deleting", "available", ""}, {"available", "", ""}},
		"unrescue failed/deleted": {{"deleting", "available", ""}, {"available", "", ""}},
	}
	for _, c := range []struct {
		from, goal, actions string
		held                bool
	}{
		{"rescue", "active", "", true},
		{"rescue wait", "active", "", true},
		{"rescue failed", "active", "", true},
		{"rescue", "available", "deleted", false},
		{"rescue wait", "available", "deleted", false},
		{"unrescue failed", "available", "deleted", false},
	} {
		f := &fakeStateMachine{state: c.from, script: script}
		if c.from == "rescue wait" {
			f.target = "rescue"
		}
		p, _ := newFakeClient(t, f)
		node, err := p.Reach(context.Background(), "n1", Goal{State: c.goal})
		var held *RescueHeldError
		if got := strings.Join(f.actions, " "); got != c.actions || errors.As(err, &held) != c.held {
			t.Errorf("%s -> %s: actions %q, err %v", c.from, c.goal, got, err)
			continue
		}
		if c.held && (held.NodeID != "n1" || held.State != c.from || !strings.Contains(err.Error(), "only an unrescue ends that")) {
			t.Errorf("%s -> %s: %+v", c.from, c.goal, held)
		}
		if !c.held && (err != nil || node.ProvisionState != c.goal) {
			t.Errorf("%s -> %s: ended %v, %v", c.from, c.goal, node, err)
		}
	}
}

// A retired node is taken out of service: Ironic ends its teardown's cleaning in
// manageable and provides it no more, so its goal of available is manageable: the
// undeploy ends there (or is managed there when cleaning is skipped), never provided.
func TestReachRetiredNodeRestsInManageable(t *testing.T) {
	cleaned := map[string][]fakeStep{
		"active/deleted":   {{"deleting", "available", ""}, {"cleaning", "available", ""}, {"manageable", "", ""}},
		"available/manage": {{"manageable", "", ""}},
	}
	notCleaned := map[string][]fakeStep{
		"active/deleted":   {{"deleting", "available", ""}, {"available", "", ""}},
		"available/manage": {{"manageable", "", ""}},
	}
	for _, c := range []struct {
		name, from, goal string
		script           map[string][]fakeStep
		actions          string
	}{
		{"undeployed and cleaned", "active", "available", cleaned, "deleted"},
		{"undeployed without cleaning", "active", "available", notCleaned, "deleted manage"},
		{"torn down to manageable", "active", "manageable", cleaned, "deleted"},
		{"at rest already", "manageable", "available", cleaned, ""},
		{"available, retired by hand", "available", "available", cleaned, "manage"},
	} {
		f := &fakeStateMachine{state: c.from, script: c.script, retired: true}
		p, _ := newFakeClient(t, f)
		node, err := p.Reach(context.Background(), "n1", Goal{State: c.goal})
		if err != nil || node.ProvisionState != "manageable" || strings.Join(f.actions, " ") != c.actions {
			t.Errorf("%s: ended %v after %v (%v), want manageable after %q", c.name, node, f.actions, err, c.actions)
		}
	}
}

// A power request is read back after a poll interval too: Ironic sets the target power
// state before it answers.
func TestSetPowerReadsAfterAWait(t *testing.T) {
	f, p := newFakeNodeAPI(t, fakeNodeIn("n1", "available"))
	p.clock = callClock{f}
	if _, err := p.SetPower(context.Background(), "n1", PowerOff); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.calls, ", "), "PUT /nodes/n1/states/power power off, wait, GET /nodes/n1"; got != want {
		t.Fatalf("calls %q, want %q", got, want)
	}
}

// The power wait, too, ends once the conductor released the node: a port create right
// after it takes the node's lock.
func TestSetPowerWaitsForTheConductorToReleaseTheNode(t *testing.T) {
	f, p := newFakeNodeAPI(t, fakeNodeIn("n1", "available"))
	f.held = 2
	node, err := p.SetPower(context.Background(), "n1", PowerOff)
	if err != nil || node.Reservation != "" || f.held != 0 {
		t.Fatalf("ended with reservation %q (%d reads left held), err %v", node.Reservation, f.held, err)
	}
}

// callClock records a wait among a fakeNodeAPI's calls (and returns at once).
type callClock struct{ f *fakeNodeAPI }

func (c callClock) Sleep(ctx context.Context, d time.Duration) error {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.calls = append(c.f.calls, "wait")
	return ctx.Err()
}
