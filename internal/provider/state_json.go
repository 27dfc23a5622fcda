package provider

import (
	"bytes"
	"encoding/json"
	"math/big"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// stateFromJSON reads a state stored as JSON as a value of typ, as
// tftypes.ValueFromJSONWithOpts does with IgnoreUndefinedAttributes (an attribute typ
// lacks is ignored, one the JSON lacks is null, strings, numbers and booleans convert
// alike), in one pass: tftypes decodes every value's JSON again for each level it is
// nested in, token by token. ok is false wherever tftypes might answer otherwise than
// this (an error, a dynamic or tuple type): then the caller uses tftypes.
func stateFromJSON(buf []byte, typ tftypes.Type) (tftypes.Value, bool) {
	dec := json.NewDecoder(bytes.NewReader(buf))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil || dec.More() {
		return tftypes.Value{}, false
	}
	return valueFromJSON(doc, typ)
}

func valueFromJSON(doc any, typ tftypes.Type) (tftypes.Value, bool) {
	if doc == nil {
		return tftypes.NewValue(typ, nil), true
	}
	switch t := typ.(type) {
	case tftypes.Object:
		m, ok := doc.(map[string]any)
		if !ok || len(t.OptionalAttributes) > 0 {
			return tftypes.Value{}, false
		}
		vals := make(map[string]tftypes.Value, len(t.AttributeTypes))
		for name, at := range t.AttributeTypes {
			v, ok := valueFromJSON(m[name], at)
			if !ok {
				return tftypes.Value{}, false
			}
			vals[name] = v
		}
		return tftypes.NewValue(t, vals), true
	case tftypes.Map:
		m, ok := doc.(map[string]any)
		if !ok || t.ElementType.Is(tftypes.DynamicPseudoType) {
			return tftypes.Value{}, false
		}
		vals := make(map[string]tftypes.Value, len(m))
		for k, e := range m {
			v, ok := valueFromJSON(e, t.ElementType)
			if !ok {
				return tftypes.Value{}, false
			}
			vals[k] = v
		}
		return tftypes.NewValue(t, vals), true
	case tftypes.List, tftypes.Set:
		l, ok := doc.([]any)
		var elem tftypes.Type
		if lt, isList := t.(tftypes.List); isList {
			elem = lt.ElementType
		} else {
			elem = t.(tftypes.Set).ElementType
		}
		if !ok || elem.Is(tftypes.DynamicPseudoType) {
			return tftypes.Value{}, false
		}
		vals := make([]tftypes.Value, 0, len(l))
		for _, e := range l {
			v, ok := valueFromJSON(e, elem)
			if !ok {
				return tftypes.Value{}, false
			}
			vals = append(vals, v)
		}
		return tftypes.NewValue(t, vals), true
	}
	switch {
	case typ.Is(tftypes.String):
		switch v := doc.(type) {
		case string:
			return tftypes.NewValue(typ, v), true
		case json.Number:
			return tftypes.NewValue(typ, string(v)), true
		case bool:
			if v {
				return tftypes.NewValue(typ, "true"), true
			}
			return tftypes.NewValue(typ, "false"), true
		}
	case typ.Is(tftypes.Number):
		var s string
		switch v := doc.(type) {
		case json.Number:
			s = string(v)
		case string:
			s = v
		default:
			return tftypes.Value{}, false
		}
		f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
		if err != nil {
			return tftypes.Value{}, false
		}
		return tftypes.NewValue(typ, f), true
	case typ.Is(tftypes.Bool):
		switch v := doc.(type) {
		case bool:
			return tftypes.NewValue(typ, v), true
		case string:
			switch v {
			case "true", "1":
				return tftypes.NewValue(typ, true), true
			case "false", "0":
				return tftypes.NewValue(typ, false), true
			}
		case json.Number:
			switch v {
			case "1":
				return tftypes.NewValue(typ, true), true
			case "0":
				return tftypes.NewValue(typ, false), true
			}
		}
	}
	return tftypes.Value{}, false
}
