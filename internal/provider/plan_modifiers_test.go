package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

func strMapValue(m map[string]string) types.Map {
	v, _ := types.MapValueFrom(context.Background(), types.StringType, m)
	return v
}

func TestSameInstanceInfo(t *testing.T) {
	config := map[string]string{"image_source": "s", "image_checksum": "c"}
	cases := []struct {
		name  string
		state map[string]string
		keep  bool
	}{
		{"identical", map[string]string{"image_source": "s", "image_checksum": "c"}, true},
		{"plus keys Ironic added (import)", map[string]string{"image_source": "s", "image_checksum": "c", "image_type": "whole-disk", "image_url": "u"}, true},
		{"plus a user key the config dropped", map[string]string{"image_source": "s", "image_checksum": "c", "root_gb": "10"}, false},
		{"other value", map[string]string{"image_source": "s", "image_checksum": "d"}, false},
		{"key missing from the state", map[string]string{"image_source": "s"}, false},
	}
	for _, c := range cases {
		plan, state := strMapValue(config), strMapValue(c.state)
		resp := &planmodifier.MapResponse{PlanValue: plan}
		sameInstanceInfo().PlanModifyMap(context.Background(), planmodifier.MapRequest{PlanValue: plan, StateValue: state}, resp)
		if got := resp.PlanValue.Equal(state); got != c.keep {
			t.Errorf("%s: kept the state = %v, want %v", c.name, got, c.keep)
		}
	}
	// Unknown elements (a checksum known only at apply) are never replaced.
	unknown := types.MapValueMust(types.StringType, map[string]attr.Value{"image_source": types.StringValue("s"), "image_checksum": types.StringUnknown()})
	resp := &planmodifier.MapResponse{PlanValue: unknown}
	sameInstanceInfo().PlanModifyMap(context.Background(), planmodifier.MapRequest{PlanValue: unknown, StateValue: strMapValue(config)}, resp)
	if !resp.PlanValue.Equal(unknown) {
		t.Errorf("an unknown plan was replaced: %s", resp.PlanValue)
	}
}

func TestPlanAs(t *testing.T) {
	plan := tfsdk.Plan{Raw: tftypes.NewValue(tftypes.Object{}, map[string]tftypes.Value{})}
	resp := &planmodifier.StringResponse{PlanValue: types.StringUnknown()}
	planAs("active").PlanModifyString(context.Background(), planmodifier.StringRequest{Plan: plan, StateValue: types.StringValue("deploy failed")}, resp)
	if resp.PlanValue.ValueString() != "active" {
		t.Fatalf("planned %s", resp.PlanValue)
	}
	for _, kept := range []string{"servicing", "service wait", "service hold", "deploy hold", "clean hold"} {
		resp = &planmodifier.StringResponse{PlanValue: types.StringUnknown()}
		planAs("active").PlanModifyString(context.Background(), planmodifier.StringRequest{Plan: plan, StateValue: types.StringValue(kept)}, resp)
		if resp.PlanValue.ValueString() != kept {
			t.Fatalf("%s planned as %s: Ironic's servicing or an operator's hold would be fought", kept, resp.PlanValue)
		}
	}
	destroy := tfsdk.Plan{Raw: tftypes.NewValue(tftypes.Object{}, nil)}
	resp = &planmodifier.StringResponse{PlanValue: types.StringNull()}
	planAs("active").PlanModifyString(context.Background(), planmodifier.StringRequest{Plan: destroy}, resp)
	if !resp.PlanValue.IsNull() {
		t.Fatalf("destroy planned %s", resp.PlanValue)
	}
}

// followTarget needs the plan's target attribute, and whether the node is retired
// (nil: unknown).
func targetPlan(target string, retired ...any) tfsdk.Plan {
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"target_provision_state": tftypes.String, "retired": tftypes.Bool}}
	sch := nodeSchemaForTest()
	r := tftypes.NewValue(tftypes.Bool, false)
	if len(retired) > 0 {
		r = tftypes.NewValue(tftypes.Bool, retired[0])
		if retired[0] == nil {
			r = tftypes.NewValue(tftypes.Bool, tftypes.UnknownValue)
		}
	}
	return tfsdk.Plan{Schema: sch, Raw: tftypes.NewValue(typ, map[string]tftypes.Value{"target_provision_state": tftypes.NewValue(tftypes.String, target), "retired": r})}
}

