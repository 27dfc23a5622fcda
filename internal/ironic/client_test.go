package ironic

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

const versionDoc = `{"default_version":{"id":"v1","min_version":"1.1","status":"CURRENT","version":"1.82"},"versions":[]}`

const lockedBody = `{"error_message": "{\"faultstring\": \"Node 1be26c0b is locked by host localhost, please retry after the current operation is completed.\", \"debuginfo\": null}"}`

// fakeIronic answers the version document and lets each test script /v1/nodes/n1.
func fakeIronic(t *testing.T, node http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Write([]byte(versionDoc))
		case "/v1/nodes/n1":
			node(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func fastRetry(max int) *RetryPolicy {
	p := DefaultRetryPolicy(nil)
	p.MaxRetries = max
	p.sleep = func(context.Context, time.Duration) error { return nil }
	return p
}

func TestConnectNegotiatesAndSendsMicroversion(t *testing.T) {
	var got atomic.Value
	srv := fakeIronic(t, func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("X-OpenStack-Ironic-API-Version"))
		w.Write([]byte(`{"uuid":"n1"}`))
	})
	sc, err := Connect(context.Background(), Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if sc.SC.Microversion != "1.82" {
		t.Fatalf("microversion %q", sc.SC.Microversion)
	}
	if _, err := nodes.Get(context.Background(), sc.SC, "n1").Extract(); err != nil {
		t.Fatal(err)
	}
	if got.Load() != "1.82" {
		t.Fatalf("header sent: %v", got.Load())
	}
}

func TestRetriesNodeLockedThenSucceeds(t *testing.T) {
	var calls atomic.Int32
	srv := fakeIronic(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 3 {
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(lockedBody))
			return
		}
		w.Write([]byte(`{"uuid":"n1"}`))
	})
	sc, err := Connect(context.Background(), Config{Endpoint: srv.URL, Retry: fastRetry(5)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodes.Get(context.Background(), sc.SC, "n1").Extract(); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 4 {
		t.Fatalf("%d calls, want 4", calls.Load())
	}
}

func TestRetriesAreBoundedAndKeepIronicsMessage(t *testing.T) {
	var calls atomic.Int32
	srv := fakeIronic(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte(lockedBody))
	})
	sc, err := Connect(context.Background(), Config{Endpoint: srv.URL, Retry: fastRetry(3)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = nodes.Get(context.Background(), sc.SC, "n1").Extract()
	if err == nil || calls.Load() != 4 {
		t.Fatalf("err %v after %d calls, want an error after 4", err, calls.Load())
	}
	if msg := Message(err); !strings.Contains(msg, "is locked by host localhost") || !strings.Contains(msg, "HTTP 409") {
		t.Fatalf("message %q", msg)
	}
}

func TestNoRetryOnDuplicateOrClientErrors(t *testing.T) {
	for _, c := range []struct {
		code int
		body string
	}{
		{409, `{"error_message": "{\"faultstring\": \"A port with MAC address 52:54:00:00:00:01 already exists.\"}"}`},
		{400, `{"error_message": "{\"faultstring\": \"bad\"}"}`},
		{404, `{"error_message": "{\"faultstring\": \"Node n1 could not be found.\"}"}`},
		{500, `{}`},
	} {
		var calls atomic.Int32
		srv := fakeIronic(t, func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(c.code)
			w.Write([]byte(c.body))
		})
		sc, err := Connect(context.Background(), Config{Endpoint: srv.URL, Retry: fastRetry(3)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = nodes.Get(context.Background(), sc.SC, "n1").Extract()
		if err == nil || calls.Load() != 1 {
			t.Errorf("HTTP %d: err %v after %d calls, want one call", c.code, err, calls.Load())
		}
		if c.code == 404 && !IsNotFound(err) {
			t.Errorf("404 not recognised: %v", err)
		}
	}
}

// Ironic's "found not to be locked on release" is transient: a GET or DELETE is sent
// again, a PATCH (which may have been applied) is not.
func TestRetriesNotLockedOnReleaseOnlyWhenSafe(t *testing.T) {
	const body = `{"error_message": "{\"faultstring\": \"Node 464ae29f found not to be locked on release\"}"}`
	for _, c := range []struct {
		method string
		calls  int32
	}{{http.MethodGet, 2}, {http.MethodDelete, 2}, {http.MethodPatch, 1}} {
		var calls atomic.Int32
		srv := fakeIronic(t, func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(body))
				return
			}
			if r.Method == http.MethodDelete {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			w.Write([]byte(`{"uuid":"n1"}`))
		})
		sc, err := Connect(context.Background(), Config{Endpoint: srv.URL, Retry: fastRetry(3)})
		if err != nil {
			t.Fatal(err)
		}
		switch c.method {
		case http.MethodGet:
			_, err = nodes.Get(context.Background(), sc.SC, "n1").Extract()
		case http.MethodDelete:
			err = nodes.Delete(context.Background(), sc.SC, "n1").ExtractErr()
		case http.MethodPatch:
			_, err = nodes.Update(context.Background(), sc.SC, "n1", nodes.UpdateOpts{nodes.UpdateOperation{Op: nodes.ReplaceOp, Path: "/name", Value: "x"}}).Extract()
		}
		if calls.Load() != c.calls || (c.calls == 2) != (err == nil) {
			t.Errorf("%s: %d calls (want %d), err %v", c.method, calls.Load(), c.calls, err)
		}
	}
}

