package provider

import (
	"context"
	"fmt"
	"net/url"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// instanceInfoChecksum: as the enrollment guide says, a direct deploy of an http(s)
// image needs its checksum; caught at plan time rather than by a failed deploy.
func instanceInfoChecksum() validator.Map { return checksumRequired{} }

type checksumRequired struct{}

func (checksumRequired) Description(context.Context) string {
	return "an http(s) image_source needs image_checksum or image_os_hash_value"
}
func (v checksumRequired) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (checksumRequired) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	source, ok := elems["image_source"].(types.String)
	if !ok {
		resp.Diagnostics.AddAttributeError(req.Path, "Missing image_source",
			"instance_info needs image_source: the URL of the image to deploy (typically baremetal_image.<name>.url).")
		return
	}
	if source.IsUnknown() {
		return
	}
	u, err := url.Parse(source.ValueString())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return
	}
	for _, k := range []string{"image_checksum", "image_os_hash_value"} {
		if _, ok := elems[k]; ok {
			return
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Missing image checksum",
		fmt.Sprintf("Deploying the http(s) image %s needs instance_info.image_checksum (Ironic verifies the download with it). "+
			"Let a baremetal_image fetch it and compute it:\n\n"+
			"  image_source       = baremetal_image.os.url\n  image_checksum     = baremetal_image.os.checksum\n"+
			"  image_os_hash_algo = baremetal_image.os.checksum_algorithm", source.ValueString()))
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
	resp.PlanValue = types.StringValue(string(p))
}
