package ironic

import (
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

// operations is how Ironic walks the operations' transitions in these tests.
var operations = map[string][]fakeStep{
	"available/manage":       {{"manageable", "", ""}},
	"manageable/provide":     {{"cleaning", "available", ""}, {"available", "", ""}},
	"manageable/inspect":     {{"inspecting", "manageable", ""}, {"inspect wait", "manageable", ""}, {"manageable", "", ""}},
	"inspect failed/inspect": {{"inspecting", "manageable", ""}, {"manageable", "", ""}},
	"manageable/clean":       {{"cleaning", "manageable", ""}, {"clean wait", "manageable", ""}, {"manageable", "", ""}},
	"active/rescue":          {{"rescuing", "rescue", ""}, {"rescue wait", "rescue", ""}, {"rescue", "", ""}},
	"rescue/unrescue":        {{"unrescuing", "active", ""}, {"active", "", ""}},
	"active/service":         {{"servicing", "active", ""}, {"service wait", "active", ""}, {"active", "", ""}},
	"active/rebuild":         {{"deploying", "active", ""}, {"wait call-back", "active", ""}, {"active", "", ""}},
	"error/rebuild":          {{"deploying", "active", ""}, {"active", "", ""}},
}

func TestOperationsWalkAndComeBack(t *testing.T) {
	steps := []nodes.CleanStep{{Interface: "deploy", Step: "erase_devices_metadata"}}
	cases := []struct {
		name, from string
		run        func(*Client) (*nodes.Node, error)
		actions    string
		ends       string
		body       string // in the last provision request
	}{
		{"inspect at rest", "manageable", func(c *Client) (*nodes.Node, error) { return c.Inspect(ctx, "n1") }, "inspect", "manageable", ""},
		{"inspect available", "available", func(c *Client) (*nodes.Node, error) { return c.Inspect(ctx, "n1") }, "manage inspect provide", "available", ""},
		{"inspect again", "inspect failed", func(c *Client) (*nodes.Node, error) { return c.Inspect(ctx, "n1") }, "inspect", "manageable", ""},
		{"clean manageable", "manageable", func(c *Client) (*nodes.Node, error) { return c.CleanAtRest(ctx, "n1", steps, "") }, "clean", "manageable", `"erase_devices_metadata"`},
		{"clean available", "available", func(c *Client) (*nodes.Node, error) { return c.CleanAtRest(ctx, "n1", steps, "") }, "manage clean provide", "available", `"provide"`},
		{"clean by runbook", "manageable", func(c *Client) (*nodes.Node, error) { return c.CleanAtRest(ctx, "n1", nil, "rb1") }, "clean", "manageable", `"runbook":"rb1"`},
		{"rescue", "active", func(c *Client) (*nodes.Node, error) { return c.Rescue(ctx, "n1", "s3cret") }, "rescue", "rescue", `"rescue_password":"s3cret"`},
		{"unrescue", "rescue", func(c *Client) (*nodes.Node, error) { return c.Unrescue(ctx, "n1") }, "unrescue", "active", ""},
		{"unrescue active", "active", func(c *Client) (*nodes.Node, error) { return c.Unrescue(ctx, "n1") }, "", "active", ""},
		{"service", "active", func(c *Client) (*nodes.Node, error) {
			return c.Service(ctx, "n1", []nodes.ServiceStep{{Interface: "bios", Step: "apply_configuration"}}, "")
		}, "service", "active", `"service_steps"`},
		{"rebuild", "active", func(c *Client) (*nodes.Node, error) { return c.Rebuild(ctx, "n1", "drive") }, "rebuild", "active", `"configdrive":"drive"`},
		{"rebuild from error", "error", func(c *Client) (*nodes.Node, error) { return c.Rebuild(ctx, "n1", nil) }, "rebuild", "active", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeStateMachine{state: c.from, script: operations}
			p, _ := newFakeClient(t, f)
			node, err := c.run(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(f.actions, " "); got != c.actions || node.ProvisionState != c.ends {
				t.Fatalf("actions %q ending %q, want %q ending %q", got, node.ProvisionState, c.actions, c.ends)
			}
			if c.body != "" && !strings.Contains(f.bodies[len(f.bodies)-1], c.body) {
				t.Fatalf("last request %s lacks %s", f.bodies[len(f.bodies)-1], c.body)
			}
		})
	}
}

var ctx = context.Background()

// An operation tells, as soon as Ironic accepts it, where the node was and what was
// asked, even when the change ends before the wait's first read.
func TestOperationSaysWhatIronicAccepted(t *testing.T) {
	f := &fakeStateMachine{state: "rescue", script: map[string][]fakeStep{"rescue/unrescue": {{"active", "", ""}}}}
	p, _ := newFakeClient(t, f)
	var lines []string
	if _, err := p.WithProgress(func(l string) { lines = append(lines, l) }).Unrescue(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 || lines[0] != `node n1: provision state "rescue"; Ironic accepted "unrescue"` {
		t.Fatalf("progress %q", lines)
	}
}

func TestOperationsRefuseBeforeSendingAnything(t *testing.T) {
	cases := []struct {
		name, from string
		protected  bool
		run        func(*Client) (*nodes.Node, error)
		want       string
	}{
		{"inspect a deployed node", "active", false, func(c *Client) (*nodes.Node, error) { return c.Inspect(ctx, "n1") },
			`node n1 is "active": inspect starts from "manageable", "available" or "inspect failed"; nothing was changed`},
		{"clean a deployed node", "active", false, func(c *Client) (*nodes.Node, error) { return c.CleanAtRest(ctx, "n1", nil, "rb") }, `clean starts from`},
		{"rescue an available node", "available", false, func(c *Client) (*nodes.Node, error) { return c.Rescue(ctx, "n1", "pw") }, `rescue starts from "active"`},
		{"service an available node", "available", false, func(c *Client) (*nodes.Node, error) { return c.Service(ctx, "n1", nil, "rb") }, `service starts from "active"`},
		{"rebuild an available node", "available", false, func(c *Client) (*nodes.Node, error) { return c.Rebuild(ctx, "n1", nil) }, `rebuild starts from`},
		{"rebuild a protected node", "active", true, func(c *Client) (*nodes.Node, error) { return c.Rebuild(ctx, "n1", nil) },
			"node n1 is protected: Ironic refuses to rebuild it; nothing was changed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeStateMachine{state: c.from, script: operations, protected: c.protected}
			p, _ := newFakeClient(t, f)
			node, err := c.run(p)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if len(f.actions) > 0 || node.ProvisionState != c.from {
				t.Fatalf("sent %v, node %q", f.actions, node.ProvisionState)
			}
		})
	}
}

// A failed operation leaves the node where Ironic put it: nothing more is sent.
func TestOperationFailureLeavesTheNodeWithLastError(t *testing.T) {
	script := map[string][]fakeStep{
		"available/manage": {{"manageable", "", ""}},
		"manageable/clean": {{"cleaning", "manageable", ""}, {"clean failed", "", "Agent returned error for clean step erase_devices_metadata"}},
	}
	f := &fakeStateMachine{state: "available", script: script}
	p, _ := newFakeClient(t, f)
	node, err := p.CleanAtRest(ctx, "n1", []nodes.CleanStep{{Interface: "deploy", Step: "erase_devices_metadata"}}, "")
	var pe *ProvisionError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "Agent returned error") || node.ProvisionState != "clean failed" {
		t.Fatalf("got %v, node %v", err, node)
	}
	if got := strings.Join(f.actions, " "); got != "manage clean" {
		t.Fatalf("actions %q: a failed clean must be left where Ironic put it", got)
	}
}

