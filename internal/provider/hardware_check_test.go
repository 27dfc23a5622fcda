package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/metalform/terraform-provider-baremetal/internal/image"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// A port planned after its node was enrolled by this process, never inspected, checks
// its MAC against no inventory without asking Ironic; a node inspected here is asked.
func TestPortMACCheckSkipsTheInventoryOfANodeEnrolledHere(t *testing.T) {
	var inventoryGETs atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/inventory") {
			inventoryGETs.Add(1)
			http.Error(w, `{"error_message": "{\"faultstring\": \"no inventory\"}"}`, http.StatusNotFound)
			return
		}
		w.Write([]byte(`{"default_version":{"id":"v1","min_version":"1.1","status":"CURRENT","version":"1.82"},"versions":[]}`))
	}))
	defer srv.Close()
	c := newClients(ironic.Config{Endpoint: srv.URL}, image.Options{CacheDir: t.TempDir()})
	now := time.Now()
	c.noInventoryYet(&nodes.Node{UUID: "enrolled-here"})
	c.noInventoryYet(&nodes.Node{UUID: "inspected-here", InspectionStartedAt: &now, InspectionFinishedAt: &now})
	var diags diag.Diagnostics
	checkPortMAC(context.Background(), c, "enrolled-here", "52:54:00:00:00:01", &diags)
	if n := inventoryGETs.Load(); n != 0 || diags.HasError() {
		t.Fatalf("%d inventory requests for a node enrolled here, never inspected (%v)", n, diags)
	}
	checkPortMAC(context.Background(), c, "inspected-here", "52:54:00:00:00:01", &diags)
	if n := inventoryGETs.Load(); n != 1 {
		t.Fatalf("%d inventory requests for an inspected node, want 1", n)
	}
}
