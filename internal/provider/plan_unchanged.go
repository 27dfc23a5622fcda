package provider

import (
	"bytes"
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// keepsUnchangedPlan is a resource whose ModifyPlan leaves a plan that equals the prior
// state as it is, adding nothing (no diagnostic, no replacement, no private data): the
// node's and the port's return at once then.
type keepsUnchangedPlan interface {
	resource.ResourceWithModifyPlan
	keepsUnchangedPlan()
}

func (r *nodeResource) keepsUnchangedPlan() {}
func (r *portResource) keepsUnchangedPlan() {}

// unchangedPlan answers PlanResourceChange for an object that nothing changes: most of
// the objects of a plan. terraform-plugin-framework (1.19) walks the schema from the top
// for every attribute several times over in such a plan (and copies the whole object for
// each), which made a node's no-change plan the most expensive thing the provider did.
// The framework's answer when Terraform proposes the prior state itself is that state,
// unless a default, an attribute plan modifier or the resource's ModifyPlan changes it;
// this checks exactly those, running the modifiers as the framework does, and answers
// with the prior state when none would. Whenever one would (or anything is not as
// expected) it answers nothing, and the framework plans as always.
type unchangedPlan struct {
	schema    schema.Schema
	typ       tftypes.Object
	defaults  map[string]tftypes.Value // top-level attribute: its default
	modified  map[string]schema.Attribute
	writeOnly []string
	// the planned identity when Terraform sends none (one older than identities): the
	// framework's null identity
	nullIdentity *tfprotov6.DynamicValue
}

// newUnchangedPlan is the shortcut for a resource, nil when its schema has what the
// shortcut does not check: blocks, or nested attributes with defaults or plan modifiers.
func newUnchangedPlan(ctx context.Context, r resource.Resource, s schema.Schema) *unchangedPlan {
	if _, ok := r.(keepsUnchangedPlan); !ok || len(s.Blocks) > 0 {
		return nil
	}
	typ, ok := s.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		return nil
	}
	u := &unchangedPlan{schema: s, typ: typ, defaults: map[string]tftypes.Value{}, modified: map[string]schema.Attribute{}}
	if ri, ok := r.(resource.ResourceWithIdentity); ok {
		var resp resource.IdentitySchemaResponse
		ri.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &resp)
		t := resp.IdentitySchema.Type().TerraformType(ctx)
		v, err := tfprotov6.NewDynamicValue(t, tftypes.NewValue(t, nil))
		if resp.Diagnostics.HasError() || err != nil {
			return nil
		}
		u.nullIdentity = &v
	}
	for name, a := range s.Attributes {
		if !nestedPlainly(a, true) {
			return nil
		}
		if a.IsWriteOnly() {
			u.writeOnly = append(u.writeOnly, name)
		}
		if d, ok := defaultOf(ctx, a); !ok {
			return nil
		} else if d != nil {
			u.defaults[name] = *d
		}
		if hasPlanModifiers(a) {
			u.modified[name] = a
		}
	}
	return u
}

// nestedPlainly: the attributes nested in a (a itself when not top) have no defaults and
// no plan modifiers, and their objects none either.
func nestedPlainly(a schema.Attribute, top bool) bool {
	if !top && (hasPlanModifiers(a) || hasDefault(a)) {
		return false
	}
	var obj *schema.NestedAttributeObject
	switch n := a.(type) {
	case schema.SingleNestedAttribute:
		for _, na := range n.Attributes {
			if !nestedPlainly(na, false) {
				return false
			}
		}
		return true
	case schema.ListNestedAttribute:
		obj = &n.NestedObject
	case schema.SetNestedAttribute:
		obj = &n.NestedObject
	case schema.MapNestedAttribute:
		obj = &n.NestedObject
	case schema.StringAttribute, schema.BoolAttribute, schema.Int64Attribute, schema.MapAttribute,
		schema.SetAttribute, schema.ListAttribute, schema.ObjectAttribute, schema.Float64Attribute, schema.NumberAttribute:
		return true
	default:
		return false // a kind this does not know
	}
	if len(obj.PlanModifiers) > 0 {
		return false
	}
	for _, na := range obj.Attributes {
		if !nestedPlainly(na, false) {
			return false
		}
	}
	return true
}

