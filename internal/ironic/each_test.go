package ironic

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// fakePagedAPI is an Ironic whose collections are paged as Ironic pages them: at most
// maxLimit objects a page (and the asked limit), after the marker, with a "next" link
// when more follow. calls records each list request as "GET /path?query".
type fakePagedAPI struct {
	mu       sync.Mutex
	maxLimit int
	objects  map[string][]map[string]any // by collection: "nodes", "portgroups"
	calls    []string
}

func newFakePagedAPI(t *testing.T, maxLimit int, objects map[string][]map[string]any) (*fakePagedAPI, *Client) {
	t.Helper()
	f := &fakePagedAPI{maxLimit: maxLimit, objects: objects}
	srv := httptest.NewServer(http.HandlerFunc(f.handler))
	t.Cleanup(srv.Close)
	c, err := Connect(context.Background(), Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func (f *fakePagedAPI) handler(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" {
		w.Write([]byte(versionDoc))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/v1/")
	f.calls = append(f.calls, "GET /"+path+"?"+r.URL.RawQuery)
	collection := strings.TrimSuffix(path, "/detail")
	all := f.objects[collection]
	q := r.URL.Query()
	size := f.maxLimit
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n < size {
		size = n
	}
	start := 0
	if m := q.Get("marker"); m != "" {
		for i, o := range all {
			if o["uuid"] == m {
				start = i + 1
			}
		}
	}
	end := min(start+size, len(all))
	page := map[string]any{collection: all[start:end]}
	if end < len(all) {
		page["next"] = fmt.Sprintf("http://%s/v1/%s?limit=%d&marker=%s", r.Host, collection, size, all[end-1]["uuid"])
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(page)
}

func pagedNodes(n int, state func(i int) string) []map[string]any {
	var out []map[string]any
	for i := range n {
		out = append(out, map[string]any{"uuid": fmt.Sprintf("n%d", i), "name": fmt.Sprintf("node%d", i), "provision_state": state(i)})
	}
	return out
}

func available(int) string { return "available" }

func collectNodes(t *testing.T, c *Client, f NodeFilter, deployed *DeploymentFilter, l Listing, stopAfter int) []string {
	t.Helper()
	var got []string
	err := c.EachNode(context.Background(), f, deployed, l, func(n *nodes.Node) bool {
		got = append(got, n.UUID)
		return stopAfter == 0 || len(got) < stopAfter
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A limit is asked of Ironic as the page size, and no page is read beyond it.
func TestEachNodeHonoursTheLimit(t *testing.T) {
	f, c := newFakePagedAPI(t, 2, map[string][]map[string]any{"nodes": pagedNodes(7, available)})
	got := collectNodes(t, c, NodeFilter{Shard: "rack-a"}, nil, Listing{Limit: 5}, 0)
	if strings.Join(got, " ") != "n0 n1 n2 n3 n4" {
		t.Fatalf("listed %v", got)
	}
	want := []string{
		"GET /nodes?fields=uuid%2Cname%2Cprovision_state%2Ctraits&limit=5&sort_key=created_at&shard=rack-a",
		"GET /nodes?fields=uuid%2Cname%2Cprovision_state%2Ctraits&limit=3&marker=n1&sort_key=created_at&shard=rack-a",
		"GET /nodes?fields=uuid%2Cname%2Cprovision_state%2Ctraits&limit=1&marker=n3&sort_key=created_at&shard=rack-a",
	}
	if strings.Join(f.calls, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s", strings.Join(f.calls, "\n"))
	}
}

// Without a limit every page is read; with Full the nodes come in detail.
func TestEachNodeReadsEveryPage(t *testing.T) {
	f, c := newFakePagedAPI(t, 2, map[string][]map[string]any{"nodes": pagedNodes(5, available)})
	if got := collectNodes(t, c, NodeFilter{}, nil, Listing{Full: true}, 0); len(got) != 5 {
		t.Fatalf("listed %v", got)
	}
	if len(f.calls) != 3 || !strings.HasPrefix(f.calls[0], "GET /nodes/detail?limit=1000&sort_key=created_at") {
		t.Fatalf("calls:\n%s", strings.Join(f.calls, "\n"))
	}
}

// When the reader stops, no further page is read.
func TestEachNodeStopsWhenTheReaderStops(t *testing.T) {
	f, c := newFakePagedAPI(t, 2, map[string][]map[string]any{"nodes": pagedNodes(7, available)})
	if got := collectNodes(t, c, NodeFilter{}, nil, Listing{}, 2); len(got) != 2 {
		t.Fatalf("listed %v", got)
	}
	if len(f.calls) != 1 {
		t.Fatalf("calls:\n%s", strings.Join(f.calls, "\n"))
	}
}

// Deployed only: the nodes no deployment holds are skipped and do not count towards
// the limit; pages are read whole, as most of one may be skipped.
func TestEachNodeDeployedOnly(t *testing.T) {
	state := func(i int) string {
		if i%2 == 1 {
			return "active"
		}
		return "manageable"
	}
	f, c := newFakePagedAPI(t, 2, map[string][]map[string]any{"nodes": pagedNodes(8, state)})
	got := collectNodes(t, c, NodeFilter{}, &DeploymentFilter{}, Listing{Limit: 3}, 0)
	if strings.Join(got, " ") != "n1 n3 n5" || len(f.calls) != 3 || !strings.Contains(f.calls[1], "limit=1000") {
		t.Fatalf("listed %v, calls:\n%s", got, strings.Join(f.calls, "\n"))
	}
}

// Deployments to adopt: neither a foreign instance (unless asked for) nor a deployment
// that failed, whose import would plan a new deploy; the fields that tell them apart
// are asked for.
func TestEachNodeDeploymentsToAdopt(t *testing.T) {
	nodes := []map[string]any{
		{"uuid": "n0", "provision_state": "active"},
		{"uuid": "n1", "provision_state": "active", "instance_uuid": "s1"},
		{"uuid": "n2", "provision_state": "active", "instance_uuid": "a2"}, // an allocation's
		{"uuid": "n3", "provision_state": "deploy failed"},
		{"uuid": "n4", "provision_state": "clean failed"},
		{"uuid": "n5", "provision_state": "rescue"},
	}
	f, c := newFakePagedAPI(t, 10, map[string][]map[string]any{"nodes": nodes, "allocations": {{"uuid": "a2"}}})
	if got := collectNodes(t, c, NodeFilter{}, &DeploymentFilter{}, Listing{}, 0); strings.Join(got, " ") != "n0 n2 n5" {
		t.Errorf("listed %v", got)
	}
	// Ironic 21.4 cannot list allocation_uuid as a field: the allocations are read once.
	want := "GET /nodes?fields=uuid%2Cname%2Cprovision_state%2Ctraits%2Cinstance_uuid&limit=1000&sort_key=created_at\n" +
		"GET /allocations?fields=uuid&limit=1000"
	if strings.Join(f.calls, "\n") != want {
		t.Errorf("calls:\n%s", strings.Join(f.calls, "\n"))
	}
	if got := collectNodes(t, c, NodeFilter{}, &DeploymentFilter{IncludeForeign: true}, Listing{}, 0); strings.Join(got, " ") != "n0 n1 n2 n5" {
		t.Errorf("with foreign instances, listed %v", got)
	}
	if got := collectNodes(t, c, NodeFilter{}, nil, Listing{}, 0); len(got) != 6 {
		t.Errorf("nodes: listed %v", got)
	}
}

// Port groups (a kind gophercloud does not wrap) page the same way, filtered by node.
func TestEachPortgroupPages(t *testing.T) {
	var groups []map[string]any
	for i := range 3 {
		groups = append(groups, map[string]any{"uuid": fmt.Sprintf("g%d", i), "name": fmt.Sprintf("bond%d", i), "node_uuid": "n1"})
	}
	f, c := newFakePagedAPI(t, 2, map[string][]map[string]any{"portgroups": groups})
	var got []string
	err := c.EachPortgroup(context.Background(), "n1", Listing{Full: true}, func(g *Portgroup) bool {
		got = append(got, g.Name)
		return true
	})
	if err != nil || strings.Join(got, " ") != "bond0 bond1 bond2" {
		t.Fatalf("listed %v: %v", got, err)
	}
	want := []string{"GET /portgroups?detail=true&limit=1000&node=n1", "GET /portgroups?detail=true&limit=1000&marker=g1&node=n1"}
	if strings.Join(f.calls, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s", strings.Join(f.calls, "\n"))
	}
	f.calls = nil
	got = nil
	err = Runbooks.Each(c, context.Background(), Listing{Limit: 1}, func(r *Runbook) bool { got = append(got, r.Name); return true })
	if err != nil || len(got) != 0 || f.calls[0] != "GET /runbooks?fields=uuid%2Cname&limit=1" {
		t.Fatalf("runbooks %v %v %v", got, err, f.calls)
	}
}

// A page is decoded once, straight into its objects: a next link (or none, or null)
// says whether more follow, and a page without the collection's key holds nothing.
func TestListPage(t *testing.T) {
	for _, c := range []struct {
		body  string
		names string
		more  bool
	}{
		{`{"nodes": [{"uuid": "a", "name": "n1"}, {"uuid": "b", "name": "n2"}], "next": "http://x/v1/nodes?marker=b"}`, "n1 n2", true},
		{`{"nodes": [{"uuid": "a", "name": "n1"}], "next": null}`, "n1", false},
		{`{"nodes": [{"uuid": "a", "name": "n1"}]}`, "n1", false},
		{`{"ports": []}`, "", false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				w.Write([]byte(versionDoc))
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(c.body))
		}))
		c2, err := Connect(context.Background(), Config{Endpoint: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		items, more, err := listPage[nodes.Node](context.Background(), c2, c2.SC.ServiceURL("nodes"), "nodes")
		srv.Close()
		var names []string
		for _, n := range items {
			names = append(names, n.Name)
		}
		if err != nil || strings.Join(names, " ") != c.names || more != c.more {
			t.Errorf("%s: %v more=%v %v", c.body, names, more, err)
		}
	}
}
