//go:build linux

package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"

	"github.com/metalform/terraform-provider-baremetal/internal/devtools"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// The fleet of the query rows: n nodes cloned into Ironic's database (enroll, shard and
// owner set), a port each made through the API.
const (
	queryPrefix = "bench-query"
	queryShard  = "bench-query"
	queryOwner  = "bench-query-owner"
)

// queryRows: `terraform query` over n nodes and n ports, each result the resource
// (include_resource, as -generate-config-out reads them), against the same list calls
// (same filters, page size and fields) made by a plain gophercloud loop; then the plan
// of the configuration the query generates against the plan of the data-source recipe's
// configuration (examples/adopt-fleet) for the same fleet. Both need Terraform 1.14 or
// later: $BENCH_TERRAFORM_QUERY, else the 1.16.2 that make deps builds.
func queryRows(ctx context.Context, e *env, n int) ([]row, error) {
	tf := os.Getenv("BENCH_TERRAFORM_QUERY")
	if tf == "" {
		tf = filepath.Join(devtools.RepoRoot(), "bin", "terraform-1.16.2")
	}
	if _, err := exec.LookPath(tf); err != nil {
		return nil, fmt.Errorf("the query rows need Terraform 1.14 or later (set BENCH_TERRAFORM_QUERY): %w", err)
	}
	q := *e
	q.terraform = tf
	sc, err := connect(ctx, ironic.Config{Endpoint: e.endpoint, Retry: ironic.DefaultRetryPolicy(nil)})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "bench: enrolling %d nodes + ports for the query rows (untimed)\n", n)
	defer deleteFleet(context.Background(), sc, queryPrefix+"-", 0)
	if err := enrollQueryFleet(ctx, e, sc, n); err != nil {
		return nil, err
	}

	dir := filepath.Join(e.dir, "query")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(providerHeader+"\nprovider \"baremetal\" {}\n"), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "fleet.tfquery.hcl"), []byte(queryConfig(n)), 0o644); err != nil {
		return nil, err
	}
	if err := q.terraformRun(dir, "init", "-input=false"); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "bench: terraform query over %d nodes + %d ports, and the same pages read directly\n", n, n)
	query := best(2, func() error { return q.terraformRun(dir, "query") })
	direct := best(2, func() error { return directPages(ctx, sc, n) })
	// What Terraform itself costs per result: the same lists, names only.
	names := filepath.Join(e.dir, "query-names")
	if err := os.MkdirAll(names, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(names, "main.tf"), []byte(providerHeader+"\nprovider \"baremetal\" {}\n"), 0o644); err != nil {
		return nil, err
	}
	namesOnly := strings.ReplaceAll(queryConfig(n), "include_resource = true", "include_resource = false")
	if err := os.WriteFile(filepath.Join(names, "fleet.tfquery.hcl"), []byte(namesOnly), 0o644); err != nil {
		return nil, err
	}
	if err := q.terraformRun(names, "init", "-input=false"); err != nil {
		return nil, err
	}
	floor := best(2, func() error { return q.terraformRun(names, "query") })
	start := time.Now()
	if err := q.terraformRun(dir, "query", "-generate-config-out=generated.tf"); err != nil {
		return nil, err
	}
	generate := time.Since(start)
	fmt.Fprintf(os.Stderr, "bench: terraform query -generate-config-out: %s\n", seconds(generate))

	fmt.Fprintln(os.Stderr, "bench: the plan of the generated configuration, and of the recipe's")
	imports := fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", 2*n)
	recipeDir, err := recipeWorkspace(&q, n)
	if err != nil {
		return nil, err
	}
	// The two plans take turns, twice, so that a shared machine's load falls on both.
	var generated, recipe time.Duration
	for range 2 {
		generated = shortest(generated, best(1, func() error { return planExpect(&q, dir, imports) }))
		recipe = shortest(recipe, best(1, func() error { return planExpect(&q, recipeDir, imports) }))
	}
	return []row{
		{what: fmt.Sprintf("terraform query, N=%d nodes+ports as resources vs same pages direct", n), ours: seconds(query),
			theirs: seconds(direct), ratio: fmt.Sprintf("%.2fx", query.Seconds()/direct.Seconds()), goal: "<= 1.3x"},
		{what: "  the same query, names only (Terraform's own cost per result), vs the same", ours: seconds(floor),
			theirs: seconds(direct), ratio: fmt.Sprintf("%.2fx", floor.Seconds()/direct.Seconds()), goal: ""},
		{what: fmt.Sprintf("plan of the query-generated config (N=%d) vs the recipe's", n), ours: seconds(generated),
			theirs: seconds(recipe), ratio: fmt.Sprintf("%.2fx", generated.Seconds()/recipe.Seconds()), goal: "<= 1x"},
	}, nil
}

