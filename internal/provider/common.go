package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/planmodifiers"
	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

// withTimeout bounds an operation by the user's timeout (or def); ok is false when the
// timeout value could not be read.
func withTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc, bool) {
	d, ds := get(ctx, def)
	diags.Append(ds...)
	if ds.HasError() {
		return ctx, func() {}, false
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, true
}

// timeoutsAttribute is the framework's timeouts attribute with every duration required
// to be positive: the library checks only that it parses, so "-5m" expired at once.
func timeoutsAttribute(ctx context.Context, opts timeouts.Opts) schema.Attribute {
	a := timeouts.Attributes(ctx, opts).(schema.SingleNestedAttribute)
	attrs := make(map[string]schema.Attribute, len(a.Attributes))
	for name, sub := range a.Attributes {
		s := sub.(schema.StringAttribute)
		s.Validators = append(append([]validator.String(nil), s.Validators...), validators.PositiveDuration())
		attrs[name] = s
	}
	a.Attributes = attrs
	return a
}

// nullTimeouts is the timeouts value of an imported resource whose timeouts attribute
// has the named operations.
func nullTimeouts(names ...string) timeouts.Value {
	t := map[string]attr.Type{}
	for _, n := range names {
		t[n] = types.StringType
	}
	return timeouts.Value{Object: types.ObjectNull(t)}
}

// maskSecrets keeps secret driver_info values out of every log line written with ctx:
// those of the keys Ironic itself masks (ironic.IsSecretKey).
func maskSecrets(ctx context.Context, m *nodeFields, diags *diag.Diagnostics) context.Context {
	if secrets := secretValues(stringMap(ctx, m.DriverInfo, diags)); len(secrets) > 0 {
		return tflog.MaskLogStrings(ctx, secrets...)
	}
	return ctx
}

// secretValues are the values of a driver_info that Ironic masks.
func secretValues(info map[string]string) []string {
	var out []string
	for k, v := range info {
		if v != "" && v != ironic.Masked && ironic.IsSecretKey(k) {
			out = append(out, v)
		}
	}
	return out
}

// readResource is the shared body of a resource's Read: the state, the object Ironic
// holds, the state again. One deleted outside Terraform is removed from the state with
// a warning (the next plan creates it again). get reads the object: a method expression
// such as (*ironic.Client).GetPort. fill records the object; false means it removed the
// resource itself.
func readResource[M, T any](ctx context.Context, c *clients, req resource.ReadRequest, resp *resource.ReadResponse, kind string,
	id func(*M) string, get func(*ironic.Client, context.Context, string) (*T, error), fill func(*M, *T) bool) {
	ctx, cancel := c.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	var m M
	resp.Diagnostics.Append(getModel(ctx, req.State.Schema.Type(), req.State.Raw, &m, req.State.Get)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ic, diags := c.Ironic(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	key := id(&m)
	setIdentity(ctx, resp.Identity, "id", key, &resp.Diagnostics) // also on a state written before identity
	obj, err := get(ic, ctx, key)
	if ironic.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Bare metal "+kind+" not found",
			fmt.Sprintf("The %s %s no longer exists in Ironic; it is removed from the Terraform state and will be created again on the next apply.", kind, key))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read bare metal "+kind, fmt.Sprintf("The %s %s: %s", kind, key, ironic.Message(err)))
		return
	}
	if fill(&m, obj) {
		resp.Diagnostics.Append(setState(ctx, &resp.State, &m)...)
	}
}

// startUpdate is the shared start of an Update without a timeout: the plan, the state
// and the client; ok is false when the diagnostics say why it cannot go on.
func startUpdate[M any](ctx context.Context, c *clients, req resource.UpdateRequest, diags *diag.Diagnostics) (plan, state M, ic *ironic.Client, ok bool) {
	diags.Append(req.Plan.Get(ctx, &plan)...)
	diags.Append(req.State.Get(ctx, &state)...)
	if diags.HasError() {
		return plan, state, nil, false
	}
	ic, d := c.forWrite(ctx)
	diags.Append(d...)
	return plan, state, ic, !d.HasError()
}

// deleteResource is the shared body of a Delete that is one API call: the object named
// by the state's id goes (one already gone counts as deleted). del is a method
// expression such as (*ironic.Client).DeletePort.
func deleteResource[M any](ctx context.Context, c *clients, req resource.DeleteRequest, resp *resource.DeleteResponse, kind string,
	id func(*M) string, del func(*ironic.Client, context.Context, string) error) {
	var m M
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ic, diags := c.forWrite(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	if err := del(ic, ctx, id(&m)); err != nil {
		resp.Diagnostics.AddError("Unable to delete bare metal "+kind, fmt.Sprintf("The %s %s: %s", kind, id(&m), ironic.Message(err)))
	}
}

// importResource is the shared body of an ImportState by UUID or name: the object, then
// fill records it into a model whose unset attributes are typed nulls.
func importResource[M, T any](ctx context.Context, c *clients, req resource.ImportStateRequest, resp *resource.ImportStateResponse, kind string,
	get func(*ironic.Client, context.Context, string) (*T, error), fill func(*T) M) {
	ctx, cancel := c.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	ic, diags := c.Ironic(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	ident := importedID(ctx, req, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	obj, err := get(ic, ctx, ident)
	if err != nil {
		resp.Diagnostics.AddError("Unable to import bare metal "+kind, fmt.Sprintf("No %s with UUID or name %q: %s", kind, ident, ironic.Message(err)))
		return
	}
	m := fill(obj)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	setIDFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

// useStateUnlessDriverChanges keeps an unset hardware interface at its known value,
// unless the driver changes: then Ironic resets it to the new driver's default.
func useStateUnlessDriverChanges() planmodifier.String {
	return planmodifiers.UseStateUnless("Unless the driver changes, the value stays as it is when not configured.",
		func(ctx context.Context, plan tfsdk.Plan, state tfsdk.State) (bool, diag.Diagnostics) {
			var planDriver, stateDriver types.String
			diags := plan.GetAttribute(ctx, path.Root("driver"), &planDriver)
			diags.Append(state.GetAttribute(ctx, path.Root("driver"), &stateDriver)...)
			return !planDriver.Equal(stateDriver), diags
		})
}

// useStateUnlessInspecting keeps an unset properties map as Ironic holds it; only an
// inspection changes it on its own, and then the plan says so. An inspection runs when
// inspect = true and the apply moves the node through manageable: an unrelated change
// of an inspected node plans its properties as they are, not as "known after apply".
func useStateUnlessInspecting() planmodifier.Map {
	return planmodifiers.UseStateUnless("Unless an inspection runs in this apply, an unset value stays as Ironic holds it.",
		func(ctx context.Context, plan tfsdk.Plan, state tfsdk.State) (bool, diag.Diagnostics) {
			var inspect types.Bool
			var target, current types.String
			diags := plan.GetAttribute(ctx, path.Root("inspect"), &inspect)
			diags.Append(plan.GetAttribute(ctx, path.Root("target_provision_state"), &target)...)
			diags.Append(state.GetAttribute(ctx, path.Root("provision_state"), &current)...)
			if !inspect.ValueBool() || diags.HasError() {
				return false, diags
			}
			if target.IsUnknown() {
				return true, diags
			}
			return ironic.InspectionRuns(current.ValueString(), target.ValueString(), true), diags
		})
}

// fullyKnown reports whether a value and everything inside it is known.
func fullyKnown(v attr.Value) bool {
	if v.IsUnknown() {
		return false
	}
	switch t := v.(type) {
	case types.Map:
		for _, e := range t.Elements() {
			if !fullyKnown(e) {
				return false
			}
		}
	case types.Object:
		for _, e := range t.Attributes() {
			if !fullyKnown(e) {
				return false
			}
		}
	case interface{ Elements() []attr.Value }: // lists and sets
		for _, e := range t.Elements() {
			if !fullyKnown(e) {
				return false
			}
		}
	}
	return true
}

// settleComputed plans the named computed attributes as the state holds them when
// nothing else in the resource changes, and as unknown when something does (Ironic then
// changes them by itself). The framework marks unset computed values unknown whenever
// the configuration differs from the state before plan modifiers ran, even when those
// modifiers then found no real change (a MAC in upper case, Ironic's own keys).
func settleComputed(ctx context.Context, plan *tfsdk.Plan, state tfsdk.State, names ...string) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, n := range names {
		var v attr.Value
		diags.Append(state.GetAttribute(ctx, path.Root(n), &v)...)
		diags.Append(plan.SetAttribute(ctx, path.Root(n), v)...)
	}
	if diags.HasError() || plan.Raw.Equal(state.Raw) {
		return diags
	}
	for _, n := range names {
		var v attr.Value
		diags.Append(plan.GetAttribute(ctx, path.Root(n), &v)...)
		if v == nil {
			continue
		}
		unknown, err := unknownOf(ctx, v)
		if err != nil {
			diags.AddError("Unable to plan "+n, err.Error())
			continue
		}
		diags.Append(plan.SetAttribute(ctx, path.Root(n), unknown)...)
	}
	return diags
}

func unknownOf(ctx context.Context, v attr.Value) (attr.Value, error) {
	raw := tftypes.NewValue(v.Type(ctx).TerraformType(ctx), tftypes.UnknownValue)
	return v.Type(ctx).ValueFromTerraform(ctx, raw)
}

// startRead is the shared start of a data source's Read (under a context the caller
// bounds): the configuration and the client; ok is false when the diagnostics say why
// it cannot go on.
func startRead[M any](ctx context.Context, c *clients, req datasource.ReadRequest, diags *diag.Diagnostics) (m M, ic *ironic.Client, ok bool) {
	diags.Append(req.Config.Get(ctx, &m)...)
	if diags.HasError() {
		return m, nil, false
	}
	ic, d := c.Ironic(ctx)
	diags.Append(d...)
	return m, ic, !d.HasError()
}

// lookUpNode reads the node a data source names by ident, given as attribute; one not
// found is an error on that attribute, naming it by what ("name", "UUID or name").
func lookUpNode(ctx context.Context, ic *ironic.Client, attribute, what, ident string, diags *diag.Diagnostics) *nodes.Node {
	node, err := ic.GetNode(ctx, ident)
	if err != nil {
		diags.AddAttributeError(path.Root(attribute), "Unable to read bare metal node",
			fmt.Sprintf("No node with %s %q: %s", what, ident, ironic.Message(err)))
		return nil
	}
	return node
}
