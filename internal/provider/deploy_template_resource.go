package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/planmodifiers"
	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

var (
	_ resource.Resource                = (*deployTemplateResource)(nil)
	_ resource.ResourceWithConfigure   = (*deployTemplateResource)(nil)
	_ resource.ResourceWithImportState = (*deployTemplateResource)(nil)
)

type deployTemplateResource struct {
	clients *clients
}

type deployTemplateModel struct {
	ID    types.String `tfsdk:"id"`
	Name  types.String `tfsdk:"name"`
	Steps types.String `tfsdk:"steps"`
	Extra types.Map    `tfsdk:"extra"`
}

// NewDeployTemplateResource is the baremetal_deploy_template resource.
func NewDeployTemplateResource() resource.Resource { return &deployTemplateResource{} }

func (r *deployTemplateResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_deploy_template"
}

func (r *deployTemplateResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

// deployStepInterfaces are the interfaces whose steps a deploy template may name.
var deployStepInterfaces = []string{"bios", "deploy", "management", "power", "raid"}

func (r *deployTemplateResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A deploy template (API 1.55, `baremetal deploy template create`): deploy steps Ironic runs " +
			"at deploy time, for example building a RAID layout or applying BIOS settings. A deployment gets them when " +
			"its `instance_info.traits` (`jsonencode([\"CUSTOM_RAID1\"])`, what a flavor's required traits become under " +
			"Nova) names the template, and the node's `traits` include that name too. Every attribute changes in place.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "UUID of the deploy template.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "A custom trait name (`CUSTOM_` followed by upper-case letters, digits and `_`): nodes " +
					"whose traits include it get the steps at deploy.",
				Validators: []validator.String{patternCheck(customTraitPattern, "a custom trait name: CUSTOM_ followed by A-Z, 0-9 and _")},
			},
			"steps": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The deploy steps, as a JSON list: `jsonencode([{interface = \"raid\", step = " +
					"\"apply_configuration\", args = {raid_config = {...}}, priority = 150}])`. Each needs `interface` (" +
					quotedList(deployStepInterfaces) + "), `step` and a whole-number `priority` (0 disables the step; `args` defaults to `{}`). No other keys, and no step twice.",
				Validators:    []validator.String{validators.JSONText("a list"), deployTemplateSteps()},
				PlanModifiers: []planmodifier.String{sameSteps()},
			},
			"extra": schema.MapAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Free-form metadata."},
		},
	}
}

// deployTemplateSteps validates what Ironic requires of each deploy template step.
func deployTemplateSteps() validator.String {
	return stepsCheck("deploy template", deployStepInterfaces, "priority", true)
}

// stepsCheck validates a JSON list of steps as Ironic takes them for a deploy template
// (ordered by "priority") or a runbook (by "order"): at least one; each with one of
// these interfaces, a step name, a whole-number order key, optional object args and
// nothing else; with unique, no step twice (a deploy template's rule; a runbook may
// run a step again).
func stepsCheck(kind string, interfaces []string, orderKey string, unique bool) validator.String {
	return validators.StringCheck("each step has interface, step and "+orderKey, "Invalid steps", func(s string) error {
		var steps []map[string]any
		if json.Unmarshal([]byte(s), &steps) != nil {
			return nil // jsonText reports it
		}
		if len(steps) == 0 {
			return fmt.Errorf("a %s needs at least one step", kind)
		}
		seen := map[string]bool{}
		for i, st := range steps {
			iface, _ := st["interface"].(string)
			if !slices.Contains(interfaces, iface) {
				return fmt.Errorf("step %d: interface %q is not one of %v", i, iface, interfaces)
			}
			if name, _ := st["step"].(string); name == "" {
				return fmt.Errorf("step %d has no \"step\"", i)
			}
			if p, ok := st[orderKey].(float64); !ok || p < 0 || p != float64(int64(p)) {
				return fmt.Errorf("step %d needs a whole-number %q (0 or more)", i, orderKey)
			}
			for k := range st {
				if !slices.Contains([]string{"interface", "step", "args", orderKey}, k) {
					return fmt.Errorf("step %d: unknown key %q (a step has interface, step, args and %s)", i, k, orderKey)
				}
			}
			key := iface + "." + st["step"].(string)
			if unique && seen[key] {
				return fmt.Errorf("step %d: %s appears twice", i, key)
			}
			seen[key] = true
			if a, ok := st["args"]; ok {
				if _, isObject := a.(map[string]any); !isObject {
					return fmt.Errorf("step %d: \"args\" must be an object", i)
				}
			}
		}
		return nil
	})
}

// templateSteps turns the configured text into the list Ironic stores (args {} when left out).
func templateSteps(s string) ([]map[string]any, error) {
	var steps []map[string]any
	if err := json.Unmarshal([]byte(s), &steps); err != nil {
		return nil, err
	}
	for _, st := range steps {
		if _, ok := st["args"]; !ok {
			st["args"] = map[string]any{}
		}
	}
	return steps, nil
}