// fakePower is an Ironic node answering power requests: the conductor takes reads
// before it finishes, and refuse makes it end powered as it was, with a last_error.
type fakePower struct {
	mu      sync.Mutex
	power   string
	target  string
	reads   int // reads left before the target is reached
	refuse  string
	bodies  []string
	lastErr string
	// dropped: the conductor drops the request (target kept, no reservation) and
	// records this last_error ("-": none).
	dropped string
}

func (f *fakePower) handler(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.URL.Path == "/":
		w.Write([]byte(versionDoc))
	case r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/states/power"):
		raw, _ := io.ReadAll(r.Body)
		f.bodies = append(f.bodies, string(raw))
		var body struct{ Target string }
		json.Unmarshal(raw, &body)
		f.target, f.reads, f.lastErr = poweredBy(body.Target), 2, ""
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodGet:
		reservation := ""
		if f.target != "" && f.dropped != "" {
			if f.dropped != "-" {
				f.lastErr = f.dropped
			}
		} else if f.target != "" {
			reservation = "conductor-1"
			if f.reads--; f.reads < 0 {
				if f.refuse != "" {
					f.lastErr = f.refuse
				} else {
					f.power = f.target
				}
				f.target = ""
			}
		}
		fmt.Fprintf(w, `{"uuid": "n1", "name": "r1-07", "provision_state": "active", "power_state": %q, "target_power_state": %s, "last_error": %s, "reservation": %s}`,
			f.power, nullable(f.target), nullable(f.lastErr), nullable(reservation))
	default:
		http.NotFound(w, r)
	}
}

