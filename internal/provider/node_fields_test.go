package provider

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// Each entry of the field table reaches the model field tagged with its name and the
// Ironic field of that JSON name, and has exactly one kind: a copied line that kept
// another field's accessor fails here, not in an acceptance test.
func TestNodeFieldTableAccessors(t *testing.T) {
	ctx := context.Background()
	seen := map[string]bool{}
	for _, f := range nodeFieldTable {
		if seen[f.name] {
			t.Errorf("%s: twice in the table", f.name)
		}
		seen[f.name] = true
		kinds := 0
		for _, set := range []bool{f.str != nil, f.mapAttr != nil, f.boolAttr != nil} {
			if set {
				kinds++
			}
		}
		oneOf := func(set ...bool) bool {
			n := 0
			for _, s := range set {
				if s {
					n++
				}
			}
			return n == 1
		}
		if kinds != 1 || (f.str != nil) != oneOf(f.remoteStr != nil, f.remoteJSON != nil, f.bootStr != nil) || (f.mapAttr != nil) != (f.remoteMap != nil) ||
			(f.boolAttr != nil) != oneOf(f.remoteBool != nil, f.remoteOptBool != nil, f.bootBool != nil) || (f.boolDefault != nil && f.remoteBool == nil) {
			t.Errorf("%s: needs exactly one kind, with its model and Ironic accessors", f.name)
			continue
		}
		if f.feature != "" {
			ironic.FeatureNamed(f.feature) // panics on a name ironic.Features lacks
		}
		var m nodeFields
		var model any
		switch {
		case f.str != nil:
			*f.str(&m) = types.StringValue("x")
			model = types.StringValue("x")
		case f.mapAttr != nil:
			*f.mapAttr(&m) = strMapValue(map[string]string{"k": "x"})
			model = strMapValue(map[string]string{"k": "x"})
		default:
			*f.boolAttr(&m) = types.BoolValue(true)
			model = types.BoolValue(true)
		}
		if got := tagged(reflect.ValueOf(m), "tfsdk", f.name); got == nil || !reflect.DeepEqual(got, model) {
			t.Errorf("%s: the model accessor sets another field than tfsdk:%q", f.name, f.name)
		}
		if f.bootStr != nil || f.bootBool != nil { // from the node's boot fields, which gophercloud's node lacks
			var b ironic.NodeBoot
			field := reflect.ValueOf(&b).Elem()
			for i := 0; i < field.NumField(); i++ {
				if field.Type().Field(i).Tag.Get("json") == f.name && f.bootStr != nil {
					field.Field(i).SetString("x")
				} else if field.Type().Field(i).Tag.Get("json") == f.name {
					field.Field(i).Set(reflect.ValueOf(new(true)))
				}
			}
			if (f.bootStr != nil && f.bootStr(b) != "x") || (f.bootBool != nil && (f.bootBool(b) == nil || !*f.bootBool(b))) {
				t.Errorf("%s: reads another of Ironic's boot fields", f.name)
			}
			continue
		}
		var n nodes.Node
		field := reflect.ValueOf(&n).Elem()
		var remote reflect.Value
		for i := 0; i < field.NumField(); i++ {
			if strings.Split(field.Type().Field(i).Tag.Get("json"), ",")[0] == f.name {
				remote = field.Field(i)
			}
		}
		if !remote.IsValid() {
			t.Errorf("%s: no such field in Ironic's node", f.name)
			continue
		}
		var diags diag.Diagnostics
		switch {
		case f.remoteJSON != nil:
			remote.Set(reflect.ValueOf(map[string]any{"k": "x"}))
			if got := f.remoteJSON(&n); got["k"] != "x" {
				t.Errorf("%s: reads another field of Ironic's node", f.name)
			}
		case f.str != nil:
			remote.SetString("x")
			if f.remoteStr(&n) != "x" {
				t.Errorf("%s: reads another field of Ironic's node", f.name)
			}
		case f.mapAttr != nil:
			remote.Set(reflect.ValueOf(map[string]any{"k": "x"}))
			if got := f.remoteMap(ctx, &n, nil, &diags); got["k"] != "x" {
				t.Errorf("%s: reads another field of Ironic's node", f.name)
			}
		case f.remoteOptBool != nil:
			remote.Set(reflect.ValueOf(new(true)))
			if got := f.remoteOptBool(&n); got == nil || !*got {
				t.Errorf("%s: reads another field of Ironic's node", f.name)
			}
		default:
			remote.SetBool(true)
			if !f.remoteBool(&n) {
				t.Errorf("%s: reads another field of Ironic's node", f.name)
			}
		}
	}
}

// tagged is the value of the (possibly embedded) struct field with that tag.
func tagged(v reflect.Value, key, name string) any {
	for i := 0; i < v.NumField(); i++ {
		sf := v.Type().Field(i)
		if sf.Anonymous {
			if got := tagged(v.Field(i), key, name); got != nil {
				return got
			}
			continue
		}
		if sf.Tag.Get(key) == name {
			return v.Field(i).Interface()
		}
	}
	return nil
}

