package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// validateRescue validates a baremetal_node_rescue configuration with a password on srv
// and returns the diagnostics' summaries.
func validateRescue(t *testing.T, srv tfprotov6.ProviderServer, password string) []string {
	t.Helper()
	schemas, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemas.ActionSchemas["baremetal_node_rescue"].Schema.ValueType().(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["node_id"] = tftypes.NewValue(tftypes.String, "rack1-07")
	vals["rescue_password"] = tftypes.NewValue(tftypes.String, password)
	cfg, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.(tfprotov6.ProviderServerWithActions).ValidateActionConfig(context.Background(),
		&tfprotov6.ValidateActionConfigRequest{ActionType: "baremetal_node_rescue", Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	var summaries []string
	for _, d := range resp.Diagnostics {
		summaries = append(summaries, d.Summary)
	}
	return summaries
}

// The framework (v1.19.0) refuses any value of an action's write-only attribute; the
// provider's server lets it through, and still reports the attribute's own checks.
func TestActionWriteOnlyAttributeAccepted(t *testing.T) {
	framework, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	if got := validateRescue(t, framework, "s3cret"); len(got) != 1 || got[0] != writeOnlyNotAllowed {
		t.Logf("the framework no longer refuses write-only action attributes (%q): writeOnlyActions can go", got)
	}
	srv, err := NewServer("test")()
	if err != nil {
		t.Fatal(err)
	}
	if got := validateRescue(t, srv, "s3cret"); len(got) != 0 {
		t.Fatalf("a rescue password is refused: %q", got)
	}
	if got := validateRescue(t, srv, ""); len(got) != 1 || got[0] != "Invalid Attribute Value Length" {
		t.Fatalf("an empty rescue password: %q", got)
	}
	if _, ok := srv.(tfprotov6.ProviderServerWithListResource); !ok {
		t.Fatal("the server lost the framework's list resources")
	}
}

// A rescue invoked without its password (Terraform drops ephemeral values from actions
// run with -invoke) is refused before anything is sent, saying why.
func TestRescueActionWithoutPassword(t *testing.T) {
	a := NewNodeRescueAction().(*nodeAction[nodeRescueModel, *nodeRescueModel])
	for _, pw := range []types.String{types.StringNull(), types.StringValue("")} {
		// A nil client: nothing may be sent.
		if _, err := a.run(context.Background(), nil, &nodeRescueModel{RescuePassword: pw}); err != errRescuePasswordDropped {
			t.Fatalf("%v: %v", pw, err)
		}
	}
}
