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
		if kinds != 1 || (f.str != nil) != (f.remoteStr != nil) || (f.mapAttr != nil) != (f.remoteMap != nil) ||
			(f.boolAttr != nil) != (f.remoteBool != nil) {
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
// sent, and one the state already has is not.
func TestNodeFieldTableCreateAndPatch(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	var plan, state nodeFields
	for _, f := range nodeFieldTable {
		switch {
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
		if _, ok := create[f.name]; !ok {
			t.Errorf("%s: not in the enrollment body", f.name)
		}
		if !patched[f.name] {
			t.Errorf("%s: not patched", f.name)
		}
	}
	b = newPatch(ctx, &diags)
	plan.patch(b, &plan)
	if len(b.ops) != 0 || diags.HasError() {
		t.Errorf("no change patched %+v (%v)", b.ops, diags)
	}
}