// nodeState is a node's state with a provision and power state, for followTarget.
func nodeState(provision, power string, targetPower string) (tfsdk.Plan, tfsdk.State) {
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"provision_state": tftypes.String, "power_state": tftypes.String, "target_power_state": tftypes.String}}
	sch := schema.Schema{Attributes: map[string]schema.Attribute{"provision_state": schema.StringAttribute{Computed: true},
		"power_state": schema.StringAttribute{Computed: true}, "target_power_state": schema.StringAttribute{Optional: true}}}
	str := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	raw := tftypes.NewValue(typ, map[string]tftypes.Value{"provision_state": str(provision), "power_state": str(power), "target_power_state": str(targetPower)})
	return tfsdk.Plan{Schema: sch, Raw: raw}, tfsdk.State{Schema: sch, Raw: raw}
}

// Power follows target_power_state, except while a deployment holds the node.
func TestPowerStateFollowsTarget(t *testing.T) {
	for _, c := range []struct{ provision, power, target, want string }{
		{"available", "power on", "power off", "power off"},
		{"manageable", "power off", "power on", "power on"},
		{"active", "power on", "power off", "power on"},         // deployed: the deployment's
		{"deploy failed", "power off", "power on", "power off"}, // likewise
	} {
		plan, state := nodeState(c.provision, c.power, c.target)
		resp := &planmodifier.StringResponse{PlanValue: types.StringUnknown()}
		powerStateFromTarget().PlanModifyString(context.Background(),
			planmodifier.StringRequest{Plan: plan, State: state, StateValue: types.StringValue(c.power)}, resp)
		if resp.Diagnostics.HasError() || resp.PlanValue.ValueString() != c.want {
			t.Errorf("%s, %s, target %s: planned %s, want %s (%v)", c.provision, c.power, c.target, resp.PlanValue, c.want, resp.Diagnostics)
		}
	}
}

func TestProvisionStateFollowsTarget(t *testing.T) {
	cases := []struct {
		target string
		state  types.String
		want   string
	}{
		{"available", types.StringValue("manageable"), "available"},
		{"available", types.StringValue("active"), "active"},               // a deployment holds it
		{"available", types.StringValue("deploy failed"), "deploy failed"}, // likewise
		{"manageable", types.StringValue("available"), "manageable"},
		{"enroll", types.StringValue("available"), "available"}, // enroll: left where it is
		{"enroll", types.StringNull(), "enroll"},                // a new node
	}
	for _, c := range cases {
		resp := &planmodifier.StringResponse{PlanValue: types.StringUnknown()}
		provisionStateFromTarget().PlanModifyString(context.Background(),
			planmodifier.StringRequest{Plan: targetPlan(c.target), State: provisionOnly(c.state), StateValue: c.state}, resp)
		if resp.Diagnostics.HasError() || resp.PlanValue.ValueString() != c.want {
			t.Errorf("target %s, state %s: planned %s, want %s (%v)", c.target, c.state, resp.PlanValue, c.want, resp.Diagnostics)
		}
	}
	// A retired node is offered no more: its available rests in manageable (Ironic refuses
	// to provide it), so the plan after its teardown is empty; unknown while retired is.
	for _, c := range []struct {
		target  string
		retired any
		want    types.String
	}{
		{"available", true, types.StringValue("manageable")},
		{"manageable", true, types.StringValue("manageable")},
		{"available", false, types.StringValue("available")},
		{"available", nil, types.StringUnknown()},
	} {
		resp := &planmodifier.StringResponse{PlanValue: types.StringUnknown()}
		state := types.StringValue("manageable")
		provisionStateFromTarget().PlanModifyString(context.Background(),
			planmodifier.StringRequest{Plan: targetPlan(c.target, c.retired), State: provisionOnly(state), StateValue: state}, resp)
		if resp.Diagnostics.HasError() || !resp.PlanValue.Equal(c.want) {
			t.Errorf("target %s, retired %v: planned %s, want %s (%v)", c.target, c.retired, resp.PlanValue, c.want, resp.Diagnostics)
		}
	}
}

