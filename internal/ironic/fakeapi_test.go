package ironic

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

// fakeNodeAPI is an Ironic holding nodes as JSON objects: creates, reads, patches,
// traits, target RAID, maintenance, BIOS settings, provision and power requests (each
// settling at once in the state it leads to; a clean ends powered off). fail makes a request ("PATCH /nodes/n1", "PUT
// /nodes/n1/traits", ...) answer with that status; calls records every request but the
// version document's, in order.
type fakeNodeAPI struct {
	mu    sync.Mutex
	nodes map[string]map[string]any
	bios  []BIOSSetting
	fail  map[string]int
	calls []string
	// held is how many more GETs of a node still show the reservation of the conductor
	// that carried out the last request (it has not released its lock yet).
	held int
}

// settlesIn is where a provision request leaves the node.
var settlesIn = map[string]string{
	"manage": "manageable", "provide": "available", "active": "active", "rebuild": "active", "deleted": "available",
	"clean": "manageable", "adopt": "active",
}

func newFakeNodeAPI(t *testing.T, nodes ...map[string]any) (*fakeNodeAPI, *Client) {
	t.Helper()
	f := &fakeNodeAPI{nodes: map[string]map[string]any{}, fail: map[string]int{}}
	for _, n := range nodes {
		f.nodes[n["uuid"].(string)] = n
	}
	srv := httptest.NewServer(http.HandlerFunc(f.handler))
	t.Cleanup(srv.Close)
	p, err := Connect(context.Background(), Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	p.Retry, p.clock = fastRetry(0), &backoff.Recorder{}
	return f, p
}

// fakeNode is a settled node in state.
func fakeNodeIn(uuid, state string) map[string]any {
	return map[string]any{"uuid": uuid, "provision_state": state, "power_state": "power off", "maintenance": false}
}

func (f *fakeNodeAPI) handler(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path == "/" {
		w.Write([]byte(versionDoc))
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/v1")
	call := r.Method + " " + path
	f.calls = append(f.calls, call)
	if code := f.fail[call]; code != 0 {
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"error_message": "{\"faultstring\": \"refused: %s\"}"}`, call)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if r.Method == http.MethodPost && path == "/nodes" {
		var n map[string]any
		json.Unmarshal(raw, &n)
		uuid, _ := n["uuid"].(string)
		if _, ok := f.nodes[uuid]; ok {
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"error_message": "{\"faultstring\": \"A node with UUID already exists.\"}"}`))
			return
		}
		n["provision_state"], n["maintenance"] = "enroll", false
		f.nodes[uuid] = n
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(n)
		return
	}
	if len(parts) < 2 || parts[0] != "nodes" {
		http.NotFound(w, r)
		return
	}
	n, ok := f.nodes[parts[1]]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error_message": "{\"faultstring\": \"Node could not be found.\"}"}`))
		return
	}
	switch sub := strings.Join(parts[2:], "/"); {
	case r.Method == http.MethodGet && sub == "" && f.held > 0:
		f.held--
		json.NewEncoder(w).Encode(withReservation(n, "conductor-1"))
	case r.Method == http.MethodGet && sub == "":
		json.NewEncoder(w).Encode(n)
	case r.Method == http.MethodPatch && sub == "":
		var ops []PatchOp
		json.Unmarshal(raw, &ops)
		for _, op := range ops {
			field := strings.TrimPrefix(op.Path, "/")
			if field == "retired" && op.Value == true && n["provision_state"] == "available" {
				w.WriteHeader(http.StatusConflict)
				fmt.Fprint(w, `{"error_message": "{\"faultstring\": \"can not have 'retired' set in provision state 'available'\"}"}`)
				return
			}
			if op.Op == OpRemove {
				delete(n, field)
			} else {
				n[field] = op.Value
			}
		}
		json.NewEncoder(w).Encode(n)
	case r.Method == http.MethodPut && sub == "traits":
		var body struct{ Traits []string }
		json.Unmarshal(raw, &body)
		n["traits"] = body.Traits
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPut && sub == "states/raid":
		var cfg map[string]any
		json.Unmarshal(raw, &cfg)
		n["target_raid_config"] = cfg
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPut && sub == "maintenance":
		var body struct{ Reason string }
		json.Unmarshal(raw, &body)
		n["maintenance"], n["maintenance_reason"] = true, body.Reason
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodDelete && sub == "maintenance":
		n["maintenance"], n["maintenance_reason"] = false, nil
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodGet && sub == "bios":
		json.NewEncoder(w).Encode(map[string]any{"bios": f.bios})
	case r.Method == http.MethodPut && sub == "states/provision":
		var body struct{ Target string }
		json.Unmarshal(raw, &body)
		to, ok := settlesIn[body.Target]
		retired := n["retired"] == true
		if !ok || retired && body.Target == "provide" { // Ironic provides no retired node (API 1.61)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if retired && body.Target == "deleted" && n["automated_clean"] != false {
			to = "manageable" // its cleaning ends there
		}
		f.calls[len(f.calls)-1] += " " + body.Target
		n["provision_state"] = to
		if body.Target == "clean" {
			n["power_state"] = PowerOff // as Ironic ends a clean
		}
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPut && sub == "states/power":
		var body struct{ Target string }
		json.Unmarshal(raw, &body)
		f.calls[len(f.calls)-1] += " " + body.Target
		n["power_state"] = body.Target
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// requests is the calls made, one string; GETs of the node itself are left out when
// reads is false (how often a wait reads is not the point of most tests).
func (f *fakeNodeAPI) requests(reads bool) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if !reads && strings.HasPrefix(c, "GET /nodes/") && strings.Count(c, "/") == 2 {
			continue
		}
		out = append(out, c)
	}
	return strings.Join(out, ", ")
}

// withReservation is a copy of node n reserved by conductor.
func withReservation(n map[string]any, conductor string) map[string]any {
	out := make(map[string]any, len(n)+1)
	for k, v := range n {
		out[k] = v
	}
	out["reservation"] = conductor
	return out
}
