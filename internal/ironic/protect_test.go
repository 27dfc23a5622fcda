package ironic

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

func TestProtectionOps(t *testing.T) {
	for _, c := range []struct {
		node nodes.Node
		want Protection
		ops  string
	}{
		{nodes.Node{}, Protection{}, "[]"},
		{nodes.Node{}, Protection{Protected: true}, "[{add /protected true}]"},
		{nodes.Node{}, Protection{Protected: true, Reason: "prod"}, "[{add /protected true} {add /protected_reason prod}]"},
		{nodes.Node{Protected: true, ProtectedReason: "prod"}, Protection{Protected: true, Reason: "prod"}, "[]"},
		{nodes.Node{Protected: true, ProtectedReason: "prod"}, Protection{Protected: true}, "[{remove /protected_reason <nil>}]"},
		{nodes.Node{Protected: true, ProtectedReason: "prod"}, Protection{Protected: true, Reason: "db"}, "[{add /protected_reason db}]"},
		// Lifted: the reason is Ironic's to drop.
		{nodes.Node{Protected: true, ProtectedReason: "prod"}, Protection{}, "[{add /protected false}]"},
	} {
		var got []string
		for _, op := range protectionOps(&c.node, c.want) {
			got = append(got, fmt.Sprintf("{%s %s %v}", op.Op, op.Path, op.Value))
		}
		if s := fmt.Sprint(got); s != c.ops && !(c.ops == "[]" && got == nil) {
			t.Errorf("%+v -> %+v: %s, want %s", c.node, c.want, s, c.ops)
		}
	}
}

// The update of a deployment: rebuild decided on the node as Ironic holds it, refused
// where forbidden, protection lifted before and set again after.
func TestUpdateDeployment(t *testing.T) {
	spec := DeploySpec{InstanceInfo: map[string]string{"image_source": "http://x/new.img"}}
	deployed := func(state string, protected bool) map[string]any {
		n := fakeNodeIn("n1", state)
		n["protected"] = protected
		n["instance_info"] = map[string]any{"image_source": "http://x/old.img"}
		return n
	}
	unchanged := func(state string, protected bool) map[string]any {
		n := deployed(state, protected)
		n["instance_info"] = map[string]any{"image_source": "http://x/new.img"}
		return n
	}
	was := map[string]string{"image_source": "http://x/old.img"}
	same := map[string]string{"image_source": "http://x/new.img"}
	for _, c := range []struct {
		name      string
		node      map[string]any
		recorded  map[string]string
		allow     bool
		protect   Protection
		fail      string
		calls     string
		block     RebuildBlock // a refusal
		errs      string       // the joined errors' types
		protected bool         // the node ends protected
	}{
		{name: "nothing to do", node: unchanged("active", false), recorded: same, allow: true},
		{name: "rebuilt", node: deployed("active", false), recorded: was, allow: true,
			calls: "PATCH /nodes/n1, PUT /nodes/n1/states/provision rebuild"},
		{name: "rebuild not allowed", node: deployed("active", false), recorded: was, block: RebuildNotAllowed},
		{name: "rebuild of a node that stays protected", node: deployed("active", true), recorded: was, allow: true,
			protect: Protection{Protected: true}, block: RebuildProtected},
		{name: "protection lifted, then rebuilt", node: deployed("active", true), recorded: was, allow: true,
			calls: "PATCH /nodes/n1, PATCH /nodes/n1, PUT /nodes/n1/states/provision rebuild"},
		{name: "rebuilt, then protected", node: deployed("active", false), recorded: was, allow: true, protect: Protection{Protected: true, Reason: "prod"},
			calls: "PATCH /nodes/n1, PUT /nodes/n1/states/provision rebuild, PATCH /nodes/n1", protected: true},
		{name: "protected in place", node: unchanged("active", false), recorded: same, protect: Protection{Protected: true},
			calls: "PATCH /nodes/n1", protected: true},
		{name: "a failed deploy is deployed again, without a rebuild", node: unchanged("deploy failed", false), recorded: same,
			calls: "PATCH /nodes/n1, PUT /nodes/n1/states/provision active"},
		{name: "from error only a rebuild leads back", node: unchanged("error", false), recorded: same, block: RebuildNotAllowed},
		{name: "the redeploy fails: not protected", node: deployed("active", false), recorded: was, allow: true, protect: Protection{Protected: true},
			fail: "PUT /nodes/n1/states/provision", calls: "PATCH /nodes/n1, PUT /nodes/n1/states/provision", errs: "*ironic.RedeployError"},
		// A rescued node (an operator's, an action's) stays in rescue: never unrescued by
		// an unrelated update, and a rebuild is refused rather than unrescuing it.
		{name: "a rescued node stays rescued", node: unchanged("rescue", false), recorded: same, protect: Protection{Protected: true},
			calls: "PATCH /nodes/n1", protected: true},
		{name: "rescue failed stays too", node: unchanged("rescue failed", false), recorded: same},
		{name: "a rebuild of a rescued node is refused", node: deployed("rescue", false), recorded: was, allow: true, block: RebuildRescued},
		{name: "lifting fails: the rebuild is still tried", node: deployed("active", true), recorded: was, allow: true,
			fail: "PATCH /nodes/n1", calls: "PATCH /nodes/n1, PATCH /nodes/n1", errs: "*ironic.ProtectionError *ironic.RedeployError", protected: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, p := newFakeNodeAPI(t, c.node)
			if c.fail != "" {
				f.fail[c.fail] = 409
			}
			node, err := p.UpdateDeployment(context.Background(), "n1", DeploymentUpdate{
				Spec: spec, Recorded: c.recorded, AllowRebuild: c.allow, Protection: c.protect,
			})
			if got := f.requests(false); got != c.calls {
				t.Errorf("calls\n %s\nwant\n %s", got, c.calls)
			}
			var refused *RebuildRefusedError
			switch {
			case c.block != RebuildAllowed:
				if !errors.As(err, &refused) || refused.Block != c.block {
					t.Fatalf("error %v, want refusal %v", err, c.block)
				}
				return
			case c.errs != "":
				var types []string
				for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
					types = append(types, fmt.Sprintf("%T", e))
				}
				if fmt.Sprint(types) != "["+c.errs+"]" {
					t.Fatalf("errors %v, want %s (%v)", types, c.errs, err)
				}
			case err != nil:
				t.Fatal(err)
			}
			if node == nil || node.Protected != c.protected {
				t.Fatalf("node %+v, want protected %v", node, c.protected)
			}
		})
	}
}