func provisionOnly(v types.String) tfsdk.State {
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"provision_state": tftypes.String}}
	sch := schema.Schema{Attributes: map[string]schema.Attribute{"provision_state": schema.StringAttribute{Computed: true}}}
	if v.IsNull() {
		return tfsdk.State{Schema: sch, Raw: tftypes.NewValue(typ, nil)}
	}
	return tfsdk.State{Schema: sch, Raw: tftypes.NewValue(typ, map[string]tftypes.Value{"provision_state": tftypes.NewValue(tftypes.String, v.ValueString())})}
}

func TestPatchBuilder(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	b := newPatch(ctx, &diags)
	b.str("name", types.StringValue("new"), types.StringValue("old"))
	b.str("mode", types.StringNull(), types.StringValue("active-backup"))
	b.str("same", types.StringValue("x"), types.StringValue("x"))
	b.str("computed", types.StringUnknown(), types.StringValue("x"))
	b.boolean("flag", types.BoolValue(false), types.BoolValue(true))
	b.strMap("extra", types.MapNull(types.StringType), strMapValue(map[string]string{"a": "b"}))
	b.strMap("properties", types.MapUnknown(types.StringType), strMapValue(map[string]string{"cpu_arch": "x86_64"}))
	b.strMap("unchanged", strMapValue(map[string]string{"a": "b"}), strMapValue(map[string]string{"a": "b"}))
	want := []ironic.PatchOp{
		{Op: "add", Path: "/name", Value: "new"},
		{Op: "remove", Path: "/mode"},
		{Op: "add", Path: "/flag", Value: false},
		{Op: "add", Path: "/extra", Value: map[string]any{}},
	}
	if len(b.ops) != len(want) {
		t.Fatalf("ops %v, want %v", b.ops, want)
	}
	for i := range want {
		if b.ops[i].Op != want[i].Op || b.ops[i].Path != want[i].Path {
			t.Errorf("op %d: %v, want %v", i, b.ops[i], want[i])
		}
	}
}

// An unset properties map that Ironic owns (planned unknown while inspect = true) is
// never sent: the inspected values survive an unrelated change.
func TestNodePatchNeverSendsUnknownProperties(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	state := nodeResourceModel{nodeHardware: nullHardware(), nodeFields: nodeFields{
		Driver: types.StringValue("fake-hardware"), Description: types.StringValue("old"),
		Properties: strMapValue(map[string]string{"cpu_arch": "x86_64"}), DriverInfo: types.MapNull(types.StringType), Extra: types.MapNull(types.StringType),
	}}
	plan := state
	plan.Description = types.StringValue("new")
	plan.Properties = types.MapUnknown(types.StringType)
	ops, driverChanged := nodePatch(ctx, &plan, &state, &diags)
	if driverChanged || len(ops) != 1 || ops[0].(nodes.UpdateOperation).Path != "/description" {
		t.Fatalf("ops %+v", ops)
	}
	plan.Properties = types.MapNull(types.StringType) // configured away: cleared, key by key
	if ops, _ := nodePatch(ctx, &plan, &state, &diags); len(ops) != 2 || ops[1].(nodes.UpdateOperation).Path != "/properties/cpu_arch" ||
		ops[1].(nodes.UpdateOperation).Op != nodes.RemoveOp {
		t.Fatalf("ops %+v", ops)
	}
}