// sameSteps keeps the state's text when the configured steps mean what Ironic holds:
// their order in the list does not matter (priority orders them, and a step appears at
// most once), nor does formatting or a left-out empty args.
func sameSteps() planmodifier.String {
	return planmodifiers.StateWhenSame("Steps that differ only in order, formatting or a left-out empty args are the same steps.", sameStepsText)
}

func sameStepsText(config, state string) bool {
	a, errA := templateSteps(config)
	b, errB := templateSteps(state)
	return errA == nil && errB == nil && sameJSON(mustJSON(byStep(a)), byStep(b))
}

// byStep sorts steps by interface and step name.
func byStep(steps []map[string]any) []map[string]any {
	slices.SortFunc(steps, func(x, y map[string]any) int {
		return strings.Compare(fmt.Sprint(x["interface"], ".", x["step"]), fmt.Sprint(y["interface"], ".", y["step"]))
	})
	return steps
}

// keptSteps is the configured steps' text when it means the steps Ironic holds, else
// Ironic's steps as JSON.
func keptSteps(configured types.String, remote []map[string]any) types.String {
	if known(configured) && sameStepsText(configured.ValueString(), mustJSON(remote)) {
		return configured
	}
	return types.StringValue(mustJSON(remote))
}

// steps replaces the steps when they change (args {} where left out), as Ironic stores them.
func (b *patchBuilder) steps(plan, state types.String) {
	if plan.IsUnknown() || plan.Equal(state) {
		return
	}
	steps, err := templateSteps(plan.ValueString())
	if err != nil {
		b.diags.AddAttributeError(path.Root("steps"), "Invalid steps", err.Error())
		return
	}
	b.ops = append(b.ops, ironic.PatchOp{Op: "replace", Path: "/steps", Value: steps})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (r *deployTemplateResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan deployTemplateModel
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
	body := map[string]any{"name": plan.Name.ValueString(), "steps": steps}
	if m := stringMap(ctx, plan.Extra, &resp.Diagnostics); m != nil {
		body["extra"] = ironic.AnyMap(m)
	}
	tflog.Debug(ctx, "creating deploy template", map[string]any{"name": body["name"]})
	t, err := ic.CreateDeployTemplate(ctx, body)
	if err != nil {
		resp.Diagnostics.AddError("Unable to create deploy template", fmt.Sprintf("%s: %s", plan.Name.ValueString(), ironic.Message(err)))
		return
	}
	plan.fromTemplate(ctx, t, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *deployTemplateResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, r.clients, req, resp, "deploy template", func(m *deployTemplateModel) string { return m.ID.ValueString() },
		(*ironic.Client).GetDeployTemplate, func(m *deployTemplateModel, t *ironic.DeployTemplate) bool {
			m.fromTemplate(ctx, t, &resp.Diagnostics)
			return true
		})
}

func (r *deployTemplateResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ic, ok := startUpdate[deployTemplateModel](ctx, r.clients, req, &resp.Diagnostics)
	if !ok {
		return
	}
	b := newPatch(ctx, &resp.Diagnostics)
	b.str("name", plan.Name, state.Name)
	b.steps(plan.Steps, state.Steps)
	b.strMap("extra", plan.Extra, state.Extra)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	t, err := ic.UpdateDeployTemplate(ctx, id, b.ops)
	if err != nil {
		resp.Diagnostics.AddError("Unable to update deploy template", fmt.Sprintf("%s: %s", id, ironic.Message(err)))
		return
	}
	plan.fromTemplate(ctx, t, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *deployTemplateResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteResource(ctx, r.clients, req, resp, "deploy template", func(m *deployTemplateModel) string { return m.ID.ValueString() }, (*ironic.Client).DeleteDeployTemplate)
}

// ImportState accepts a template UUID or name.
func (r *deployTemplateResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importResource(ctx, r.clients, req, resp, "deploy template", (*ironic.Client).GetDeployTemplate, func(t *ironic.DeployTemplate) deployTemplateModel {
		m := deployTemplateModel{Extra: types.MapNull(types.StringType)}
		m.fromTemplate(ctx, t, &resp.Diagnostics)
		return m
	})
}

// fromTemplate records Ironic's view; steps keep the configured text when they mean the same.
func (m *deployTemplateModel) fromTemplate(ctx context.Context, t *ironic.DeployTemplate, diags *diag.Diagnostics) {
	m.ID = types.StringValue(t.UUID)
	m.Name = types.StringValue(t.Name)
	m.Steps = keptSteps(m.Steps, t.Steps)
	m.Extra = mapValue(ctx, ironic.StringMap(t.Extra), &m.Extra, diags)
}
