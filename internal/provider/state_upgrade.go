package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// stateMigration turns a stored state of one schema version, as its JSON object, into
// the next version's. Migrations work on the stored JSON rather than on a prior schema,
// so each is frozen as written: a later change of today's schema cannot change how an
// old state is read.
type stateMigration func(attrs map[string]any)

// migrationUpgraders upgrades a state of any earlier version to the current one:
// migrations[v] takes version v to v+1, and they run in order from the stored version.
// Then the JSON is read with the current schema: an attribute a version lacked is null,
// one it had and the current schema dropped is ignored.
func migrationUpgraders(r resource.Resource, migrations []stateMigration) map[int64]resource.StateUpgrader {
	out := map[int64]resource.StateUpgrader{}
	for v := range migrations {
		from := v
		out[int64(v)] = resource.StateUpgrader{StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
			var attrs map[string]any
			if err := json.Unmarshal(req.RawState.JSON, &attrs); err != nil {
				resp.Diagnostics.AddError("Unable to upgrade the state", "The stored state is not a JSON object: "+err.Error())
				return
			}
			for _, m := range migrations[from:] {
				m(attrs)
			}
			b, err := json.Marshal(attrs)
			if err != nil {
				resp.Diagnostics.AddError("Unable to upgrade the state", err.Error())
				return
			}
			var current resource.SchemaResponse
			r.Schema(ctx, resource.SchemaRequest{}, &current)
			raw, err := (&tfprotov6.RawState{JSON: b}).UnmarshalWithOpts(current.Schema.Type().TerraformType(ctx),
				tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
			if err != nil {
				resp.Diagnostics.AddError("Unable to upgrade the state", "Reading the upgraded state: "+err.Error())
				return
			}
			resp.State.Raw = raw
		}}
	}
	return out
}

// defaultIfMissing gives an attribute a version did not have the value a plan expects.
func defaultIfMissing(attrs map[string]any, name string, value any) {
	if attrs[name] == nil {
		attrs[name] = value
	}
}

// noChange is a version whose additions all read as null.
func noChange(map[string]any) {}