func newFakePower(t *testing.T, f *fakePower) *Client {
	srv := httptest.NewServer(http.HandlerFunc(f.handler))
	t.Cleanup(srv.Close)
	p, err := Connect(ctx, Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	p.clock = &backoff.Recorder{}
	return p
}

func TestPowerWaitsForTheTarget(t *testing.T) {
	for _, c := range []struct {
		target, from, ends string
		soft               time.Duration
		body               string
	}{
		{"power off", "power on", "power off", 0, `{"target":"power off"}`},
		{"rebooting", "power on", "power on", 0, `{"target":"rebooting"}`},
		{"soft power off", "power on", "power off", 90 * time.Second, `{"target":"soft power off","timeout":90}`},
		{"soft rebooting", "power on", "power on", 0, `{"target":"soft rebooting"}`},
	} {
		f := &fakePower{power: c.from}
		var lines []string
		p := newFakePower(t, f).WithProgress(func(l string) { lines = append(lines, l) })
		node, err := p.Power(ctx, "n1", c.target, c.soft)
		if err != nil || node.PowerState != c.ends || node.TargetPowerState != "" {
			t.Fatalf("%s: %v, node %+v", c.target, err, node)
		}
		if f.bodies[0] != c.body {
			t.Fatalf("%s: sent %s, want %s", c.target, f.bodies[0], c.body)
		}
		if len(lines) == 0 || !strings.Contains(lines[0], `node r1-07: provision state "active", `) {
			t.Fatalf("%s: progress %q", c.target, lines)
		}
	}
}

func TestPowerFailureCarriesLastError(t *testing.T) {
	f := &fakePower{power: "power on", refuse: "Failed to soft power off node: BMC timed out"}
	p := newFakePower(t, f)
	_, err := p.Power(ctx, "n1", "soft power off", 0)
	if err == nil || err.Error() != `node n1: "soft power off" ended in "power on" (Ironic's last_error: Failed to soft power off node: BMC timed out)` {
		t.Fatalf("got %v", err)
	}
	if _, err := p.Power(ctx, "n1", "power cycle", 0); err == nil || !strings.Contains(err.Error(), `"power cycle" is not a power target`) {
		t.Fatalf("got %v", err)
	}
}

// A power request Ironic dropped (its target kept with no conductor reserving the node,
// as sqlite's "database is locked" leaves it) ends the wait: at once with Ironic's
// last_error, else after nodeStall; never at the timeout. Both power waits share it.
func TestPowerWaitEndsOnADroppedRequest(t *testing.T) {
	const locked = "Async execution of node_power_action failed with error: (sqlite3.OperationalError) database is locked"
	for _, c := range []struct {
		dropped string
		wait    time.Duration
	}{{locked, 0}, {"-", nodeStall}} {
		for name, power := range map[string]func(p *Client) error{
			"Power":    func(p *Client) error { _, err := p.Power(ctx, "n1", "power off", 0); return err },
			"SetPower": func(p *Client) error { _, err := p.SetPower(ctx, "n1", "power off"); return err },
		} {
			f := &fakePower{power: "power on", dropped: c.dropped}
			p := newFakePower(t, f)
			err := power(p)
			var de *PowerDroppedError
			if !errors.As(err, &de) || de.Target != "power off" || !strings.Contains(err.Error(), "conductor restarts") ||
				(c.dropped == locked) != strings.Contains(err.Error(), "database is locked") {
				t.Fatalf("%s, %q: got %v", name, c.dropped, err)
			}
			var slept time.Duration
			for _, d := range p.clock.(*backoff.Recorder).Sleeps() {
				slept += d
			}
			if slept < c.wait || slept > c.wait+DefaultPoll.Max {
				t.Fatalf("%s, %q: gave up after %v of waiting, want %v", name, c.dropped, slept, c.wait)
			}
		}
	}
}

// Progress says each change of the node's states once, and an unchanged node again only
// every progressEvery.
func TestProgressReportsChangesAndAliveness(t *testing.T) {
	var lines []string
	node := &nodes.Node{UUID: "n1", ProvisionState: "clean wait", TargetProvisionState: "manageable", PowerState: "power on"}
	clk := Progress(func(l string) { lines = append(lines, l) }).watch(&backoff.Recorder{}, &node)
	for range 3 {
		clk.Sleep(ctx, 10*time.Second) // 0 s: said; 10 s, 20 s: same, too soon
	}
	clk.Sleep(ctx, time.Second) // 30 s: said again
	node = &nodes.Node{UUID: "n1", ProvisionState: "manageable", PowerState: "power off"}
	clk.Sleep(ctx, time.Second)
	want := []string{
		`node n1: provision state "clean wait" (target "manageable"), power on`,
		`node n1: provision state "clean wait" (target "manageable"), power on`,
		`node n1: provision state "manageable", power off`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s", strings.Join(lines, "\n"))
	}
}

// A node in maintenance (where a failed clean or deploy leaves it) is refused, before
// anything is sent, by the operations Ironic refuses there: a clean from "available" or
// "clean failed" is not moved to manageable first, for nothing. Inspection and power
// work in maintenance.
func TestOperationsRefuseANodeInMaintenance(t *testing.T) {
	cases := []struct {
		name, from string
		run        func(*Client) (*nodes.Node, error)
		action     string
	}{
		{"clean available", "available", func(c *Client) (*nodes.Node, error) { return c.CleanAtRest(ctx, "n1", nil, "rb") }, "clean"},
		{"clean after a failed clean", "clean failed", func(c *Client) (*nodes.Node, error) { return c.CleanAtRest(ctx, "n1", nil, "rb") }, "clean"},
		{"rescue", "active", func(c *Client) (*nodes.Node, error) { return c.Rescue(ctx, "n1", "pw") }, "rescue"},
		{"unrescue", "rescue", func(c *Client) (*nodes.Node, error) { return c.Unrescue(ctx, "n1") }, "unrescue"},
		{"service", "active", func(c *Client) (*nodes.Node, error) { return c.Service(ctx, "n1", nil, "rb") }, "service"},
		{"rebuild", "active", func(c *Client) (*nodes.Node, error) { return c.Rebuild(ctx, "n1", nil) }, "rebuild"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeStateMachine{state: c.from, script: operations}
			p := newFakeInMaintenance(t, f, "Clean step deploy.erase_devices_metadata failed")
			node, err := c.run(p)
			var me *InMaintenanceError
			want := fmt.Sprintf(`node n1 is in maintenance ("Clean step deploy.erase_devices_metadata failed"): Ironic refuses to %s a node in maintenance; nothing was changed`, c.action)
			if !errors.As(err, &me) || !strings.Contains(err.Error(), want) {
				t.Fatalf("got %v, want %q", err, want)
			}
			if len(f.actions) > 0 || node.ProvisionState != c.from {
				t.Fatalf("sent %v, node %q", f.actions, node.ProvisionState)
			}
		})
	}
	f := &fakeStateMachine{state: "available", script: operations}
	if node, err := newFakeInMaintenance(t, f, "").Inspect(ctx, "n1"); err != nil || node.ProvisionState != "available" {
		t.Fatalf("inspection in maintenance: %v, %v", node, err)
	}
}

