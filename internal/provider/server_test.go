package provider

import (
	"context"
	"encoding/json"
	"math/big"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// stateJSON is a known value as Terraform stores it in a state file.
func stateJSON(v tftypes.Value) any {
	if v.IsNull() {
		return nil
	}
	switch {
	case v.Type().Is(tftypes.Object{}), v.Type().Is(tftypes.Map{}):
		var m map[string]tftypes.Value
		_ = v.As(&m)
		out := map[string]any{}
		for k, x := range m {
			out[k] = stateJSON(x)
		}
		return out
	case v.Type().Is(tftypes.List{}), v.Type().Is(tftypes.Set{}):
		var l []tftypes.Value
		_ = v.As(&l)
		out := []any{}
		for _, x := range l {
			out = append(out, stateJSON(x))
		}
		return out
	case v.Type().Is(tftypes.Number):
		var f big.Float
		_ = v.As(&f)
		return json.Number(f.Text('f', -1))
	}
	var x any
	switch {
	case v.Type().Is(tftypes.String):
		var s string
		_ = v.As(&s)
		x = s
	case v.Type().Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		x = b
	}
	return x
}

// A state at its resource's schema version is passed through UpgradeResourceState as
// the framework passes it (attributes the schema lacks dropped, those the state lacks
// null), without the framework; any other goes to the framework, errors included.
func TestCurrentStatePassedThroughAsTheFrameworkDoes(t *testing.T) {
	ctx := context.Background()
	ours := NewServer("test")()
	theirs := providerserver.NewProtocol6(New("test")())()
	schemas, err := theirs.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	states := ours.(actionWriteOnlyServer).states
	for _, name := range []string{"baremetal_node", "baremetal_port"} {
		if _, ok := states.current(ctx, name, schemas.ResourceSchemas[name].Version); !ok {
			t.Errorf("%s: a current state is not passed through", name)
		}
	}
	for name, schema := range schemas.ResourceSchemas {
		typ := schema.ValueType().(tftypes.Object)
		for seed := range 3 {
			vals := map[string]tftypes.Value{}
			i := seed
			for n, at := range typ.AttributeTypes {
				i++
				if i%3 == 0 {
					vals[n] = tftypes.NewValue(at, nil)
				} else {
					vals[n] = sampleValue(at, i, false)
				}
			}
			doc := stateJSON(tftypes.NewValue(typ, vals)).(map[string]any)
			doc["attribute_of_an_older_provider"] = "x"
			for n := range doc { // one the state lacks
				if n != "attribute_of_an_older_provider" {
					delete(doc, n)
					break
				}
			}
			raw, _ := json.Marshal(doc)
			for _, c := range []struct {
				what    string
				version int64
				json    []byte
			}{{"current", schema.Version, raw}, {"older", schema.Version - 1, raw}, {"unreadable", schema.Version, []byte(`{"id": 5}`)}} {
				req := func() *tfprotov6.UpgradeResourceStateRequest {
					return &tfprotov6.UpgradeResourceStateRequest{TypeName: name, Version: c.version, RawState: &tfprotov6.RawState{JSON: c.json}}
				}
				got, err1 := ours.UpgradeResourceState(ctx, req())
				want, err2 := theirs.UpgradeResourceState(ctx, req())
				if err1 != nil || err2 != nil {
					t.Fatalf("%s %s: %v %v", name, c.what, err1, err2)
				}
				if !reflect.DeepEqual(got.Diagnostics, want.Diagnostics) {
					t.Errorf("%s %s: diagnostics %v, the framework's %v", name, c.what, got.Diagnostics, want.Diagnostics)
				}
				if (got.UpgradedState == nil) != (want.UpgradedState == nil) {
					t.Fatalf("%s %s: state %v, the framework's %v", name, c.what, got.UpgradedState, want.UpgradedState)
				}
				if got.UpgradedState == nil {
					continue
				}
				g, err1 := got.UpgradedState.Unmarshal(typ)
				w, err2 := want.UpgradedState.Unmarshal(typ)
				if err1 != nil || err2 != nil || !g.Equal(w) {
					t.Errorf("%s %s, seed %d: state %v, the framework's %v (%v %v)", name, c.what, seed, g, w, err1, err2)
				}
			}
		}
	}
}

// A node's or port's configuration validated a second time gets the first answer (the
// same diagnostics), once; another configuration, another client or another resource
// is validated anew.
func TestSecondValidationIsTheFirst(t *testing.T) {
	ctx := context.Background()
	ours := NewServer("test")()
	theirs := providerserver.NewProtocol6(New("test")())()
	schemas, err := theirs.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	config := func(name string, edit map[string]tftypes.Value) *tfprotov6.DynamicValue {
		typ := schemas.ResourceSchemas[name].ValueType().(tftypes.Object)
		vals := map[string]tftypes.Value{}
		for n, at := range typ.AttributeTypes {
			vals[n] = tftypes.NewValue(at, nil)
		}
		for n, v := range edit {
			vals[n] = v
		}
		dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
		if err != nil {
			t.Fatal(err)
		}
		return &dv
	}
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	valid := config("baremetal_node", map[string]tftypes.Value{"driver": str("ipmi"), "name": str("n1")})
	invalid := config("baremetal_node", map[string]tftypes.Value{"driver": str("ipmi"), "conductor_group": str("Upper")})
	port := config("baremetal_port", map[string]tftypes.Value{"node_id": str("x"), "address": str("not a mac")})
	req := func(name string, c *tfprotov6.DynamicValue, wo bool) *tfprotov6.ValidateResourceConfigRequest {
		return &tfprotov6.ValidateResourceConfigRequest{TypeName: name, Config: c,
			ClientCapabilities: &tfprotov6.ValidateResourceConfigClientCapabilities{WriteOnlyAttributesAllowed: wo}}
	}
	for _, c := range []struct {
		name   string
		config *tfprotov6.DynamicValue
	}{{"baremetal_node", valid}, {"baremetal_node", invalid}, {"baremetal_port", port}} {
		want, _ := theirs.ValidateResourceConfig(ctx, req(c.name, c.config, true))
		first, _ := ours.ValidateResourceConfig(ctx, req(c.name, c.config, true))
		second, _ := ours.ValidateResourceConfig(ctx, req(c.name, c.config, true))
		third, _ := ours.ValidateResourceConfig(ctx, req(c.name, c.config, true))
		if second != first || third == first {
			t.Errorf("%s: the second validation is not the first's answer, or the third is", c.name)
		}
		for _, got := range []*tfprotov6.ValidateResourceConfigResponse{first, second, third} {
			if len(got.Diagnostics) != len(want.Diagnostics) || (len(want.Diagnostics) > 0 && got.Diagnostics[0].Summary != want.Diagnostics[0].Summary) {
				t.Errorf("%s: diagnostics %v, the framework's %v", c.name, got.Diagnostics, want.Diagnostics)
			}
		}
		if len(want.Diagnostics) == 0 && c.config == invalid || c.config == port && len(want.Diagnostics) == 0 {
			t.Errorf("%s: the invalid configuration validated", c.name)
		}
	}
	// Another client (no write-only values), another configuration: validated anew.
	first, _ := ours.ValidateResourceConfig(ctx, req("baremetal_node", valid, true))
	other, _ := ours.ValidateResourceConfig(ctx, req("baremetal_node", valid, false))
	changed, _ := ours.ValidateResourceConfig(ctx, req("baremetal_node", invalid, true))
	if other == first || changed == first {
		t.Error("another client's or configuration's validation reused an answer")
	}
}
