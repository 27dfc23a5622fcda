package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// objectResource is the shared part of a resource that is one Ironic object, each of
// whose operations is one API call (a deploy template, a runbook, a port group): its
// Metadata, Configure, Read, Delete and ImportState (by UUID or name). A resource embeds
// it and keeps its schema, its model, its Create and Update (through calls.createWith
// and calls.updateWith: the body it creates, the patch it sends, its words) and its own
// rules.
type objectResource[M, T any] struct {
	clients *clients
	calls   objectCalls[M, T]
}

func (r *objectResource[M, T]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.calls.typeName
}

func (r *objectResource[M, T]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

func (r *objectResource[M, T]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, r.clients, req, resp, r.calls.kind, r.calls.id, r.calls.api.Get, func(m *M, obj *T) bool {
		r.calls.fill(m, ctx, obj, &resp.Diagnostics)
		return true
	})
}

func (r *objectResource[M, T]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteResource(ctx, r.clients, req, resp, r.calls.kind, r.calls.id, r.calls.api.Delete)
}

// IdentitySchema: the object's UUID.
func (r *objectResource[M, T]) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = uuidIdentity(r.calls.kind)
}

// ImportState accepts a UUID or a name.
func (r *objectResource[M, T]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importResource(ctx, r.clients, req, resp, r.calls.kind, r.calls.api.Get, func(obj *T) M {
		return r.calls.importedModel(ctx, obj, &resp.Diagnostics)
	})
}

// importedModel is what an import records of the object.
func (o objectCalls[M, T]) importedModel(ctx context.Context, obj *T, diags *diag.Diagnostics) M {
	m := o.imported()
	o.fill(&m, ctx, obj, diags)
	return m
}

// objectCalls are an objectResource's Ironic calls and its model mapping.
type objectCalls[M, T any] struct {
	typeName string // the resource type without the provider's prefix: "portgroup"
	kind     string // the object in messages: "port group"
	id       func(*M) string
	api      ironic.ObjectKind[T]
	// fill records the object Ironic holds into the model.
	fill func(*M, context.Context, *T, *diag.Diagnostics)
	// imported is the model an import fills: its optional maps typed nulls.
	imported func() M
	// logged names the create body's values logged before the create: log field to body key.
	logged map[string]string
}

// createWith creates the object from the plan: build makes the request body (adding
// diagnostics when it cannot), and what Ironic answers is recorded into the state. A
// failure reads summary, then subject of the plan and Ironic's message.
func (o objectCalls[M, T]) createWith(ctx context.Context, c *clients, req resource.CreateRequest, resp *resource.CreateResponse,
	build func(*M, context.Context, *diag.Diagnostics) map[string]any, summary string, subject func(*M) string) {
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ic, diags := c.forWrite(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	body := build(&plan, ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	fields := map[string]any{}
	for field, key := range o.logged {
		fields[field] = body[key]
	}
	tflog.Debug(ctx, "creating "+o.kind, fields)
	obj, err := o.api.Create(ic, ctx, body)
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("%s: %s", subject(&plan), ironic.Message(err)))
		return
	}
	o.fill(&plan, ctx, obj, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setIdentity(ctx, resp.Identity, "id", o.id(&plan), &resp.Diagnostics)
}

// updateWith sends the patch that patch adds to b for the change from state to plan
// (nothing when building it failed), and records what Ironic answers. A failure reads
// summary, then subject (a format of the object's id) and Ironic's message.
func (o objectCalls[M, T]) updateWith(ctx context.Context, c *clients, req resource.UpdateRequest, resp *resource.UpdateResponse,
	patch func(b *patchBuilder, plan, state *M), summary, subject string) {
	plan, state, ic, ok := startUpdate[M](ctx, c, req, &resp.Diagnostics)
	if !ok {
		return
	}
	b := newPatch(ctx, &resp.Diagnostics)
	patch(b, &plan, &state)
	if resp.Diagnostics.HasError() {
		return
	}
	id := o.id(&state)
	obj, err := o.api.Update(ic, ctx, id, b.ops)
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf(subject, id)+": "+ironic.Message(err))
		return
	}
	o.fill(&plan, ctx, obj, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setIdentity(ctx, resp.Identity, "id", o.id(&plan), &resp.Diagnostics)
}