func hasPlanModifiers(a schema.Attribute) bool {
	switch t := a.(type) {
	case schema.StringAttribute:
		return len(t.PlanModifiers) > 0
	case schema.BoolAttribute:
		return len(t.PlanModifiers) > 0
	case schema.Int64Attribute:
		return len(t.PlanModifiers) > 0
	case schema.MapAttribute:
		return len(t.PlanModifiers) > 0
	case schema.SetAttribute:
		return len(t.PlanModifiers) > 0
	case schema.ListAttribute:
		return len(t.PlanModifiers) > 0
	case schema.ObjectAttribute:
		return len(t.PlanModifiers) > 0
	case schema.SingleNestedAttribute:
		return len(t.PlanModifiers) > 0
	case schema.ListNestedAttribute:
		return len(t.PlanModifiers) > 0
	case schema.SetNestedAttribute:
		return len(t.PlanModifiers) > 0
	case schema.MapNestedAttribute:
		return len(t.PlanModifiers) > 0
	case schema.Float64Attribute:
		return len(t.PlanModifiers) > 0
	case schema.NumberAttribute:
		return len(t.PlanModifiers) > 0
	}
	return true
}

func hasDefault(a schema.Attribute) bool {
	d, ok := defaultOf(context.Background(), a)
	return !ok || d != nil
}

// defaultOf is an attribute's default as a Terraform value (nil: none); ok is false for
// a default this does not read.
func defaultOf(ctx context.Context, a schema.Attribute) (*tftypes.Value, bool) {
	var v attr.Value
	var diags diag.Diagnostics
	switch t := a.(type) {
	case schema.StringAttribute:
		if t.Default == nil {
			return nil, true
		}
		var resp = defaultsString(ctx, t)
		v, diags = resp.PlanValue, resp.Diagnostics
	case schema.BoolAttribute:
		if t.Default == nil {
			return nil, true
		}
		resp := defaultsBool(ctx, t)
		v, diags = resp.PlanValue, resp.Diagnostics
	case schema.Int64Attribute:
		if t.Default != nil {
			return nil, false
		}
	case schema.MapAttribute:
		if t.Default != nil {
			return nil, false
		}
	case schema.SetAttribute:
		if t.Default != nil {
			return nil, false
		}
	case schema.ListAttribute:
		if t.Default != nil {
			return nil, false
		}
	case schema.ObjectAttribute:
		if t.Default != nil {
			return nil, false
		}
	case schema.SingleNestedAttribute:
		if t.Default != nil {
			return nil, false
		}
	case schema.ListNestedAttribute:
		if t.Default != nil {
			return nil, false
		}
	case schema.SetNestedAttribute:
		if t.Default != nil {
			return nil, false
		}
	case schema.MapNestedAttribute:
		if t.Default != nil {
			return nil, false
		}
	case schema.Float64Attribute:
		if t.Default != nil {
			return nil, false
		}
	case schema.NumberAttribute:
		if t.Default != nil {
			return nil, false
		}
	default:
		return nil, false
	}
	if v == nil {
		return nil, true
	}
	if diags.HasError() {
		return nil, false
	}
	tv, err := v.ToTerraformValue(ctx)
	if err != nil {
		return nil, false
	}
	return &tv, true
}

func defaultsString(ctx context.Context, a schema.StringAttribute) defaults.StringResponse {
	var resp defaults.StringResponse
	a.Default.DefaultString(ctx, defaults.StringRequest{}, &resp)
	return resp
}

