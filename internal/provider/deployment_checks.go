package provider

import (
	"context"
	"fmt"
	"net/url"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// instanceInfoChecksum: instance_info that Ironic's direct deploy accepts, checked at
// plan time rather than by a refused deploy: image_os_hash_algo and image_os_hash_value
// only as a pair, and an http(s) image_source with a checksum (image_checksum, or the
// pair). A baremetal_image's instance_info is always such a set.
func instanceInfoChecksum() validator.Map { return checksumRequired{} }

type checksumRequired struct{}

func (checksumRequired) Description(context.Context) string {
	return "image_os_hash_algo and image_os_hash_value go together; an http(s) image_source needs image_checksum or that pair"
}
func (v checksumRequired) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

const useImageInstanceInfo = "Let a baremetal_image give the keys Ironic wants, for any checksum algorithm:\n\n" +
	"  instance_info = baremetal_image.os.instance_info\n\nor, with keys of your own:\n\n" +
	"  instance_info = merge(baremetal_image.os.instance_info, { root_gb = \"10\" })"

func (checksumRequired) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	has := func(k string) bool {
		v, ok := elems[k].(types.String)
		return ok && !v.IsNull() && (v.IsUnknown() || v.ValueString() != "")
	}
	source, ok := elems["image_source"].(types.String)
	if !ok {
		resp.Diagnostics.AddAttributeError(req.Path, "Missing image_source",
			"instance_info needs image_source: the URL of the image to deploy.\n\n"+useImageInstanceInfo)
		return
	}
	for _, pair := range [][2]string{{"image_os_hash_algo", "image_os_hash_value"}, {"image_os_hash_value", "image_os_hash_algo"}} {
		if has(pair[0]) && !has(pair[1]) {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(pair[0]), "Incomplete image checksum",
				fmt.Sprintf("instance_info.%s is set without %s: Ironic refuses such a deploy (\"image_source's image_checksum, "+
					"or image_os_hash_algo and image_os_hash_value must be provided\"). Give both, or image_checksum alone "+
					"for an md5 digest.\n\n%s", pair[0], pair[1], useImageInstanceInfo))
			return
		}
	}
	if source.IsUnknown() {
		return
	}
	u, err := url.Parse(source.ValueString())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || has("image_checksum") || has("image_os_hash_value") {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Missing image checksum",
		fmt.Sprintf("Deploying the http(s) image %s needs its checksum in instance_info (Ironic verifies the download "+
			"with it): image_checksum, or image_os_hash_algo with image_os_hash_value.\n\n%s", source.ValueString(), useImageInstanceInfo))
}

// planAs plans a computed value as the one a successful apply leaves (a deployment is
// active afterwards), so a node found elsewhere (deploy failed) shows as a change.
func planAs(value string) planmodifier.String { return plannedValue(value) }

type plannedValue string

func (p plannedValue) Description(context.Context) string {
	return fmt.Sprintf("%q after a successful apply.", string(p))
}
func (p plannedValue) MarkdownDescription(ctx context.Context) string { return p.Description(ctx) }

func (p plannedValue) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	if ironic.IsServicedOrHeld(req.StateValue.ValueString()) {
		resp.PlanValue = req.StateValue // Ironic works on the deployed machine, or holds it for an operator: not fought
		return
	}
	resp.PlanValue = types.StringValue(string(p))
}
