package planmodifiers

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestSameMAC(t *testing.T) {
	cases := []struct {
		plan, state types.String
		want        types.String
	}{
		{types.StringValue("52:54:00:AB:CD:EF"), types.StringValue("52:54:00:ab:cd:ef"), types.StringValue("52:54:00:ab:cd:ef")},
		{types.StringValue("52:54:00:AB:CD:EE"), types.StringValue("52:54:00:ab:cd:ef"), types.StringValue("52:54:00:AB:CD:EE")},
		{types.StringValue("52:54:00:AB:CD:EF"), types.StringNull(), types.StringValue("52:54:00:AB:CD:EF")},
		{types.StringUnknown(), types.StringValue("52:54:00:ab:cd:ef"), types.StringUnknown()},
	}
	for _, c := range cases {
		resp := &planmodifier.StringResponse{PlanValue: c.plan}
		SameMAC().PlanModifyString(context.Background(), planmodifier.StringRequest{PlanValue: c.plan, StateValue: c.state}, resp)
		if !resp.PlanValue.Equal(c.want) {
			t.Errorf("plan %s, state %s: planned %s, want %s", c.plan, c.state, resp.PlanValue, c.want)
		}
	}
}

// An unconfigured computed value keeps its state unless the plan changes it; a value the
// plan knows, a configuration still unknown, or no state (create) is left as planned.
func TestUseStateUnless(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name                   string
		config, plan, state    types.String
		changes, wantKeptState bool
	}{
		{"unconfigured, nothing changes it", types.StringNull(), types.StringUnknown(), types.StringValue("ipmitool"), false, true},
		{"unconfigured, the plan changes it", types.StringNull(), types.StringUnknown(), types.StringValue("ipmitool"), true, false},
		{"planned known", types.StringValue("redfish"), types.StringValue("redfish"), types.StringValue("ipmitool"), false, false},
		{"configuration unknown", types.StringUnknown(), types.StringUnknown(), types.StringValue("ipmitool"), false, false},
		{"create", types.StringNull(), types.StringUnknown(), types.StringNull(), false, false},
	} {
		m := UseStateUnless("test", func(context.Context, tfsdk.Plan, tfsdk.State) (bool, diag.Diagnostics) { return c.changes, nil })
		resp := &planmodifier.StringResponse{PlanValue: c.plan}
		m.PlanModifyString(ctx, planmodifier.StringRequest{ConfigValue: c.config, PlanValue: c.plan, StateValue: c.state}, resp)
		if kept := resp.PlanValue.Equal(c.state) && !c.plan.Equal(c.state); kept != c.wantKeptState {
			t.Errorf("%s: planned %s", c.name, resp.PlanValue)
		}
		// The same for a map.
		state := types.MapValueMust(types.StringType, map[string]attr.Value{"k": c.state})
		if c.state.IsNull() {
			state = types.MapNull(types.StringType)
		}
		plan, config := types.MapUnknown(types.StringType), types.MapNull(types.StringType)
		if !c.plan.IsUnknown() {
			plan = types.MapValueMust(types.StringType, map[string]attr.Value{"k": c.plan})
		}
		if c.config.IsUnknown() {
			config = types.MapUnknown(types.StringType)
		}
		mresp := &planmodifier.MapResponse{PlanValue: plan}
		m.PlanModifyMap(ctx, planmodifier.MapRequest{ConfigValue: config, PlanValue: plan, StateValue: state}, mresp)
		if kept := mresp.PlanValue.Equal(state) && !plan.Equal(state); kept != c.wantKeptState {
			t.Errorf("%s (map): planned %s", c.name, mresp.PlanValue)
		}
	}
}