func defaultsBool(ctx context.Context, a schema.BoolAttribute) defaults.BoolResponse {
	var resp defaults.BoolResponse
	a.Default.DefaultBool(ctx, defaults.BoolRequest{}, &resp)
	return resp
}

// plan is the framework's answer to req when nothing changes the prior state, nil when
// something might (then the framework plans).
func (u *unchangedPlan) plan(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) *tfprotov6.PlanResourceChangeResponse {
	if u == nil || req.PriorState == nil || req.ProposedNewState == nil || req.Config == nil || len(req.PriorPrivate) > 0 ||
		len(req.PriorState.MsgPack) == 0 {
		return nil
	}
	prior, err := req.PriorState.Unmarshal(u.typ)
	if err != nil || prior.IsNull() || !prior.IsFullyKnown() {
		return nil
	}
	// Terraform encodes equal values alike; another encoder may order a map otherwise.
	if !bytes.Equal(req.PriorState.MsgPack, req.ProposedNewState.MsgPack) {
		proposed, err := req.ProposedNewState.Unmarshal(u.typ)
		if err != nil || !proposed.Equal(prior) {
			return nil
		}
	}
	config, err := req.Config.Unmarshal(u.typ)
	if err != nil || config.IsNull() {
		return nil
	}
	var priorVals, configVals map[string]tftypes.Value
	if prior.As(&priorVals) != nil || config.As(&configVals) != nil {
		return nil
	}
	for _, name := range u.writeOnly {
		if !priorVals[name].IsNull() {
			return nil
		}
	}
	for name, d := range u.defaults {
		if configVals[name].IsNull() && !priorVals[name].Equal(d) {
			return nil // the default changes it
		}
	}
	data := modifierData{
		config: tfsdk.Config{Schema: u.schema, Raw: config},
		plan:   tfsdk.Plan{Schema: u.schema, Raw: prior},
		state:  tfsdk.State{Schema: u.schema, Raw: prior},
	}
	for name, a := range u.modified {
		typ := a.GetType()
		cv, err1 := typ.ValueFromTerraform(ctx, configVals[name])
		sv, err2 := typ.ValueFromTerraform(ctx, priorVals[name])
		if err1 != nil || err2 != nil || !data.keeps(ctx, name, a, cv, sv) {
			return nil
		}
	}
	// The prior state as Terraform sent it: the same value of the same type.
	resp := &tfprotov6.PlanResourceChangeResponse{PlannedState: req.PriorState}
	identity := u.nullIdentity
	if req.PriorIdentity != nil && req.PriorIdentity.IdentityData != nil {
		identity = req.PriorIdentity.IdentityData
	}
	if identity != nil {
		resp.PlannedIdentity = &tfprotov6.ResourceIdentityData{IdentityData: identity}
	}
	return resp
}

type modifierData struct {
	config tfsdk.Config
	plan   tfsdk.Plan
	state  tfsdk.State
}

