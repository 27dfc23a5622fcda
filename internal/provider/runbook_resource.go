package provider

import (
	"context"
	"fmt"

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
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

var (
	_ resource.Resource                   = (*runbookResource)(nil)
	_ resource.ResourceWithConfigure      = (*runbookResource)(nil)
	_ resource.ResourceWithImportState    = (*runbookResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*runbookResource)(nil)
	_ resource.ResourceWithValidateConfig = (*runbookResource)(nil)
)

type runbookResource struct {
	clients *clients
}

type runbookModel struct {
	ID             types.String `tfsdk:"id"`
	Name           types.String `tfsdk:"name"`
	Steps          types.String `tfsdk:"steps"`
	DisableRamdisk types.Bool   `tfsdk:"disable_ramdisk"`
	Public         types.Bool   `tfsdk:"public"`
	Owner          types.String `tfsdk:"owner"`
	Extra          types.Map    `tfsdk:"extra"`
}

// runbookStepInterfaces are the interfaces whose steps a runbook may name: those of
// cleaning, which servicing shares.
var runbookStepInterfaces = []string{"bios", "deploy", "firmware", "management", "power", "raid", "vendor"}

// NewRunbookResource is the baremetal_runbook resource.
func NewRunbookResource() resource.Resource { return &runbookResource{} }

func (r *runbookResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_runbook"
}

func (r *runbookResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

func (r *runbookResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A runbook (API 1.92, Ironic 26.1, `baremetal runbook create`): a named list of steps an " +
			"operator approves for nodes by giving them the runbook's name as a trait; such a node can then be cleaned " +
			"or serviced with it. Every attribute changes in place; import by UUID or name. (Ironic 35 takes a runbook " +
			"`description` and drops it, and has no runbook traits: neither is offered here.)",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "UUID of the runbook.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "A custom trait name (`CUSTOM_` followed by upper-case letters, digits and `_`): nodes " +
					"whose traits include it may run the runbook.",
				Validators: []validator.String{patternCheck(customTraitPattern, "a custom trait name: CUSTOM_ followed by A-Z, 0-9 and _")},
			},
			"steps": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The steps, as a JSON list run by `order`: `jsonencode([{interface = \"deploy\", step = " +
					"\"erase_devices_metadata\", args = {}, order = 1}])`. Each needs `interface` (" + quotedList(runbookStepInterfaces) +
					"), `step` and a whole-number `order` (`args` defaults to `{}`); no other keys.",
				Validators:    []validator.String{validators.JSONText("a list"), stepsCheck("runbook", runbookStepInterfaces, "order", false)},
				PlanModifiers: []planmodifier.String{sameSteps()},
			},
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
			"extra": schema.MapAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Free-form metadata."},
		},
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

func (r *runbookResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan runbookModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ic, diags := r.clients.forWrite(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	steps, err := templateSteps(plan.Steps.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Invalid steps", err.Error())
		return
	}
	body := map[string]any{"name": plan.Name.ValueString(), "steps": steps,
		"disable_ramdisk": plan.DisableRamdisk.ValueBool(), "public": plan.Public.ValueBool()}
	setIfKnown(body, "owner", plan.Owner)
	if m := stringMap(ctx, plan.Extra, &resp.Diagnostics); m != nil {
		body["extra"] = ironic.AnyMap(m)
	}
	tflog.Debug(ctx, "creating runbook", map[string]any{"name": body["name"]})
	rb, err := ic.CreateRunbook(ctx, body)
	if err != nil {
		resp.Diagnostics.AddError("Unable to create runbook", fmt.Sprintf("%s: %s", plan.Name.ValueString(), ironic.Message(err)))
		return
	}
	plan.fromRunbook(ctx, rb, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *runbookResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, r.clients, req, resp, "runbook", func(m *runbookModel) string { return m.ID.ValueString() },
		(*ironic.Client).GetRunbook, func(m *runbookModel, rb *ironic.Runbook) bool {
			m.fromRunbook(ctx, rb, &resp.Diagnostics)
			return true
		})
}

func (r *runbookResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ic, ok := startUpdate[runbookModel](ctx, r.clients, req, &resp.Diagnostics)
	if !ok {
		return
	}
	b := newPatch(ctx, &resp.Diagnostics)
	b.str("name", plan.Name, state.Name)
	b.str("owner", plan.Owner, state.Owner)
	b.boolean("public", plan.Public, state.Public)
	b.boolean("disable_ramdisk", plan.DisableRamdisk, state.DisableRamdisk)
	b.steps(plan.Steps, state.Steps)
	b.strMap("extra", plan.Extra, state.Extra)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	rb, err := ic.UpdateRunbook(ctx, id, b.ops)
	if err != nil {
		resp.Diagnostics.AddError("Unable to update runbook", fmt.Sprintf("%s: %s", id, ironic.Message(err)))
		return
	}
	plan.fromRunbook(ctx, rb, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *runbookResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteResource(ctx, r.clients, req, resp, "runbook", func(m *runbookModel) string { return m.ID.ValueString() }, (*ironic.Client).DeleteRunbook)
}

// ImportState accepts a runbook UUID or name.
func (r *runbookResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importResource(ctx, r.clients, req, resp, "runbook", (*ironic.Client).GetRunbook, func(rb *ironic.Runbook) runbookModel {
		m := runbookModel{Extra: types.MapNull(types.StringType)}
		m.fromRunbook(ctx, rb, &resp.Diagnostics)
		return m
	})
}

// fromRunbook records Ironic's view; steps keep the configured text when they mean the same.
func (m *runbookModel) fromRunbook(ctx context.Context, rb *ironic.Runbook, diags *diag.Diagnostics) {
	m.ID, m.Name = types.StringValue(rb.UUID), types.StringValue(rb.Name)
	m.Owner = stringOrNull(rb.Owner)
	m.DisableRamdisk, m.Public = types.BoolValue(rb.DisableRamdisk), types.BoolValue(rb.Public)
	m.Steps = keptSteps(m.Steps, rb.Steps)
	m.Extra = mapValue(ctx, ironic.StringMap(rb.Extra), &m.Extra, diags)
}
