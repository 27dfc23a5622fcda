package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A new oci:// image plans sha256 (its layer's digest) and, for a tag, an image_source
// known only once the tag is resolved to a manifest; a reference by digest is that
// manifest already.
func TestImageInstanceInfoPlanOCI(t *testing.T) {
	ctx := context.Background()
	null := tftypes.NewValue(tftypes.String, nil)
	run := func(url string) types.Map {
		p, c := imagePlan(url, null, null)
		resp := &planmodifier.MapResponse{PlanValue: types.MapUnknown(types.StringType)}
		imageInstanceInfoPlan{}.PlanModifyMap(ctx, planmodifier.MapRequest{Plan: p, Config: c, PlanValue: types.MapUnknown(types.StringType),
			StateValue: types.MapNull(types.StringType)}, resp)
		return resp.PlanValue
	}
	want := types.MapValueMust(types.StringType, map[string]attr.Value{"image_source": types.StringUnknown(),
		"image_os_hash_algo": types.StringValue("sha256"), "image_os_hash_value": types.StringUnknown()})
	if got := run("oci://registry.example/disks/os:stable"); !got.Equal(want) {
		t.Errorf("a tag: %s, want %s", got, want)
	}
	pinned := "oci://registry.example/disks/os@sha256:" + strings.Repeat("ab", 32)
	want = types.MapValueMust(types.StringType, map[string]attr.Value{"image_source": types.StringValue(pinned),
		"image_os_hash_algo": types.StringValue("sha256"), "image_os_hash_value": types.StringUnknown()})
	if got := run(pinned); !got.Equal(want) {
		t.Errorf("a digest: %s, want %s", got, want)
	}
}

// Both pull secrets are write-only and sensitive.
func TestPullSecretsAreWriteOnly(t *testing.T) {
	for name, a := range map[string]schema.Attribute{
		"baremetal_image.pull_secret_wo":            schemaAttr(t, &imageResource{}, "pull_secret_wo"),
		"baremetal_deployment.image_pull_secret_wo": schemaAttr(t, &deploymentResource{}, "image_pull_secret_wo"),
	} {
		if !a.IsWriteOnly() || !a.IsSensitive() {
			t.Errorf("%s is not write-only and sensitive", name)
		}
	}
}

func schemaAttr(t *testing.T, r resource.Resource, name string) schema.Attribute {
	t.Helper()
	var resp resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
	a, ok := resp.Schema.Attributes[name]
	if !ok {
		t.Fatalf("no attribute %s", name)
	}
	return a
}
