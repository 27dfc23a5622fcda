package provider

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The provider serves the actions the issue names, with schemas the framework accepts,
// and the rescue password write-only.
func TestActionSchemas(t *testing.T) {
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("%v %v", err, resp.Diagnostics)
	}
	var names []string
	for name := range resp.ActionSchemas {
		names = append(names, name)
	}
	slices.Sort(names)
	want := []string{"baremetal_deployment_rebuild", "baremetal_node_boot_device", "baremetal_node_clean", "baremetal_node_inspect",
		"baremetal_node_power", "baremetal_node_rescue", "baremetal_node_service", "baremetal_node_unrescue"}
	if !slices.Equal(names, want) {
		t.Fatalf("actions %v, want %v", names, want)
	}
	for _, a := range resp.ActionSchemas["baremetal_node_rescue"].Schema.Block.Attributes {
		if a.Name == "rescue_password" && !a.WriteOnly {
			t.Fatal("rescue_password is not write-only")
		}
	}
}

// errorsAt lists the attribute paths of the errors.
func errorsAt(d diag.Diagnostics) string {
	var at []string
	for _, e := range d.Errors() {
		if p, ok := e.(diag.DiagnosticWithPath); ok {
			at = append(at, p.Path().String()+": "+e.Summary())
		} else {
			at = append(at, e.Summary())
		}
	}
	return strings.Join(at, "; ")
}

func TestPowerActionCheck(t *testing.T) {
	a := NewNodePowerAction().(*nodeAction[nodePowerModel, *nodePowerModel])
	for _, c := range []struct {
		target, timeout, want string
	}{
		{"soft power off", "90s", ""},
		{"soft rebooting", "", ""},
		{"power off", "", ""},
		{"power off", "1m", "timeout: timeout only with a soft target"},
		{"rebooting", "1m", "timeout: timeout only with a soft target"},
	} {
		m := &nodePowerModel{Target: types.StringValue(c.target), Timeout: types.StringNull()}
		if c.timeout != "" {
			m.Timeout = types.StringValue(c.timeout)
		}
		var d diag.Diagnostics
		a.check(m, "", &d)
		if got := errorsAt(d); got != c.want {
			t.Errorf("%s with %q: %q, want %q", c.target, c.timeout, got, c.want)
		}
	}
}

func TestStepsActionsCheck(t *testing.T) {
	clean := NewNodeCleanAction().(*nodeAction[cleanModel, *cleanModel])
	service := NewNodeServiceAction().(*nodeAction[serviceModel, *serviceModel])
	steps := types.StringValue(`[{"interface": "deploy", "step": "erase_devices_metadata"}]`)
	for _, c := range []struct {
		name           string
		steps, runbook types.String
		microversion   string
		wantClean      string
		wantService    string
	}{
		{"steps, plan time", steps, types.StringNull(), "", "", ""},
		{"steps, old Ironic", steps, types.StringNull(), "1.82", "", "node_id: Not supported by this Ironic"},
		{"runbook, old Ironic", types.StringNull(), types.StringValue("rb"), "1.82", "runbook: Not supported by this Ironic",
			"node_id: Not supported by this Ironic; runbook: Not supported by this Ironic"},
		{"runbook, new Ironic", types.StringNull(), types.StringValue("rb"), "1.95", "", ""},
		{"both", steps, types.StringValue("rb"), "", "clean_steps: Steps or a runbook", "service_steps: Steps or a runbook"},
		{"neither", types.StringNull(), types.StringNull(), "", "clean_steps: Steps or a runbook", "service_steps: Steps or a runbook"},
		{"unknown", types.StringUnknown(), types.StringNull(), "", "", ""},
	} {
		var d diag.Diagnostics
		clean.check(&cleanModel{Steps: c.steps, Runbook: c.runbook}, c.microversion, &d)
		if got := errorsAt(d); got != c.wantClean {
			t.Errorf("clean, %s: %q, want %q", c.name, got, c.wantClean)
		}
		d = nil
		service.check(&serviceModel{Steps: c.steps, Runbook: c.runbook}, c.microversion, &d)
		if got := errorsAt(d); got != c.wantService {
			t.Errorf("service, %s: %q, want %q", c.name, got, c.wantService)
		}
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{10 * time.Minute: "10m", time.Hour: "1h", 90 * time.Second: "1m30s", 2*time.Hour + 30*time.Minute: "2h30m"} {
		if got := shortDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

// rescueConfig is a baremetal_node_rescue configuration as Terraform sends it.
func rescueConfig(t *testing.T, password tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	ty := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"node_id": tftypes.String, "rescue_password": tftypes.String,
		"timeouts": tftypes.Object{AttributeTypes: map[string]tftypes.Type{"invoke": tftypes.String}},
	}}
	v, err := tfprotov6.NewDynamicValue(ty, tftypes.NewValue(ty, map[string]tftypes.Value{
		"node_id": tftypes.NewValue(tftypes.String, "r1-07"), "rescue_password": password,
		"timeouts": tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"invoke": tftypes.String}}, nil),
	}))
	if err != nil {
		t.Fatal(err)
	}
	return &v
}

func validateRescue(t *testing.T, srv tfprotov6.ActionServer, password tftypes.Value) []string {
	t.Helper()
	resp, err := srv.ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{
		ActionType: "baremetal_node_rescue", Config: rescueConfig(t, password)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range resp.Diagnostics {
		got = append(got, d.Summary)
	}
	return got
}

// The framework refuses a write-only value in any action configuration; the provider's
// server takes it, and still reports a missing one.
func TestRescuePasswordIsAcceptedWriteOnly(t *testing.T) {
	framework := providerserver.NewProtocol6(New("test")())().(tfprotov6.ProviderServerWithActions)
	if got := validateRescue(t, framework, tftypes.NewValue(tftypes.String, "pw")); !slices.Contains(got, writeOnlyRefused) {
		t.Fatalf("the framework no longer refuses write-only action inputs (%q): drop the correction in server.go", got)
	}
	ours := NewServer("test")().(tfprotov6.ActionServer)
	if got := validateRescue(t, ours, tftypes.NewValue(tftypes.String, "pw")); len(got) > 0 {
		t.Fatalf("refused: %q", got)
	}
	if got := validateRescue(t, ours, tftypes.NewValue(tftypes.String, nil)); !slices.Contains(got, "Missing rescue_password") {
		t.Fatalf("a null password passed: %q", got)
	}
	if got := validateRescue(t, ours, tftypes.NewValue(tftypes.String, tftypes.UnknownValue)); len(got) > 0 {
		t.Fatalf("an unknown password (an ephemeral variable at validate time) refused: %q", got)
	}
}
