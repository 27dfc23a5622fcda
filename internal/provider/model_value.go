package provider

import (
	"context"
	"reflect"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
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
