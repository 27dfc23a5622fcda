package ironic

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

// allocationIronic answers allocations: the first one created is never picked up (the
// conductor lost it); later ones get node n1 at once. It records the requests in order.
func allocationIronic(t *testing.T) (*httptest.Server, *[]string) {
	var mu sync.Mutex
	var calls []string
	created := map[string]bool{}
	first := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/" {
			w.Write([]byte(versionDoc))
			return
		}
		id := strings.TrimPrefix(r.URL.Path, "/v1/allocations/")
		answer := func(uuid string) {
			state, node := "active", `"n1"`
			if uuid == first {
				state, node = "allocating", "null"
			}
			w.Write([]byte(`{"uuid":"` + uuid + `","state":"` + state + `","node_uuid":` + node + `}`))
		}
		switch {
		case r.Method == http.MethodPost:
			var body map[string]any
			_ = json.NewDecoder(r.Body).Decode(&body)
			uuid, _ := body["uuid"].(string)
			if first == "" {
				first = uuid
			}
			created[uuid] = true
			calls = append(calls, "create "+uuid)
			w.WriteHeader(http.StatusCreated)
			answer(uuid)
		case r.Method == http.MethodDelete && created[id]:
			delete(created, id)
			calls = append(calls, "delete "+id)
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodGet && created[id]:
			answer(id)
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error_message": "{\"faultstring\": \"Allocation could not be found.\"}"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// An allocation the conductor never picks up is deleted before another is created
// (so a late pick cannot claim a second node), and the next one succeeds.
func TestLostAllocationDeletedThenRetried(t *testing.T) {
	srv, calls := allocationIronic(t)
	p, err := Connect(context.Background(), Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	p.Retry, p.clock = fastRetry(0), &backoff.Recorder{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // without the fix, the wait runs out
	defer cancel()
	a, err := p.Allocate(ctx, AllocationCreate{"resource_class": "baremetal"})
	if err != nil || a.NodeUUID != "n1" {
		t.Fatalf("got %+v, %v", a, err)
	}
	c := *calls
	if len(c) != 3 || !strings.HasPrefix(c[0], "create ") || c[1] != "delete "+strings.TrimPrefix(c[0], "create ") || !strings.HasPrefix(c[2], "create ") {
		t.Fatalf("requests %q: want create, delete of that one, create", c)
	}
}

// Lost every time: the attempts are bounded and the error says what happened.
func TestLostAllocationsBounded(t *testing.T) {
	srv, calls := allocationIronic(t)
	p, err := Connect(context.Background(), Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	p.Retry, p.clock = fastRetry(0), &backoff.Recorder{}
	defer func(a []time.Duration) { allocationAttempts = a }(allocationAttempts)
	allocationAttempts = allocationAttempts[:1]
	_, err = p.Allocate(context.Background(), AllocationCreate{"resource_class": "baremetal"})
	var stalled *AllocationStalledError
	if !errors.As(err, &stalled) || !strings.Contains(err.Error(), `still "allocating" after 1m`) {
		t.Fatalf("got %v", err)
	}
	if len(*calls) != 2 || !strings.HasPrefix((*calls)[1], "delete ") {
		t.Fatalf("requests %q: want create, delete", *calls)
	}
}