// keeps runs an attribute's plan modifiers as the framework does, on a plan that is the
// state: true when none changes the value, asks for a replacement or says anything.
func (d modifierData) keeps(ctx context.Context, name string, a schema.Attribute, config, state attr.Value) bool {
	p := path.Root(name)
	same := func(planned, state attr.Value, replace bool, diags diag.Diagnostics) bool {
		return !replace && len(diags) == 0 && planned.Equal(state)
	}
	switch t := a.(type) {
	case schema.StringAttribute:
		c, okC := config.(basetypes.StringValuable)
		s, okS := state.(basetypes.StringValuable)
		if !okC || !okS {
			return false
		}
		cv, d1 := c.ToStringValue(ctx)
		sv, d2 := s.ToStringValue(ctx)
		if d1.HasError() || d2.HasError() {
			return false
		}
		for _, m := range t.PlanModifiers {
			resp := planmodifier.StringResponse{PlanValue: sv}
			m.PlanModifyString(ctx, planmodifier.StringRequest{Path: p, PathExpression: p.Expression(), Config: d.config, ConfigValue: cv,
				Plan: d.plan, PlanValue: sv, State: d.state, StateValue: sv}, &resp)
			if !same(resp.PlanValue, sv, resp.RequiresReplace, resp.Diagnostics) {
				return false
			}
		}
		return true
	case schema.BoolAttribute:
		c, okC := config.(basetypes.BoolValuable)
		s, okS := state.(basetypes.BoolValuable)
		if !okC || !okS {
			return false
		}
		cv, d1 := c.ToBoolValue(ctx)
		sv, d2 := s.ToBoolValue(ctx)
		if d1.HasError() || d2.HasError() {
			return false
		}
		for _, m := range t.PlanModifiers {
			resp := planmodifier.BoolResponse{PlanValue: sv}
			m.PlanModifyBool(ctx, planmodifier.BoolRequest{Path: p, PathExpression: p.Expression(), Config: d.config, ConfigValue: cv,
				Plan: d.plan, PlanValue: sv, State: d.state, StateValue: sv}, &resp)
			if !same(resp.PlanValue, sv, resp.RequiresReplace, resp.Diagnostics) {
				return false
			}
		}
		return true
	case schema.MapAttribute:
		c, okC := config.(basetypes.MapValuable)
		s, okS := state.(basetypes.MapValuable)
		if !okC || !okS {
			return false
		}
		cv, d1 := c.ToMapValue(ctx)
		sv, d2 := s.ToMapValue(ctx)
		if d1.HasError() || d2.HasError() {
			return false
		}
		for _, m := range t.PlanModifiers {
			resp := planmodifier.MapResponse{PlanValue: sv}
			m.PlanModifyMap(ctx, planmodifier.MapRequest{Path: p, PathExpression: p.Expression(), Config: d.config, ConfigValue: cv,
				Plan: d.plan, PlanValue: sv, State: d.state, StateValue: sv}, &resp)
			if !same(resp.PlanValue, sv, resp.RequiresReplace, resp.Diagnostics) {
				return false
			}
		}
		return true
	case schema.SetAttribute:
		c, okC := config.(basetypes.SetValuable)
		s, okS := state.(basetypes.SetValuable)
		if !okC || !okS {
			return false
		}
		cv, d1 := c.ToSetValue(ctx)
		sv, d2 := s.ToSetValue(ctx)
		if d1.HasError() || d2.HasError() {
			return false
		}
		for _, m := range t.PlanModifiers {
			resp := planmodifier.SetResponse{PlanValue: sv}
			m.PlanModifySet(ctx, planmodifier.SetRequest{Path: p, PathExpression: p.Expression(), Config: d.config, ConfigValue: cv,
				Plan: d.plan, PlanValue: sv, State: d.state, StateValue: sv}, &resp)
			if !same(resp.PlanValue, sv, resp.RequiresReplace, resp.Diagnostics) {
				return false
			}
		}
		return true
	case schema.SingleNestedAttribute:
		c, okC := config.(basetypes.ObjectValuable)
		s, okS := state.(basetypes.ObjectValuable)
		if !okC || !okS {
			return false
		}
		cv, d1 := c.ToObjectValue(ctx)
		sv, d2 := s.ToObjectValue(ctx)
		if d1.HasError() || d2.HasError() {
			return false
		}
		for _, m := range t.PlanModifiers {
			resp := planmodifier.ObjectResponse{PlanValue: sv}
			m.PlanModifyObject(ctx, planmodifier.ObjectRequest{Path: p, PathExpression: p.Expression(), Config: d.config, ConfigValue: cv,
				Plan: d.plan, PlanValue: sv, State: d.state, StateValue: sv}, &resp)
			if !same(resp.PlanValue, sv, resp.RequiresReplace, resp.Diagnostics) {
				return false
			}
		}
		return true
	}
	return false // a kind of modifier this does not run
}
