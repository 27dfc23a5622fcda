package provider

import (
	"context"
	"reflect"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// modelValue is the model m (a struct whose fields are attr.Values tagged `tfsdk`,
// embedded structs flattened into it) as a value of the object type typ, the value
// tfsdk's Set(ctx, m) records, without its reflection: terraform-plugin-framework
// (1.19) compiles a regular expression for every field of every struct it converts,
// which was a quarter of the provider's CPU in a `terraform query` over 1,000 nodes
// with their resources. ok is false for a model it cannot convert (a field that is
// not an attr.Value, an attribute of typ the model lacks or one it does not know):
// then the caller sets the model the framework's way.
func modelValue(ctx context.Context, typ tftypes.Object, m any) (v tftypes.Value, ok bool) {
	rv := reflect.ValueOf(m)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return tftypes.Value{}, false
	}
	fields, ok := modelFieldsOf(rv.Type())
	if !ok || len(fields) != len(typ.AttributeTypes) {
		return tftypes.Value{}, false
	}
	vals := make(map[string]tftypes.Value, len(fields))
	for _, f := range fields {
		at, known := typ.AttributeTypes[f.name]
		if !known {
			return tftypes.Value{}, false
		}
		tv, err := rv.FieldByIndex(f.index).Interface().(attr.Value).ToTerraformValue(ctx)
		if err != nil || !tv.Type().Equal(at) {
			return tftypes.Value{}, false
		}
		vals[f.name] = tv
	}
	if tftypes.ValidateValue(typ, vals) != nil {
		return tftypes.Value{}, false
	}
	return tftypes.NewValue(typ, vals), true
}

// modelField is one attribute of a model: its name and where it is in the struct.
type modelField struct {
	name  string
	index []int
}

// modelFields caches modelFieldsOf by model type.
var modelFields sync.Map // reflect.Type -> []modelField (nil: not convertible)

// modelFieldsOf lists the attributes of a model type, embedded structs flattened; ok
// is false when a field is not an attr.Value tagged with its attribute's name.
func modelFieldsOf(t reflect.Type) ([]modelField, bool) {
	if cached, found := modelFields.Load(t); found {
		fields := cached.([]modelField)
		return fields, fields != nil
	}
	fields, ok := collectModelFields(t, nil)
	if !ok {
		fields = nil
	}
	modelFields.Store(t, fields)
	return fields, ok
}

var attrValueType = reflect.TypeFor[attr.Value]()

func collectModelFields(t reflect.Type, at []int) ([]modelField, bool) {
	var out []modelField
	for i := range t.NumField() {
		f := t.Field(i)
		index := append(append([]int(nil), at...), i)
		tag, tagged := f.Tag.Lookup("tfsdk")
		switch {
		case tag == "-":
		case f.Anonymous && !tagged && f.Type.Kind() == reflect.Struct:
			inner, ok := collectModelFields(f.Type, index)
			if !ok {
				return nil, false
			}
			out = append(out, inner...)
		case !tagged || tag == "" || strings.Contains(tag, ",") || !f.IsExported() || !f.Type.Implements(attrValueType):
			return nil, false
		default:
			out = append(out, modelField{name: tag, index: index})
		}
	}
	return out, true
}

// modelFrom fills the model m (a pointer to a struct as modelValue takes) from v, a
// value of the object type typ, as tfsdk's Get(ctx, m) does, without its reflection
// (see modelValue): each field is its attribute's type's ValueFromTerraform. ok is false,
// and m untouched, for a model or value it cannot convert (a field whose type is not the
// one the attribute's type makes, a type or value that validates itself, which the
// framework's Get would run): then the caller gets the model the framework's way.
func modelFrom(ctx context.Context, typ attr.Type, v tftypes.Value, m any) bool {
	rv := reflect.ValueOf(m)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct || v.IsNull() || !v.IsKnown() {
		return false
	}
	rv = rv.Elem()
	objType, ok := typ.(attr.TypeWithAttributeTypes)
	if !ok {
		return false
	}
	attrTypes := objType.AttributeTypes()
	fields, ok := modelFieldsOf(rv.Type())
	if !ok || len(fields) != len(attrTypes) {
		return false
	}
	var raw map[string]tftypes.Value
	if v.As(&raw) != nil || len(raw) != len(fields) {
		return false
	}
	vals := make([]reflect.Value, len(fields))
	for i, f := range fields {
		at, known := attrTypes[f.name]
		tv, present := raw[f.name]
		if !known || !present {
			return false
		}
		av, err := at.ValueFromTerraform(ctx, tv)
		if err != nil || !selfValid(ctx, at, av, tv, f.name) {
			return false
		}
		val := reflect.ValueOf(av)
		if val.Type() != rv.FieldByIndex(f.index).Type() {
			return false
		}
		vals[i] = val
	}
	for i, f := range fields {
		rv.FieldByIndex(f.index).Set(vals[i])
	}
	return true
}

// selfValid runs the checks the framework's Get runs on a value it converts (the value's
// own ValidateAttribute, else its type's Validate); false when they say anything, so
// that the framework's Get reports it.
func selfValid(ctx context.Context, at attr.Type, av attr.Value, tv tftypes.Value, name string) bool {
	if v, ok := av.(xattr.ValidateableAttribute); ok {
		var resp xattr.ValidateAttributeResponse
		v.ValidateAttribute(ctx, xattr.ValidateAttributeRequest{Path: path.Root(name)}, &resp)
		return len(resp.Diagnostics) == 0
	}
	if t, ok := at.(xattr.TypeWithValidate); ok { //nolint:staticcheck // deprecated, and still run by the framework's Get
		return len(t.Validate(ctx, tv, path.Root(name))) == 0
	}
	return true
}

// getModel reads a state, plan or configuration (schema and raw value) into the model
// m: modelFrom, else get (the framework's Get of the same data).
func getModel(ctx context.Context, typ attr.Type, raw tftypes.Value, m any, get func(context.Context, any) diag.Diagnostics) diag.Diagnostics {
	if modelFrom(ctx, typ, raw, m) {
		return nil
	}
	return get(ctx, m)
}

// setState records the model m as the state (see modelValue), else the framework's way.
func setState(ctx context.Context, s *tfsdk.State, m any) diag.Diagnostics {
	if typ, ok := s.Schema.Type().TerraformType(ctx).(tftypes.Object); ok {
		if v, ok := modelValue(ctx, typ, m); ok {
			s.Raw = v
			return nil
		}
	}
	return s.Set(ctx, m)
}
