package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A state's JSON reads as tftypes reads it (ignoring attributes the type lacks), and
// whatever tftypes refuses or might read otherwise is left to it.
func TestStateFromJSONIsWhatTftypesReads(t *testing.T) {
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"s": tftypes.String, "n": tftypes.Number, "b": tftypes.Bool,
		"m":   tftypes.Map{ElementType: tftypes.String},
		"l":   tftypes.List{ElementType: tftypes.Number},
		"set": tftypes.Set{ElementType: tftypes.String},
		"o": tftypes.Object{AttributeTypes: map[string]tftypes.Type{
			"disks": tftypes.List{ElementType: tftypes.Object{AttributeTypes: map[string]tftypes.Type{"size": tftypes.String, "n": tftypes.Number}}},
		}},
	}}
	for _, c := range []struct {
		json string
		ok   bool // read here (else left to tftypes)
	}{
		{`{"s": "x", "n": 12, "b": true, "m": {"a": "1"}, "l": [1, 2.5], "set": ["a", "b"], "o": {"disks": [{"size": "MAX", "n": 2}]}}`, true},
		{`{}`, true},
		{`{"s": null, "m": null, "o": null, "gone": {"deep": [1]}}`, true},
		{`{"s": 5, "n": "7", "b": "1"}`, true},
		{`{"s": true, "b": "false", "n": "1e3"}`, true},
		{`{"b": 0, "n": 123456789012345678901234567890}`, true},
		{`{"o": {"disks": [], "other": 1}}`, true},
		{`{"b": "TRUE"}`, false},
		{`{"b": 2}`, false},
		{`{"n": "x"}`, false},
		{`{"n": true}`, false},
		{`{"s": {}}`, false},
		{`{"m": []}`, false},
		{`{"l": {}}`, false},
		{`{"s": "x"} {}`, false},
		{`{"s": "x"`, false},
		{`[]`, false},
		{`null`, true},
	} {
		want, err := tftypes.ValueFromJSONWithOpts([]byte(c.json), typ, tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true})
		got, ok := stateFromJSON([]byte(c.json), typ)
		if ok != c.ok {
			t.Errorf("%s: read %v, want %v", c.json, ok, c.ok)
		}
		if ok && (err != nil || !got.Equal(want)) {
			t.Errorf("%s: read %v, tftypes %v (%v)", c.json, got, want, err)
		}
	}
}
