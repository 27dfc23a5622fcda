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

// bootConductor is an Ironic whose conductor changes boot mode and secure boot in the
// background, as Ironic's does: a PUT is answered 202 with last_error cleared, and the
// node reports the value (or a "Failed to change ..." last_error) a few reads later.
type bootConductor struct {
	mu        sync.Mutex
	node      map[string]any
	calls     []string
	lag       int               // reads before a change shows
	pending   func()            // the change the conductor is making
	fail      map[string]string // field -> the last_error its change ends in
	never     bool              // changes never show (a BMC that ignores them)
	maxVerson string
}

func (b *bootConductor) serve(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.URL.Path == "/" {
		w.Write([]byte(strings.Replace(versionDoc, `"version":"1.82"`, `"version":"`+b.maxVerson+`"`, 1)))
		return
	}
	b.calls = append(b.calls, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/nodes/n1":
		if b.pending != nil {
			if b.lag--; b.lag < 0 {
				b.pending()
				b.pending = nil
			}
		}
		json.NewEncoder(w).Encode(b.node)
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/v1/nodes/n1/states/"):
		field := strings.TrimPrefix(r.URL.Path, "/v1/nodes/n1/states/")
		var body struct{ Target any }
		json.NewDecoder(r.Body).Decode(&body)
		b.node["last_error"] = nil
		b.lag = 2
		b.pending = func() {
			switch {
			case b.fail[field] != "":
				b.node["last_error"] = b.fail[field]
			case !b.never:
				b.node[field] = body.Target
			}
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

func newBootConductor(t *testing.T, node map[string]any) (*bootConductor, *Client) {
	t.Helper()
	b := &bootConductor{node: node, fail: map[string]string{}, maxVerson: "1.82"}
	node["uuid"] = "n1"
	srv := httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(srv.Close)
	c, err := Connect(context.Background(), Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c.Retry, c.clock = fastRetry(0), &backoff.Recorder{}
	return b, c
}

func (b *bootConductor) puts() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, c := range b.calls {
		if strings.HasPrefix(c, "PUT ") {
			out = append(out, strings.TrimSuffix(strings.TrimPrefix(c, "PUT /v1/nodes/n1/states/"), "?"))
		}
	}
	return out
}

func TestSetBootOrderAndWait(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		name   string
		node   map[string]any
		change BootChange
		puts   string
		want   NodeBoot
	}{
		{"to UEFI, then secure boot on", map[string]any{"boot_mode": "bios", "secure_boot": false},
			BootChange{Mode: "uefi", SecureBoot: &yes}, "boot_mode secure_boot", NodeBoot{"uefi", &yes}},
		{"secure boot off, then to BIOS", map[string]any{"boot_mode": "uefi", "secure_boot": true},
			BootChange{Mode: "bios", SecureBoot: &no}, "secure_boot boot_mode", NodeBoot{"bios", &no}},
		{"what Ironic reports already is not sent", map[string]any{"boot_mode": "uefi", "secure_boot": true},
			BootChange{Mode: "uefi", SecureBoot: &yes}, "", NodeBoot{"uefi", &yes}},
		{"a mode Ironic has not read yet", map[string]any{},
			BootChange{Mode: "uefi"}, "boot_mode", NodeBoot{Mode: "uefi"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, c := newBootConductor(t, tc.node)
			got, err := c.SetBoot(context.Background(), "n1", tc.change)
			if err != nil {
				t.Fatal(err)
			}
			if p := strings.Join(b.puts(), " "); p != tc.puts {
				t.Errorf("calls %q, want %q", p, tc.puts)
			}
			if got.Mode != tc.want.Mode || (got.SecureBoot == nil) != (tc.want.SecureBoot == nil) ||
				(got.SecureBoot != nil && *got.SecureBoot != *tc.want.SecureBoot) {
				t.Errorf("reports %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSetBootFailures(t *testing.T) {
	yes := true
	t.Run("the conductor's error", func(t *testing.T) {
		b, c := newBootConductor(t, map[string]any{"boot_mode": "bios", "secure_boot": false})
		b.fail["secure_boot"] = "Failed to change secure_boot state to 'True': Configuring secure boot requires UEFI"
		_, err := c.SetBoot(context.Background(), "n1", BootChange{Mode: "uefi", SecureBoot: &yes})
		var be *BootError
		if !errors.As(err, &be) || be.Field != "secure_boot" || !strings.Contains(err.Error(), "requires UEFI") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("never reported", func(t *testing.T) {
		b, c := newBootConductor(t, map[string]any{"boot_mode": "bios"})
		b.never = true
		old := BootSettleTime
		BootSettleTime = 50 * time.Millisecond
		defer func() { BootSettleTime = old }()
		c.clock = backoff.Clock{}
		_, err := c.SetBoot(context.Background(), "n1", BootChange{Mode: "uefi"})
		if err == nil || !strings.Contains(err.Error(), "still reports boot_mode = bios after asking for uefi") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		_, c := newBootConductor(t, map[string]any{"boot_mode": "bios"})
		_, err := c.SetBoot(context.Background(), "nope", BootChange{Mode: "uefi"})
		if err == nil {
			t.Fatal("no error for a node Ironic does not have")
		}
	})
}

// An Ironic older than API 1.75 has no boot fields: nothing is read, nothing reported.
func TestReadNodeBootBeforeTheFields(t *testing.T) {
	b, c := newBootConductor(t, map[string]any{"boot_mode": "uefi"})
	c.SC.Microversion = "1.74"
	got, err := c.ReadNodeBoot(context.Background(), "n1")
	if err != nil || got.Mode != "" || len(b.calls) != 0 {
		t.Fatalf("got %+v %v after %v", got, err, b.calls)
	}
	c.SC.Microversion = "1.75"
	if got, err = c.ReadNodeBoot(context.Background(), "n1"); err != nil || got.Mode != "uefi" {
		t.Fatalf("got %+v %v", got, err)
	}
}

// What keeps boot settings from holding: secure boot in BIOS mode, and capabilities
// that Ironic's deploy would follow instead, read as Ironic reads them.
func TestCheckBoot(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		mode   string
		secure *bool
		caps   string
		want   string // the fields in conflict
	}{
		{"uefi", &yes, "", ""},
		{"bios", &no, "", ""},
		{"bios", &yes, "", "secure_boot"},
		{"", &yes, "", ""}, // the mode is Ironic's: its check is the conductor's
		{"uefi", nil, "boot_mode:uefi,cpu_vt:true", ""},
		{"uefi", nil, "boot_mode:UEFI", ""},
		{"uefi", nil, "cpu_vt:true, boot_mode:bios", "boot_mode"},
		{"", nil, "boot_mode:bios", ""},
		{"uefi", &yes, "secure_boot:false", "secure_boot"},
		{"uefi", &yes, "secure_boot:true", ""},
		{"bios", &yes, "boot_mode:uefi,secure_boot:false", "secure_boot boot_mode secure_boot"},
		{"uefi", nil, "boot_mode:bios:x", ""}, // malformed: Ironic ignores it
	} {
		var got []string
		for _, c := range CheckBoot(tc.mode, tc.secure, tc.caps) {
			got = append(got, c.Field)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%q %v %q: conflicts %v, want %q", tc.mode, tc.secure, tc.caps, got, tc.want)
		}
	}
}
