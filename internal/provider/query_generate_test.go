package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/metalform/terraform-provider-baremetal/internal/devtools"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// The whole `terraform query` adoption, as the fleet guide tells it: a rack made by hand
// (five nodes with BMC passwords Ironic masks; two deployed by hand, one of them with a
// port group bonding two ports; one available; one stopped in clean failed; one whose
// instance another service put there, as Nova does) is listed by shard, the CLI writes
// the configuration, which unedited plans as imports alone and applies without a single
// write to Ironic: every node's updated_at and provision_updated_at stay as they were.
// The instance another service holds is not made a baremetal_deployment, the generated
// deployments cannot rebuild, and the clean-failed node stays where it stopped.
func TestAccQuery_generateConfig(t *testing.T) {
	skipUnlessCLIHas(t, cliQuery)
	t.Parallel()
	sc := testIronic(t)
	start := time.Now()
	shard := "q-" + acctest.RandString(8)
	rack := makeQueryRack(t, sc, shard)
	t.Logf("rack made by hand: %.1f s", time.Since(start).Seconds())
	before := nodeTimes(t, sc, rack.nodes)

	rec := ironictest.NewRecorder(testEndpoint())
	defer rec.Close()
	w := newCLIWorkspace(t, envEndpoint+"="+rec.URL)
	// The guide's files, its shard replaced by this rack's.
	copyExample(t, "adopt-fleet-query", w.dir)
	query, err := os.ReadFile(filepath.Join(devtools.RepoRoot(), "examples", "adopt-fleet-query", "rack.tfquery.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.dir, "rack.tfquery.hcl"), []byte(strings.ReplaceAll(string(query), `"rack-a"`, `"`+shard+`"`)), 0o600); err != nil {
		t.Fatal(err)
	}
	timed := func(what string, f func() string) string {
		start := time.Now()
		out := f()
		t.Logf("%s: %.1f s", what, time.Since(start).Seconds())
		return out
	}
	timed("init", func() string { return w.run("init", "-input=false") })
	timed("query", func() string { return w.run("query", "-generate-config-out=generated.tf") })
	generated, err := os.ReadFile(filepath.Join(w.dir, "generated.tf"))
	// A plain query (no resources: only the fields that name them) lists the same.
	listed := timed("query without resources", func() string { return w.run("query") })
	if n := strings.Count(listed, "list.baremetal_deployment.rack"); n != 2 {
		t.Errorf("the query lists %d deployments, want 2:\n%s", n, listed)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated.tf:\n%s", generated)
	gen := string(generated)
	// 5 nodes, 2 deployments (not the foreign instance's), 1 port group, 5 ports.
	imports := 5 + 2 + 1 + 5
	if n := strings.Count(gen, "import {"); n != imports {
		t.Errorf("%d import blocks, want %d", n, imports)
	}
	if n := strings.Count(gen, `resource "baremetal_deployment"`); n != 2 {
		t.Errorf("%d deployments generated, want 2 (the foreign instance is left out)", n)
	}
	if n := strings.Count(gen, rack.foreign); n != 1 { // its node's import block
		t.Errorf("the foreign instance's node is named %d times in the generated configuration, want once (its node)", n)
	}
	if n := len(regexp.MustCompile(`allow_rebuild\s+= false`).FindAllString(gen, -1)); n != 2 { // aligned by the longest name
		t.Errorf("%d deployments with allow_rebuild = false, want 2", n)
	}
	if strings.Contains(gen, ironic.Masked) {
		t.Errorf("the generated configuration holds Ironic's mask %q", ironic.Masked)
	}

	plan := timed("plan", func() string { return w.run("plan", "-input=false") })
	if want := fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", imports); !strings.Contains(plan, want) {
		t.Fatalf("the plan of the generated configuration is not %q:\n%s", want, plan)
	}
	// What the configuration cannot hold is named, with what to add.
	if !strings.Contains(plan, "Secrets Ironic does not return") || !strings.Contains(plan, "ipmi_password") {
		t.Errorf("the plan does not say which secrets Ironic masks:\n%s", plan)
	}
	apply := timed("apply", func() string { return w.apply() })
	if want := fmt.Sprintf("Resources: %d imported, 0 added, 0 changed, 0 destroyed", imports); !strings.Contains(apply, want) {
		t.Fatalf("the apply is not %q:\n%s", want, apply)
	}
	timed("plan after", func() string { w.expectEmptyPlan(); return "" })
	// Written without allow_rebuild, as by hand, an adopted deployment plans no change.
	stripped := regexp.MustCompile(`(?m)^\s*allow_rebuild\s*=\s*false\n`).ReplaceAllString(gen, "")
	if err := os.WriteFile(filepath.Join(w.dir, "generated.tf"), []byte(stripped), 0o600); err != nil {
		t.Fatal(err)
	}
	w.expectEmptyPlan()

	for _, r := range rec.Requests() {
		if r.Method != "GET" {
			t.Errorf("the adoption sent %s %s", r.Method, r.Path)
		}
	}
	if written := nodesWritten(before, nodeTimes(t, sc, rack.nodes)); len(written) > 0 {
		t.Errorf("the adoption changed nodes in Ironic:\n%s", strings.Join(written, "\n"))
	}
	t.Logf("total: %.1f s", time.Since(start).Seconds())
}

// handRack is what makeQueryRack enrolled.
type handRack struct {
	nodes   []string
	foreign string // the node whose instance another service holds
}

// makeQueryRack enrolls, in shard, the rack of TestAccQuery_generateConfig, as people do
// it by hand, and deletes it when the test ends.
func makeQueryRack(t *testing.T, sc *gophercloud.ServiceClient, shard string) handRack {
	t.Helper()
	ctx := context.Background()
	prefix := "q" + acctest.RandString(6)
	var rack handRack
	t.Cleanup(func() { deleteFleet(sc, rack.nodes) })
	eng := testEngineNoT()
	deploy := func(id string) {
		t.Helper()
		if _, err := eng.Reach(ctx, id, ironic.Goal{State: ironic.StateAvailable}); err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Deploy(ctx, id, ironic.DeploySpec{InstanceInfo: map[string]string{
			"image_source": "http://images.example/" + prefix + ".qcow2", "image_checksum": "d41d8cd98f00b204e9800998ecf8427e",
		}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		node, err := nodes.Create(ctx, sc, nodes.CreateOpts{
			Name: fmt.Sprintf("%s-%d", prefix, i), Driver: "fake-hardware",
			DriverInfo: map[string]any{"ipmi_address": fmt.Sprintf("10.9.0.%d", i), "ipmi_username": "admin", "ipmi_password": "typed-" + prefix},
			Properties: map[string]any{"cpu_arch": "x86_64", "memory_mb": 8192},
		}).Extract()
		if err != nil {
			t.Fatal(err)
		}
		rack.nodes = append(rack.nodes, node.UUID)
		if _, err := nodes.Update(ctx, sc, node.UUID, nodes.UpdateOpts{
			nodes.UpdateOperation{Op: nodes.AddOp, Path: "/shard", Value: shard},
		}).Extract(); err != nil {
			t.Fatal(err)
		}
		var bond string
		if i == 0 {
			g, err := ironic.Portgroups.Create(eng, ctx, map[string]any{"node_uuid": node.UUID, "name": prefix + "-bond0", "address": randomMAC(), "mode": "802.3ad"})
			if err != nil {
				t.Fatal(err)
			}
			bond = g.UUID
		}
		for p := range []int{2, 1, 1, 1, 0}[i] {
			opts := ports.CreateOpts{NodeUUID: node.UUID, Address: randomMAC(), PortGroupUUID: bond}
			if _, err := ports.Create(ctx, sc, opts).Extract(); err != nil {
				t.Fatalf("port %d of node %d: %v", p, i, err)
			}
		}
		switch i {
		case 0, 1:
			deploy(node.UUID)
		case 2:
			if _, err := eng.Reach(ctx, node.UUID, ironic.Goal{State: ironic.StateAvailable}); err != nil {
				t.Fatal(err)
			}
		case 3:
			// Manual cleaning with a step the node lacks: Ironic stops it in clean failed.
			if _, err := eng.Reach(ctx, node.UUID, ironic.Goal{State: ironic.StateManageable}); err != nil {
				t.Fatal(err)
			}
			if err := nodes.ChangeProvisionState(ctx, sc, node.UUID, nodes.ProvisionStateOpts{
				Target: nodes.TargetClean, CleanSteps: []nodes.CleanStep{{Interface: "deploy", Step: "no_such_step"}},
			}).ExtractErr(); err != nil {
				t.Fatal(err)
			}
			waitProvisionState(t, sc, node.UUID, "clean failed")
		case 4:
			// Deployed by another service, which set instance_uuid as Nova does.
			deploy(node.UUID)
			if _, err := nodes.Update(ctx, sc, node.UUID, nodes.UpdateOpts{
				nodes.UpdateOperation{Op: nodes.AddOp, Path: "/instance_uuid", Value: "5f1a7a0e-4c55-4b7e-9d1d-0c4b2b1f" + fmt.Sprintf("%04x", i)},
				nodes.UpdateOperation{Op: nodes.AddOp, Path: "/instance_info/display_name", Value: "vm-" + prefix},
			}).Extract(); err != nil {
				t.Fatal(err)
			}
			rack.foreign = node.UUID
		}
		if _, err := waitUnlocked(ctx, sc, node.UUID); err != nil {
			t.Fatal(err)
		}
	}
	return rack
}

// waitProvisionState waits until node id is in state.
func waitProvisionState(t *testing.T, sc *gophercloud.ServiceClient, id, state string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		n, err := nodes.Get(context.Background(), sc, id).Extract()
		if err != nil {
			t.Fatal(err)
		}
		if n.ProvisionState == state && n.Reservation == "" {
			return
		}
	}
	t.Fatalf("node %s never reached %q", id, state)
}

// nodeStamp is what a write to a node changes: its timestamps, where it is, its last error.
type nodeStamp struct {
	UpdatedAt          *string `json:"updated_at"`
	ProvisionUpdatedAt *string `json:"provision_updated_at"`
	ProvisionState     string  `json:"provision_state"`
	LastError          *string `json:"last_error"`
}

// nodeTimes is every node's nodeStamp, by UUID.
func nodeTimes(t *testing.T, sc *gophercloud.ServiceClient, ids []string) map[string]nodeStamp {
	t.Helper()
	stamps := map[string]nodeStamp{}
	for _, id := range ids {
		var body nodeStamp
		if _, err := sc.Get(context.Background(), sc.ServiceURL("nodes", id), &body, nil); err != nil {
			t.Fatal(err)
		}
		stamps[id] = body
	}
	return stamps
}

// nodesWritten names the nodes written between two nodeTimes, but for the one write
// Ironic itself makes to a node nobody touches: from Ironic 2025.2 its power-state sync
// (every 120 s) clears the last_error of a node whose power it confirms, which bumps
// updated_at and nothing else.
func nodesWritten(before, after map[string]nodeStamp) []string {
	var written []string
	for id, b := range before {
		a := after[id]
		bj, _ := json.Marshal(b)
		aj, _ := json.Marshal(a)
		if string(aj) == string(bj) {
			continue
		}
		if b.LastError != nil && *b.LastError != "" && a.LastError == nil &&
			a.ProvisionState == b.ProvisionState && deref(a.ProvisionUpdatedAt) == deref(b.ProvisionUpdatedAt) {
			continue
		}
		written = append(written, fmt.Sprintf("%s\n  before %s\n  after  %s", id, bj, aj))
	}
	sort.Strings(written)
	return written
}

func TestNodesWritten(t *testing.T) {
	str := func(s string) *string { return &s }
	at := func(u, p string) nodeStamp {
		return nodeStamp{UpdatedAt: str(u), ProvisionUpdatedAt: str(p), ProvisionState: "clean failed"}
	}
	failed := at("t1", "t0")
	failed.LastError = str("no such step")
	cleared := at("t2", "t0")
	moved := at("t2", "t2")
	rewritten := at("t2", "t0")
	rewritten.LastError = str("another error")
	for name, c := range map[string]struct {
		after nodeStamp
		want  int
	}{
		"untouched":                    {failed, 0},
		"same values, new pointers":    {func() nodeStamp { s := failed; s.LastError = str("no such step"); return s }(), 0},
		"last_error cleared by Ironic": {cleared, 0},
		"cleared while moved":          {moved, 1},
		"last_error written":           {rewritten, 1},
	} {
		if got := nodesWritten(map[string]nodeStamp{"n": failed}, map[string]nodeStamp{"n": c.after}); len(got) != c.want {
			t.Errorf("%s: %d nodes written, want %d: %v", name, len(got), c.want, got)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