func TestForecastRebuild(t *testing.T) {
	for _, c := range []struct {
		state                     string
		change                    RebuildChange
		protected, staysProtected bool
		want                      RebuildForecast
	}{
		{"active", NoRebuild, false, false, RebuildForecast{Change: NoRebuild, OverwritesDisk: true}},
		{"active", MayRebuild, true, true, RebuildForecast{Change: MayRebuild, OverwritesDisk: true}},
		{"active", WillRebuild, false, false, RebuildForecast{Change: WillRebuild, OverwritesDisk: true}},
		{"active", WillRebuild, true, true, RebuildForecast{Change: WillRebuild, OverwritesDisk: true, Block: RebuildProtected}},
		{"active", WillRebuild, true, false, RebuildForecast{Change: WillRebuild, OverwritesDisk: true}}, // lifted by the same apply
		// From error, only a rebuild leads back to active, whatever changes.
		{"error", NoRebuild, false, false, RebuildForecast{Change: WillRebuild, FromError: true, OverwritesDisk: true}},
		{"error", NoRebuild, true, true, RebuildForecast{Change: WillRebuild, FromError: true, OverwritesDisk: true, Block: RebuildProtected}},
		// A failed or running deploy has no disk to lose: deployed again, not rebuilt.
		{"deploy failed", WillRebuild, true, true, RebuildForecast{Change: WillRebuild}},
		{"wait call-back", WillRebuild, false, false, RebuildForecast{Change: WillRebuild}},
		// A rescued node is never unrescued for a rebuild: refused when certain.
		{"rescue", WillRebuild, false, false, RebuildForecast{Change: WillRebuild, Block: RebuildRescued}},
		{"rescue wait", WillRebuild, true, true, RebuildForecast{Change: WillRebuild, Block: RebuildRescued}},
		{"rescue", MayRebuild, false, false, RebuildForecast{Change: MayRebuild}},
		{"rescue", NoRebuild, false, false, RebuildForecast{Change: NoRebuild}},
	} {
		if got := ForecastRebuild(c.state, c.change, c.protected, c.staysProtected); got != c.want {
			t.Errorf("%+v: %+v", c, got)
		}
	}
}

func TestUndeployRefusesAProtectedNode(t *testing.T) {
	for _, c := range []struct {
		protected bool
		calls     string
		state     string
	}{
		{true, "", "active"},
		{false, "PUT /nodes/n1/states/provision deleted", "available"},
	} {
		n := fakeNodeIn("n1", "active")
		n["protected"] = c.protected
		f, p := newFakeNodeAPI(t, n)
		_, err := p.Undeploy(context.Background(), "n1")
		if refused := errors.As(err, new(*ProtectedError)); refused != c.protected || (!c.protected && err != nil) {
			t.Fatalf("protected=%v: %v", c.protected, err)
		}
		if f.requests(false) != c.calls || f.nodes["n1"]["provision_state"] != c.state {
			t.Fatalf("protected=%v: calls %q, state %v", c.protected, f.requests(false), f.nodes["n1"]["provision_state"])
		}
	}
}