// shortest is the shorter of two durations, zero meaning none yet.
func shortest(a, b time.Duration) time.Duration {
	if a == 0 || b < a {
		return b
	}
	return a
}

// queryConfig lists the fleet's nodes (by shard) and every port, limits raised to n.
func queryConfig(n int) string {
	return fmt.Sprintf(`list "baremetal_node" "fleet" {
  provider         = baremetal
  limit            = %[1]d
  include_resource = true

  config {
    shard = %[2]q
  }
}

list "baremetal_port" "fleet" {
  provider         = baremetal
  limit            = %[1]d
  include_resource = true
}
`, n, queryShard)
}

// enrollQueryFleet clones n nodes named queryPrefix-i from a template in shard
// queryShard, owned by queryOwner, and makes a port for each, ten at a time.
func enrollQueryFleet(ctx context.Context, e *env, sc *gophercloud.ServiceClient, n int) error {
	template, err := nodes.Create(ctx, sc, nodes.CreateOpts{Name: queryPrefix + "-template", Driver: "fake-hardware",
		Properties: map[string]any{"cpu_arch": "x86_64", "memory_mb": 8192}}).Extract()
	if err != nil {
		return err
	}
	if _, err := nodes.Update(ctx, sc, template.UUID, nodes.UpdateOpts{
		nodes.UpdateOperation{Op: nodes.AddOp, Path: "/shard", Value: queryShard},
		nodes.UpdateOperation{Op: nodes.AddOp, Path: "/owner", Value: queryOwner},
	}).Extract(); err != nil {
		return err
	}
	err = e.ironic.CloneNodes(ctx, template.UUID, queryPrefix, n)
	if derr := nodes.Delete(ctx, sc, template.UUID).ExtractErr(); err == nil {
		err = derr
	}
	if err != nil {
		return err
	}
	all, err := ironic.NewClient(sc, nil, nil).ListAllNodes(ctx)
	if err != nil {
		return err
	}
	var ids []string
	for _, nd := range all {
		if strings.HasPrefix(nd.Name, queryPrefix+"-") {
			ids = append(ids, nd.UUID)
		}
	}
	if len(ids) != n {
		return fmt.Errorf("cloned %d nodes, found %d", n, len(ids))
	}
	return parallel(n, func(i int) error {
		_, err := ports.Create(ctx, sc, ports.CreateOpts{NodeUUID: ids[i], Address: fmt.Sprintf("52:54:05:%02x:%02x:00", i/256, i%256)}).Extract()
		return err
	})
}

// directPages reads what the query reads, with the same list calls: the nodes of the
// shard with every field (detail), oldest first, and the ports with the fields the port
// resource reads, pages of up to n (Ironic's largest is 1,000), stopping at n of each.
func directPages(ctx context.Context, sc *gophercloud.ServiceClient, n int) error {
	nq := url.Values{"shard": {queryShard}, "sort_key": {"created_at"}}
	got, err := pages(ctx, sc, sc.ServiceURL("nodes", "detail"), nq, n, func(body func(any) error) (int, string, error) {
		var page struct {
			Nodes []nodes.Node `json:"nodes"`
		}
		err := body(&page)
		return len(page.Nodes), lastUUID(len(page.Nodes), func(i int) string { return page.Nodes[i].UUID }), err
	})
	if err == nil && got != n {
		err = fmt.Errorf("read %d nodes directly, want %d", got, n)
	}
	if err != nil {
		return err
	}
	fields := []string{"uuid", "address", "node_uuid", "portgroup_uuid", "pxe_enabled", "local_link_connection",
		"physical_network", "extra", "is_smartnic"}
	for field, feature := range map[string]string{"name": "port name", "description": "port description", "vendor": "port vendor", "category": "port category"} {
		if ironic.FeatureNamed(feature).Available(sc.Microversion) {
			fields = append(fields, field)
		}
	}
	pq := url.Values{"fields": {strings.Join(fields, ",")}}
	got, err = pages(ctx, sc, sc.ServiceURL("ports"), pq, n, func(body func(any) error) (int, string, error) {
		var page struct {
			Ports []ports.Port `json:"ports"`
		}
		err := body(&page)
		return len(page.Ports), lastUUID(len(page.Ports), func(i int) string { return page.Ports[i].UUID }), err
	})
	if err == nil && got != n {
		err = fmt.Errorf("read %d ports directly, want %d", got, n)
	}
	return err
}