// properties is patched key by key, so properties.root_device (the root_device
// attribute) survives a change of properties, and root_device leaves properties alone.
func TestNodePatchPropertiesAndRootDeviceApart(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	hints := func(serial string) types.Map {
		if serial == "" {
			return strMapValue(map[string]string{})
		}
		return strMapValue(map[string]string{"serial": serial, "size": ">= 100", "rotational": "false"})
	}
	state := nodeResourceModel{nodeHardware: nullHardware(), nodeFields: nodeFields{
		Driver: types.StringValue("fake-hardware"), DriverInfo: types.MapNull(types.StringType), Extra: types.MapNull(types.StringType),
		Properties: strMapValue(map[string]string{"cpu_arch": "x86_64", "memory_mb": "4096"}),
	}}
	state.RootDevice = hints("S1")
	plan := state
	plan.Properties = strMapValue(map[string]string{"cpu_arch": "aarch64", "memory_mb": "4096", "a/b~c": "1"})
	ops, _ := nodePatch(ctx, &plan, &state, &diags)
	got := []string{}
	for _, o := range ops {
		u := o.(nodes.UpdateOperation)
		got = append(got, string(u.Op)+" "+u.Path)
	}
	if fmt.Sprint(got) != "[add /properties/a~1b~0c add /properties/cpu_arch]" {
		t.Fatalf("properties ops %v", got)
	}
	plan = state
	plan.RootDevice = hints("S2")
	ops, _ = nodePatch(ctx, &plan, &state, &diags)
	if len(ops) != 1 || ops[0].(nodes.UpdateOperation).Path != "/properties/root_device" ||
		fmt.Sprint(ops[0].(nodes.UpdateOperation).Value) != "map[rotational:false serial:S2 size:>= 100]" {
		t.Fatalf("root_device ops %+v", ops)
	}
	plan.RootDevice = hints("") // {}: the hints go
	ops, _ = nodePatch(ctx, &plan, &state, &diags)
	if len(ops) != 1 || ops[0].(nodes.UpdateOperation).Op != nodes.RemoveOp || ops[0].(nodes.UpdateOperation).Path != "/properties/root_device" {
		t.Fatalf("root_device removal %+v", ops)
	}
	plan.RootDevice = types.MapUnknown(types.StringType) // not configured: left alone
	if ops, _ = nodePatch(ctx, &plan, &state, &diags); len(ops) != 0 || diags.HasError() {
		t.Fatalf("unknown root_device sent %+v %v", ops, diags)
	}
}

