package validators

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

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
