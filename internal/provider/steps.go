package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/planmodifiers"
	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

// A steps object is what a deploy template and a runbook both are: a named list of steps
// that nodes whose traits include the name may run. This file holds what they share.

// stepsObjectModel is the part of the model a deploy template and a runbook share.
type stepsObjectModel struct {
	ID    types.String `tfsdk:"id"`
	Name  types.String `tfsdk:"name"`
	Steps types.String `tfsdk:"steps"`
	Extra types.Map    `tfsdk:"extra"`
}

// stepsObjectAttributes are the attributes of a stepsObjectModel: the kind's id, a name
// that is a custom trait (nodes whose traits include it nameUse), the steps as stepsDoc
// says and check validates, and extra.
func stepsObjectAttributes(kind, nameUse, stepsDoc string, check validator.String) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed: true, MarkdownDescription: "UUID of the " + kind + ".",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "A custom trait name (`CUSTOM_` followed by upper-case letters, digits and `_`): nodes " +
				"whose traits include it " + nameUse + ".",
			Validators: []validator.String{patternCheck(customTraitPattern, "a custom trait name: CUSTOM_ followed by A-Z, 0-9 and _")},
		},
		"steps": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: stepsDoc,
			Validators:          []validator.String{validators.JSONText("a list"), check},
			PlanModifiers:       []planmodifier.String{sameSteps()},
		},
		"extra": schema.MapAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Free-form metadata."},
	}
}

// body is the create request's name, steps (args {} where left out) and extra.
func (m *stepsObjectModel) body(ctx context.Context, diags *diag.Diagnostics) map[string]any {
	steps, err := templateSteps(m.Steps.ValueString())
	if err != nil {
		diags.AddError("Invalid steps", err.Error())
		return nil
	}
	body := map[string]any{"name": m.Name.ValueString(), "steps": steps}
	if extra := stringMap(ctx, m.Extra, diags); extra != nil {
		body["extra"] = ironic.AnyMap(extra)
	}
	return body
}

// patch adds the changes of name, steps and extra from state.
func (m *stepsObjectModel) patch(b *patchBuilder, state *stepsObjectModel) {
	b.str("name", m.Name, state.Name)
	b.steps(m.Steps, state.Steps)
	b.strMap("extra", m.Extra, state.Extra)
}

// fromIronic records Ironic's view; steps keep the configured text when they mean the same.
func (m *stepsObjectModel) fromIronic(ctx context.Context, o *ironic.StepsObject, diags *diag.Diagnostics) {
	m.ID, m.Name = types.StringValue(o.UUID), types.StringValue(o.Name)
	m.Steps = keptSteps(m.Steps, o.Steps)
	m.Extra = mapValue(ctx, ironic.StringMap(o.Extra), &m.Extra, diags)
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
