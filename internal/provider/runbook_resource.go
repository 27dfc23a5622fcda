package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

var (
	_ resource.Resource                   = (*runbookResource)(nil)
	_ resource.ResourceWithConfigure      = (*runbookResource)(nil)
	_ resource.ResourceWithImportState    = (*runbookResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*runbookResource)(nil)
	_ resource.ResourceWithValidateConfig = (*runbookResource)(nil)
)

// runbookResource is an objectResource, whence its Metadata, Configure, Read,
// Delete and ImportState.
type runbookResource struct {
	objectResource[runbookModel, ironic.Runbook]
}

type runbookModel struct {
	stepsObjectModel
	DisableRamdisk types.Bool   `tfsdk:"disable_ramdisk"`
	Public         types.Bool   `tfsdk:"public"`
	Owner          types.String `tfsdk:"owner"`
}

// runbookStepInterfaces are the interfaces whose steps a runbook may name: those of
// cleaning, which servicing shares.
var runbookStepInterfaces = []string{"bios", "deploy", "firmware", "management", "power", "raid", "vendor"}

// NewRunbookResource is the baremetal_runbook resource.
func NewRunbookResource() resource.Resource {
	return &runbookResource{objectResource[runbookModel, ironic.Runbook]{calls: runbooks}}
}

func (r *runbookResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A runbook (API 1.92, Ironic 26.1, `baremetal runbook create`): a named list of steps an " +
			"operator approves for nodes by giving them the runbook's name as a trait; such a node can then be cleaned " +
			"or serviced with it. Every attribute changes in place; import by UUID or name. (Ironic 35 takes a runbook " +
			"`description` and drops it, and has no runbook traits: neither is offered here.)",
		Attributes: stepsObjectAttributes("runbook", "may run the runbook",
			"The steps, as a JSON list run by `order`: `jsonencode([{interface = \"deploy\", step = "+
				"\"erase_devices_metadata\", args = {}, order = 1}])`. Each needs `interface` ("+quotedList(runbookStepInterfaces)+
				"), `step` and a whole-number `order` (`args` defaults to `{}`); no other keys.",
			stepsCheck("runbook", runbookStepInterfaces, "order", false)),
	}
	for name, a := range map[string]schema.Attribute{
		"disable_ramdisk": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(false),
			MarkdownDescription: "Run the steps without booting the agent ramdisk (for out-of-band steps only). Default `false`.",
		},
		"public": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(false),
			MarkdownDescription: "Whether every project may use it (a public runbook has no `owner`). Default `false`.",
		},
		"owner": schema.StringAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: "Project that owns the runbook. Unset: whatever Ironic records (under Keystone, the " +
				"creating project unless it is public), kept as it is.",
			Validators:    []validator.String{stringvalidator.LengthBetween(1, 255)},
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
	} {
		resp.Schema.Attributes[name] = a
	}
}

// ValidateConfig refuses a public runbook with an owner, which Ironic refuses too.
func (r *runbookResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m runbookModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if m.Public.ValueBool() && known(m.Owner) {
		resp.Diagnostics.AddAttributeError(path.Root("owner"), "A public runbook has no owner",
			"public = true makes the runbook every project's: leave owner unset, or set public = false.")
	}
}

// ModifyPlan refuses runbooks where the Ironic has none (API 1.92).
func (r *runbookResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || req.Plan.Raw.Equal(req.State.Raw) {
		return
	}
	ctx, cancel := r.clients.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	r.clients.checkFeatures(ctx, req.Config, &resp.Diagnostics, featureUse{"name", "runbooks"})
}

// runbooks are the runbook's calls and model mapping.
var runbooks = objectCalls[runbookModel, ironic.Runbook]{
	typeName: "runbook", kind: "runbook", id: func(m *runbookModel) string { return m.ID.ValueString() },
	api:  ironic.Runbooks,
	fill: (*runbookModel).fromRunbook,
	imported: func() runbookModel {
		return runbookModel{stepsObjectModel: stepsObjectModel{Extra: types.MapNull(types.StringType)}}
	},
	logged: map[string]string{"name": "name"},
}

func (r *runbookResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.calls.createWith(ctx, r.clients, req, resp, func(m *runbookModel, ctx context.Context, diags *diag.Diagnostics) map[string]any {
		body := m.body(ctx, diags)
		if body != nil {
			body["disable_ramdisk"], body["public"] = m.DisableRamdisk.ValueBool(), m.Public.ValueBool()
			setIfKnown(body, "owner", m.Owner)
		}
		return body
	}, "Unable to create runbook", func(m *runbookModel) string { return m.Name.ValueString() })
}

func (r *runbookResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.calls.updateWith(ctx, r.clients, req, resp, func(b *patchBuilder, plan, state *runbookModel) {
		b.str("owner", plan.Owner, state.Owner)
		b.boolean("public", plan.Public, state.Public)
		b.boolean("disable_ramdisk", plan.DisableRamdisk, state.DisableRamdisk)
		plan.patch(b, &state.stepsObjectModel)
	}, "Unable to update runbook", "%s")
}

// fromRunbook records Ironic's view; steps keep the configured text when they mean the same.
func (m *runbookModel) fromRunbook(ctx context.Context, rb *ironic.Runbook, diags *diag.Diagnostics) {
	m.fromIronic(ctx, &rb.StepsObject, diags)
	m.Owner = stringOrNull(rb.Owner)
	m.DisableRamdisk, m.Public = types.BoolValue(rb.DisableRamdisk), types.BoolValue(rb.Public)
}
