package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
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
