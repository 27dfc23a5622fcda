package validators

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// InstanceInfoChecksum: instance_info that Ironic's direct deploy accepts, checked at
// plan time rather than by a refused deploy: image_os_hash_algo and image_os_hash_value
// only as a pair, and an http(s) image_source with a checksum (image_checksum, or the
// pair). A baremetal_image's instance_info is always such a set.
func InstanceInfoChecksum() validator.Map { return checksumRequired{} }

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

// RootDeviceHints refuses hint keys other than hints (Ironic ignores a misspelt one, and
// the image is written to another disk) and malformed sizes and rotational values.
func RootDeviceHints(hints []string) validator.Map { return rootDeviceCheck{hints} }

type rootDeviceCheck struct{ hints []string }

var sizeHintPattern = regexp.MustCompile(`^((==|!=|>=|<=|<|>)\s*)?[0-9]+$`)

func (c rootDeviceCheck) Description(context.Context) string {
	return "keys are root device hints: " + strings.Join(c.hints, ", ")
}
func (c rootDeviceCheck) MarkdownDescription(ctx context.Context) string { return c.Description(ctx) }

func (c rootDeviceCheck) ValidateMap(ctx context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for k, v := range req.ConfigValue.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		p := req.Path.AtMapKey(k)
		switch {
		case !slices.Contains(c.hints, k):
			resp.Diagnostics.AddAttributeError(p, "Unknown root device hint",
				fmt.Sprintf("%s: %q is not a root device hint; Ironic knows %s.", req.Path, k, strings.Join(c.hints, ", ")))
		case k == "size" && !sizeHintPattern.MatchString(s.ValueString()):
			resp.Diagnostics.AddAttributeError(p, "Invalid root device size",
				fmt.Sprintf("%s.size: %q must be a size in GiB, optionally with an operator: 100, >= 100.", req.Path, s.ValueString()))
		case k == "rotational" && s.ValueString() != "true" && s.ValueString() != "false":
			resp.Diagnostics.AddAttributeError(p, "Invalid root device hint",
				fmt.Sprintf("%s.rotational: %q must be true or false.", req.Path, s.ValueString()))
		}
	}
}
