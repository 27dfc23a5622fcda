package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform 1.12): what names the remote object, stored beside the
// state and never changed while the object lives. For a resource that is an Ironic
// object it is the object's UUID (a deployment's is its node's), so that
// import { identity = { id = "..." } } works beside the import by UUID, name or MAC.
// Every Create, Read, Update and ImportState records it: a state written before
// identity existed gains it on the next refresh, and nothing else in it changes.

// uuidIdentity is the identity schema of a resource that is an Ironic object, what
// the object in words: "node".
func uuidIdentity(what string) identityschema.Schema {
	return identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"id": identityschema.StringAttribute{RequiredForImport: true, Description: "UUID of the " + what + " in Ironic."},
	}}
}

// setIdentity records the identity's attribute (id, or the image's url). Nothing is
// recorded where the framework passes no identity or the value is not known yet.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, attribute, value string, diags *diag.Diagnostics) {
	if identity == nil || value == "" {
		return
	}
	diags.Append(identity.SetAttribute(ctx, path.Root(attribute), value)...)
}

// setID records the identity of a resource that is an Ironic object.
func setID(ctx context.Context, identity *tfsdk.ResourceIdentity, id types.String, diags *diag.Diagnostics) {
	setIdentity(ctx, identity, "id", id.ValueString(), diags)
}

// importedID is what an import names: the ID of `terraform import` or of an import
// block's id (a UUID, a name, a MAC), else the id of an import block's identity.
func importedID(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) string {
	id := req.ID
	if id == "" && req.Identity != nil {
		var v types.String
		diags.Append(req.Identity.GetAttribute(ctx, path.Root("id"), &v)...)
		id = v.ValueString()
	}
	if strings.TrimSpace(id) == "" && !diags.HasError() {
		// Ironic answers a read of "" with the list of every node, not with "not found".
		diags.AddError("Nothing to import", "The import names no object: give its UUID (or name) as the ID, or the identity's id.")
	}
	return id
}

// setIDFromState records the identity of a resource that is an Ironic object from the
// id its state holds.
func setIDFromState(ctx context.Context, state tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	var id types.String
	diags.Append(state.GetAttribute(ctx, path.Root("id"), &id)...)
	setID(ctx, identity, id, diags)
}