// pages GETs base?query page after page (limit, marker) until n objects were read or a
// page is short; decode reads a page's body (decoding it into its argument) and returns
// its count and its last UUID. It returns the count.
func pages(ctx context.Context, sc *gophercloud.ServiceClient, base string, query url.Values, n int,
	decode func(body func(any) error) (int, string, error)) (int, error) {
	read, marker := 0, ""
	for read < n {
		size := min(n-read, 1000)
		query.Set("limit", strconv.Itoa(size))
		if marker != "" {
			query.Set("marker", marker)
		}
		count, last, err := decode(func(page any) error {
			_, err := sc.Get(ctx, base+"?"+query.Encode(), page, nil)
			return err
		})
		if err != nil {
			return read, err
		}
		read += count
		if count < size {
			break
		}
		marker = last
	}
	return read, nil
}

// lastUUID is the marker after a page of count objects.
func lastUUID(count int, uuid func(int) string) string {
	if count == 0 {
		return ""
	}
	return uuid(count - 1)
}

// planExpect plans in dir and checks the plan's summary line.
func planExpect(e *env, dir, summary string) error {
	out, err := e.terraformCmd(dir, "plan", "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", parallelism)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("terraform plan in %s: %v\n%s", dir, err, tail(out))
	}
	if !strings.Contains(string(out), summary) {
		return fmt.Errorf("terraform plan in %s is not %q:\n%s", dir, summary, tail(out))
	}
	return nil
}

// recipeWorkspace runs the data-source recipe (examples/adopt-fleet, the steps of its
// guide, untimed) for the fleet, up to the configuration whose plan adopts it: the
// inventory (data source), the import blocks, the resource blocks Terraform generated.
func recipeWorkspace(e *env, n int) (string, error) {
	dir := filepath.Join(e.dir, "recipe")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	example := filepath.Join(devtools.RepoRoot(), "examples", "adopt-fleet")
	for _, f := range []string{"main.tf", "inventory.tf"} {
		b, err := os.ReadFile(filepath.Join(example, f))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			return "", err
		}
	}
	owner := "TF_VAR_owner=" + queryOwner
	run := func(args ...string) ([]byte, error) {
		cmd := e.terraformCmd(dir, args...)
		cmd.Env = append(cmd.Env, owner)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("terraform %s: %v\n%s", strings.Join(args, " "), err, tail(out))
		}
		return out, nil
	}
	imports := func(output string) error {
		out, err := run("output", "-raw", output)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "imports.tf"), out, 0o644)
	}
	start := time.Now()
	if _, err := run("init", "-input=false"); err != nil {
		return "", err
	}
	if _, err := run("apply", "-auto-approve", "-input=false"); err != nil {
		return "", err
	}
	if err := imports("import_blocks_to_generate"); err != nil {
		return "", err
	}
	if _, err := run("plan", "-input=false", "-generate-config-out=generated.tf", fmt.Sprintf("-parallelism=%d", parallelism)); err != nil {
		return "", err
	}
	if err := imports("import_blocks"); err != nil {
		return "", err
	}
	fmt.Fprintf(os.Stderr, "bench: the recipe's steps up to its configuration: %s\n", seconds(time.Since(start)))
	// The plan runs with the environment of the bench, which lacks TF_VAR_owner.
	return dir, os.WriteFile(filepath.Join(dir, "owner.auto.tfvars"), []byte(fmt.Sprintf("owner = %q\n", queryOwner)), 0o644)
}

// tail is the end of a command's output, enough for an error.
func tail(out []byte) string {
	const keep = 4000
	if len(out) > keep {
		return "...\n" + string(out[len(out)-keep:])
	}
	return string(out)
}