// The table drives the enrollment body and the patch: every field the plan sets is
// sent, and one the state already has is not. The boot settings go through Ironic's
// state calls instead (bootChange).
func TestNodeFieldTableCreateAndPatch(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	var plan, state nodeFields
	for _, f := range nodeFieldTable {
		switch {
		case f.remoteJSON != nil:
			*f.str(&plan), *f.str(&state) = types.StringValue(`{"k":"new"}`), types.StringValue(`{"k":"old"}`)
		case f.str != nil:
			*f.str(&plan), *f.str(&state) = types.StringValue("new"), types.StringValue("old")
		case f.mapAttr != nil:
			*f.mapAttr(&plan), *f.mapAttr(&state) = strMapValue(map[string]string{"k": "new"}), types.MapNull(types.StringType)
		default:
			*f.boolAttr(&plan), *f.boolAttr(&state) = types.BoolValue(true), types.BoolValue(false)
		}
	}
	create := ironic.NodeCreate{}
	plan.addToCreate(ctx, create, &diags)
	b := newPatch(ctx, &diags)
	plan.patch(b, &state)
	patched := map[string]bool{}
	for _, op := range b.ops {
		patched[strings.Split(strings.TrimPrefix(op.Path, "/"), "/")[0]] = true
	}
	for _, f := range nodeFieldTable {
		_, created := create[f.name]
		if boot := f.bootStr != nil || f.bootBool != nil; boot != !created || boot != !patched[f.name] {
			t.Errorf("%s: in the enrollment body %v, patched %v", f.name, created, patched[f.name])
		}
	}
	if c := bootChange(&plan, &state); c.Mode != "new" || c.SecureBoot == nil || !*c.SecureBoot {
		t.Errorf("boot settings not set: %+v", c)
	}
	b = newPatch(ctx, &diags)
	plan.patch(b, &plan)
	if len(b.ops) != 0 || diags.HasError() {
		t.Errorf("no change patched %+v (%v)", b.ops, diags)
	}
}

// The kinds beyond a plain string: an optional bool Ironic may leave null, a bool with a
// default (sent at enrollment only when it differs), a JSON object kept as written.
func TestNodeFieldKinds(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	prior := unsetNodeFields()
	prior.NetworkData = types.StringValue(`{ "links": [] }`)
	var m nodeFields
	diags.Append(m.fromNode(ctx, &nodes.Node{UUID: "n1", NetworkData: map[string]any{"links": []any{}}}, prior)...)
	if !m.AutomatedClean.IsNull() || !m.Retired.Equal(types.BoolValue(false)) || !m.RetiredReason.IsNull() ||
		m.NetworkData.ValueString() != `{ "links": [] }` {
		t.Errorf("read %v %v %v %v", m.AutomatedClean, m.Retired, m.RetiredReason, m.NetworkData)
	}
	diags.Append(m.fromNode(ctx, &nodes.Node{UUID: "n1", AutomatedClean: new(false), Retired: true, RetiredReason: "eol",
		NetworkData: map[string]any{"links": []any{"x"}}}, prior)...)
	if !m.AutomatedClean.Equal(types.BoolValue(false)) || !m.Retired.Equal(types.BoolValue(true)) || m.RetiredReason.ValueString() != "eol" ||
		m.NetworkData.ValueString() != `{"links":["x"]}` {
		t.Errorf("read %v %v %v %v", m.AutomatedClean, m.Retired, m.RetiredReason, m.NetworkData)
	}

	plan := *unsetNodeFields()
	plan.Retired, plan.NetworkData = types.BoolValue(false), types.StringValue(`{"links":[]}`)
	create := ironic.NodeCreate{}
	plan.addToCreate(ctx, create, &diags)
	if _, ok := create["retired"]; ok {
		t.Errorf("retired = false (the default) sent at enrollment")
	}
	if _, ok := create["automated_clean"]; ok {
		t.Errorf("unset automated_clean sent at enrollment")
	}
	if v, ok := create["network_data"].(map[string]any); !ok || v["links"] == nil {
		t.Errorf("network_data sent as %#v", create["network_data"])
	}

	state := plan
	state.AutomatedClean, state.NetworkData = types.BoolValue(true), types.StringValue(`{"links":[1]}`)
	plan.NetworkData = types.StringNull()
	b := newPatch(ctx, &diags)
	plan.patch(b, &state)
	got := []string{}
	for _, op := range b.ops {
		got = append(got, op.Op+" "+op.Path)
	}
	if strings.Join(got, ", ") != "remove /automated_clean, remove /network_data" {
		t.Errorf("configured away: %v", got)
	}
	if diags.HasError() {
		t.Error(diags)
	}
}