func TestRebuildPlanned(t *testing.T) {
	base := deploymentResourceModel{
		InstanceInfo: strMapValue(map[string]string{"image_source": "s"}),
		ConfigDrive:  types.ObjectNull(configDriveAttrTypes), DeploySteps: types.StringNull(),
	}
	changed := base
	changed.InstanceInfo = strMapValue(map[string]string{"image_source": "t"})
	unknown := base
	unknown.InstanceInfo = types.MapValueMust(types.StringType, map[string]attr.Value{"image_source": types.StringUnknown()})
	steps := base
	steps.DeploySteps = types.StringValue(`[{"interface":"deploy","step":"x"}]`)
	cases := []struct {
		name    string
		plan    deploymentResourceModel
		adopted bool
		want    rebuildChange
	}{
		{"unchanged", base, false, noRebuild},
		{"new image", changed, false, willRebuild},
		{"checksum known at apply", unknown, false, mayRebuild},
		{"deploy steps", steps, false, willRebuild},
		{"deploy steps on an imported deployment", steps, true, noRebuild},
		{"new image on an imported deployment", changed, true, willRebuild},
	}
	for _, c := range cases {
		if got := rebuildPlanned(&c.plan, &base, c.adopted); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func nodeSchemaForTest() schema.Schema {
	return schema.Schema{Attributes: map[string]schema.Attribute{"target_provision_state": schema.StringAttribute{Optional: true},
		"retired": schema.BoolAttribute{Optional: true}}}
}

// Deploy template steps in another order, formatting, or without an empty args are
// the steps Ironic holds; another priority is not.
func TestSameSteps(t *testing.T) {
	same := sameStepsText
	ironicHolds := `[{"args":{},"interface":"bios","priority":140,"step":"apply_configuration"},{"args":{"x":1},"interface":"raid","priority":150,"step":"apply_configuration"}]`
	if !same(`[{"interface":"raid","step":"apply_configuration","priority":150,"args":{"x":1}}, {"interface":"bios","step":"apply_configuration","priority":140}]`, ironicHolds) {
		t.Fatal("reordered steps without args differ")
	}
	if same(`[{"interface":"raid","step":"apply_configuration","priority":151,"args":{"x":1}}, {"interface":"bios","step":"apply_configuration","priority":140}]`, ironicHolds) {
		t.Fatal("a changed priority is the same")
	}
}

// An owner Ironic fills in (Keystone records the creating project) is computed: the
// plan leaves it unknown at create and keeps it afterwards, so it is never an
// inconsistent result or drift.
func TestNodeOwnerIsIronicFilled(t *testing.T) {
	var resp resource.SchemaResponse
	(&nodeResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	owner := resp.Schema.Attributes["owner"].(schema.StringAttribute)
	if !owner.Optional || !owner.Computed || len(owner.PlanModifiers) != 1 {
		t.Fatalf("owner: %+v", owner)
	}
	typ := resp.Schema.Type().TerraformType(context.Background()).(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for k, at := range typ.AttributeTypes {
		vals[k] = tftypes.NewValue(at, nil)
	}
	vals["owner"] = tftypes.NewValue(tftypes.String, "4f2c-project")
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(typ, vals)}
	req := planmodifier.StringRequest{ConfigValue: types.StringNull(), PlanValue: types.StringUnknown(), StateValue: types.StringValue("4f2c-project"), State: state}
	out := &planmodifier.StringResponse{PlanValue: req.PlanValue}
	owner.PlanModifiers[0].PlanModifyString(context.Background(), req, out)
	if out.PlanValue.ValueString() != "4f2c-project" {
		t.Fatalf("an unset owner planned %v", out.PlanValue)
	}
}

// imagePlan is the configuration of a baremetal_image with url, checksum_algorithm and
// expected_checksum, as a plan and as a config.
func imagePlan(url string, algo, expected tftypes.Value) (tfsdk.Plan, tfsdk.Config) {
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"url": tftypes.String, "checksum_algorithm": tftypes.String, "expected_checksum": tftypes.String}}
	sch := schema.Schema{Attributes: map[string]schema.Attribute{
		"url": schema.StringAttribute{Required: true}, "checksum_algorithm": schema.StringAttribute{Optional: true, Computed: true},
		"expected_checksum": schema.StringAttribute{Optional: true}}}
	raw := tftypes.NewValue(typ, map[string]tftypes.Value{"url": tftypes.NewValue(tftypes.String, url), "checksum_algorithm": algo, "expected_checksum": expected})
	return tfsdk.Plan{Schema: sch, Raw: raw}, tfsdk.Config{Schema: sch, Raw: raw}
}

func TestImageInstanceInfoPlan(t *testing.T) {
	ctx := context.Background()
	run := func(plan tfsdk.Plan, config tfsdk.Config, state types.Map) types.Map {
		resp := &planmodifier.MapResponse{PlanValue: types.MapUnknown(types.StringType)}
		imageInstanceInfoPlan{}.PlanModifyMap(ctx, planmodifier.MapRequest{Plan: plan, Config: config, PlanValue: types.MapUnknown(types.StringType), StateValue: state}, resp)
		return resp.PlanValue
	}
	str := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	null := tftypes.NewValue(tftypes.String, nil)
	recorded := strMapValue(map[string]string{"image_source": "http://i/os.img", "image_checksum": "abc"})
	p, c := imagePlan("http://i/os.img", str("md5"), null)
	if got := run(p, c, recorded); !got.Equal(recorded) {
		t.Errorf("an image that stays keeps its instance_info: %s", got)
	}
	// No algorithm configured: md5, Ironic's default.
	p, c = imagePlan("http://i/os.img", null, null)
	md5 := run(p, c, types.MapNull(types.StringType))
	want := types.MapValueMust(types.StringType, map[string]attr.Value{"image_source": types.StringValue("http://i/os.img"), "image_checksum": types.StringUnknown()})
	if !md5.Equal(want) {
		t.Errorf("a new md5 image: %s, want %s", md5, want)
	}
	// The algorithm the expected checksum implies.
	p, c = imagePlan("file:///i/os.img", null, str(strings.Repeat("ab", 64)))
	sha := run(p, c, types.MapNull(types.StringType))
	want = types.MapValueMust(types.StringType, map[string]attr.Value{"image_source": types.StringValue("file:///i/os.img"),
		"image_os_hash_algo": types.StringValue("sha512"), "image_os_hash_value": types.StringUnknown()})
	if !sha.Equal(want) {
		t.Errorf("a new sha512 image: %s, want %s", sha, want)
	}
	p, c = imagePlan("http://i/os.img", null, tftypes.NewValue(tftypes.String, tftypes.UnknownValue))
	if got := run(p, c, types.MapNull(types.StringType)); !got.IsUnknown() {
		t.Errorf("an algorithm known only at apply: %s", got)
	}
}

// An import in the same apply as the image its instance_info names: the first plan has
// the configured keys with the digest unknown, and the final plan (the digest known)
// must be consistent with it (Terraform refuses a final plan with other keys). The import
// records no key Ironic wrote itself, so the record the final plan keeps has the
// configured keys.
func TestSameInstanceInfoImportedWithUnknownImage(t *testing.T) {
	const sha = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
	remote := map[string]string{"image_source": "http://i/os.img", "image_os_hash_algo": "sha256", "image_os_hash_value": sha,
		"image_type": "whole-disk", "image_url": "http://c/os.img", "image_disk_format": "raw", "image_source_type": "http"}
	state := strMapValue(ironic.RecordedInstanceInfo(remote))
	first := types.MapValueMust(types.StringType, map[string]attr.Value{"image_source": types.StringValue("http://i/os.img"),
		"image_os_hash_algo": types.StringValue("sha256"), "image_os_hash_value": types.StringUnknown()})
	plan := func(config types.Map) types.Map {
		resp := &planmodifier.MapResponse{PlanValue: config}
		sameInstanceInfo().PlanModifyMap(context.Background(), planmodifier.MapRequest{PlanValue: config, StateValue: state}, resp)
		return resp.PlanValue
	}
	if got := plan(first); !got.Equal(first) {
		t.Fatalf("first plan: %s", got)
	}
	for _, digest := range []string{sha, strings.Repeat("0", 64)} {
		final := plan(strMapValue(map[string]string{"image_source": "http://i/os.img", "image_os_hash_algo": "sha256", "image_os_hash_value": digest}))
		if len(final.Elements()) != len(first.Elements()) {
			t.Errorf("digest %s: the final plan %s has other keys than the first %s", digest, final, first)
		}
		for k, v := range first.Elements() {
			if !v.IsUnknown() && !final.Elements()[k].Equal(v) {
				t.Errorf("digest %s: the final plan changed %s: %s", digest, k, final)
			}
		}
		if same := final.Equal(state); same != (digest == sha) {
			t.Errorf("digest %s: the final plan keeps the record = %v", digest, same)
		}
	}
}

// An imported deployment's record is Ironic's: a configuration that names the same
// image in another algorithm is kept as recorded; a recorded configuration is not.
func TestSameInstanceInfoAfterIronicRewrote(t *testing.T) {
	const md5hex = "0cc175b9c0f1b6a831c399e269772661"
	const sha = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
	config := map[string]string{"image_source": "file:///i.img", "image_checksum": md5hex}
	imported := map[string]string{"image_source": "file:///i.img", "image_checksum": "", "image_os_hash_algo": "sha256",
		"image_os_hash_value": sha, "image_url": "http://c/n", "image_disk_format": "raw", "image_type": "whole-disk"}
	if !ironic.SameRecordedInstanceInfo(config, imported, true) {
		t.Error("an import of a file:// deployment plans a rebuild")
	}
	if ironic.SameRecordedInstanceInfo(map[string]string{"image_source": "file:///i.img", "image_os_hash_algo": "sha256", "image_os_hash_value": sha}, config, false) {
		t.Error("a configuration moved from md5 to sha256 counts as unchanged")
	}
	if ironic.SameRecordedInstanceInfo(map[string]string{"image_source": "file:///j.img", "image_checksum": md5hex}, imported, true) {
		t.Error("another image_source counts as unchanged")
	}
}

// An unset maintenance_reason is Ironic's or an operator's while the node stays in
// maintenance, and none once maintenance is lifted.
func TestMaintenanceReasonPlan(t *testing.T) {
	ctx := context.Background()
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"maintenance": tftypes.Bool, "maintenance_reason": tftypes.String}}
	sch := schema.Schema{Attributes: map[string]schema.Attribute{"maintenance": schema.BoolAttribute{Optional: true, Computed: true},
		"maintenance_reason": schema.StringAttribute{Optional: true, Computed: true}}}
	obj := func(m, r tftypes.Value) tftypes.Value {
		return tftypes.NewValue(typ, map[string]tftypes.Value{"maintenance": m, "maintenance_reason": r})
	}
	b := func(v bool) tftypes.Value { return tftypes.NewValue(tftypes.Bool, v) }
	nullB, nullS := tftypes.NewValue(tftypes.Bool, nil), tftypes.NewValue(tftypes.String, nil)
	reason := tftypes.NewValue(tftypes.String, "disk 3 failed")
	for _, c := range []struct {
		name        string
		configMaint tftypes.Value
		stateMaint  tftypes.Value
		want        types.String
	}{
		{"unset, in maintenance by an operator", nullB, b(true), types.StringValue("disk 3 failed")},
		{"maintenance = false lifts it", b(false), b(true), types.StringNull()},
		{"unset, not in maintenance", nullB, b(false), types.StringNull()},
	} {
		config := tfsdk.Config{Schema: sch, Raw: obj(c.configMaint, nullS)}
		state := tfsdk.State{Schema: sch, Raw: obj(c.stateMaint, reason)}
		plan := tfsdk.Plan{Schema: sch, Raw: obj(tftypes.NewValue(tftypes.Bool, tftypes.UnknownValue), tftypes.NewValue(tftypes.String, tftypes.UnknownValue))}
		resp := &planmodifier.StringResponse{PlanValue: types.StringUnknown()}
		maintenanceReasonPlan{}.PlanModifyString(ctx, planmodifier.StringRequest{Config: config, State: state, Plan: plan,
			ConfigValue: types.StringNull(), StateValue: types.StringValue("disk 3 failed"), PlanValue: types.StringUnknown()}, resp)
		if !resp.PlanValue.Equal(c.want) {
			t.Errorf("%s: planned %s, want %s", c.name, resp.PlanValue, c.want)
		}
	}
}

// disable_power_off that Ironic does not report (before API 1.95) reads false: it is
// null in state unless configured, so generated configuration never names it.
func TestDisablePowerOffReadBack(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		remote bool
		prior  types.Bool
		want   types.Bool
	}{
		{false, types.BoolNull(), types.BoolNull()},
		{false, types.BoolUnknown(), types.BoolNull()},
		{false, types.BoolValue(false), types.BoolValue(false)},
		{false, types.BoolValue(true), types.BoolValue(false)}, // drift from a configured true
		{true, types.BoolNull(), types.BoolValue(true)},
	} {
		var m nodeFields
		prior := nodeFields{DriverInfo: types.MapNull(types.StringType), Properties: types.MapNull(types.StringType), Extra: types.MapNull(types.StringType), DisablePowerOff: c.prior}
		m.fromNode(ctx, &nodes.Node{UUID: "n1", DisablePowerOff: c.remote}, &prior)
		if !m.DisablePowerOff.Equal(c.want) {
			t.Errorf("remote %v, prior %v: got %v, want %v", c.remote, c.prior, m.DisablePowerOff, c.want)
		}
	}
}
