package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

var (
	_ resource.ResourceWithIdentity    = (*allocationResource)(nil)
	_ resource.Resource                = (*allocationResource)(nil)
	_ resource.ResourceWithConfigure   = (*allocationResource)(nil)
	_ resource.ResourceWithImportState = (*allocationResource)(nil)
)

// Ironic picks a node within seconds; the default leaves room for a busy conductor.
const defaultAllocationTimeout = 10 * time.Minute

type allocationResource struct {
	clients *clients
}

type allocationResourceModel struct {
	ID             types.String   `tfsdk:"id"`
	Name           types.String   `tfsdk:"name"`
	ResourceClass  types.String   `tfsdk:"resource_class"`
	Traits         types.Set      `tfsdk:"traits"`
	CandidateNodes types.List     `tfsdk:"candidate_nodes"`
	Owner          types.String   `tfsdk:"owner"`
	Extra          types.Map      `tfsdk:"extra"`
	NodeID         types.String   `tfsdk:"node_id"`
	State          types.String   `tfsdk:"state"`
	LastError      types.String   `tfsdk:"last_error"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

// NewAllocationResource is the baremetal_allocation resource.
func NewAllocationResource() resource.Resource { return &allocationResource{} }

func (r *allocationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_allocation"
}

func (r *allocationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

// IdentitySchema: the allocation's UUID.
func (r *allocationResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = uuidIdentity("allocation")
}

func (r *allocationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An Ironic allocation: asks Ironic to pick an `available` node of a resource class (and " +
			"traits, among candidates), as `baremetal allocation create` does, so a deployment needs no hardware named: " +
			"`baremetal_deployment.node_id = baremetal_allocation.<name>.node_id`. Create waits until Ironic has picked a " +
			"node, or fails with Ironic's reason (no node matches); an allocation Ironic's conductor leaves `allocating` for a " +
			"minute with no node and no error (it lost it, as on sqlite) is deleted and asked for again, a few times. Ironic " +
			"picks only `available` nodes out of maintenance, with no instance, whose power state it knows. Destroy releases the node (undeploying a node " +
			"releases its allocation too). Default timeouts: 10 minutes.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "UUID of the allocation.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Unique name of the allocation; allocations can be imported by name. Changed in place.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"resource_class": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Resource class the node must have, for example `baremetal`. Changing it replaces the allocation.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       replace,
			},
			"traits": schema.SetAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Traits the node must have, such as `CUSTOM_GPU`. Changing them replaces the allocation.",
				PlanModifiers:       []planmodifier.Set{setplanmodifier.RequiresReplace()},
			},
			"candidate_nodes": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "UUIDs or names of the nodes to choose from; unset: every available node. Changing it replaces the allocation.",
				PlanModifiers:       []planmodifier.List{listplanmodifier.RequiresReplace()},
			},
			"owner": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Project the allocation belongs to (only nodes of that owner match). Changing it replaces the allocation.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       replace,
			},
			"extra": schema.MapAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Free-form metadata. Changed in place.",
			},
			"node_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "UUID of the node Ironic picked.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"state": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`active` once a node is picked.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"last_error": schema.StringAttribute{Computed: true, MarkdownDescription: "Why Ironic could not allocate, null otherwise.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"timeouts": timeoutsAttribute(ctx, timeouts.Opts{Create: true, Delete: true}),
		},
	}
}

func (r *allocationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan allocationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ic, ok := r.clients.begin(ctx, plan.Timeouts.Create, defaultAllocationTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	body := ironic.AllocationCreate{"resource_class": plan.ResourceClass.ValueString()}
	setIfKnown(body, "name", plan.Name)
	setIfKnown(body, "owner", plan.Owner)
	if traits := stringList(ctx, plan.Traits, &resp.Diagnostics); traits != nil {
		body["traits"] = traits
	}
	if nodes := stringList(ctx, plan.CandidateNodes, &resp.Diagnostics); nodes != nil {
		body["candidate_nodes"] = nodes
	}
	if m := stringMap(ctx, plan.Extra, &resp.Diagnostics); m != nil {
		body["extra"] = ironic.AnyMap(m)
	}
	tflog.Debug(ctx, "creating allocation", map[string]any{"resource_class": body["resource_class"]})
	a, err := ic.Allocate(ctx, body)
	if err != nil {
		detail := ironic.Message(err)
		if fe := new(ironic.AllocationFailedError); errors.As(err, &fe) {
			detail = fmt.Sprintf("Ironic could not allocate a node of resource class %q: %s (the failed allocation was deleted)",
				plan.ResourceClass.ValueString(), fe.LastError)
		}
		resp.Diagnostics.AddError("Unable to allocate a bare metal node", detail)
		if a == nil {
			return
		}
	}
	plan.fromAllocation(ctx, a, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setID(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *allocationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readResource(ctx, r.clients, req, resp, "allocation", func(m *allocationResourceModel) string { return m.ID.ValueString() },
		(*ironic.Client).GetAllocation, func(m *allocationResourceModel, a *ironic.Allocation) bool {
			m.fromAllocation(ctx, a, &resp.Diagnostics)
			return true
		})
}

// Update changes what Ironic allows in place: name and extra.
func (r *allocationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state, ic, ok := startUpdate[allocationResourceModel](ctx, r.clients, req, &resp.Diagnostics)
	if !ok {
		return
	}
	b := newPatch(ctx, &resp.Diagnostics)
	b.str("name", plan.Name, state.Name)
	b.strMap("extra", plan.Extra, state.Extra)
	id := state.ID.ValueString()
	a, err := ic.UpdateAllocation(ctx, id, b.ops)
	if err != nil {
		resp.Diagnostics.AddError("Unable to update bare metal allocation", fmt.Sprintf("Allocation %s: %s", id, ironic.Message(err)))
		return
	}
	plan.fromAllocation(ctx, a, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setID(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *allocationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state allocationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ic, ok := r.clients.begin(ctx, state.Timeouts.Delete, defaultAllocationTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	if err := ic.DeleteAllocation(ctx, state.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Unable to delete bare metal allocation",
			fmt.Sprintf("Allocation %s (node %s): %s", state.ID.ValueString(), state.NodeID.ValueString(), ironic.Message(err)))
	}
}

// ImportState accepts an allocation UUID or name.
func (r *allocationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importResource(ctx, r.clients, req, resp, "allocation", (*ironic.Client).GetAllocation, func(a *ironic.Allocation) allocationResourceModel {
		return importedAllocation(ctx, a, &resp.Diagnostics)
	})
}

// importedAllocation is what an import records of an allocation.
func importedAllocation(ctx context.Context, a *ironic.Allocation, diags *diag.Diagnostics) allocationResourceModel {
	m := allocationResourceModel{
		Traits: types.SetNull(types.StringType), CandidateNodes: types.ListNull(types.StringType),
		Extra: types.MapNull(types.StringType), Timeouts: nullTimeouts("create", "delete"),
	}
	m.fromAllocation(ctx, a, diags)
	return m
}

// fromAllocation records Ironic's view; an empty list or map stays as it was written.
func (m *allocationResourceModel) fromAllocation(ctx context.Context, a *ironic.Allocation, diags *diag.Diagnostics) {
	m.ID = types.StringValue(a.UUID)
	m.Name = stringOrNull(a.Name)
	m.ResourceClass = types.StringValue(a.ResourceClass)
	m.Owner = stringOrNull(a.Owner)
	m.NodeID = stringOrNull(a.NodeUUID)
	m.State = types.StringValue(a.State)
	m.LastError = stringOrNull(a.LastError)
	m.Extra = mapValue(ctx, ironic.StringMap(a.Extra), &m.Extra, diags)
	if len(a.Traits) > 0 || (!m.Traits.IsNull() && !m.Traits.IsUnknown()) {
		traits := append([]string{}, a.Traits...)
		sort.Strings(traits)
		v, d := types.SetValueFrom(ctx, types.StringType, traits)
		diags.Append(d...)
		m.Traits = v
	} else {
		m.Traits = types.SetNull(types.StringType)
	}
	// Ironic reports candidate nodes as UUIDs even when names were given: keep what was written.
	if m.CandidateNodes.IsUnknown() || (m.CandidateNodes.IsNull() && len(a.CandidateNodes) > 0) {
		v, d := types.ListValueFrom(ctx, types.StringType, a.CandidateNodes)
		diags.Append(d...)
		m.CandidateNodes = v
	}
}

// stringList reads a known list or set of strings; null or unknown gives nil.
func stringList(ctx context.Context, v interface {
	IsNull() bool
	IsUnknown() bool
	ElementsAs(context.Context, any, bool) diag.Diagnostics
}, diags *diag.Diagnostics) []string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}
