package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"golang.org/x/sync/errgroup"

	"github.com/metalform/terraform-provider-baremetal/internal/devtools"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// The whole-fleet adoption recipe (examples/adopt-fleet, the "Adopting a whole fleet"
// guide), run step by step as a user runs it, with the real provider binary and the real
// CLI, over 50 nodes made by hand (enroll, manageable, available, deployed, maintenance,
// zero to two ports each). The imports change nothing in Ironic (no request but GETs,
// every record as it was), and the plan after them is empty.
func TestAccAdoptFleet_recipe(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel()
	sc := testIronic(t)
	owner := "fleet-" + acctest.RandString(8)
	fleet := makeHandMadeFleet(t, sc, owner, 50)
	before := fleetRecords(t, sc, owner, fleet.nodes)

	dir := t.TempDir()
	rc, err := devtools.InstallProvider(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	copyExample(t, "adopt-fleet", work)
	rec := ironictest.NewRecorder(testEndpoint())
	defer rec.Close()
	cli := func(args ...string) string {
		t.Helper()
		start := time.Now()
		out, code := runCLI(work, rc, []string{"TF_VAR_owner=" + owner, envEndpoint + "=" + rec.URL}, args...)
		t.Logf("%s: %.1f s", strings.Join(args, " "), time.Since(start).Seconds())
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
		return out
	}

	// 1. The inventory: reads only, so the apply records its outputs and nothing else.
	cli("apply", "-auto-approve")
	var found struct{ Nodes, Ports, Deployments int }
	if err := json.Unmarshal([]byte(cli("output", "-json", "found")), &found); err != nil {
		t.Fatal(err)
	}
	if found.Nodes != len(fleet.nodes) || found.Ports != fleet.ports || found.Deployments != fleet.deployed {
		t.Fatalf("the inventory found %+v; made %d nodes, %d ports, %d deployments", found, len(fleet.nodes), fleet.ports, fleet.deployed)
	}
	writeImports := func(output string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(work, "imports.tf"), []byte(cli("output", "-raw", output)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// 2. Resource blocks written by the CLI from what the imports read (the import blocks
	// name the provider for this step, which Terraform 1.16.0 to 1.16.2 needs), then the
	// import blocks without it, which the CLI requires once the resource blocks exist.
	writeImports("import_blocks_to_generate")
	cli("plan", "-generate-config-out=generated.tf")
	writeImports("import_blocks")
	// 3. The imports, then a plan with nothing to do.
	total := found.Nodes + found.Ports + found.Deployments
	if out := cli("apply", "-auto-approve"); !strings.Contains(out, fmt.Sprintf("Resources: %d imported, 0 added, 0 changed, 0 destroyed", total)) {
		t.Fatalf("the apply did more or less than import %d objects:\n%s", total, out)
	}
	if out, code := runCLI(work, rc, []string{"TF_VAR_owner=" + owner, envEndpoint + "=" + rec.URL}, "plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("the plan after adoption is not empty (exit %d):\n%s", code, out)
	}

	for _, r := range rec.Requests() {
		if r.Method != "GET" {
			t.Errorf("adoption sent %s %s", r.Method, r.Path)
		}
	}
	if after := fleetRecords(t, sc, owner, fleet.nodes); after != before {
		t.Errorf("adoption changed the fleet in Ironic:\nbefore %s\nafter  %s", before, after)
	}
	// Every node, port and deployment is in the state under the label the guide promises.
	state := cli("state", "list")
	for _, want := range fleet.addresses {
		if !strings.Contains(state, want+"\n") {
			t.Errorf("%s is not in the state:\n%s", want, state)
		}
	}
}

// handMadeFleet is what makeHandMadeFleet enrolled, and the resource addresses the
// recipe should give it.
type handMadeFleet struct {
	nodes           []string // UUIDs
	ports, deployed int
	addresses       []string
}

// makeHandMadeFleet enrolls n nodes the way people do by hand: some without a name, some
// whose names start with a digit or hold a dot (two of them give the same label), BMC
// passwords Ironic masks, properties, extra, traits, maintenance, zero to two ports with
// switch details, and every provision state up to deployed. All of them get owner, and
// are deleted when the test ends.
func makeHandMadeFleet(t *testing.T, sc *gophercloud.ServiceClient, owner string, n int) handMadeFleet {
	t.Helper()
	ctx := context.Background()
	prefix := "f" + acctest.RandString(6)
	f := handMadeFleet{nodes: make([]string, n)}
	var mu sync.Mutex
	t.Cleanup(func() { deleteFleet(sc, f.nodes) })
	var g errgroup.Group
	g.SetLimit(8)
	for i := range n {
		g.Go(func() error {
			addrs, ports, deployed, err := makeHandMadeNode(ctx, sc, owner, prefix, i, &f.nodes[i])
			mu.Lock()
			defer mu.Unlock()
			f.addresses = append(f.addresses, addrs...)
			f.ports += ports
			if deployed {
				f.deployed++
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	return f
}

// makeHandMadeNode enrolls the i-th node of a hand-made fleet, storing its UUID in id,
// and returns the resource addresses the recipe gives it.
func makeHandMadeNode(ctx context.Context, sc *gophercloud.ServiceClient, owner, prefix string, i int, id *string) ([]string, int, bool, error) {
	name, label := fmt.Sprintf("%s-n%02d", prefix, i), ""
	switch i {
	case 0, 10, 20:
		name = "" // labelled node-<uuid>
	case 1:
		name, label = "7"+prefix, "n_7"+prefix
	case 2:
		name = prefix + ".web" // "web.1" and "web_1" give one label
	case 3:
		name = prefix + "_web"
	case 4:
		name, label = prefix+".rack-b.u12", prefix+"_rack-b_u12"
	}
	opts := nodes.CreateOpts{
		Name: name, Driver: "fake-hardware", ResourceClass: []string{"", "gpu", "storage"}[i%3],
		DriverInfo: map[string]any{"ipmi_address": fmt.Sprintf("10.1.%d.%d", i/100, i%100), "ipmi_username": "admin", "ipmi_password": "hand-typed-" + prefix},
		Properties: map[string]any{"cpus": 8 + i%4, "memory_mb": 16384, "cpu_arch": "x86_64"},
		Extra:      map[string]any{"rack": fmt.Sprintf("r%d", i%5), "u": i},
	}
	if i%6 == 0 {
		opts.Properties["capabilities"] = "boot_mode:uefi"
	}
	node, err := nodes.Create(ctx, sc, opts).Extract()
	if err != nil {
		return nil, 0, false, err
	}
	// Fields the create call of gophercloud does not take, set afterwards as people do.
	// Ironic lets a project-scoped admin create nodes of its own project only.
	later := nodes.UpdateOpts{nodes.UpdateOperation{Op: nodes.AddOp, Path: "/owner", Value: owner}}
	if i%6 == 0 {
		later = append(later, nodes.UpdateOperation{Op: nodes.AddOp, Path: "/description", Value: fmt.Sprintf("unit %d, enrolled by hand", i)})
	}
	if i%9 == 0 {
		later = append(later, nodes.UpdateOperation{Op: nodes.AddOp, Path: "/lessee", Value: "tenant-" + prefix})
	}
	if _, err := nodes.Update(ctx, sc, node.UUID, later).Extract(); err != nil {
		return nil, 0, false, err
	}
	*id = node.UUID
	switch {
	case name == "":
		label = "node-" + node.UUID
	case i == 2 || i == 3:
		label = strings.NewReplacer(".", "_").Replace(name) + "_" + node.UUID[:8]
	case label == "":
		label = name
	}
	addrs := []string{"baremetal_node." + label}
	if i%4 == 0 {
		if err := testEngineNoT().SetTraits(ctx, node.UUID, []string{"CUSTOM_RACK_" + fmt.Sprint(i%5), "CUSTOM_HAND_MADE"}); err != nil {
			return nil, 0, false, err
		}
	}
	nports := []int{1, 1, 2, 0}[i%4]
	for p := range nports {
		mac := randomMAC()
		popts := ports.CreateOpts{NodeUUID: node.UUID, Address: mac, Extra: map[string]any{"nic": p}}
		if p == 1 {
			off := false
			popts.PXEEnabled = &off
			popts.LocalLinkConnection = map[string]any{"switch_id": "0a:1b:2c:3d:4e:5f", "port_id": fmt.Sprintf("Ethernet1/%d", i), "switch_info": "tor-" + prefix}
		}
		if i%5 == 0 {
			popts.Address = strings.ToUpper(mac) // as typed from a label on the machine
		}
		if _, err := ports.Create(ctx, sc, popts).Extract(); err != nil {
			return nil, 0, false, err
		}
		addrs = append(addrs, "baremetal_port."+label+"_"+strings.ReplaceAll(mac, ":", ""))
	}
	prov := testEngineNoT()
	deployed := false
	switch i % 10 {
	case 5, 6:
		_, err = prov.Reach(ctx, node.UUID, ironic.Goal{State: ironic.StateManageable})
	case 7, 9:
		_, err = prov.Reach(ctx, node.UUID, ironic.Goal{State: ironic.StateAvailable})
	case 8:
		if _, err = prov.Reach(ctx, node.UUID, ironic.Goal{State: ironic.StateAvailable}); err == nil {
			_, err = prov.Deploy(ctx, node.UUID, ironic.DeploySpec{InstanceInfo: map[string]string{
				"image_source": "http://images.example/os-" + prefix + ".qcow2", "image_checksum": "d41d8cd98f00b204e9800998ecf8427e", "root_gb": "10",
			}})
			deployed = err == nil
			addrs = append(addrs, "baremetal_deployment."+label)
		}
	case 1, 3:
		// In maintenance, with the reason someone typed.
		err = nodes.SetMaintenance(ctx, sc, node.UUID, nodes.MaintenanceOpts{Reason: "fan replaced " + prefix}).ExtractErr()
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("node %d (%s): %w", i, node.UUID, err)
	}
	_, err = waitUnlocked(ctx, sc, node.UUID)
	return addrs, nports, deployed, err
}

// fleetRecords is every field of the owner's nodes and of their ports, as Ironic stores
// them, in one comparable string.
func fleetRecords(t *testing.T, sc *gophercloud.ServiceClient, owner string, ids []string) string {
	t.Helper()
	paths := []string{"nodes/detail?sort_key=id&owner=" + owner}
	for _, id := range ids {
		paths = append(paths, "nodes/"+id+"/ports/detail?sort_key=id")
	}
	var b strings.Builder
	for _, path := range paths {
		var body json.RawMessage
		if _, err := sc.Get(context.Background(), sc.ServiceURL(path), &body, nil); err != nil {
			t.Fatal(err)
		}
		b.Write(body)
		b.WriteByte('\n')
	}
	return b.String()
}

// deleteFleet deletes the nodes (and so their ports), deployed or not: maintenance lets
// Ironic delete a node in any state.
func deleteFleet(sc *gophercloud.ServiceClient, ids []string) {
	ctx := context.Background()
	for _, id := range ids {
		if id == "" {
			continue
		}
		nodes.SetMaintenance(ctx, sc, id, nodes.MaintenanceOpts{Reason: "test cleanup"})
		nodes.Delete(ctx, sc, id)
	}
}

// copyExample copies the .tf files of examples/<name> into dir.
func copyExample(t *testing.T, name, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(devtools.RepoRoot(), "examples", name, "*.tf"))
	if len(files) == 0 {
		t.Fatalf("examples/%s holds no .tf file", name)
	}
	os.MkdirAll(dir, 0o755)
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
