package provider

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// patchBuilder collects the JSON patch operations that turn a state into a plan. A
// value the plan does not know (a computed one Ironic owns) is never sent, and an
// unset map is sent as {} only when the state had one.
type patchBuilder struct {
	ctx   context.Context
	diags *diag.Diagnostics
	ops   []ironic.PatchOp
}

func newPatch(ctx context.Context, diags *diag.Diagnostics) *patchBuilder {
	return &patchBuilder{ctx: ctx, diags: diags}
}

func (b *patchBuilder) add(field string, v any) {
	b.ops = append(b.ops, ironic.PatchOp{Op: ironic.OpAdd, Path: "/" + field, Value: v})
}

// str sets or removes a string field.
func (b *patchBuilder) str(field string, plan, state types.String) {
	switch {
	case plan.IsUnknown() || plan.Equal(state):
	case plan.IsNull():
		b.ops = append(b.ops, ironic.PatchOp{Op: ironic.OpRemove, Path: "/" + field})
	default:
		b.add(field, plan.ValueString())
	}
}

// boolean sets a boolean field.
func (b *patchBuilder) boolean(field string, plan, state types.Bool) {
	if !plan.IsUnknown() && !plan.IsNull() && !plan.Equal(state) {
		b.add(field, plan.ValueBool())
	}
}

// strMap replaces a whole map field: keys removed from the config go too.
func (b *patchBuilder) strMap(field string, plan, state types.Map) {
	if plan.IsUnknown() || plan.Equal(state) {
		return
	}
	m := stringMap(b.ctx, plan, b.diags)
	if m == nil {
		m = map[string]string{}
	}
	b.add(field, ironic.AnyMap(m))
}

// mapKeys sets and removes single keys of a map field (/field/key), so that keys the
// attribute does not cover (properties.root_device) are left alone.
func (b *patchBuilder) mapKeys(field string, plan, state types.Map) {
	if plan.IsUnknown() || plan.Equal(state) {
		return
	}
	p := stringMap(b.ctx, plan, b.diags)
	s := stringMap(b.ctx, state, b.diags)
	for _, k := range sortedKeys(p) {
		if old, ok := s[k]; !ok || old != p[k] {
			b.add(field+"/"+pointerEscape(k), p[k])
		}
	}
	for _, k := range sortedKeys(s) {
		if _, ok := p[k]; !ok {
			b.ops = append(b.ops, ironic.PatchOp{Op: ironic.OpRemove, Path: "/" + field + "/" + pointerEscape(k)})
		}
	}
}

// optBool sets a boolean field, or removes it when the plan leaves it unset.
func (b *patchBuilder) optBool(field string, plan, state types.Bool) {
	switch {
	case plan.IsUnknown() || plan.Equal(state):
	case plan.IsNull():
		b.ops = append(b.ops, ironic.PatchOp{Op: ironic.OpRemove, Path: "/" + field})
	default:
		b.add(field, plan.ValueBool())
	}
}

// jsonObject sets a field holding a JSON object from its configured text, or removes it.
func (b *patchBuilder) jsonObject(field string, plan, state types.String) {
	switch {
	case plan.IsUnknown() || plan.Equal(state):
	case plan.IsNull():
		b.ops = append(b.ops, ironic.PatchOp{Op: ironic.OpRemove, Path: "/" + field})
	default:
		var v map[string]any
		if err := json.Unmarshal([]byte(plan.ValueString()), &v); err != nil {
			b.diags.AddAttributeError(path.Root(field), "Invalid "+field, err.Error())
			return
		}
		b.add(field, v)
	}
}

// pointerEscape escapes a map key for a JSON pointer (RFC 6901).
func pointerEscape(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
