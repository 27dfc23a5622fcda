// Package planmodifiers holds the provider's plan modifiers that belong to no one
// resource: keeping the state's value when the configured one means the same thing, and
// keeping an unconfigured computed value unless something in the plan changes it. The
// rules each resource brings (which values are the same, what changes what) are passed
// in; the modifiers themselves know no resource.
package planmodifiers

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// StateWhenSame plans the state's string value when the configured one means the same
// thing by same (Terraform accepts the prior value in place of an equivalent
// configuration). That keeps an imported object's plan empty when only the spelling
// differs.
func StateWhenSame(description string, same func(config, state string) bool) planmodifier.String {
	return stateWhenSame{description, same}
}

type stateWhenSame struct {
	description string
	same        func(config, state string) bool
}

func (m stateWhenSame) Description(context.Context) string { return m.description }
func (m stateWhenSame) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m stateWhenSame) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if m.same == nil || !known(req.PlanValue) || !known(req.StateValue) {
		return
	}
	if m.same(req.PlanValue.ValueString(), req.StateValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}

func known(v types.String) bool { return !v.IsNull() && !v.IsUnknown() }

// SameMAC: a MAC address in any case or separator style is the one Ironic stores.
func SameMAC() planmodifier.String {
	return StateWhenSame("A MAC address written in another case is the same address.", func(config, state string) bool {
		a, errA := ironic.NormalizeMAC(config)
		b, errB := ironic.NormalizeMAC(state)
		return errA == nil && errB == nil && a == b
	})
}

// StringOrMap is a plan modifier for string and map attributes alike.
type StringOrMap interface {
	planmodifier.String
	planmodifier.Map
}

// Changes reports whether something in the plan changes a value on the remote side.
type Changes func(ctx context.Context, plan tfsdk.Plan, state tfsdk.State) (bool, diag.Diagnostics)

// UseStateUnless keeps an unconfigured computed value as it is in the state, unless
// changes says something in this plan will change it on the remote side.
func UseStateUnless(description string, changes Changes) StringOrMap {
	return useStateUnless{description, changes}
}

type useStateUnless struct {
	description string
	changes     Changes
}

func (m useStateUnless) Description(context.Context) string { return m.description }
func (m useStateUnless) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m useStateUnless) keep(ctx context.Context, config, plan, state attr.Value, p tfsdk.Plan, st tfsdk.State, diags *diag.Diagnostics) bool {
	if state.IsNull() || !plan.IsUnknown() || config.IsUnknown() {
		return false
	}
	changes, d := m.changes(ctx, p, st)
	diags.Append(d...)
	return !changes
}

func (m useStateUnless) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if m.keep(ctx, req.ConfigValue, req.PlanValue, req.StateValue, req.Plan, req.State, &resp.Diagnostics) {
		resp.PlanValue = req.StateValue
	}
}

func (m useStateUnless) PlanModifyMap(ctx context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if m.keep(ctx, req.ConfigValue, req.PlanValue, req.StateValue, req.Plan, req.State, &resp.Diagnostics) {
		resp.PlanValue = req.StateValue
	}
}
