package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/metalform/terraform-provider-baremetal/internal/image"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// A first connection attempt the caller cancelled is not cached as Ironic's answer: the
// next caller connects.
func TestIronicClientRetriesAfterACancelledConnect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"default_version":{"id":"v1","min_version":"1.1","status":"CURRENT","version":"1.82"},"versions":[]}`))
	}))
	defer srv.Close()
	c := newClients(ironic.Config{Endpoint: srv.URL}, image.Options{CacheDir: t.TempDir()})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, diags := c.Ironic(cancelled); !diags.HasError() {
		t.Fatal("a cancelled connect succeeded")
	}
	sc, diags := c.Ironic(context.Background())
	if diags.HasError() || sc == nil {
		t.Fatalf("the cancelled attempt was cached: %v", diags)
	}
}

// A refusal that trying again will not cure is remembered: one answer per process.
func TestIronicClientCachesARealFailure(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer srv.Close()
	c := newClients(ironic.Config{Endpoint: srv.URL}, image.Options{CacheDir: t.TempDir()})
	for range 3 {
		if _, diags := c.Ironic(context.Background()); !diags.HasError() {
			t.Fatal("a 401 connected")
		}
	}
	if calls != 1 {
		t.Fatalf("%d connection attempts, want 1", calls)
	}
}

// Operations without a user timeout get one derived from request_timeout.
func TestOperationDeadline(t *testing.T) {
	if d := operationDeadline(ironic.Config{}); d.Minutes() != 2 {
		t.Fatalf("default deadline %s, want 2m (four 30 s requests)", d)
	}
	var nilClients *clients
	ctx, cancel := nilClients.bounded(context.Background())
	defer cancel()
	if _, ok := ctx.Deadline(); !ok {
		t.Fatal("an unconfigured provider's operations are unbounded")
	}
}
