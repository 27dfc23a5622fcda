package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Ironic's mask configured as a driver_info value is refused at plan time, naming the
// key: it would be sent as the password.
func TestValidateSecretsRefusesTheMask(t *testing.T) {
	m := nodeResourceModel{}
	m.DriverInfo = types.MapValueMust(types.StringType, map[string]attr.Value{
		"ipmi_address": types.StringValue("10.0.0.1"), "ipmi_password": types.StringValue("******"),
	})
	m.DriverSecretsWO = types.MapNull(types.StringType)
	var diags diag.Diagnostics
	validateSecrets(&m, &diags)
	if diags.ErrorsCount() != 1 || !strings.Contains(diags.Errors()[0].Detail(), `driver_info["ipmi_password"] is "******"`) ||
		!strings.Contains(diags.Errors()[0].Detail(), "driver_secrets_wo") {
		t.Fatalf("diagnostics: %v", diags)
	}
	if p := diags.Errors()[0].(diag.DiagnosticWithPath).Path(); !p.Equal(path.Root("driver_info").AtMapKey("ipmi_password")) {
		t.Fatalf("path %s", p)
	}
	m.DriverInfo = types.MapValueMust(types.StringType, map[string]attr.Value{"ipmi_password": types.StringValue("s3cret")})
	diags = nil
	if validateSecrets(&m, &diags); diags.HasError() {
		t.Fatalf("a real password refused: %v", diags)
	}
}

// An adopted node's masked secrets are named in a warning that says what to add.
func TestMaskedSecretsWarning(t *testing.T) {
	var diags diag.Diagnostics
	maskedSecretsWarning(&nodes.Node{UUID: "n1", DriverInfo: map[string]any{"ipmi_password": "******", "ipmi_address": "10.0.0.1"}}, &diags)
	if diags.WarningsCount() != 1 || !strings.Contains(diags[0].Detail(), "ipmi_password") || !strings.Contains(diags[0].Detail(), "driver_secrets_wo") {
		t.Fatalf("diagnostics: %v", diags)
	}
	diags = nil
	if maskedSecretsWarning(&nodes.Node{UUID: "n1", DriverInfo: map[string]any{"ipmi_address": "10.0.0.1"}}, &diags); len(diags) != 0 {
		t.Fatalf("warned without a secret: %v", diags)
	}
}

// An unset allow_rebuild plans true for a deployment Terraform creates (and one
// imported before imports recorded false: no private mark); a configured value wins.
// The import's false is checked by TestAccQuery_generateConfig, which removes the
// generated allow_rebuild = false and plans again.
func TestRebuildDefault(t *testing.T) {
	ctx := context.Background()
	obj := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"x": tftypes.String}}
	some := tftypes.NewValue(obj, map[string]tftypes.Value{"x": tftypes.NewValue(tftypes.String, "x")})
	none := tftypes.NewValue(obj, nil)
	for _, c := range []struct {
		name   string
		config types.Bool
		state  tftypes.Value
		want   types.Bool
	}{
		{"created", types.BoolNull(), none, types.BoolValue(true)},
		{"created earlier", types.BoolNull(), some, types.BoolValue(true)},
		{"configured", types.BoolValue(false), some, types.BoolUnknown()},
	} {
		req := planmodifier.BoolRequest{ConfigValue: c.config, Plan: tfsdk.Plan{Raw: some}, State: tfsdk.State{Raw: c.state}}
		resp := planmodifier.BoolResponse{PlanValue: types.BoolUnknown()}
		rebuildDefault{}.PlanModifyBool(ctx, req, &resp)
		if resp.Diagnostics.HasError() || !resp.PlanValue.Equal(c.want) {
			t.Errorf("%s: planned %s, want %s (%v)", c.name, resp.PlanValue, c.want, resp.Diagnostics)
		}
	}
}

// A deployment that adopts its machine (adopt = true) defaults to allow_rebuild = false:
// a rebuild would overwrite the system Ironic never wrote.
func TestRebuildDefaultForAdopt(t *testing.T) {
	ctx := context.Background()
	s := schema.Schema{Attributes: map[string]schema.Attribute{"adopt": schema.BoolAttribute{Optional: true}}}
	for adopt, want := range map[any]bool{true: false, false: true, nil: true} {
		cfg := tftypes.NewValue(s.Type().TerraformType(ctx), map[string]tftypes.Value{"adopt": tftypes.NewValue(tftypes.Bool, adopt)})
		req := planmodifier.BoolRequest{ConfigValue: types.BoolNull(), Config: tfsdk.Config{Schema: s, Raw: cfg},
			Plan: tfsdk.Plan{Schema: s, Raw: cfg}, State: tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}}
		resp := planmodifier.BoolResponse{PlanValue: types.BoolUnknown()}
		rebuildDefault{}.PlanModifyBool(ctx, req, &resp)
		if resp.Diagnostics.HasError() || resp.PlanValue.ValueBool() != want {
			t.Errorf("adopt = %v: planned %s, want %t (%v)", adopt, resp.PlanValue, want, resp.Diagnostics)
		}
	}
}

// A deployment moved to another node (node_id changes: a replacement) is Terraform's own
// deployment, whatever the one it replaces was; an unknown node_id is not known to move.
func TestReplacesNode(t *testing.T) {
	ctx := context.Background()
	s := schema.Schema{Attributes: map[string]schema.Attribute{"node_id": schema.StringAttribute{Required: true}}}
	val := func(v any) tftypes.Value {
		return tftypes.NewValue(s.Type().TerraformType(ctx), map[string]tftypes.Value{"node_id": tftypes.NewValue(tftypes.String, v)})
	}
	for _, c := range []struct {
		plan, state any
		want        bool
	}{
		{"n1", "n1", false},
		{"n2", "n1", true},
		{tftypes.UnknownValue, "n1", false},
	} {
		req := planmodifier.BoolRequest{Plan: tfsdk.Plan{Schema: s, Raw: val(c.plan)}, State: tfsdk.State{Schema: s, Raw: val(c.state)}}
		if got := replacesNode(ctx, req); got != c.want {
			t.Errorf("node_id %v after %v: replaces = %v", c.plan, c.state, got)
		}
	}
}
