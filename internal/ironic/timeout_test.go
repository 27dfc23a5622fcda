package ironic

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"

	"github.com/metalform/terraform-provider-baremetal/internal/httpclient"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// An Ironic that accepts connections and never answers fails Connect after one request
// timeout, with an error naming the endpoint and the setting.
func TestConnectToASilentEndpointFailsInBoundedTime(t *testing.T) {
	hole, err := ironictest.NewBlackHole()
	if err != nil {
		t.Fatal(err)
	}
	defer hole.Close()
	start := time.Now()
	_, err = Connect(context.Background(), Config{Endpoint: hole.URL, RequestTimeout: 200 * time.Millisecond, Retry: fastRetry(8)})
	if !httpclient.IsTimeout(err) || !strings.Contains(err.Error(), hole.URL) || !strings.Contains(err.Error(), "request_timeout") {
		t.Fatalf("got %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("took %s", took)
	}
}

// A request that times out is sent once more, not max_retries times.
func TestTimedOutRequestIsRetriedOnce(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	defer close(release)
	srv := fakeIronic(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	sc, err := Connect(context.Background(), Config{Endpoint: srv.URL, RequestTimeout: 200 * time.Millisecond, Retry: fastRetry(8)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = nodes.Get(context.Background(), sc.SC, "n1").Extract()
	if !httpclient.IsTimeout(err) || !strings.Contains(err.Error(), srv.URL+"/v1/nodes/n1") {
		t.Fatalf("got %v", err)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d attempts, want 2", n)
	}
}

// A cacert given only in clouds.yaml is trusted for Keystone and for every Ironic call.
func TestKeystoneCloudsYAMLCACertHoldsForIronic(t *testing.T) {
	var srv *httptest.Server
	var nodeGets atomic.Int32
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens":
			w.Header().Set("X-Subject-Token", "tok")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"token":{"expires_at":"2099-01-01T00:00:00.000000Z","methods":["password"],
"catalog":[{"type":"baremetal","name":"ironic","endpoints":[{"interface":"public","region":"RegionOne","region_id":"RegionOne","url":%q}]}]}}`, srv.URL)
		case r.URL.Path == "/": // gophercloud checks the catalog endpoint's versions too
			w.Write([]byte(`{"default_version":{"id":"v1","min_version":"1.1","status":"CURRENT","version":"1.82"},
"versions":[{"id":"v1","min_version":"1.1","status":"CURRENT","version":"1.82"}]}`))
		case r.URL.Path == "/v1/nodes/n1":
			nodeGets.Add(1)
			w.Write([]byte(`{"uuid":"n1"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	srv.TLS = &tls.Config{}
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	clouds := filepath.Join(dir, "clouds.yaml")
	os.WriteFile(clouds, fmt.Appendf(nil, `clouds:
  test:
    auth:
      auth_url: %s/v3
      username: admin
      password: secret
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    cacert: %s
`, srv.URL, ca), 0o600)
	t.Setenv("OS_CLIENT_CONFIG_FILE", clouds)
	sc, err := Connect(context.Background(), Config{AuthStrategy: AuthKeystone, Cloud: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodes.Get(context.Background(), sc.SC, "n1").Extract(); err != nil || nodeGets.Load() != 1 {
		t.Fatalf("Ironic call: %v", err)
	}
}
