package provider

import (
	"context"
	"fmt"
	"math/big"
	"reflect"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// A model converted without the framework's reflection is the value the framework's
// Set records, for the models the list resources record.
func TestModelValueIsWhatSetRecords(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	node := &nodes.Node{
		UUID: "11111111-1111-4111-8111-111111111111", Name: "rack1-a", Driver: "ipmi", ProvisionState: "active",
		DriverInfo:   map[string]any{"ipmi_address": "10.0.0.1", "ipmi_username": "admin", "ipmi_password": ironic.Masked},
		Properties:   map[string]any{"cpu_arch": "x86_64", "memory_mb": 8192},
		InstanceInfo: map[string]any{"image_source": "http://images/x.qcow2", "image_checksum": "abc"},
		Traits:       []string{"CUSTOM_A"}, ResourceClass: "gold", Extra: map[string]any{"rack": "1"},
	}
	nm := importedNode(ctx, node, &diags)
	refreshNode(ctx, nil, &nm, node, &diags)
	dm := importedDeployment(ctx, node, &diags)
	dm.fromNode(ctx, node, &diags)
	var pm portResourceModel
	port := &ironic.Port{Port: ports.Port{UUID: "33333333-3333-4333-8333-333333333333", Address: "52:54:00:00:00:01",
		NodeUUID: node.UUID, PXEEnabled: true, LocalLinkConnection: map[string]any{"switch_id": "aa:bb:cc:dd:ee:ff", "port_id": "Eth1"}}}
	pm.ID = types.StringValue(port.UUID)
	diags.Append(pm.fromPort(ctx, port, &pm)...)
	alloc := &ironic.Allocation{UUID: "44444444-4444-4444-8444-444444444444", Name: "a1", ResourceClass: "gold", State: "active"}
	am := importedAllocation(ctx, alloc, &diags)
	am.fromAllocation(ctx, alloc, &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	for _, c := range []struct {
		name  string
		r     resource.Resource
		model any
	}{
		{"node", NewNodeResource(), nm}, {"deployment", NewDeploymentResource(), dm},
		{"port", NewPortResource(), pm}, {"allocation", NewAllocationResource(), am},
	} {
		var schema resource.SchemaResponse
		c.r.Schema(ctx, resource.SchemaRequest{}, &schema)
		typ := schema.Schema.Type().TerraformType(ctx).(tftypes.Object)
		want := tfsdk.Resource{Schema: schema.Schema, Raw: tftypes.NewValue(typ, nil)}
		if d := want.Set(ctx, c.model); d.HasError() {
			t.Fatalf("%s: %v", c.name, d)
		}
		got, ok := modelValue(ctx, typ, c.model)
		if !ok {
			t.Fatalf("%s: not converted", c.name)
		}
		if !got.Equal(want.Raw) {
			diffs, _ := got.Diff(want.Raw)
			t.Errorf("%s: the value differs from the framework's: %v", c.name, diffs)
		}
		// Through setModel, as a list result records it.
		res := tfsdk.Resource{Schema: schema.Schema, Raw: tftypes.NewValue(typ, nil)}
		setModel(ctx, &res, c.model, &diags)
		if diags.HasError() || !res.Raw.Equal(want.Raw) {
			t.Errorf("%s: setModel recorded another value: %v", c.name, diags)
		}
	}
}

// A model it cannot convert (a field that is no attr.Value, an attribute missing or
// unknown to the type) is left to the framework.
func TestModelValueLeavesOthersToTheFramework(t *testing.T) {
	ctx := context.Background()
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String, "name": tftypes.String}}
	type plain struct {
		ID   types.String `tfsdk:"id"`
		Name string       `tfsdk:"name"`
	}
	type short struct {
		ID types.String `tfsdk:"id"`
	}
	type other struct {
		ID   types.String `tfsdk:"id"`
		Kind types.String `tfsdk:"kind"`
	}
	type wrongType struct {
		ID   types.String `tfsdk:"id"`
		Name types.Bool   `tfsdk:"name"`
	}
	type inner struct {
		Name types.String `tfsdk:"name"`
	}
	type embedded struct {
		inner
		ID types.String `tfsdk:"id"`
	}
	for name, m := range map[string]any{"plain": plain{}, "short": short{}, "other": other{}, "wrong type": wrongType{}, "not a struct": "x"} {
		if _, ok := modelValue(ctx, typ, m); ok {
			t.Errorf("%s: converted", name)
		}
	}
	v, ok := modelValue(ctx, typ, &embedded{inner{types.StringValue("n")}, types.StringNull()})
	want := tftypes.NewValue(typ, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, nil), "name": tftypes.NewValue(tftypes.String, "n")})
	if !ok || !v.Equal(want) {
		t.Errorf("embedded: %v %v", v, ok)
	}
}

