//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// seedFleet puts n nodes with a port each (fleetConfig(n, prefix, mac, "")) into
// Ironic and into the state of dir without enrolling them through terraform apply,
// which at thousands of nodes takes many minutes, or importing each (as long as a
// plan): one node and its port created through the API are copied n times straight in
// Ironic's database (CloneNodes, ClonePorts), the first copy is imported (import
// blocks, by name and by MAC), and the state of the others is the provider's own state
// of that pair with the UUIDs, name and MAC of each copy, pushed with terraform state
// push. A copy differs from the first only in those, so the plan that then reads all
// of them from Ironic must find nothing changed (terraformMeasured checks). The
// returned function deletes the nodes (and so their ports).
func seedFleet(ctx context.Context, e *env, dir, prefix, mac string, n int) (cleanup func(), err error) {
	if !strings.HasSuffix(prefix, "-") {
		return nil, fmt.Errorf("seedFleet: prefix %q must end in '-' (CloneNodes names prefix-i)", prefix)
	}
	sc, err := connect(ctx, ironic.Config{Endpoint: e.endpoint})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	template, err := nodes.Create(ctx, sc, nodes.CreateOpts{Name: prefix + "template", Driver: "fake-hardware"}).Extract()
	if err != nil {
		return nil, err
	}
	cleanup = func() {
		ctx := context.Background()
		nodes.Delete(ctx, sc, template.UUID)
		deleteFleet(ctx, sc, prefix, 0)
	}
	port, err := ports.Create(ctx, sc, ports.CreateOpts{NodeUUID: template.UUID, Address: mac + ":ff:ff:00"}).Extract()
	if err != nil {
		return cleanup, err
	}
	if err := e.ironic.CloneNodes(ctx, template.UUID, strings.TrimSuffix(prefix, "-"), n); err != nil {
		return cleanup, err
	}
	if err := e.ironic.ClonePorts(ctx, port.UUID, strings.TrimSuffix(prefix, "-"), mac); err != nil {
		return cleanup, err
	}
	cloned := time.Since(start)
	// The first copy, imported.
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(fleetConfig(1, prefix, mac, "")), 0o644); err != nil {
		return cleanup, err
	}
	imports := filepath.Join(dir, "imports.tf")
	blocks := fmt.Sprintf("import {\n  to = baremetal_node.n[0]\n  id = %q\n}\n\nimport {\n  to = baremetal_port.p[0]\n  id = %q\n}\n",
		prefix+"0", macOf(mac, 0))
	if err := os.WriteFile(imports, []byte(blocks), 0o644); err != nil {
		return cleanup, err
	}
	if err := e.terraformRun(dir, "apply", "-auto-approve", "-input=false"); err != nil {
		return cleanup, err
	}
	if err := os.Remove(imports); err != nil {
		return cleanup, err
	}
	// The others: the first's state with their identities.
	if err := pushCopies(ctx, e, dir, prefix, mac, n); err != nil {
		return cleanup, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(fleetConfig(n, prefix, mac, "")), 0o644); err != nil {
		return cleanup, err
	}
	fmt.Fprintf(os.Stderr, "bench: seeded %d nodes + ports in %.1f s (copied in Ironic's database in %.1f s)\n",
		n, time.Since(start).Seconds(), cloned.Seconds())
	return cleanup, nil
}

// pushCopies writes the state of nodes and ports 1..n-1 in dir from that of 0.
func pushCopies(ctx context.Context, e *env, dir, prefix, mac string, n int) error {
	cmd := e.terraformCmd(dir, "state", "pull")
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("terraform state pull: %w", err)
	}
	var state map[string]any
	if err := json.Unmarshal(out, &state); err != nil {
		return err
	}
	sc, err := connect(ctx, ironic.Config{Endpoint: e.endpoint})
	if err != nil {
		return err
	}
	allNodes, err := ironic.NewClient(sc, nil, nil).ListAllNodes(ctx)
	if err != nil {
		return err
	}
	allPorts, err := ironic.NewClient(sc, nil, nil).ListAllPorts(ctx)
	if err != nil {
		return err
	}
	nodeID, portID := map[string]string{}, map[string]string{}
	for _, nd := range allNodes {
		nodeID[nd.Name] = nd.UUID
	}
	for _, p := range allPorts {
		portID[p.Address] = p.UUID
	}
	name := func(i int) string { return fmt.Sprintf("%s%d", prefix, i) }
	for i := range n {
		if nodeID[name(i)] == "" || portID[macOf(mac, i)] == "" {
			return fmt.Errorf("no node %s or no port %s in Ironic", name(i), macOf(mac, i))
		}
	}
	resources, _ := state["resources"].([]any)
	if len(resources) != 2 {
		return fmt.Errorf("state of %s: %d resources, want the node and the port", dir, len(resources))
	}
	for _, r := range resources {
		res := r.(map[string]any)
		instances, _ := res["instances"].([]any)
		if len(instances) != 1 {
			return fmt.Errorf("state of %s: %d instances of %v, want 1", dir, len(instances), res["type"])
		}
		if res["type"] == "baremetal_port" {
			// As an apply records it (an import does not): the port's configuration
			// refers to its node.
			instances[0].(map[string]any)["dependencies"] = []string{"baremetal_node.n"}
		}
		first, err := json.Marshal(instances[0])
		if err != nil {
			return err
		}
		for i := 1; i < n; i++ {
			text := strings.NewReplacer(
				nodeID[name(0)], nodeID[name(i)], portID[macOf(mac, 0)], portID[macOf(mac, i)],
				strconv.Quote(name(0)), strconv.Quote(name(i)), macOf(mac, 0), macOf(mac, i),
			).Replace(string(first))
			var inst map[string]any
			if err := json.Unmarshal([]byte(text), &inst); err != nil {
				return err
			}
			inst["index_key"] = i
			instances = append(instances, inst)
		}
		res["instances"] = instances
	}
	state["serial"] = state["serial"].(float64) + 1
	data, err := json.Marshal(state)
	if err != nil {
		return err
	}
	return e.pushState(dir, data)
}

// macOf is the MAC fleetConfig gives port i.
func macOf(prefix string, i int) string { return fmt.Sprintf("%s:%02x:%02x:00", prefix, i/256, i%256) }

// memoryRows: a no-change plan over n nodes and ports (seeded, see seedFleet), once:
// its split between Terraform's process and the provider's and the provider's peak
// memory, for a size the refresh rows would take too long to enroll.
func memoryRows(ctx context.Context, e *env, n int) ([]row, error) {
	dir := filepath.Join(e.dir, fmt.Sprintf("memory-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "bench: seeding %d nodes + ports for the memory rows (untimed)\n", n)
	cleanup, err := seedFleet(ctx, e, dir, "bench-mem-", "52:54:05", n)
	if cleanup != nil {
		defer cleanup()
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "bench: plan over %d seeded nodes + ports\n", n)
	u, err := e.terraformMeasured(dir, nil, "plan", "-input=false", "-detailed-exitcode", fmt.Sprintf("-parallelism=%d", parallelism))
	if err != nil {
		return nil, err
	}
	if u.drift {
		return nil, fmt.Errorf("the plan over the seeded fleet found it changed: the seeded state is not what the provider writes")
	}
	return usageRows(fmt.Sprintf("plan over N=%d seeded nodes+ports:", n), u), nil
}
