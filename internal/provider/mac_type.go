package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// macType is a string holding a MAC address. Ironic stores MACs in lower case; semantic
// equality lets a user write upper case without a diff after apply or refresh.
type macType struct{ basetypes.StringType }

var (
	_ basetypes.StringTypable                    = macType{}
	_ basetypes.StringValuableWithSemanticEquals = macValue{}
)

func (t macType) String() string { return "macType" }

func (t macType) Equal(o attr.Type) bool {
	_, ok := o.(macType)
	return ok
}

func (t macType) ValueType(context.Context) attr.Value { return macValue{} }

func (t macType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return macValue{StringValue: in}, nil
}

func (t macType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return macValue{StringValue: s}, nil
}

type macValue struct{ basetypes.StringValue }

func newMACValue(s string) macValue { return macValue{StringValue: basetypes.NewStringValue(s)} }

func (v macValue) Type(context.Context) attr.Type { return macType{} }

func (v macValue) Equal(o attr.Value) bool {
	ov, ok := o.(macValue)
	return ok && v.StringValue.Equal(ov.StringValue)
}

// StringSemanticEquals: two spellings of one address are equal.
func (v macValue) StringSemanticEquals(_ context.Context, other basetypes.StringValuable) (bool, diag.Diagnostics) {
	o, ok := other.(macValue)
	if !ok {
		return false, nil
	}
	a, errA := ironic.NormalizeMAC(v.ValueString())
	b, errB := ironic.NormalizeMAC(o.ValueString())
	return errA == nil && errB == nil && a == b, nil
}
