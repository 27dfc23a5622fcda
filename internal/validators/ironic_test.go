package validators

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func stringMap(m map[string]string) types.Map {
	elems := map[string]attr.Value{}
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func TestRootDeviceHints(t *testing.T) {
	v := RootDeviceHints([]string{"name", "size", "rotational"})
	for _, c := range []struct {
		name  string
		hints map[string]string
		want  string
	}{
		{"known hints", map[string]string{"name": "/dev/sda", "size": ">= 100", "rotational": "false"}, ""},
		{"misspelt hint", map[string]string{"nmae": "/dev/sda"}, "Unknown root device hint"},
		{"size with a unit", map[string]string{"size": "100GiB"}, "Invalid root device size"},
		{"rotational yes", map[string]string{"rotational": "yes"}, "Invalid root device hint"},
	} {
		resp := &validator.MapResponse{}
		v.ValidateMap(context.Background(), validator.MapRequest{Path: path.Root("root_device"), ConfigValue: stringMap(c.hints)}, resp)
		switch {
		case c.want == "" && resp.Diagnostics.HasError():
			t.Errorf("%s: unexpected %v", c.name, resp.Diagnostics)
		case c.want != "" && (!resp.Diagnostics.HasError() || resp.Diagnostics[0].Summary() != c.want):
			t.Errorf("%s: got %v, want %q", c.name, resp.Diagnostics, c.want)
		}
	}
}
