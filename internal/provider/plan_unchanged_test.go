package provider

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// planCase is a prior state and the configuration of a plan; Terraform proposes the
// configuration, with the prior state's values where the configuration leaves a
// computed attribute unset.
type planCase struct {
	name       string
	r          resource.Resource
	state      any      // the model
	configured []string // the attributes the configuration sets (to the state's values)
	edit       func(config map[string]tftypes.Value)
	shortcut   bool // the shortcut answers (else the framework)
}

// The plan of an object Terraform proposes unchanged is the framework's answer, with
// or without the framework: the prior state when no default, attribute plan modifier or
// ModifyPlan changes it, and the framework's own plan whenever one might.
func TestUnchangedPlanIsTheFrameworks(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	node := &nodes.Node{UUID: "11111111-1111-4111-8111-111111111111", Name: "server1", Driver: "ipmi",
		DriverInfo: map[string]any{"ipmi_address": "10.0.0.1", "ipmi_username": "admin", "ipmi_password": ironic.Masked},
		Properties: map[string]any{"cpu_arch": "x86_64"}, ResourceClass: "baremetal", ProvisionState: "available",
		PowerState: "power off", BootInterface: "ipxe", PowerInterface: "ipmitool", ManagementInterface: "ipmitool",
		CreatedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 12, 1, 10, 5, 0, 0, time.UTC)}
	steady := importedNode(ctx, node, &diags)
	steady.DriverInfo = types.MapValueMust(types.StringType, map[string]attr.Value{"ipmi_address": types.StringValue("10.0.0.1"),
		"ipmi_username": types.StringValue("admin"), "ipmi_password": types.StringValue("secret")})
	behind := steady // the node rests in manageable, its target is available
	behind.ProvisionState = types.StringValue("manageable")
	inMaintenance := steady
	inMaintenance.Maintenance, inMaintenance.MaintenanceReason = types.BoolValue(true), types.StringValue("broken disk")
	leftReason := steady // maintenance lifted by hand, its reason left behind
	leftReason.MaintenanceReason = types.StringValue("broken disk")
	var port portResourceModel
	port.ID = types.StringValue("22222222-2222-4222-8222-222222222222")
	diags.Append(port.fromPort(ctx, &ironic.Port{Port: ports.Port{UUID: port.ID.ValueString(), Address: "52:54:00:12:34:56",
		NodeUUID: node.UUID, PXEEnabled: true, LocalLinkConnection: map[string]any{"switch_id": "aa:bb:cc:dd:ee:ff", "port_id": "Eth1"}}}, &port)...)
	upper := port
	upper.Address = newMACValue("52:54:00:AB:CD:EF") // as configured, kept by the refresh's semantic equality
	if diags.HasError() {
		t.Fatal(diags)
	}
	nodeInput := []string{"name", "driver", "driver_info", "properties", "resource_class", "target_provision_state"}
	portInput := []string{"node_id", "address", "local_link_connection"}
	for _, c := range []planCase{
		{"steady node", NewNodeResource(), steady, nodeInput, nil, true},
		{"node in maintenance", NewNodeResource(), inMaintenance, nodeInput, nil, true},
		{"node in maintenance, lifted", NewNodeResource(), inMaintenance, append(nodeInput, "maintenance"),
			func(c map[string]tftypes.Value) { c["maintenance"] = tftypes.NewValue(tftypes.Bool, false) }, false},
		{"node behind its target", NewNodeResource(), behind, nodeInput, nil, false},
		{"maintenance reason without maintenance", NewNodeResource(), leftReason, nodeInput, nil, false},
		{"target left to its default", NewNodeResource(), steady, nodeInput[:5], nil, false},
		{"with a write-only secret", NewNodeResource(), steady, append(nodeInput, "driver_secrets_wo"),
			func(c map[string]tftypes.Value) {
				c["driver_secrets_wo"] = tftypes.NewValue(tftypes.Map{ElementType: tftypes.String},
					map[string]tftypes.Value{"ipmi_password": tftypes.NewValue(tftypes.String, "new")})
			}, false},
		{"steady port", NewPortResource(), port, portInput, nil, true},
		{"port in upper case", NewPortResource(), upper, portInput, nil, true},
		{"port pxe left to its default", NewPortResource(), func() portResourceModel { p := port; p.PXEEnabled = types.BoolValue(false); return p }(),
			portInput, nil, false},
	} {
		for _, identity := range []bool{true, false} {
			got, want, taken := planBothWays(t, c, identity)
			if taken != c.shortcut {
				t.Errorf("%s: shortcut taken %v, want %v", c.name, taken, c.shortcut)
			}
			if !reflect.DeepEqual(got.Diagnostics, want.Diagnostics) || !reflect.DeepEqual(got.RequiresReplace, want.RequiresReplace) ||
				!reflect.DeepEqual(got.PlannedPrivate, want.PlannedPrivate) || got.Deferred != want.Deferred {
				t.Errorf("%s: answered %+v, the framework %+v", c.name, got, want)
			}
			typ := planType(t, c.r)
			g, err1 := got.PlannedState.Unmarshal(typ)
			w, err2 := want.PlannedState.Unmarshal(typ)
			if err1 != nil || err2 != nil || !g.Equal(w) {
				diffs, _ := g.Diff(w)
				t.Errorf("%s: planned another state: %v (%v %v)", c.name, diffs, err1, err2)
			}
			if (got.PlannedIdentity == nil) != (want.PlannedIdentity == nil) ||
				(got.PlannedIdentity != nil && !reflect.DeepEqual(got.PlannedIdentity.IdentityData.MsgPack, want.PlannedIdentity.IdentityData.MsgPack)) {
				t.Errorf("%s (identity sent %v): planned identity %v, the framework %v", c.name, identity, got.PlannedIdentity, want.PlannedIdentity)
			}
		}
	}
}