func TestRetries503(t *testing.T) {
	var calls atomic.Int32
	srv := fakeIronic(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"uuid":"n1"}`))
	})
	sc, err := Connect(context.Background(), Config{Endpoint: srv.URL, Retry: fastRetry(3)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodes.Get(context.Background(), sc.SC, "n1").Extract(); err != nil || calls.Load() != 2 {
		t.Fatalf("err %v, %d calls", err, calls.Load())
	}
}

func TestWaitForAPI(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(versionDoc))
	}))
	defer srv.Close()
	if _, err := Connect(context.Background(), Config{Endpoint: srv.URL}); err == nil || !strings.Contains(err.Error(), "api_timeout") {
		t.Fatalf("without api_timeout: %v", err)
	}
	calls.Store(0)
	if _, err := Connect(context.Background(), Config{Endpoint: srv.URL, APITimeout: 10 * time.Second}); err != nil {
		t.Fatalf("with api_timeout: %v", err)
	}
}

func TestConnectErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Connect(ctx, Config{Endpoint: "http://127.0.0.1:1", AuthStrategy: "kerberos"}); err == nil || !strings.Contains(err.Error(), "unknown auth_strategy") {
		t.Errorf("unknown strategy: %v", err)
	}
	if _, err := Connect(ctx, Config{Endpoint: "http://127.0.0.1:1", AuthStrategy: AuthHTTPBasic}); err == nil {
		t.Error("http_basic without credentials accepted")
	}
	if _, err := Connect(ctx, Config{Endpoint: "http://127.0.0.1:1", CertFile: "x"}); err == nil || !strings.Contains(err.Error(), "go together") {
		t.Errorf("cert without key: %v", err)
	}
	if _, err := Connect(ctx, Config{Endpoint: "http://127.0.0.1:1", CAFile: "/nonexistent"}); err == nil || !strings.Contains(err.Error(), "ca_file") {
		t.Errorf("missing CA: %v", err)
	}
}

func TestHTTPBasicSendsCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); r.URL.Path != "/" && (!ok || u != "admin" || p != "pw") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/" {
			w.Write([]byte(versionDoc))
			return
		}
		w.Write([]byte(`{"uuid":"n1"}`))
	}))
	defer srv.Close()
	sc, err := Connect(context.Background(), Config{Endpoint: srv.URL + "/v1", AuthStrategy: AuthHTTPBasic, Username: "admin", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodes.Get(context.Background(), sc.SC, "n1").Extract(); err != nil {
		t.Fatal(err)
	}
}

func TestMessageFormats(t *testing.T) {
	cases := map[string]string{
		`{"error_message": "{\"faultstring\": \"Node x could not be found.\", \"debuginfo\": null}"}`: "Node x could not be found. (HTTP 404)",
		`{"error_message": {"faultstring": "Nested object."}}`:                                        "Nested object. (HTTP 404)",
		`{"error": {"message": "Incorrect username or password", "code": 401}}`:                       "Incorrect username or password (HTTP 404)",
	}
	for body, want := range cases {
		err := gophercloud.ErrUnexpectedResponseCode{Actual: 404, Body: []byte(body)}
		if got := Message(err); got != want {
			t.Errorf("Message(%s) = %q, want %q", body, got, want)
		}
	}
	raw := gophercloud.ErrUnexpectedResponseCode{Actual: 502, Body: []byte("<html>bad gateway</html>")}
	if got := Message(raw); !strings.Contains(got, "502") {
		t.Errorf("non-JSON body: %q", got)
	}
}

// A create whose answer is lost after Ironic acted is found by its UUID, not sent twice.
func TestCreateNodeAfterLostAnswer(t *testing.T) {
	var posts atomic.Int32
	var created atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/":
			w.Write([]byte(versionDoc))
		case r.Method == http.MethodPost:
			posts.Add(1)
			created.Store(true) // Ironic acted...
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close() // ...but the answer is lost
			}
		case r.Method == http.MethodGet && created.Load():
			w.Write([]byte(`{"uuid": "11111111-1111-4111-8111-111111111111", "name": "n"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error_message": "{\"faultstring\": \"Node could not be found.\"}"}`))
		}
	}))
	defer srv.Close()
	sc, err := Connect(context.Background(), Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	sc.Retry = fastRetry(3)
	node, err := sc.CreateNode(context.Background(), NodeCreate{"uuid": "11111111-1111-4111-8111-111111111111", "driver": "fake-hardware"})
	if err != nil || node.UUID != "11111111-1111-4111-8111-111111111111" {
		t.Fatalf("got %v, %v", node, err)
	}
	if posts.Load() != 1 {
		t.Fatalf("%d POSTs: the create was sent again", posts.Load())
	}
}

// A create is never resent by the transport (createOnce asks for its UUID first); reads
// ride out a proxy's 502, 503 and 504.
func TestRetryReasonByMethod(t *testing.T) {
	for _, c := range []struct {
		method string
		code   int
		retry  bool
	}{
		{http.MethodGet, 502, true}, {http.MethodGet, 504, true}, {http.MethodHead, 503, true},
		{http.MethodPatch, 502, true}, {http.MethodPut, 503, true}, {http.MethodDelete, 504, true},
		{http.MethodPost, 502, false}, {http.MethodPost, 503, false}, {http.MethodPost, 504, false},
		{http.MethodGet, 500, false}, {http.MethodGet, 404, false},
	} {
		err := gophercloud.ErrUnexpectedResponseCode{Actual: c.code, Body: []byte("x")}
		if got := retryReason(c.method, err) != ""; got != c.retry {
			t.Errorf("%s answered %d: retried = %v, want %v", c.method, c.code, got, c.retry)
		}
	}
}

// A PATCH resent after a lost answer drops the removals that already took effect.
func TestPendingOpsDropAppliedRemovals(t *testing.T) {
	node := map[string]any{"driver_info": map[string]any{"ipmi_address": "10.0.0.1"}, "extra": map[string]any{"a/b": "x"}}
	body := []map[string]any{
		{"op": "remove", "path": "/driver_info/ipmi_port"}, // applied: gone
		{"op": "remove", "path": "/extra/a~1b"},            // not yet: still there
		{"op": "add", "path": "/driver_info/ipmi_address", "value": "10.0.0.1"},
	}
	got := pendingOps(body, node).([]map[string]any)
	if len(got) != 2 || got[0]["path"] != "/extra/a~1b" || got[1]["op"] != "add" {
		t.Fatalf("%v", got)
	}
}
