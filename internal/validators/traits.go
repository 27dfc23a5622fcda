package validators

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var traitPattern = regexp.MustCompile(`^[A-Z0-9_]+$`)

// TraitName checks a trait as Ironic does: 1 to 255 characters of A-Z, 0-9 and _. A name
// that is neither CUSTOM_ nor a standard trait this provider knows gets a warning: a
// newer os-traits in Ironic may know it.
func TraitName() validator.String { return traitCheck{} }

type traitCheck struct{}

func (traitCheck) Description(context.Context) string {
	return "a standard os-traits name or CUSTOM_ followed by A-Z, 0-9 and _"
}
func (c traitCheck) MarkdownDescription(ctx context.Context) string { return c.Description(ctx) }

func (traitCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	t := req.ConfigValue.ValueString()
	switch {
	case len(t) == 0 || len(t) > 255 || !traitPattern.MatchString(t) || t == "CUSTOM_":
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid trait",
			fmt.Sprintf("%s: %q is not a trait: use upper-case letters, digits and _ (at most 255), for example CUSTOM_GPU or HW_CPU_X86_VMX.", req.Path, t))
	case !strings.HasPrefix(t, "CUSTOM_") && !standardTraits[t]:
		resp.Diagnostics.AddAttributeWarning(req.Path, "Unknown standard trait",
			fmt.Sprintf("%s: %q is not a standard trait in os-traits %s, and custom traits start with CUSTOM_. "+
				"Ironic refuses it unless its own os-traits is newer and knows it.", req.Path, t, osTraitsVersion))
	}
}
