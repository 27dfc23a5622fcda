package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestStringValidators(t *testing.T) {
	cases := []struct {
		name  string
		v     validator.String
		value types.String
		want  string // "" means valid
	}{
		{"http URL", HTTPURL(), types.StringValue("http://127.0.0.1:6385"), ""},
		{"https URL with path", HTTPURL(), types.StringValue("https://ironic.example/v1"), ""},
		{"no scheme", HTTPURL(), types.StringValue("127.0.0.1:6385"), "is not an http:// or https:// URL"},
		{"no host", HTTPURL(), types.StringValue("http://"), "is not an http:// or https:// URL"},
		{"null is skipped", HTTPURL(), types.StringNull(), ""},
		{"unknown is skipped", HTTPURL(), types.StringUnknown(), ""},
		{"microversion", Microversion(), types.StringValue("1.78"), ""},
		{"microversion garbage", Microversion(), types.StringValue("1.x"), "not a microversion"},
		{"duration", Duration(), types.StringValue("90s"), ""},
		{"negative duration", Duration(), types.StringValue("-1s"), "non-negative"},
		{"positive duration", PositiveDuration(), types.StringValue("20m"), ""},
		{"zero duration", PositiveDuration(), types.StringValue("0s"), "not a positive duration"},
		{"negative timeout", PositiveDuration(), types.StringValue("-5m"), "not a positive duration"},
		{"unparsable timeout", PositiveDuration(), types.StringValue("5 minutes"), "not a positive duration"},
		{"node UUID", NodeUUID(), types.StringValue("8d3f7c1e-1a2b-4c3d-8e4f-5a6b7c8d9e0f"), ""},
		{"node name for a UUID", NodeUUID(), types.StringValue("host-1"), "not a node UUID"},
		{"node UUID in upper case", NodeUUID(), types.StringValue("8D3F7C1E-1A2B-4C3D-8E4F-5A6B7C8D9E0F"), "lower-case canonical"},
		{"MAC upper case", MACAddress(), types.StringValue("52:54:00:AB:CD:EF"), ""},
		{"MAC short", MACAddress(), types.StringValue("52:54:00:AB:CD"), "not a MAC address"},
		{"JSON list", JSONText("a list"), types.StringValue(`[{"interface":"deploy","step":"x"}]`), ""},
		{"JSON object for a list", JSONText("a list"), types.StringValue(`{}`), "must be a JSON list"},
		{"JSON object", JSONText("an object"), types.StringValue(`{"links":[]}`), ""},
		{"not JSON", JSONText("an object"), types.StringValue(`{links`), "not valid JSON"},
		{"steps", StepList(), types.StringValue(`[{"interface":"deploy","step":"x"}]`), ""},
		{"step without a name", StepList(), types.StringValue(`[{"interface":"deploy"}]`), "step 0 has no \"step\""},
		{"steps that are not JSON are JSONText's", StepList(), types.StringValue(`[`), ""},
		{"image URL", ImageURL(), types.StringValue("file:///images/deploy.vmlinuz"), ""},
		{"image URL scheme", ImageURL(), types.StringValue("s3://bucket/x"), "unsupported scheme"},
	}
	for _, c := range cases {
		resp := &validator.StringResponse{}
		c.v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("attr"), ConfigValue: c.value}, resp)
		if c.want == "" {
			if resp.Diagnostics.HasError() {
				t.Errorf("%s: unexpected %v", c.name, resp.Diagnostics)
			}
			continue
		}
		if !resp.Diagnostics.HasError() {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		detail := resp.Diagnostics[0].Detail()
		if !strings.Contains(detail, c.want) || !strings.HasPrefix(detail, "attr: ") {
			t.Errorf("%s: detail %q, want the attribute and %q", c.name, detail, c.want)
		}
	}
}

func TestTraitCheck(t *testing.T) {
	for _, c := range []struct {
		trait        string
		err, warning bool
	}{
		{"CUSTOM_GPU", false, false}, {"HW_CPU_X86_VMX", false, false}, {"CUSTOM_", true, false},
		{"custom_gpu", true, false}, {"CUSTOM-GPU", true, false}, {strings.Repeat("A", 256), true, false},
		{"HW_CPU_X86_NOT_A_TRAIT", false, true},
	} {
		resp := &validator.StringResponse{}
		traitCheck{}.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("traits"), ConfigValue: types.StringValue(c.trait)}, resp)
		if resp.Diagnostics.HasError() != c.err || (resp.Diagnostics.WarningsCount() > 0) != c.warning {
			t.Errorf("%q: %v", c.trait, resp.Diagnostics)
		}
	}
}
