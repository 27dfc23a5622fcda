package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/action/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// Actions (Terraform 1.14 and later) do something to one node once, when invoked
// (`terraform apply -invoke=action.<type>.<name>`) or triggered by a resource's
// lifecycle. nodeAction is what they share: the node named by node_id, the time the
// invocation may take, the checks made before anything is sent, progress lines while
// Ironic works, and Ironic's reason when it fails. Each action adds its attributes, its
// checks and one engine call.

// actionBase is the part of every node action's configuration they all have.
type actionBase struct {
	NodeID   types.String   `tfsdk:"node_id"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

func (b *actionBase) base() *actionBase { return b }

// actionModel is a node action's configuration: actionBase embedded, with its own fields.
type actionModel[M any] interface {
	*M
	base() *actionBase
}

// nodeAction is one action on a node, with configuration M (through P, its pointer).
type nodeAction[M any, P actionModel[M]] struct {
	clients *clients

	name    string // the type name after the provider's: "node_power"
	doc     string // the action's Markdown description
	attrs   map[string]schema.Attribute
	timeout time.Duration // the default of timeouts.invoke
	verb    string        // what it does, for summaries: "change the power state of"

	// check finds what is wrong with the configuration before anything is sent; with a
	// connection, microversion is the API version Ironic offers, else "". Optional.
	check func(m P, microversion string, diags *diag.Diagnostics)
	// run does the work through the engine and says how the node ended.
	run func(ctx context.Context, ic *ironic.Client, m P) (*nodes.Node, error)
	// outcome is the last progress line, from the node as run returned it; default: where
	// the node is (ironic.DescribeNode).
	outcome func(m P, n *nodes.Node) string
}

var (
	_ action.ActionWithConfigure      = (*nodeAction[nodePowerModel, *nodePowerModel])(nil)
	_ action.ActionWithValidateConfig = (*nodeAction[nodePowerModel, *nodePowerModel])(nil)
	_ action.ActionWithModifyPlan     = (*nodeAction[nodePowerModel, *nodePowerModel])(nil)
)

func (a *nodeAction[M, P]) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + a.name
}

func (a *nodeAction[M, P]) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	c, ok := req.ProviderData.(*clients)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("Expected *clients, got %T.", req.ProviderData))
		return
	}
	a.clients = c
}

func (a *nodeAction[M, P]) Schema(ctx context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"node_id": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "The node, by UUID or name.",
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"timeouts": actionTimeouts(ctx, a.timeout),
	}
	for k, v := range a.attrs {
		attrs[k] = v
	}
	resp.Schema = schema.Schema{MarkdownDescription: a.doc, Attributes: attrs}
}

// actionTimeouts is the timeouts attribute of an action whose invocation takes def by default.
func actionTimeouts(ctx context.Context, def time.Duration) schema.Attribute {
	a := timeouts.AttributesWithOpts(ctx, timeouts.Opts{InvokeDescription: fmt.Sprintf(
		"How long the invocation may take, as a duration (`30m`); default `%s`. When it runs out, the action fails "+
			"and says where the node is; Ironic carries on with what it was asked.", shortDuration(def))}).(schema.SingleNestedAttribute)
	a.MarkdownDescription = "Time limits of the invocation."
	return a
}

// config reads the action's configuration.
func (a *nodeAction[M, P]) config(ctx context.Context, get func(context.Context, any) diag.Diagnostics, diags *diag.Diagnostics) P {
	var m M
	diags.Append(get(ctx, &m)...)
	return &m
}

// ValidateConfig checks what needs no connection, before a plan.
func (a *nodeAction[M, P]) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	m := a.config(ctx, req.Config.Get, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() && a.check != nil {
		a.check(m, "", &resp.Diagnostics)
	}
	if d, ok := positiveTimeout(ctx, m.base().Timeouts); !ok {
		resp.Diagnostics.AddAttributeError(path.Root("timeouts").AtName("invoke"), "Invalid timeout", d)
	}
}

// ModifyPlan checks, while planning, what Ironic must offer (its API version) for the
// action, so that a plan does not promise what the invocation cannot do.
func (a *nodeAction[M, P]) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	if a.check == nil || a.clients == nil {
		return
	}
	m := a.config(ctx, req.Config.Get, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := a.clients.bounded(ctx)
	defer cancel()
	ic, diags := a.clients.Ironic(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	a.check(m, ic.Microversion(), &resp.Diagnostics)
}

func (a *nodeAction[M, P]) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	m := a.config(ctx, req.Config.Get, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := m.base().Timeouts.Invoke(ctx, a.timeout)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ic, diags := a.clients.Ironic(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	if a.check != nil {
		if a.check(m, ic.Microversion(), &resp.Diagnostics); resp.Diagnostics.HasError() {
			return
		}
	}
	id := m.base().NodeID.ValueString()
	start := time.Now()
	say := func(line string) {
		line = fmt.Sprintf("%s (%s)", line, time.Since(start).Round(time.Second))
		tflog.Info(ctx, "action progress", map[string]any{"action": a.name, "line": line})
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: line})
		}
	}
	node, err := a.run(ctx, ic.WithProgress(say), m)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("node_id"), fmt.Sprintf("Unable to %s bare metal node", a.verb),
			fmt.Sprintf("%s.%s", inTerraformTerms(err), whereItStopped(node)))
		return
	}
	switch {
	case node == nil:
		say(fmt.Sprintf("node %s: done", id))
	case a.outcome != nil:
		say(a.outcome(m, node))
	default:
		say(ironic.DescribeNode(node))
	}
}

// whereItStopped tells, after a failure, where Ironic left the node; the action moves it
// no further.
func whereItStopped(n *nodes.Node) string {
	if n == nil {
		return ""
	}
	return fmt.Sprintf(" The node is left as Ironic reports it: %s.", ironic.DescribeNode(n))
}

// positiveTimeout checks timeouts.invoke: the library checks only that it parses.
func positiveTimeout(ctx context.Context, t timeouts.Value) (string, bool) {
	if t.IsNull() || t.IsUnknown() {
		return "", true
	}
	d, diags := t.Invoke(ctx, time.Minute)
	if diags.HasError() || d > 0 {
		return "", true // the library's own validator reports what does not parse
	}
	return fmt.Sprintf("timeouts.invoke must be a positive duration, not %s", d), false
}

// shortDuration is a duration as a person writes it: 20m, not 20m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// featureCheck adds an error on the attribute when Ironic's API lacks the feature it
// uses (known only with a connection: microversion not "").
func featureCheck(attribute, feature, microversion string, diags *diag.Diagnostics) {
	if microversion == "" {
		return
	}
	if err := ironic.FeatureNamed(feature).Check(microversion); err != nil {
		diags.AddAttributeError(path.Root(attribute), "Not supported by this Ironic", err.Error())
	}
}