// newFakeInMaintenance is a client of f whose node is in maintenance for reason.
func newFakeInMaintenance(t *testing.T, f *fakeStateMachine, reason string) *Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		f.handler(rec, r)
		body := rec.Body.String()
		if r.Method == http.MethodGet && strings.HasPrefix(body, `{"uuid"`) {
			body = fmt.Sprintf(`{"maintenance": true, "maintenance_reason": %q, `, reason) + body[1:]
		}
		w.WriteHeader(rec.Code)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	p, err := Connect(ctx, Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	p.clock = &backoff.Recorder{}
	return p
}

// A progress line says where the node is in Ironic's words; a power target of a node
// whose power state Ironic does not know yet reads as such, not as a second target of
// the provision state.
func TestDescribeNode(t *testing.T) {
	for _, c := range []struct {
		node nodes.Node
		want string
	}{
		{nodes.Node{UUID: "n1", Name: "r1-07", ProvisionState: "active", PowerState: "power on"}, `node r1-07: provision state "active", power on`},
		{nodes.Node{UUID: "n1", ProvisionState: "cleaning", TargetProvisionState: "manageable", TargetPowerState: "power on"},
			`node n1: provision state "cleaning" (target "manageable"), power state unknown (target "power on")`},
		{nodes.Node{UUID: "n1", ProvisionState: "deploying", TargetProvisionState: "active", PowerState: "power off", TargetPowerState: "power on"},
			`node n1: provision state "deploying" (target "active"), power off (target "power on")`},
		{nodes.Node{UUID: "n1", ProvisionState: "enroll"}, `node n1: provision state "enroll"`},
	} {
		if got := DescribeNode(&c.node); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}
