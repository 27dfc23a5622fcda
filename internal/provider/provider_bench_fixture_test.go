package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The provider-only benchmarks (provider_bench_test.go) replay one object's share of a
// plan against the provider's protocol 6 server, with Ironic answered from responses
// recorded from the real Ironic 21.4 of the acceptance harness
// (provider_bench_record_test.go). The fixtures live in testdata/bench/:
//
//   - <kind>.json: the tfprotov6 requests Terraform sent for the object, values as JSON;
//   - ironic.json: every Ironic request the provider made, with its answer.

const benchDir = "testdata/bench"

// benchObject is what Terraform sent for one object in a plan that changes nothing
// (Plan*) and in a plan and apply that change one attribute (Update*).
type benchObject struct {
	TypeName      string          `json:"type_name"`
	SchemaVersion int64           `json:"schema_version"`
	RawState      json.RawMessage `json:"raw_state"`    // UpgradeResourceState's state, as the state file holds it
	ReadPrivate   []byte          `json:"read_private"` // ReadResource's private state
	Config        json.RawMessage `json:"config"`       // ValidateResourceConfig's and PlanResourceChange's config
	Proposed      json.RawMessage `json:"proposed"`     // PlanResourceChange's proposed new state (no change)
	Prior         json.RawMessage `json:"prior"`        // PlanResourceChange's prior state (ReadResource's answer)
	UpdateConfig  json.RawMessage `json:"update_config"`
	UpdateProp    json.RawMessage `json:"update_proposed"`
	Identity      json.RawMessage `json:"identity,omitempty"` // ReadResource's and PlanResourceChange's identity
	RPCs          []string        `json:"rpcs"`               // what Terraform called for the object in the plan, in order
}

// benchExchange is one Ironic request and its recorded answer. Phase "plan": made by a
// refresh and plan (and the list calls a large plan's batched refresh makes); "apply":
// made by ApplyResourceChange.
type benchExchange struct {
	Phase  string              `json:"phase"`
	Method string              `json:"method"`
	Path   string              `json:"path"`
	Query  string              `json:"query,omitempty"`
	Status int                 `json:"status"`
	Header map[string][]string `json:"header,omitempty"`
	Body   string              `json:"body,omitempty"`
}

// endpointMark replaces the recording proxy's URL in recorded answers (links).
const endpointMark = "http://ironic.invalid"

// exchangeKey matches a request to a recorded answer: paging parameters aside, since a
// probe's page size follows how many reads came before it.
func exchangeKey(method, path, rawQuery string) string {
	q, _ := url.ParseQuery(rawQuery)
	q.Del("limit")
	q.Del("marker")
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "&%s=%s", k, strings.Join(q[k], ","))
	}
	return method + " " + strings.TrimSuffix(path, "/") + "?" + b.String()
}

func readBenchJSON(name string, v any) error {
	b, err := os.ReadFile(filepath.Join(benchDir, name))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func writeBenchJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(benchDir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(benchDir, name), append(b, '\n'), 0o644)
}

// fakeIronic answers from recorded exchanges: those of phase first, then the plan's.
type fakeIronic struct {
	*httptest.Server
	answers map[string]benchExchange
	mu      sync.Mutex
	missed  []string // requests nothing was recorded for
}

func newFakeIronic(exchanges []benchExchange, phase string) *fakeIronic {
	f := &fakeIronic{answers: map[string]benchExchange{}}
	for _, want := range []string{"plan", phase} { // the phase's answers win
		for _, e := range exchanges {
			if e.Phase == want {
				f.answers[exchangeKey(e.Method, e.Path, e.Query)] = e
			}
		}
	}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		e, ok := f.answers[exchangeKey(r.Method, r.URL.Path, r.URL.RawQuery)]
		if !ok {
			f.mu.Lock()
			f.missed = append(f.missed, r.Method+" "+r.URL.RequestURI())
			f.mu.Unlock()
			http.Error(w, `{"error_message": "{\"faultstring\": \"not recorded\"}"}`, http.StatusNotFound)
			return
		}
		for k, vs := range e.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(e.Status)
		_, _ = io.WriteString(w, strings.ReplaceAll(e.Body, endpointMark, f.URL))
	}))
	return f
}

// Missed lists the requests that had no recorded answer.
func (f *fakeIronic) Missed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.missed...)
}

// valueJSON is a known tftypes value as JSON, the encoding DynamicValue.JSON takes.
func valueJSON(v tftypes.Value) (json.RawMessage, error) {
	x, err := valueAny(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(x)
}

func valueAny(v tftypes.Value) (any, error) {
	if !v.IsKnown() {
		return nil, fmt.Errorf("unknown value of type %s cannot be written as JSON", v.Type())
	}
	if v.IsNull() {
		return nil, nil
	}
	t := v.Type()
	switch {
	case t.Is(tftypes.String):
		var s string
		err := v.As(&s)
		return s, err
	case t.Is(tftypes.Bool):
		var b bool
		err := v.As(&b)
		return b, err
	case t.Is(tftypes.Number):
		var f big.Float
		if err := v.As(&f); err != nil {
			return nil, err
		}
		return json.Number(f.Text('g', -1)), nil
	case t.Is(tftypes.List{}), t.Is(tftypes.Set{}), t.Is(tftypes.Tuple{}):
		var elems []tftypes.Value
		if err := v.As(&elems); err != nil {
			return nil, err
		}
		out := make([]any, 0, len(elems))
		for _, e := range elems {
			x, err := valueAny(e)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	case t.Is(tftypes.Map{}), t.Is(tftypes.Object{}):
		var elems map[string]tftypes.Value
		if err := v.As(&elems); err != nil {
			return nil, err
		}
		out := make(map[string]any, len(elems))
		for k, e := range elems {
			x, err := valueAny(e)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	}
	return nil, fmt.Errorf("type %s not handled", t)
}

// dynamicJSON decodes a DynamicValue (msgpack, as Terraform sends it) to JSON.
func dynamicJSON(dv *tfprotov6.DynamicValue, typ tftypes.Type) (json.RawMessage, error) {
	if dv == nil {
		return nil, nil
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		return nil, err
	}
	return valueJSON(v)
}

// msgpackValue encodes a JSON fixture value the way Terraform sends values: msgpack.
func msgpackValue(raw json.RawMessage, typ tftypes.Type) (*tfprotov6.DynamicValue, error) {
	v, err := (&tfprotov6.DynamicValue{JSON: raw}).Unmarshal(typ)
	if err != nil {
		return nil, err
	}
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	return &dv, err
}

// resourceTypes returns each resource's value type and schema version, from the server.
func resourceTypes(ctx context.Context, s tfprotov6.ProviderServer) (map[string]tftypes.Type, map[string]int64, tftypes.Type, error) {
	resp, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, nil, nil, err
	}
	if err := diagsError(resp.Diagnostics); err != nil {
		return nil, nil, nil, err
	}
	types, versions := map[string]tftypes.Type{}, map[string]int64{}
	for name, sch := range resp.ResourceSchemas {
		types[name] = sch.ValueType()
		versions[name] = sch.Version
	}
	return types, versions, resp.Provider.ValueType(), nil
}

// diagsError is the first error diagnostic, or nil.
func diagsError(diags []*tfprotov6.Diagnostic) error {
	var msgs []string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
}

// benchSameJSON compares two JSON documents by value.
func benchSameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