// sampleValue is a value of typ: known everywhere, varied by seed, or null or unknown
// at the top of an attribute when seed says so.
func sampleValue(typ tftypes.Type, seed int, top bool) tftypes.Value {
	if top {
		switch seed % 5 {
		case 1:
			return tftypes.NewValue(typ, nil)
		case 3:
			return tftypes.NewValue(typ, tftypes.UnknownValue)
		}
	}
	switch t := typ.(type) {
	case tftypes.Object:
		vals := map[string]tftypes.Value{}
		i := seed
		for name, at := range t.AttributeTypes {
			i++
			vals[name] = sampleValue(at, i, false)
		}
		return tftypes.NewValue(t, vals)
	case tftypes.Map:
		return tftypes.NewValue(t, map[string]tftypes.Value{"a": sampleValue(t.ElementType, seed, false), "b": sampleValue(t.ElementType, seed+1, false)})
	case tftypes.List:
		return tftypes.NewValue(t, []tftypes.Value{sampleValue(t.ElementType, seed, false), sampleValue(t.ElementType, seed+1, false)})
	case tftypes.Set:
		return tftypes.NewValue(t, []tftypes.Value{sampleValue(t.ElementType, seed, false), sampleValue(t.ElementType, seed+7, false)})
	}
	switch {
	case typ.Is(tftypes.String):
		return tftypes.NewValue(typ, fmt.Sprintf("v%d", seed))
	case typ.Is(tftypes.Bool):
		return tftypes.NewValue(typ, seed%2 == 0)
	case typ.Is(tftypes.Number):
		return tftypes.NewValue(typ, big.NewFloat(float64(seed)))
	}
	panic(typ.String())
}

// A model read without the framework's reflection is the model the framework's Get
// reads, for the models Read, ValidateConfig and ModifyPlan read: every attribute
// known, null or unknown.
func TestModelFromIsWhatGetReads(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		r   resource.Resource
		new func() any
	}{
		{NewNodeResource(), func() any { return &nodeResourceModel{} }},
		{NewPortResource(), func() any { return &portResourceModel{} }},
		{NewDeploymentResource(), func() any { return &deploymentResourceModel{} }},
		{NewAllocationResource(), func() any { return &allocationResourceModel{} }},
		{NewPortgroupResource(), func() any { return &portgroupResourceModel{} }},
		{NewDeployTemplateResource(), func() any { return &deployTemplateModel{} }},
		{NewRunbookResource(), func() any { return &runbookModel{} }},
	} {
		var schema resource.SchemaResponse
		c.r.Schema(ctx, resource.SchemaRequest{}, &schema)
		name := fmt.Sprintf("%T", c.new())
		typ := schema.Schema.Type().TerraformType(ctx).(tftypes.Object)
		for seed := range 5 {
			vals := map[string]tftypes.Value{}
			i := seed
			for n, at := range typ.AttributeTypes {
				i++
				vals[n] = sampleValue(at, i, true)
			}
			state := tfsdk.State{Schema: schema.Schema, Raw: tftypes.NewValue(typ, vals)}
			want, got := c.new(), c.new()
			if d := state.Get(ctx, want); d.HasError() {
				t.Fatalf("%s: %v", name, d)
			}
			if !modelFrom(ctx, schema.Schema.Type(), state.Raw, got) {
				t.Fatalf("%s: not read", name)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, seed %d: read %+v, the framework's Get %+v", name, seed, got, want)
			}
			// And back: the same state.
			var back tfsdk.State = tfsdk.State{Schema: schema.Schema}
			if d := setState(ctx, &back, got); d.HasError() || !back.Raw.Equal(state.Raw) {
				t.Errorf("%s, seed %d: written back as another state: %v", name, seed, d)
			}
		}
	}
}

// A model or value it cannot read is left to the framework's Get, the model untouched:
// a null or unknown object, a field of another type than the attribute's, a value its
// type refuses (a number that is not an int64).
func TestModelFromLeavesOthersToTheFramework(t *testing.T) {
	ctx := context.Background()
	objType := types.ObjectType{AttrTypes: map[string]attr.Type{"id": types.StringType, "n": types.Int64Type}}
	typ := objType.TerraformType(ctx).(tftypes.Object)
	type model struct {
		ID types.String `tfsdk:"id"`
		N  types.Int64  `tfsdk:"n"`
	}
	type wrong struct {
		ID types.Bool  `tfsdk:"id"`
		N  types.Int64 `tfsdk:"n"`
	}
	type short struct {
		ID types.String `tfsdk:"id"`
	}
	value := func(n *big.Float) tftypes.Value {
		return tftypes.NewValue(typ, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, "x"), "n": tftypes.NewValue(tftypes.Number, n)})
	}
	for name, c := range map[string]struct {
		v tftypes.Value
		m any
	}{
		"null":           {tftypes.NewValue(typ, nil), &model{}},
		"unknown":        {tftypes.NewValue(typ, tftypes.UnknownValue), &model{}},
		"wrong type":     {value(big.NewFloat(1)), &wrong{}},
		"missing field":  {value(big.NewFloat(1)), &short{}},
		"not an integer": {value(big.NewFloat(1.5)), &model{}},
		"not a pointer":  {value(big.NewFloat(1)), model{}},
	} {
		if modelFrom(ctx, objType, c.v, c.m) {
			t.Errorf("%s: read", name)
		}
	}
	m := model{ID: types.StringValue("kept")}
	if modelFrom(ctx, objType, value(big.NewFloat(1.5)), &m) || m.ID.ValueString() != "kept" {
		t.Errorf("a refused value changed the model: %+v", m)
	}
	if !modelFrom(ctx, objType, value(big.NewFloat(7)), &m) || m.ID.ValueString() != "x" || m.N.ValueInt64() != 7 {
		t.Errorf("read %+v", m)
	}
}
