package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// keepStateWhenSame plans the state's value when the configured one means the same
// thing (Terraform accepts the prior value in place of an equivalent configuration).
// That keeps an imported object's plan empty when only the spelling differs.
type keepStateWhenSame struct {
	description string
	sameString  func(config, state string) bool
	sameMap     func(config, state map[string]string) bool
}

func (m keepStateWhenSame) Description(context.Context) string { return m.description }
func (m keepStateWhenSame) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m keepStateWhenSame) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if m.sameString == nil || !known(req.PlanValue) || !known(req.StateValue) {
		return
	}
	if m.sameString(req.PlanValue.ValueString(), req.StateValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}

func (m keepStateWhenSame) PlanModifyMap(ctx context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if m.sameMap == nil || !fullyKnown(req.PlanValue) || req.PlanValue.IsNull() || req.StateValue.IsNull() || req.StateValue.IsUnknown() {
		return
	}
	plan := stringMap(ctx, req.PlanValue, &resp.Diagnostics)
	state := stringMap(ctx, req.StateValue, &resp.Diagnostics)
	if m.sameMap(plan, state) {
		resp.PlanValue = req.StateValue
	}
}

func known(v types.String) bool { return !v.IsNull() && !v.IsUnknown() }

// sameMAC: a MAC address in any case or separator style is the one Ironic stores.
func sameMAC() keepStateWhenSame {
	return keepStateWhenSame{
		description: "A MAC address written in another case is the same address.",
		sameString: func(config, state string) bool {
			a, errA := ironic.NormalizeMAC(config)
			b, errB := ironic.NormalizeMAC(state)
			return errA == nil && errB == nil && a == b
		},
	}
}

// sameInstanceInfo: a configured instance_info is what the state holds when every
// configured key has its value there and the state's other keys are ones Ironic wrote
// itself (an imported deployment records all of Ironic's keys).
func sameInstanceInfo() keepStateWhenSame {
	return keepStateWhenSame{
		description: "Keys Ironic adds to instance_info by itself are not a change.",
		sameMap: func(config, state map[string]string) bool {
			for k, v := range config {
				if s, ok := state[k]; !ok || s != v {
					return false
				}
			}
			for k := range state {
				if _, ok := config[k]; !ok && !ironic.IsIronicOwnedInstanceInfo(k) {
					return false
				}
			}
			return true
		},
	}
}
