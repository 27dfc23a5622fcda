package ironic

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

// Every create is idempotent by itself: a body without a UUID is sent with one chosen
// here (and the caller's body records it), so a create whose answer was lost can be
// looked up instead of sent again.
func TestCreatesChooseTheUUID(t *testing.T) {
	var posted map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Write([]byte(versionDoc))
			return
		}
		if r.Method != http.MethodPost {
			http.NotFound(w, r)
			return
		}
		posted = nil
		_ = json.NewDecoder(r.Body).Decode(&posted)
		posted["state"] = AllocationActive // an allocation picked at once
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(posted)
	}))
	t.Cleanup(srv.Close)
	c, err := Connect(context.Background(), Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c.Retry, c.clock = fastRetry(0), &backoff.Recorder{}
	ctx := context.Background()
	for name, create := range map[string]func(body map[string]any) error{
		"node":            func(b map[string]any) error { _, err := c.CreateNode(ctx, b); return err },
		"port":            func(b map[string]any) error { _, err := c.CreatePort(ctx, b); return err },
		"portgroup":       func(b map[string]any) error { _, err := Portgroups.Create(c, ctx, b); return err },
		"deploy template": func(b map[string]any) error { _, err := DeployTemplates.Create(c, ctx, b); return err },
		"runbook":         func(b map[string]any) error { _, err := Runbooks.Create(c, ctx, b); return err },
		"allocation":      func(b map[string]any) error { _, err := c.Allocate(ctx, b); return err },
	} {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			body := map[string]any{"name": "x"}
			if err := create(body); err != nil {
				t.Fatal(err)
			}
			uuid, _ := posted["uuid"].(string)
			if len(uuid) != 36 || body["uuid"] != uuid {
				t.Fatalf("sent uuid %q, body records %v", uuid, body["uuid"])
			}
		})
	}
}