func planType(t *testing.T, r resource.Resource) tftypes.Object {
	var s resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &s)
	return s.Schema.Type().TerraformType(context.Background()).(tftypes.Object)
}

// planBothWays asks our server and the framework's for the plan of c; taken says whether
// ours answered without the framework.
func planBothWays(t *testing.T, c planCase, identity bool) (got, want *tfprotov6.PlanResourceChangeResponse, taken bool) {
	t.Helper()
	ctx := context.Background()
	var s resource.SchemaResponse
	c.r.Schema(ctx, resource.SchemaRequest{}, &s)
	typ := s.Schema.Type().TerraformType(ctx).(tftypes.Object)
	state := tfsdk.State{Schema: s.Schema, Raw: tftypes.NewValue(typ, nil)}
	if d := state.Set(ctx, c.state); d.HasError() {
		t.Fatal(d)
	}
	var prior map[string]tftypes.Value
	_ = state.Raw.As(&prior)
	config, proposed := map[string]tftypes.Value{}, map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		config[name] = tftypes.NewValue(at, nil)
	}
	for _, name := range c.configured {
		config[name] = prior[name]
	}
	if c.edit != nil {
		c.edit(config)
	}
	for name, a := range s.Schema.Attributes {
		proposed[name] = config[name]
		if a.IsComputed() && config[name].IsNull() {
			proposed[name] = prior[name]
		}
	}
	dv := func(v map[string]tftypes.Value) *tfprotov6.DynamicValue {
		d, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, v))
		if err != nil {
			t.Fatal(err)
		}
		return &d
	}
	var metadata resource.MetadataResponse
	c.r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "baremetal"}, &metadata)
	req := func() *tfprotov6.PlanResourceChangeRequest {
		r := &tfprotov6.PlanResourceChangeRequest{TypeName: metadata.TypeName, PriorState: dv(prior), ProposedNewState: dv(proposed), Config: dv(config)}
		if identity {
			it := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String}}
			d, _ := tfprotov6.NewDynamicValue(it, tftypes.NewValue(it, map[string]tftypes.Value{"id": prior["id"]}))
			r.PriorIdentity = &tfprotov6.ResourceIdentityData{IdentityData: &d}
		}
		return r
	}
	ours := NewServer("test")()
	theirs := providerserver.NewProtocol6(New("test")())()
	taken = ours.(actionWriteOnlyServer).states.unchangedPlan(ctx, metadata.TypeName).plan(ctx, req()) != nil
	got, err1 := ours.PlanResourceChange(ctx, req())
	want, err2 := theirs.PlanResourceChange(ctx, req())
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return got, want, taken
}

// The resources that say they keep an unchanged plan do: their ModifyPlan, given a plan
// that equals the state, changes nothing and says nothing (the shortcut does not call it).
func TestKeepsUnchangedPlan(t *testing.T) {
	ctx := context.Background()
	for _, r := range []resource.Resource{NewNodeResource(), NewPortResource()} {
		k, ok := r.(keepsUnchangedPlan)
		if !ok {
			t.Fatalf("%T does not keep an unchanged plan", r)
		}
		var s resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &s)
		typ := s.Schema.Type().TerraformType(ctx).(tftypes.Object)
		vals := map[string]tftypes.Value{}
		i := 0
		for n, at := range typ.AttributeTypes {
			i++
			vals[n] = sampleValue(at, i, false)
		}
		raw := tftypes.NewValue(typ, vals)
		req := resource.ModifyPlanRequest{Config: tfsdk.Config{Schema: s.Schema, Raw: raw}, Plan: tfsdk.Plan{Schema: s.Schema, Raw: raw},
			State: tfsdk.State{Schema: s.Schema, Raw: raw}}
		resp := resource.ModifyPlanResponse{Plan: req.Plan}
		k.ModifyPlan(ctx, req, &resp)
		if len(resp.Diagnostics) > 0 || len(resp.RequiresReplace) > 0 || !resp.Plan.Raw.Equal(raw) || resp.Deferred != nil {
			t.Errorf("%T: ModifyPlan of an unchanged plan answered %+v", r, resp)
		}
	}
}
