package ironic

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// Ironic's access log shows who called: every request, the version document's
// included, carries the configured User-Agent ahead of gophercloud's own.
func TestConnectSendsUserAgent(t *testing.T) {
	var mu sync.Mutex
	var agents []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents = append(agents, r.URL.Path+" "+r.Header.Get("User-Agent"))
		mu.Unlock()
		switch r.URL.Path {
		case "/":
			w.Write([]byte(`{"default_version":{"id":"v1","min_version":"1.1","status":"CURRENT","version":"1.82"},"versions":[]}`))
		case "/v1/nodes/n1":
			w.Write([]byte(`{"uuid":"n1"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	sc, err := Connect(context.Background(), Config{Endpoint: srv.URL, UserAgent: "terraform-provider-baremetal/1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodes.Get(context.Background(), sc, "n1").Extract(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(agents) < 2 {
		t.Fatalf("requests: %q", agents)
	}
	for _, a := range agents {
		path, ua, _ := strings.Cut(a, " ")
		if !strings.HasPrefix(ua, "terraform-provider-baremetal/1.2.3 ") || !strings.Contains(ua, "gophercloud/") {
			t.Errorf("%s: User-Agent %q, want terraform-provider-baremetal/1.2.3 before gophercloud's", path, ua)
		}
	}
}
