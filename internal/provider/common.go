package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
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

// timeoutAttrTypes is the object type of a create/update/delete timeouts attribute.
func timeoutAttrTypes(context.Context) map[string]attr.Type {
	return map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType}
}

// nullTimeouts is the timeouts value of an imported resource.
func nullTimeouts(ctx context.Context) timeouts.Value {
	return timeouts.Value{Object: types.ObjectNull(timeoutAttrTypes(ctx))}
}

// secretKeyHints are substrings of driver_info keys whose values Ironic treats as secret.
var secretKeyHints = []string{"password", "secret", "key", "token", "auth"}

// maskSecrets keeps secret driver_info values out of every log line written with ctx.
func maskSecrets(ctx context.Context, m *nodeFields, diags *diag.Diagnostics) context.Context {
	var secrets []string
	for k, v := range stringMap(ctx, m.DriverInfo, diags) {
		for _, h := range secretKeyHints {
			if strings.Contains(strings.ToLower(k), h) && v != "" {
				secrets = append(secrets, v)
				break
			}
		}
	}
	if len(secrets) == 0 {
		return ctx
	}
	return tflog.MaskLogStrings(ctx, secrets...)
}

// useStateUnlessDriverChanges keeps an unset hardware interface at its known value,
// unless the driver changes: then Ironic resets it to the new driver's default.
func useStateUnlessDriverChanges() planmodifier.String { return driverAwareUseState{} }

type driverAwareUseState struct{}

func (driverAwareUseState) Description(context.Context) string {
	return "Unless the driver changes, the value stays as it is when not configured."
}
func (m driverAwareUseState) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (driverAwareUseState) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || !req.PlanValue.IsUnknown() || req.ConfigValue.IsUnknown() {
		return
	}
	var planDriver, stateDriver types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("driver"), &planDriver)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("driver"), &stateDriver)...)
	if planDriver.Equal(stateDriver) {
		resp.PlanValue = req.StateValue
	}
}

// readRemote fetches the object behind a resource for Read. One deleted outside
// Terraform is removed from the state with a warning (the next plan creates it again);
// nil means the response is complete.
func readRemote[T any](ctx context.Context, resp *resource.ReadResponse, kind, id string, get func() (*T, error)) *T {
	obj, err := get()
	if ironic.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Bare metal "+kind+" not found",
			fmt.Sprintf("The %s %s no longer exists in Ironic; it is removed from the Terraform state and will be created again on the next apply.", kind, id))
		resp.State.RemoveResource(ctx)
		return nil
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read bare metal "+kind, fmt.Sprintf("The %s %s: %s", kind, id, ironic.Message(err)))
		return nil
	}
	return obj
}

// useStateUnlessInspecting keeps an unset properties map as Ironic holds it; only an
// inspection (inspect = true) changes it on its own, and then the plan says so.
func useStateUnlessInspecting() planmodifier.Map { return stateUnlessInspecting{} }

type stateUnlessInspecting struct{}

func (stateUnlessInspecting) Description(context.Context) string {
	return "Unless an inspection runs, an unset value stays as Ironic holds it."
}
func (m stateUnlessInspecting) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (stateUnlessInspecting) PlanModifyMap(ctx context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if req.StateValue.IsNull() || !req.PlanValue.IsUnknown() || req.ConfigValue.IsUnknown() {
		return
	}
	var inspect types.Bool
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("inspect"), &inspect)...)
	if !inspect.ValueBool() {
		resp.PlanValue = req.StateValue
	}
}
